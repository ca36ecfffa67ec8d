"""Searching and set routines: searchsorted, digitize, lexsort, unique (with its return_* flags), isin and the
1-D set operations (intersect1d, union1d, setdiff1d, setxor1d).

Order follows NumPy's sort order: NaN after everything, -0.0 equal to 0.0. Floats are searched through integer
keys with that order (bit patterns, NaN made canonical), so tf.searchsorted compares exactly as NumPy's binary
search does. NumPy's binary search on an unsorted array returns a result that depends on its implementation;
the replacement raises there instead. Set routines follow NumPy's own steps (unique each side, sort the
concatenation, compare neighbours), so NaN behaves as in NumPy (never equal, except that unique collapses NaNs
with equal_nan=True); which of -0.0 and 0.0 is kept may differ (NumPy's sort there is not stable).
"""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.values import Seq, Static, Tensor

from .args import REQUIRED, bind, static, tensor
from .registry import S, lowering
from .sorting import _argsort_last_axis


def _flat(ctx, x: Tensor) -> Tensor:
    x = ctx.materialize(x, "x")
    if x.rank == 1:
        return x
    n = 1
    for d in x.shape:
        n = None if d is None or n is None else n * d
    return Tensor(ctx.bind(f"tf.reshape({x.expr}, [-1])", "flat"), x.dtype, (n,))


def _check_kind(x: Tensor, what: str, node):
    kind = np.dtype(x.dtype).kind
    if kind not in "biuf":
        raise Refusal("P201", f"{what} of {x.dtype} is not supported", node)
    if x.dtype == "uint64":
        raise Refusal("P201", f"{what} of uint64 is not supported (no exact int64 order key)", node)


def order_key(ctx, x: Tensor) -> str:
    """int64 keys whose order is NumPy's sort order of x's values (NaN last, -0.0 == 0.0)."""
    kind = np.dtype(x.dtype).kind
    if kind in "iub":
        return ctx.bind(code.cast(x.expr, x.dtype, "int64"), "key")
    bits = np.dtype(x.dtype).itemsize * 8
    sint = {16: "tf.int16", 32: "tf.int32", 64: "tf.int64"}[bits]
    x = ctx.materialize(x, "x")
    canon = (f"tf.where(tf.math.is_nan({x.expr}), tf.fill(tf.shape({x.expr}), {code.constant(np.nan, x.dtype)}), "
             f"tf.where(tf.math.equal({x.expr}, 0), tf.zeros_like({x.expr}), {x.expr}))")
    b = ctx.bind(f"tf.bitcast({canon}, {sint})", "bits")
    # negative floats: larger magnitude is smaller, so their bit patterns are mirrored below zero
    key = f"tf.where({b} < 0, tf.constant({-(1 << (bits - 1))}, {sint}) - {b}, {b})"
    return ctx.bind(f"tf.cast({key}, tf.int64)", "key")


def _common(a: Tensor, b: Tensor, what: str, node) -> str:
    dt = np.promote_types(np.dtype(a.dtype), np.dtype(b.dtype)).name
    if np.dtype(dt).kind not in "biuf" or dt == "uint64":
        raise Refusal("P201", f"{what} between {a.dtype} and {b.dtype} (compared as {dt}) is not supported", node)
    return dt


def _as(x: Tensor, dt: str) -> Tensor:
    return Tensor(code.cast(x.expr, x.dtype, dt), dt, x.shape)


def _sorted_keys_search(ctx, akey: str, v: Tensor, vkey: str, side: str, what: str) -> str:
    """int64 positions of v's keys in the sorted 1-D keys `akey`; raises when akey is not sorted."""
    code.check(ctx, f"tf.math.logical_or(tf.math.equal(tf.size({vkey}), 0), "
                    f"tf.math.reduce_all({akey}[1:] >= {akey}[:-1]))",
               f"{what}: the array searched is not sorted (NumPy leaves the result unspecified)", scalar=True)
    flat = f"tf.reshape({vkey}, [-1])"
    pos = f"tf.searchsorted({akey}, {flat}, side='{side}', out_type=tf.int64)"
    return pos if v.rank == 1 else f"tf.reshape({pos}, tf.shape({vkey}))"


