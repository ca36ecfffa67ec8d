"""NumPy functions that create, select, convert and round: where, clip, zeros, arange, asarray, round, ..."""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.dtypes import probe, result_dtype, ufunc_loop
from transpiler.lower.operators import _as_tensor, apply_ufunc
from transpiler.lower.shapes import broadcast
from transpiler.lower.values import Seq, Static, Tensor, is_static, static_value

from .args import REQUIRED, bind, dtype_arg, static, tensor
from .registry import S, add_samples, lowering


@lowering("numpy.where", "tf.where")
def where(ctx, args, kwargs, node):
    if len(args) == 1 and not kwargs:
        return nonzero(ctx, args, {}, node)
    p = bind("np.where", args, kwargs, [("condition", REQUIRED), ("x", REQUIRED), ("y", REQUIRED)], node)
    cond = tensor(ctx, p["condition"], node)
    # np.where promotes x and y together (NEP 50: Python scalars are weak)
    dt = result_dtype(probe(np.where, [cond, p["x"], p["y"]], {}, node, "np.where"))
    x, y = _as_tensor(p["x"], dt), _as_tensor(p["y"], dt)
    shape = broadcast([cond.shape, x.shape, y.shape], node)
    c = code.cast(cond.expr, cond.dtype, "bool") if cond.dtype == "bool" else f"tf.math.not_equal({cond.expr}, 0)"
    # TF2's tf.where (SelectV2) broadcasts its three operands with NumPy's rule itself
    return Tensor(f"tf.where({c}, {x.expr}, {y.expr})", dt, shape, ident=new_ident())


@lowering("numpy.nonzero", "tf.where")
def nonzero(ctx, args, kwargs, node):
    p = bind("np.nonzero", args, kwargs, [("a", REQUIRED)], node)
    x = tensor(ctx, p["a"], node)
    if x.rank == 0:
        raise Refusal("P301", "np.nonzero of a 0-d array raises in NumPy 2", node)
    mask = x.expr if x.dtype == "bool" else f"tf.math.not_equal({x.expr}, 0)"
    coords = ctx.bind(f"tf.where({mask})", "nz")
    return Seq(tuple(Tensor(f"{coords}[:, {i}]", "int64", (None,), ident=new_ident()) for i in range(x.rank)),
               "tuple")


@lowering("numpy.flatnonzero", "tf.where")
def flatnonzero(ctx, args, kwargs, node):
    x = tensor(ctx, args[0], node)
    x = ctx.materialize(x, "x")
    flat = f"tf.reshape({x.expr}, [-1])"
    mask = flat if x.dtype == "bool" else f"tf.math.not_equal({flat}, 0)"
    return Tensor(f"tf.where({mask})[:, 0]", "int64", (None,), ident=new_ident())


@lowering("numpy.argwhere", "tf.where")
def argwhere(ctx, args, kwargs, node):
    p = bind("np.argwhere", args, kwargs, [("a", REQUIRED)], node)
    x = tensor(ctx, p["a"], node)
    mask = x.expr if x.dtype == "bool" else f"tf.math.not_equal({x.expr}, 0)"
    if x.rank == 0:
        # NumPy treats a 0-d array as 1-d and keeps no columns: shape (0 or 1, 0); TF's Where needs rank >= 1
        return Tensor(f"tf.where(tf.reshape({mask}, [1]))[:, :0]", "int64", (None, 0), ident=new_ident())
    return Tensor(f"tf.where({mask})", "int64", (None, x.rank), ident=new_ident())


@lowering("numpy.clip", "tf.clip_by_value")
def clip(ctx, args, kwargs, node):
    p = bind("np.clip", args, kwargs, [("a", REQUIRED), ("a_min", None), ("a_max", None), ("out", None)], node,
             refuse_unless_default=("out",))
    out = p["a"]
    lo, hi = p["a_min"], p["a_max"]
    # np.clip is minimum(maximum(a, a_min), a_max) with NumPy's promotion of all three
    if not (isinstance(lo, Static) and lo.value is None):
        out = apply_ufunc(ctx, "maximum", [out, lo], node)
    if not (isinstance(hi, Static) and hi.value is None):
        out = apply_ufunc(ctx, "minimum", [out, hi], node)
    if out is p["a"]:
        raise Refusal("P301", "np.clip needs a_min or a_max: NumPy raises", node)
    if isinstance(p["a"], Tensor):
        dt = result_dtype(probe(np.clip, [p["a"], lo, hi], {}, node, "np.clip"))
        out = out.with_(expr=code.cast(out.expr, out.dtype, dt), dtype=dt)
    return out


