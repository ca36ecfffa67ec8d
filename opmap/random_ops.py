"""Random draws: `np.random.*` (the legacy global stream and RandomState), `np.random.Generator` methods
(`np.random.default_rng()`), and the standard `random` module.

Every draw lowers to a stateful TF random op with no op seed (tf.random.uniform, normal, gamma, poisson,
shuffle, categorical); the one sampler TF has only as a stateless op (binomial) takes its seed from such a
draw. These ops draw anew on every execution: eagerly, in a tf.function, in tf.data, and in a SavedModel
reloaded in another process (their kernels seed themselves when created). A draw is bound to a name once,
so a value used twice is one draw, as in NumPy.

What is reproduced: the distribution, the support (bounds inclusive or exclusive as NumPy and `random`
have them), the shape, and the dtype and scalar kind (NumPy gives float64/int64, and a Python float or int
for a scalar draw where NumPy does: that is a NEP 50 weak scalar for later arithmetic). What is not: the
values themselves. TensorFlow's generators are not NumPy's Mersenne Twister/PCG64 nor Python's, so a seed
cannot carry over. A seeded stream created or re-seeded *inside* the wrapped function gives the same values
on every call, which no fresh draw reproduces: that is refused. Anything else that converts says in the
site's report that its values come from TensorFlow's stream (P902).

Generators (`np.random.default_rng()`, `np.random.RandomState()`, `random.Random()`) lower to a namespace
(Module_) whose methods are the entries below, keyed `numpy.random.Generator.normal` etc.
"""
from __future__ import annotations

import math

import gast
import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.operators import apply_operator
from transpiler.lower.shapes import broadcast
from transpiler.lower.values import Callable_, Module_, Seq, Static, Tensor, is_static, static_value

from .args import REQUIRED, bind, dtype_arg, static, tensor
from .registry import lowering

FRESH_NOTE = ("random draws lower to TensorFlow random ops without a fixed seed: fresh values on every call "
              "(eager, traced, in tf.data and in a reloaded SavedModel) with NumPy's distribution, support, "
              "shape and dtype, but from TensorFlow's stream, not NumPy's or Python's values "
              "(tf.random.set_seed makes them repeatable)")
_LEGACY = "numpy.random"
_STATE = "numpy.random.RandomState"
_GEN = "numpy.random.Generator"
_PY = "random"
_PY_OBJ = "random.Random"


def _note(ctx, node) -> None:
    ctx.note("P902", FRESH_NOTE, node)
    for line, what in _module_seeds(ctx.module):
        ctx.note("P903", f"the module seeds {what} when imported (line {line}): the converted draws do not follow "
                         "that seed (they come from TensorFlow's stream; tf.random.set_seed is its counterpart)", node)


_SEEDERS = {"numpy.random.seed": "NumPy's global stream", "random.seed": "Python's random module"}


def _module_seeds(module) -> list[tuple[int, str]]:
    cache = module.__dict__.setdefault("_random_seeds", None)
    if cache is None:
        cache = []
        for stmt in module.tree.body:
            if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
                q = module.imports.qualify(stmt.value.func)
                if q in _SEEDERS and (stmt.value.args or stmt.value.keywords):
                    cache.append((stmt.lineno, _SEEDERS[q]))
        module.__dict__["_random_seeds"] = cache
    return cache


_GENERATOR_CONSTRUCTORS = {"numpy.random.default_rng": "numpy.random.Generator",
                           "numpy.random.Generator": "numpy.random.Generator",
                           "numpy.random.RandomState": "numpy.random.RandomState",
                           "random.Random": "random.Random"}


def module_generator(ctx, name: str, node):
    """A module-level `RNG = np.random.default_rng(seed)` (or RandomState, random.Random) read by the function:
    its methods lower like any generator's. Its stream advances across calls in the original, as TF's does in
    the replacement; the seed and the values do not carry over, and the report says so (P903)."""
    module = ctx.module
    exprs = module.constants.assignments.get(name)
    if not exprs or len(exprs) != 1 or name in module.constants.defined_elsewhere:
        return None
    value = exprs[0]
    if not isinstance(value, gast.Call):
        return None
    namespace = _GENERATOR_CONSTRUCTORS.get(module.imports.qualify(value.func) or "")
    if namespace is None:
        return None
    seeded = any(not (isinstance(a, gast.Constant) and a.value is None)
                 for a in list(value.args) + [k.value for k in value.keywords])
    ctx.note("P903", f"`{name}` is a {'seeded ' if seeded else ''}generator created when the module is imported: "
                     f"the replacement draws from TensorFlow's stream instead, so its "
                     f"{'seed and ' if seeded else ''}values do not carry over (the distribution does)", node)
    return Module_(namespace)


def _short(name: str) -> str:
    return (name.replace("numpy.random.Generator.", "Generator.").replace("numpy.random.RandomState.", "np.random.")
            .replace("numpy.", "np.").replace("random.Random.", "random."))


def _draw(ctx, expr: str, dtype: str, shape: tuple, hint: str = "draw", weak: bool = False) -> Tensor:
    """A draw is computed once and named: an expression used twice would draw twice."""
    return Tensor(ctx.bind(expr, hint), dtype, tuple(shape), weak=weak, ident=new_ident())


def _require(ctx, cond: str, message: str) -> None:
    """A run-time check where NumPy raises: the replacement raises too (InvalidArgumentError)."""
    code.check(ctx, cond, message, scalar=True)


# -- sizes ----------------------------------------------------------------------------------------------

class Size:
    """The `size=` of a draw: its static dims (None where unknown) and a TF shape expression."""

    def __init__(self, dims: tuple, expr: str):
        self.dims = dims
        self.expr = expr

    @property
    def count_expr(self) -> str:
        if all(d is not None for d in self.dims):
            return str(int(np.prod(self.dims, dtype=np.int64)))
        return f"tf.reduce_prod({self.expr})"

    @property
    def count(self) -> int | None:
        return int(np.prod(self.dims, dtype=np.int64)) if all(d is not None for d in self.dims) else None


def _size(ctx, v, node, what: str) -> Size | None:
    """None for size=None; else the shape NumPy would draw (ints, a tuple of ints, x.shape)."""
    if isinstance(v, Static) and v.value is None:
        return None
    if isinstance(v, Static) and isinstance(v.value, (int, np.integer)) and not isinstance(v.value, bool):
        items = [v]
    elif isinstance(v, Seq):
        items = list(v.items)
    elif isinstance(v, Static) and isinstance(v.value, (tuple, list)):
        items = [Static(d) for d in v.value]
    elif isinstance(v, Tensor) and v.rank == 0 and np.dtype(v.dtype).kind in "iu":
        items = [v]
    else:
        raise Refusal("P202", f"{what}: the size must be an int or a tuple of ints", node)
    dims, parts = [], []
    for d in items:
        if isinstance(d, Static):
            if not isinstance(d.value, (int, np.integer)) or isinstance(d.value, (bool, np.bool_)):
                raise Refusal("P301", f"{what}: size {d.value!r} is not an integer: NumPy raises", node)
            if d.value < 0:
                raise Refusal("P301", f"{what}: negative dimensions are not allowed: NumPy raises", node)
            dims.append(int(d.value))
            parts.append(str(int(d.value)))
        elif isinstance(d, Tensor) and d.rank == 0 and np.dtype(d.dtype).kind in "iu":
            dims.append(None)
            parts.append(code.cast(d.expr, d.dtype, "int64"))
        else:
            raise Refusal("P202", f"{what}: the size must be a tuple of ints", node)
    if all(d is not None for d in dims):
        return Size(tuple(dims), "[" + ", ".join(parts) + "]")
    stacked = ", ".join(p if not p.isdigit() else f"tf.constant({p}, tf.int64)" for p in parts)
    shape = ctx.bind(f"tf.stack([{stacked}])" if parts else "tf.zeros([0], tf.int64)", "size")
    return Size(tuple(dims), shape)


