"""How fast a repository without sites is scanned: pyfunc2tf's walk + prefilter against `tf_upgrade_v2 --intree`.

The tree is a copy of an installed package (keras/src by default: several hundred files, ~300k lines, no
py_function site), so both tools see the same files. pyfunc2tf is timed twice: the walk + prefilter in this
process (CPU and wall time, best of --repeat), and the whole command (`pyfunc2tf check DIR --no-verify`,
interpreter start and imports included). tf_upgrade_v2 (shipped with TensorFlow) parses and rewrites every
file into an out-tree.

    .venv/bin/python benchmarks/scan_speed.py [--tree DIR] [--repeat 5] [--out benchmarks/results/scan_speed.md]
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transpiler.batch import select  # noqa: E402
from transpiler.walk import walk  # noqa: E402


def default_tree() -> Path:
    spec = importlib.util.find_spec("keras")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("keras is not installed here: pass --tree DIR")
    return Path(list(spec.submodule_search_locations)[0]) / "src"


def copy_tree(source: Path, into: Path) -> Path:
    target = into / "tree"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def count(tree: Path) -> tuple[int, int]:
    files = lines = 0
    for dirpath, _, names in os.walk(tree):
        for name in names:
            if name.endswith(".py"):
                files += 1
                with open(os.path.join(dirpath, name), "rb") as handle:
                    lines += handle.read().count(b"\n")
    return files, lines


def time_prefilter(tree: Path, repeat: int) -> dict:
    best = None
    for _ in range(repeat):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        walked = select(walk([tree]))
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        if best is None or wall < best["wall_s"]:
            best = {"wall_s": wall, "cpu_s": cpu, "scanned": walked.scanned, "candidates": len(walked.candidates)}
    return best


def time_command(argv: list[str], timeout: float) -> dict:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"wall_s": None, "rc": None, "tail": f"timed out after {timeout:.0f} s"}
    return {"wall_s": time.perf_counter() - t0, "rc": proc.returncode,
            "tail": (proc.stdout + proc.stderr).strip().splitlines()[-3:]}


def time_upgrader_per_file(tree: Path, out: Path) -> dict:
    """tf_upgrade_v2's own converter, file by file in this process, a file it crashes on counted and skipped:
    its rate on the files it can handle (`--intree` stops the whole tree at the first crash)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from tensorflow.tools.compatibility import ast_edits, tf_upgrade_v2

    upgrader = ast_edits.ASTCodeUpgrader(tf_upgrade_v2.TFAPIChangeSpec())
    done = crashed = lines = 0
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    for dirpath, _, names in os.walk(tree):
        for name in sorted(names):
            if not name.endswith(".py"):
                continue
            source = Path(dirpath) / name
            target = out / source.relative_to(tree)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                upgrader.process_file(str(source), str(target))
            except Exception:   # pasta's AnnotationError on f-strings like {x=}, and others
                crashed += 1
                continue
            done += 1
            lines += source.read_bytes().count(b"\n")
    return {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - cpu0, "files": done,
            "crashed": crashed, "lines": lines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=None, help="tree to copy and scan (default: keras/src)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "scan_speed.md")
    args = parser.parse_args()
    source = args.tree or default_tree()
    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        tree = copy_tree(source, Path(tmp))
        files, lines = count(tree)
        ours = time_prefilter(tree, args.repeat)
        command = time_command([str(bindir / "pyfunc2tf"), "check", str(tree), "--no-verify"], args.timeout)
        upgrade = time_command([str(bindir / "tf_upgrade_v2"), "--intree", str(tree), "--outtree",
                                str(Path(tmp) / "upgraded"), "--reportfile", str(Path(tmp) / "report.txt")],
                               args.timeout)
        upgrade["upgraded_files"] = sum(1 for _ in (Path(tmp) / "upgraded").rglob("*.py")) \
            if (Path(tmp) / "upgraded").exists() else 0
        per_file = time_upgrader_per_file(tree, Path(tmp) / "per_file")
    rate = lambda seconds: f"{lines / seconds:,.0f} lines/s" if seconds else "n/a"  # noqa: E731
    upgraded = upgrade.get("upgraded_files", 0)
    upgrade_outcome = (f"stopped the whole tree at its first crash, {upgraded} files written; last line: "
                       f"{upgrade['tail'][-1] if upgrade['tail'] else ''}") if upgrade["rc"] else "completed"
    upgrade_outcome = upgrade_outcome.replace("|", "\\|")
    upgrade_wall = f"{upgrade['wall_s']:.1f} s" if upgrade["wall_s"] else upgrade["tail"]
    text = f"""# Scan speed: a tree without sites

`.venv/bin/python benchmarks/scan_speed.py` ({time.strftime('%Y-%m-%d')}, {platform.machine()},
{os.cpu_count()} CPU cores shared with other work, Python {platform.python_version()}).

Tree: a copy of `{source}`: {files} `.py` files, {lines:,} lines, no py_function site.

| what | wall | CPU | rate |
|---|---:|---:|---:|
| pyfunc2tf walk + prefilter (in process, best of {args.repeat}) | {ours['wall_s']:.3f} s | {ours['cpu_s']:.3f} s | {rate(ours['wall_s'])} |
| `pyfunc2tf check DIR --no-verify` (whole command, start-up included) | {command['wall_s']:.2f} s | | {rate(command['wall_s'])} |
| `tf_upgrade_v2 --intree DIR --outtree OUT` | {upgrade_wall} | | (exit {upgrade['rc']}: {upgrade_outcome}) |
| tf_upgrade_v2's converter file by file (in process; {per_file['files']} files, {per_file['lines']:,} lines, {per_file['crashed']} crashed and skipped) | {per_file['wall_s']:.1f} s | {per_file['cpu_s']:.1f} s | {per_file['lines'] / per_file['wall_s']:,.0f} lines/s |

The walk looked at {ours['scanned']} files; {ours['candidates']} passed the prefilter (a byte search for
`py_func` / `numpy_function`), so nothing was parsed. `pyfunc2tf check` exited {command['rc']};
tf_upgrade_v2 parses and rewrites every file (it is a 1.x -> 2.x
upgrader and writes the whole out-tree), so the comparison says what a repository-wide py_function audit
costs with each tool, not that the two do the same work.
"""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
