"""np.linalg beyond products: det, slogdet, inv, solve, pinv, eigvalsh, cholesky, matrix_power, matrix_rank,
singular values; cross, kron, tensordot, vdot, inner, vecdot, trace, diagonal; vector and matrix norms.

Result dtypes and NumPy's own refusals (float16, rank < 2, non-square) come from probing NumPy. Decompositions
whose results are not unique (eigenvectors, singular vectors: their signs) are refused in unsupported.py.
Tolerances are declared: LAPACK and TF's kernels agree to rounding only.
"""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.dtypes import probe, result_dtype
from transpiler.lower.operators import apply_ufunc
from transpiler.lower.shapes import broadcast, normalize_axes, normalize_axis
from transpiler.lower.values import Seq, Static, Tensor

from .args import REQUIRED, bind, dtype_arg, static, static_axis, tensor
from .reductions import reduce
from .registry import S, lowering

_WELL = "{f}(x + 4 * np.eye(len(x)))"      # diagonally dominant for |x| <= 1: well conditioned
_SQ = dict(x="f[m,m]@-1:1")


def _float_input(ctx, v, fn, node, what, kwargs=None) -> tuple[Tensor, str]:
    x = tensor(ctx, v, node)
    dt = result_dtype(probe(fn, [x], kwargs or {}, node, what))
    if np.dtype(dt).kind != "f":
        dt = {"c": dt}.get(np.dtype(dt).kind, dt)
    return x, dt


def _as(ctx, x: Tensor, dt: str, hint="a") -> Tensor:
    return ctx.materialize(Tensor(code.cast(x.expr, x.dtype, dt), dt, x.shape), hint)


def _lin_in(ctx, v, node, name, fn):
    x = tensor(ctx, v, node)
    if x.rank < 2:
        raise Refusal("P301", f"np.linalg.{name}: {x.rank}-dimensional array given; at least two needed: NumPy raises",
                      node)
    probe(fn, [x], {}, node, f"np.linalg.{name}")
    dt = np.result_type(np.dtype(x.dtype), np.float64).name if np.dtype(x.dtype).kind in "iub" else x.dtype
    if dt not in ("float32", "float64"):
        raise Refusal("P201", f"np.linalg.{name} of {x.dtype} is not supported", node)
    x = _as(ctx, x, dt)
    if x.shape[-1] is not None and x.shape[-2] is not None and x.shape[-1] != x.shape[-2] and name != "pinv":
        raise Refusal("P301", "Last 2 dimensions of the array must be square: NumPy raises", node)
    if name != "pinv":
        code.check(ctx, f"tf.math.equal(tf.shape({x.expr})[-1], tf.shape({x.expr})[-2])",
                   "Last 2 dimensions of the array must be square", scalar=True)
    return x, dt


@lowering("numpy.linalg.det", "tf.linalg.det", status="partial", limits="LU in TF: rounding differs (rtol 1e-5 float32)",
          samples=(S(_WELL, **_SQ), S("{f}(x)", x="i[m,m]@-1:1"), S("{f}(x)", x="f[k,m,m]@-1:1")), rtol=1e-4)
def det(ctx, args, kwargs, node):
    p = bind("np.linalg.det", args, kwargs, [("a", REQUIRED)], node)
    x, dt = _lin_in(ctx, p["a"], node, "det", np.linalg.det)
    return Tensor(f"tf.linalg.det({x.expr})", dt, x.shape[:-2], ident=new_ident())


@lowering("numpy.linalg.slogdet", "tf.linalg.slogdet", status="partial",
          limits="LU in TF: rounding differs; matrices holding NaN or inf raise (LAPACK's sign for them depends on "
                 "its pivoting)",
          samples=(S(_WELL, x="f[m,m]@-1:1", finite=True), S("{f}(x)", x="f[k,m,m]@-1:1", finite=True)), rtol=1e-4)
def slogdet(ctx, args, kwargs, node):
    p = bind("np.linalg.slogdet", args, kwargs, [("a", REQUIRED)], node)
    x, dt = _lin_in(ctx, p["a"], node, "slogdet", np.linalg.slogdet)
    code.check(ctx, f"tf.math.is_finite({x.expr})", "slogdet of a matrix holding NaN or inf is not converted")
    res = ctx.bind(f"tf.linalg.slogdet({x.expr})", "sld")
    # a singular matrix: NumPy gives sign 0 and log|det| -inf
    sign = ctx.bind(f"tf.where(tf.math.is_inf({res}[1]), tf.zeros_like({res}[0]), {res}[0])", "sign")
    # the empty matrix: determinant 1 (TF gives NaN)
    empty = f"tf.math.equal(tf.shape({x.expr})[-1], 0)"
    sign = ctx.bind(f"tf.where({empty}, tf.ones_like({sign}), {sign})", "sign")
    res = ctx.bind(f"(None, tf.where({empty}, tf.zeros_like({res}[1]), {res}[1]))", "sld")
    return Seq((Tensor(sign, dt, x.shape[:-2], ident=new_ident()),
                Tensor(f"{res}[1]", dt, x.shape[:-2], ident=new_ident())), "tuple")


def _assert_invertible(ctx, x: Tensor):
    code.check(ctx, f"tf.math.not_equal(tf.linalg.det({x.expr}), tf.constant(0, {code.tf_dtype(x.dtype)}))",
               "Singular matrix", scalar=x.rank == 2)