def _creation(name, fill):
    def lower(ctx, args, kwargs, node):
        spec = [("shape", REQUIRED), ("dtype", float), ("order", "C")]
        if name == "full":
            spec = [("shape", REQUIRED), ("fill_value", REQUIRED), ("dtype", None), ("order", "C")]
        p = bind(f"np.{name}", args, kwargs, spec, node, refuse_unless_default=("order",))
        from .shape_ops import _dims_arg
        dims = _dims_arg(p["shape"], node)
        if name == "full":
            value = p["fill_value"]
            dt = dtype_arg(p["dtype"], node) or result_dtype(probe(np.full, [Static(1), value], {}, node, "np.full"))
        else:
            dt = dtype_arg(p["dtype"], node)
            value = Static(fill)
        shape = tuple(d.value if isinstance(d, Static) else None for d in dims)
        parts = [str(d.value) if isinstance(d, Static) else code.cast(d.expr, d.dtype, "int64") for d in dims]
        if any(isinstance(d, Static) and d.value < 0 for d in dims):
            raise Refusal("P301", "negative dimensions are not allowed: NumPy raises", node)
        shape_expr = ("tf.stack([" + ", ".join(p_ if not p_.isdigit() else f"tf.constant({p_}, tf.int64)"
                                               for p_ in parts) + "])") if any(
            isinstance(d, Tensor) for d in dims) else "[" + ", ".join(parts) + "]"
        v = _as_tensor(value, dt)
        return Tensor(f"tf.fill({shape_expr}, {v.expr})", dt, shape, ident=new_ident())
    return lower


lowering("numpy.zeros", "tf.fill")(_creation("zeros", 0))
lowering("numpy.ones", "tf.fill")(_creation("ones", 1))
lowering("numpy.full", "tf.fill")(_creation("full", None))


def _like(name, fill):
    def lower(ctx, args, kwargs, node):
        spec = [("a", REQUIRED), ("dtype", None), ("order", "K"), ("subok", True), ("shape", None)]
        if name == "full_like":
            spec = [("a", REQUIRED), ("fill_value", REQUIRED), ("dtype", None), ("order", "K"), ("subok", True),
                    ("shape", None)]
        p = bind(f"np.{name}", args, kwargs, spec, node, refuse_unless_default=("order", "shape"))
        x = tensor(ctx, p["a"], node)
        dt = dtype_arg(p["dtype"], node) or x.dtype
        value = p["fill_value"] if name == "full_like" else Static(fill)
        if isinstance(value, Static) and type(value.value) is float and np.dtype(dt).kind in "iu" \
                and not np.isfinite(value.value):
            raise Refusal("P301", "cannot fill an integer array with a non-finite value: NumPy raises", node)
        v = _as_tensor(value, dt)
        x = ctx.materialize(x, "x")
        return Tensor(f"tf.fill(tf.shape({x.expr}), {v.expr})", dt, x.shape, ident=new_ident())
    return lower


lowering("numpy.zeros_like", "tf.fill")(_like("zeros_like", 0))
lowering("numpy.ones_like", "tf.fill")(_like("ones_like", 1))
lowering("numpy.full_like", "tf.fill")(_like("full_like", None))


@lowering("numpy.arange", "tf.range")
def arange(ctx, args, kwargs, node):
    if kwargs.keys() - {"dtype"} or not 1 <= len(args) <= 3:
        raise Refusal("P205", "np.arange: only positional start/stop/step and dtype= are supported", node)
    bounds = list(args)
    if len(bounds) == 1:
        bounds = [Static(0)] + bounds
    dt = dtype_arg(kwargs["dtype"], node) if "dtype" in kwargs else None
    probe_kw = {"dtype": np.dtype(dt)} if dt else {}
    out = result_dtype(probe(np.arange, bounds, probe_kw, node, "np.arange"))
    bound_kinds = [np.dtype(code.dtype_of(b)).kind for b in bounds]
    if any(k not in "iu" for k in bound_kinds) or np.dtype(out).kind not in "iuf":
        raise Refusal("P202", "np.arange over run-time non-integer bounds (float lengths round differently) is "
                              "not supported", node)
    if np.dtype(out).kind == "f" and any(not is_static(b) for b in bounds):
        # integer bounds: NumPy fills start + i*step in the float dtype; exact below 2**24 (float32)
        limit = 2 ** (np.finfo(out).nmant + 1)
        for b in bounds:
            if not is_static(b):
                b = ctx.materialize(b, "bound")
                code.check(ctx, f"tf.math.less_equal(tf.math.abs({code.cast(b.expr, b.dtype, 'int64')}), "
                                f"tf.constant({limit}, tf.int64))", "np.arange bound too large to convert exactly",
                           scalar=b.rank == 0)
    parts = [code.tensor_expr(b, "int64") for b in bounds]
    expr = f"tf.range({', '.join(parts)})"
    return Tensor(code.cast(expr, "int64", out), out, (None,), ident=new_ident())


