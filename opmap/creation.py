"""Creation and padding: np.pad (constant/edge/reflect/symmetric/wrap), eye/identity/tri/tril/triu,
linspace/logspace, meshgrid, indices, window functions; run-time sizes allowed where NumPy's arithmetic can be
repeated step by step (float64 where NumPy computes in float64)."""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.dtypes import probe, result_dtype
from transpiler.lower.operators import _as_tensor
from transpiler.lower.values import Seq, Static, Tensor, is_static, python_scalar_kind

from .args import REQUIRED, bind, dtype_arg, static, tensor
from .registry import S, lowering


def _int_scalar(ctx, v, what, node) -> str:
    """An int64 scalar expression for a size argument (static or run-time int)."""
    if is_static(v):
        n = static(v, what, node)
        if not isinstance(n, (int, np.integer)):
            raise Refusal("P205", f"{what} must be an int here", node)
        return f"tf.constant({int(n)}, tf.int64)"
    if isinstance(v, Tensor) and v.rank == 0 and np.dtype(v.dtype).kind in "iu":
        return code.cast(v.expr, v.dtype, "int64")
    raise Refusal("P202", f"{what} must be an int", node)


# -- np.pad ---------------------------------------------------------------------------------------

def _pad_widths(pw, rank, node):
    arr = np.asarray(pw)
    if arr.dtype.kind not in "iu":
        raise Refusal("P301", "`pad_width` must be of integral type: NumPy raises", node)
    try:
        widths = np.broadcast_to(arr, (rank, 2)).tolist()
    except ValueError:
        raise Refusal("P301", f"pad_width {pw!r} does not fit an array of rank {rank}: NumPy raises", node)
    if any(w < 0 for pair in widths for w in pair):
        raise Refusal("P301", "index can't contain negative values: NumPy raises", node)
    return widths


def _pad_runtime_constant(ctx, x, widths, v, shape, node):
    """`np.pad(a, 1, constant_values=big)` with `big` known only at run time (`h * w + 1`): one scalar,
    stored in the array's dtype as NumPy's astype does (integers wrap, which tf.cast does too)."""
    if v.rank != 0:
        raise Refusal("P202", "constant_values known only at run time must be a scalar", node)
    if np.dtype(v.dtype).kind not in "iub" and v.dtype != x.dtype:
        raise Refusal("P202", f"a run-time {v.dtype} constant_values stored into a {x.dtype} array is not "
                              "converted (NumPy's float-to-integer cast of NaN and overflow differs)", node)
    fill = ctx.bind(code.cast(v.expr, v.dtype, x.dtype), "fill")
    out = ctx.bind(f"tf.pad({x.expr}, {[list(w) for w in widths]}, constant_values={fill})", "padded")
    return Tensor(out, x.dtype, shape, ident=new_ident())


@lowering("numpy.pad", "tf.pad", status="partial",
          limits="modes constant, edge, reflect, symmetric, wrap (reflect_type='even'); pad widths known when "
                 "converting; other modes refused",
          samples=(S("{f}(x, 1)", x="a[m,n]"), S("{f}(x, ((1, 2), (0, 3)), constant_values=7)", x="a[m,n]"),
                   S("{f}(x, ((2, 1),), mode='edge')", x="a[m]"), S("{f}(x, (3, 5), mode='reflect')", x="a[m]"),
                   S("{f}(x, ((1, 4), (2, 0)), mode='symmetric')", x="a[m,n]"),
                   S("{f}(x, 4, mode='wrap')", x="a[m,n]"), S("{f}(x, ((1, 2), (2, 1)), mode='reflect')", x="n[m,n]"),
                   S("{f}(x, 1, constant_values=x.shape[0] * x.shape[1] + 1)", x="n[m,n]"),
                   S("{f}(x, (2, 1), constant_values=len(x) - 2)", x="bool|uint8[m]")))
