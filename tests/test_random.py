"""Random draws (opmap/random_ops.py) and their distributional verification (transpiler/verify/distribution.py).

Converted functions are compared with NumPy (or `random`) itself: exact dtype, shape and scalar kind, the
same support (bounds inclusive or exclusive), the same distribution (scipy's two-sample tests at a strict
level), and fresh values on every call: eagerly, traced, in tf.data and in a SavedModel reloaded in another
process. Seeded streams and arguments NumPy rejects are refused with a reason.
"""
from __future__ import annotations

import importlib.util
import json
import pathlib
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
import pytest
import tensorflow as tf
from scipy import stats

from transpiler import convert
from transpiler.diagnostics import ConversionError
from transpiler.verify import VerifyJob, verify_site
from transpiler.verify.checker import Outcome
from transpiler.verify.compare import Outputs
from transpiler.verify.distribution import DRAWS, compare_draws

tf.get_logger().setLevel("ERROR")

SOURCE = '''
import random
import numpy as np
from numpy.random import default_rng

def rand_scalar(x):
    return x * np.random.rand()

def rand_array(x):
    return np.random.rand(len(x), 2)

def randn_array(x):
    return np.random.randn(3, len(x))

def random_sample(x):
    return np.random.random_sample((2, 3))

def uniform_size(x):
    return np.random.uniform(-1.0, 3.0, size=x.shape)

def uniform_array_params(x):
    return np.random.uniform(x, x + 1.0)

def uniform_reversed(x):
    return np.random.uniform(2.0, -1.0, size=5)

def normal_params(x):
    return np.random.normal(x, 2.0, size=x.shape)

def normal_scalar(x):
    return np.random.normal(1.0, 0.5)

def standard_normal(x):
    return np.random.standard_normal(size=(4,))

def exponential(x):
    return np.random.exponential(2.0, size=x.shape)

def gamma(x):
    return np.random.gamma(0.5, 2.0, size=x.shape)

def beta(x):
    return np.random.beta(0.3, 2.0, size=x.shape)

def beta_tiny(x):
    return np.random.beta(0.001, 0.001, size=x.shape)

def lognormal(x):
    return np.random.lognormal(0.0, 0.5, size=x.shape)

def randint_exclusive(x):
    return np.random.randint(-2, 3, size=x.shape)

def randint_scalar(x):
    return np.random.randint(4)

def randint_scalar_mul(x):
    return x * np.random.randint(1, 3)

def randint_int32(x):
    return np.random.randint(0, 5, size=(3,), dtype=np.int32)

def randint_np_int64_scalar(x):
    return np.random.randint(5, dtype=np.int64)

def randint_bool(x):
    return np.random.randint(2, size=x.shape, dtype=bool)

def randint_runtime_high(x):
    return np.random.randint(0, len(x), size=3)

def choice_int(x):
    return np.random.choice(5, size=x.shape)

def choice_scalar(x):
    return np.random.choice(5)

def choice_array(x):
    return np.random.choice(x, size=4)

def choice_array_scalar(x):
    return np.random.choice(x)

def choice_no_replace(x):
    return np.random.choice(6, size=6, replace=False)

def choice_p(x):
    return np.random.choice(4, size=x.shape, p=[0.1, 0.0, 0.6, 0.3])

def choice_p_no_replace(x):
    return np.random.choice(4, size=2, replace=False, p=[0.1, 0.0, 0.6, 0.3])

def choice_runtime_p(x):
    w = np.abs(x) + 1.0
    return np.random.choice(len(x), size=3, p=w / w.sum())

def permutation_int(x):
    return np.random.permutation(4)

def permutation_array(x):
    return np.random.permutation(x)

def shuffle_copy(x):
    y = np.array([0, 1, 2, 3])
    np.random.shuffle(y)
    return y

def binomial(x):
    return np.random.binomial(10, 0.3, size=x.shape)

def binomial_scalar(x):
    return np.random.binomial(5, 0.5)

def poisson(x):
    return np.random.poisson(3.0, size=x.shape)

def poisson_array(x):
    return np.random.poisson(np.abs(x))

def generator_methods(x):
    rng = np.random.default_rng()
    return rng.normal(0.0, 1.0, size=x.shape) + rng.integers(0, 5, size=x.shape) + rng.random()

def generator_random_f32(x):
    rng = default_rng()
    return rng.random(size=x.shape, dtype=np.float32)

def generator_integers_endpoint(x):
    return np.random.default_rng().integers(1, 3, size=x.shape, endpoint=True)

def generator_integers_scalar(x):
    return np.random.default_rng().integers(5)

def generator_choice_no_replace(x):
    rng = np.random.default_rng()
    return rng.choice(x, size=2, replace=False)

def generator_permutation_axis(x):
    rng = np.random.default_rng()
    return rng.permutation(np.arange(6).reshape(2, 3), axis=1)

def generator_shuffle(x):
    rng = np.random.default_rng()
    y = np.arange(5)
    rng.shuffle(y)
    return y

def py_random(x):
    return x * random.random()

def py_uniform(x):
    return x + random.uniform(1, 2)

def py_randint(x):
    return np.array(random.randint(1, 3))

def py_randrange(x):
    return np.array(random.randrange(3))

def py_choice(x):
    return x * random.choice([1.0, 2.0, 3.0])

def py_sample(x):
    return np.array(random.sample(range(5), 3))

def py_shuffle(x):
    items = [1, 2, 3, 4]
    random.shuffle(items)
    return np.array(items)

def py_gauss(x):
    return x + random.gauss(0.0, 2.0)

def twice_one_draw(x):
    r = np.random.rand()
    return np.array([r, r])

def flip(x):
    if np.random.rand() < 0.5:
        x = x[::-1]
    return x

def seeded_global(x):
    np.random.seed(0)
    return x + np.random.rand()

def seeded_generator(x):
    rng = np.random.default_rng(42)
    return x + rng.random()

def seeded_python(x):
    random.seed(1)
    return x + random.random()

def unseeded_reseed(x):
    np.random.seed()
    return x + np.random.rand()

def choice_bad_p(x):
    return np.random.choice(3, p=[0.5, 0.2, 0.2])

def choice_negative_p(x):
    return np.random.choice(3, p=[1.2, -0.2, 0.0])

def choice_too_many(x):
    return np.random.choice(3, size=4, replace=False)

def choice_few_nonzero(x):
    return np.random.choice(3, size=2, replace=False, p=[1.0, 0.0, 0.0])

def randint_empty(x):
    return np.random.randint(3, 3)

def randint_array_bounds(x):
    return np.random.randint(0, np.array([2, 3]))

def randint_float_bounds(x):
    return np.random.randint(0, 2.5)

def normal_negative_scale(x):
    return np.random.normal(0.0, -0.0)

def uniform_infinite(x):
    return np.random.uniform(0.0, np.inf)

def generator_uniform_reversed(x):
    return np.random.default_rng().uniform(1.0, 0.0)

def shuffle_alias(x):
    y = np.arange(4)
    z = y
    np.random.shuffle(y)
    return z

def py_shuffle_2d(x):
    y = np.arange(6).reshape(3, 2)
    random.shuffle(y)
    return y

def py_shuffle_mixed(x):
    items = [1, 2.0]
    random.shuffle(items)
    return np.array(items)

def generator_choice_unshuffled(x):
    return np.random.default_rng().choice(5, size=2, replace=False, shuffle=False)

def binomial_float_n(x):
    return np.random.binomial(3.5, 0.5)

def multivariate(x):
    return np.random.multivariate_normal([0.0], [[1.0]])

np.random.seed(1234)
RNG = np.random.default_rng(0)
NOISE_SCALE = np.random.rand()

def module_generator(x):
    return x + RNG.normal(size=x.shape)

def module_random_constant(x):
    return x * NOISE_SCALE
'''

