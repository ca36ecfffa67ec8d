"""NaN-ignoring reductions (nansum, nanmean, nanmax, nanargmax, nanvar, ...), ptp, average, the Array API
cumulative_sum/prod, and small elementwise helpers NumPy writes in Python (nan_to_num, sinc, fix, angle, ...).

Each follows the NumPy source step by step (which value replaces NaN, which dtype the sum runs in, when
an all-NaN slice gives NaN and when it raises), with dtypes read from NumPy on dummies.
"""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.dtypes import probe, result_dtype
from transpiler.lower.operators import apply_ufunc
from transpiler.lower.shapes import normalize_axes
from transpiler.lower.values import Static, Tensor

from .args import REQUIRED, bind, dtype_arg, static, static_axis, tensor
from .reductions import _assert_nonempty, _result_shape, arg_reduce, cumulative, reduce
from .registry import S, lowering

_NAN_SPEC = {
    "nansum": [("a", REQUIRED), ("axis", None), ("dtype", None), ("out", None), ("keepdims", False)],
    "nanprod": [("a", REQUIRED), ("axis", None), ("dtype", None), ("out", None), ("keepdims", False)],
    "nanmax": [("a", REQUIRED), ("axis", None), ("out", None), ("keepdims", False)],
    "nanmin": [("a", REQUIRED), ("axis", None), ("out", None), ("keepdims", False)],
    "nanmean": [("a", REQUIRED), ("axis", None), ("dtype", None), ("out", None), ("keepdims", False)],
    "nanvar": [("a", REQUIRED), ("axis", None), ("dtype", None), ("out", None), ("ddof", 0), ("keepdims", False)],
    "nanstd": [("a", REQUIRED), ("axis", None), ("dtype", None), ("out", None), ("ddof", 0), ("keepdims", False)],
}


def _replaced(ctx, x: Tensor, value) -> tuple[Tensor, str | None]:
    """x with NaN replaced by `value` (NumPy's _replace_nan), and the NaN mask (None for non-floats)."""
    if np.dtype(x.dtype).kind not in "fc":
        return x, None
    x = ctx.materialize(x, "x")
    mask = ctx.bind(f"tf.math.is_nan({x.expr})", "isnan")
    return Tensor(f"tf.where({mask}, {code.constant(value, x.dtype)}, {x.expr})", x.dtype, x.shape), mask


def _nan_reduce(kind):
    base = kind[3:]

    def lower(ctx, args, kwargs, node):
        p = bind(f"np.{kind}", args, kwargs, _NAN_SPEC[kind], node, refuse_unless_default=("out",))
        x = tensor(ctx, p["a"], node)
        axis = static_axis(p["axis"], node)
        keep = bool(static(p["keepdims"], "keepdims", node))
        if kind in ("nanmean", "nanvar", "nanstd"):
            return _nan_moment(ctx, kind, x, axis, keep, p, node)
        fill = {"sum": 0, "prod": 1, "max": -np.inf, "min": np.inf}[base]
        xr, mask = _replaced(ctx, x, fill)
        rest = {k: v for k, v in p.items() if k not in ("a", "out")}
        out = reduce(ctx, base, [xr], rest, node)
        if mask is None or base in ("sum", "prod"):
            return out
        # an all-NaN slice gives NaN (with a warning), not -inf
        axes = normalize_axes(axis, x.rank, node)
        allnan = f"tf.math.reduce_all({mask}, axis={list(axes)}, keepdims={keep})"
        return out.with_(expr=f"tf.where({allnan}, {code.constant(np.nan, out.dtype)}, {out.expr})")
    return lower