def _dims_size(ctx, dims: list, node, what: str) -> Size | None:
    """rand(d0, d1, ...) / randn(...): the dims are positional; none means a scalar."""
    if not dims:
        return None
    return _size(ctx, dims[0] if len(dims) == 1 else Seq(tuple(dims), "tuple"), node, what)


def _shape_expr_of(t: Tensor) -> str:
    if all(d is not None for d in t.shape):
        return "[" + ", ".join(str(d) for d in t.shape) + "]"
    return f"tf.shape({t.expr})"


# -- parameters -------------------------------------------------------------------------------------------

def _static_float(v):
    """The static value of a numeric parameter as a float64 array, or None when known only at run time."""
    if is_static(v):
        try:
            return np.asarray(static_value(v), dtype=np.float64)
        except (TypeError, ValueError):
            return None
    return None


def _float_param(ctx, v, node, what: str) -> Tensor:
    """A distribution parameter as NumPy passes it to its sampler: converted to a float64 array."""
    if isinstance(v, Static) and isinstance(v.value, (str, bytes)) or isinstance(v, (Callable_, Module_)):
        raise Refusal("P301", f"{what} must be a number or an array: NumPy raises", node)
    t = tensor(ctx, v, node)
    if np.dtype(t.dtype).kind not in "biuf":
        raise Refusal("P201", f"{what} of dtype {t.dtype} is not supported", node)
    t = t.with_(expr=code.cast(t.expr, t.dtype, "float64"), dtype="float64", weak=False)
    return ctx.materialize(t, "param") if t.rank or not t.expr.startswith("tf.constant(") else t


def _int_param(ctx, v, node, what: str) -> tuple[Tensor, int | None]:
    """An integer bound or count: a static int, or a 0-d integer tensor (int64 in the code)."""
    if is_static(v):
        val = static_value(v)
        if isinstance(val, (bool, np.bool_)) or not isinstance(val, (int, np.integer)):
            if isinstance(val, np.ndarray) and val.ndim == 0 and val.dtype.kind in "iu":
                val = int(val)
            elif isinstance(val, (np.ndarray, list, tuple)):
                raise Refusal("P205", f"{what}: an array of bounds is not converted yet (only a single integer)",
                              node)
            else:
                raise Refusal("P205", f"{what} = {val!r}: only integer values are converted (NumPy truncates "
                                      "or broadcasts others)", node)
        val = int(val)
        if not np.iinfo(np.int64).min <= val <= np.iinfo(np.int64).max:
            raise Refusal("P205", f"{what} = {val} does not fit int64", node)
        return Tensor(f"tf.constant({val}, tf.int64)", "int64", ()), val
    if isinstance(v, Tensor) and v.rank == 0 and np.dtype(v.dtype).kind in "iu":
        t = tensor(ctx, v, node)
        return ctx.materialize(Tensor(code.cast(t.expr, t.dtype, "int64"), "int64", ()), "bound"), None
    if isinstance(v, Tensor) and np.dtype(v.dtype).kind in "iu":
        raise Refusal("P205", f"{what}: an array of bounds is not converted yet (only a single integer)", node)
    raise Refusal("P205", f"{what}: only an integer is converted here", node)


def _signbit_free(expr: str) -> str:
    """True where a float64 value is not negative (NaN passes, -0.0 does not): NumPy's `x < 0` checks use
    signbit, so scale=-0.0 raises there too."""
    return f"tf.math.logical_or(tf.math.is_nan({expr}), tf.bitcast({expr}, tf.int64) >= 0)"


def _check_nonnegative(ctx, p: Tensor, static_p, name: str, fname: str, node, strict: bool = False) -> None:
    if static_p is not None:
        with np.errstate(invalid="ignore"):
            bad = (static_p <= 0) if strict else (np.signbit(static_p) & ~np.isnan(static_p))
        if np.any(bad):
            raise Refusal("P301", f"{fname}: {name} {'<=' if strict else '<'} 0: NumPy raises ValueError", node)
        return
    cond = (f"tf.math.logical_or(tf.math.is_nan({p.expr}), {p.expr} > 0)" if strict else _signbit_free(p.expr))
    _require(ctx, f"tf.math.reduce_all({cond})", f"{name} {'<=' if strict else '<'} 0")


def _result_shape(ctx, params: list[Tensor], size: Size | None, node, fname: str) -> tuple[tuple, str, list]:
    """(static shape, shape expression, params broadcast to it). NumPy broadcasts parameters to `size`
    (they must fit it exactly) or, without size, draws the parameters' broadcast shape."""
    if size is None:
        shape = broadcast([p.shape for p in params], node)
        big = [p for p in params if p.rank]
        if not big:
            return (), "[]", params
        if len(big) == 1 or all(p.shape == big[0].shape and None not in p.shape for p in big):
            expr = _shape_expr_of(big[0])
        else:
            expr = f"tf.shape({big[0].expr})"
            for p in big[1:]:
                expr = ctx.bind(f"tf.broadcast_dynamic_shape({expr}, tf.shape({p.expr}))", "shape")
        out = [p if p.rank == 0 else ctx.materialize(p.with_(expr=f"tf.broadcast_to({p.expr}, {expr})",
                                                               shape=shape), "param") for p in params]
        return shape, expr, out
    out = []
    for p in params:
        if p.rank == 0:
            out.append(p)
            continue
        if p.rank > len(size.dims) or any(
                a is not None and b is not None and a != 1 and a != b
                for a, b in zip(p.shape[::-1], size.dims[::-1])):
            raise Refusal("P301", f"{fname}: a parameter of shape {p.shape} does not broadcast to size "
                                  f"{size.dims}: NumPy raises", node)
        out.append(ctx.materialize(p.with_(expr=f"tf.broadcast_to({p.expr}, {size.expr})", shape=size.dims),
                                   "param"))
    return size.dims, size.expr, out


def _scalar_result(t: Tensor, kind: str) -> Tensor:
    """NumPy returns a Python float/int (weak) or a NumPy scalar for a scalar draw."""
    if kind == "python":
        return t.with_(weak=True)
    return t


def _finish(ctx, expr: str, dtype: str, shape: tuple, size: Size | None, scalar_kind: str = "python",
            hint: str = "draw") -> Tensor:
    t = _draw(ctx, expr, dtype, shape, hint)
    if size is None and not shape:
        return _scalar_result(t, scalar_kind)
    return t


# -- continuous distributions --------------------------------------------------------------------------------

def _uniform01(shape_expr: str, dtype: str = "float64") -> str:
    return f"tf.random.uniform({shape_expr}, dtype={code.tf_dtype(dtype)})"


def _float_dtype_arg(v, node, fname) -> str:
    dt = dtype_arg(v, node) or "float64"
    if dt not in ("float64", "float32"):
        raise Refusal("P301", f"{fname}: dtype {dt} is not supported: NumPy raises TypeError", node)
    return dt


def _standard(ctx, kind: str, size: Size | None, node, dtype: str = "float64") -> Tensor:
    """A standard draw (uniform [0, 1), normal, exponential) of `size`, float64 (or float32 for the
    Generator's dtype=); a scalar draw is a Python float, as NumPy returns it."""
    shape_expr = size.expr if size else "[]"
    if kind == "uniform":
        expr = _uniform01(shape_expr, dtype)
    elif kind == "normal":
        expr = f"tf.random.normal({shape_expr}, dtype={code.tf_dtype(dtype)})"
    else:  # exponential by inversion: -log(1 - U), U in [0, 1), finite
        expr = f"-tf.math.log1p(-{_uniform01(shape_expr, dtype)})"
    t = _draw(ctx, expr, dtype, size.dims if size else ())
    if size is None:
        return t.with_(expr=code.cast(t.expr, dtype, "float64"), dtype="float64", weak=True)
    return t