@lowering("numpy.linalg.inv", "tf.linalg.inv", status="partial",
          limits="exactly singular matrices raise as in NumPy; nearly singular ones differ as any two LU codes do",
          samples=(S(_WELL, **_SQ), S("{f}(x)", x="f[k,m,m]@-1:1", rtol=1e-3)), rtol=1e-4)
def inv(ctx, args, kwargs, node):
    p = bind("np.linalg.inv", args, kwargs, [("a", REQUIRED)], node)
    x, dt = _lin_in(ctx, p["a"], node, "inv", np.linalg.inv)
    _assert_invertible(ctx, x)
    return Tensor(f"tf.linalg.inv({x.expr})", dt, x.shape, ident=new_ident())


@lowering("numpy.linalg.solve", "tf.linalg.solve", status="partial", limits="as inv: singular matrices raise",
          samples=(S("{f}(x + 4 * np.eye(len(x)), y)", x="f[m,m]@-1:1", y="f[m]"),
                   S("{f}(x + 4 * np.eye(len(x)), y)", x="f[m,m]@-1:1", y="f[m,n]")), rtol=1e-4)
def solve(ctx, args, kwargs, node):
    p = bind("np.linalg.solve", args, kwargs, [("a", REQUIRED), ("b", REQUIRED)], node)
    b = tensor(ctx, p["b"], node)
    x, dt = _lin_in(ctx, p["a"], node, "solve", np.linalg.inv)
    odt = result_dtype(probe(np.linalg.solve, [x, b], {}, node, "np.linalg.solve"))
    if odt != dt:
        x = _as(ctx, x, odt)
    b = _as(ctx, b, odt, "b")
    _assert_invertible(ctx, x)
    if b.rank == 1:
        if x.rank != 2:
            raise Refusal("P205", "np.linalg.solve of a stack with a 1-D b is not converted", node)
        return Tensor(f"tf.linalg.solve({x.expr}, tf.expand_dims({b.expr}, -1))[:, 0]", odt, x.shape[-1:],
                      ident=new_ident())
    if b.rank != x.rank:
        raise Refusal("P205", "np.linalg.solve with broadcast batch dimensions is not converted", node)
    return Tensor(f"tf.linalg.solve({x.expr}, {b.expr})", odt, b.shape, ident=new_ident())


@lowering("numpy.linalg.pinv", "tf.linalg.pinv", status="partial", limits="rcond default 1e-15 as NumPy; hermitian= "
          "and rtol= refused; SVD rounding differs", samples=(S("{f}(x)", x="f[m,n]@-1:1", finite=True),), rtol=1e-3)
def pinv(ctx, args, kwargs, node):
    p = bind("np.linalg.pinv", args, kwargs, [("a", REQUIRED), ("rcond", None), ("hermitian", False)], node,
             refuse_unless_default=("hermitian",))
    x, dt = _lin_in(ctx, p["a"], node, "pinv", np.linalg.pinv)
    rcond = static(p["rcond"], "rcond", node)
    rcond = 1e-15 if rcond is None else float(rcond)
    code.check(ctx, f"tf.math.is_finite({x.expr})", "SVD did not converge")
    shape = x.shape[:-2] + (x.shape[-1], x.shape[-2])
    return Tensor(f"tf.linalg.pinv({x.expr}, rcond={rcond!r})", dt, shape, ident=new_ident())


@lowering("numpy.linalg.eigvalsh", "tf.linalg.eigvalsh", status="partial",
          limits="UPLO='L' only (the lower triangle is read, as NumPy's default); rounding differs",
          samples=(S("{f}(x)", x="f[m,m]@-2:2", finite=True), S("{f}(x + np.transpose(x))", x="f[k,m,m]@-2:2", finite=True)),
          rtol=1e-4)
def eigvalsh(ctx, args, kwargs, node):
    p = bind("np.linalg.eigvalsh", args, kwargs, [("a", REQUIRED), ("UPLO", "L")], node)
    if static(p["UPLO"], "UPLO", node) != "L":
        raise Refusal("P205", "np.linalg.eigvalsh(UPLO='U') is not converted", node)
    x, dt = _lin_in(ctx, p["a"], node, "eigvalsh", np.linalg.eigvalsh)
    # TF reads the lower triangle too, but mirror it explicitly so no kernel detail matters
    low = ctx.bind(f"tf.linalg.band_part({x.expr}, -1, 0)", "low")
    sym = ctx.bind(f"{low} + tf.linalg.matrix_transpose({low}) - tf.linalg.diag(tf.linalg.diag_part({low}))", "sym")
    return Tensor(f"tf.linalg.eigvalsh({sym})", dt, x.shape[:-1], ident=new_ident())


@lowering("numpy.linalg.cholesky", "tf.linalg.cholesky", status="partial",
          limits="upper=False only; matrices that are not positive definite raise as in NumPy",
          samples=(S("{f}(x @ np.transpose(x) + np.eye(len(x)))", x="f[m,m]@-1:1", finite=True),
                   S("{f}(x)", x="f[m,m]@-1:1", finite=True)), rtol=1e-4)
def cholesky(ctx, args, kwargs, node):
    p = bind("np.linalg.cholesky", args, kwargs, [("a", REQUIRED), ("upper", False)], node,
             refuse_unless_default=("upper",))
    x, dt = _lin_in(ctx, p["a"], node, "cholesky", np.linalg.cholesky)
    low = ctx.bind(f"tf.linalg.band_part({x.expr}, -1, 0)", "low")
    sym = ctx.bind(f"{low} + tf.linalg.matrix_transpose({low}) - tf.linalg.diag(tf.linalg.diag_part({low}))", "sym")
    # NumPy (LAPACK potrf) reads the lower triangle and raises unless positive definite
    code.check(ctx, f"tf.math.reduce_min(tf.concat([tf.reshape(tf.linalg.eigvalsh({sym}), [-1]), "
                    f"tf.ones([1], {code.tf_dtype(dt)})], 0)) > 0", "Matrix is not positive definite", scalar=True)
    return Tensor(f"tf.linalg.cholesky({sym})", dt, x.shape, ident=new_ident())