@lowering("numpy.searchsorted", "tf.searchsorted", status="partial",
          limits="`a` must be sorted (NumPy's result on unsorted input is unspecified; the replacement raises); "
                 "sorter values out of range raise",
          samples=(S("{f}(np.sort(a), v)", a="n[m]", v="n[k,n]"), S("{f}(np.sort(a), v, side='right')", a="a[m]", v="a[k]"),
                   S("{f}(np.sort(a), 0.1)", a="f[m]"), S("{f}(np.sort(a), v, side='right')", a="f[m]", v="f[]"),
                   S("{f}(a, v, sorter=np.argsort(a, kind='stable'))", a="n[m]", v="n[k]")))
def searchsorted(ctx, args, kwargs, node):
    p = bind("np.searchsorted", args, kwargs, [("a", REQUIRED), ("v", REQUIRED), ("side", "left"), ("sorter", None)],
             node)
    a, v = tensor(ctx, p["a"], node), tensor(ctx, p["v"], node)
    side = static(p["side"], "side", node)
    if side not in ("left", "right"):
        raise Refusal("P301", f"np.searchsorted: side={side!r}: NumPy raises", node)
    if a.rank != 1:
        raise Refusal("P301", "np.searchsorted needs a 1-D array: NumPy raises", node)
    dt = _common(a, v, "np.searchsorted", node)
    a = ctx.materialize(_as(a, dt), "a")
    if not (isinstance(p["sorter"], Static) and p["sorter"].value is None):
        sorter = tensor(ctx, p["sorter"], node)
        if np.dtype(sorter.dtype).kind not in "iu" or sorter.rank != 1:
            raise Refusal("P301", "np.searchsorted: sorter must be a 1-D integer array: NumPy raises", node)
        s = ctx.bind(code.cast(sorter.expr, sorter.dtype, "int64"), "sorter")
        n = ctx.bind(f"tf.size({a.expr}, out_type=tf.int64)", "n")
        code.check(ctx, f"tf.math.equal(tf.size({s}, out_type=tf.int64), {n})", "sorter.size must equal a.size",
                   scalar=True)
        code.check(ctx, f"tf.math.logical_and({s} >= 0, {s} < {n})", "Sorter index out of range.")
        a = Tensor(ctx.bind(f"tf.gather({a.expr}, {s})", "a"), dt, a.shape)
    v = ctx.materialize(_as(v, dt), "v")
    pos = _sorted_keys_search(ctx, order_key(ctx, a), v, order_key(ctx, v), side, "np.searchsorted")
    return Tensor(pos, "int64", v.shape, ident=new_ident())


@lowering("numpy.digitize", "tf.searchsorted", status="partial",
          limits="bins that pass NumPy's monotonicity check but are not sorted (NaN inside) raise instead of "
                 "giving NumPy's unspecified result",
          samples=(S("{f}(x, np.sort(b))", x="n[m,n]", b="n[k]"), S("{f}(x, np.sort(b), right=True)", x="a[m]", b="a[k]"),
                   S("{f}(x, np.sort(b)[::-1])", x="f[m]", b="f[k]"), S("{f}(x, b)", x="f[m]", b="f[k]", finite=True),
                   S("{f}(x, [0.5, 1, 2])", x="n[m]"), S("{f}(x, np.sort(b)[::-1], right=True)", x="i[m]", b="i[k]")))