def _nan_moment(ctx, kind, x: Tensor, axis, keep, p, node):
    dtype = dtype_arg(p["dtype"], node)
    kw = {"axis": axis, "keepdims": keep} | ({"dtype": np.dtype(dtype)} if dtype else {})
    if kind != "nanmean":
        kw["ddof"] = static(p["ddof"], "ddof", node)
    out_dtype = result_dtype(probe(getattr(np, kind), [x], kw, node, f"np.{kind}"))
    if np.dtype(x.dtype).kind not in "fc":
        base = kind[3:]
        rest = {k: v for k, v in p.items() if k not in ("a", "out")}
        return reduce(ctx, base, [x], rest, node)
    if np.dtype(out_dtype).kind != "f":
        raise Refusal("P205", f"np.{kind} with a non-float dtype= is not supported", node)
    axes = normalize_axes(axis, x.rank, node)
    compute = "float32" if out_dtype == "float16" else out_dtype
    xr, mask = _replaced(ctx, x, 0)
    xs = ctx.bind(code.cast(xr.expr, x.dtype, compute), "x")
    ax = list(axes)
    cnt = ctx.bind(f"tf.cast(tf.math.reduce_sum(tf.cast(tf.math.logical_not({mask}), tf.int64), axis={ax}, "
                   f"keepdims=True), tf.float64)", "cnt")
    tot = ctx.bind(f"tf.math.reduce_sum({xs}, axis={ax}, keepdims=True)", "tot")
    if out_dtype == "float16":
        tot = ctx.bind(f"tf.cast(tf.cast({tot}, tf.float16), tf.float32)", "tot")  # the sum is stored in float16
    # NumPy divides the sum by the count in float64 and stores the quotient in the sum's dtype
    avg = ctx.bind(f"tf.cast(tf.cast({tot}, tf.float64) / {cnt}, {code.tf_dtype(compute)})", "avg")
    if kind == "nanmean":
        res = avg
        shape = _result_shape(x, axes, keep)
        expr = res if keep else f"tf.squeeze({res}, axis={ax})" if ax else res
        return Tensor(code.cast(expr, compute, out_dtype), out_dtype, shape, ident=new_ident())
    sq = ctx.bind(f"tf.where({mask}, tf.zeros_like({xs}), tf.math.square({xs} - {avg}))", "sq")
    ssum = ctx.bind(f"tf.math.reduce_sum({sq}, axis={ax}, keepdims={keep})", "ss")
    dof = f"({cnt} - {float(kw['ddof'])!r})"
    if not keep:
        dof = f"tf.squeeze({dof}, axis={ax})" if ax else dof
    dof = ctx.bind(dof, "dof")
    # degrees of freedom <= 0 give NaN (not inf, unlike np.var)
    var = (f"tf.where({dof} <= 0, tf.constant(float('nan'), {code.tf_dtype(compute)}), "
           f"tf.cast(tf.cast({ssum}, tf.float64) / {dof}, {code.tf_dtype(compute)}))")
    if kind == "nanstd":
        var = f"tf.math.sqrt({var})"
    return Tensor(code.cast(var, compute, out_dtype), out_dtype, _result_shape(x, axes, keep), ident=new_ident())


def _nan_arg(kind):
    def lower(ctx, args, kwargs, node):
        p = bind(f"np.{kind}", args, kwargs, [("a", REQUIRED), ("axis", None), ("out", None), ("keepdims", False)],
                 node, refuse_unless_default=("out",))
        x = tensor(ctx, p["a"], node)
        xr, mask = _replaced(ctx, x, -np.inf if kind == "nanargmax" else np.inf)
        if mask is not None:
            axis = static_axis(p["axis"], node)
            ax = "None" if axis is None else normalize_axes(axis, x.rank, node)[0]
            code.check(ctx, f"tf.math.logical_not(tf.math.reduce_any(tf.math.reduce_all({mask}, axis={ax})))",
                       "All-NaN slice encountered", scalar=True)
        return arg_reduce(ctx, kind[3:], [ctx.materialize(xr, "x")], {k: v for k, v in p.items()
                                                                       if k in ("axis", "keepdims")}, node)
    return lower


def _nan_cumulative(kind):
    def lower(ctx, args, kwargs, node):
        p = bind(f"np.{kind}", args, kwargs, [("a", REQUIRED), ("axis", None), ("dtype", None), ("out", None)], node,
                 refuse_unless_default=("out",))
        xr, _ = _replaced(ctx, tensor(ctx, p["a"], node), 0 if kind == "nancumsum" else 1)
        return cumulative(ctx, kind[3:], [xr], {"axis": p["axis"], "dtype": p["dtype"]}, node)
    return lower


_RED = (S("{f}(x)", x="a[m,n]"), S("{f}(x, axis=-1, keepdims=True)", x="a[m,n]"),
        S("{f}(x, axis=(0, 2))", x="f[m,n,k]"), S("{f}(x, axis=0)", x="f[m]"))