def _asarray(name, copy):
    def lower(ctx, args, kwargs, node):
        spec = [("a", REQUIRED), ("dtype", None), ("copy", copy), ("order", "K"), ("ndmin", 0)]
        if name == "asarray":
            spec = [("a", REQUIRED), ("dtype", None), ("order", None), ("copy", None)]
        p = bind(f"np.{name}", args, kwargs, spec, node, refuse_unless_default=("order",) +
                 (("ndmin",) if name == "array" else ()))
        src = p["a"]
        if isinstance(src, Tensor) and src.eager and src.dtype == "string":
            raise Refusal("P212", "string tensors are not converted yet", node)
        x = tensor(ctx, src, node)
        dt = dtype_arg(p["dtype"], node) or x.dtype
        fresh = copy or dt != x.dtype
        return x.with_(expr=code.cast(x.expr, x.dtype, dt), dtype=dt, ident=new_ident() if fresh else x.ident)
    return lower


lowering("numpy.asarray", "tf.convert_to_tensor")(_asarray("asarray", None))
lowering("numpy.array", "tf.convert_to_tensor")(_asarray("array", True))
lowering("numpy.asanyarray", "tf.convert_to_tensor")(_asarray("asarray", None))
lowering("numpy.ascontiguousarray", "tf.convert_to_tensor")(_asarray("asarray", None))


@lowering("numpy.copy", "tf.identity")
def copy(ctx, args, kwargs, node):
    x = tensor(ctx, args[0], node)
    return x.with_(ident=new_ident())


def round_tensor(ctx, x: Tensor, decimals: int, node) -> Tensor:
    kind = np.dtype(x.dtype).kind
    if kind in "iub":
        if decimals >= 0:
            return x.with_(ident=new_ident())
        raise Refusal("P205", "rounding integers to negative decimals is not supported yet", node)
    if kind != "f":
        raise Refusal("P201", f"rounding {x.dtype} is not supported", node)
    if decimals == 0:
        return Tensor(f"tf.math.round({x.expr})", x.dtype, x.shape, ident=new_ident())  # half to even, as NumPy
    # NumPy: rint(x * 10**d) / 10**d (for d < 0: rint(x / 10**-d) * 10**-d)
    scale = code.constant(10.0 ** abs(decimals), x.dtype)
    if decimals > 0:
        return Tensor(f"tf.math.round({x.expr} * {scale}) / {scale}", x.dtype, x.shape, ident=new_ident())
    return Tensor(f"tf.math.round({x.expr} / {scale}) * {scale}", x.dtype, x.shape, ident=new_ident())


@lowering("numpy.round", "tf.math.round", aliases=("numpy.around",))
def np_round(ctx, args, kwargs, node):
    p = bind("np.round", args, kwargs, [("a", REQUIRED), ("decimals", 0), ("out", None)], node,
             refuse_unless_default=("out",))
    return round_tensor(ctx, tensor(ctx, p["a"], node), int(static(p["decimals"], "decimals", node)), node)


@lowering("numpy.dtype_constructor", "tf.cast")
def dtype_constructor(ctx, args, kwargs, node):
    """np.float32(x), np.int64(x): a cast (for arrays, NumPy returns an array of that dtype)."""
    dt = args[0].value.name
    if len(args) != 2 or kwargs:
        raise Refusal("P205", f"np.{dt}(...) takes one value here", node)
    v = args[1]
    if isinstance(v, Tensor) and v.eager:
        v = v.with_(eager=False)
    if is_static(v):
        from transpiler.lower.operators import fold
        return fold(getattr(np, dt), [v], node)
    x = tensor(ctx, v, node)
    if np.dtype(x.dtype).kind == "f" and np.dtype(dt).kind in "iu":
        pass  # truncation toward zero, as NumPy's astype
    return Tensor(code.cast(x.expr, x.dtype, dt), dt, x.shape, ident=new_ident())


