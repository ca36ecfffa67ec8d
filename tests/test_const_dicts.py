"""Constant numeric dicts and sets read with a run-time key: `TABLE[k]`, `TABLE.get(k, d)`, `k in SET`,
converted and compared with the original Python on keys that are found, missing (KeyError where Python raises),
of other dtypes than the stored keys, and negative zero / NaN."""
import numpy as np

from conversion_checks import agree as _agree, refused

SCALE = {0: 1.5, 3: 2.0, -2: 0.25, 7: -1.0}
COUNTS = {1: 10, 2.5: 20, True: 30}      # True is the key 1: {1: 30, 2.5: 20}
LABELS = {0.5: np.float32(1), -0.0: np.float32(2), float("nan"): np.float32(3)}
ALLOWED = {1, 4, 9, 2 ** 40}
FROZEN = frozenset({0.5, -3})


def agree(fn, signature, *inputs_list):
    return _agree(fn, signature, *inputs_list, raises=KeyError, scalar_args=True)


def test_module_dict_lookup_and_get():
    def scaled(x, k):
        return x * SCALE[k]                       # a Python float: weak, x keeps float32
    def with_default(x, k):
        return x * SCALE.get(k, 0.0) + COUNTS.get(k, -1)
    for sig in ("float32[None], int64[]", "float32[None], int8[]", "float32[None], float32[]"):
        agree(scaled, sig, (np.ones(2), 3), (np.ones(2), -2), (np.ones(2), 5), (np.ones(2), 0))
        agree(with_default, sig, (np.ones(2), 1), (np.ones(2), 3), (np.ones(2), 4))
    agree(with_default, "float32[None], float64[]", (np.ones(2), 2.5), (np.ones(2), 1.0), (np.ones(2), 2.4))
    agree(with_default, "float32[None], bool[]", (np.ones(2), True), (np.ones(2), False))


def test_run_time_python_scalar_keys():
    def f(x):
        n = int(x.sum())                        # a run-time Python int
        return np.float32(SCALE.get(n, 9.5)) + (n in ALLOWED)
    agree(f, "int64[None]", np.array([1, 2]), np.array([2, -4]), np.array([2 ** 39, 2 ** 39]),
          np.array([], np.int64))


def test_float_keys_negative_zero_and_nan():
    def f(k):
        return LABELS[k]                        # NumPy scalar values keep their dtype
    agree(f, "float32[]", 0.5, 0.0, -0.0, np.nan, 1.0)
    agree(f, "float16[]", 0.5, np.nan)


def test_sets_and_dict_keys_in_the_function():
    def f(k):
        table = {2: 7, 5: 11}
        odd = {1, 3, 5}
        return (k in odd) + table.get(k, 0) * (k not in FROZEN) + (k in table) + (k in (2, 4))
    agree(f, "int32[]", 1, 2, 5, 4, -3, 0)
    agree(f, "float64[]", 0.5, 5.0, 2.0, 4.0, -3.0)


def test_refused_lookups():
    def unhashable(x):
        return SCALE[x]
    refused(unhashable, "int64[None]", "P301", "unhashable")

    def mixed_values(k):
        return {0: 1, 1: 2.5}[k]
    refused(mixed_values, "int64[]", "P202", "one type")

    def default_type(k):
        return SCALE.get(k)
    refused(default_type, "int64[]", "P202", "default")

    def float32_list(k):
        return k in [0.1, 0.2]                  # NumPy rounds 0.1 to float32 before ==
    refused(float32_list, "float32[]", "P202", "cannot hold exactly")

    def never(k):
        return {0.5: 1}[k]
    refused(never, "int32[]", "P212", "KeyError")
