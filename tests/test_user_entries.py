"""User-registered op entries: a project's helper mapped to TF from pyproject.toml (ops-modules) and from Python,
used by the conversion and checked by the same verification against the real helper."""
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import opmap
from opmap import user_entries

PIPELINE = '''\
import numpy as np
import tensorflow as tf
from myproj.geometry import box_area


def _areas(boxes):
    return box_area(boxes) * np.float32(2.0)


def make(ds):
    return ds.map(lambda b: tf.numpy_function(_areas, [b], tf.float32))
'''

GEOMETRY = '''\
import numpy as np


def box_area(b):
    return (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
'''

TF_OPS = '''\
import opmap

opmap.register_user_op("myproj.geometry.box_area",
                       "({b}[..., 2] - {b}[..., 0]) * ({b}[..., 3] - {b}[..., 1])",
                       params=["b"], shape=lambda shapes: shapes[0][:-1])
'''


@pytest.fixture
def project(tmp_path):
    (tmp_path / "myproj").mkdir()
    (tmp_path / "myproj" / "__init__.py").write_text("")
    (tmp_path / "myproj" / "geometry.py").write_text(GEOMETRY)
    (tmp_path / "myproj" / "tf_ops.py").write_text(TF_OPS)
    (tmp_path / "pipeline.py").write_text(PIPELINE)
    return tmp_path


def _convert(project, *extra):
    env = {"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"}
    cmd = [sys.executable, "-m", "cli", "convert", "pipeline.py", "--signature", "_areas=float32[None,4]",
           "--examples", "20", "--report", "report.json", *extra]
    import pathlib
    root = pathlib.Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] += ":" + str(root)
    return subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=300)


def test_without_an_entry_the_helper_is_refused(project):
    r = _convert(project)
    report = json.loads((project / "report.json").read_text())
    site = report["sites"][0]
    assert site["status"] == "refused", r.stdout + r.stderr
    assert any("myproj.geometry.box_area" in d["message"] for d in site["reasons"])


def test_pyproject_ops_modules_entry_converts_and_verifies(project):
    (project / "pyproject.toml").write_text(textwrap.dedent('''\
        [project]
        name = "myproj"
        [tool.pyfunc2tf]
        ops-modules = ["myproj.tf_ops"]
        '''))
    r = _convert(project, "--write")
    report = json.loads((project / "report.json").read_text())
    site = report["sites"][0]
    assert site["status"] == "converted", r.stdout + r.stderr
    assert site["verification"]["status"] == "passed"
    src = site["generated_source"]
    assert "myproj" not in src and "box_area" not in src.split("def ")[1].split(":")[0]
    assert "_areas_tf" in (project / "pipeline.py").read_text()


def test_python_registration_is_used_by_convert(tmp_path, monkeypatch):
    (tmp_path / "helpers_mod.py").write_text(GEOMETRY)
    (tmp_path / "user_fn.py").write_text("import numpy as np\nfrom helpers_mod import box_area\n\n\n"
                                         "def f(b):\n    return box_area(b) + 1.0\n")
    import os
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    monkeypatch.chdir(tmp_path)
    import importlib
    mod = importlib.import_module("user_fn")
    from transpiler import convert
    opmap.register_user_op("helpers_mod.box_area", "({b}[..., 2] - {b}[..., 0]) * ({b}[..., 3] - {b}[..., 1])",
                           params=["b"], shape=lambda shapes: shapes[0][:-1], limits="boxes as x0, y0, x1, y1")
    try:
        row = next(r for r in opmap.table_rows() if r["name"] == "helpers_mod.box_area")
        assert row["status"] == "partial" and "user entry" in row["reason"]
        from opmap import docs
        assert "helpers_mod.box_area" not in docs.render()     # the tool's own table stays as shipped
        native = convert(mod.f, signature="float64[None,4]", examples=10, timeout=120)
        boxes = np.array([[0, 0, 2, 3], [1, 1, 1.5, 4]], np.float64)
        np.testing.assert_array_equal(native(boxes).numpy(), mod.f(boxes))
    finally:
        opmap.unregister_user_op("helpers_mod.box_area")
    assert "helpers_mod.box_area" not in opmap.REGISTRY


def test_registration_rejects_reserved_and_unknown_placeholders():
    with pytest.raises(ValueError):
        opmap.register_user_op("numpy.mean", "tf.reduce_mean({x})", params=["x"])
    with pytest.raises(ValueError):
        opmap.register_user_op("lib.f", "tf.abs({y})", params=["x"])
    with pytest.raises(ValueError):
        opmap.register_user_op("lib.f", "tf.abs({x})", params=["x"], replace=False) and \
            opmap.register_user_op("lib.f", "tf.abs({x})", params=["x"])
    opmap.unregister_user_op("lib.f")


def test_project_ops_modules_reads_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.pyfunc2tf]\nops-modules = ["a.b", "c"]\n')
    (tmp_path / "sub").mkdir()
    root, mods = user_entries.project_ops_modules(tmp_path / "sub")
    assert root == tmp_path and mods == ["a.b", "c"]
    (tmp_path / "pyproject.toml").write_text('[tool.pyfunc2tf]\nops-modules = "a.b"\n')
    with pytest.raises(ValueError):
        user_entries.project_ops_modules(tmp_path)