for _k in ("nansum", "nanprod", "nanmax", "nanmin", "nanmean"):
    lowering(f"numpy.{_k}", {"nansum": "tf.math.reduce_sum", "nanprod": "tf.math.reduce_prod",
                             "nanmax": "tf.math.reduce_max", "nanmin": "tf.math.reduce_min",
                             "nanmean": "tf.math.reduce_mean"}[_k],
             status="partial" if _k == "nanmean" else "supported",
             limits="float sums in TF's order: last-bit differences" if _k == "nanmean" else "",
             samples=_RED)(_nan_reduce(_k))
for _k in ("nanvar", "nanstd"):
    lowering(f"numpy.{_k}", "tf.math.reduce_sum", status="partial", limits="float sums in TF's order: last-bit "
             "differences", samples=_RED + (S("{f}(x, axis=1, ddof=1)", x="f[m,n]"),))(_nan_reduce(_k))
for _k in ("nanargmax", "nanargmin"):
    lowering(f"numpy.{_k}", f"tf.math.{_k[3:]}", samples=(
        S("{f}(x)", x="a[m,n]"), S("{f}(x, axis=0)", x="f[m,n]"), S("{f}(x, axis=-1, keepdims=True)", x="f[m,n]")))(
        _nan_arg(_k))
for _k in ("nancumsum", "nancumprod"):
    lowering(f"numpy.{_k}", f"tf.math.{_k[3:]}", samples=(S("{f}(x)", x="a[m,n]"), S("{f}(x, axis=-1)", x="f[m,n]")))(
        _nan_cumulative(_k))


@lowering("numpy.ptp", "tf.math.reduce_max", samples=(S("{f}(x)", x="a[m,n]"), S("{f}(x, axis=0, keepdims=True)",
                                                                                   x="n[m,n]")))
def ptp(ctx, args, kwargs, node):
    p = bind("np.ptp", args, kwargs, [("a", REQUIRED), ("axis", None), ("out", None), ("keepdims", False)], node,
             refuse_unless_default=("out",))
    x = ctx.materialize(tensor(ctx, p["a"], node), "x")
    rest = {"axis": p["axis"], "keepdims": p["keepdims"]}
    hi = reduce(ctx, "max", [x], rest, node)
    lo = reduce(ctx, "min", [x], rest, node)
    out = apply_ufunc(ctx, "subtract", [hi, lo], node)
    return out.with_(shape=hi.shape)


@lowering("numpy.average", "tf.math.reduce_sum", status="partial",
          limits="returned=True refused; weights must have the array's shape or be 1-D along a given axis",
          samples=(S("{f}(x)", x="n[m,n]"), S("{f}(x, axis=1, weights=w)", x="n[m,n]", w="n[n]@0:4"),
                   S("{f}(x, weights=w)", x="f[m]", w="f[m]@0:3")))
def average(ctx, args, kwargs, node):
    p = bind("np.average", args, kwargs, [("a", REQUIRED), ("axis", None), ("weights", None), ("returned", False),
                                          ("keepdims", False)], node, refuse_unless_default=("returned",))
    x = tensor(ctx, p["a"], node)
    axis = static_axis(p["axis"], node)
    keep = bool(static(p["keepdims"], "keepdims", node))
    if isinstance(p["weights"], Static) and p["weights"].value is None:
        return reduce(ctx, "mean", [x], {"axis": Static(axis), "keepdims": Static(keep)}, node)
    w = tensor(ctx, p["weights"], node)
    out_dtype = result_dtype(probe(np.average, [x], {"axis": axis, "weights": w, "keepdims": keep}, node,
                                   "np.average"))
    if np.dtype(x.dtype).kind in "iub":
        rdt = np.result_type(np.dtype(x.dtype), np.dtype(w.dtype), "f8").name
    else:
        rdt = np.result_type(np.dtype(x.dtype), np.dtype(w.dtype)).name
    axes = normalize_axes(axis, x.rank, node)
    if w.rank != x.rank:
        if axis is None or w.rank != 1 or len(axes) != 1:
            raise Refusal("P301", "Axis must be specified when shapes of a and weights differ: NumPy raises", node)
        shape = [1] * x.rank
        shape[axes[0]] = -1
        w = ctx.materialize(w, "w")
        xm = ctx.materialize(x, "x")
        code.check(ctx, f"tf.math.equal(tf.size({w.expr}), tf.shape({xm.expr})[{axes[0]}])",
                   "Length of weights not compatible with specified axis.", scalar=True)
        w = Tensor(f"tf.reshape({w.expr}, {shape})", w.dtype, tuple(1 if i != axes[0] else None for i in range(x.rank)))
        x = xm
    else:
        x, w = ctx.materialize(x, "x"), ctx.materialize(w, "w")
        code.check(ctx, f"tf.math.equal(tf.shape({x.expr}), tf.shape({w.expr}))", "weights differ in shape")
    # NumPy sums the weights as given (a 1-D weight is only reshaped, not broadcast) and refuses a zero sum
    wc = ctx.bind(code.cast(w.expr, w.dtype, rdt), "wgt")
    ax = list(axes)
    scl = ctx.bind(f"tf.math.reduce_sum({wc}, axis={ax}, keepdims={keep})", "scl")
    code.check(ctx, f"tf.math.not_equal({scl}, 0)", "Weights sum to zero, can't be normalized")
    tot = f"tf.math.reduce_sum({code.cast(x.expr, x.dtype, rdt)} * {wc}, axis={ax}, keepdims={keep})"
    return Tensor(code.cast(f"{tot} / {scl}", rdt, out_dtype), out_dtype, _result_shape(x, axes, keep),
                  ident=new_ident())


