"""Lists built at run time: `append` in run-time loops and comprehensions over run-time ranges or rows become a
TensorArray; each converted function is run against the original, and the refusals are checked."""
import numpy as np
import pytest
import tensorflow as tf

from conversion_checks import F32, refused, same
from transpiler import convert


def test_comprehension_over_a_run_time_range_stacks_frames():
    def frames(wave):
        window = np.hanning(4).astype(np.float32)
        # the item's max is not elementwise: a loop (an elementwise item is vectorized, test_vectorize.py)
        return np.stack([wave[i:i + 4] * window / wave[i:i + 4].max() for i in range(0, len(wave) - 4 + 1, 2)])
    native = same(frames, "float32[None]", F32(*range(1, 5)), F32(*range(1, 10)), F32(*range(1, 11)))
    assert "tf.TensorArray" in native.source
    with pytest.raises(ValueError):                       # NumPy: need at least one array to stack
        frames(F32(1, 2))
    with pytest.raises(tf.errors.InvalidArgumentError):   # and so does the conversion
        native(F32(1, 2))


def test_comprehension_with_a_filter_over_rows_and_stack_axis():
    def f(x):
        return np.stack([r * 2 for r in x if r.sum() > 0], axis=1)
    same(f, "float32[None,3]", np.array([[1, 2, 3], [-1, -1, 0], [0, 0, 1]], np.float32),
         np.array([[1, 0, 0]], np.float32))


def test_append_in_a_loop_over_rows_with_branches():
    def f(x):
        out = []
        for row in x:
            if row.max() > 1:
                out.append(row / row.max())
            else:
                out.append(row)
        return np.concatenate(out)
    same(f, "float32[None,2]", np.array([[1, 4], [0.5, 0.25], [3, 3]], np.float32))


def test_python_scalars_appended_take_numpys_defaults():
    def f(x):
        counts = []
        for i in range(x.shape[0]):
            counts.append(int((x[i] > 0).sum()))
        return np.array(counts)               # Python ints: int64, as np.array([1, 2]) gives
    native = same(f, "float32[None,None]", np.array([[1, -1, 2], [0, 0, 0]], np.float32))
    assert native(np.ones((3, 2), np.float32)).dtype == tf.int64


def test_append_in_a_while_loop_and_len():
    def f(x):
        parts = []
        k = 0
        while k < len(x):
            parts.append(x[k:k + 2].sum())
            k += 2
        return np.asarray(parts) / len(parts)
    same(f, "float64[None]", np.arange(5.0), np.arange(1.0))


def test_list_of_known_length_appends_are_unrolled():
    def f(x):
        out = []
        for k in range(3):
            out.append(x * k)
        return np.stack(out, axis=-1)
    same(f, "int32[None]", np.array([1, -2, 3], np.int32))


def test_refusals():
    def mixed(x):
        out = []
        for r in x:
            out.append(r)
            out.append(1.0)
        return np.array(out)
    refused(mixed, "float32[None]", "P225", "float32 and float64")

    def started(x):
        out = [x[0]]
        for r in x:
            out.append(r)
        return np.array(out)
    refused(started, "float32[None]", "P227", "empty before the loop")

    def summed(x):
        return sum([r for r in x])
    refused(summed, "float32[None]", "P227", "run-time length")

    def aliased(x):
        a = []
        b = a
        a.append(x)
        return np.stack(b)
    refused(aliased, "float32[None]", "P231", "another name")


def test_index_array_writes_keep_numpys_last_write_on_repeated_positions():
    def f(x, idx, v):
        y = x.copy()
        y[idx] = v            # repeated positions: the last write wins
        y[idx] += 1           # once per position, as NumPy's buffered += does
        y[idx] -= v * 2       # the last occurrence's value
        return y
    native = convert(f, signature="float32[None], int64[None], float32[None]", verify=False)
    x = np.zeros(5, np.float32)
    for idx, v in [([1, 1, 3, -1], [1, 2, 3, 4]), ([0, 0, 0], [5, 6, 7]), ([], []), ([4, 2], [1, 1])]:
        idx, v = np.array(idx, np.int64), np.array(v, np.float32)
        np.testing.assert_array_equal(native(x, idx, v).numpy(), f(x, idx, v))

    def rows(x, idx, r):
        y = x.copy()
        y[idx] = r            # whole rows through a repeated row index
        return y
    native = convert(rows, signature="int32[None,3], int64[None], int32[None,3]", verify=False)
    x = np.arange(12, dtype=np.int32).reshape(4, 3)
    idx, r = np.array([2, 0, 2]), -np.arange(9, dtype=np.int32).reshape(3, 3)
    np.testing.assert_array_equal(native(x, idx, r).numpy(), rows(x, idx, r))


