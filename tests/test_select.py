"""Run-time `if`/`elif`/`else`, `x if c else y` and `and`/`or` whose branches cannot fail become tf.where (both
sides computed, one picked) instead of tf.cond; branches that could raise (an index read, an integer division
by a run-time zero, an assert) keep tf.cond, so the converted function raises exactly where the original does.
Every converted function is run against the Python original; the generated source is checked for tf.cond."""
import functools

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings, strategies as st

from transpiler import convert
from transpiler.lower.purity import may_run_unconditionally
from transpiler.signature import parse_signature

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
# TF flushes subnormals to zero (out of scope, as for the verifier): none drawn
F32 = st.floats(width=32, allow_nan=True, allow_infinity=True, allow_subnormal=False)
SMALL_F32 = st.floats(-2, 2, width=32, allow_subnormal=False)


@functools.lru_cache(maxsize=None)
def converted(fn, signature):
    return convert(fn, signature=signature, verify=False)


def check(fn, signature, *inputs, raises=()):
    """The converted function on `inputs` (cast to the signature's dtypes) gives the original's dtype, shape
    and bits (NaN, -0.0), or raises InvalidArgumentError where the original raises one of `raises`."""
    native = converted(fn, signature)
    inputs = [np.asarray(i).astype(s.dtype) for i, s in zip(inputs, parse_signature(signature))]
    try:
        with np.errstate(all="ignore"):
            expected = np.asarray(fn(*[i.copy() for i in inputs]))
    except raises:
        with pytest.raises(tf.errors.InvalidArgumentError):
            native(*[tf.constant(i) for i in inputs])
        return native
    got = native(*[tf.constant(i) for i in inputs]).numpy()
    assert got.dtype == expected.dtype and got.shape == expected.shape, (inputs, expected, got)
    np.testing.assert_array_equal(got, expected, err_msg=str(inputs))
    if got.dtype.kind == "f":
        np.testing.assert_array_equal(np.signbit(got), np.signbit(expected), err_msg=str(inputs))
    return native


# --- selects ------------------------------------------------------------------------------------------------

def pick(a, b):
    if a > b:
        c = a - b
    elif a < b:
        c = b * 2.0
    else:
        c = a + 1
    return c


@SETTINGS
@given(F32, F32)
def test_if_elif_else_on_scalars(a, b):
    check(pick, "float32[],float32[]", a, b)


def test_if_elif_else_on_scalars_has_no_cond():
    source = converted(pick, "float32[],float32[]").source
    assert "tf.cond" not in source and source.count("tf.where") == 2, source


def gate(x):
    state = 0
    count = 0
    out = np.zeros(len(x), np.int32)
    for t in range(len(x)):
        v = x[t]
        if state == 0 and v > 0.6:
            state = 1
        elif state == 1 and v < 0.4:
            state = 0
        if v > 0 and v < 1 or v == -1:
            count += 1
        out[t] = state + count
    return out


@SETTINGS
@given(st.lists(st.one_of(SMALL_F32, st.sampled_from([-1.0, 0.4, 0.6, np.nan])), max_size=12))
def test_if_elif_and_or_in_a_run_time_loop(x):
    check(gate, "float32[None]", np.array(x, np.float32))


def test_if_elif_and_or_in_a_run_time_loop_has_no_cond():
    source = converted(gate, "float32[None]").source
    assert "tf.while_loop" in source and "tf.cond" not in source, source


def and_or_values(a, b):
    c = a * 2.0
    return (a > 1 and c < 5) or b > 3


def or_value(a, b):
    return a or b


def and_value(a, b):
    return a and b - 1


@SETTINGS
@given(F32, F32)
def test_and_or_values(a, b):
    for fn in (and_or_values, or_value, and_value):
        check(fn, "float32[],float32[]", a, b)


def test_and_or_values_have_no_cond():
    for fn in (and_or_values, or_value, and_value):
        source = converted(fn, "float32[],float32[]").source
        assert "tf.cond" not in source, source


def conditional_expression(a, b):
    y = a * 2 if a > b else b - 1
    return y + 1


@SETTINGS
@given(st.integers(-2**31, 2**31 - 1), st.integers(-2**31, 2**31 - 1))
def test_conditional_expression_on_ints(a, b):
    check(conditional_expression, "int32[],int32[]", a, b)
    assert "tf.cond" not in converted(conditional_expression, "int32[],int32[]").source


def same_static_shape(x):
    if x.sum() > 0:
        y = x * 2
    else:
        y = -x
    return y


@SETTINGS
@given(st.lists(F32, min_size=3, max_size=3))
def test_arrays_of_one_static_shape(x):
    check(same_static_shape, "float32[3]", np.array(x, np.float32))
    assert "tf.cond" not in converted(same_static_shape, "float32[3]").source


def unknown_length(x):
    if x.sum() > 0:
        y = x * 2
    else:
        y = -x
    return y


def test_arrays_of_unknown_length_keep_the_cond():
    # x * 2 and -x cannot fail, but the selected arrays' shapes are not known when converting
    check(unknown_length, "float32[None]", np.array([1, -2], np.float32))
    assert "tf.cond" in converted(unknown_length, "float32[None]").source


def long_branch(a):
    if a > 0:
        a = a * 3 + 1
        a = a * 3 + 1
        a = a * 3 + 1
        a = a * 3 + 1
        a = a * 3 + 1
    return a