def digitize(ctx, args, kwargs, node):
    p = bind("np.digitize", args, kwargs, [("x", REQUIRED), ("bins", REQUIRED), ("right", False)], node)
    x, bins = tensor(ctx, p["x"], node), tensor(ctx, p["bins"], node)
    right = bool(static(p["right"], "right", node))
    if bins.rank != 1:
        raise Refusal("P301", "np.digitize: bins must be 1-d: NumPy raises", node)
    dt = _common(bins, x, "np.digitize", node)
    bins = ctx.materialize(bins, "bins")
    # NumPy's _monotonicity, on the bins as float64: skip the leading run equal to bins[0], then the first
    # different value sets the direction; NaN there means neither
    b = ctx.bind(code.cast(bins.expr, bins.dtype, "float64"), "b")
    n = ctx.bind(f"tf.size({b}, out_type=tf.int64)", "nbins")
    first = ctx.bind(f"tf.concat([{b}, [0.0]], 0)[0]", "first")
    neq = ctx.bind(f"tf.math.not_equal({b}[1:], {first})", "neq")
    has = ctx.bind(f"tf.math.reduce_any({neq})", "has")
    i = ctx.bind(f"1 + tf.math.argmax(tf.concat([tf.cast({neq}, tf.int8), [1]], 0), output_type=tf.int64)", "i")
    nxt = ctx.bind(f"tf.gather(tf.concat([{b}, [0.0, 0.0]], 0), {i})", "nxt")
    after = ctx.bind(f"tf.range(tf.math.maximum({n} - 1, 0)) >= {i}", "after")
    up = ctx.bind(f"{first} < {nxt}", "up")     # else (NaN included) NumPy takes the decreasing branch
    inc = ctx.bind(f"tf.math.logical_not(tf.math.reduce_any(tf.math.logical_and({after}, {b}[:-1] > {b}[1:])))",
                   "inc")
    dec = ctx.bind(f"tf.math.logical_not(tf.math.reduce_any(tf.math.logical_and({after}, {b}[:-1] < {b}[1:])))",
                   "dec")
    code.check(ctx, f"tf.math.logical_or(tf.math.logical_not({has}), tf.where({up}, {inc}, {dec}))",
               "bins must be monotonically increasing or decreasing", scalar=True)
    down = ctx.bind(f"tf.math.logical_and({has}, tf.math.logical_not({up}))", "down")
    bkey = order_key(ctx, _as(bins, dt))
    bkey = ctx.bind(f"tf.where({down}, tf.reverse({bkey}, [0]), {bkey})", "bkey")
    x = ctx.materialize(_as(x, dt), "x")
    pos = ctx.bind(_sorted_keys_search(ctx, bkey, x, order_key(ctx, x), "left" if right else "right", "np.digitize"),
                   "pos")
    return Tensor(f"tf.where({down}, {n} - {pos}, {pos})", "int64", x.shape, ident=new_ident())


@lowering("numpy.lexsort", "tf.argsort", status="partial",
          limits="keys: a list of 1-D arrays or a 2-D array with a known number of rows; axis=-1 only",
          samples=(S("{f}((x, y))", x="a[m]", y="a[m]"), S("{f}([x, y, x])", x="i[m]@0:2", y="f[m]"),
                   S("{f}(x)", x="a[2,m]")))
def lexsort(ctx, args, kwargs, node):
    p = bind("np.lexsort", args, kwargs, [("keys", REQUIRED), ("axis", -1)], node)
    if static(p["axis"], "axis", node) not in (-1, 0):
        raise Refusal("P205", "np.lexsort with axis other than -1 is not converted", node)
    keys = p["keys"]
    if isinstance(keys, Seq):
        items = [tensor(ctx, k, node) for k in keys.items]
    else:
        k = tensor(ctx, keys, node)
        if k.rank != 2 or k.shape[0] is None:
            raise Refusal("P202", "np.lexsort of an array needs a 2-D array with a number of rows known when "
                                  "converting", node)
        k = ctx.materialize(k, "keys")
        items = [Tensor(f"{k.expr}[{i}]", k.dtype, k.shape[1:]) for i in range(k.shape[0])]
    if not items:
        raise Refusal("P301", "np.lexsort: need sequence of keys with len > 0: NumPy raises", node)
    if any(t.rank != 1 for t in items):
        raise Refusal("P205", "np.lexsort of keys that are not 1-D is not converted", node)
    for t in items:
        _check_kind(t, "np.lexsort", node)
    items = [ctx.materialize(t, "key") for t in items]
    if len(items) > 1:
        code.check(ctx, [f"tf.math.equal(tf.size({t.expr}), tf.size({items[0].expr}))" for t in items[1:]],
                   "all keys need to be the same shape", scalar=True)
    # stable sorts from the least significant key (the first) to the primary one (the last)
    order = ctx.bind(f"tf.range(tf.size({items[0].expr}))", "order")
    for t in items:
        sub = ctx.materialize(Tensor(f"tf.gather({t.expr}, {order})", t.dtype, t.shape), "k")
        step = _argsort_last_axis(ctx, sub, 1)
        order = ctx.bind(f"tf.gather({order}, {step})", "order")
    return Tensor(f"tf.cast({order}, tf.int64)", "int64", items[0].shape, ident=new_ident())