def test_min_max_of_a_shape_with_run_time_dims():
    def f(x):
        return x * min(x.shape) - max((x.shape[0], 2))
    same(f, "float32[None,None]", np.ones((3, 5), np.float32), np.ones((1, 4), np.float32))


def test_index_arrays_are_broadcast_before_their_bounds_are_checked():
    def f(p, cols):
        return p[np.arange(len(cols) + 1), cols]   # (n+1,) with (n,): empty when cols is empty
    native = convert(f, signature="float32[None,None], int64[None]", verify=False)
    got = native(np.zeros((0, 2), np.float32), np.zeros(0, np.int64)).numpy()
    assert got.shape == f(np.zeros((0, 2), np.float32), np.zeros(0, np.int64)).shape == (0,)
    with pytest.raises(tf.errors.InvalidArgumentError):     # NumPy raises IndexError here too
        native(np.zeros((1, 2), np.float32), np.array([5]))


# -- under jit_compile=True a TensorArray must be sized before its loop: XLA compiles a dynamic_size one into
# an empty list (a wrong result, not an error). Each list built in a loop whose trip count is known before it
# is sized; one that is not (a `while` loop) must make XLA fail rather than return something else.

def _under_xla(native):
    return tf.function(native.python_function, jit_compile=True, input_signature=native.input_signature)


def _same_under_xla(fn, signature, *inputs_list):
    native = same(fn, signature, *inputs_list)
    xla = _under_xla(native)
    for inputs in inputs_list:
        expected = np.asarray(fn(np.array(inputs)))
        got = xla(inputs).numpy()
        assert got.shape == expected.shape, (inputs, expected, got)
        np.testing.assert_allclose(got, expected, rtol=1e-6)
    return native


def test_xla_comprehension_over_a_strided_range():
    def frames(wave):
        return np.stack([wave[i:i + 4] - wave[i:i + 4].mean() for i in range(1, len(wave) - 4 + 1, 3)])
    native = _same_under_xla(frames, "float32[None]", F32(*range(5)), F32(*range(9)), F32(*range(13)))
    assert "dynamic_size" not in native.source


def test_xla_two_appends_per_iteration_and_a_descending_range():
    def f(x):
        out = []
        for i in range(len(x) - 1, -1, -2):
            out.append(x[i])
            out.append(-x[i])
        return np.array(out)
    native = _same_under_xla(f, "float32[None]", F32(1, 2, 3), F32(1, 2, 3, 4), F32(5))
    assert "dynamic_size" not in native.source


def test_xla_filtered_appends_and_break_keep_only_the_items_written():
    def filtered(x):
        return np.array([v * 2 for v in x if v > 0])
    _same_under_xla(filtered, "float32[None]", F32(1, -2, 3), F32(-1, 4, 0, 5))

    def until_negative(x):
        out = []
        for v in x:
            if v < 0:
                break
            out.append(v + 1)
        return np.array(out)
    _same_under_xla(until_negative, "float32[None]", F32(1, 2, -3, 4), F32(1, 2))

    def skip_zeros(x):
        out = []
        for i in range(len(x)):
            if x[i] == 0:
                continue
            out.append(x[i])
        return np.array(out)
    _same_under_xla(skip_zeros, "float32[None]", F32(0, 2, 0, 4), F32(3, 1))


def test_xla_nested_loops_appending_to_one_list():
    def f(x):
        out = []
        for i in range(x.shape[0]):
            for j in range(i, x.shape[0]):
                out.append(x[i] * x[j])
        return np.array(out)
    native = same(f, "float32[None]", F32(1, 2, 3), F32(2))
    xla = _under_xla(native)
    try:
        got = xla(F32(1, 2, 3)).numpy()
    except tf.errors.InvalidArgumentError:
        return                                         # XLA refuses a list without a bound: never wrong
    np.testing.assert_allclose(got, f(F32(1, 2, 3)))


def test_xla_fails_rather_than_returning_a_wrong_list_from_a_while_loop():
    def f(x):
        parts = []
        k = 0
        while k < len(x):
            parts.append(x[k])
            k += 2
        return np.asarray(parts)
    native = same(f, "float32[None]", F32(1, 2, 3, 4, 5))
    assert "dynamic_size=True" in native.source
    with pytest.raises(tf.errors.InvalidArgumentError):
        _under_xla(native)(F32(1, 2, 3, 4, 5))