_DIR = pathlib.Path(tempfile.mkdtemp(prefix="test_random_"))
(_DIR / "random_cases.py").write_text(SOURCE)
_spec = importlib.util.spec_from_file_location("random_cases", _DIR / "random_cases.py")
cases = importlib.util.module_from_spec(_spec)
sys.modules["random_cases"] = cases
_spec.loader.exec_module(cases)

X = np.array([0.5, -1.0, 2.0, 3.5], np.float32)
N = 1500          # draws per side in the distribution tests
ALPHA = 1e-4      # two-sample tests: a correct conversion fails one in ten thousand runs


def native(name, signature="float32[None]"):
    return convert(getattr(cases, name), signature, verify=False)


def draws(fn, n=N, x=X):
    return [fn(x) for _ in range(n)]


def converted_draws(name, n=N, x=X):
    f = native(name)
    t = tf.constant(x)
    return [f(t).numpy() for _ in range(n)]


def check_kind(name, x=X):
    """The converted result has NumPy's dtype and shape (through numpy_function: Python scalars become 0-d)."""
    expected = np.asarray(getattr(cases, name)(x.copy()))
    got = native(name)(tf.constant(x))
    assert got.dtype.name == expected.dtype.name, (name, got.dtype, expected.dtype)
    assert tuple(got.shape) == expected.shape, (name, got.shape, expected.shape)


