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