def pad(ctx, args, kwargs, node):
    kwargs = dict(kwargs)
    mode_v = kwargs.pop("mode", args[2] if len(args) > 2 else Static("constant"))
    args = list(args[:2])
    mode = static(mode_v, "mode", node)
    spec = [("array", REQUIRED), ("pad_width", REQUIRED)]
    if mode == "constant":
        spec.append(("constant_values", 0))
    elif mode in ("reflect", "symmetric"):
        spec.append(("reflect_type", "even"))
    elif mode not in ("edge", "wrap"):
        raise Refusal("P205", f"np.pad(mode={mode!r}) is not converted", node)
    p = bind("np.pad", args, kwargs, spec, node)
    x = tensor(ctx, p["array"], node)
    widths = _pad_widths(static(p["pad_width"], "pad_width", node), x.rank, node)
    if p.get("reflect_type") is not None and static(p["reflect_type"], "reflect_type", node) != "even":
        raise Refusal("P205", "np.pad(reflect_type='odd') is not converted", node)
    shape = tuple(None if d is None else d + a + b for d, (a, b) in zip(x.shape, widths))
    x = ctx.materialize(x, "x")
    if mode == "constant" and isinstance(p["constant_values"], Tensor):
        return _pad_runtime_constant(ctx, x, widths, p["constant_values"], shape, node)
    if mode == "constant":
        vals = np.broadcast_to(np.asarray(static(p["constant_values"], "constant_values", node)), (x.rank, 2))
        with np.errstate(all="ignore"):
            vals = vals.astype(x.dtype)  # NumPy stores the constants in the array's dtype
        cur = x.expr
        for axis, ((a, b), (va, vb)) in enumerate(zip(widths, vals.tolist())):
            for side, w, v in ((0, a, va), (1, b, vb)):
                if w:
                    pads = [[0, 0]] * x.rank
                    pads[axis] = [w, 0] if side == 0 else [0, w]
                    cur = ctx.bind(f"tf.pad({cur}, {pads}, constant_values={code.constant(v, x.dtype)})", "padded")
        return Tensor(cur, x.dtype, shape, ident=new_ident())
    cur = x.expr
    for axis, (a, b) in enumerate(widths):
        if not a and not b:
            continue
        n = ctx.bind(f"tf.shape({cur}, out_type=tf.int64)[{axis}]", "n")
        code.check(ctx, f"{n} > 0", f"can't extend empty axis {axis} using modes other than 'constant' or 'empty'",
                   scalar=True)
        i = ctx.bind(f"tf.range(-{a}, {n} + {b}, dtype=tf.int64)", "i")
        if mode == "edge":
            idx = f"tf.clip_by_value({i}, 0, {n} - 1)"
        elif mode == "wrap":
            idx = f"tf.math.floormod({i}, {n})"
        elif mode == "reflect":
            per = ctx.bind(f"tf.math.maximum(2 * {n} - 2, 1)", "period")
            j = ctx.bind(f"tf.math.floormod({i}, {per})", "j")
            idx = f"tf.where({j} < {n}, {j}, {per} - {j})"
        else:
            j = ctx.bind(f"tf.math.floormod({i}, 2 * {n})", "j")
            idx = f"tf.where({j} < {n}, {j}, 2 * {n} - 1 - {j})"
        cur = ctx.bind(f"tf.gather({cur}, {idx}, axis={axis})", "padded")
    return Tensor(cur, x.dtype, shape, ident=new_ident())


# -- eye, tri, tril, triu ----------------------------------------------------------------------------

def _tri_mask(ctx, n: str, m: str, k: int, upper: bool) -> str:
    """mask[i, j] = j - i <= k (tri) or j - i >= k (triu)."""
    op = ">=" if upper else "<="
    return f"(tf.range({m}, dtype=tf.int64)[tf.newaxis, :] - tf.range({n}, dtype=tf.int64)[:, tf.newaxis] {op} {k})"


def _eye_like(name, kind):
    def lower(ctx, args, kwargs, node):
        if name == "identity":
            p = bind("np.identity", args, kwargs, [("n", REQUIRED), ("dtype", None)], node)
            p["N"], p["M"], p["k"] = p["n"], Static(None), Static(0)
        else:
            spec = [("N", REQUIRED), ("M", None), ("k", 0), ("dtype", float)]
            if name == "eye":
                spec.append(("order", "C"))
            p = bind(f"np.{name}", args, kwargs, spec, node, refuse_unless_default=("order",) if name == "eye" else ())
        dt = dtype_arg(p["dtype"], node) or "float64"
        n = ctx.bind(_int_scalar(ctx, p["N"], "N", node), "n")
        m = n if isinstance(p["M"], Static) and p["M"].value is None else ctx.bind(_int_scalar(ctx, p["M"], "M", node), "m")
        k = int(static(p["k"], "k", node))
        code.check(ctx, [f"{n} >= 0"] + ([f"{m} >= 0"] if m != n else []), "negative dimensions are not allowed",
                   scalar=True)
        cols = tf_cols = f"tf.range({m}, dtype=tf.int64)[tf.newaxis, :] - tf.range({n}, dtype=tf.int64)[:, tf.newaxis]"
        mask = f"tf.math.equal({cols}, {k})" if kind == "eye" else f"({tf_cols} <= {k})"
        known = lambda v: static(v, "N", node) if is_static(v) else None
        N = known(p["N"])
        M = N if isinstance(p["M"], Static) and p["M"].value is None else known(p["M"])
        return Tensor(code.cast(mask, "bool", dt), dt, (N, M), ident=new_ident())
    return lower


