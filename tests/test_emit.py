"""The emitted replacement: one graph when called eagerly, its ops inlined into a caller's graph (tf.data,
tf.function), and the input_signature's dtype and shape checks on both paths."""
import numpy as np
import pytest
import tensorflow as tf

from transpiler import convert


def frames(x):
    return np.stack([x[i:i + 4] * 0.5 for i in range(0, len(x) - 3, 2)])


def native_frames():
    """The generated def (convert() returns its tf.function, `.graph`)."""
    return convert(frames, signature="float32[None]", verify=False).python_function


CALL_OPS = {"PartitionedCall", "StatefulPartitionedCall"}


def _ops(graph) -> list[str]:
    return [op.type for op in graph.get_operations()]


def test_eager_calls_run_the_tf_function_with_the_input_signature():
    native = native_frames()
    assert isinstance(native.graph, tf.types.experimental.PolymorphicFunction)
    assert native.graph.input_signature == (tf.TensorSpec([None], tf.float32),)
    x = np.arange(10, dtype=np.float32)
    np.testing.assert_array_equal(native(x).numpy(), frames(x))
    native(np.arange(12, dtype=np.float32))
    assert native.graph.experimental_get_tracing_count() == 1   # one trace for every length


def test_a_caller_being_traced_gets_the_ops_not_a_function_call():
    native = native_frames()
    caller = tf.function(lambda x: native(x) + 1.0, input_signature=[tf.TensorSpec([None], tf.float32)])
    ops = _ops(caller.get_concrete_function().graph)
    assert not CALL_OPS & set(ops), ops
    assert "GatherV2" in ops or "GatherNd" in ops
    x = np.arange(9, dtype=np.float32)
    np.testing.assert_array_equal(caller(x).numpy(), frames(x) + 1.0)


def test_inside_tf_data_map_the_result_is_the_original():
    native = native_frames()
    data = np.random.default_rng(0).normal(size=(5, 11)).astype(np.float32)
    got = list(tf.data.Dataset.from_tensor_slices(data).map(native, num_parallel_calls=tf.data.AUTOTUNE))
    for row, out in zip(data, got):
        np.testing.assert_array_equal(out.numpy(), frames(row))


@pytest.mark.parametrize("bad", [np.arange(8, dtype=np.float64), np.zeros((2, 8), np.float32)])
def test_an_argument_outside_the_signature_raises_on_both_paths(bad):
    native = native_frames()
    with pytest.raises((TypeError, ValueError)):
        native(tf.constant(bad))
    spec = tf.TensorSpec(bad.shape, tf.as_dtype(bad.dtype))
    with pytest.raises((TypeError, ValueError)):
        tf.function(lambda x: native(x), input_signature=[spec]).get_concrete_function()


def test_a_python_list_is_converted_as_the_signature_says():
    native = native_frames()
    values = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    expected = frames(np.array(values, np.float32))
    np.testing.assert_array_equal(native(values).numpy(), expected)
    caller = tf.function(lambda: native(values))
    got = caller()
    assert got.dtype == tf.float32
    np.testing.assert_array_equal(got.numpy(), expected)


def test_under_run_functions_eagerly_the_body_runs_eagerly():
    native = native_frames()
    x = np.arange(10, dtype=np.float32)
    tf.config.run_functions_eagerly(True)
    try:
        np.testing.assert_array_equal(native(x).numpy(), frames(x))
        np.testing.assert_array_equal(native.graph(x).numpy(), frames(x))
        with pytest.raises((TypeError, ValueError)):
            native(tf.constant(x, tf.float64))
    finally:
        tf.config.run_functions_eagerly(False)


def test_the_api_returns_the_tf_function_which_a_savedmodel_tracks(tmp_path):
    native = convert(frames, signature="float32[None]", verify=False)
    assert native.python_function.graph is native and "def frames_tf" in native.source
    module = tf.Module()
    module.f = native
    tf.saved_model.save(module, str(tmp_path / "sm"))
    x = np.arange(10, dtype=np.float32)
    np.testing.assert_array_equal(tf.saved_model.load(str(tmp_path / "sm")).f(x).numpy(), frames(x))
