"""Sorting: argsort and sort with NumPy's order (NaN last) and, for ties, a stable order.

NumPy's default sort kind leaves the order of ties unspecified; the lowering is always stable, which
is what kind="stable" promises and what NumPy's small-array sorts do. Verification compares the two
on generated inputs, ties included.
"""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.shapes import normalize_axis
from transpiler.lower.values import Static, Tensor

from .args import REQUIRED, bind, static, tensor
from .registry import S, add_samples, lowering


def _argsort_last_axis(ctx, x: Tensor, rank: int) -> str:
    """Stable ascending argsort along the last axis, NaN after everything (as NumPy)."""
    if x.dtype == "bool":
        x = Tensor(f"tf.cast({x.expr}, tf.int8)", "int8", x.shape)
    if np.dtype(x.dtype).kind != "f":
        return ctx.bind(f"tf.argsort({x.expr}, axis=-1, stable=True)", "order")
    x = ctx.materialize(x, "x")
    if x.dtype in _SORT_KEY_BITS:
        return ctx.bind(f"tf.argsort({_sort_key(ctx, x)}, axis=-1, stable=True)", "order")
    isnan = ctx.bind(f"tf.math.is_nan({x.expr})", "isnan")
    inf = code.constant(np.inf, x.dtype)
    first = ctx.bind(f"tf.argsort(tf.where({isnan}, {inf}, {x.expr}), axis=-1, stable=True)", "order")
    nan_rank = ctx.bind(f"tf.gather(tf.cast({isnan}, tf.int32), {first}, batch_dims={rank - 1}, axis=-1)", "nanpos")
    second = ctx.bind(f"tf.argsort({nan_rank}, axis=-1, stable=True)", "order")
    return ctx.bind(f"tf.gather({first}, {second}, batch_dims={rank - 1}, axis=-1)", "order")


_SORT_KEY_BITS = {"float32": ("tf.int32", 0x7FFFFFFF), "float64": ("tf.int64", 0x7FFFFFFFFFFFFFFF)}


def _sort_key(ctx, x: Tensor) -> str:
    """An integer per float that sorts as NumPy sorts the floats, so that one stable argsort does: the IEEE
    bits read as a signed integer order the positive floats; flipping the magnitude bits of the negative
    ones orders those too. -0.0 is made +0.0 first (NumPy: equal, so ties), and every NaN gets the largest
    key (after +inf, ties among themselves: NumPy puts NaN last in their order)."""
    itype, magnitude = _SORT_KEY_BITS[x.dtype]
    zero = code.constant(0.0, x.dtype)
    bits = ctx.bind(f"tf.bitcast(tf.where(tf.math.equal({x.expr}, {zero}), {zero}, {x.expr}), {itype})", "bits")
    key = f"tf.where({bits} < 0, tf.bitwise.bitwise_xor({bits}, tf.constant({magnitude}, {itype})), {bits})"
    return f"tf.where(tf.math.is_nan({x.expr}), tf.constant({magnitude}, {itype}), {key})"


def argsort_tensor(ctx, x: Tensor, axis, node) -> tuple[Tensor, Tensor, int, list | None]:
    """(possibly moved/flattened input, int32 order along the last axis, rank, perm to move back)."""
    x, perm = _last_axis(ctx, x, axis, node)
    order = _argsort_last_axis(ctx, x, x.rank)
    return x, Tensor(order, "int32", x.shape), x.rank, perm


def _last_axis(ctx, x: Tensor, axis, node) -> tuple[Tensor, list | None]:
    """The input with the sorted axis moved last (flattened for axis=None), and the perm that moved it."""
    if np.dtype(x.dtype).kind == "c":
        raise Refusal("P201", "sorting complex numbers is not supported", node)
    if axis is None:
        x = ctx.materialize(x, "x")
        x = Tensor(f"tf.reshape({x.expr}, [-1])", x.dtype, (None,))
        ax = 0
    else:
        if x.rank == 0:
            raise Refusal("P301", "sorting a 0-d array along an axis: NumPy raises", node)
        ax = normalize_axis(axis, x.rank, node)
    perm = None
    if ax != x.rank - 1:
        perm = list(range(x.rank))
        perm[ax], perm[-1] = perm[-1], perm[ax]
        x = Tensor(f"tf.transpose({x.expr}, {perm})", x.dtype, tuple(x.shape[i] for i in perm))
    return ctx.materialize(x, "x"), perm


def _bind_sort(name, args, kwargs, node):
    p = bind(name, args, kwargs, [("a", REQUIRED), ("axis", -1), ("kind", None), ("order", None),
                                  ("stable", None)], node, refuse_unless_default=("order",))
    kind = static(p["kind"], "kind", node)
    if kind not in (None, "stable", "quicksort", "mergesort", "heapsort"):
        raise Refusal("P205", f"{name}: kind={kind!r}", node)
    return p, static(p["axis"], "axis", node)