lowering("numpy.eye", "tf.range", samples=(S("{f}(len(x))", x="a[m]"), S("{f}(len(x), 3, k=1, dtype=np.int32)",
                                                                          x="a[m]"),
                                           S("{f}(x.shape[0], x.shape[1], -1) * x", x="f[m,n]")))(_eye_like("eye", "eye"))
lowering("numpy.identity", "tf.range", samples=(S("{f}(len(x))", x="a[m]"), S("{f}(len(x), dtype=bool)", x="a[m]")))(
    _eye_like("identity", "eye"))
lowering("numpy.tri", "tf.range", samples=(S("{f}(len(x))", x="a[m]"), S("{f}(len(x), 4, k=-1, dtype=np.int8)",
                                                                          x="a[m]")))(_eye_like("tri", "tri"))


def _tril(upper):
    def lower(ctx, args, kwargs, node):
        p = bind("np.triu" if upper else "np.tril", args, kwargs, [("m", REQUIRED), ("k", 0)], node)
        x = ctx.materialize(tensor(ctx, p["m"], node), "x")
        if x.rank < 2:
            raise Refusal("P205", "np.tril/triu of a 1-D array (NumPy broadcasts it to a square) is not converted",
                          node)
        k = int(static(p["k"], "k", node))
        n, m = f"tf.shape({x.expr}, out_type=tf.int64)[-2]", f"tf.shape({x.expr}, out_type=tf.int64)[-1]"
        mask = _tri_mask(ctx, n, m, k - 1 if upper else k, False)
        keep = f"tf.math.logical_not({mask})" if upper else mask
        return Tensor(f"tf.where({keep}, {x.expr}, tf.zeros_like({x.expr}))", x.dtype, x.shape, ident=new_ident())
    return lower


lowering("numpy.tril", "tf.where", samples=(S("{f}(x)", x="a[m,n]"), S("{f}(x, -1)", x="a[k,m,n]")))(_tril(False))
lowering("numpy.triu", "tf.where", samples=(S("{f}(x)", x="a[m,n]"), S("{f}(x, 2)", x="a[k,m,n]")))(_tril(True))


# -- linspace, logspace ----------------------------------------------------------------------------

def _scalar_value(ctx, v, node) -> Tensor:
    if isinstance(v, Tensor):
        if v.rank != 0:
            raise Refusal("P205", "np.linspace between arrays is not converted (scalars only)", node)
        return v.with_(eager=False)
    if isinstance(v, Static) and np.ndim(v.value) == 0:
        return v
    raise Refusal("P205", "np.linspace between arrays is not converted (scalars only)", node)


def _linspace(ctx, p, node, what="np.linspace") -> tuple[Tensor, str]:
    num = static(p["num"], "num", node)
    if not isinstance(num, (int, np.integer)) or num < 0:
        raise Refusal("P301", f"Number of samples, {num}, must be non-negative: NumPy raises", node)
    endpoint = bool(static(p["endpoint"], "endpoint", node))
    start, stop = _scalar_value(ctx, p["start"], node), _scalar_value(ctx, p["stop"], node)
    dt = result_dtype(probe(np.linspace, [start, stop], {"num": 2}, node, what))  # result_type(start, stop, float)
    div = (num - 1) if endpoint else num
    s = ctx.materialize(_as_tensor(start, dt), "start")
    e = ctx.materialize(_as_tensor(stop, dt), "stop")
    tdt = code.tf_dtype(dt)
    delta = ctx.bind(f"{e.expr} - {s.expr}", "delta")
    y = ctx.bind(f"tf.range({num}, dtype={tdt})", "y")
    if div > 0:
        # not `delta / div`: grappler's constant folding would turn y * (delta / div) into (y / div) * delta
        # in traced code (other rounding); DivNoNan by a non-zero constant is the same division and stays put
        step = ctx.bind(f"tf.math.divide_no_nan({delta}, tf.constant({div}, {tdt}))", "step")
        # NumPy: y * step, or (y / div) * delta when step is 0 (subnormal steps)
        y = ctx.bind(f"tf.where(tf.math.equal({step}, 0), {y} / {div} * {delta}, {y} * {step})", "y")
    else:
        y = ctx.bind(f"{y} * {delta}", "y")
    y = ctx.bind(f"{y} + {s.expr}", "y")
    if endpoint and num > 1:
        y = ctx.bind(f"tf.concat([{y}[:-1], tf.reshape({e.expr}, [1])], 0)", "y")
    return Tensor(y, dt, (num,)), dt