def same_distribution(a, b):
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    assert stats.ks_2samp(a, b).pvalue > ALPHA, (np.mean(a), np.mean(b), np.std(a), np.std(b))


def same_support(a, b, exact=True):
    """The same set of values; with exact=False, only values drawn 12 times or more on one side must appear on the
    other (rare values, as in Poisson's tail, may be missed by one side: 12 draws on one side and none on the other
    happen with probability about 2**-12 for a value both can draw)."""
    a, b = np.ravel(a).tolist(), np.ravel(b).tolist()
    if exact:
        assert set(a) == set(b)
        return
    ca, cb = {v: a.count(v) for v in set(a)}, {v: b.count(v) for v in set(b)}
    assert {v for v, k in ca.items() if k >= 12} <= set(cb) and {v for v, k in cb.items() if k >= 12} <= set(ca)


def same_frequencies(a, b):
    """Chi-square homogeneity over the values, those expected fewer than 5 times merged into one bin."""
    a, b = np.ravel(a), np.ravel(b)
    values = sorted(set(a.tolist()) | set(b.tolist()))
    table = np.array([[np.sum(a == v) for v in values], [np.sum(b == v) for v in values]])
    common = table.sum(axis=0) >= 10
    table = np.concatenate([table[:, common], table[:, ~common].sum(axis=1, keepdims=True)], axis=1)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] > 1:
        assert stats.chi2_contingency(table).pvalue > ALPHA, table


# -- dtype, shape and the scalar kind --------------------------------------------------------------------------

KIND_CASES = ["rand_scalar", "rand_array", "randn_array", "random_sample", "uniform_size", "uniform_array_params",
              "uniform_reversed", "normal_params", "normal_scalar", "standard_normal", "exponential", "gamma",
              "beta", "lognormal", "randint_exclusive", "randint_scalar", "randint_scalar_mul", "randint_int32",
              "randint_np_int64_scalar", "randint_bool", "randint_runtime_high", "choice_int", "choice_scalar",
              "choice_array", "choice_array_scalar", "choice_no_replace", "choice_p", "choice_p_no_replace",
              "choice_runtime_p", "permutation_int", "permutation_array", "shuffle_copy", "binomial",
              "binomial_scalar", "poisson", "poisson_array", "generator_methods", "generator_random_f32",
              "generator_integers_endpoint", "generator_integers_scalar", "generator_choice_no_replace",
              "generator_permutation_axis", "generator_shuffle", "py_random", "py_uniform", "py_randint",
              "py_randrange", "py_choice", "py_sample", "py_shuffle", "py_gauss", "twice_one_draw", "flip",
              "unseeded_reseed", "module_generator"]


@pytest.mark.parametrize("name", KIND_CASES)
def test_dtype_and_shape_match_numpy(name):
    check_kind(name)


