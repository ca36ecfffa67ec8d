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
    code.check(ctx, f"{n} > 0", "array of sample points is empty", scalar=True)
    code.check(ctx, f"tf.math.equal({n}, tf.size({dy}))", "fp and xp are not of the same length.", scalar=True)
    code.check(ctx, f"{dx}[1:] >= {dx}[:-1]", "np.interp: xp is not increasing (NumPy leaves the result unspecified)")
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


# -- histogram -------------------------------------------------------------------------------------------------

def _edges_from_bins(ctx, a: Tensor, bins, rng, node, what):
    """(edges Tensor, uniform info or None) as NumPy's _get_bin_edges; uniform info is (first, last, n, static)."""
    from numpy.lib import _histograms_impl as h
    if isinstance(bins, Static) and isinstance(bins.value, str):
        raise Refusal("P205", f"{what}: bins={bins.value!r} (an estimator) is not converted", node)
    if isinstance(bins, Static) and np.ndim(bins.value) == 0:
        n = bins.value
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
            raise Refusal("P301", f"{what}: `bins` must be an integer, a string, or an array: NumPy raises", node)
        if n < 1:
            raise Refusal("P301", f"{what}: `bins` must be positive, when an integer: NumPy raises", node)
        n = int(n)
        if rng is not None:
            dummy = np.zeros(1, a.dtype)
            try:
                edges, uniform = h._get_bin_edges(dummy, n, rng, None)   # depends on a's dtype only
            except Exception as e:
                raise Refusal("P301", f"{what}: NumPy raises ({type(e).__name__}: {e})", node)
            first, last, _ = uniform
            return Tensor(code.constant(edges, edges.dtype.name), edges.dtype.name, edges.shape), (first, last, n, True)
        # range from the data: a.min(), a.max() (finite), or 0..1 for an empty array
        bin_type = a.dtype if np.dtype(a.dtype).kind == "f" else "float64"
        a = ctx.materialize(a, "a")
        nonempty = ctx.bind(f"tf.size({a.expr}) > 0", "nonempty")
        # (TF reduces an empty tensor to the identity, where() then picks NumPy's 0..1)
        lo = ctx.bind(f"tf.where({nonempty}, tf.math.reduce_min({a.expr}), {code.constant(0, a.dtype)})", "lo")
        hi = ctx.bind(f"tf.where({nonempty}, tf.math.reduce_max({a.expr}), {code.constant(1, a.dtype)})", "hi")
        if np.dtype(a.dtype).kind == "f":
            code.check(ctx, f"tf.math.logical_or(tf.math.logical_not({nonempty}), tf.math.logical_and("
                            f"tf.math.is_finite({lo}), tf.math.is_finite({hi})))", "autodetected range is not finite",
                       scalar=True)
        same = ctx.bind(f"tf.math.equal({lo}, {hi})", "same")
        first = ctx.bind(f"tf.where({same}, {code.cast(lo, a.dtype, bin_type)} - 0.5, {code.cast(lo, a.dtype, bin_type)})",
                         "first")
        last = ctx.bind(f"tf.where({same}, {code.cast(hi, a.dtype, bin_type)} + 0.5, {code.cast(hi, a.dtype, bin_type)})",
                        "last")
        from .creation import _linspace
        live, _ = _linspace(ctx, {"num": Static(n + 1), "endpoint": Static(True), "start": Tensor(first, bin_type, ()),
                                  "stop": Tensor(last, bin_type, ())}, node, what)
        empty_edges = code.constant(np.linspace(0, 1, n + 1, dtype=bin_type), bin_type)
        edges = Tensor(ctx.bind(f"tf.where({nonempty}, {live.expr}, {empty_edges})", "edges"), bin_type, (n + 1,))
        if np.dtype(a.dtype).kind == "f":
            denom = ctx.bind(f"{last} - {first}", "denom")
        else:
            # NumPy subtracts integer edges in the unsigned type of their width
            diff = f"{code.cast(hi, a.dtype, 'int64')} - {code.cast(lo, a.dtype, 'int64')}"
            if a.dtype == "int64":
                diff = f"tf.cast(tf.bitcast({diff}, tf.uint64), tf.float64)"
            else:
                diff = f"tf.cast({diff}, tf.float64)"
            denom = ctx.bind(f"tf.where({same}, tf.constant(1.0, tf.float64), {diff})", "denom")
        return edges, (first, last, n, False, denom)
    edges = tensor(ctx, bins, node)
    if edges.rank != 1:
        raise Refusal("P301", f"{what}: `bins` must be 1d, when an array: NumPy raises", node)
    edges = ctx.materialize(edges, "edges")
    code.check(ctx, f"tf.math.logical_not(tf.math.reduce_any({edges.expr}[:-1] > {edges.expr}[1:]))",
               "`bins` must increase monotonically, when an array", scalar=True)     # NaN edges pass, as in NumPy
    return edges, None