def _cumulative_api(kind):
    def lower(ctx, args, kwargs, node):
        p = bind(f"np.{kind}", args, kwargs, [("x", REQUIRED), ("axis", None), ("dtype", None), ("out", None),
                                              ("include_initial", False)], node, refuse_unless_default=("out",))
        x = tensor(ctx, p["x"], node)
        axis = static_axis(p["axis"], node)
        init = bool(static(p["include_initial"], "include_initial", node))
        dtype = dtype_arg(p["dtype"], node)
        probe(getattr(np, kind), [x], {"axis": axis, "include_initial": init} | (
            {"dtype": np.dtype(dtype)} if dtype else {}), node, f"np.{kind}")
        if axis is None:
            if x.rank != 1:
                raise Refusal("P301", f"np.{kind} needs axis= for arrays of rank != 1: NumPy raises", node)
            axis = 0
        out = cumulative(ctx, "cum" + kind.split("_")[1], [x], {"axis": Static(axis), "dtype": p["dtype"]}, node)
        if not init:
            return out
        ax = normalize_axes(axis, x.rank, node)[0]
        out = ctx.materialize(out, "c")
        first = code.constant(0 if kind == "cumulative_sum" else 1, out.dtype)
        pad = [[0, 0]] * x.rank
        pad[ax] = [1, 0]
        shape = list(out.shape)
        shape[ax] = None if shape[ax] is None else shape[ax] + 1
        return Tensor(f"tf.pad({out.expr}, {pad}, constant_values={first})", out.dtype, tuple(shape),
                      ident=new_ident())
    return lower


for _k in ("cumulative_sum", "cumulative_prod"):
    if hasattr(np, _k):
        lowering(f"numpy.{_k}", "tf.math.cumsum" if _k.endswith("sum") else "tf.math.cumprod", samples=(
            S("{f}(x)", x="a[m]"), S("{f}(x, axis=-1, include_initial=True)", x="a[m,n]"),
            S("{f}(x, axis=0, dtype=np.float64)", x="a[m,n]")))(_cumulative_api(_k))


@lowering("numpy.nan_to_num", "tf.where", samples=(S("{f}(x)", x="a[m,n]"), S("{f}(x, nan=-1.0, posinf=9, neginf=-9)",
                                                                              x="f[m]")))
def nan_to_num(ctx, args, kwargs, node):
    p = bind("np.nan_to_num", args, kwargs, [("x", REQUIRED), ("copy", True), ("nan", 0.0), ("posinf", None),
                                             ("neginf", None)], node)
    x = tensor(ctx, p["x"], node)
    kind = np.dtype(x.dtype).kind
    if kind in "iub":
        return x.with_(ident=new_ident())
    if kind != "f":
        raise Refusal("P201", f"np.nan_to_num of {x.dtype} is not supported", node)
    info = np.finfo(x.dtype)
    nan = static(p["nan"], "nan", node)
    pos = static(p["posinf"], "posinf", node)
    neg = static(p["neginf"], "neginf", node)
    with np.errstate(all="ignore"):
        vals = [np.asarray(v).astype(x.dtype) for v in (nan, info.max if pos is None else pos,
                                                        info.min if neg is None else neg)]
    x = ctx.materialize(x, "x")
    c = [code.constant(v, x.dtype) for v in vals]
    e = x.expr
    expr = (f"tf.where(tf.math.is_nan({e}), {c[0]}, tf.where(tf.math.is_inf({e}), tf.where({e} > 0, {c[1]}, {c[2]}), "
            f"{e}))")
    return Tensor(expr, x.dtype, x.shape, ident=new_ident())