@lowering("numpy.linalg.matrix_power", "tf.linalg.matmul", status="partial",
          limits="floating-point matrices; the exponent known when converting",
          samples=(S("{f}(x, 3)", x="f[m,m]@-2:2"), S("{f}(x, 0)", x="f[m,m]"), S("{f}(x, 5)", x="f[k,m,m]@-1:1"),
                   S("{f}(x + 4 * np.eye(len(x)), -2)", **_SQ)), rtol=1e-4)
def matrix_power(ctx, args, kwargs, node):
    p = bind("np.linalg.matrix_power", args, kwargs, [("a", REQUIRED), ("n", REQUIRED)], node)
    n = static(p["n"], "n", node)
    if not isinstance(n, (int, np.integer)):
        raise Refusal("P301", "exponent must be an integer: NumPy raises", node)
    x = tensor(ctx, p["a"], node)
    probe(np.linalg.matrix_power, [x], {"n": int(n)}, node, "np.linalg.matrix_power")
    if x.dtype not in ("float32", "float64"):
        raise Refusal("P201", f"matrix_power of {x.dtype} is not converted (TF's integer matmul kernels are limited)",
                      node)
    x = ctx.materialize(x, "a")
    code.check(ctx, f"tf.math.equal(tf.shape({x.expr})[-1], tf.shape({x.expr})[-2])",
               "Last 2 dimensions of the array must be square", scalar=True)
    n = int(n)
    if n == 0:
        eye = f"tf.eye(tf.shape({x.expr})[-1], batch_shape=tf.shape({x.expr})[:-2], dtype={code.tf_dtype(x.dtype)})"
        return Tensor(eye, x.dtype, x.shape, ident=new_ident())
    if n < 0:
        _assert_invertible(ctx, x)
        x = ctx.materialize(x.with_(expr=f"tf.linalg.inv({x.expr})"), "a")
        n = -n
    mm = lambda a, b: f"tf.linalg.matmul({a}, {b})"
    if n == 1:
        return x.with_(ident=new_ident())
    if n == 2:
        return Tensor(mm(x.expr, x.expr), x.dtype, x.shape, ident=new_ident())
    if n == 3:
        return Tensor(mm(mm(x.expr, x.expr), x.expr), x.dtype, x.shape, ident=new_ident())
    # NumPy's binary decomposition, same order of products
    z = result = None
    while n > 0:
        z = x.expr if z is None else ctx.bind(mm(z, z), "z")
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else ctx.bind(mm(result, z), "r")
    return Tensor(result, x.dtype, x.shape, ident=new_ident())


def _svals(ctx, x: Tensor) -> str:
    return f"tf.linalg.svd({x.expr}, compute_uv=False)"


@lowering("numpy.linalg.svdvals", "tf.linalg.svd", status="partial", limits="SVD rounding differs",
          samples=(S("{f}(x)", x="f[m,n]@-2:2", finite=True), S("{f}(x)", x="i[k,m,n]@-2:2")), rtol=1e-4)
def svdvals(ctx, args, kwargs, node):
    p = bind("np.linalg.svdvals", args, kwargs, [("x", REQUIRED)], node)
    x, dt = _lin_in(ctx, p["x"], node, "pinv", np.linalg.svdvals)
    code.check(ctx, f"tf.math.is_finite({x.expr})", "SVD did not converge")
    k = None if x.shape[-1] is None or x.shape[-2] is None else min(x.shape[-2:])
    return Tensor(_svals(ctx, x), dt, x.shape[:-2] + (k,), ident=new_ident())


@lowering("numpy.linalg.matrix_rank", "tf.linalg.svd", status="partial",
          limits="tol/rtol/hermitian refused; singular values within rounding of the threshold may count differently",
          samples=(S("{f}(x)", x="i[m,n]@-1:1"), S("{f}(x)", x="f[k,m,n]@-2:2", finite=True)))
def matrix_rank(ctx, args, kwargs, node):
    p = bind("np.linalg.matrix_rank", args, kwargs, [("A", REQUIRED), ("tol", None), ("hermitian", False)], node,
             refuse_unless_default=("tol", "hermitian"))
    x = tensor(ctx, p["A"], node)
    if x.rank < 2:
        x = ctx.materialize(x, "a")
        nz = f"tf.math.reduce_any(tf.math.not_equal({x.expr}, 0))"
        return Tensor(f"tf.cast({nz}, tf.int64)", "int64", (), weak=True, ident=new_ident())
    x, dt = _lin_in(ctx, x, node, "pinv", np.linalg.matrix_rank)
    code.check(ctx, f"tf.math.is_finite({x.expr})", "SVD did not converge")
    s = ctx.bind(_svals(ctx, x), "s")
    eps = float(np.finfo(dt).eps)
    tol = (f"tf.math.reduce_max(tf.concat([{s}, tf.zeros_like({s}[..., :1])], -1), axis=-1, keepdims=True) * "
           f"tf.cast(tf.math.maximum(tf.shape({x.expr})[-1], tf.shape({x.expr})[-2]), {code.tf_dtype(dt)}) * {eps!r}")
    return Tensor(f"tf.math.count_nonzero({s} > {tol}, axis=-1, dtype=tf.int64)", "int64", x.shape[:-2],
                  ident=new_ident())