# -- unique and sets ---------------------------------------------------------------------------------------

def _sorted(ctx, x: Tensor) -> tuple[Tensor, str]:
    """(x sorted in NumPy's order, int32 stable order) of a 1-D tensor."""
    order = _argsort_last_axis(ctx, x, 1)
    return Tensor(ctx.bind(f"tf.gather({x.expr}, {order})", "s"), x.dtype, (x.shape[0],)), order


def _run_starts(ctx, s: Tensor, equal_nan: bool) -> str:
    """bool mask of the first element of each run of equal values in sorted `s` (NumPy's unique mask)."""
    neq = f"tf.math.not_equal({s.expr}[1:], {s.expr}[:-1])"
    if equal_nan and np.dtype(s.dtype).kind == "f":
        neq = (f"tf.math.logical_and({neq}, tf.math.logical_not(tf.math.logical_and(tf.math.is_nan({s.expr}[1:]), "
               f"tf.math.is_nan({s.expr}[:-1]))))")
    return ctx.bind(f"tf.concat([tf.size({s.expr}) > tf.range(tf.minimum(tf.size({s.expr}), 1)), {neq}], 0)", "first")


def unique_parts(ctx, x: Tensor, node, index=False, inverse=False, counts=False, equal_nan=True) -> list[Tensor]:
    _check_kind(x, "np.unique", node)
    flat = _flat(ctx, x)
    s, order = _sorted(ctx, flat)
    mask = _run_starts(ctx, s, equal_nan)
    out = [Tensor(f"tf.boolean_mask({s.expr}, {mask})", x.dtype, (None,), ident=new_ident())]
    if index:
        out.append(Tensor(f"tf.cast(tf.boolean_mask({order}, {mask}), tf.int64)", "int64", (None,), ident=new_ident()))
    if inverse:
        cs = ctx.bind(f"tf.math.cumsum(tf.cast({mask}, tf.int64)) - 1", "run")
        inv = f"tf.scatter_nd(tf.expand_dims({order}, 1), {cs}, tf.shape({cs}, out_type=tf.int32))"
        if x.rank != 1:
            inv = f"tf.reshape({inv}, tf.shape({ctx.materialize(x, 'x').expr}))"
        out.append(Tensor(inv, "int64", x.shape, ident=new_ident()))
    if counts:
        starts = ctx.bind(f"tf.where({mask})[:, 0]", "starts")
        out.append(Tensor(f"tf.concat([{starts}[1:], tf.size({s.expr}, out_type=tf.int64)[None]], 0) - {starts}",
                          "int64", (None,), ident=new_ident()))
    return out


@lowering("numpy.unique", "tf.boolean_mask", status="partial",
          limits="axis= and sorted=False refused; when -0.0 and 0.0 both occur, which one is kept may differ",
          samples=(S("{f}(x)", x="a[m,n]"), S("{f}(x, return_index=True, return_inverse=True, return_counts=True)",
                                              x="a[m,n]"),
                   S("{f}(x, return_counts=True, equal_nan=False)", x="f[m]"), S("{f}(x, return_inverse=True)", x="a[]"),
                   S("{f}(x, return_index=True)", x="i[m]@-2:2")))
def unique(ctx, args, kwargs, node):
    p = bind("np.unique", args, kwargs, [("ar", REQUIRED), ("return_index", False), ("return_inverse", False),
                                         ("return_counts", False), ("axis", None), ("equal_nan", True),
                                         ("sorted", True)], node, refuse_unless_default=("axis", "sorted"))
    flags = [bool(static(p[k], k, node)) for k in ("return_index", "return_inverse", "return_counts")]
    parts = unique_parts(ctx, tensor(ctx, p["ar"], node), node, *flags,
                         equal_nan=bool(static(p["equal_nan"], "equal_nan", node)))
    return parts[0] if len(parts) == 1 else Seq(tuple(parts), "tuple")