def _chain(fn):
    """A NumPy helper written in Python over ufuncs: lowered by running the same ufunc steps."""
    def lower(ctx, args, kwargs, node):
        if kwargs:
            raise Refusal("P205", "keyword arguments are not supported here", node)
        return fn(ctx, [a if not isinstance(a, Tensor) else tensor(ctx, a, node) for a in args], node)
    return lower


def _sinc(ctx, args, node):
    (x,) = args
    u = lambda name, *ops: apply_ufunc(ctx, name, list(ops), node)
    y = u("multiply", Static(np.pi), u_where(ctx, u("equal", x, Static(0)), Static(1.0e-20), x, node))
    y = ctx.materialize(y, "y")
    return u("true_divide", u("sin", y), y)


def u_where(ctx, cond, a, b, node):
    from .numpy_functions import where
    return where(ctx, [cond, a, b], {}, node)


def _fix(ctx, args, node):
    (x,) = args
    x = ctx.materialize(tensor(ctx, x, node), "x")
    c = apply_ufunc(ctx, "ceil", [x], node)
    f = apply_ufunc(ctx, "floor", [x], node)
    ge = apply_ufunc(ctx, "greater_equal", [x, Static(0)], node)
    return Tensor(f"tf.where({ge.expr}, {f.expr}, {c.expr})", f.dtype, x.shape, ident=new_ident())


def _angle(ctx, args, node):
    (x,) = args
    x = tensor(ctx, x, node)
    if np.dtype(x.dtype).kind == "c":
        raise Refusal("P201", "np.angle of complex numbers is not converted yet", node)
    return apply_ufunc(ctx, "arctan2", [Static(0), x], node)


def _isposinf(sign):
    def fn(ctx, args, node):
        (x,) = args
        x = ctx.materialize(tensor(ctx, x, node), "x")
        if np.dtype(x.dtype).kind == "c":
            raise Refusal("P301", "np.isposinf/isneginf of complex numbers: NumPy raises", node)
        inf = apply_ufunc(ctx, "isinf", [x], node)
        sb = apply_ufunc(ctx, "signbit", [x], node)
        if sign > 0:
            sb = apply_ufunc(ctx, "logical_not", [sb], node)
        return apply_ufunc(ctx, "logical_and", [inf, sb], node)
    return fn


def _real(ctx, args, node):
    (x,) = args
    x = tensor(ctx, x, node)
    if np.dtype(x.dtype).kind == "c":
        dt = np.empty(0, x.dtype).real.dtype.name
        return Tensor(f"tf.math.real({x.expr})", dt, x.shape, ident=new_ident())
    return x


def _imag(ctx, args, node):
    (x,) = args
    x = tensor(ctx, x, node)
    if np.dtype(x.dtype).kind == "c":
        dt = np.empty(0, x.dtype).real.dtype.name
        return Tensor(f"tf.math.imag({x.expr})", dt, x.shape, ident=new_ident())
    x = ctx.materialize(x, "x")
    return Tensor(f"tf.zeros_like({x.expr})", x.dtype, x.shape, ident=new_ident())


def _iscomplex(want_complex):
    def fn(ctx, args, node):
        (x,) = args
        x = ctx.materialize(tensor(ctx, x, node), "x")
        if np.dtype(x.dtype).kind == "c":
            op = "not_equal" if want_complex else "equal"
            return Tensor(f"tf.math.{op}(tf.math.imag({x.expr}), 0)", "bool", x.shape, ident=new_ident())
        fill = "tf.zeros_like" if want_complex else "tf.ones_like"
        return Tensor(f"{fill}({x.expr}, tf.bool)", "bool", x.shape, ident=new_ident())
    return fn


