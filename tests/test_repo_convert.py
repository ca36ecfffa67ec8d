"""`convert DIR --write` on a tree with every kind of bad input: each gets a diagnostic, the run goes on,
converted files keep their encoding, line endings and permissions, the others stay byte-identical, and a
second run changes nothing."""
import hashlib
import json
import os
import stat
import sys

from typer.testing import CliRunner

from cli import app
from sample_sites import SCALE_MODULE, SCALE_SIGNATURE

runner = CliRunner()

MODULE, SIG = SCALE_MODULE, SCALE_SIGNATURE


def hashes(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            path = os.path.join(dirpath, f)
            if os.path.isfile(path) and not os.path.islink(path):   # not the FIFO: reading it blocks
                out[os.path.relpath(path, root)] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return out


def build_tree(root):
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "plain.py").write_text(MODULE)
    (root / "pkg" / "crlf.py").write_bytes(MODULE.replace("\n", "\r\n").encode())
    (root / "pkg" / "bom.py").write_bytes(b"\xef\xbb\xbf" + MODULE.encode())
    latin = "# -*- coding: latin-1 -*-\nAUTHOR = 'M\u00fcller'\n" + MODULE
    (root / "pkg" / "latin.py").write_bytes(latin.encode("latin-1"))
    (root / "pkg" / "tabs.py").write_text(MODULE.replace("    ", "\t"))
    (root / "pkg" / "tool.py").write_text(MODULE)
    (root / "pkg" / "tool.py").chmod(0o751)
    (root / "pkg" / "broken.py").write_text(MODULE + "def f(:\n    pass\n")
    (root / "pkg" / "newer.py").write_text(MODULE + "type Vector = list[float]\n")   # Python 3.12 syntax
    (root / "pkg" / "mixed_tabs.py").write_text(MODULE + "def g():\n\tif 1:\n        return 1\n\treturn 2\n")
    (root / "pkg" / "undecodable.py").write_bytes(MODULE.encode() + b"name = '\xff'\n")
    (root / "pkg" / "fstring.py").write_text("x = 1\nprint(f'{x=}')\n")                # no site: never parsed
    (root / "pkg" / "not_python.py").write_text("this is not Python at all (\n")      # no site: never parsed
    (root / "pkg" / "skipped.py").write_text(MODULE.replace(
        "    return tf.numpy_function", "    # pyfunc2tf: skip\n    return tf.numpy_function"))
    os.mkfifo(root / "pkg" / "fifo.py")
    (root / "pkg" / ".venv").mkdir()
    (root / "pkg" / ".venv" / "lib.py").write_text(MODULE)


def test_a_tree_with_every_bad_input_is_converted_file_by_file(tmp_path):
    build_tree(tmp_path)
    before = hashes(tmp_path)
    report = tmp_path / "report.json"
    result = runner.invoke(app, ["convert", str(tmp_path / "pkg"), "--write", "--no-verify", "--jobs", "1",
                                 "--report", str(report), *SIG])
    assert result.exit_code == 1, result.output      # some files could not be handled
    out = result.stdout
    for name in ("broken.py", "newer.py", "mixed_tabs.py"):
        assert f"pkg/{name}:" in out and "P501" in out
    assert f"this is Python {sys.version_info[0]}.{sys.version_info[1]}" in out
    assert "undecodable.py" in out and "P503" in out
    assert "fifo.py" in out and "P508" in out
    assert "skipped.py:11: _scale  skipped" in out
    assert "files scanned" in out and "files with sites" in out

    after = hashes(tmp_path)
    converted = {"pkg/plain.py", "pkg/crlf.py", "pkg/bom.py", "pkg/latin.py", "pkg/tabs.py", "pkg/tool.py"}
    for rel in before:
        if rel in converted:
            assert after[rel] != before[rel], rel
        else:
            assert after[rel] == before[rel], rel     # byte-identical
    pkg = tmp_path / "pkg"
    assert b"_scale_tf(x)" in (pkg / "plain.py").read_bytes()
    crlf = (pkg / "crlf.py").read_bytes()
    assert b"_scale_tf(x)" in crlf and crlf.count(b"\n") == crlf.count(b"\r\n")
    assert (pkg / "bom.py").read_bytes().startswith(b"\xef\xbb\xbf")
    latin = (pkg / "latin.py").read_bytes()
    assert b"M\xfcller" in latin and b"_scale_tf(x)" in latin
    tabs = (pkg / "tabs.py").read_text()
    compile(tabs, "tabs.py", "exec")
    assert "\treturn _scale_tf(x)" in tabs
    assert stat.S_IMODE((pkg / "tool.py").stat().st_mode) == 0o751
    assert not [f for f in os.listdir(pkg) if f.endswith(".tmp")]

    data = json.loads(report.read_text())
    assert data["summary"]["files_scanned"] == 14          # the .venv is not walked
    assert data["summary"]["converted"] == 6 and data["summary"]["skipped"] == 1

    second = runner.invoke(app, ["convert", str(pkg), "--write", "--no-verify", "--jobs", "1", *SIG])
    assert hashes(tmp_path) == after, second.output
    assert "pyfunc2tf: wrote" not in second.stderr


