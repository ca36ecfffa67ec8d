"""np.roll and np.fft.fftshift/ifftshift on empty and non-empty inputs, traced with unknown dimensions and
under XLA: the generated tf.roll has no guard, so an empty axis must give NumPy's empty result."""
import numpy as np
import pytest
import tensorflow as tf

from transpiler import convert


def roll_rows(x):
    return np.roll(x, 1, axis=0)


def roll_both(x):
    return np.roll(x, (3, -2), axis=(0, 1))


def roll_flat(x):
    return np.roll(x, -5)


def shift_all(x):
    return np.fft.fftshift(x)


def unshift_last(x):
    return np.fft.ifftshift(x, axes=-1)


SHAPES = [(0, 3), (3, 0), (0, 0), (1, 1), (4, 5), (7, 2)]


@pytest.mark.parametrize("fn", [roll_rows, roll_both, roll_flat, shift_all, unshift_last])
@pytest.mark.parametrize("jit", [False, True])
def test_roll_matches_numpy_on_empty_and_full_axes(fn, jit):
    native = convert(fn, signature="float32[None,None]", verify=False)
    assert "tf.cond" not in native.source
    traced = tf.function(native, input_signature=[tf.TensorSpec([None, None], tf.float32)], jit_compile=jit)
    for shape in SHAPES:
        x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
        expected = fn(x)
        for got in (native(x), traced(x)):
            assert got.shape == expected.shape, (fn.__name__, shape)
            np.testing.assert_array_equal(got.numpy(), expected)


def equal_arrays(x, y):
    return np.array_equal(x, y), np.array_equal(x, y, equal_nan=True), np.array_equal(x, 2.0)


def test_array_equal_needs_no_cond_and_matches_numpy_on_every_shape_pair():
    native = convert(equal_arrays, signature="float32[None,None], float32[None,None]", verify=False)
    assert "tf.cond" not in native.source
    traced = tf.function(native, input_signature=[tf.TensorSpec([None, None], tf.float32)] * 2)
    base = np.array([[1.0, np.nan, 2.0], [2.0, 2.0, 2.0]], np.float32)
    pairs = [(base, base), (base, base.copy()), (base, base[:, :2]), (base, base.reshape(3, 2)),
             (base[:1], base), (np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32)),
             (np.zeros((0, 3), np.float32), np.zeros((3, 0), np.float32)),
             (np.full((2, 2), 2.0, np.float32), np.full((2, 2), 2.0, np.float32)),
             (np.full((1, 1), 2.0, np.float32), np.full((1, 2), 2.0, np.float32))]
    for x, y in pairs:
        expected = [np.bool_(v) for v in equal_arrays(x, y)]
        for got in (native(x, y), traced(x, y)):
            assert [bool(g) for g in got] == [bool(e) for e in expected], (x.shape, y.shape)