@lowering("numpy.isclose", "tf.math.abs")
def isclose(ctx, args, kwargs, node):
    p = bind("np.isclose", args, kwargs, [("a", REQUIRED), ("b", REQUIRED), ("rtol", 1e-05), ("atol", 1e-08),
                                          ("equal_nan", False)], node)
    x, y = p["a"], p["b"]
    # NumPy's own steps: y becomes inexact (result_type(y, 1.)), then
    # (|x - y| <= atol + rtol*|y|) & isfinite(y) | (x == y)
    if isinstance(y, Static) and type(y.value) is int:
        y = Static(float(y.value))
    elif not (isinstance(y, Static) and type(y.value) in (float, complex)):
        y = tensor(ctx, y, node)
        dt = np.result_type(np.dtype(y.dtype), 1.0).name
        y = ctx.materialize(y.with_(expr=code.cast(y.expr, y.dtype, dt), dtype=dt), "y")
    diff = apply_ufunc(ctx, "absolute", [apply_ufunc(ctx, "subtract", [x, y], node)], node)
    bound = apply_ufunc(ctx, "add", [p["atol"], apply_ufunc(ctx, "multiply", [
        p["rtol"], apply_ufunc(ctx, "absolute", [y], node)], node)], node)
    close = apply_ufunc(ctx, "logical_and", [apply_ufunc(ctx, "less_equal", [diff, bound], node),
                                             apply_ufunc(ctx, "isfinite", [y], node)], node)
    p = dict(p, a=x, b=y)
    eq = apply_ufunc(ctx, "equal", [p["a"], p["b"]], node)
    out = apply_ufunc(ctx, "logical_or", [close, eq], node)
    if static(p["equal_nan"], "equal_nan", node):
        both = apply_ufunc(ctx, "logical_and", [apply_ufunc(ctx, "isnan", [p["a"]], node),
                                                apply_ufunc(ctx, "isnan", [p["b"]], node)], node)
        out = apply_ufunc(ctx, "logical_or", [out, both], node)
    return out


@lowering("numpy.bincount", "tf.math.bincount")
def bincount(ctx, args, kwargs, node):
    p = bind("np.bincount", args, kwargs, [("x", REQUIRED), ("weights", None), ("minlength", 0)], node,
             refuse_unless_default=("weights",))
    x = tensor(ctx, p["x"], node)
    if x.rank != 1 or np.dtype(x.dtype).kind not in "iub":
        raise Refusal("P301", "np.bincount needs a 1-D array of non-negative ints: NumPy raises", node)
    minlength = int(static(p["minlength"], "minlength", node))
    x = ctx.materialize(Tensor(code.cast(x.expr, x.dtype, "int64"), "int64", x.shape), "x")
    code.check(ctx, f"tf.math.greater_equal({x.expr}, 0)", "'list' argument must have no negative elements")
    size = ctx.bind(f"tf.math.maximum(tf.math.reduce_max(tf.concat([{x.expr} + 1, [0]], 0)), {minlength})", "n")
    expr = (f"tf.math.unsorted_segment_sum(tf.ones_like({x.expr}), {x.expr}, {size})")
    return Tensor(expr, "int64", (None,), ident=new_ident())


@lowering("numpy.diag", "tf.linalg.diag_part")
def diag(ctx, args, kwargs, node):
    p = bind("np.diag", args, kwargs, [("v", REQUIRED), ("k", 0)], node)
    x = tensor(ctx, p["v"], node)
    k = int(static(p["k"], "k", node))
    if x.rank == 2:
        shape = (None,)
        if x.shape[0] is not None and x.shape[1] is not None:
            shape = (max(0, min(x.shape[0] + min(k, 0), x.shape[1] - max(k, 0))),)
        # NumPy gives an empty diagonal for k beyond the matrix; TF's diag_part raises: slice first
        sub = f"{x.expr}[:, {k}:]" if k > 0 else f"{x.expr}[{-k}:, :]" if k < 0 else x.expr
        return Tensor(f"tf.linalg.diag_part({sub})", x.dtype, shape, ident=new_ident())
    if x.rank == 1:
        n = None if x.shape[0] is None else x.shape[0] + abs(k)
        return Tensor(f"tf.linalg.diag({x.expr}, k={k})", x.dtype, (n, n), ident=new_ident())
    raise Refusal("P301", "np.diag needs a 1-D or 2-D array: NumPy raises", node)