def _cont(ctx, fname: str, params: list, size_v, node, build) -> Tensor:
    """A legacy/Generator continuous sampler: float64 params broadcast to size; `build(shape_expr, params)`
    gives the expression of the draw."""
    size = _size(ctx, size_v, node, fname)
    shape, shape_expr, ps = _result_shape(ctx, params, size, node, fname)
    expr = build(shape_expr, ps)
    return _finish(ctx, expr, "float64", shape, size)


def _lower_uniform(generator: bool):
    def lower(ctx, args, kwargs, node):
        fname = "Generator.uniform" if generator else "np.random.uniform"
        p = bind(fname, args, kwargs, [("low", 0.0), ("high", 1.0), ("size", None)], node)
        lo, hi = _float_param(ctx, p["low"], node, "low"), _float_param(ctx, p["high"], node, "high")
        slo, shi = _static_float(p["low"]), _static_float(p["high"])
        if slo is not None and shi is not None:
            with np.errstate(all="ignore"):
                if not np.all(np.isfinite(shi - slo)):
                    raise Refusal("P301", f"{fname}: high - low is not finite: NumPy raises OverflowError", node)
                if generator and np.any(shi - slo < 0):
                    raise Refusal("P301", f"{fname}: high < low: NumPy raises ValueError", node)
        else:
            _require(ctx, f"tf.math.reduce_all(tf.math.is_finite({hi.expr} - {lo.expr}))",
                     "Range exceeds valid bounds")
            if generator:
                _require(ctx, f"tf.math.reduce_all({hi.expr} - {lo.expr} >= 0)", "high - low < 0")
        _note(ctx, node)
        # NumPy: low + (high - low) * U, U in [0, 1) (high < low is allowed by the legacy API); a static
        # range is computed here, in float64 as NumPy does
        if slo is not None and shi is not None and slo.ndim == 0 and shi.ndim == 0:
            width = code.constant(float(shi - slo), "float64")
            return _cont(ctx, fname, [lo], p["size"], node,
                         lambda s, ps: f"{ps[0].expr} + {width} * {_uniform01(s)}")
        return _cont(ctx, fname, [lo, hi], p["size"], node,
                     lambda s, ps: f"{ps[0].expr} + ({ps[1].expr} - {ps[0].expr}) * {_uniform01(s)}")
    return lower


def _lower_normal(name: str):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        p = bind(fname, args, kwargs, [("loc", 0.0), ("scale", 1.0), ("size", None)], node)
        loc, scale = _float_param(ctx, p["loc"], node, "loc"), _float_param(ctx, p["scale"], node, "scale")
        _check_nonnegative(ctx, scale, _static_float(p["scale"]), "scale", fname, node)
        _note(ctx, node)
        normal = (lambda s, ps: f"{ps[0].expr} + {ps[1].expr} * tf.random.normal({s}, dtype=tf.float64)")
        if name.endswith("lognormal"):
            return _cont(ctx, fname, [loc, scale], p["size"], node, lambda s, ps: f"tf.math.exp({normal(s, ps)})")
        return _cont(ctx, fname, [loc, scale], p["size"], node, normal)
    return lower


def _lower_exponential(name: str):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        p = bind(fname, args, kwargs, [("scale", 1.0), ("size", None)], node)
        scale = _float_param(ctx, p["scale"], node, "scale")
        _check_nonnegative(ctx, scale, _static_float(p["scale"]), "scale", fname, node)
        _note(ctx, node)
        return _cont(ctx, fname, [scale], p["size"], node,
                     lambda s, ps: f"{ps[0].expr} * -tf.math.log1p(-{_uniform01(s)})")
    return lower


def _gamma_expr(shape_expr: str, alpha: Tensor) -> str:
    # tf.random.gamma draws shape + alpha.shape: alpha is already broadcast to the result, so shape is []
    if alpha.rank:
        return f"tf.random.gamma([], {alpha.expr}, dtype=tf.float64)"
    return f"tf.random.gamma({_int32_shape(shape_expr)}, {alpha.expr}, dtype=tf.float64)"


def _int32_shape(shape_expr: str) -> str:
    """tf.random.gamma and tf.random.poisson take an int32 shape."""
    return shape_expr if shape_expr.startswith("[") else f"tf.cast({shape_expr}, tf.int32)"


def _lower_gamma(name: str, standard: bool):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        spec = [("shape", REQUIRED), ("size", None)] if standard else [("shape", REQUIRED), ("scale", 1.0),
                                                                       ("size", None)]
        if standard and name.startswith(_GEN):
            spec += [("dtype", np.float64), ("out", None)]
        p = bind(fname, args, kwargs, spec, node, refuse_unless_default=("out",) if "out" in dict(spec) else ())
        if "dtype" in p:
            _float_dtype_arg(p["dtype"], node, fname)
            if dtype_arg(p["dtype"], node) != "float64":
                raise Refusal("P205", f"{fname}: dtype=float32 is not converted yet", node)
        alpha = _float_param(ctx, p["shape"], node, "shape")
        _check_nonnegative(ctx, alpha, _static_float(p["shape"]), "shape", fname, node)
        params = [alpha]
        if not standard:
            scale = _float_param(ctx, p["scale"], node, "scale")
            _check_nonnegative(ctx, scale, _static_float(p["scale"]), "scale", fname, node)
            params.append(scale)
        _note(ctx, node)
        if standard:
            return _cont(ctx, fname, params, p["size"], node, lambda s, ps: _gamma_expr(s, ps[0]))
        return _cont(ctx, fname, params, p["size"], node,
                     lambda s, ps: f"{ps[1].expr} * {_gamma_expr(s, ps[0])}")
    return lower


def _lower_beta(name: str):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        p = bind(fname, args, kwargs, [("a", REQUIRED), ("b", REQUIRED), ("size", None)], node)
        a, b = _float_param(ctx, p["a"], node, "a"), _float_param(ctx, p["b"], node, "b")
        _check_nonnegative(ctx, a, _static_float(p["a"]), "a", fname, node, strict=True)
        _check_nonnegative(ctx, b, _static_float(p["b"]), "b", fname, node, strict=True)
        _note(ctx, node)
        size = _size(ctx, p["size"], node, fname)
        shape, shape_expr, (a, b) = _result_shape(ctx, [a, b], size, node, fname)
        if shape and (a.rank == 0 or b.rank == 0):
            a = a if a.rank else ctx.materialize(a.with_(expr=f"tf.fill({shape_expr}, {a.expr})"), "a")
            b = b if b.rank else ctx.materialize(b.with_(expr=f"tf.fill({shape_expr}, {b.expr})"), "b")

        def log_gamma(alpha: Tensor) -> str:
            # log Gamma(a) = log Gamma(a + 1) + log(U) / a: exact in distribution, and no underflow to 0 for
            # small a (where X / (X + Y) would be 0 / 0)
            return (f"tf.math.log(tf.random.gamma([], {alpha.expr} + 1.0, dtype=tf.float64)) + "
                    f"tf.math.log1p(-tf.random.uniform(tf.shape({alpha.expr}), dtype=tf.float64)) / {alpha.expr}")
        lx = ctx.bind(log_gamma(a), "log_x")
        ly = ctx.bind(log_gamma(b), "log_y")
        # X / (X + Y) = sigmoid(log X - log Y)
        return _finish(ctx, f"tf.math.sigmoid({lx} - {ly})", "float64", shape, size)
    return lower