@lowering("numpy.linspace", "tf.range", status="partial",
          limits="scalar start/stop, num known when converting; retstep and axis refused",
          samples=(S("{f}(0, x, 5)", x="f[]"), S("{f}(x, y, 4, endpoint=False)", x="n[]", y="n[]"),
                   S("{f}(x, 10, 7, dtype=np.int32)", x="i[]"), S("{f}(-1.5, x, 1)", x="f[]")))
def linspace(ctx, args, kwargs, node):
    p = bind("np.linspace", args, kwargs, [("start", REQUIRED), ("stop", REQUIRED), ("num", 50), ("endpoint", True),
                                           ("retstep", False), ("dtype", None), ("axis", 0), ("device", None)], node,
             refuse_unless_default=("retstep", "axis", "device"))
    y, dt = _linspace(ctx, p, node)
    want = dtype_arg(p["dtype"], node)
    if want and np.dtype(want).kind in "iu":
        y = y.with_(expr=f"tf.math.floor({y.expr})")  # NumPy floors before casting to an integer dtype
    if want and want != dt:
        y = Tensor(code.cast(y.expr, dt, want), want, y.shape)
    return y.with_(ident=new_ident())


@lowering("numpy.logspace", "tf.math.pow", status="partial",
          limits="scalar start/stop and base, num known when converting; pow may differ in the last bit",
          samples=(S("{f}(0, x, 5)", x="f[]@-3:3"), S("{f}(x, 2, 4, base=2.0)", x="n[]@-3:3")), rtol=1e-6)
def logspace(ctx, args, kwargs, node):
    p = bind("np.logspace", args, kwargs, [("start", REQUIRED), ("stop", REQUIRED), ("num", 50), ("endpoint", True),
                                           ("base", 10.0), ("dtype", None), ("axis", 0)], node,
             refuse_unless_default=("axis",))
    y, dt = _linspace(ctx, p, node, "np.logspace")
    base = static(p["base"], "base", node)
    if np.ndim(base) != 0:
        raise Refusal("P205", "np.logspace with an array base is not converted", node)
    out = result_dtype(probe(np.logspace, [p["start"], p["stop"]], {"num": 2, "base": base}, node, "np.logspace"))
    yb = code.cast(y.expr, dt, out)
    expr = f"tf.math.pow({code.constant(base, out)}, {yb})"
    want = dtype_arg(p["dtype"], node)
    if want and want != out:
        expr, out = code.cast(expr, out, want), want
    return Tensor(expr, out, y.shape, ident=new_ident())


# -- meshgrid, indices -------------------------------------------------------------------------------

@lowering("numpy.meshgrid", "tf.meshgrid", status="partial", limits="copy/sparse refused (results are new arrays)",
          samples=(S("{f}(x, y)", x="a[m]", y="a[n]"), S("{f}(x, y, indexing='ij')", x="n[m]", y="a[n]"),
                   S("{f}(x, y, z)", x="n[m]", y="n[n]", z="n[k]")))
def meshgrid(ctx, args, kwargs, node):
    kwargs = dict(kwargs)
    indexing = static(kwargs.pop("indexing", Static("xy")), "indexing", node)
    if indexing not in ("xy", "ij"):
        raise Refusal("P301", "Valid values for `indexing` are 'xy' and 'ij': NumPy raises", node)
    for k in ("sparse", "copy"):
        if k in kwargs and static(kwargs.pop(k), k, node) != (k == "copy"):
            raise Refusal("P205", f"np.meshgrid({k}=...) is not converted", node)
    if kwargs:
        raise Refusal("P205", f"np.meshgrid: unexpected arguments {sorted(kwargs)}", node)
    xs = [ctx.materialize(tensor(ctx, a, node), "g") for a in args]
    flat = [ctx.bind(f"tf.reshape({x.expr}, [-1])", "g") for x in xs]
    sizes = [None if any(d is None for d in x.shape) else int(np.prod(x.shape)) for x in xs]
    nd = len(xs)
    shape = list(sizes)
    if indexing == "xy" and nd > 1:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    target = ctx.bind("tf.stack([" + ", ".join(f"tf.size({f})" for f in flat) + "])", "shape") if nd else None
    if indexing == "xy" and nd > 1:
        target = ctx.bind(f"tf.concat([{target}[1:2], {target}[0:1], {target}[2:]], 0)", "shape")
    for i, f in enumerate(flat):
        pos = i
        if indexing == "xy" and nd > 1 and i < 2:
            pos = 1 - i
        s = [1] * nd
        s[pos] = -1
        out.append(Tensor(f"tf.broadcast_to(tf.reshape({f}, {s}), {target})", xs[i].dtype, tuple(shape),
                          ident=new_ident()))
    return Seq(tuple(out), "tuple")