@lowering("numpy.count_nonzero", "tf.math.count_nonzero")
def count_nonzero(ctx, args, kwargs, node):
    p = bind("np.count_nonzero", args, kwargs, [("a", REQUIRED), ("axis", None), ("keepdims", False)], node)
    x = tensor(ctx, p["a"], node)
    from .args import static_axis
    from transpiler.lower.shapes import normalize_axes
    axis = static_axis(p["axis"], node)
    keep = bool(static(p["keepdims"], "keepdims", node))
    axes = normalize_axes(axis, x.rank, node)
    shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape)) if keep else \
        tuple(d for i, d in enumerate(x.shape) if i not in axes)
    ax = "None" if axis is None else repr(axes)
    # NumPy returns a Python int for axis=None, an intp array otherwise
    return Tensor(f"tf.math.count_nonzero({x.expr}, axis={ax}, keepdims={keep}, dtype=tf.int64)", "int64",
                  shape, weak=axis is None and not keep, ident=new_ident())


for _name, _samples in {
    "where": (S("{f}(x > 0, x, y)", x="n[m,n]", y="a[n]"), S("{f}(c, x, 0.5)", c="b[m]", x="n[m~]"),
              S("{f}(x)", x="a[m,n]")),
    "nonzero": (S("{f}(x)", x="a[m,n]"), S("{f}(x)[0]", x="a[m]")),
    "flatnonzero": (S("{f}(x)", x="a[m,n]"),),
    "argwhere": (S("{f}(x)", x="a[m,n]"), S("{f}(x)", x="a[]")),
    "clip": (S("{f}(x, -1, 2)", x="a[m,n]"), S("{f}(x, lo, hi)", x="n[m]", lo="n[m~]", hi="n[]"),
             S("{f}(x, None, 0.5)", x="n[m]")),
    "zeros": (S("{f}(len(x))", x="a[m]"), S("{f}((x.shape[0], 2), dtype=bool)", x="a[m]")),
    "ones": (S("{f}(len(x))", x="a[m]"), S("{f}((x.shape[0], 2), dtype=np.int32)", x="a[m]")),
    "full": (S("{f}((x.shape[0], 2), 7)", x="a[m]"), S("{f}(x.shape, 1.5, dtype=np.float32)", x="a[m,n]")),
    "zeros_like": (S("{f}(x)", x="a[m,n]"), S("{f}(x, dtype=np.float32)", x="a[m]")),
    "ones_like": (S("{f}(x)", x="a[m,n]"), S("{f}(x, dtype=bool)", x="a[m]")),
    "full_like": (S("{f}(x, 2)", x="a[m,n]"), S("{f}(x, 0.5)", x="n[m]"), S("{f}(x, np.nan, dtype=np.float64)", x="a[m]")),
    "arange": (S("{f}(len(x))", x="a[m]"), S("{f}(1, len(x) + 2, 2)", x="a[m]"),
               S("{f}(x.shape[0], dtype=np.float32)", x="a[m]")),
    "asarray": (S("{f}(x)", x="a[m]"), S("{f}(x, dtype=np.float32)", x="a[m,n]")),
    "array": (S("{f}(x)", x="a[m]"), S("{f}(x, dtype=np.float32)", x="a[m,n]")),
    "asanyarray": (S("{f}(x)", x="a[m]"),),
    "ascontiguousarray": (S("{f}(x)", x="a[m]"),),
    "copy": (S("{f}(x)", x="a[m]"),),
    "round": (S("{f}(x)", x="a[m]"), S("{f}(x, 2)", x="f[m]"), S("{f}(x, -1)", x="f[m]")),
    "around": (S("{f}(x)", x="a[m]"),),
    "dtype_constructor": (S("np.float32(x)", x="a[m]"), S("np.int32(x)", x="n[m]", finite=True, domain=(-1e3, 1e3)),
                          S("np.bool_(x)", x="a[m]")),
    "isclose": (S("{f}(x, y)", x="f[m,n~]", y="f[n]"), S("{f}(x, y, equal_nan=True)", x="f[m]", y="f[m]"),
                S("{f}(x, y)", x="i[m]", y="i[m]")),
    "bincount": (S("{f}(x)", x="i[m]@0:5"), S("{f}(x, minlength=4)", x="u[m]@0:9"), S("{f}(x)", x="i[m]@-1:3")),
    "diag": (S("{f}(x)", x="a[m,n]"), S("{f}(x, 1)", x="a[m,n]"), S("{f}(x, -1)", x="a[m]")),
    "count_nonzero": (S("{f}(x)", x="a[m,n]"), S("{f}(x, axis=0)", x="a[m,n]")),
}.items():
    add_samples(f"numpy.{_name}", *_samples)
