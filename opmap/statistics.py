"""cov, corrcoef, interp, histogram and histogram_bin_edges, each following NumPy's own steps.

cov/corrcoef compute in NumPy's dtype (float64 unless dtype= says otherwise) with the mean and the product
X @ X.T as NumPy writes them; TF's matmul sums in another order (last-bit differences, declared tolerance).
interp is NumPy's C loop: the interval found by a binary search, slope*(x - xp[j]) + fp[j], retried from the
right end when that is NaN. histogram with a number of bins reproduces NumPy's uniform-bin index computation
(same dtypes at each step, NumPy's +-1 corrections, last bin closed); with explicit edges it counts through
searches in the sorted data, as NumPy does.
"""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.values import Seq, Static, Tensor

from .args import REQUIRED, bind, dtype_arg, static, tensor
from .registry import S, lowering
from .searching import order_key


def _is_none(v) -> bool:
    return isinstance(v, Static) and v.value is None


# -- cov, corrcoef --------------------------------------------------------------------------------------------

def _cov(ctx, p, node, what) -> Tensor:
    m = tensor(ctx, p["m"], node)
    y = None if _is_none(p["y"]) else tensor(ctx, p["y"], node)
    for v in (m,) + ((y,) if y is not None else ()):
        if v.rank > 2:
            raise Refusal("P301", f"{what}: m has more than 2 dimensions: NumPy raises", node)
        if np.dtype(v.dtype).kind not in "biuf":
            raise Refusal("P201", f"{what} of {v.dtype} is not supported", node)
    dtype = dtype_arg(p["dtype"], node)
    if dtype is None:
        dtype = np.result_type(*[np.dtype(v.dtype) for v in (m, y) if v is not None], np.float64).name
    if np.dtype(dtype).kind != "f":
        raise Refusal("P205", f"{what} with dtype={dtype} is not supported", node)
    rowvar = bool(static(p["rowvar"], "rowvar", node))

    def as_rows(v: Tensor, transpose: bool) -> Tensor:
        v = ctx.materialize(v, "m")
        x = code.cast(v.expr, v.dtype, dtype)
        if v.rank < 2:
            return Tensor(f"tf.reshape({x}, [1, -1])", dtype, (1, v.shape[0] if v.rank else 1))
        if transpose:
            return Tensor(f"tf.transpose({x})", dtype, v.shape[::-1])
        return Tensor(x, dtype, v.shape)

    x = as_rows(m, not rowvar)
    if x.shape[0] is None:
        raise Refusal("P202", f"{what}: the number of variables (rows) must be known when converting (the result "
                              "is squeezed)", node)
    if x.shape[0] == 0:
        return Tensor("tf.zeros([0, 0], tf.float64)", "float64", (0, 0), ident=new_ident())
    if y is not None:
        if not rowvar and y.rank == 2 and y.shape[0] is None:
            raise Refusal("P202", f"{what}: y's number of rows must be known when converting (NumPy transposes y "
                                  "unless it has one row)", node)
        yr = as_rows(y, not rowvar and y.rank == 2 and y.shape[0] != 1)
        x = Tensor(f"tf.concat([{x.expr}, {yr.expr}], 0)", dtype, (
            None if yr.shape[0] is None else x.shape[0] + yr.shape[0], x.shape[1]))
    k = x.shape[0]
    if k is None:
        raise Refusal("P202", f"{what}: the number of variables (rows) must be known when converting (the result "
                              "is squeezed)", node)
    ddof = static(p["ddof"], "ddof", node)
    if ddof is None:
        ddof = 0 if bool(static(p["bias"], "bias", node)) else 1
    if ddof != int(ddof):
        raise Refusal("P205", f"{what}: a non-integer ddof is not supported", node)
    x = ctx.materialize(x, "X")
    tdt = code.tf_dtype(dtype)
    avg = ctx.bind(f"tf.math.reduce_mean({x.expr}, axis=1, keepdims=True)", "avg")
    fact = ctx.bind(f"tf.cast(tf.shape({x.expr})[1] - {int(ddof)}, {tdt})", "fact")
    fact = ctx.bind(f"tf.where({fact} <= 0, tf.zeros_like({fact}), {fact})", "fact")
    xc = ctx.bind(f"{x.expr} - {avg}", "Xc")
    c = f"tf.linalg.matmul({xc}, {xc}, transpose_b=True) * (1 / {fact})"
    if k == 1:
        return Tensor(f"tf.reshape({c}, [])", dtype, (), ident=new_ident())
    return Tensor(c, dtype, (k, k), ident=new_ident())