# -- products built from multiply and sum (exact for integers, NumPy's promotion) ------------------------

def _dot_sum(ctx, a, b, axis, node, what, fn, kw=None) -> Tensor:
    prod = apply_ufunc(ctx, "multiply", [a, b], node)
    dt = result_dtype(probe(fn, [a, b], kw or {}, node, what))
    if prod.dtype == "bool":
        rank = prod.rank
        ax = normalize_axis(axis, rank, node)
        out = reduce(ctx, "any", [prod], {"axis": Static(ax)}, node)
    else:
        out = reduce(ctx, "sum", [prod], {"axis": Static(axis)}, node)
    if out.dtype != dt:
        out = out.with_(expr=code.cast(out.expr, out.dtype, dt), dtype=dt)
    return out


@lowering("numpy.vdot", "tf.math.reduce_sum", status="partial", limits="real arrays; float sums in TF's order",
          samples=(S("{f}(x, y)", x="a[m,n]", y="a[m,n]"), S("{f}(x, y)", x="n[m]", y="n[m]")))
def vdot(ctx, args, kwargs, node):
    p = bind("np.vdot", args, kwargs, [("a", REQUIRED), ("b", REQUIRED)], node)
    a, b = (ctx.materialize(tensor(ctx, p[k], node), k) for k in ("a", "b"))
    if "c" in (np.dtype(a.dtype).kind, np.dtype(b.dtype).kind):
        raise Refusal("P201", "np.vdot of complex arrays is not converted", node)
    code.check(ctx, f"tf.math.equal(tf.size({a.expr}), tf.size({b.expr}))", "vectors have different lengths",
               scalar=True)
    fa = Tensor(f"tf.reshape({a.expr}, [-1])", a.dtype, (None,))
    fb = Tensor(f"tf.reshape({b.expr}, [-1])", b.dtype, (None,))
    return _dot_sum(ctx, fa, fb, 0, node, "np.vdot", np.vdot)


def _vecdot(name):
    def lower(ctx, args, kwargs, node):
        p = bind(name, args, kwargs, [("x1", REQUIRED), ("x2", REQUIRED), ("axis", -1)], node)
        a, b = tensor(ctx, p["x1"], node), tensor(ctx, p["x2"], node)
        if "c" in (np.dtype(a.dtype).kind, np.dtype(b.dtype).kind):
            raise Refusal("P201", f"{name} of complex arrays is not converted", node)
        axis = int(static(p["axis"], "axis", node))
        fn = np.linalg.vecdot if "linalg" in name else np.vecdot
        probe(fn, [a, b], {"axis": axis}, node, name)
        rank = max(a.rank, b.rank)
        if a.rank != b.rank:
            raise Refusal("P205", f"{name} of arrays of different ranks is not converted", node)
        a, b = ctx.materialize(a, "a"), ctx.materialize(b, "b")
        ax = normalize_axis(axis, rank, node)
        code.check(ctx, f"tf.math.equal(tf.shape({a.expr})[{ax}], tf.shape({b.expr})[{ax}])",
                   f"{name}: core dimensions differ", scalar=True)
        return _dot_sum(ctx, a, b, ax, node, name, fn, {"axis": axis})
    return lower


for _n in ("numpy.vecdot", "numpy.linalg.vecdot"):
    lowering(_n, "tf.math.reduce_sum", status="partial", limits="real arrays of equal rank; float sums in TF's order",
             samples=(S("{f}(x, y)", x="a[m,n]", y="a[m,n]"), S("{f}(x, y, axis=0)", x="n[m,n~]", y="n[m,n]")))(
        _vecdot(_n.replace("numpy.", "np.")))


def _float_pair(ctx, a, b, fn, what, node, kw=None):
    a, b = tensor(ctx, a, node), tensor(ctx, b, node)
    dt = result_dtype(probe(fn, [a, b], kw or {}, node, what))
    if dt not in ("float32", "float64"):
        raise Refusal("P201", f"{what} of {dt} is not converted (TF's integer matmul kernels are limited)", node)
    return _as(ctx, a, dt), _as(ctx, b, dt, "b"), dt


@lowering("numpy.inner", "tf.tensordot", status="partial", limits="floating-point operands only",
          samples=(S("{f}(x, y)", x="f[m,n]", y="f[k,n]"), S("{f}(x, y)", x="f[n]", y="f[n]")))
def inner(ctx, args, kwargs, node):
    p = bind("np.inner", args, kwargs, [("a", REQUIRED), ("b", REQUIRED)], node)
    a, b, dt = _float_pair(ctx, p["a"], p["b"], np.inner, "np.inner", node)
    if a.rank == 0 or b.rank == 0:
        return apply_ufunc(ctx, "multiply", [a, b], node)
    code.check(ctx, f"tf.math.equal(tf.shape({a.expr})[-1], tf.shape({b.expr})[-1])", "shapes not aligned",
               scalar=True)
    return Tensor(f"tf.tensordot({a.expr}, {b.expr}, [[{a.rank - 1}], [{b.rank - 1}]])", dt,
                  a.shape[:-1] + b.shape[:-1], ident=new_ident())


