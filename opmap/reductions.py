"""Reductions (sum, mean, max, argmax, std, ...) with NumPy's axis/keepdims/dtype rules.

Result dtypes come from running NumPy on dummies (np.sum of int8 -> int64, np.mean of ints -> float64,
of float16 -> float16 computed in float32). Empty reductions that NumPy refuses (max of nothing) raise
in the replacement too; NaN propagates through max/min, argmax returns the first NaN.
"""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.dtypes import probe, result_dtype
from transpiler.lower.shapes import known_positive, normalize_axes
from transpiler.lower.values import Tensor

from .args import bind, dtype_arg, static, static_axis, tensor
from .registry import S, add_samples, lowering

_TF_REDUCE = {"sum": "tf.math.reduce_sum", "prod": "tf.math.reduce_prod", "max": "tf.math.reduce_max",
              "min": "tf.math.reduce_min", "any": "tf.math.reduce_any", "all": "tf.math.reduce_all",
              "mean": "tf.math.reduce_mean"}
_NO_IDENTITY = {"max", "min", "argmax", "argmin"}


def _result_shape(t: Tensor, axes, keepdims):
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(t.shape))
    return tuple(d for i, d in enumerate(t.shape) if i not in axes)


def _assert_nonempty(ctx, t: Tensor, axes, what):
    if known_positive(t, axes):
        return
    t = ctx.materialize(t, "x")
    dims = " * ".join(f"tf.shape({t.expr})[{a}]" for a in axes) or "1"
    code.check(ctx, f"{dims} > 0", f"zero-size array to reduction operation {what} which has no identity", scalar=True)


def reduce(ctx, kind: str, args, kwargs, node, method=False):
    spec = [("a", None), ("axis", None), ("dtype", None), ("out", None), ("keepdims", False)]
    if kind in ("max", "min", "any", "all"):
        spec = [("a", None), ("axis", None), ("out", None), ("keepdims", False)]
    if kind in ("std", "var"):
        spec = [("a", None), ("axis", None), ("dtype", None), ("out", None), ("ddof", 0), ("keepdims", False)]
    p = bind(f"np.{kind}", args, kwargs, spec, node, refuse_unless_default=("out",))
    x = tensor(ctx, p["a"], node)
    axis = static_axis(p["axis"], node)
    keepdims = bool(static(p["keepdims"], "keepdims", node))
    dtype = dtype_arg(p["dtype"], node) if "dtype" in p else None
    np_kwargs = {"axis": axis, "keepdims": keepdims}
    if dtype:
        np_kwargs["dtype"] = np.dtype(dtype)
    if "ddof" in p:
        np_kwargs["ddof"] = static(p["ddof"], "ddof", node)
    out_dtype = result_dtype(probe(getattr(np, kind), [x], np_kwargs, node, f"np.{kind}"))
    axes = normalize_axes(axis, x.rank, node)
    shape = _result_shape(x, axes, keepdims)
    if kind in _NO_IDENTITY:
        _assert_nonempty(ctx, x, axes, {"max": "maximum", "min": "minimum"}.get(kind, kind))
    if kind in ("std", "var"):
        expr = _variance(ctx, x, axes, keepdims, out_dtype, np_kwargs["ddof"], kind == "std")
        return Tensor(expr, out_dtype, shape, ident=new_ident())
    compute = out_dtype
    if kind == "mean" and out_dtype == "float16":
        compute = "float32"  # NumPy accumulates float16 means in float32
    if kind in ("max", "min"):
        compute = x.dtype
    if kind in ("any", "all"):
        compute = "bool"
    src = code.cast(x.expr, x.dtype, compute)
    fn = _TF_REDUCE[kind]
    if x.dtype == "bool" and kind in ("max", "min"):
        fn = {"max": "tf.math.reduce_any", "min": "tf.math.reduce_all"}[kind]
    ax = "None" if axis is None else repr(axes)
    expr = f"{fn}({src}, axis={ax}, keepdims={keepdims})"
    if kind == "mean" and np.dtype(compute).kind in "iub":
        raise Refusal("P205", "np.mean with an integer dtype= is not supported", node)
    return Tensor(code.cast(expr, compute, out_dtype), out_dtype, shape, ident=new_ident())


def _variance(ctx, x: Tensor, axes, keepdims, out_dtype, ddof, sqrt) -> str:
    compute = "float32" if out_dtype == "float16" else out_dtype
    xs = ctx.bind(code.cast(x.expr, x.dtype, compute), "x")
    mean = ctx.bind(f"tf.math.reduce_mean({xs}, axis={axes!r}, keepdims=True)", "mean")
    count = " * ".join(f"tf.shape({xs})[{a}]" for a in axes) or "1"
    n = ctx.bind(f"tf.cast({count} - {int(ddof)}, {code.tf_dtype(compute)})", "n")
    ss = f"tf.math.reduce_sum(tf.math.square({xs} - {mean}), axis={axes!r}, keepdims={keepdims})"
    # NumPy divides by max(n - ddof, 0): 0/0 is NaN, x/0 is inf
    var = f"({ss} / tf.math.maximum({n}, 0))"
    out = f"tf.math.sqrt({var})" if sqrt else var
    return code.cast(out, compute, out_dtype)