_COV_SPEC = [("m", REQUIRED), ("y", None), ("rowvar", True), ("bias", False), ("ddof", None), ("fweights", None),
             ("aweights", None), ("dtype", None)]


@lowering("numpy.cov", "tf.linalg.matmul", status="partial",
          limits="fweights/aweights refused; the number of variables must be known; matmul sums in TF's order "
                 "(last-bit differences)", rtol=1e-9,
          samples=(S("{f}(x)", x="n[m]"), S("{f}(x)", x="f[3,n]"), S("{f}(x, rowvar=False)", x="n[m,2]"),
                   S("{f}(x, y)", x="f[m]", y="i[m]"), S("{f}(x, bias=True)", x="f[2,n]"),
                   S("{f}(x, ddof=0, dtype=np.float32)", x="f[2,n]", rtol=1e-5)))
def cov(ctx, args, kwargs, node):
    p = bind("np.cov", args, kwargs, _COV_SPEC, node, refuse_unless_default=("fweights", "aweights"))
    return _cov(ctx, p, node, "np.cov")


@lowering("numpy.corrcoef", "tf.linalg.matmul", status="partial",
          limits="the number of variables must be known; matmul sums in TF's order (last-bit differences)", rtol=1e-9,
          samples=(S("{f}(x)", x="f[3,n]"), S("{f}(x, y)", x="n[m]", y="n[m]"), S("{f}(x)", x="n[m]"),
                   S("{f}(x, rowvar=False)", x="f[m,2]")))
def corrcoef(ctx, args, kwargs, node):
    p = bind("np.corrcoef", args, kwargs, [("m", REQUIRED), ("y", None), ("rowvar", True), ("dtype", None)], node)
    c = _cov(ctx, dict(p, bias=Static(False), ddof=Static(None)), node, "np.corrcoef")
    c = ctx.materialize(c, "c")
    if c.rank == 0:
        return c.with_(expr=f"{c.expr} / {c.expr}", ident=new_ident())   # NaN unless a non-zero finite variance
    if c.shape == (0, 0):
        return c
    sd = ctx.bind(f"tf.math.sqrt(tf.linalg.diag_part({c.expr}))", "stddev")
    r = f"{c.expr} / {sd}[:, None] / {sd}[None, :]"
    return Tensor(f"tf.clip_by_value({r}, -1, 1)", c.dtype, c.shape, ident=new_ident())


# -- interp ----------------------------------------------------------------------------------------------------

@lowering("numpy.interp", "tf.searchsorted", status="partial",
          limits="period= and complex fp refused; xp must be increasing without NaN (NumPy does not check and "
                 "gives an unspecified result; the replacement raises)",
          samples=(S("{f}(x, np.sort(xp), fp)", x="n[m,n]", xp="n[k]", fp="n[k]"),
                   S("{f}(x, np.sort(xp), fp, left=-1.0, right=v)", x="f[m]", xp="f[k]", fp="f[k]", v="f[]"),
                   S("{f}(x, [0, 1, 1, 2.5], [1, -2, 3, np.inf])", x="f[m]"), S("{f}(x, [1.0], [2.0])", x="f[m]"),
                   S("{f}(x, np.sort(xp), fp)", x="f[]", xp="i[k]", fp="f[k]")))