def test_python_scalar_draws_stay_weak():
    # NumPy returns a Python float/int for a scalar draw: float32 * it stays float32 (NEP 50)
    assert native("rand_scalar")(tf.constant(X)).dtype == tf.float32
    assert native("randint_scalar_mul")(tf.constant(X)).dtype == tf.float32
    assert native("py_choice")(tf.constant(X)).dtype == tf.float32
    # ... but an explicit NumPy dtype gives a NumPy scalar
    assert native("randint_np_int64_scalar")(tf.constant(X)).dtype == tf.int64


# -- distributions -------------------------------------------------------------------------------------------

CONTINUOUS = ["uniform_size", "uniform_array_params", "uniform_reversed", "normal_params", "normal_scalar",
              "standard_normal", "exponential", "gamma", "beta", "lognormal", "rand_array", "randn_array",
              "generator_random_f32", "py_uniform", "py_gauss"]


@pytest.mark.parametrize("name", CONTINUOUS)
def test_continuous_distributions_match(name):
    original = np.stack([np.asarray(v) for v in draws(getattr(cases, name), 600)])
    converted = np.stack(converted_draws(name, 600))
    for column in range(min(original[0].size, 4)):
        same_distribution(original.reshape(600, -1)[:, column], converted.reshape(600, -1)[:, column])


def test_beta_with_tiny_parameters_does_not_underflow():
    # X / (X + Y) with Gamma(0.001) draws is 0 / 0 in float64; the log-space draw stays in [0, 1]
    values = np.concatenate(converted_draws("beta_tiny", 300))
    assert np.all((values >= 0) & (values <= 1))
    assert 0.3 < np.mean(values > 0.5) < 0.7


DISCRETE = ["randint_exclusive", "randint_scalar", "randint_int32", "randint_bool", "randint_runtime_high",
            "choice_int", "choice_scalar", "choice_array", "choice_array_scalar", "choice_p", "choice_runtime_p",
            "binomial", "binomial_scalar", "poisson", "generator_integers_endpoint", "generator_integers_scalar",
            "py_randint", "py_randrange", "py_choice", "permutation_int", "choice_no_replace",
            "choice_p_no_replace", "generator_choice_no_replace", "py_sample", "py_shuffle", "shuffle_copy",
            "generator_shuffle", "generator_permutation_axis", "flip"]


def _outcomes(values):
    """Each draw as one hashable outcome (an ordered sample is one outcome, not its elements)."""
    return np.array([hash(np.asarray(v).tobytes()) for v in values])


@pytest.mark.parametrize("name", DISCRETE)
def test_discrete_support_and_frequencies_match(name):
    original = draws(getattr(cases, name))
    converted = converted_draws(name)
    o = np.stack([np.asarray(v) for v in original]).reshape(N, -1).astype(np.float64)
    c = np.stack(converted).reshape(N, -1).astype(np.float64)
    same_support(o, c, exact=False)    # per element values (exact bounds: test_inclusive_and_exclusive_bounds)
    same_frequencies(o[:, 0], c[:, 0])
    o_joint, c_joint = _outcomes(o), _outcomes(c)
    if len(set(o_joint.tolist())) <= 120:
        same_support(o_joint, c_joint, exact=False)  # whole outcomes: orders of permutations and samples
        same_frequencies(o_joint, c_joint)


def test_inclusive_and_exclusive_bounds():
    assert set(np.ravel(converted_draws("randint_exclusive", 300)).tolist()) == {-2, -1, 0, 1, 2}
    assert set(np.ravel(converted_draws("py_randint", 300)).tolist()) == {1, 2, 3}          # random: inclusive
    assert set(np.ravel(converted_draws("generator_integers_endpoint", 300)).tolist()) == {1, 2, 3}
    assert set(np.ravel(converted_draws("py_randrange", 300)).tolist()) == {0, 1, 2}
    assert 1 not in set(np.ravel(converted_draws("choice_p", 300)).tolist())                 # p = 0 never drawn