@lowering("numpy.indices", "tf.range", status="partial", limits="sparse=True refused",
          samples=(S("{f}(x.shape)", x="a[m,n]"), S("{f}((len(x), 2), dtype=np.int32)", x="a[m]")))
def indices(ctx, args, kwargs, node):
    p = bind("np.indices", args, kwargs, [("dimensions", REQUIRED), ("dtype", int), ("sparse", False)], node,
             refuse_unless_default=("sparse",))
    from .shape_ops import _dims_arg
    dims = _dims_arg(p["dimensions"], node)
    dt = dtype_arg(p["dtype"], node)
    parts = [str(int(d.value)) if isinstance(d, Static) else code.cast(d.expr, d.dtype, "int64") for d in dims]
    shape = ctx.bind("tf.stack([" + ", ".join(f"tf.constant({q}, tf.int64)" if q.lstrip("-").isdigit() else q
                                              for q in parts) + "])", "shape") if parts else "tf.zeros([0], tf.int64)"
    nd = len(dims)
    grids = []
    for i, q in enumerate(parts):
        s = [1] * nd
        s[i] = -1
        grids.append(f"tf.broadcast_to(tf.reshape(tf.range({q}, dtype=tf.int64), {s}), {shape})")
    static_shape = tuple(d.value if isinstance(d, Static) else None for d in dims)
    expr = f"tf.stack([{', '.join(grids)}], axis=0)" if grids else "tf.zeros([0], tf.int64)"
    return Tensor(code.cast(expr, "int64", dt), dt, (nd,) + static_shape, ident=new_ident())


# -- window functions -----------------------------------------------------------------------------------

def _window(name):
    def lower(ctx, args, kwargs, node):
        p = bind(f"np.{name}", args, kwargs, [("M", REQUIRED)], node)
        m = p["M"]
        kind = python_scalar_kind(m)
        if kind not in (int,) and not (isinstance(m, Tensor) and m.rank == 0 and np.dtype(m.dtype).kind in "iu"):
            raise Refusal("P205", f"np.{name}(M) with a non-int M is not converted", node)
        M = ctx.bind(f"tf.cast({_int_scalar(ctx, m, 'M', node)}, tf.float64)", "M")
        n = ctx.bind(f"tf.range(1 - tf.math.maximum({M}, 1), tf.math.maximum({M}, 1), 2, dtype=tf.float64)", "n")
        pi = repr(np.pi)
        body = {
            "hanning": f"0.5 + 0.5 * tf.math.cos({pi} * {n} / ({M} - 1))",
            "hamming": f"0.54 + 0.46 * tf.math.cos({pi} * {n} / ({M} - 1))",
            "blackman": f"0.42 + 0.5 * tf.math.cos({pi} * {n} / ({M} - 1)) + 0.08 * tf.math.cos(2.0 * {pi} * {n} / ({M} - 1))",
            "bartlett": f"tf.where({n} <= 0, 1 + {n} / ({M} - 1), 1 - {n} / ({M} - 1))",
        }[name]
        # M < 1: empty; M == 1: [1.]
        expr = f"tf.cond({M} < 1, lambda: tf.zeros([0], tf.float64), lambda: tf.cond(tf.math.equal({M}, 1), " \
               f"lambda: tf.ones([1], tf.float64), lambda: {body}))"
        return Tensor(expr, "float64", (None,), ident=new_ident())
    return lower


for _w in ("hanning", "hamming", "blackman", "bartlett"):
    lowering(f"numpy.{_w}", "tf.math.cos", status="partial", limits="cos in TF's float64: last-bit differences",
             samples=(S("{f}(len(x))", x="a[m]"), S("{f}(x.shape[0] + 3)", x="a[m]")), rtol=1e-12)(_window(_w))