def _lower_standard(name: str, kind: str, *, positional_dims: bool = False, generator_dtype: bool = False):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        if positional_dims:
            if kwargs:
                raise Refusal("P205", f"{fname} takes the dimensions as positional arguments only", node)
            size = _dims_size(ctx, list(args), node, fname)
            dtype = "float64"
        else:
            spec = [("size", None)]
            if generator_dtype:
                spec += [("dtype", np.float64), ("out", None)]
            p = bind(fname, args, kwargs, spec, node, refuse_unless_default=("out",) if generator_dtype else ())
            size = _size(ctx, p["size"], node, fname)
            dtype = _float_dtype_arg(p["dtype"], node, fname) if generator_dtype else "float64"
        _note(ctx, node)
        return _standard(ctx, kind, size, node, dtype)
    return lower


# -- discrete distributions ----------------------------------------------------------------------------------

_INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool")


def _int_dtype(v, node, fname, default_python: bool) -> tuple[str, str]:
    """(dtype, scalar kind): NumPy's default `int` gives a Python int for a scalar draw (weak), an explicit
    NumPy dtype a NumPy scalar."""
    raw = v.value if isinstance(v, Static) else None
    is_builtin_int = raw is int or (isinstance(v, Callable_) and v.qualname == "builtins.int")
    dt = dtype_arg(v, node)
    if dt not in _INT_DTYPES:
        raise Refusal("P301", f"{fname}: dtype {dt} is not an integer dtype: NumPy raises", node)
    return dt, ("python" if default_python and is_builtin_int else "numpy")


def _bounded_ints(ctx, fname, low_v, high_v, size: Size | None, dtype: str, node, endpoint: bool = False):
    """Integers in [low, high) (or [low, high] with endpoint), int64 draws cast to `dtype`."""
    if isinstance(high_v, Static) and high_v.value is None:
        low_v, high_v = Static(0), low_v
    lo, slo = _int_param(ctx, low_v, node, "low")
    hi, shi = _int_param(ctx, high_v, node, "high")
    info = (0, 1) if dtype == "bool" else (int(np.iinfo(dtype).min), int(np.iinfo(dtype).max))
    if slo is not None and shi is not None:
        top = shi if endpoint else shi - 1
        if top < slo:
            raise Refusal("P301", f"{fname}: low >= high: NumPy raises ValueError", node)
        if slo < info[0] or top > info[1]:
            raise Refusal("P301", f"{fname}: bounds [{slo}, {top}] do not fit {dtype}: NumPy raises ValueError", node)
        if top - slo >= 2 ** 40:
            raise Refusal("P205", f"{fname}: a range of 2**40 values or more: TF's integer draws reduce 64 random "
                                  "bits modulo the range, which is no longer uniform enough", node)
    else:
        top_expr = hi.expr if endpoint else f"{hi.expr} - 1"
        _require(ctx, f"{lo.expr} <= {top_expr}", "low >= high")
        if dtype != "int64":
            _require(ctx, f"tf.math.logical_and({lo.expr} >= {info[0]}, {top_expr} <= {info[1]})",
                     f"bounds out of range for {dtype}")
    if endpoint:
        if shi is not None:
            hi = Tensor(f"tf.constant({shi + 1}, tf.int64)", "int64", ())
        else:
            hi = Tensor(f"{hi.expr} + 1", "int64", ())
    shape_expr = size.expr if size else "[]"
    expr = f"tf.random.uniform({shape_expr}, minval={lo.expr}, maxval={hi.expr}, dtype=tf.int64)"
    return code.cast(expr, "int64", dtype), (size.dims if size else ())


def _lower_randint(name: str):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        p = bind(fname, args, kwargs, [("low", REQUIRED), ("high", None), ("size", None), ("dtype", int)], node)
        dtype, kind = _int_dtype(p["dtype"], node, fname, default_python=True)
        size = _size(ctx, p["size"], node, fname)
        expr, shape = _bounded_ints(ctx, fname, p["low"], p["high"], size, dtype, node)
        _note(ctx, node)
        return _finish(ctx, expr, dtype, shape, size, kind, "ints")
    return lower


@lowering("numpy.random.Generator.integers", "tf.random.uniform", foldable=False,
          limits="low/high: integers, not arrays; ranges below 2**40 values")
def gen_integers(ctx, args, kwargs, node):
    fname = "Generator.integers"
    p = bind(fname, args, kwargs, [("low", REQUIRED), ("high", None), ("size", None), ("dtype", np.int64),
                                   ("endpoint", False)], node)
    dtype, _ = _int_dtype(p["dtype"], node, fname, default_python=False)
    size = _size(ctx, p["size"], node, fname)
    endpoint = bool(static(p["endpoint"], "endpoint", node))
    expr, shape = _bounded_ints(ctx, fname, p["low"], p["high"], size, dtype, node, endpoint=endpoint)
    _note(ctx, node)
    return _finish(ctx, expr, dtype, shape, size, "numpy", "ints")


def _stateless_seed(ctx) -> str:
    """A seed for a stateless sampler, itself drawn by a stateful op: fresh on every call."""
    return ctx.bind("tf.random.uniform([2], minval=tf.int64.min, maxval=tf.int64.max, dtype=tf.int64)", "seed")


def _lower_binomial(name: str):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        p = bind(fname, args, kwargs, [("n", REQUIRED), ("p", REQUIRED), ("size", None)], node)
        n_v = p["n"]
        if isinstance(n_v, Tensor) and np.dtype(n_v.dtype).kind not in "iub" or \
                is_static(n_v) and np.asarray(static_value(n_v)).dtype.kind not in "iub":
            raise Refusal("P205", f"{fname}: a non-integer n is truncated by NumPy; only integer n is converted",
                          node)
        n = _float_param(ctx, n_v, node, "n")
        prob = _float_param(ctx, p["p"], node, "p")
        sn, sp = _static_float(n_v), _static_float(p["p"])
        if sn is not None:
            if np.any(sn < 0):
                raise Refusal("P301", f"{fname}: n < 0: NumPy raises ValueError", node)
        else:
            _require(ctx, f"tf.math.reduce_all({n.expr} >= 0)", "n < 0")
        if sp is not None:
            with np.errstate(invalid="ignore"):
                if np.any(~((sp >= 0) & (sp <= 1))):
                    raise Refusal("P301", f"{fname}: p < 0, p > 1 or p is NaN: NumPy raises ValueError", node)
        else:
            _require(ctx, f"tf.math.reduce_all(tf.math.logical_and({prob.expr} >= 0, {prob.expr} <= 1))",
                     "p < 0, p > 1 or p is NaN")
        _note(ctx, node)
        size = _size(ctx, p["size"], node, fname)
        shape, shape_expr, (n, prob) = _result_shape(ctx, [n, prob], size, node, fname)
        seed = _stateless_seed(ctx)
        expr = (f"tf.random.stateless_binomial({shape_expr}, {seed}, counts={n.expr}, probs={prob.expr}, "
                f"output_dtype=tf.int64)")
        return _finish(ctx, expr, "int64", shape, size, "python", "counts")
    return lower


_POISSON_LAM_MAX = float(np.iinfo(np.int64).max - np.sqrt(np.iinfo(np.int64).max) * 10)