def test_samples_without_replacement_are_distinct():
    for name in ("choice_no_replace", "choice_p_no_replace", "generator_choice_no_replace", "py_sample"):
        for v in converted_draws(name, 100):
            assert len(set(np.ravel(v).tolist())) == np.size(v), name
    for v in converted_draws("generator_permutation_axis", 50):
        assert sorted(v[0].tolist()) == [0, 1, 2] and np.array_equal(v[1] - v[0], [3, 3, 3])


def test_a_value_used_twice_is_one_draw():
    for v in converted_draws("twice_one_draw", 20):
        assert v[0] == v[1]


# -- freshness ---------------------------------------------------------------------------------------------------

def test_fresh_eager_and_traced():
    f = native("uniform_size")
    x = tf.constant(X)
    eager = [f(x).numpy() for _ in range(5)]
    traced = tf.function(lambda a: f(a) * 1.0)
    graph = [traced(x).numpy() for _ in range(5)]
    assert len({v.tobytes() for v in eager}) == 5
    assert len({v.tobytes() for v in graph}) == 5


def test_fresh_in_tf_data():
    f = native("normal_params")
    ds = tf.data.Dataset.from_tensors(tf.constant(X)).repeat(6).map(f, num_parallel_calls=tf.data.AUTOTUNE)
    assert len({v.numpy().tobytes() for v in ds}) == 6
    ds = tf.data.Dataset.from_tensors(tf.constant(X)).repeat(6).map(native("flip"))
    assert len({v.numpy().tobytes() for v in ds}) >= 1  # runs inside tf.data; both outcomes below
    outs = {v.numpy().tobytes() for v in tf.data.Dataset.from_tensors(tf.constant(X)).repeat(60)
            .map(native("flip"))}
    assert len(outs) == 2


def test_fresh_after_savedmodel_reload_in_another_process(tmp_path):
    module = tf.Module()
    module.f = native("uniform_size")
    tf.saved_model.save(module, str(tmp_path / "sm"))
    script = textwrap.dedent(f"""
        import json, tensorflow as tf
        m = tf.saved_model.load({str(tmp_path / 'sm')!r})
        x = tf.constant([1.0, 2.0, 3.0], tf.float32)
        print(json.dumps([m.f(x).numpy().tolist() for _ in range(3)]))
    """)
    runs = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=str(tmp_path),
                             timeout=120, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
        assert out.returncode == 0, out.stderr[-2000:]
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    values = [tuple(v) for run in runs for v in run]
    assert len(set(values)) == 6                     # fresh within a process and across processes
    assert all(-1.0 <= x < 3.0 for v in values for x in v)


# -- refusals and raising --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, code, words", [
    ("seeded_global", "P240", "seed"),
    ("seeded_generator", "P240", "seed"),
    ("seeded_python", "P240", "seed"),
    ("choice_bad_p", "P301", "sum to 1"),
    ("choice_negative_p", "P301", "non-negative"),
    ("choice_too_many", "P301", "larger sample"),
    ("choice_few_nonzero", "P301", "non-zero"),
    ("randint_empty", "P301", "low >= high"),
    ("randint_array_bounds", "P205", "array of bounds"),
    ("randint_float_bounds", "P205", "integer"),
    ("normal_negative_scale", "P301", "scale < 0"),
    ("uniform_infinite", "P301", "not finite"),
    ("generator_uniform_reversed", "P301", "high < low"),
    ("shuffle_alias", "P231", "shares its buffer"),
    ("py_shuffle_2d", "P205", "duplicates rows"),
    ("py_shuffle_mixed", "P205", "mixed"),
    ("generator_choice_unshuffled", "P205", "shuffle=False"),
    ("binomial_float_n", "P205", "non-integer n"),
    ("multivariate", "P201", "no exact counterpart"),
    ("module_random_constant", "P108", "NOISE_SCALE"),   # drawn at import: another process draws another value
])
def test_refused_with_reason(name, code, words):
    with pytest.raises(ConversionError) as info:
        native(name)
    d = info.value.diagnostics[0]
    assert d.code == code and words in d.message, d.render()
    assert d.line > 0