def test_diff_prints_unified_diffs_and_writes_nothing(tmp_path):
    (tmp_path / "m.py").write_text(MODULE)
    (tmp_path / "other.py").write_text("x = 1\n")
    before = hashes(tmp_path)
    result = runner.invoke(app, ["convert", str(tmp_path), "--diff", "--no-verify", "--jobs", "1", *SIG])
    assert result.exit_code == 0
    assert f"--- a/{tmp_path / 'm.py'}" in result.stdout
    assert "-    return tf.numpy_function(_scale, [x], tf.float32)\n+    return _scale_tf(x)\n" in result.stdout
    assert hashes(tmp_path) == before


def test_a_symlink_to_a_file_outside_the_tree_is_not_written_through(tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text(MODULE)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link.py").symlink_to(outside)
    result = runner.invoke(app, ["convert", str(tree), "--write", "--no-verify", "--jobs", "1", *SIG])
    assert result.exit_code == 0       # a warning, not a failure
    assert "P507" in result.stdout and "outside the tree" in result.stdout
    assert outside.read_text() == MODULE


def test_worker_processes_give_the_same_result(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.py").write_text(MODULE)
    report = tmp_path / "report.json"
    result = runner.invoke(app, ["convert", str(tmp_path), "--write", "--no-verify", "--jobs", "2",
                                 "--report", str(report), *SIG])
    assert result.exit_code == 0, result.output
    assert all("_scale_tf(x)" in (tmp_path / f"{n}.py").read_text() for n in "abc")
    assert [s["file"] for s in json.loads(report.read_text())["sites"]] == [
        str(tmp_path / f"{n}.py") for n in "abc"]


def test_markdown_summary(tmp_path):
    (tmp_path / "m.py").write_text(MODULE)
    (tmp_path / "refused.py").write_text(MODULE.replace("_scale, [x]", "open, [x]"))
    md = tmp_path / "run.md"
    result = runner.invoke(app, ["convert", str(tmp_path), "--no-verify", "--jobs", "1", "--markdown", str(md),
                                 *SIG])
    assert result.exit_code == 1
    text = md.read_text()
    assert "| files scanned | 2 |" in text and "| converted | 1 |" in text and "| refused | 1 |" in text
    assert "## Refusals by reason" in text and "| P103 | 1 |" in text
    assert f"`{tmp_path / 'm.py'}:10` | `_scale` | converted | `_scale_tf`" in text


class _Stream:
    def __init__(self, tty):
        self.tty, self.text = tty, ""

    def isatty(self):
        return self.tty

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_rewrites_one_line_on_a_terminal_and_prints_plain_lines_otherwise():
    from transpiler.batch import Progress
    tty = Progress(2, stream=_Stream(True))
    tty.advance("a.py")
    tty.advance("b.py")
    assert tty.stream.text.count("\r\x1b[K") == 2 and "[2/2]" in tty.stream.text and tty.stream.text.endswith("\n")
    plain = Progress(3, every_s=0.0, stream=_Stream(False))
    for name in ("a.py", "b.py", "c.py"):
        plain.advance(name)
    assert plain.stream.text.splitlines()[-1].startswith("pyfunc2tf: 3/3 files with sites done")
    assert "\r" not in plain.stream.text
    quiet = Progress(3, every_s=3600, stream=_Stream(False))   # a short run prints nothing
    quiet.advance("a.py")
    assert quiet.stream.text == ""


METHOD_MODULE = """\
import numpy as np
import tensorflow as tf


class Scaler(tf.Module):
    def __init__(self, scale=1.0):
        super().__init__()
        self.scale = scale

    def _apply(self, x):
        return (x * self.scale).astype(np.float32)

    def __call__(self, x):
        return tf.numpy_function(self._apply, [x], tf.float32)


_SCALER = Scaler(scale=0.5)


def run(x):
    return _SCALER(x)
"""


def test_a_converted_methods_fallback_is_not_converted_again(tmp_path):
    module = tmp_path / "scaler.py"
    module.write_text(METHOD_MODULE)
    args = ["convert", str(tmp_path), "--write", "--no-verify", "--jobs", "1", "--signature", "_apply=float32[None]"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    converted = module.read_text()
    assert "self._apply_tf(x)" in converted and "tf.numpy_function(self._apply, [x], tf.float32)" in converted
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and module.read_text() == converted
    assert "0 sites" in second.stdout