def _tensordot(name):
    def lower(ctx, args, kwargs, node):
        p = bind(name, args, kwargs, [("a", REQUIRED), ("b", REQUIRED), ("axes", 2)], node)
        axes = static(p["axes"], "axes", node)
        a, b, dt = _float_pair(ctx, p["a"], p["b"], np.tensordot, name, node, {"axes": axes})
        if isinstance(axes, (int, np.integer)):
            k = int(axes)
            if k > min(a.rank, b.rank) or k < 0:
                raise Refusal("P301", "shape-mismatch for sum: NumPy raises", node)
            ax_a, ax_b = list(range(a.rank - k, a.rank)), list(range(k))
        else:
            ax_a, ax_b = ([int(i) for i in np.atleast_1d(v)] for v in axes)
            ax_a = [normalize_axis(i, a.rank, node) for i in ax_a]
            ax_b = [normalize_axis(i, b.rank, node) for i in ax_b]
        if ax_a:
            code.check(ctx, [f"tf.math.equal(tf.shape({a.expr})[{i}], tf.shape({b.expr})[{j}])"
                             for i, j in zip(ax_a, ax_b)], "shape-mismatch for sum", scalar=True)
        shape = tuple(d for i, d in enumerate(a.shape) if i not in ax_a) + \
            tuple(d for i, d in enumerate(b.shape) if i not in ax_b)
        return Tensor(f"tf.tensordot({a.expr}, {b.expr}, [{ax_a}, {ax_b}])", dt, shape, ident=new_ident())
    return lower


for _n in ("numpy.tensordot", "numpy.linalg.tensordot"):
    lowering(_n, "tf.tensordot", status="partial", limits="floating-point operands only",
             samples=(S("{f}(x, y)", x="f[m,n,k]", y="f[n,k]"), S("{f}(x, y, axes=1)", x="f[m,n]", y="f[n,k]"),
                      S("{f}(x, y, axes=([0], [1]))", x="f[m,n]", y="f[k,m]")))(_tensordot(_n.replace("numpy.", "np.")))


@lowering("numpy.linalg.matmul", "tf.linalg.matmul", status="partial", limits="floating-point operands only",
          samples=(S("{f}(x, y)", x="f[m,n]", y="f[n,k]"),))
def linalg_matmul(ctx, args, kwargs, node):
    from .linalg import matmul
    p = bind("np.linalg.matmul", args, kwargs, [("x1", REQUIRED), ("x2", REQUIRED)], node)
    return matmul(ctx, [p["x1"], p["x2"]], node)


@lowering("numpy.linalg.outer", "tf.tensordot", status="partial", limits="as np.outer; 1-D operands",
          samples=(S("{f}(x, y)", x="n[m]", y="n[k]"),))
def linalg_outer(ctx, args, kwargs, node):
    from .linalg import outer
    p = bind("np.linalg.outer", args, kwargs, [("x1", REQUIRED), ("x2", REQUIRED)], node)
    a, b = tensor(ctx, p["x1"], node), tensor(ctx, p["x2"], node)
    if a.rank != 1 or b.rank != 1:
        raise Refusal("P301", "np.linalg.outer takes 1-D arrays: NumPy raises", node)
    return outer(ctx, [a, b], {}, node)


def _cross(name):
    def lower(ctx, args, kwargs, node):
        spec = [("x1", REQUIRED), ("x2", REQUIRED), ("axis", -1)] if "linalg" in name else \
            [("a", REQUIRED), ("b", REQUIRED), ("axisa", -1), ("axisb", -1), ("axisc", -1), ("axis", None)]
        p = bind(name, args, kwargs, spec, node, refuse_unless_default=() if "linalg" in name else
                 ("axisa", "axisb", "axisc", "axis"))
        keys = ("x1", "x2") if "linalg" in name else ("a", "b")
        a, b = (ctx.materialize(tensor(ctx, p[k], node), "v") for k in keys)
        if "linalg" in name and static(p["axis"], "axis", node) != -1:
            raise Refusal("P205", "np.linalg.cross(axis=...) is not converted", node)
        if a.rank == 0 or b.rank == 0:
            raise Refusal("P301", "np.cross of scalars: NumPy raises", node)
        n, m = a.shape[-1], b.shape[-1]
        if n is None or m is None:
            raise Refusal("P202", "np.cross needs the vectors' length (2 or 3) known when converting", node)
        if n != m or n not in ((3,) if "linalg" in name else (2, 3)):
            raise Refusal("P205" if n in (2, 3) and m in (2, 3) else "P301",
                          "np.cross of vectors of lengths other than 2 or 3 (or mixed): not converted", node)
        c = lambda t, i: Tensor(f"{t.expr}[..., {i}]", t.dtype, t.shape[:-1])
        u = lambda op, x, y: apply_ufunc(ctx, op, [x, y], node)
        cp = lambda i, j: u("subtract", u("multiply", c(a, i), c(b, j)), u("multiply", c(a, j), c(b, i)))
        if n == 2:
            return cp(0, 1)
        parts = [cp(1, 2), cp(2, 0), cp(0, 1)]
        shape = broadcast([a.shape[:-1], b.shape[:-1]], node) + (3,)
        return Tensor(f"tf.stack([{', '.join(q.expr for q in parts)}], axis=-1)", parts[0].dtype, shape,
                      ident=new_ident())
    return lower


lowering("numpy.cross", "tf.stack", status="partial", limits="vectors along the last axis (2 or 3 long, both the same)",
         samples=(S("{f}(x, y)", x="n[m,3]", y="n[3]"), S("{f}(x, y)", x="n[m,2]", y="n[m,2]")))(_cross("np.cross"))
lowering("numpy.linalg.cross", "tf.stack", status="partial", limits="3-vectors along the last axis",
         samples=(S("{f}(x, y)", x="n[m,3]", y="n[m,3]"),))(_cross("np.linalg.cross"))