def interp(ctx, args, kwargs, node):
    p = bind("np.interp", args, kwargs, [("x", REQUIRED), ("xp", REQUIRED), ("fp", REQUIRED), ("left", None),
                                         ("right", None), ("period", None)], node, refuse_unless_default=("period",))
    x, xp, fp = (tensor(ctx, p[k], node) for k in ("x", "xp", "fp"))
    for v in (x, xp, fp):
        if np.dtype(v.dtype).kind not in "biuf":
            raise Refusal("P201", f"np.interp of {v.dtype} is not supported", node)
    if xp.rank != 1 or fp.rank != 1:
        raise Refusal("P301", "np.interp: xp and fp must be 1-D: NumPy raises", node)
    f64 = lambda v: ctx.bind(code.cast(ctx.materialize(v, "v").expr, v.dtype, "float64"), "v")
    xv, dx, dy = f64(x), f64(xp), f64(fp)
    n = ctx.bind(f"tf.size({dx})", "lenxp")
    ctx.emit(f"tf.debugging.assert_positive({n}, message='array of sample points is empty')")
    ctx.emit(f"tf.debugging.assert_equal({n}, tf.size({dy}), message='fp and xp are not of the same length.')")
    ctx.emit(f"tf.debugging.assert_equal(tf.math.reduce_all({dx}[1:] >= {dx}[:-1]), True, "
             f"message='np.interp: xp is not increasing (NumPy leaves the result unspecified)')")
    lval = f"{dy}[0]" if _is_none(p["left"]) else code.tensor_expr(p["left"], "float64")
    rval = f"{dy}[-1]" if _is_none(p["right"]) else code.tensor_expr(p["right"], "float64")
    lval, rval = ctx.bind(lval, "lval"), ctx.bind(rval, "rval")
    # the interval: dx[j] <= x < dx[j+1]; -1 left of dx[0], len right of dx[-1]
    flat = ctx.bind(f"tf.reshape({xv}, [-1])", "xf")
    j = ctx.bind(f"tf.searchsorted({dx}, {flat}, side='right', out_type=tf.int32) - 1", "j")
    jc = ctx.bind(f"tf.clip_by_value({j}, 0, tf.math.maximum({n} - 2, 0))", "jc")
    x0 = ctx.bind(f"tf.gather({dx}, {jc})", "x0")
    y0 = ctx.bind(f"tf.gather({dy}, {jc})", "y0")
    x1 = ctx.bind(f"tf.gather({dx}, tf.math.minimum({jc} + 1, {n} - 1))", "x1")
    y1 = ctx.bind(f"tf.gather({dy}, tf.math.minimum({jc} + 1, {n} - 1))", "y1")
    slope = ctx.bind(f"({y1} - {y0}) / ({x1} - {x0})", "slope")
    res = ctx.bind(f"{slope} * ({flat} - {x0}) + {y0}", "res")
    res = ctx.bind(f"tf.where(tf.math.is_nan({res}), {slope} * ({flat} - {x1}) + {y1}, {res})", "res")
    res = ctx.bind(f"tf.where(tf.math.logical_and(tf.math.is_nan({res}), tf.math.equal({y0}, {y1})), {y0}, {res})",
                   "res")
    last = f"tf.gather({dy}, tf.math.maximum({n} - 1, 0))"
    jj = ctx.bind(f"tf.where({flat} > {dx}[-1], {n}, {j})", "jj")
    many = (f"tf.where(tf.math.is_nan({flat}), {flat}, tf.where({jj} < 0, {lval}, tf.where(tf.math.equal({jj}, {n}), "
            f"{rval}, tf.where(tf.math.equal({jj}, {n} - 1), {last}, tf.where(tf.math.equal(tf.gather({dx}, "
            f"tf.clip_by_value({jj}, 0, {n} - 1)), {flat}), tf.gather({dy}, tf.clip_by_value({jj}, 0, {n} - 1)), "
            f"{res})))))")
    # one sample point: x < xp -> left, x > xp -> right, else (NaN too) fp
    one = f"tf.where({flat} < {dx}[0], {lval}, tf.where({flat} > {dx}[0], {rval}, {dy}[0]))"
    out = f"tf.where(tf.math.equal({n}, 1), {one}, {many})"
    if x.rank != 1:
        out = f"tf.reshape({out}, tf.shape({xv}))"
    return Tensor(out, "float64", x.shape, ident=new_ident())