def _histogram_parts(ctx, p, node, what, counts: bool):
    from numpy.lib import _histograms_impl as h
    from transpiler.lower.operators import apply_ufunc
    a = tensor(ctx, p["a"], node)
    if np.dtype(a.dtype).kind not in "iuf" or a.dtype == "uint64":
        raise Refusal("P201", f"{what} of {a.dtype} is not supported", node)
    rng = None if _is_none(p["range"]) else static(p["range"], "range", node)
    a = ctx.materialize(a, "a")
    flat = Tensor(ctx.bind(f"tf.reshape({a.expr}, [-1])", "af"), a.dtype, (None,))
    edges, uniform = _edges_from_bins(ctx, flat, p["bins"], rng, node, what)
    if not counts:
        return edges, None
    if uniform is None:
        dt = np.promote_types(np.dtype(flat.dtype), np.dtype(edges.dtype)).name
        # NumPy searches the sorted data (NaN last): sorted order keys say the same
        akey = ctx.bind(f"tf.sort({order_key(ctx, Tensor(code.cast(flat.expr, flat.dtype, dt), dt, (None,)))})", "akey")
        ekey = order_key(ctx, Tensor(code.cast(edges.expr, edges.dtype, dt), dt, edges.shape))
        left = f"tf.searchsorted({akey}, {ekey}[:-1], side='left', out_type=tf.int64)"
        right = f"tf.searchsorted({akey}, {ekey}[-1:], side='right', out_type=tf.int64)"
        cum = ctx.bind(f"tf.concat([{left}, {right}], 0)", "cum")
        return edges, Tensor(f"{cum}[1:] - {cum}[:-1]", "int64", (None if edges.shape[0] is None else
                                                                 max(edges.shape[0] - 1, 0),), ident=new_ident())
    first, last, n, is_static = uniform[:4]
    bdt = edges.dtype
    x = ctx.bind(code.cast(flat.expr, flat.dtype, bdt), "tmp")
    if is_static:
        keep = apply_ufunc(ctx, "logical_and", [apply_ufunc(ctx, "greater_equal", [flat, Static(first)], node),
                                                apply_ufunc(ctx, "less_equal", [flat, Static(last)], node)], node)
        keep = ctx.bind(keep.expr, "keep")
        x = ctx.bind(f"tf.where({keep}, {x}, {edges.expr}[0])", "tmp")   # values NumPy drops: any in-range index
        one = np.ones(1, bdt)
        sdt = np.asarray(h._unsigned_subtract(one, first)).dtype.name
        denom = h._unsigned_subtract(last, first)
        ddt = np.asarray(one.astype(sdt) / denom).dtype.name
        mdt = np.asarray(np.ones(1, ddt) * n).dtype.name
        sub = f"({code.cast(x, bdt, sdt)} - {code.constant(first, sdt)})"
        # DivNoNan by the non-zero constant: a plain Div would let grappler fold `* n` into it (other rounding)
        f = f"tf.math.divide_no_nan({code.cast(sub, sdt, ddt)}, {code.constant(denom, ddt)})"
        f = f"({code.cast(f, ddt, mdt)} * {code.constant(n, mdt)})"
    else:
        keep = None
        denom = uniform[4]
        # float data: every step in its dtype; integer data: float64 (edges), the denominator as NumPy's unsigned
        f = f"(({x} - {first}) / {denom} * {n})"
    idx = ctx.bind(f"tf.cast({f}, tf.int64)", "idx")
    idx = ctx.bind(f"tf.where(tf.math.equal({idx}, {n}), {idx} - 1, {idx})", "idx")
    wrap = lambda i: f"tf.where({i} < 0, {i} + {n + 1}, tf.math.minimum({i}, {n}))"
    idx = ctx.bind(f"tf.where({x} < tf.gather({edges.expr}, {wrap(idx)}), {idx} - 1, {idx})", "idx")
    idx = ctx.bind(f"tf.where(tf.math.logical_and({x} >= tf.gather({edges.expr}, {wrap(idx + ' + 1')}), "
                   f"tf.math.not_equal({idx}, {n - 1})), {idx} + 1, {idx})", "idx")
    ones = f"tf.ones_like({idx})"
    if keep is not None:
        ones = f"tf.cast({keep}, tf.int64)"
        idx = ctx.bind(f"tf.where({keep}, {idx}, tf.zeros_like({idx}))", "idx")
    return edges, Tensor(f"tf.math.unsorted_segment_sum({ones}, {idx}, {n})", "int64", (n,), ident=new_ident())