def isin_tensor(ctx, e: Tensor, t: Tensor, invert: bool, node, what: str = "np.isin") -> Tensor:
    for v in (e, t):
        if np.dtype(v.dtype).kind not in "biuf":
            raise Refusal("P201", f"{what} of {v.dtype} is not supported", node)
    kinds = {e.dtype, t.dtype}
    if "uint64" in kinds and any(np.dtype(d).kind == "i" for d in kinds):
        raise Refusal("P201", f"{what} between uint64 and signed integers: NumPy compares them exactly or as "
                              "float64 depending on the sizes", node)
    dt = np.result_type(np.dtype(e.dtype), np.dtype(t.dtype)).name
    e = ctx.materialize(e, "e")
    ef = ctx.bind(code.cast(f"tf.reshape({e.expr}, [-1, 1])", e.dtype, dt), "e")
    tf_ = ctx.materialize(t, "t")
    tt = ctx.bind(code.cast(f"tf.reshape({tf_.expr}, [1, -1])", t.dtype, dt), "t")
    found = f"tf.math.reduce_any(tf.math.equal({ef}, {tt}), axis=1)"
    if invert:
        found = f"tf.math.logical_not({found})"
    expr = found if e.rank == 1 else f"tf.reshape({found}, tf.shape({e.expr}))"
    return Tensor(expr, "bool", e.shape, ident=new_ident())


@lowering("numpy.isin", "tf.math.equal", status="partial",
          limits="assume_unique=True refused (NumPy's result on non-unique input depends on the method it picks); "
                 "uint64 against signed integers refused",
          samples=(S("{f}(x, y)", x="a[m,n]", y="a[k]"), S("{f}(x, y, invert=True)", x="n[m]", y="n[k,n]"),
                   S("{f}(x, [1, 2.5])", x="n[m]"), S("{f}(x, 2)", x="a[m,n]"), S("{f}(x, y, kind='sort')", x="i[m]",
                                                                                 y="i[k]")))
def isin(ctx, args, kwargs, node):
    p = bind("np.isin", args, kwargs, [("element", REQUIRED), ("test_elements", REQUIRED), ("assume_unique", False),
                                       ("invert", False), ("kind", None)], node, refuse_unless_default=("assume_unique",))
    e, t = tensor(ctx, p["element"], node), tensor(ctx, p["test_elements"], node)
    kind = static(p["kind"], "kind", node)
    if kind not in (None, "sort", "table"):
        raise Refusal("P301", f"np.isin: kind={kind!r}: NumPy raises", node)
    if kind == "table" and not all(np.dtype(v.dtype).kind in "iub" for v in (e, t)):
        raise Refusal("P301", "np.isin(kind='table') needs integer arrays: NumPy raises", node)
    return isin_tensor(ctx, e, t, bool(static(p["invert"], "invert", node)), node)


def _concat_sorted(ctx, a: Tensor, b: Tensor, node, what) -> Tensor:
    dt = np.result_type(np.dtype(a.dtype), np.dtype(b.dtype)).name
    joined = Tensor(ctx.bind(f"tf.concat([{code.cast(a.expr, a.dtype, dt)}, {code.cast(b.expr, b.dtype, dt)}], 0)",
                             "aux"), dt, (None,))
    _check_kind(joined, what, node)
    return _sorted(ctx, joined)[0]


def _set_inputs(ctx, p, node, what, assume_unique):
    a, b = tensor(ctx, p["ar1"], node), tensor(ctx, p["ar2"], node)
    _check_kind(a, what, node)
    _check_kind(b, what, node)
    if assume_unique:
        return _flat(ctx, a), _flat(ctx, b)
    return (ctx.materialize(unique_parts(ctx, a, node)[0], "u"), ctx.materialize(unique_parts(ctx, b, node)[0], "u"))


