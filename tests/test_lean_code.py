"""Lowerings rewritten to emit fewer ops keep NumPy's results exactly: each is compared with NumPy on the
inputs where a cheaper form could go wrong (special float values, broadcasting)."""
import numpy as np

from conversion_checks import same


def test_argsort_of_floats_with_every_special_value_is_numpys_stable_order():
    # one argsort of an integer key (opmap/sorting.py): -0.0 ties with 0.0, NaN last, infinities in place
    def f(x):
        return np.argsort(x, kind="stable")
    specials = [0.0, -0.0, np.nan, np.inf, -np.inf, 1e-30, -1e-30, 3.4e38, -3.4e38, 1.0, -1.0, 2.0, -2.0]
    rng = np.random.default_rng(0)
    inputs = [rng.choice(specials, size=rng.integers(0, 16)) for _ in range(20)]
    same(f, "float32[None]", *[x.astype(np.float32) for x in inputs])
    same(f, "float64[None]", *inputs)


def test_where_broadcasts_scalars_rows_and_columns_as_numpy_does():
    def f(c, a):
        return np.where(c, 1, 0) + np.where(c[:, :1], a, 0.5) + np.where(c[0], -a, a)
    c = np.array([[True, False, True], [False, False, True]])
    a = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    native = same(f, "bool[None,None], float32[None,None]", (c, a), (c[:1], a[:1]), (c[:, :0], a[:, :0]))
    assert "broadcast_to" not in native.source