@lowering("numpy.kron", "tf.reshape", samples=(S("{f}(x, y)", x="a[m,n]", y="a[k,2]"), S("{f}(x, y)", x="n[m]", y="n[k,n]"),
                                               S("{f}(x, y)", x="n[]", y="n[k]")))
def kron(ctx, args, kwargs, node):
    p = bind("np.kron", args, kwargs, [("a", REQUIRED), ("b", REQUIRED)], node)
    a, b = tensor(ctx, p["a"], node), tensor(ctx, p["b"], node)
    if a.rank == 0 or b.rank == 0:
        return apply_ufunc(ctx, "multiply", [a, b], node)
    nd = max(a.rank, b.rank)
    a, b = ctx.materialize(a, "a"), ctx.materialize(b, "b")
    ae = f"tf.reshape({a.expr}, tf.concat([tf.ones([{nd - a.rank}], tf.int32), tf.shape({a.expr})], 0))"
    be = f"tf.reshape({b.expr}, tf.concat([tf.ones([{nd - b.rank}], tf.int32), tf.shape({b.expr})], 0))"
    ae, be = ctx.bind(ae, "a"), ctx.bind(be, "b")
    ash = (1,) * (nd - a.rank) + a.shape
    bsh = (1,) * (nd - b.rank) + b.shape
    a2 = ae
    for i in range(1, 2 * nd, 2):
        a2 = f"tf.expand_dims({a2}, {i})"
    b2 = be
    for i in range(0, 2 * nd, 2):
        b2 = f"tf.expand_dims({b2}, {i})"
    prod = apply_ufunc(ctx, "multiply", [Tensor(a2, a.dtype, tuple(x for d in ash for x in (d, 1))),
                                         Tensor(b2, b.dtype, tuple(x for d in bsh for x in (1, d)))], node)
    shape = tuple(None if x is None or y is None else x * y for x, y in zip(ash, bsh))
    return Tensor(f"tf.reshape({prod.expr}, tf.shape({ae}) * tf.shape({be}))", prod.dtype, shape, ident=new_ident())


# -- trace and diagonal --------------------------------------------------------------------------------

def _diagonal(ctx, x: Tensor, offset: int, a1: int, a2: int, node) -> Tensor:
    if x.rank < 2:
        raise Refusal("P301", "diag requires an array of at least two dimensions: NumPy raises", node)
    a1, a2 = normalize_axis(a1, x.rank, node), normalize_axis(a2, x.rank, node)
    if a1 == a2:
        raise Refusal("P301", "axis1 and axis2 cannot be the same: NumPy raises", node)
    perm = [i for i in range(x.rank) if i not in (a1, a2)] + [a1, a2]
    xe = f"tf.transpose({x.expr}, {perm})" if perm != list(range(x.rank)) else x.expr
    sub = f"{xe}[..., :, {offset}:]" if offset > 0 else f"{xe}[..., {-offset}:, :]" if offset < 0 else xe
    r, c = x.shape[a1], x.shape[a2]
    k = None if r is None or c is None else max(0, min(r + min(offset, 0), c - max(offset, 0)))
    return Tensor(f"tf.linalg.diag_part({sub})", x.dtype, tuple(x.shape[i] for i in perm[:-2]) + (k,),
                  ident=new_ident())


@lowering("numpy.diagonal", "tf.linalg.diag_part", samples=(S("{f}(x)", x="a[m,n]"), S("{f}(x, 1, 0, 2)", x="a[m,n,k]"),
                                                            S("{f}(x, -2, -1, 0)", x="a[m,n,k]")))
def diagonal(ctx, args, kwargs, node):
    p = bind("np.diagonal", args, kwargs, [("a", REQUIRED), ("offset", 0), ("axis1", 0), ("axis2", 1)], node)
    return _diagonal(ctx, tensor(ctx, p["a"], node), int(static(p["offset"], "offset", node)),
                     int(static(p["axis1"], "axis1", node)), int(static(p["axis2"], "axis2", node)), node)


@lowering("numpy.linalg.diagonal", "tf.linalg.diag_part", samples=(S("{f}(x)", x="a[m,n]"),
                                                                   S("{f}(x, offset=1)", x="a[k,m,n]")))
def linalg_diagonal(ctx, args, kwargs, node):
    p = bind("np.linalg.diagonal", args, kwargs, [("x", REQUIRED), ("offset", 0)], node)
    return _diagonal(ctx, tensor(ctx, p["x"], node), int(static(p["offset"], "offset", node)), -2, -1, node)


def _trace(ctx, x, offset, a1, a2, dtype, node, what):
    x = tensor(ctx, x, node)
    kw = {"dtype": np.dtype(dtype)} if dtype else {}
    d = _diagonal(ctx, x, offset, a1, a2, node)
    return reduce(ctx, "sum", [d], {"axis": Static(-1)} | ({"dtype": Static(np.dtype(dtype))} if dtype else {}), node)


@lowering("numpy.trace", "tf.linalg.diag_part", samples=(S("{f}(x)", x="a[m,n]"), S("{f}(x, 1, 1, 2)", x="a[m,n,k]"),
                                                         S("{f}(x, dtype=np.float32)", x="n[m,n]")))
