"""Benchmark: converted code against the original py_function and a hand-written native version.

    .venv/bin/python -m benchmarks.run [--only NAME,...] [--rounds N] [--out DIR] [--label cpu]
    .venv/bin/python -m benchmarks.run --only-verify [--only NAME,...]     (verification times alone)

For each case of the shared corpus that the tool should convert (../shared/corpus/cases.toml, references in
../shared/corpus/refs/) and for the project's example (examples/audio_pipeline.py, reference in
benchmarks/refs/), the tool converts a temporary copy (`pyfunc2tf convert COPY --write --signature ...
--report`); the report gives the transpile and verification time of each site. A worker process per case
(benchmarks/worker.py) then times the original, the converted and the reference entry on one input (the
largest the case describes): per call inside tf.function, per call with jit_compile=True (XLA), and the
elements per second of a tf.data pipeline map(num_parallel_calls=AUTOTUNE).batch(64).

Verification is timed twice. *Cold*: the case's own `pyfunc2tf convert` run above, one file: its first site
pays the verification worker's start (Python and the TensorFlow import, overlapped with the transpiling
only). *In a run*: one process converts every case's file in turn, as `pyfunc2tf convert DIR --jobs 1` does
(transpiler.batch.convert_file with the case's signatures), so that one worker verifies all sites; the
per-site figure is each site's verify time there, and the run's total verification time over its sites.

Writes DIR/LABEL.md (a table, the geometric means), DIR/LABEL.json (every number) and DIR/LABEL.png (a plot).
`--only-verify` converts and verifies the cases the same two ways, times nothing else, and writes
DIR/verify.md and DIR/verify.json (label `verify` unless --label is given).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.cases import ROOT, all_cases, fixed_shapes

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")   # before this process imports TensorFlow (for its version)
TOOL = [sys.executable, "-m", "cli"]
VARIANTS = ("original", "converted", "reference")


def geomean(values) -> float | None:
    values = [v for v in values if v is not None and v > 0 and math.isfinite(v)]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def convert_case(case: dict, work: Path, timeout: float) -> dict:
    """Convert a copy of the case; {"file", "converted", "sites": [...], "tool_s", "error"}."""
    src = Path(case["file"])
    (work / "orig").mkdir(parents=True)
    (work / "conv").mkdir(parents=True)
    shutil.copy(src, work / "orig" / src.name)
    target = work / "conv" / src.name
    shutil.copy(src, target)
    report = work / "report.json"
    cmd = TOOL + ["convert", str(target), "--write", "--report", str(report), "--jobs", "1"]
    for fn, spec in case["signature"].items():
        cmd += ["--signature", f"{fn}={spec}"]
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        error = None if done.returncode in (0, 1) else (done.stderr or done.stdout).strip()[-300:]
    except subprocess.TimeoutExpired:
        error = f"the tool did not finish within {timeout:.0f} s"
    result = {"orig": str(work / "orig" / src.name), "conv": str(target), "tool_s": time.perf_counter() - t0,
              "error": error, "sites": []}
    if report.exists():
        for site in json.loads(report.read_text())["sites"]:
            wanted = site["function"].rsplit(".", 1)[-1] in case["pyfuncs"]
            timings = site.get("timings") or {}
            total, verify = timings.get("total_s"), timings.get("verify_s")
            result["sites"].append({
                "function": site["function"], "status": site["status"], "wanted": wanted,
                "codes": [r["code"] for r in site.get("reasons", [])],
                "transpile_s": None if total is None else max(total - (verify or 0.0), 0.0),
                "verify_s": verify, "examples": (site.get("verification") or {}).get("examples")})
    wanted = [s for s in result["sites"] if s["wanted"]]
    result["converted"] = bool(wanted) and all(s["status"] == "converted" for s in wanted)
    return result


def verify_run(cases: list[dict], timeout: float) -> dict:
    """Convert every case's file in one process (`--verify-run`), one verification worker for all sites:
    {"wall_s", "verify_wall_s", "sites": [{"case", "function", "status", "wanted", "verify_s"}], "error"}."""
    request = [{"name": c["name"], "file": c["file"], "signature": c["signature"], "pyfuncs": c["pyfuncs"]}
               for c in cases]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    try:
        done = subprocess.run([sys.executable, "-m", "benchmarks.run", "--verify-run", json.dumps(request)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"the run did not finish within {timeout:.0f} s", "sites": []}
    for line in reversed(done.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"error": f"the run failed: {done.stderr.strip()[-300:]}", "sites": []}


def _verify_run_child(request: list[dict]) -> dict:
    """In the `--verify-run` process: convert the files one after another, as the CLI does with --jobs 1."""
    from transpiler.batch import convert_file

    options = dict(examples=50, seed=0, verify=True, verify_timeout=120.0)
    sites, started = [], time.perf_counter()
    for case in request:
        outcome = convert_file(case["file"], case["signature"], options)
        for site in outcome.result.sites:
            verify_s = (site.timings or {}).get("verify_s")
            if verify_s is None:
                continue
            sites.append({"case": case["name"], "function": site.function, "status": site.status,
                          "wanted": site.function.rsplit(".", 1)[-1] in case["pyfuncs"], "verify_s": verify_s})
    wall = time.perf_counter() - started
    return {"wall_s": wall, "verify_wall_s": sum(s["verify_s"] for s in sites), "sites": sites, "error": None}


def attach_verify_run(rows: list[dict], run: dict) -> None:
    """Each row gets the verify times of its wanted sites in the run over all cases (row["verify_run"])."""
    for row in rows:
        row["verify_run"] = [s["verify_s"] for s in run.get("sites", [])
                             if s["case"] == row["name"] and s["wanted"] and s["status"] == "converted"]


def cold_verify_s(row: dict) -> float | None:
    """The case's own one-file CLI run: the verify time of its first verified site (the one that waits for the
    verification worker's start), whether or not that site is one the case wants."""
    sites = [s for s in row["conversion"]["sites"] if s.get("verify_s") is not None]
    return sites[0]["verify_s"] if sites else None