def _lower_poisson(name: str):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        p = bind(fname, args, kwargs, [("lam", 1.0), ("size", None)], node)
        lam = _float_param(ctx, p["lam"], node, "lam")
        sl = _static_float(p["lam"])
        if sl is not None:
            with np.errstate(invalid="ignore"):
                if np.any(~(sl >= 0)):
                    raise Refusal("P301", f"{fname}: lam < 0 or lam is NaN: NumPy raises ValueError", node)
                if np.any(sl > _POISSON_LAM_MAX):
                    raise Refusal("P301", f"{fname}: lam value too large: NumPy raises ValueError", node)
        else:
            _require(ctx, f"tf.math.reduce_all({lam.expr} >= 0)", "lam < 0 or lam is NaN")
            _require(ctx, f"tf.math.reduce_all({lam.expr} <= {_POISSON_LAM_MAX!r})", "lam value too large")
        _note(ctx, node)
        size = _size(ctx, p["size"], node, fname)
        shape, shape_expr, (lam,) = _result_shape(ctx, [lam], size, node, fname)
        expr = (f"tf.random.poisson([], {lam.expr}, dtype=tf.int64)" if lam.rank else
                f"tf.random.poisson({_int32_shape(shape_expr)}, {lam.expr}, dtype=tf.int64)")
        return _finish(ctx, expr, "int64", shape, size, "python", "counts")
    return lower


# -- choice, permutation, shuffle -------------------------------------------------------------------------------

def _population(ctx, a, node, fname: str, generator: bool):
    """(values Tensor or None for an int population, n as an int64 expression, static n, kind of a scalar
    draw). NumPy's choice of an int gives a Python int; of an array, a NumPy scalar of its dtype."""
    if is_static(a) and isinstance(static_value(a), (int, np.integer)) and not isinstance(static_value(a), bool):
        n = int(static_value(a))
        if n < 0:
            raise Refusal("P301", f"{fname}: a must be a positive integer: NumPy raises ValueError", node)
        return None, str(n), n
    if isinstance(a, Tensor) and a.rank == 0 and np.dtype(a.dtype).kind in "iu":
        t = ctx.materialize(Tensor(code.cast(tensor(ctx, a, node).expr, a.dtype, "int64"), "int64", ()), "n")
        _require(ctx, f"{t.expr} >= 0", "a must be a positive integer")
        return None, t.expr, None
    t = tensor(ctx, a, node)
    if t.rank == 0:
        raise Refusal("P301", f"{fname}: a must be 1-dimensional or an integer: NumPy raises ValueError", node)
    if t.rank > 1 and not generator:
        raise Refusal("P301", f"{fname}: a must be 1-dimensional: NumPy raises ValueError", node)
    t = ctx.materialize(t, "population")
    if t.shape[0] is not None:
        return t, str(t.shape[0]), t.shape[0]
    return t, ctx.bind(f"tf.shape({t.expr}, out_type=tf.int64)[0]", "n"), None


def _choice_indices(ctx, fname, n_expr, n_static, size: Size | None, replace: bool, p, node) -> str:
    """An int64 index tensor of shape size (or a scalar) into a population of n."""
    shape_expr = size.expr if size else "[]"
    count_static = size.count if size else 1
    count_expr = size.count_expr if size else "1"
    if n_static == 0 and count_static != 0:
        raise Refusal("P301", f"{fname}: a cannot be empty unless no samples are taken: NumPy raises", node)
    if n_static is None:
        _require(ctx, f"tf.math.logical_or({n_expr} > 0, {count_expr} == 0)",
                 "a cannot be empty unless no samples are taken")
    if not replace:
        if n_static is not None and count_static is not None and count_static > n_static:
            raise Refusal("P301", f"{fname}: cannot take a larger sample than population when replace=False: "
                                  "NumPy raises ValueError", node)
        if n_static is None or count_static is None:
            _require(ctx, f"{count_expr} <= {n_expr}",
                     "Cannot take a larger sample than population when replace is False")
    if p is None:
        if replace:
            # maxval >= 1 so that an empty draw from an empty population (allowed by NumPy) does not raise
            maxval = n_expr if n_static else f"tf.math.maximum({n_expr}, 1)"
            return ctx.bind(f"tf.random.uniform({shape_expr}, minval=0, maxval={maxval}, dtype=tf.int64)", "index")
        # a uniformly random ordered sample without replacement: the head of a random permutation
        perm = f"tf.random.shuffle(tf.range({n_expr}, dtype=tf.int64))[:{count_expr}]"
        return ctx.bind(f"tf.reshape({perm}, {shape_expr})", "index")
    # with probabilities: NumPy checks them, then samples proportionally to p
    sp = _static_float(p)
    pt = _float_param(ctx, p, node, "p")
    if pt.rank != 1:
        raise Refusal("P301", f"{fname}: p must be 1-dimensional: NumPy raises ValueError", node)
    atol = math.sqrt(np.finfo(np.float64).eps)
    if isinstance(p, Tensor) and np.dtype(p.dtype).kind == "f":
        atol = max(atol, math.sqrt(np.finfo(p.dtype).eps))
    if sp is not None:
        if n_static is not None and sp.shape[0] != n_static:
            raise Refusal("P301", f"{fname}: a and p must have the same size: NumPy raises ValueError", node)
        if np.any(np.isnan(sp)):
            raise Refusal("P301", f"{fname}: probabilities contain NaN: NumPy raises ValueError", node)
        if np.any(sp < 0):
            raise Refusal("P301", f"{fname}: probabilities are not non-negative: NumPy raises ValueError", node)
        if abs(math.fsum(sp.tolist()) - 1.0) > atol:
            raise Refusal("P301", f"{fname}: probabilities do not sum to 1: NumPy raises ValueError", node)
        if not replace and count_static is not None and np.count_nonzero(sp > 0) < count_static:
            raise Refusal("P301", f"{fname}: fewer non-zero entries in p than size: NumPy raises ValueError", node)
    else:
        p_len = str(pt.shape[0]) if pt.shape[0] is not None else f"tf.shape({pt.expr}, out_type=tf.int64)[0]"
        _require(ctx, f"tf.math.equal({p_len}, {n_expr})", "a and p must have same size")
        _require(ctx, f"tf.math.reduce_all({pt.expr} >= 0)", "probabilities are not non-negative (or contain NaN)")
        _require(ctx, f"tf.math.abs(tf.math.reduce_sum({pt.expr}) - 1.0) <= {atol!r}",
                 "probabilities do not sum to 1")
    logits = ctx.bind(f"tf.math.log({pt.expr})", "logits")
    if replace:
        draws = (f"tf.random.categorical({logits}[tf.newaxis, :], tf.cast({count_expr}, tf.int32), "
                 f"dtype=tf.int64)[0]")
        return ctx.bind(f"tf.reshape({draws}, {shape_expr})", "index")
    if sp is None or count_static is None:
        _require(ctx, f"tf.math.count_nonzero({pt.expr} > 0) >= {count_expr}", "Fewer non-zero entries in p than size")
    # NumPy draws without replacement one at a time, proportionally to p among the items not yet drawn
    # (its batched loop keeps first occurrences in order): that ordered sample is the top-k of
    # log p + Gumbel noise (the Gumbel-top-k identity)
    gumbel = f"-tf.math.log(-tf.math.log(tf.random.uniform(tf.shape({logits}), minval=2.2250738585072014e-308, dtype=tf.float64)))"
    keys = ctx.bind(f"{logits} + {gumbel}", "keys")
    top = f"tf.math.top_k({keys}, k=tf.cast({count_expr}, tf.int32)).indices"
    return ctx.bind(f"tf.reshape(tf.cast({top}, tf.int64), {shape_expr})", "index")


