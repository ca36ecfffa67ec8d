"""Notebooks: cells rewritten in place with nbformat, outputs kept, a site resolved across cells, IPython
lines left as they were."""
import hashlib

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from typer.testing import CliRunner

from cli import app
from transpiler.notebooks import read_notebook

runner = CliRunner()


def make_notebook(path):
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Scaling\nThe function is defined below, the pipeline later."),
        new_code_cell("%matplotlib inline\nimport numpy as np\nimport tensorflow as tf"),
        new_code_cell("def _scale(x):\n    return (x * 2.0 + 1.0).astype(np.float32)",
                      outputs=[new_output("stream", name="stdout", text="defined\n")], execution_count=2),
        new_code_cell("%%bash\necho not python (\n"),
        new_code_cell("!pip list | head -1\nfiles = !ls\n"
                      "def run(x):\n    return tf.numpy_function(_scale, [x], tf.float32)\nrun?",
                      outputs=[new_output("execute_result", data={"text/plain": "42"}, execution_count=3)],
                      execution_count=3),
    ]
    nbformat.write(nb, str(path))
    return nb


def test_a_site_in_a_later_cell_is_converted_and_the_def_cell_gets_the_replacement(tmp_path):
    path = tmp_path / "demo.ipynb"
    original = make_notebook(path)
    result = runner.invoke(app, ["convert", str(path), "--write", "--jobs", "1", "--examples", "5",
                                 "--signature", "_scale=float32[None]"])
    assert result.exit_code == 0, result.output
    assert f"{path}#cell5:4: _scale  converted -> _scale_tf" in result.stdout
    nb = nbformat.read(str(path), as_version=4)
    assert [c.cell_type for c in nb.cells] == [c.cell_type for c in original.cells]
    define, call = nb.cells[2].source, nb.cells[4].source
    assert define.startswith(original.cells[2].source) and "def _scale_tf(x):" in define
    assert not define.endswith("\n")
    assert call == original.cells[4].source.replace("tf.numpy_function(_scale, [x], tf.float32)", "_scale_tf(x)")
    assert "!pip list | head -1\nfiles = !ls\n" in call and call.endswith("run?")
    for i in (0, 1, 3):
        assert nb.cells[i].source == original.cells[i].source
    assert nb.cells[2].outputs == original.cells[2].outputs and nb.cells[4].outputs == original.cells[4].outputs
    assert nb.cells[4].execution_count == 3

    converted = path.read_bytes()
    again = runner.invoke(app, ["convert", str(path), "--write", "--no-verify", "--jobs", "1",
                                "--signature", "_scale=float32[None]"])
    assert again.exit_code == 0 and path.read_bytes() == converted


def test_check_points_at_the_cell_and_a_notebook_without_conversion_is_not_written(tmp_path):
    path = tmp_path / "demo.ipynb"
    make_notebook(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    text = runner.invoke(app, ["check", str(tmp_path), "--no-verify", "--jobs", "1",
                               "--signature", "_scale=float32[None]"])
    assert text.exit_code == 1 and text.stdout.startswith(f"{path}#cell5:4:12: P601")
    github = runner.invoke(app, ["check", str(path), "--format", "github", "--no-verify", "--jobs", "1",
                                 "--signature", "_scale=float32[None]"])
    assert github.stdout.startswith(f"::warning file={path},line=4,col=12,title=pyfunc2tf P601::cell 5, ")
    refused = runner.invoke(app, ["convert", str(path), "--write", "--no-verify", "--jobs", "1",
                                  "--signature", "_scale=string[]"])
    assert refused.exit_code == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_joined_cells_keep_line_numbers_and_mask_ipython_lines(tmp_path):
    path = tmp_path / "demo.ipynb"
    make_notebook(path)
    source = read_notebook(path)
    lines = source.text.split("\n")
    assert lines[0].startswith("pass  # pyfunc2tf:ipython-line")         # %matplotlib inline
    span = [s for s in source.cells if s.index == 4][0]
    assert lines[span.first_line - 1 + 3] == "    return tf.numpy_function(_scale, [x], tf.float32)"
    assert source.locate(span.first_line + 3) == (5, 4)
    assert [s.blanked for s in source.cells] == [False, False, True, False]   # the %%bash cell


def test_an_invalid_notebook_is_a_diagnostic(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [ tf.py_function')
    result = runner.invoke(app, ["convert", str(tmp_path), "--jobs", "1"])
    assert result.exit_code == 1 and "P509" in result.stdout


def test_diff_is_per_cell_and_names_the_cell(tmp_path):
    path = tmp_path / "demo.ipynb"
    original = make_notebook(path)
    before = path.read_bytes()
    result = runner.invoke(app, ["convert", str(path), "--diff", "--no-verify", "--jobs", "1",
                                 "--signature", "_scale=float32[None]"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    # cells 3 (the def gets its replacement) and 5 (the call), numbered as Jupyter numbers them
    assert f"--- a/{path}#cell3\n+++ b/{path}#cell3\n" in out and f"--- a/{path}#cell5\n+++ b/{path}#cell5\n" in out
    assert out.index("#cell3") < out.index("#cell5") and "#cell2" not in out and "#cell4" not in out
    assert "-    return tf.numpy_function(_scale, [x], tf.float32)\n+    return _scale_tf(x)\n" in out
    assert "+def _scale_tf(x):\n" in out
    assert '"cell_type"' not in out and "outputs" not in out           # cell sources, not the JSON
    # the diff applies to the cell's source: its - and context lines are the original cell's lines
    cell5 = out[out.index(f"+++ b/{path}#cell5"):]
    kept = [line[1:] for line in cell5.splitlines()[2:] if line[:1] in (" ", "-")]
    assert all(line in original.cells[4].source.split("\n") for line in kept)
    assert path.read_bytes() == before