def test_runtime_probabilities_are_checked_like_numpy():
    f = native("choice_runtime_p")
    f(tf.constant(X))
    # NaN makes NumPy raise ("probabilities contain NaN"): the replacement raises too
    with pytest.raises(tf.errors.InvalidArgumentError):
        f(tf.constant([np.nan, 1.0], tf.float32))
    with pytest.raises(ValueError):
        cases.choice_runtime_p(np.array([np.nan, 1.0], np.float32))


def test_report_notes_the_tensorflow_stream():
    from transpiler.pipeline import convert_text
    text = (_DIR / "random_cases.py").read_text() + textwrap.dedent("""
        import tensorflow as tf
        def entry(x):
            return tf.numpy_function(uniform_size, [x], tf.float64)
    """)
    result = convert_text(text, "m.py", {"uniform_size": "float32[None]"}, verify=False)
    site = result.sites[0]
    assert site.status == "converted", [r.render() for r in site.reasons]
    assert any(n.code == "P902" and "TensorFlow's stream" in n.message for n in site.notes)
    # the module seeds NumPy's stream at import: the report says the converted draws do not follow it
    assert any(n.code == "P903" and "seeds NumPy's global stream" in n.message for n in site.notes)


def test_module_level_seeded_generator_converts_with_a_note():
    from transpiler.pipeline import convert_text
    text = (_DIR / "random_cases.py").read_text() + textwrap.dedent("""
        import tensorflow as tf
        def entry(x):
            return tf.numpy_function(module_generator, [x], tf.float64)
    """)
    site = convert_text(text, "m.py", {"module_generator": "float32[None]"}, verify=False).sites[0]
    assert site.status == "converted", [r.render() for r in site.reasons]
    assert any(n.code == "P903" and "`RNG` is a seeded generator" in n.message for n in site.notes)
    same_distribution(np.stack(draws(cases.module_generator, 400))[:, 0],
                      np.stack(converted_draws("module_generator", 400))[:, 0])


# -- distributional verification -----------------------------------------------------------------------------------

def _sample(gen, n=DRAWS, dtype="float64"):
    return [Outcome(Outputs(False, [np.asarray(gen())], [dtype])) for _ in range(n)]


MODES = ["eager" if i % 2 == 0 else "traced" for i in range(DRAWS)]
_rng = np.random.default_rng(7)
_GRID = np.linspace(-1, 1, 32)


@pytest.mark.parametrize("original, replacement, dtype", [
    (lambda: _GRID + _rng.normal(size=32), lambda: _GRID + _rng.normal(size=32), "float64"),
    (lambda: _rng.uniform(0.1, 3) * _rng.normal(size=32), lambda: _rng.uniform(0.1, 3) * _rng.normal(size=32),
     "float64"),
    (lambda: _rng.integers(0, 50, size=6), lambda: _rng.integers(0, 50, size=6), "int64"),
    (lambda: _GRID[::-1] if _rng.random() < 0.5 else _GRID, lambda: _GRID[::-1] if _rng.random() < 0.5 else _GRID,
     "float64"),
    (lambda: _rng.choice(3, size=4, p=[0.98, 0.01, 0.01]), lambda: _rng.choice(3, size=4, p=[0.98, 0.01, 0.01]),
     "int64"),
    (lambda: np.array([1.0, np.nan]) * _rng.normal(), lambda: np.array([1.0, np.nan]) * _rng.normal(), "float64"),
])
def test_same_distributions_pass(original, replacement, dtype):
    assert compare_draws(_sample(original, dtype=dtype), _sample(replacement, dtype=dtype), MODES) is None


def _joint():
    a = _GRID[::-1] if _rng.random() < 0.5 else _GRID
    return np.concatenate([a, a])


def _independent():
    return np.concatenate([_GRID[::-1] if _rng.random() < 0.5 else _GRID,
                           _GRID[::-1] if _rng.random() < 0.5 else _GRID])