def _lower_choice(name: str, generator: bool):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        spec = [("a", REQUIRED), ("size", None), ("replace", True), ("p", None)]
        if generator:
            spec += [("axis", 0), ("shuffle", True)]
        p = bind(fname, args, kwargs, spec, node)
        replace = bool(static(p["replace"], "replace", node))
        if generator:
            if static(p["axis"], "axis", node) != 0:
                raise Refusal("P205", f"{fname}: axis other than 0 is not converted yet", node)
            if not replace and not static(p["shuffle"], "shuffle", node):
                raise Refusal("P205", f"{fname}: shuffle=False leaves the order of the sample to NumPy's algorithm, "
                                      "which TF cannot reproduce", node)
        probs = None if isinstance(p["p"], Static) and p["p"].value is None else p["p"]
        values, n_expr, n_static = _population(ctx, p["a"], node, fname, generator)
        size = _size(ctx, p["size"], node, fname)
        _note(ctx, node)
        index = _choice_indices(ctx, fname, n_expr, n_static, size, replace, probs, node)
        dims = size.dims if size else ()
        if values is None:
            t = Tensor(index, "int64", dims, ident=new_ident())
            return t if size else t.with_(weak=True)
        return Tensor(ctx.bind(f"tf.gather({values.expr}, {index})", "chosen"), values.dtype,
                      dims + values.shape[1:], ident=new_ident())
    return lower


def _permute(ctx, x: Tensor, axis: int) -> str:
    x = ctx.materialize(x, "x")
    if axis == 0:
        return f"tf.random.shuffle({x.expr})"
    n = f"tf.shape({x.expr}, out_type=tf.int64)[{axis}]"
    return f"tf.gather({x.expr}, tf.random.shuffle(tf.range({n})), axis={axis})"


def _axis(v, rank: int, node, fname) -> int:
    a = static(v, "axis", node)
    if not isinstance(a, (int, np.integer)) or not -rank <= a < rank:
        raise Refusal("P301", f"{fname}: axis {a!r} is out of bounds: NumPy raises", node)
    return int(a) % rank


def _lower_permutation(name: str, generator: bool):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        spec = [("x", REQUIRED)] + ([("axis", 0)] if generator else [])
        p = bind(fname, args, kwargs, spec, node)
        x = p["x"]
        _note(ctx, node)
        if is_static(x) and isinstance(static_value(x), (int, np.integer)) and not isinstance(static_value(x), bool):
            n = max(int(static_value(x)), 0)
            return Tensor(ctx.bind(f"tf.random.shuffle(tf.range({n}, dtype=tf.int64))", "perm"), "int64", (n,),
                          ident=new_ident())
        if isinstance(x, Tensor) and x.rank == 0 and np.dtype(x.dtype).kind in "iu":
            if generator:
                raise Refusal("P301", f"{fname}: a run-time integer: NumPy raises AxisError", node)
            n = code.cast(tensor(ctx, x, node).expr, x.dtype, "int64")
            return Tensor(ctx.bind(f"tf.random.shuffle(tf.range({n}, dtype=tf.int64))", "perm"), "int64", (None,),
                          ident=new_ident())
        t = tensor(ctx, x, node)
        if t.rank == 0:
            raise Refusal("P301", f"{fname}: x must be an integer or at least 1-dimensional: NumPy raises", node)
        axis = _axis(p["axis"], t.rank, node, fname) if generator else 0
        return Tensor(ctx.bind(_permute(ctx, t, axis), "perm"), t.dtype, t.shape, ident=new_ident())
    return lower


def _homogeneous(ctx, seq: Seq, node, fname: str) -> Tensor:
    """A list of same-kind scalars (or same-shape arrays) as one stacked tensor, for run-time reordering."""
    kinds = set()
    for v in seq.items:
        if isinstance(v, Static) and type(v.value) in (int, float, bool):
            kinds.add(("python", type(v.value).__name__))
        elif isinstance(v, Tensor):
            kinds.add(("weak" if v.weak else "array", v.dtype, v.shape))
        else:
            raise Refusal("P205", f"{fname}: a list holding {type(v).__name__} values is not converted", node)
    if len(kinds) != 1:
        raise Refusal("P205", f"{fname}: a list of mixed kinds of values is not converted: after a random "
                              "reordering, no position has a fixed type", node)
    kind = kinds.pop()
    if kind[0] == "python":
        dt = {"int": "int64", "float": "float64", "bool": "bool"}[kind[1]]
        return Tensor(code.tensor_expr(seq, dt), dt, (len(seq.items),))
    parts = ", ".join(v.expr for v in seq.items)
    return Tensor(f"tf.stack([{parts}])", kind[1], (len(seq.items),) + tuple(kind[2]))


def _items_of(ctx, stacked: Tensor, order: str, count: int, weak: bool, kind: str) -> Seq:
    s = ctx.bind(f"tf.gather({stacked.expr}, {order})", "shuffled")
    return Seq(tuple(Tensor(f"{s}[{i}]", stacked.dtype, stacked.shape[1:], weak=weak, ident=new_ident())
                     for i in range(count)), kind)


def _rebind_shuffled(ctx, target, node, fname: str, axis_v=None, python_random: bool = False):
    """In-place shuffles: the user's name is rebound to a shuffled copy. Only a name that no other name
    shares the buffer with (an alias or a view would see the shuffle in NumPy)."""
    if not isinstance(target, gast.Name):
        raise Refusal("P205", f"{fname}: shuffling something other than a local name in place is not converted", node)
    name = target.id
    value = ctx.lookup(name)
    if value is None:
        raise Refusal("P205", f"{fname}: `{name}` is not a local array or list", node)
    _note(ctx, node)
    if isinstance(value, Seq):
        if value.kind != "list":
            raise Refusal("P301", f"{fname}: a tuple cannot be shuffled in place: Python raises TypeError", node)
        n = len(value.items)
        stacked = _homogeneous(ctx, value, node, fname)
        order = ctx.bind(f"tf.random.shuffle(tf.range({n}))", "order")
        weak = any(isinstance(v, Static) or isinstance(v, Tensor) and v.weak for v in value.items)
        ctx.assign(name, _items_of(ctx, stacked, order, n, weak, "list"))
        return Static(None)
    if isinstance(value, Static) and isinstance(value.value, np.ndarray):
        for scope in ctx.scopes:
            for other, v in scope.values.items():
                if other != name and isinstance(v, Static) and v.value is value.value:
                    raise Refusal("P231", f"{fname}: `{name}` shares its buffer with `{other}`; a shuffle in place "
                                          "changes both in NumPy, which is not converted", node)
        value = tensor(ctx, value, node).with_(ident=new_ident())
    if not isinstance(value, Tensor):
        raise Refusal("P205", f"{fname}: `{name}` is not an array or a list", node)
    if value.rank == 0:
        raise Refusal("P301", f"{fname}: a 0-d array cannot be shuffled: NumPy raises", node)
    if python_random and value.rank > 1:
        raise Refusal("P205", f"{fname}: random.shuffle of a 2-D array swaps row views and duplicates rows in "
                              "NumPy; that corruption is not reproduced (use np.random.shuffle)", node)
    for scope in ctx.scopes:
        for other, v in scope.values.items():
            if other != name and isinstance(v, Tensor) and v.ident and v.ident == value.ident:
                raise Refusal("P231", f"{fname}: `{name}` shares its buffer with `{other}` (an alias or a view); "
                                      "a shuffle in place changes both in NumPy, which is not converted", node)
    axis = 0 if axis_v is None else _axis(axis_v, value.rank, node, fname)
    x = tensor(ctx, value, node)
    shuffled = Tensor(ctx.bind(_permute(ctx, x, axis), ctx.scope.prefix + name), x.dtype, x.shape,
                      ident=new_ident())
    ctx.assign(name, shuffled)
    return Static(None)