def test_a_long_branch_keeps_the_cond():
    # computing it on the path not taken would cost more than the cond saves
    check(long_branch, "float32[]", 2.0)
    check(long_branch, "float32[]", -2.0)
    assert "tf.cond" in converted(long_branch, "float32[]").source


# --- conds kept: a branch that can fail -----------------------------------------------------------------------

def guarded_read(x, i):
    y = 0.0
    if i < len(x) and x[i] > 0:
        y = 1.0
    return y


@SETTINGS
@given(st.lists(SMALL_F32, max_size=4), st.integers(-6, 6))
def test_index_read_keeps_the_short_circuit(x, i):
    # i >= len(x): x[i] is never read; i < -len(x): the original reads it and raises
    check(guarded_read, "float32[None],int64[]", np.array(x, np.float32), i, raises=(IndexError,))


def test_index_read_keeps_the_short_circuit_cond():
    source = converted(guarded_read, "float32[None],int64[]").source
    assert source.count("tf.cond(") == 1, source
    for x, i in ((np.zeros(2, np.float32), 2), (np.zeros(0, np.float32), 0), (np.ones(3, np.float32), 7)):
        check(guarded_read, "float32[None],int64[]", x, i, raises=(IndexError,))
    with pytest.raises(tf.errors.InvalidArgumentError):
        converted(guarded_read, "float32[None],int64[]")(tf.constant([1.0], tf.float32), tf.constant(-2, tf.int64))


def divide_if_nonzero(n, d):
    a, b = int(n), int(d)
    q = -1
    if b != 0:
        q = a // b
    return q


def divide_if_not_negative(n, d):
    a, b = int(n), int(d)
    q = -1
    if b >= 0:
        q = a // b
    return q


@SETTINGS
@given(st.integers(-100, 100), st.integers(-3, 3))
def test_integer_division_by_a_run_time_zero_keeps_the_cond(n, d):
    check(divide_if_nonzero, "int64[],int64[]", n, d)
    check(divide_if_not_negative, "int64[],int64[]", n, d, raises=(ZeroDivisionError,))


def test_integer_division_keeps_the_cond():
    for fn in (divide_if_nonzero, divide_if_not_negative):
        assert "tf.cond" in converted(fn, "int64[],int64[]").source
        check(fn, "int64[],int64[]", 5, 0, raises=(ZeroDivisionError,))


def assert_in_branch(x, y):
    z = y
    if x > 0:
        assert y > 0
        z = y * 2.0
    return z


@SETTINGS
@given(SMALL_F32, SMALL_F32)
def test_assert_in_a_branch_keeps_the_cond(x, y):
    check(assert_in_branch, "float32[],float32[]", x, y, raises=(AssertionError,))


def test_assert_keeps_the_cond():
    assert "tf.cond" in converted(assert_in_branch, "float32[],float32[]").source
    check(assert_in_branch, "float32[],float32[]", -1.0, -1.0, raises=(AssertionError,))
    check(assert_in_branch, "float32[],float32[]", 1.0, -1.0, raises=(AssertionError,))


# --- the analysis on generated code ---------------------------------------------------------------------------

@pytest.mark.parametrize("lines, exprs, ok", [
    (["y = tf.math.add(a, tf.constant(1.0, tf.float32))"], ["tf.where(p, y, b)"], True),
    (["y = tf.cast(a > 0, tf.float32) * -b"], ["y"], True),
    (["y = tf.math.multiply(v, a)"], ["y"], True),                # a scalar beside a (3,) vector
    (["y = tf.math.multiply(v, w)"], ["y"], False),               # (3,) and (4,): a broadcast error
    (["y = x[i]"], ["y"], False),                                 # out of range raises
    (["y = tf.gather(v, i)"], ["y"], False),
    (["y = tf.math.floordiv(i, j)"], ["y"], False),               # integer division by zero raises
    (["y = i // j"], ["y"], False),
    (["y = i % j"], ["y"], False),
    (["y = tf.math.pow(i, j)"], ["y"], False),                    # negative integer powers raise
    (["tf.debugging.Assert(p, ['AssertionError'])"], ["a"], False),
    (["y = tf.random.uniform([])"], ["y"], False),
    (["y = tf.where(p)"], ["y"], False),                          # coordinates: not elementwise
    (["y = tf.math.reduce_sum(v)"], ["y"], False),
    (["def g():", "    return a"], ["a"], False),
    (["y = tf.math.add(a, unknown)"], ["y"], False),              # a tensor the lowering knows nothing of
    (["a = tf.math.add(a, b)"], ["a"], False),                    # rebinding a name seen before the branch
    (["y = tf.constant([1.0, 2.0], tf.float32)"], ["y"], False),  # only scalar constants
    (["y = tf.constant(float('nan'), tf.float32)"], ["-y"], True),
    (["y = s"], ["y"], False),                                    # a string tensor
])
def test_may_run_unconditionally(lines, exprs, ok):
    shapes = {"a": (), "b": (), "p": (), "i": (), "j": (), "x": (None,), "v": (3,), "w": (4,)}
    shapes = {k: s for k, s in shapes.items() if None not in s}
    assert may_run_unconditionally([(lines, exprs), ([], ["b"])], shapes, set(shapes)) is ok
