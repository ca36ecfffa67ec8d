"""The generated body computes a repeated pure expression once (transpiler/lower/dedupe.py)."""
import numpy as np

from conversion_checks import same
from transpiler.lower.dedupe import dedupe_lines


def test_repeated_chains_collapse_and_later_lines_read_the_first_name():
    lines = ["    a = tf.transpose(x)", "    s = tf.sort(a)", "    b = tf.transpose(x)", "    t = tf.sort(b)"]
    out, returns = dedupe_lines(lines, "t + s")
    assert out == ["    a = tf.transpose(x)", "    s = tf.sort(a)", "    b = a", "    t = s"]
    assert returns == "s + s"


def test_random_draws_asserts_and_lambdas_are_never_merged():
    lines = ["    a = tf.random.uniform([2])", "    b = tf.random.uniform([2])",
             "    c = tf.cond(p, lambda: x, lambda: y)", "    d = tf.cond(p, lambda: x, lambda: y)"]
    assert dedupe_lines(lines, "a + b")[0] == lines


def test_keywords_attributes_and_strings_keep_their_text():
    lines = ["    axis = tf.shape(x)[0]", "    k = tf.shape(x)[0]",
             "    r = tf.reduce_sum(x, axis=k)", "    tf.debugging.assert_positive(k, message='k axis k')",
             "    z = x.k"]
    out, _ = dedupe_lines(lines, "r")
    assert out[1] == "    k = axis"
    assert out[2] == "    r = tf.reduce_sum(x, axis=axis)"
    assert out[3] == "    tf.debugging.assert_positive(axis, message='k axis k')"
    assert out[4] == "    z = x.k"


def test_a_nested_body_reuses_the_outer_value_but_sibling_bodies_do_not_share():
    lines = ["    a = tf.abs(x)",
             "    def if_true():", "        b = tf.abs(x)", "        c = tf.exp(x)", "        return (c, )",
             "    def if_false():", "        d = tf.exp(x)", "        return (d, )"]
    out, _ = dedupe_lines(lines, "a")
    assert out[2] == "        b = a"
    assert out[6] == "        d = tf.exp(x)"


def test_median_and_percentiles_of_one_array_sort_it_once():
    def f(x):
        med = np.median(x, axis=0)
        q1, q3 = np.percentile(x, [25, 75], axis=0)
        return (x - med) / (q3 - q1 + 1)
    native = same(f, "float64[None,None]", np.array([[1.0, 2], [3, -1], [0.5, 7]]), np.ones((1, 3)))
    assert native.source.count("tf.sort(") == 1


def test_argsort_of_floats_with_every_special_value_is_numpys_stable_order():
    # one argsort of an integer key (opmap/sorting.py): -0.0 ties with 0.0, NaN last, infinities in place
    def f(x):
        return np.argsort(x, kind="stable")
    specials = [0.0, -0.0, np.nan, np.inf, -np.inf, 1e-30, -1e-30, 3.4e38, -3.4e38, 1.0, -1.0, 2.0, -2.0]
    rng = np.random.default_rng(0)
    inputs = [rng.choice(specials, size=rng.integers(0, 16)) for _ in range(20)]
    same(f, "float32[None]", *[x.astype(np.float32) for x in inputs])
    same(f, "float64[None]", *inputs)