for _name, _fn, _target, _samples in (
        ("sinc", _sinc, "tf.math.sin", (S("{f}(x)", x="a[m,n]"),)),
        ("fix", _fix, "tf.math.floor", (S("{f}(x)", x="a[m,n]"),)),
        ("angle", _angle, "tf.math.atan2", (S("{f}(x)", x="a[m,n]"),)),
        ("isposinf", _isposinf(1), "tf.math.is_inf", (S("{f}(x)", x="a[m,n]"),)),
        ("isneginf", _isposinf(-1), "tf.math.is_inf", (S("{f}(x)", x="a[m,n]"),)),
        ("real", _real, "tf.math.real", (S("{f}(x)", x="a[m,n]"),)),
        ("imag", _imag, "tf.math.imag", (S("{f}(x)", x="a[m,n]"),)),
        ("iscomplex", _iscomplex(True), "tf.math.imag", (S("{f}(x)", x="a[m,n]"),)),
        ("isreal", _iscomplex(False), "tf.math.imag", (S("{f}(x)", x="a[m,n]"),))):
    lowering(f"numpy.{_name}", _target, samples=_samples, rtol={"sinc": 1e-9}.get(_name))(_chain(_fn))


@lowering("numpy.trapezoid", "tf.math.reduce_sum", status="partial", limits="float sums in TF's order",
          samples=(S("{f}(y)", y="n[m]"), S("{f}(y, dx=0.5, axis=0)", y="f[m,n]"), S("{f}(y, x)", y="f[m]", x="f[m]")))
def trapezoid(ctx, args, kwargs, node):
    p = bind("np.trapezoid", args, kwargs, [("y", REQUIRED), ("x", None), ("dx", 1.0), ("axis", -1)], node)
    from transpiler.lower.shapes import normalize_axis
    y = ctx.materialize(tensor(ctx, p["y"], node), "y")
    ax = normalize_axis(static(p["axis"], "axis", node), y.rank, node)
    hi = Tensor(f"{y.expr}[{', '.join('1:' if i == ax else ':' for i in range(y.rank))}]", y.dtype,
                tuple(None if i == ax else d for i, d in enumerate(y.shape)))
    lo = Tensor(f"{y.expr}[{', '.join(':-1' if i == ax else ':' for i in range(y.rank))}]", y.dtype, hi.shape)
    if isinstance(p["x"], Static) and p["x"].value is None:
        d = p["dx"]
    else:
        x = ctx.materialize(tensor(ctx, p["x"], node), "xs")
        if x.rank != 1:
            raise Refusal("P205", "np.trapezoid with a multi-dimensional x is not converted", node)
        d = apply_ufunc(ctx, "subtract", [Tensor(f"{x.expr}[1:]", x.dtype, (None,)),
                                          Tensor(f"{x.expr}[:-1]", x.dtype, (None,))], node)
        if y.rank > 1:
            shape = [1] * y.rank
            shape[ax] = -1
            d = d.with_(expr=f"tf.reshape({d.expr}, {shape})", shape=tuple(None if i == ax else 1 for i in range(y.rank)))
    s = apply_ufunc(ctx, "true_divide", [apply_ufunc(ctx, "multiply", [d, apply_ufunc(ctx, "add", [hi, lo], node)],
                                                     node), Static(2.0)], node)
    return reduce(ctx, "sum", [s], {"axis": Static(ax)}, node)


@lowering("numpy.ediff1d", "tf.math.subtract", samples=(S("{f}(x)", x="n[m,n]"),))
def ediff1d(ctx, args, kwargs, node):
    p = bind("np.ediff1d", args, kwargs, [("ary", REQUIRED), ("to_end", None), ("to_begin", None)], node,
             refuse_unless_default=("to_end", "to_begin"))
    x = ctx.materialize(tensor(ctx, p["ary"], node), "x")
    flat = ctx.bind(f"tf.reshape({x.expr}, [-1])", "flat")
    out = apply_ufunc(ctx, "subtract", [Tensor(f"{flat}[1:]", x.dtype, (None,)),
                                        Tensor(f"{flat}[:-1]", x.dtype, (None,))], node)
    if out.dtype != x.dtype:
        raise Refusal("P301", "np.ediff1d stores the differences in the input's dtype: NumPy raises here", node)
    return out


from .registry import unsupported  # noqa: E402

unsupported("NaN-ignoring order statistics need per-slice counts of non-NaN values; not converted yet",
            "numpy.nanmedian", "numpy.nanpercentile", "numpy.nanquantile")
unsupported("ldexp/frexp: subnormal results and exponents need bit-exact handling TF's ops do not give",
            "numpy.ldexp", "numpy.frexp")
unsupported("the Array API unique_* functions leave the order unspecified (sorted=False)",
            "numpy.unique_values", "numpy.unique_counts", "numpy.unique_inverse", "numpy.unique_all")
