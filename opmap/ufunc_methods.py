"""Ufunc method forms users write: np.add.reduce, np.maximum.accumulate, np.logical_or.reduce, ...

`ufunc.reduce` is the reduction its function form calls (np.sum is np.add.reduce with axis=None), except
that the method's default axis is 0; `ufunc.accumulate` runs along one axis (default 0). Result dtypes are
read from the installed NumPy by calling the method itself on dummies (np.add.reduce of int8 is int64).
"""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.dtypes import probe, result_dtype
from transpiler.lower.shapes import normalize_axis
from transpiler.lower.values import Static, Tensor

from .args import REQUIRED, bind, dtype_arg, static, static_axis, tensor
from .reductions import cumulative, reduce
from .registry import S, lowering

_REDUCE_AS = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min", "logical_or": "any",
              "logical_and": "all"}


def _reduce_method(ufunc: str):
    kind = _REDUCE_AS[ufunc]

    def lower(ctx, args, kwargs, node):
        p = bind(f"np.{ufunc}.reduce", args, kwargs, [("array", REQUIRED), ("axis", 0), ("dtype", None), ("out", None),
                                                      ("keepdims", False)], node, refuse_unless_default=("out",))
        x = tensor(ctx, p["array"], node)
        axis = static_axis(p["axis"], node)
        keep = bool(static(p["keepdims"], "keepdims", node))
        dtype = dtype_arg(p["dtype"], node)
        kw = {"axis": axis, "keepdims": keep} | ({"dtype": np.dtype(dtype)} if dtype else {})
        want = result_dtype(probe(getattr(np, ufunc).reduce, [x], kw, node, f"np.{ufunc}.reduce"))
        rest = {"axis": Static(axis), "keepdims": Static(keep)}
        if dtype and kind in ("sum", "prod"):
            rest["dtype"] = Static(np.dtype(dtype))
        elif dtype:
            raise Refusal("P205", f"np.{ufunc}.reduce(dtype=...) is not supported", node)
        out = reduce(ctx, kind, [x], rest, node)
        if out.dtype != want:
            raise Refusal("P301", f"np.{ufunc}.reduce of {x.dtype} gives {want}, not {out.dtype}: not converted",
                          node)
        return out
    return lower


def _accumulate_method(ufunc: str):
    def lower(ctx, args, kwargs, node):
        p = bind(f"np.{ufunc}.accumulate", args, kwargs, [("array", REQUIRED), ("axis", 0), ("dtype", None),
                                                          ("out", None)], node, refuse_unless_default=("out",))
        x = tensor(ctx, p["array"], node)
        axis = static(p["axis"], "axis", node)
        if not isinstance(axis, (int, np.integer)):
            raise Refusal("P301", f"np.{ufunc}.accumulate takes a single integer axis: NumPy raises", node)
        if x.rank == 0:
            raise Refusal("P301", f"np.{ufunc}.accumulate of a 0-d array: NumPy raises", node)
        ax = normalize_axis(int(axis), x.rank, node)
        dtype = dtype_arg(p["dtype"], node)
        kw = {"axis": ax} | ({"dtype": np.dtype(dtype)} if dtype else {})
        want = result_dtype(probe(getattr(np, ufunc).accumulate, [x], kw, node, f"np.{ufunc}.accumulate"))
        if ufunc in ("add", "multiply"):
            out = cumulative(ctx, "cumsum" if ufunc == "add" else "cumprod", [x],
                             {"axis": Static(ax), "dtype": Static(np.dtype(dtype)) if dtype else Static(None)}, node)
            if out.dtype != want:
                raise Refusal("P301", f"np.{ufunc}.accumulate of {x.dtype} gives {want}: not converted", node)
            return out
        if want != x.dtype:
            raise Refusal("P205", f"np.{ufunc}.accumulate with dtype={want} is not supported", node)
        if x.dtype == "bool":
            op = "tf.math.logical_or" if ufunc == "maximum" else "tf.math.logical_and"
        elif np.dtype(x.dtype).kind in "iuf":
            op = f"tf.math.{ufunc}"     # TF's maximum/minimum propagate NaN, as NumPy's
        else:
            raise Refusal("P201", f"np.{ufunc}.accumulate of {x.dtype} is not supported", node)
        x = ctx.materialize(x, "x")
        perm = None
        src = x.expr
        if ax != 0:
            perm = list(range(x.rank))
            perm[0], perm[ax] = perm[ax], perm[0]
            src = f"tf.transpose({src}, {perm})"
        src = ctx.bind(src, "x")
        # tf.scan raises on an empty leading axis, where NumPy returns the empty array
        expr = f"tf.cond(tf.shape({src})[0] > 0, lambda: tf.scan(lambda acc, row: {op}(acc, row), {src}), lambda: {src})"
        if perm is not None:
            expr = f"tf.transpose({expr}, {perm})"
        return Tensor(expr, x.dtype, x.shape, ident=new_ident())
    return lower


_RED_SAMPLES = (S("{f}(x)", x="a[m,n]"), S("{f}(x, axis=-1, keepdims=True)", x="a[m,n]"),
                S("{f}(x, axis=None)", x="a[m,n]"), S("{f}(x, axis=(0, 2))", x="a[m,n,k]"))
for _u, _kind in _REDUCE_AS.items():
    lowering(f"numpy.{_u}.reduce", {"sum": "tf.math.reduce_sum", "prod": "tf.math.reduce_prod",
                                    "max": "tf.math.reduce_max", "min": "tf.math.reduce_min",
                                    "any": "tf.math.reduce_any", "all": "tf.math.reduce_all"}[_kind],
             status="partial", limits="out= refused; initial= and where= not supported",
             samples=_RED_SAMPLES + ((S("{f}(x, dtype=np.float64)", x="n[m,n]"),) if _kind in ("sum", "prod")
                                     else ()))(_reduce_method(_u))

_ACC_SAMPLES = (S("{f}(x)", x="a[m,n]"), S("{f}(x, axis=-1)", x="a[m,n]"), S("{f}(x, axis=1)", x="f[m,n,k]"))
for _u in ("add", "multiply"):
    lowering(f"numpy.{_u}.accumulate", "tf.math.cumsum" if _u == "add" else "tf.math.cumprod", status="partial",
             limits="out= refused", samples=_ACC_SAMPLES + (S("{f}(x, dtype=np.float64)", x="n[m]"),))(
        _accumulate_method(_u))
for _u in ("maximum", "minimum"):
    lowering(f"numpy.{_u}.accumulate", "tf.scan", status="partial", limits="out= and dtype= refused",
             samples=_ACC_SAMPLES)(_accumulate_method(_u))