def _lower_shuffle(name: str, generator: bool):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        spec = [("x", REQUIRED)] + ([("axis", 0)] if generator else [])
        p = bind(fname, args, kwargs, spec, node)
        target = node.args[0] if node.args else next(k.value for k in node.keywords if k.arg == "x")
        return _rebind_shuffled(ctx, target, node, fname, p.get("axis"))
    return lower


# -- seeds and generators --------------------------------------------------------------------------------------

def _seed_refusal(fname: str, node):
    return Refusal("P240", f"{fname} with a seed inside the wrapped function makes every call draw the same "
                           "values from NumPy's/Python's own generator; TensorFlow cannot reproduce that stream, and "
                           "fresh draws would change what the function returns", node)


def _seeded(v) -> bool:
    return not (isinstance(v, Static) and v.value is None)


def _lower_seed(name: str):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        p = bind(fname, args, kwargs, [("seed", None)] + ([("version", 2)] if name.startswith("random.") else []),
                 node)
        if _seeded(p["seed"]):
            raise _seed_refusal(fname, node)
        _note(ctx, node)  # reseeding from the OS entropy: the next draws are fresh anyway
        return Static(None)
    return lower


def _lower_generator(name: str, namespace: str):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        p = bind(fname, args, kwargs, [("seed", None)], node)
        if _seeded(p["seed"]):
            raise _seed_refusal(fname, node)
        _note(ctx, node)
        return Module_(namespace)
    return lower


# -- the random module ---------------------------------------------------------------------------------------------

def _python_float(ctx, kind: str) -> Tensor:
    return _standard(ctx, kind, None, None)


def _py_number(v, node, fname, what):
    if isinstance(v, Tensor) and v.rank:
        raise Refusal("P301", f"{fname}: {what} must be a number, not an array", node)
    if isinstance(v, Static) and not isinstance(v.value, (int, float, np.integer, np.floating)) or \
            isinstance(v, (Seq, Callable_, Module_)):
        raise Refusal("P301", f"{fname}: {what} must be a number: Python raises TypeError", node)
    return v


def _py_random(name):
    def lower(ctx, args, kwargs, node):
        bind(_short(name), args, kwargs, [], node)
        _note(ctx, node)
        return _python_float(ctx, "uniform")
    return lower


def _py_uniform(name):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        p = bind(fname, args, kwargs, [("a", REQUIRED), ("b", REQUIRED)], node)
        a, b = _py_number(p["a"], node, fname, "a"), _py_number(p["b"], node, fname, "b")
        _note(ctx, node)
        u = _python_float(ctx, "uniform")
        # Python: a + (b - a) * random(), with Python's (and NumPy scalars') own arithmetic
        return apply_operator(ctx, "add", [a, apply_operator(ctx, "multiply", [
            apply_operator(ctx, "subtract", [b, a], node), u], node)], node)
    return lower


def _py_gauss(name):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        p = bind(fname, args, kwargs, [("mu", 0.0), ("sigma", 1.0)], node)
        mu, sigma = _py_number(p["mu"], node, fname, "mu"), _py_number(p["sigma"], node, fname, "sigma")
        _note(ctx, node)
        z = _python_float(ctx, "normal")
        return apply_operator(ctx, "add", [mu, apply_operator(ctx, "multiply", [sigma, z], node)], node)
    return lower


def _py_expovariate(name):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        p = bind(fname, args, kwargs, [("lambd", 1.0)], node)
        lambd = _py_number(p["lambd"], node, fname, "lambd")
        if isinstance(lambd, Static) and lambd.value == 0:
            raise Refusal("P301", f"{fname}: lambd = 0: Python raises ZeroDivisionError", node)
        _note(ctx, node)
        e = _python_float(ctx, "exponential")
        return apply_operator(ctx, "true_divide", [e, lambd], node)
    return lower


def _py_int(ctx, v, node, fname, what) -> tuple[Tensor, int | None]:
    if isinstance(v, Tensor) and np.dtype(v.dtype).kind == "f" or \
            isinstance(v, Static) and isinstance(v.value, (float, np.floating)):
        raise Refusal("P301", f"{fname}: {what} must be an integer: Python raises", node)
    return _int_param(ctx, v, node, what)


def _py_randint(name, inclusive: bool):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        if inclusive:
            p = bind(fname, args, kwargs, [("a", REQUIRED), ("b", REQUIRED)], node)
            lo_v, hi_v = p["a"], p["b"]
        else:
            p = bind(fname, args, kwargs, [("start", REQUIRED), ("stop", None), ("step", 1)], node)
            if static(p["step"], "step", node) != 1:
                raise Refusal("P205", f"{fname}: a step other than 1 is not converted yet", node)
            lo_v, hi_v = (Static(0), p["start"]) if isinstance(p["stop"], Static) and p["stop"].value is None \
                else (p["start"], p["stop"])
        lo, slo = _py_int(ctx, lo_v, node, fname, "a" if inclusive else "start")
        hi, shi = _py_int(ctx, hi_v, node, fname, "b" if inclusive else "stop")
        top = hi.expr if inclusive else f"{hi.expr} - 1"
        if slo is not None and shi is not None:
            if (shi if inclusive else shi - 1) < slo:
                raise Refusal("P301", f"{fname}: empty range: Python raises ValueError", node)
            if shi - slo >= 2 ** 40:
                raise Refusal("P205", f"{fname}: a range of 2**40 values or more is not converted", node)
        else:
            _require(ctx, f"{lo.expr} <= {top}", "empty range for randrange")
        maxval = f"{hi.expr} + 1" if inclusive else hi.expr
        if inclusive and shi is not None:
            maxval = str(shi + 1)
        _note(ctx, node)
        return _draw(ctx, f"tf.random.uniform([], minval={lo.expr}, maxval={maxval}, dtype=tf.int64)", "int64", (),
                     "ints", weak=True)
    return lower


def _sequence(ctx, v, node, fname) -> tuple[Tensor, int | None, bool, str]:
    """A population for random.choice/sample: (stacked values, static length, weak items, result kind)."""
    if isinstance(v, Seq):
        stacked = _homogeneous(ctx, v, node, fname)
        weak = any(isinstance(i, Static) or isinstance(i, Tensor) and i.weak for i in v.items)
        return stacked, len(v.items), weak, v.kind
    if is_static(v) and isinstance(static_value(v), (list, tuple, range)):
        items = list(static_value(v))
        return _sequence(ctx, Seq(tuple(Static(i) for i in items), "list"), node, fname)
    if isinstance(v, Static) and isinstance(v.value, (str, bytes, set, dict, frozenset)):
        raise Refusal("P205", f"{fname}: a population of {type(v.value).__name__} is not converted", node)
    t = tensor(ctx, v, node)
    if t.rank == 0:
        raise Refusal("P301", f"{fname}: a 0-d array is not a sequence: Python raises TypeError", node)
    t = ctx.materialize(t, "population")
    return t, t.shape[0], False, "array"


def _py_choice(name):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        p = bind(fname, args, kwargs, [("seq", REQUIRED)], node)
        stacked, n, weak, _ = _sequence(ctx, p["seq"], node, fname)
        if n == 0:
            raise Refusal("P301", f"{fname}: cannot choose from an empty sequence: Python raises IndexError", node)
        stacked = ctx.materialize(stacked, "population")
        n_expr = str(n) if n is not None else f"tf.shape({stacked.expr}, out_type=tf.int64)[0]"
        if n is None:
            _require(ctx, f"{n_expr} > 0", "Cannot choose from an empty sequence")
        _note(ctx, node)
        maxval = n_expr if n is not None else f"tf.math.maximum({n_expr}, 1)"
        index = ctx.bind(f"tf.random.uniform([], minval=0, maxval={maxval}, dtype=tf.int64)", "index")
        return Tensor(ctx.bind(f"tf.gather({stacked.expr}, {index})", "chosen"), stacked.dtype, stacked.shape[1:],
                      weak=weak, ident=new_ident())
    return lower