def time_case(case: dict, files: dict, args, work: Path) -> dict:
    request = {"case": {**case, "inputs": fixed_shapes(case)}, "files": files, "rounds": args.rounds,
               "min_s": args.min_s, "elements": args.elements}
    path = work / "request.json"
    path.write_text(json.dumps(request))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    try:
        done = subprocess.run([sys.executable, "-m", "benchmarks.worker", str(path)], cwd=work, env=env,
                              capture_output=True, text=True, timeout=args.case_timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timing did not finish within {args.case_timeout} s"}
    for line in reversed(done.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"error": f"the worker failed: {done.stderr.strip()[-300:]}"}


def run_case(case: dict, args, work: Path) -> dict:
    row = {"name": case["name"]}
    conv = convert_case(case, work, args.tool_timeout)
    row["conversion"] = conv
    files = {"original": conv["orig"], "reference": case.get("ref")}
    if conv["converted"] and not conv["error"]:
        files["converted"] = conv["conv"]
    row["timing"] = time_case(case, files, args, work)
    return row


# -- output ------------------------------------------------------------------------------------------------------

def _us(seconds) -> str:
    return "–" if seconds is None else f"{seconds * 1e6:,.0f}"


def _ratio(a, b) -> float | None:
    return a / b if a is not None and b else None


def _x(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def _k(value) -> str:
    return "–" if value is None else f"{value / 1000:,.1f}k"


def summarize(rows: list[dict], run: dict | None = None) -> dict:
    """`run`: verify_run()'s result, whose sites the rows' "verify_run" lists come from."""
    conv_ref, data_ratio, xla_ref, call_speedup, verify, transpile = [], [], [], [], [], []
    cold = []
    data_ref_ratio = []
    for row in rows:
        t = row.get("timing", {})
        call, data, xla = t.get("call_s", {}), t.get("data_eps", {}), t.get("xla_s", {})
        conv_ref.append(_ratio(call.get("converted"), call.get("reference")))
        data_ratio.append(_ratio(data.get("converted"), data.get("original")))
        if call.get("converted"):   # the same cases as the converted ratio
            data_ref_ratio.append(_ratio(data.get("reference"), data.get("original")))
        xla_ref.append(_ratio(xla.get("converted"), xla.get("reference")))
        call_speedup.append(_ratio(call.get("original"), call.get("converted")))
        wanted = [s for s in row["conversion"]["sites"] if s["wanted"] and s["status"] == "converted"]
        for site in wanted:
            transpile.append(site["transpile_s"])
        if wanted:
            cold.append(cold_verify_s(row))
            verify += row.get("verify_run") or []
    verify = [v for v in verify if v is not None]
    run_sites = (run or {}).get("sites") or []
    return {
        "converted_vs_reference_time": geomean(conv_ref),
        "tfdata_throughput_converted_vs_original": geomean(data_ratio),
        "tfdata_throughput_reference_vs_original": geomean(data_ref_ratio),
        "xla_converted_vs_reference_time": geomean(xla_ref),
        "call_speedup_vs_original": geomean(call_speedup),
        # verification in one run over all cases (one worker): per converted site, and the run's total
        # verification wall time over every site it verified
        "verify_s_per_site_geomean": geomean(verify),
        "verify_s_per_site_mean": sum(verify) / len(verify) if verify else None,
        "verify_s_per_site_max": max(verify) if verify else None,
        "verify_run_total_s": run.get("verify_wall_s") if run_sites else None,
        "verify_run_sites": len(run_sites),
        "verify_run_s_per_site": run["verify_wall_s"] / len(run_sites) if run_sites else None,
        # verification cold: the first site of a one-file CLI run (the worker's start, TF import, included)
        "verify_cold_s_geomean": geomean(cold),
        "verify_cold_s_max": max((c for c in cold if c is not None), default=None),
        "transpile_s_per_site_geomean": geomean(transpile),
        "cases_timed": sum(1 for r in conv_ref if r is not None),
        "sites_converted": len(transpile),
    }


def render_markdown(rows: list[dict], summary: dict, meta: dict) -> str:
    lines = [f"# Benchmark: {meta['label']}", "",
             f"{meta['date']} on {meta['machine']}; TensorFlow {meta['tensorflow']}; {meta['rounds']} rounds "
             f"(medians), tf.data {meta['elements']} elements per measurement after 4 batches of warm-up. Conditions: {meta['conditions']}", "",
             "Times are per call, in microseconds, of the case's entry function inside `tf.function` "
             "(*call*) and with `jit_compile=True` (*XLA*); *tf.data* is elements per second through "
             "`map(num_parallel_calls=AUTOTUNE).batch(64)`. orig = the py_function original, conv = the "
             "converted code, ref = the hand-written native version. *conv/ref* is a time ratio (lower is "
             "better, 1.00 = as fast as by hand); *data ×orig* is the converted pipeline's throughput over the "
             "original's; an XLA cell says *blocked* (with the op XLA names) or *wrong under XLA* (jit_compile=True "
             "returns something else than the same function without it: not timed). Transpile is seconds per "
             "converted site. " + VERIFY_COLUMNS, "",
             "| case | input | call orig | call conv | call ref | conv/ref | XLA conv | XLA ref | "
             "tf.data orig | tf.data conv | tf.data ref | data ×orig | transpile s | verify s cold | "
             "verify s in run |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        t, conv = row.get("timing", {}), row["conversion"]
        call, xla, data = t.get("call_s", {}), t.get("xla_s", {}), t.get("data_eps", {})
        sites = [s for s in conv["sites"] if s["wanted"] and s["status"] == "converted"]
        shapes = " ".join("×".join(map(str, s)) or "scalar" for s in t.get("input_shapes", []))
        if t.get("error") and not call:
            first = (t["error"].strip().splitlines() or ["?"])[0]
            lines.append(f"| {row['name']} | timing failed: {first[:200].replace('|', '/')} |" + " |" * 13)
            continue
        if not conv["converted"]:
            codes = sorted({c for s in conv["sites"] if s["wanted"] for c in s["codes"]})
            why = conv["error"] or ("refused: " + ", ".join(codes) if codes else "not converted")
            lines.append(f"| {row['name']} | {shapes} | {_us(call.get('original'))} | ({why}) | "
                         f"{_us(call.get('reference'))} | – | – | {_us(xla.get('reference'))} | "
                         f"{_k(data.get('original'))} | – | {_k(data.get('reference'))} | – | – | – | – |")
            continue
        if xla.get("converted"):
            xla_conv = _us(xla.get("converted"))
        elif t.get("xla_wrong", {}).get("converted"):
            xla_conv = f"wrong under XLA: {t['xla_wrong']['converted']}"
        else:
            xla_conv = f"blocked: {t.get('xla_blocked', {}).get('converted', '?')}"
        transpile = sum(s["transpile_s"] or 0 for s in sites) / len(sites)
        lines.append(
            f"| {row['name']} | {shapes} | {_us(call.get('original'))} | {_us(call.get('converted'))} | "
            f"{_us(call.get('reference'))} | {_x(_ratio(call.get('converted'), call.get('reference')))} | "
            f"{xla_conv} | {_us(xla.get('reference'))} | {_k(data.get('original'))} | "
            f"{_k(data.get('converted'))} | {_k(data.get('reference'))} | "
            f"{_x(_ratio(data.get('converted'), data.get('original')))} | {transpile:.2f} | "
            f"{_x(cold_verify_s(row))} | {_x(_mean(row.get('verify_run')))} |")
        if t.get("error"):
            first = (t["error"].strip().splitlines() or ["?"])[0]
            lines.append(f"| {row['name']} | timing failed: {first[:200].replace('|', '/')} |" + " |" * 13)
    s = summary
    blocked = [r["timing"]["xla_blocked"]["original"] for r in rows
               if "original" in r.get("timing", {}).get("xla_blocked", {})]
    by_pyfunc = sum("PyFunc" in b for b in blocked)
    lines += ["", "Geometric means over the cases timed "
              f"({s['cases_timed']} cases, {s['sites_converted']} converted sites):", "",
              f"- converted vs hand-written, time per call: **×{_x(s['converted_vs_reference_time'])}** "
              "(target ≤ 1.10)",
              f"- tf.data throughput, converted vs py_function original: "
              f"**×{_x(s['tfdata_throughput_converted_vs_original'])}** (target ≥ 4); the hand-written versions "
              f"reach ×{_x(s['tfdata_throughput_reference_vs_original'])} on the same cases",
              *verify_summary_lines(s, meta),
              f"- call time, converted vs py_function original: ×{_x(s['call_speedup_vs_original'])} faster",
              f"- XLA, converted vs hand-written: ×{_x(s['xla_converted_vs_reference_time'])}",
              f"- transpile per site (without verification): {_x(s['transpile_s_per_site_geomean'])} s",
              "", f"XLA never compiles the py_function originals: {by_pyfunc} of {len(blocked)} are blocked by "
                  f"their PyFunc/EagerPyFunc op, the others by their string inputs (XLA has no string type)."]
    return "\n".join(lines) + "\n"


VERIFY_COLUMNS = (
    "Verification runs at the default 50 examples and is timed two ways. *verify s cold*: the case's own "
    "one-file `pyfunc2tf convert` run, its first verified site, which waits for the verification worker to "
    "start (Python and the TensorFlow import, overlapped only with the transpiling). *verify s in run*: one "
    "process converting every case's file in turn, as `pyfunc2tf convert DIR` does, one verification "
    "worker for all of them (TensorFlow imported once, each site checked in a process forked from the "
    "worker); the mean of the case's converted sites there. Before the worker, each site paid a fresh "
    "process and TensorFlow import, as the cold figure still does.")


def _mean(values) -> float | None:
    values = [v for v in values or [] if v is not None]
    return sum(values) / len(values) if values else None


def verify_summary_lines(s: dict, meta: dict) -> list[str]:
    return [
        f"- verification per site in a run over all cases: **{_x(s['verify_s_per_site_geomean'])} s** geometric "
        f"mean over the converted sites, {_x(s['verify_s_per_site_mean'])} s mean, {_x(s['verify_s_per_site_max'])} "
        f"s max (target ≤ 3 s); the run's total verification time over all {s.get('verify_run_sites', 0)} sites "
        f"it verified: {_x(s.get('verify_run_s_per_site'))} s per site",
        f"- verification cold (one file, its first site, the worker's start included): "
        f"{_x(s.get('verify_cold_s_geomean'))} s geometric mean, {_x(s.get('verify_cold_s_max'))} s max; "
        f"starting Python and importing TensorFlow alone takes {_x(meta.get('tf_import_s'))} s",
    ]


def render_verify_markdown(rows: list[dict], summary: dict, meta: dict) -> str:
    """The table of `--only-verify`: per case, the cold and the in-run verification times."""
    lines = [f"# Verification time: {meta['label']}", "",
             f"{meta['date']} on {meta['machine']}; TensorFlow {meta['tensorflow']}. Conditions: "
             f"{meta['conditions']}", "", VERIFY_COLUMNS + " Written by `python -m benchmarks.run --only-verify`.",
             "", "| case | converted sites | verify s cold | verify s in run (per site) |", "|---|---:|---:|---|"]
    for row in rows:
        conv = row["conversion"]
        sites = [s for s in conv["sites"] if s["wanted"] and s["status"] == "converted"]
        if not sites:
            codes = sorted({c for s in conv["sites"] if s["wanted"] for c in s["codes"]})
            why = conv.get("error") or ("refused: " + ", ".join(codes) if codes else "not converted")
            lines.append(f"| {row['name']} | 0 ({why}) | {_x(cold_verify_s(row))} | – |")
            continue
        run = ", ".join(f"{v:.2f}" for v in row.get("verify_run") or []) or "–"
        lines.append(f"| {row['name']} | {len(sites)} | {_x(cold_verify_s(row))} | {run} |")
    lines += ["", f"Over {len(rows)} cases:", ""] + verify_summary_lines(summary, meta)
    return "\n".join(lines) + "\n"


def plot(rows: list[dict], path: Path, label: str) -> str:
    timed = [r for r in rows if r.get("timing", {}).get("call_s", {}).get("converted")]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return _plot_fallback(timed, path)
    names = [r["name"] for r in timed]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(max(8, len(names) * 0.6), 9), constrained_layout=True)
    width = 0.27
    for i, v in enumerate(VARIANTS):
        calls = [(r["timing"]["call_s"].get(v) or 0) * 1e6 for r in timed]
        data = [(r["timing"]["data_eps"].get(v) or 0) for r in timed]
        xs = [k + (i - 1) * width for k in range(len(names))]
        ax1.bar(xs, calls, width, label=v)
        ax2.bar(xs, data, width, label=v)
    for ax, title in ((ax1, "time per call inside tf.function (µs, log)"),
                      (ax2, "tf.data map(AUTOTUNE) throughput (elements/s, log)")):
        ax.set_yscale("log")
        ax.set_title(f"{title}, {label}")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=45, ha="right", fontsize=8)
        ax.legend(fontsize=8)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return "matplotlib"


def _plot_fallback(timed: list[dict], path: Path) -> str:
    """A bar chart of log(call time) per case, as a PNG written with zlib alone (matplotlib is missing)."""
    import struct
    import zlib
    colors = {"original": (214, 39, 40), "converted": (31, 119, 180), "reference": (44, 160, 44)}
    bar, gap, height = 6, 6, 200
    width = max(1, len(timed)) * (3 * bar + gap) + gap
    pixels = [[(255, 255, 255)] * width for _ in range(height)]
    values = [(r["timing"]["call_s"].get(v) or 0) for r in timed for v in VARIANTS]
    lo = min((math.log10(v) for v in values if v > 0), default=-6) - 0.5
    hi = max((math.log10(v) for v in values if v > 0), default=0)
    for k, row in enumerate(timed):
        for i, v in enumerate(VARIANTS):
            seconds = row["timing"]["call_s"].get(v) or 0
            h = 0 if seconds <= 0 else int((math.log10(seconds) - lo) / (hi - lo) * (height - 1))
            x0 = gap + k * (3 * bar + gap) + i * bar
            for y in range(height - h, height):
                for x in range(x0, x0 + bar):
                    pixels[y][x] = colors[v]
    raw = b"".join(b"\x00" + bytes(c for p in line for c in p) for line in pixels)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    path.write_bytes(png)
    return "fallback"


def _tf_import_s() -> float:
    """Wall time of `python -c "import tensorflow"`: the floor under any check that runs in a fresh process."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import tensorflow"], capture_output=True,
                   env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="", help="comma-separated case names")
    ap.add_argument("--rounds", type=int, default=5, help="measurement rounds (medians are reported)")
    ap.add_argument("--min-s", type=float, default=0.05, help="shortest batch of calls timed")
    ap.add_argument("--elements", type=int, default=2048, help="elements timed per tf.data measurement")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--label", default=None, help="name of the result files (default: cpu, or verify with "
                                                  "--only-verify)")
    ap.add_argument("--conditions", default="shared 2-core machine; other processes were running")
    ap.add_argument("--tool-timeout", type=float, default=600)
    ap.add_argument("--case-timeout", type=float, default=600)
    ap.add_argument("--render", metavar="LABEL.json", help="only write LABEL.md and LABEL.png again from the "
                                                           "numbers of an earlier run")
    ap.add_argument("--only-verify", action="store_true", help="time the verification alone: each case's "
                    "one-file conversion (cold) and one run over all cases; no call, tf.data or XLA timing")
    ap.add_argument("--verify-run", metavar="JSON", help=argparse.SUPPRESS)   # the child of verify_run()
    args = ap.parse_args(argv)
    if args.verify_run:
        print(json.dumps(_verify_run_child(json.loads(args.verify_run))), flush=True)
        return 0
    args.label = args.label or ("verify" if args.only_verify else "cpu")
    if args.render:
        saved = json.loads(Path(args.render).read_text())
        target = Path(args.render).with_suffix("")
        summary = summarize(saved["rows"], saved.get("verify_run"))
        if saved["meta"].get("only_verify"):
            target.with_suffix(".md").write_text(render_verify_markdown(saved["rows"], summary, saved["meta"]))
        else:
            target.with_suffix(".md").write_text(render_markdown(saved["rows"], summary, saved["meta"]))
            plot(saved["rows"], target.with_suffix(".png"), saved["meta"]["label"])
        Path(args.render).write_text(json.dumps({**saved, "summary": summary}, indent=1, default=str) + "\n")
        return 0

    cases = all_cases()
    if args.only:
        keep = set(args.only.split(","))
        cases = [c for c in cases if c["name"] in keep]
    if not cases:
        print("no case selected", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="pyfunc2tf-bench-") as tmp:
        for i, case in enumerate(cases, 1):
            t0 = time.perf_counter()
            if args.only_verify:
                row = {"name": case["name"], "conversion": convert_case(case, Path(tmp) / f"case{i}",
                                                                        args.tool_timeout)}
                print(f"[{i}/{len(cases)}] {case['name']}: converted={row['conversion']['converted']} "
                      f"verify cold={_x(cold_verify_s(row))} s ({time.perf_counter() - t0:.0f} s)", flush=True)
                rows.append(row)
                continue
            row = run_case(case, args, Path(tmp) / f"case{i}")
            rows.append(row)
            t = row.get("timing", {})
            print(f"[{i}/{len(cases)}] {case['name']}: converted={row['conversion']['converted']} "
                  f"call={ {k: _us(v) for k, v in t.get('call_s', {}).items()} } "
                  f"data={ {k: _k(v) for k, v in t.get('data_eps', {}).items()} } "
                  f"{t.get('error', '')} ({time.perf_counter() - t0:.0f} s)", flush=True)
    t0 = time.perf_counter()
    run = verify_run(cases, args.tool_timeout * len(cases))
    attach_verify_run(rows, run)
    print(f"run over all cases: {len(run['sites'])} sites verified, {run.get('verify_wall_s', 0):.1f} s of "
          f"verification ({time.perf_counter() - t0:.0f} s) {run.get('error') or ''}", flush=True)
    import tensorflow as tf   # for the version only, after the timings
    tf_import = sorted(_tf_import_s() for _ in range(3))[1]
    meta = {"tf_import_s": tf_import, "label": args.label, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores", "tensorflow": tf.__version__,
            "rounds": args.rounds, "elements": args.elements, "conditions": args.conditions,
            "only_verify": args.only_verify}
    summary = summarize(rows, run)
    (out / f"{args.label}.json").write_text(json.dumps({"meta": meta, "summary": summary, "rows": rows,
                                                        "verify_run": run}, indent=1, default=str) + "\n")
    if args.only_verify:
        text = render_verify_markdown(rows, summary, meta)
        (out / f"{args.label}.md").write_text(text)
        print(text.split(f"Over {len(rows)} cases:")[1])
        print(f"wrote {out / args.label}.md, .json")
        return 0
    (out / f"{args.label}.md").write_text(render_markdown(rows, summary, meta))
    how = plot(rows, out / f"{args.label}.png", args.label)
    print(render_markdown(rows, summary, meta).split("Geometric means")[1])
    print(f"wrote {out / args.label}.md, .json, .png ({how})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