def trace(ctx, args, kwargs, node):
    p = bind("np.trace", args, kwargs, [("a", REQUIRED), ("offset", 0), ("axis1", 0), ("axis2", 1), ("dtype", None),
                                        ("out", None)], node, refuse_unless_default=("out",))
    return _trace(ctx, p["a"], int(static(p["offset"], "offset", node)), int(static(p["axis1"], "axis1", node)),
                  int(static(p["axis2"], "axis2", node)), dtype_arg(p["dtype"], node), node, "np.trace")


@lowering("numpy.linalg.trace", "tf.linalg.diag_part", samples=(S("{f}(x)", x="a[m,n]"), S("{f}(x, offset=-1)",
                                                                                        x="n[k,m,n]")))
def linalg_trace(ctx, args, kwargs, node):
    p = bind("np.linalg.trace", args, kwargs, [("x", REQUIRED), ("offset", 0), ("dtype", None)], node)
    return _trace(ctx, p["x"], int(static(p["offset"], "offset", node)), -2, -1, dtype_arg(p["dtype"], node), node,
                  "np.linalg.trace")


# -- norms ---------------------------------------------------------------------------------------------

def _max0(ctx, t: Tensor, axes, keep) -> Tensor:
    """max(axis, initial=0) of non-negative values: 0 for an empty slice, NaN propagates."""
    axes = list(axes)
    shape = tuple(1 if i in axes else d for i, d in enumerate(t.shape)) if keep else \
        tuple(d for i, d in enumerate(t.shape) if i not in axes)
    return Tensor(f"tf.math.maximum(tf.math.reduce_max({t.expr}, axis={axes}, keepdims={keep}), "
                  f"{code.constant(0, t.dtype)})", t.dtype, shape, ident=new_ident())


def vector_norm(ctx, x: Tensor, ord_, axes, keep, node) -> Tensor:
    """NumPy's vector branch of norm() over `axes` (x already inexact)."""
    ax = Static(tuple(axes))
    kw = {"axis": ax, "keepdims": Static(keep)}
    absx = apply_ufunc(ctx, "absolute", [x], node)
    if ord_ == np.inf:
        return _max0(ctx, absx, axes, keep)
    if ord_ == -np.inf:
        return reduce(ctx, "min", [absx], kw, node)
    if ord_ == 0:
        nz = apply_ufunc(ctx, "not_equal", [x, Static(0)], node)
        nz = nz.with_(expr=code.cast(nz.expr, "bool", x.dtype), dtype=x.dtype)
        return reduce(ctx, "sum", [nz], kw, node)
    if ord_ == 1:
        return reduce(ctx, "sum", [absx], kw, node)
    if ord_ is None or ord_ == 2:
        s = apply_ufunc(ctx, "multiply", [x, x], node)
        return apply_ufunc(ctx, "sqrt", [reduce(ctx, "sum", [s], kw, node)], node)
    if isinstance(ord_, str):
        raise Refusal("P301", f"Invalid norm order '{ord_}' for vectors: NumPy raises", node)
    powd = apply_ufunc(ctx, "power", [absx, Static(float(ord_))], node)
    tot = reduce(ctx, "sum", [powd], kw, node)
    return apply_ufunc(ctx, "power", [tot, Static(float(np.reciprocal(float(ord_))))], node)


def matrix_norm(ctx, x: Tensor, ord_, axes, keep, node) -> Tensor:
    r, c = axes
    kw = lambda a: {"axis": Static(a)}
    absx = apply_ufunc(ctx, "absolute", [x], node)
    if ord_ in ("fro", None):
        s = apply_ufunc(ctx, "multiply", [x, x], node)
        out = apply_ufunc(ctx, "sqrt", [reduce(ctx, "sum", [s], kw((r, c)), node)], node)
    elif ord_ in (1, -1, np.inf, -np.inf):
        first, second = (r, c) if ord_ in (1, -1) else (c, r)
        if second > first:
            second -= 1
        sums = reduce(ctx, "sum", [absx], kw(first), node)
        out = _max0(ctx, sums, (second,), False) if ord_ in (1, np.inf) else reduce(ctx, "min", [sums], kw(second), node)
    elif ord_ in (2, -2, "nuc"):
        x = ctx.materialize(x, "x")
        perm = [i for i in range(x.rank) if i not in (r, c)] + [r, c]
        moved = f"tf.transpose({x.expr}, {perm})"
        code.check(ctx, f"tf.math.is_finite({x.expr})", "SVD did not converge")
        sv = Tensor(f"tf.linalg.svd({moved}, compute_uv=False)", x.dtype,
                    tuple(x.shape[i] for i in perm[:-2]) + (None,))
        sv = ctx.materialize(sv, "sv")
        out = _max0(ctx, sv, (sv.rank - 1,), False) if ord_ == 2 else reduce(ctx, "min" if ord_ == -2 else "sum",
                                                                              [sv], kw(-1), node)
    else:
        raise Refusal("P301", f"Invalid norm order {ord_!r} for matrices: NumPy raises", node)
    if keep:
        e = out.expr
        for a in sorted((r, c)):
            e = f"tf.expand_dims({e}, {a})"
        shape = tuple(1 if i in (r, c) else d for i, d in enumerate(x.shape))
        out = out.with_(expr=e, shape=shape)
    return out


def _inexact(ctx, v, node) -> Tensor:
    x = tensor(ctx, v, node)
    if np.dtype(x.dtype).kind == "c":
        raise Refusal("P201", "norms of complex arrays are not converted", node)
    if np.dtype(x.dtype).kind != "f":
        x = Tensor(code.cast(x.expr, x.dtype, "float64"), "float64", x.shape)
    return ctx.materialize(x, "x")


