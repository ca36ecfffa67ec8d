"""Comprehensions whose items are elementwise functions of one window or row are computed for all items at
once (transpiler/lower/vectorize.py); each is compared with NumPy, including the edge cases where Python's
slice clamping or an index past the end decides the result, and the ones that must stay loops."""
import numpy as np
import pytest
import tensorflow as tf

from conversion_checks import F32, same


def _is_vectorized(native) -> bool:
    return "tf.while_loop" not in native.source and "tf.gather" in native.source


def test_strided_windows_times_a_window_function():
    def frames(wave):
        window = np.hanning(4).astype(np.float32)
        return np.stack([wave[i:i + 4] * window for i in range(0, len(wave) - 4 + 1, 2)])
    native = same(frames, "float32[None]", F32(*range(4)), F32(*range(9)), F32(*range(10)))
    assert _is_vectorized(native)
    with pytest.raises(tf.errors.InvalidArgumentError):   # NumPy: need at least one array to stack
        native(F32(1, 2))


def test_windows_cut_short_at_the_end_follow_python_slices():
    def f(x):
        return np.array([x[i + 1:i + 4] for i in range(0, len(x), 3)])
    # one item cut short alone is what NumPy returns; items of different lengths make NumPy raise
    native = same(f, "float32[None]", F32(1), F32(1, 2), F32(1, 2, 3))   # shapes (1, 0), (1, 1), (1, 2)
    assert _is_vectorized(native)
    with pytest.raises(ValueError):
        f(F32(*range(5)))
    with pytest.raises(tf.errors.InvalidArgumentError):
        native(F32(*range(5)))


def test_rows_at_an_offset_and_an_index_past_the_end():
    def diffs(x):
        return np.array([(x[i + 1] - x[i]) / 2 for i in range(len(x) - 1)])
    native = same(diffs, "float64[None,2]", np.arange(10.0).reshape(5, 2), np.ones((2, 2)))
    assert _is_vectorized(native)

    def past_end(x, n):
        return np.array([x[i + 1] for i in range(n)])
    native = same(past_end, "float32[None], int64[]", (F32(1, 2, 3), np.int64(2)), (F32(1, 2, 3), np.int64(1)))
    with pytest.raises(IndexError):
        past_end(F32(1, 2, 3), 3)
    with pytest.raises(tf.errors.InvalidArgumentError):
        native(F32(1, 2, 3), np.int64(3))


def test_rows_of_an_array_through_ufuncs_comparisons_and_astype():
    def f(x):
        return np.array([(np.exp(-np.abs(r)) > 0.5).astype(np.int32) * 3 for r in x])
    native = same(f, "float32[None,3]", np.array([[0, 1, -0.1], [2, 0.2, 0]], np.float32))
    assert "tf.while_loop" not in native.source


def test_an_operand_with_more_dimensions_than_the_items_stays_a_loop():
    def outer(x):
        m = np.ones((2, 3), np.float32)
        return np.stack([x[i] * m for i in range(len(x))])    # each item is 2x3: not a broadcast of x
    native = same(outer, "float32[None]", F32(1, 2, 3), F32(4))
    assert "tf.while_loop" in native.source


def test_a_reduction_of_the_item_stays_a_loop():
    def f(x):
        return np.array([x[i:i + 2].sum() for i in range(0, len(x) - 1)])
    native = same(f, "float32[None]", F32(1, 2, 3), F32(4, 5))
    assert "tf.while_loop" in native.source


def test_a_negative_start_wraps_and_stays_a_loop():
    def f(x):
        return np.array([x[i] * 2 for i in range(-1, len(x) - 1)])
    native = same(f, "float32[None]", F32(1, 2, 3))
    assert "tf.while_loop" in native.source