_FROZEN = _rng.normal(size=8)


@pytest.mark.parametrize("original, replacement, dtype, words", [
    (lambda: _rng.integers(0, 3), lambda: _rng.integers(0, 4), "int64", "never gives"),       # bound off by one
    (lambda: _rng.integers(0, 10, size=8), lambda: _rng.integers(0, 11, size=8), "int64", "never gives"),
    (lambda: _GRID + _rng.normal(size=32), lambda: _GRID + 1.3 * _rng.normal(size=32), "float64", "spread"),
    (lambda: _GRID + _rng.normal(size=32), lambda: _GRID + 0.3 + _rng.normal(size=32), "float64", "location"),
    (lambda: _rng.normal(size=8), lambda: _FROZEN, "float64", "froze"),
    (_joint, _independent, "float64", "joint"),
    (lambda: _rng.normal(size=3), lambda: _rng.normal(size=3).astype(np.float32), None, "float32"),
])
def test_different_distributions_fail(original, replacement, dtype, words):
    if dtype is None:
        o = [Outcome(Outputs(False, [original()], ["float64"])) for _ in range(DRAWS)]
        c = [Outcome(Outputs(False, [replacement()], ["float32"])) for _ in range(DRAWS)]
    else:
        o, c = _sample(original, dtype=dtype), _sample(replacement, dtype=dtype)
    found = compare_draws(o, c, MODES)
    assert found is not None and words in found[0], found


def _job(body, replacement, examples=4, tout=("float64",), signature=(("float32", [None]),)):
    return VerifyJob(original_slice="import numpy as np\n\n" + body, original_expr="f",
                     replacement_source=replacement, replacement_name="f_tf", api="tf.numpy_function",
                     tout=list(tout), tout_is_list=False, signature=[[d, list(s)] for d, s in signature],
                     examples=examples, seed=0, deadline_s=120.0)


def test_verify_site_checks_random_replacements_distributionally():
    body = "def f(x):\n    return x.astype(np.float64) + np.random.normal(0.0, 2.0, size=x.shape)\n"
    good = ("@tf.function\ndef f_tf(x):\n"
            "    return tf.cast(x, tf.float64) + 2.0 * tf.random.normal(tf.shape(x), dtype=tf.float64)\n")
    verdict = verify_site(_job(body, good))
    assert verdict["status"] == "passed", verdict["message"]
    assert verdict["comparison"] == "distributional"
    assert "distributionally" in verdict["message"]
    assert any("checked distributionally" in a for a in verdict["assumptions"])

    wrong = good.replace("2.0 *", "4.0 *")   # variance where the standard deviation belongs
    verdict = verify_site(_job(body, wrong))
    assert verdict["status"] == "failed", verdict["message"]
    assert "spread" in verdict["message"] and verdict["counterexample"]["mode"] == "distributional"


def test_verify_site_catches_a_frozen_draw():
    body = "def f(x):\n    return x.astype(np.float64) + np.random.rand()\n"
    frozen = ("FROZEN = float(__import__('numpy').random.rand())\n"
              "@tf.function\ndef f_tf(x):\n"
              "    tf.random.uniform([])  # a random op that does not reach the result\n"
              "    return tf.cast(x, tf.float64) + FROZEN\n")
    verdict = verify_site(_job(body, frozen))
    assert verdict["status"] == "failed", verdict["message"]
    assert "froze" in verdict["message"]


def test_deterministic_replacements_are_still_compared_exactly():
    body = "def f(x):\n    return x.astype(np.float64) * 2\n"
    verdict = verify_site(_job(body, "@tf.function\ndef f_tf(x):\n    return tf.cast(x, tf.float64) * 2\n"))
    assert verdict["status"] == "passed" and "comparison" not in verdict


def test_report_says_distributional():
    from transpiler.report import _verification_phrase
    phrase = _verification_phrase({"status": "passed", "examples": 22, "modes": ["eager", "traced"],
                                   "comparison": "distributional"})
    assert phrase == "verified distributionally on 22 examples, eager+traced"