@lowering("numpy.intersect1d", "tf.boolean_mask", status="partial", limits="return_indices=True refused",
          samples=(S("{f}(x, y)", x="a[m,n]", y="a[k]"), S("{f}(x, y)", x="f[m]", y="i[k]"),
                   S("{f}(x, y, assume_unique=True)", x="i[m]@-3:3", y="i[k]@-3:3")))
def intersect1d(ctx, args, kwargs, node):
    p = bind("np.intersect1d", args, kwargs, [("ar1", REQUIRED), ("ar2", REQUIRED), ("assume_unique", False),
                                              ("return_indices", False)], node,
             refuse_unless_default=("return_indices",))
    a, b = _set_inputs(ctx, p, node, "np.intersect1d", bool(static(p["assume_unique"], "assume_unique", node)))
    aux = _concat_sorted(ctx, a, b, node, "np.intersect1d")
    return Tensor(f"tf.boolean_mask({aux.expr}[:-1], tf.math.equal({aux.expr}[1:], {aux.expr}[:-1]))", aux.dtype,
                  (None,), ident=new_ident())


@lowering("numpy.union1d", "tf.boolean_mask",
          samples=(S("{f}(x, y)", x="a[m,n]", y="a[k]"), S("{f}(x, y)", x="f[m]", y="i[k]")))
def union1d(ctx, args, kwargs, node):
    p = bind("np.union1d", args, kwargs, [("ar1", REQUIRED), ("ar2", REQUIRED)], node)
    a, b = _flat(ctx, tensor(ctx, p["ar1"], node)), _flat(ctx, tensor(ctx, p["ar2"], node))
    dt = np.result_type(np.dtype(a.dtype), np.dtype(b.dtype)).name
    joined = Tensor(ctx.bind(f"tf.concat([{code.cast(a.expr, a.dtype, dt)}, {code.cast(b.expr, b.dtype, dt)}], 0)",
                             "aux"), dt, (None,))
    return unique_parts(ctx, joined, node)[0]


@lowering("numpy.setdiff1d", "tf.boolean_mask", status="partial",
          limits="assume_unique=True refused (NumPy's result on non-unique input depends on the method it picks)",
          samples=(S("{f}(x, y)", x="a[m,n]", y="a[k]"), S("{f}(x, y)", x="f[m]", y="i[k]")))
def setdiff1d(ctx, args, kwargs, node):
    p = bind("np.setdiff1d", args, kwargs, [("ar1", REQUIRED), ("ar2", REQUIRED), ("assume_unique", False)], node,
             refuse_unless_default=("assume_unique",))
    a, b = _set_inputs(ctx, p, node, "np.setdiff1d", False)
    keep = isin_tensor(ctx, a, b, True, node, "np.setdiff1d")
    return Tensor(f"tf.boolean_mask({a.expr}, {keep.expr})", a.dtype, (None,), ident=new_ident())


@lowering("numpy.setxor1d", "tf.boolean_mask",
          samples=(S("{f}(x, y)", x="a[m,n]", y="a[k]"), S("{f}(x, y)", x="f[m]", y="i[k]"),
                   S("{f}(x, y, assume_unique=True)", x="i[m]@-3:3", y="f[k]")))
def setxor1d(ctx, args, kwargs, node):
    p = bind("np.setxor1d", args, kwargs, [("ar1", REQUIRED), ("ar2", REQUIRED), ("assume_unique", False)], node)
    a, b = _set_inputs(ctx, p, node, "np.setxor1d", bool(static(p["assume_unique"], "assume_unique", node)))
    aux = _concat_sorted(ctx, a, b, node, "np.setxor1d")
    n = ctx.bind(f"tf.size({aux.expr})", "n")
    flag = ctx.bind(f"tf.concat([[True], tf.math.not_equal({aux.expr}[1:], {aux.expr}[:-1]), [True]], 0)", "flag")
    keep = f"tf.math.logical_and({flag}[1:], {flag}[:-1])[:{n}]"
    return Tensor(f"tf.boolean_mask({aux.expr}, {keep})", aux.dtype, (None,), ident=new_ident())