def arg_reduce(ctx, kind: str, args, kwargs, node):
    p = bind(f"np.{kind}", args, kwargs, [("a", None), ("axis", None), ("out", None), ("keepdims", False)],
             node, refuse_unless_default=("out",))
    x = tensor(ctx, p["a"], node)
    axis = static_axis(p["axis"], node)
    keepdims = bool(static(p["keepdims"], "keepdims", node))
    if isinstance(axis, tuple):
        raise Refusal("P301", f"np.{kind} takes a single axis: NumPy raises", node)
    if x.dtype == "bool" or np.dtype(x.dtype).kind == "c":
        raise Refusal("P201", f"np.{kind} of {x.dtype} is not supported yet", node)
    if axis is None:
        x = ctx.materialize(x, "x")
        flat = Tensor(f"tf.reshape({x.expr}, [-1])", x.dtype, (None,))
        ax = 0
        src = flat
    else:
        ax = normalize_axes(axis, x.rank, node)[0]
        src = x
    _assert_nonempty(ctx, src, (ax,), kind)
    src = ctx.materialize(src, "x")
    fn = "tf.math.argmax" if kind == "argmax" else "tf.math.argmin"
    expr = f"{fn}({src.expr}, axis={ax}, output_type=tf.int64)"
    if np.dtype(x.dtype).kind == "f":
        # NumPy returns the first NaN; TF's argmax skips NaN
        isnan = ctx.bind(f"tf.math.is_nan({src.expr})", "isnan")
        first_nan = f"tf.math.argmax(tf.cast({isnan}, tf.int8), axis={ax}, output_type=tf.int64)"
        expr = f"tf.where(tf.math.reduce_any({isnan}, axis={ax}), {first_nan}, {expr})"
    if axis is None:
        shape = tuple(1 for _ in x.shape) if keepdims else ()
        if keepdims:
            expr = f"tf.reshape({expr}, {[1] * x.rank})"
    else:
        shape = _result_shape(x, (ax,), keepdims)
        if keepdims:
            expr = f"tf.expand_dims({expr}, {ax})"
    return Tensor(expr, "int64", shape, ident=new_ident())


def cumulative(ctx, kind: str, args, kwargs, node):
    p = bind(f"np.{kind}", args, kwargs, [("a", None), ("axis", None), ("dtype", None), ("out", None)], node,
             refuse_unless_default=("out",))
    x = tensor(ctx, p["a"], node)
    axis = static_axis(p["axis"], node)
    dtype = dtype_arg(p["dtype"], node)
    kw = {"axis": axis} | ({"dtype": np.dtype(dtype)} if dtype else {})
    out_dtype = result_dtype(probe(getattr(np, kind), [x], kw, node, f"np.{kind}"))
    if axis is None:
        x = ctx.materialize(x, "x")
        x, ax, shape = Tensor(f"tf.reshape({x.expr}, [-1])", x.dtype, (None,)), 0, (None,)
    else:
        ax = normalize_axes(axis, x.rank, node)[0]
        shape = x.shape
    src = code.cast(x.expr, x.dtype, out_dtype)
    fn = {"cumsum": "tf.math.cumsum", "cumprod": "tf.math.cumprod"}[kind]
    if out_dtype == "bool":
        raise Refusal("P201", f"np.{kind} with a bool result is not supported", node)
    return Tensor(f"{fn}({src}, axis={ax})", out_dtype, shape, ident=new_ident())


for _k in ("sum", "prod", "max", "min", "mean", "any", "all", "std", "var"):
    lowering(f"numpy.{_k}", _TF_REDUCE.get(_k, "tf.math.reduce_variance"),
             aliases=({"max": ("numpy.amax",), "min": ("numpy.amin",)}.get(_k, ())),
             limits={"std": "float32 inputs reduce in float32 like NumPy; last-bit differences",
                     "var": "float32 inputs reduce in float32 like NumPy; last-bit differences"}.get(_k, ""),
             status="partial" if _k in ("std", "var") else "supported")(
        lambda ctx, args, kwargs, node, _k=_k: reduce(ctx, _k, args, kwargs, node))
for _k in ("argmax", "argmin"):
    lowering(f"numpy.{_k}", f"tf.math.{_k}")(lambda ctx, args, kwargs, node, _k=_k: arg_reduce(ctx, _k, args, kwargs, node))
for _k in ("cumsum", "cumprod"):
    lowering(f"numpy.{_k}", f"tf.math.{_k}")(lambda ctx, args, kwargs, node, _k=_k: cumulative(ctx, _k, args, kwargs, node))

_REDUCE_SAMPLES = (S("{f}(x)", x="a[m,n]"), S("{f}(x, axis=-1, keepdims=True)", x="a[m,n]"),
                   S("{f}(x, axis=(0, 2))", x="a[m,n,k]"), S("{f}(x, axis=0)", x="a[m]"))
for _k in ("sum", "prod", "max", "min", "mean", "any", "all", "amax", "amin"):
    add_samples(f"numpy.{_k}", *_REDUCE_SAMPLES)
for _k in ("std", "var"):
    add_samples(f"numpy.{_k}", *_REDUCE_SAMPLES, S("{f}(x, axis=1, ddof=1)", x="a[m,n]"))
for _k in ("argmax", "argmin"):
    add_samples(f"numpy.{_k}", S("{f}(x)", x="a[m,n]"), S("{f}(x, axis=0)", x="a[m,n]"),
                S("{f}(x, axis=-1, keepdims=True)", x="a[m,n]"))
for _k in ("cumsum", "cumprod"):
    add_samples(f"numpy.{_k}", S("{f}(x)", x="a[m,n]"), S("{f}(x, axis=-1)", x="a[m,n]"),
                S("{f}(x, axis=0, dtype=np.float64)", x="a[m]"))