def _sort_lowering(name, result):
    """np.argsort and np.sort share everything but what they read from the order: `result(moved,
    order, rank) -> (expr, dtype)`; the moved axis goes back where NumPy keeps it."""
    def lower(ctx, args, kwargs, node):
        p, axis = _bind_sort(name, args, kwargs, node)
        moved, order, rank, perm = argsort_tensor(ctx, tensor(ctx, p["a"], node), axis, node)
        expr, dtype = result(moved, order, rank)
        shape = moved.shape
        if perm is not None:
            expr = f"tf.transpose({expr}, {perm})"
            shape = tuple(shape[i] for i in perm)
        return Tensor(expr, dtype, shape, ident=new_ident())
    return lower


lowering("numpy.argsort", "tf.argsort", status="partial",
         limits="always stable: ties keep their order (NumPy's default kind leaves it unspecified)")(
    _sort_lowering("np.argsort", lambda moved, order, rank: (f"tf.cast({order.expr}, tf.int64)", "int64")))
lowering("numpy.sort", "tf.sort", limits="NaN sorted last, as NumPy")(
    _sort_lowering("np.sort", lambda moved, order, rank: (
        f"tf.gather({moved.expr}, {order.expr}, batch_dims={rank - 1}, axis=-1)", moved.dtype)))


def _quantiles(ctx, name, x: Tensor, qs: list[float], axis, keepdims: bool, node, median: bool = False) -> Tensor:
    """NumPy's default 'linear' method: sort (NaN last), interpolate with NumPy's own lerp; NaN in -> NaN out."""
    from transpiler.lower.dtypes import probe, result_dtype
    out_dtype = result_dtype(probe(getattr(np, name), [x, Static(qs if len(qs) > 1 else qs[0])],
                                   {"axis": axis}, node, f"np.{name}"))
    if np.dtype(out_dtype).kind != "f" or keepdims:
        raise Refusal("P205", f"np.{name} with keepdims or non-float results is not converted yet", node)
    if np.dtype(x.dtype).kind == "c":
        raise Refusal("P201", "sorting complex numbers is not supported", node)
    moved, _ = _last_axis(ctx, x, axis, node)
    # Only the sorted values matter, and any NaN makes the result NaN (has_nan below): NaN sorts as +inf and
    # one tf.sort does (stable in effect: it is top_k of the negated values, which keeps ties in index order)
    sortable = moved.expr
    if np.dtype(moved.dtype).kind == "f":
        has_nan_in = ctx.bind(f"tf.math.is_nan({moved.expr})", "isnan")
        sortable = f"tf.where({has_nan_in}, {code.constant(np.inf, moved.dtype)}, {moved.expr})"
    elif moved.dtype == "bool":
        sortable = f"tf.cast({sortable}, tf.int8)"
    vals = ctx.bind(f"tf.sort({sortable}, axis=-1)", "sorted")     # its own line: shared by other quantiles
    vals = ctx.bind(code.cast(vals, "int8" if moved.dtype == "bool" else moved.dtype, out_dtype), "sorted")
    n = ctx.bind(f"tf.shape({vals})[-1]", "n")
    tdt = code.tf_dtype(out_dtype)
    if median:
        # np.median of nothing is the mean of nothing: NaN (a warning, not an error)
        vals = ctx.bind(f"tf.cond({n} > 0, lambda: {vals}, lambda: tf.fill(tf.concat([tf.shape({vals})[:-1], [1]], 0), "
                        f"tf.constant(float('nan'), {tdt})))", "sorted")
        n = ctx.bind(f"tf.shape({vals})[-1]", "n")
    else:
        code.check(ctx, f"{n} > 0", "index -1 is out of bounds (empty input)", scalar=True)
    has_nan = ctx.bind(f"tf.math.reduce_any({has_nan_in}, axis=-1)" if np.dtype(moved.dtype).kind == "f"
                       else f"tf.zeros(tf.shape({vals})[:-1], tf.bool)", "has_nan")
    outs = []
    if median:
        # NumPy: the mean of the middle element(s) of the partition; float16 means accumulate in float32
        lo = ctx.bind(f"({n} - 1) // 2", "lo")
        hi = ctx.bind(f"{n} // 2", "hi")
        acc = "float32" if out_dtype == "float16" else out_dtype
        a = code.cast(f"tf.gather({vals}, {lo}, axis=-1)", out_dtype, acc)
        b = code.cast(f"tf.gather({vals}, {hi}, axis=-1)", out_dtype, acc)
        mid = code.cast(f"tf.where({lo} == {hi}, {a}, ({a} + {b}) / 2)", acc, out_dtype)
        qs = []
        outs.append(f"tf.where({has_nan}, tf.constant(float('nan'), {tdt}), {mid})")
    for q in qs:
        frac = q / 100.0 if name == "percentile" else q
        pos = ctx.bind(f"{frac!r} * tf.cast({n} - 1, tf.float64)", "pos")
        lo = ctx.bind(f"tf.cast(tf.math.floor({pos}), tf.int32)", "lo")
        hi = ctx.bind(f"tf.math.minimum({lo} + 1, {n} - 1)", "hi")
        t = ctx.bind(f"tf.cast({pos} - tf.math.floor({pos}), {code.tf_dtype(out_dtype)})", "t")
        a = ctx.bind(f"tf.gather({vals}, {lo}, axis=-1)", "a")
        b = ctx.bind(f"tf.gather({vals}, {hi}, axis=-1)", "b")
        d = ctx.bind(f"{b} - {a}", "d")
        # NumPy's _lerp: a + d*t, or b - d*(1-t) for t >= 0.5
        val = f"tf.where({t} >= 0.5, {b} - {d} * (1 - {t}), {a} + {d} * {t})"
        outs.append(f"tf.where({has_nan}, tf.constant(float('nan'), {code.tf_dtype(out_dtype)}), {val})")
    shape = moved.shape[:-1]
    if len(outs) == 1:
        return Tensor(outs[0], out_dtype, shape, ident=new_ident())
    return Tensor(f"tf.stack([{', '.join(outs)}], axis=0)", out_dtype, (len(outs),) + shape, ident=new_ident())