def _py_sample(name):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        p = bind(fname, args, kwargs, [("population", REQUIRED), ("k", REQUIRED), ("counts", None)], node,
                 refuse_unless_default=("counts",))
        k = static(p["k"], "k (the sample size)", node)
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
            raise Refusal("P301", f"{fname}: k must be an integer: Python raises", node)
        k = int(k)
        stacked, n, weak, kind = _sequence(ctx, p["population"], node, fname)
        if kind == "array":
            raise Refusal("P301", f"{fname}: the population must be a sequence (a list, tuple or range), not an "
                                  "array: Python raises TypeError", node)
        if k < 0 or n is not None and k > n:
            raise Refusal("P301", f"{fname}: sample larger than population or is negative: Python raises "
                                  "ValueError", node)
        stacked = ctx.materialize(stacked, "population")
        _note(ctx, node)
        order = ctx.bind(f"tf.random.shuffle(tf.range({n}))[:{k}]", "order")
        return _items_of(ctx, stacked, order, k, weak, "list")
    return lower


def _py_shuffle(name):
    def lower(ctx, args, kwargs, node):
        fname = _short(name)
        bind(fname, args, kwargs, [("x", REQUIRED)], node)
        target = node.args[0] if node.args else next(k.value for k in node.keywords if k.arg == "x")
        return _rebind_shuffled(ctx, target, node, fname, python_random=True)
    return lower


# -- registration ---------------------------------------------------------------------------------------------------

_SCALAR_LIMITS = "values from TensorFlow's stream, not NumPy's (same distribution, support, shape, dtype)"


def _both(suffix: str) -> tuple[str, str]:
    return f"{_LEGACY}.{suffix}", f"{_STATE}.{suffix}"


def _register_legacy_and_state(suffix, target, make, limits=_SCALAR_LIMITS, status="supported"):
    for n in _both(suffix):
        lowering(n, target, foldable=False, limits=limits, status=status)(make(n))


for _n in ("rand", "randn"):
    _register_legacy_and_state(_n, "tf.random.uniform" if _n == "rand" else "tf.random.normal",
                               lambda n, k=("uniform" if _n == "rand" else "normal"):
                               _lower_standard(n, k, positional_dims=True))
for _n in ("random", "random_sample", "ranf", "sample"):
    if hasattr(np.random, _n):
        targets = (f"{_LEGACY}.{_n}",) + ((f"{_STATE}.{_n}",) if hasattr(np.random.RandomState, _n) else ())
        for _name in targets:
            lowering(_name, "tf.random.uniform", foldable=False, limits=_SCALAR_LIMITS)(
                _lower_standard(_name, "uniform"))
_register_legacy_and_state("standard_normal", "tf.random.normal", lambda n: _lower_standard(n, "normal"))
_register_legacy_and_state("standard_exponential", "tf.random.uniform",
                           lambda n: _lower_standard(n, "exponential"))
_register_legacy_and_state("uniform", "tf.random.uniform", lambda n: _lower_uniform(False))
_register_legacy_and_state("normal", "tf.random.normal", _lower_normal)
_register_legacy_and_state("lognormal", "tf.random.normal", _lower_normal)
_register_legacy_and_state("exponential", "tf.random.uniform", _lower_exponential)
_register_legacy_and_state("gamma", "tf.random.gamma", lambda n: _lower_gamma(n, False))
_register_legacy_and_state("standard_gamma", "tf.random.gamma", lambda n: _lower_gamma(n, True))
_register_legacy_and_state("beta", "tf.random.gamma", _lower_beta)
_register_legacy_and_state("randint", "tf.random.uniform", _lower_randint,
                           limits="low/high: integers, not arrays; ranges below 2**40 values", status="partial")
_register_legacy_and_state("binomial", "tf.random.stateless_binomial", _lower_binomial,
                           limits="n must be an integer (NumPy truncates floats)", status="partial")
_register_legacy_and_state("poisson", "tf.random.poisson", _lower_poisson)
_register_legacy_and_state("choice", "tf.random.categorical", lambda n: _lower_choice(n, False))
_register_legacy_and_state("permutation", "tf.random.shuffle", lambda n: _lower_permutation(n, False))
_register_legacy_and_state("shuffle", "tf.random.shuffle", lambda n: _lower_shuffle(n, False),
                           limits="in place: only a local name no other name aliases", status="partial")
lowering(f"{_LEGACY}.seed", "tf.random.uniform", foldable=False, status="partial",
         limits="refused with a seed (every call would draw the same NumPy values); seed() alone is a no-op")(
    _lower_seed(f"{_LEGACY}.seed"))
lowering(f"{_LEGACY}.default_rng", "tf.random.uniform", foldable=False, status="partial",
         limits="refused with a seed inside the wrapped function; its methods draw from TF's stream")(
    _lower_generator(f"{_LEGACY}.default_rng", _GEN))
lowering(f"{_LEGACY}.RandomState", "tf.random.uniform", foldable=False, status="partial",
         limits="refused with a seed inside the wrapped function")(_lower_generator(f"{_LEGACY}.RandomState", _STATE))

_GEN_METHODS = {
    "random": lambda n: _lower_standard(n, "uniform", generator_dtype=True),
    "standard_normal": lambda n: _lower_standard(n, "normal", generator_dtype=True),
    "standard_exponential": lambda n: _lower_standard(n, "exponential", generator_dtype=True),
    "uniform": lambda n: _lower_uniform(True),
    "normal": _lower_normal,
    "lognormal": _lower_normal,
    "exponential": _lower_exponential,
    "gamma": lambda n: _lower_gamma(n, False),
    "standard_gamma": lambda n: _lower_gamma(n, True),
    "beta": _lower_beta,
    "binomial": _lower_binomial,
    "poisson": _lower_poisson,
    "choice": lambda n: _lower_choice(n, True),
    "permutation": lambda n: _lower_permutation(n, True),
    "shuffle": lambda n: _lower_shuffle(n, True),
}
for _m, _make in _GEN_METHODS.items():
    lowering(f"{_GEN}.{_m}", "tf.random.uniform", foldable=False, limits=_SCALAR_LIMITS)(_make(f"{_GEN}.{_m}"))

_PY_FUNCS = {
    "random": _py_random, "uniform": _py_uniform, "gauss": _py_gauss, "normalvariate": _py_gauss,
    "expovariate": _py_expovariate, "randint": lambda n: _py_randint(n, True),
    "randrange": lambda n: _py_randint(n, False), "choice": _py_choice, "sample": _py_sample,
    "shuffle": _py_shuffle,
}
for _m, _make in _PY_FUNCS.items():
    for _name in (f"{_PY}.{_m}", f"{_PY_OBJ}.{_m}"):
        lowering(_name, "tf.random.uniform", foldable=False, limits=_SCALAR_LIMITS)(_make(_name))
lowering(f"{_PY}.seed", "tf.random.uniform", foldable=False, status="partial",
         limits="refused with a seed (every call would draw the same values)")(_lower_seed(f"{_PY}.seed"))
lowering(f"{_PY_OBJ}.seed", "tf.random.uniform", foldable=False, status="partial",
         limits="refused with a seed")(_lower_seed(f"{_PY_OBJ}.seed"))
lowering(f"{_PY}.Random", "tf.random.uniform", foldable=False, status="partial",
         limits="refused with a seed inside the wrapped function")(_lower_generator(f"{_PY}.Random", _PY_OBJ))