@lowering("numpy.histogram", "tf.math.unsorted_segment_sum", status="partial",
          limits="weights= and string bins refused; range must be known when converting",
          samples=(S("{f}(x)", x="n[m,n]", finite=True), S("{f}(x, bins=4, range=(-2, 3))", x="n[m]"),
                   S("{f}(x, bins=3, range=(0.5, 0.5))", x="f[m]"), S("{f}(x, bins=np.sort(b))", x="n[m]", b="n[k]"),
                   S("{f}(x, bins=[0, 1, 2.5], density=True)", x="f[m]"),
                   S("{f}(x, bins=5, density=True)", x="f[m]", finite=True)))
def histogram(ctx, args, kwargs, node):
    p = bind("np.histogram", args, kwargs, [("a", REQUIRED), ("bins", 10), ("range", None), ("density", None),
                                            ("weights", None)], node, refuse_unless_default=("weights",))
    edges, n = _histogram_parts(ctx, p, node, "np.histogram", True)
    if static(p["density"], "density", node):
        db = ctx.bind(code.cast(f"{edges.expr}[1:] - {edges.expr}[:-1]", edges.dtype, "float64"), "db")
        nn = ctx.materialize(n, "counts")
        n = Tensor(f"tf.cast({nn.expr}, tf.float64) / {db} / tf.cast(tf.math.reduce_sum({nn.expr}), tf.float64)",
                   "float64", n.shape, ident=new_ident())
    return Seq((n, edges.with_(ident=new_ident())), "tuple")


@lowering("numpy.histogram_bin_edges", "tf.range", status="partial",
          limits="weights= and string bins refused; range must be known when converting",
          samples=(S("{f}(x)", x="n[m,n]", finite=True), S("{f}(x, bins=4, range=(-2, 3))", x="n[m]"),
                   S("{f}(x, bins=[0, 1, 2.5])", x="f[m]"), S("{f}(x, 3)", x="f[m]", finite=True)))
def histogram_bin_edges(ctx, args, kwargs, node):
    p = bind("np.histogram_bin_edges", args, kwargs, [("a", REQUIRED), ("bins", 10), ("range", None),
                                                      ("weights", None)], node, refuse_unless_default=("weights",))
    edges, _ = _histogram_parts(ctx, p, node, "np.histogram_bin_edges", False)
    return edges.with_(ident=new_ident())
