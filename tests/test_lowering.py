"""Lowering semantics end to end: convert_text(verify=False), exec the generated source, compare with NumPy."""
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from transpiler.pipeline import convert_text

HEADER = "import numpy as np\nimport tensorflow as tf\n"


def lower(body: str, sig: str, tout: str, consts: dict | None = None):
    """Convert `def f(x): <body>` wrapped by tf.numpy_function(..., Tout=tout); return the native function."""
    src = HEADER + "".join(f"{k} = {v!r}\n" for k, v in (consts or {}).items())
    src += "\n\ndef f(x):\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\n\n"
    src += f"y = tf.numpy_function(f, [a], {tout})\n"
    result = convert_text(src, "m.py", {"f": sig}, verify=False)
    assert result.error is None, result.error
    assert len(result.sites) == 1
    site = result.sites[0]
    assert site.status == "converted", [(d.code, d.message) for d in site.reasons]
    ns = {"tf": tf, "np": np, **(consts or {})}
    exec(compile(site.replacement.source, "<generated>", "exec"), ns)
    assert "import numpy" not in site.replacement.source
    ref = {"np": np}
    exec(compile(src.split("y = tf.numpy_function")[0], "<orig>", "exec"), ref)
    return ns[site.replacement.name], ref["f"]


def check(native, original, x):
    with np.errstate(all="ignore"):
        expected = np.asarray(original(x.copy()))
    for eager in (False, True):
        tf.config.run_functions_eagerly(eager)
        try:
            got = native(tf.constant(x)).numpy()
        finally:
            tf.config.run_functions_eagerly(False)
        assert got.dtype == expected.dtype, (eager, got.dtype, expected.dtype)
        assert got.shape == expected.shape, (eager, got.shape, expected.shape)
        np.testing.assert_array_equal(got, expected, err_msg=f"eager={eager}")


I32 = np.array([7, -7, 7, -7, 0, 5, -3], np.int32)
I32_DEN = np.array([2, 2, -2, -2, 3, 0, 0], np.int32)


def test_int32_floordiv_negative_and_zero_divisor():
    native, orig = lower("return x // np.array([2, 2, -2, -2, 3, 0, 0], np.int32)",
                         "int32[None]", "tf.int32")
    check(native, orig, I32)


def test_int32_floordiv_scalar_negative():
    native, orig = lower("return x // -3", "int32[None]", "tf.int32")
    check(native, orig, I32)


def test_int32_mod_negative_and_by_zero():
    native, orig = lower("return x % np.array([2, 2, -2, -2, 3, 0, 0], np.int32)",
                         "int32[None]", "tf.int32")
    check(native, orig, I32)


def test_int32_mod_scalar_negative():
    native, orig = lower("return x % -3", "int32[None]", "tf.int32")
    check(native, orig, I32)


def test_int32_floordiv_by_zero_scalar():
    native, orig = lower("return x // 0", "int32[None]", "tf.int32")
    check(native, orig, I32)


def test_float_floor_divide():
    native, orig = lower("return np.floor_divide(x, 0.1)", "float64[None]", "tf.float64")
    x = np.array([1.0, -1.0, 0.7, 2.5, 0.0], np.float64)
    assert np.floor_divide(1.0, 0.1) == 9.0
    check(native, orig, x)
    assert native(tf.constant([1.0], tf.float64)).numpy()[0] == 9.0


def test_int_true_divide_gives_float64():
    native, orig = lower("return x / 2", "int32[None]", "tf.float64")
    check(native, orig, I32)


def test_mean_of_int32_is_float64():
    native, orig = lower("return np.mean(x)", "int32[None]", "tf.float64")
    check(native, orig, np.array([1, 2, 4], np.int32))


def test_round_half_to_even():
    native, orig = lower("return np.round(x)", "float32[None]", "tf.float32")
    check(native, orig, np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.4], np.float32))


def test_argmax_nan_first_index():
    native, orig = lower("return np.argmax(x)", "float32[None]", "tf.int64")
    check(native, orig, np.array([1.0, np.nan, 5.0, np.nan], np.float32))
    check(native, orig, np.array([1.0, 7.0, 5.0], np.float32))


def test_max_propagates_nan():
    native, orig = lower("return np.max(x)", "float32[None]", "tf.float32")
    check(native, orig, np.array([1.0, np.nan, 5.0], np.float32))


def test_uint8_add_wraps():
    native, orig = lower("return x + 1", "uint8[None]", "tf.uint8")
    check(native, orig, np.array([0, 254, 255], np.uint8))


def test_astype_int32_truncates():
    native, orig = lower("return x.astype(np.int32)", "float32[None]", "tf.int32")
    check(native, orig, np.array([1.7, -1.7, 2.5, -0.5, 0.0], np.float32))


def test_boolean_mask_assignment():
    native, orig = lower("x = x.copy()\nx[x < 0] = 0\nreturn x", "float32[None]", "tf.float32")
    check(native, orig, np.array([-1.0, 2.0, -3.0, 0.5], np.float32))


def test_zeros_default_float64():
    native, orig = lower("return np.zeros(3) + x[0]", "float64[None]", "tf.float64")
    check(native, orig, np.array([2.0], np.float64))


def test_zeros_default_float64_plus_float32_promotes():
    # float32 array + float64 array -> float64
    native, orig = lower("return np.zeros(3) + x", "float32[3]", "tf.float64")
    check(native, orig, np.array([1.0, 2.0, 3.0], np.float32))


def test_module_constant_used():
    native, orig = lower("return x * SCALE", "float32[None]", "tf.float32", {"SCALE": 3.0})
    check(native, orig, np.array([1.0, -2.0], np.float32))


def test_float_floordiv_operator():
    native, orig = lower("return x // 0.1", "float64[None]", "tf.float64")
    check(native, orig, np.array([1.0, -1.0, 0.7, 2.5, 0.0], np.float64))


def test_float_mod_negative():
    native, orig = lower("return x % -0.75", "float64[None]", "tf.float64")
    check(native, orig, np.array([1.0, -1.0, 0.7, 2.5, 0.0], np.float64))