def norm(ctx, args, kwargs, node):
    p = bind("np.linalg.norm", args, kwargs, [("x", REQUIRED), ("ord", None), ("axis", None), ("keepdims", False)],
             node)
    x = _inexact(ctx, p["x"], node)
    ord_ = static(p["ord"], "ord", node)
    axis = static_axis(p["axis"], node)
    keep = bool(static(p["keepdims"], "keepdims", node))
    probe(np.linalg.norm, [x], {"ord": ord_, "axis": axis, "keepdims": keep}, node, "np.linalg.norm")
    if axis is None and ord_ is None:
        axes = tuple(range(x.rank))
        if x.rank == 0:
            raise Refusal("P301", "np.linalg.norm of a 0-d array: NumPy raises", node)
        return vector_norm(ctx, x, 2, axes, keep, node)
    if axis is None:
        axes = tuple(range(x.rank))
    else:
        axes = tuple(normalize_axis(a, x.rank, node) for a in ((axis,) if isinstance(axis, int) else axis))
    if len(axes) == 1:
        return vector_norm(ctx, x, ord_, axes, keep, node)
    if len(axes) == 2:
        return matrix_norm(ctx, x, ord_, axes, keep, node)
    raise Refusal("P301", "Improper number of dimensions to norm: NumPy raises", node)


from .registry import REGISTRY  # noqa: E402

REGISTRY.pop("numpy.linalg.norm")
lowering("numpy.linalg.norm", "tf.norm", status="partial",
         limits="real arrays; ord 2/-2/'nuc' of matrices through TF's SVD (rounding)",
         samples=(S("{f}(x)", x="n[m,n]"), S("{f}(x, axis=-1)", x="n[m,n]"), S("{f}(x, 1, axis=0)", x="f[m,n]"),
                  S("{f}(x, np.inf, axis=1, keepdims=True)", x="n[m,n]"), S("{f}(x, 0, axis=0)", x="f[m,n]"),
                  S("{f}(x, 3, axis=0)", x="f[m,n]@-3:3"), S("{f}(x, -np.inf)", x="f[m]"),
                  S("{f}(x, 'fro')", x="n[m,n]"), S("{f}(x, 1)", x="f[m,n]"), S("{f}(x, -np.inf)", x="f[m,n]"),
                  S("{f}(x, 2, axis=(1, 0))", x="f[m,n]@-2:2", finite=True),
                  S("{f}(x, 'nuc', keepdims=True)", x="f[m,n]@-2:2", finite=True)), rtol=1e-5)(norm)


@lowering("numpy.linalg.vector_norm", "tf.norm", status="partial", limits="real arrays",
          samples=(S("{f}(x)", x="n[m,n]"), S("{f}(x, axis=0, ord=1)", x="f[m,n]"),
                   S("{f}(x, keepdims=True, ord=np.inf)", x="f[m,n]")))
def np_vector_norm(ctx, args, kwargs, node):
    p = bind("np.linalg.vector_norm", args, kwargs, [("x", REQUIRED), ("axis", None), ("keepdims", False),
                                                     ("ord", 2)], node)
    x = _inexact(ctx, p["x"], node)
    axis = static_axis(p["axis"], node)
    keep = bool(static(p["keepdims"], "keepdims", node))
    ord_ = static(p["ord"], "ord", node)
    probe(np.linalg.vector_norm, [x], {"axis": axis, "keepdims": keep, "ord": ord_}, node, "np.linalg.vector_norm")
    return vector_norm(ctx, x, ord_, normalize_axes(axis, x.rank, node), keep, node)


@lowering("numpy.linalg.matrix_norm", "tf.norm", status="partial", limits="real arrays; ord 2/-2/'nuc' through TF's SVD",
          samples=(S("{f}(x)", x="n[k,m,n]"), S("{f}(x, ord=1)", x="f[m,n]"),
                   S("{f}(x, ord=2, keepdims=True)", x="f[m,n]@-2:2", finite=True)), rtol=1e-5)
def np_matrix_norm(ctx, args, kwargs, node):
    p = bind("np.linalg.matrix_norm", args, kwargs, [("x", REQUIRED), ("keepdims", False), ("ord", "fro")], node)
    x = _inexact(ctx, p["x"], node)
    keep = bool(static(p["keepdims"], "keepdims", node))
    ord_ = static(p["ord"], "ord", node)
    probe(np.linalg.matrix_norm, [x], {"keepdims": keep, "ord": ord_}, node, "np.linalg.matrix_norm")
    if x.rank < 2:
        raise Refusal("P301", "matrix_norm needs an array of rank >= 2: NumPy raises", node)
    return matrix_norm(ctx, x, ord_, (x.rank - 2, x.rank - 1), keep, node)


from .registry import unsupported  # noqa: E402

unsupported("eigenvectors and singular vectors are unique only up to sign (and order for ties); LAPACK's choice "
            "cannot be reproduced by TF's kernels", "numpy.linalg.eigh", "numpy.linalg.svd", "numpy.linalg.qr")
unsupported("general (non-symmetric) eigenproblems return complex values in an order LAPACK does not define",
            "numpy.linalg.eig", "numpy.linalg.eigvals")
unsupported("least squares returns rank and singular values from LAPACK's gelsd; TF's solver differs in them and in "
            "rank-deficient solutions", "numpy.linalg.lstsq")
unsupported("multi_dot reorders the products by cost (rounding follows the order); tensorinv/tensorsolve/cond not "
            "converted yet", "numpy.linalg.multi_dot", "numpy.linalg.tensorinv", "numpy.linalg.tensorsolve",
            "numpy.linalg.cond")
