"""`pyfunc2tf scan` on real SavedModels and GraphDefs, with and without a py_function."""
import numpy as np
import pytest
import tensorflow as tf
from typer.testing import CliRunner

from cli import app
from transpiler.scan import scan_path

runner = CliRunner()


def _double(x):
    return (x * 2).astype(np.float32)


class WithPyFunc(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def __call__(self, x):
        return tf.numpy_function(_double, [x], tf.float32) + tf.py_function(lambda v: v, [x], tf.float32)


class Native(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def __call__(self, x):
        return x * 2.0


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    tf.saved_model.save(WithPyFunc(), str(root / "with_pyfunc"))
    tf.saved_model.save(Native(), str(root / "native"))
    graph = WithPyFunc().__call__.get_concrete_function().graph.as_graph_def()
    (root / "graph.pb").write_bytes(graph.SerializeToString())
    (root / "graph.pbtxt").write_text(str(graph))
    return root


def test_saved_model_with_py_function_is_flagged(models):
    nodes = scan_path(models / "with_pyfunc")
    assert sorted(n.op for n in nodes) == ["EagerPyFunc", "PyFunc"]
    assert all(n.function.startswith("__inference") and n.token.startswith("pyfunc_") for n in nodes)
    result = runner.invoke(app, ["scan", str(models / "with_pyfunc")])
    assert result.exit_code == 1
    assert "will not run in another process, in TF Serving, TFLite or on a Ray worker" in result.stdout
    assert "EagerPyFunc node" in result.stdout and "in function __inference" in result.stdout


def test_native_saved_model_is_clean(models):
    assert scan_path(models / "native") == []
    result = runner.invoke(app, ["scan", str(models / "native")])
    assert result.exit_code == 0 and "clean" in result.stdout


def test_graph_defs_binary_and_text(models):
    for name in ("graph.pb", "graph.pbtxt"):
        nodes = scan_path(models / name)
        assert sorted(n.op for n in nodes) == ["EagerPyFunc", "PyFunc"], name
        assert {n.function for n in nodes} == {"<graph>"}
    result = runner.invoke(app, ["scan", str(models / "graph.pb"), str(models / "native")])
    assert result.exit_code == 1 and "the top-level graph" in result.stdout


def test_what_is_not_a_model_is_a_usage_error(tmp_path):
    junk = tmp_path / "junk.pb"
    junk.write_bytes(b"\xff\xff\xff not a proto")
    assert runner.invoke(app, ["scan", str(junk)]).exit_code == 2
    assert runner.invoke(app, ["scan", str(tmp_path)]).exit_code == 2   # a directory without saved_model.pb