def _quantile_lowering(name):
    def lower(ctx, args, kwargs, node):
        spec = [("a", REQUIRED), ("q", REQUIRED), ("axis", None), ("out", None), ("overwrite_input", False),
                ("method", "linear"), ("keepdims", False)]
        if name == "median":
            spec = [("a", REQUIRED), ("axis", None), ("out", None), ("overwrite_input", False), ("keepdims", False)]
        p = bind(f"np.{name}", args, kwargs, spec, node, refuse_unless_default=("out",) + (
            ("method",) if name != "median" else ()))
        x = tensor(ctx, p["a"], node)
        if np.dtype(x.dtype).kind not in "fiub":
            raise Refusal("P201", f"np.{name} of {x.dtype}", node)
        axis = static(p["axis"], "axis", node)
        if isinstance(axis, (tuple, list)):
            raise Refusal("P205", f"np.{name} over several axes is not converted yet", node)
        if name == "median":
            qs, single = [50.0], True
            name_ = "percentile"
        else:
            q = static(p["q"], "q", node)
            single = np.ndim(q) == 0
            qs = [float(v) for v in np.atleast_1d(q)]
            lim = 100 if name == "percentile" else 1
            if any(not 0 <= v <= lim for v in qs):
                raise Refusal("P301", f"np.{name}: q out of range: NumPy raises", node)
            name_ = name
        keep = bool(static(p["keepdims"], "keepdims", node))
        if x.rank == 2 and axis is not None and normalize_axis(axis, 2, node) == 0:
            x = Tensor(f"tf.transpose({ctx.materialize(x, 'x').expr})", x.dtype, x.shape[::-1])
            axis = 1
        elif axis is not None and normalize_axis(axis, x.rank, node) != x.rank - 1:
            raise Refusal("P205", f"np.{name} along an inner axis of an array of rank > 2 is not converted yet",
                          node)
        return _quantiles(ctx, name_, x, qs if not single else qs[:1], axis, keep, node, median=name == "median")
    return lower


for _n in ("percentile", "quantile", "median"):
    lowering(f"numpy.{_n}", "tf.sort", status="partial",
             limits="method='linear' only; a single axis (the last one, or axis 0 of a 2-D array)")(
        _quantile_lowering(_n))


for _name in ("argsort", "sort"):
    add_samples(f"numpy.{_name}", S("{f}(x)", x="a[m,n]"), S("{f}(x, axis=0)", x="a[m,n]"),
                S("{f}(x, axis=None)", x="a[m,n]"))
add_samples("numpy.percentile", S("{f}(x, 30)", x="n[m,n]"), S("{f}(x, (25, 50), axis=-1)", x="f[m,n]"),
            S("{f}(x, 90, axis=0)", x="n[m,n]"))
add_samples("numpy.quantile", S("{f}(x, 0.3)", x="n[m,n]"), S("{f}(x, (0.25, 0.5), axis=-1)", x="f[m,n]"))
add_samples("numpy.median", S("{f}(x)", x="n[m,n]"), S("{f}(x, axis=0)", x="n[m,n]"))
