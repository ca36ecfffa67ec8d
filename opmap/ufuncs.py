"""NumPy ufuncs (and the operators that call them) as TF code templates, keyed by dtype kind.

A template's holes: {0}, {1} the operands (already cast to NumPy's loop dtypes), {dt} the loop's TF
dtype. Kinds: b bool, i signed, u unsigned, f float, c complex; "*" any kind not listed. A ufunc whose
semantics a template cannot state (NumPy's floor division, integer division by zero giving 0, NaN-
ignoring fmax, ...) has a function in SPECIAL instead.
"""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.values import Tensor

from .registry import OpEntry, S, register

_ZERO = "tf.zeros_like({0}, tf.bool)"
_ONES = "tf.ones_like({0}, tf.bool)"
_NZ0, _NZ1 = "tf.math.not_equal({0}, 0)", "tf.math.not_equal({1}, 0)"  # truth of a number (NaN is true)

UFUNC_TEMPLATES: dict[str, dict[str, str]] = {
    "add": {"*": "tf.math.add({0}, {1})", "b": "tf.math.logical_or({0}, {1})"},
    "subtract": {"*": "tf.math.subtract({0}, {1})"},
    "multiply": {"*": "tf.math.multiply({0}, {1})", "b": "tf.math.logical_and({0}, {1})"},
    "true_divide": {"fc": "tf.math.truediv({0}, {1})"},
    "negative": {"*": "tf.math.negative({0})", "u": "tf.math.subtract(tf.zeros_like({0}), {0})"},
    "positive": {"*": "{0}"},
    "absolute": {"*": "tf.math.abs({0})", "bu": "{0}"},
    "fabs": {"f": "tf.math.abs({0})"},
    "sign": {"*": "tf.math.sign({0})", "u": "tf.cast({0} > 0, {dt})"},
    "exp": {"fc": "tf.math.exp({0})"},
    "exp2": {"f": "tf.math.pow(tf.constant(2, {dt}), {0})"},
    "expm1": {"f": "tf.math.expm1({0})"},
    "log": {"fc": "tf.math.log({0})"},
    "log2": {"f": "tf.math.log({0}) / tf.math.log(tf.constant(2, {dt}))"},
    "log10": {"f": "tf.math.log({0}) / tf.math.log(tf.constant(10, {dt}))"},
    "log1p": {"f": "tf.math.log1p({0})"},
    "sqrt": {"fc": "tf.math.sqrt({0})"},
    "square": {"*": "tf.math.square({0})", "b": "{0}"},
    "cbrt": {"f": "tf.math.sign({0}) * tf.math.pow(tf.math.abs({0}), tf.constant(1 / 3, {dt}))"},
    "reciprocal": {"fc": "tf.math.reciprocal({0})"},
    "sin": {"fc": "tf.math.sin({0})"}, "cos": {"fc": "tf.math.cos({0})"}, "tan": {"fc": "tf.math.tan({0})"},
    "arcsin": {"f": "tf.math.asin({0})"}, "arccos": {"f": "tf.math.acos({0})"},
    "arctan": {"f": "tf.math.atan({0})"}, "arctan2": {"f": "tf.math.atan2({0}, {1})"},
    "sinh": {"f": "tf.math.sinh({0})"}, "cosh": {"f": "tf.math.cosh({0})"}, "tanh": {"f": "tf.math.tanh({0})"},
    "arcsinh": {"f": "tf.math.asinh({0})"}, "arccosh": {"f": "tf.math.acosh({0})"},
    "arctanh": {"f": "tf.math.atanh({0})"},
    "deg2rad": {"f": "{0} * tf.constant(np_pi / 180, {dt})"}, "rad2deg": {"f": "{0} * tf.constant(180 / np_pi, {dt})"},
    "floor": {"f": "tf.math.floor({0})", "iub": "{0}"}, "ceil": {"f": "tf.math.ceil({0})", "iub": "{0}"},
    "trunc": {"f": "tf.math.sign({0}) * tf.math.floor(tf.math.abs({0}))", "iub": "{0}"},
    "rint": {"f": "tf.math.round({0})"},
    "maximum": {"*": "tf.math.maximum({0}, {1})", "b": "tf.math.logical_or({0}, {1})"},
    "minimum": {"*": "tf.math.minimum({0}, {1})", "b": "tf.math.logical_and({0}, {1})"},
    "equal": {"*": "tf.math.equal({0}, {1})"}, "not_equal": {"*": "tf.math.not_equal({0}, {1})"},
    "less": {"*": "tf.math.less({0}, {1})"}, "less_equal": {"*": "tf.math.less_equal({0}, {1})"},
    "greater": {"*": "tf.math.greater({0}, {1})"}, "greater_equal": {"*": "tf.math.greater_equal({0}, {1})"},
    "logical_and": {"b": "tf.math.logical_and({0}, {1})", "*": "tf.math.logical_and(" + _NZ0 + ", " + _NZ1 + ")"},
    "logical_or": {"b": "tf.math.logical_or({0}, {1})", "*": "tf.math.logical_or(" + _NZ0 + ", " + _NZ1 + ")"},
    "logical_xor": {"b": "tf.math.logical_xor({0}, {1})", "*": "tf.math.logical_xor(" + _NZ0 + ", " + _NZ1 + ")"},
    "logical_not": {"b": "tf.math.logical_not({0})", "*": "tf.math.equal({0}, 0)"},
    "bitwise_and": {"iu": "tf.bitwise.bitwise_and({0}, {1})", "b": "tf.math.logical_and({0}, {1})"},
    "bitwise_or": {"iu": "tf.bitwise.bitwise_or({0}, {1})", "b": "tf.math.logical_or({0}, {1})"},
    "bitwise_xor": {"iu": "tf.bitwise.bitwise_xor({0}, {1})", "b": "tf.math.logical_xor({0}, {1})"},
    "invert": {"iu": "tf.bitwise.invert({0})", "b": "tf.math.logical_not({0})"},
    "isnan": {"f": "tf.math.is_nan({0})", "iub": _ZERO},
    "isinf": {"f": "tf.math.is_inf({0})", "iub": _ZERO},
    "isfinite": {"f": "tf.math.is_finite({0})", "iub": _ONES},
    "signbit": {"f": "tf.math.less(tf.bitwise.bitwise_and(tf.bitcast({0}, {sint}), tf.constant({signmask}, {sint})), 0)",
                "i": "tf.math.less({0}, 0)", "ub": _ZERO},
    "copysign": {"f": "tf.where(tf.math.less(tf.bitwise.bitwise_and(tf.bitcast({1}, {sint}), tf.constant({signmask}, {sint})), 0), -tf.math.abs({0}), tf.math.abs({0}))"},
    "fmax": {"f": "tf.where(tf.math.is_nan({1}), {0}, tf.where(tf.math.is_nan({0}), {1}, tf.math.maximum({0}, {1})))",
             "iu": "tf.math.maximum({0}, {1})", "b": "tf.math.logical_or({0}, {1})"},
    "fmin": {"f": "tf.where(tf.math.is_nan({1}), {0}, tf.where(tf.math.is_nan({0}), {1}, tf.math.minimum({0}, {1})))",
             "iu": "tf.math.minimum({0}, {1})", "b": "tf.math.logical_and({0}, {1})"},
    "heaviside": {"f": "tf.where(tf.math.is_nan({0}), {0}, tf.where(tf.math.equal({0}, 0), {1}, tf.cast({0} > 0, {dt})))"},
    "hypot": {"f": "_HYPOT_"},
    "float_power": {"f": "tf.math.pow({0}, {1})"},
    "nextafter": {"f": "tf.math.nextafter({0}, {1})"},
    # NumPy: nextafter away from zero minus x (-0.0 counts as positive); NaN for infinities
    "spacing": {"f": "tf.where(tf.math.is_inf({0}), tf.constant(float('nan'), {dt}), "
                     "tf.math.nextafter({0}, tf.where({0} < 0, tf.constant(-float('inf'), {dt}), "
                     "tf.constant(float('inf'), {dt}))) - {0})"},
    "bitwise_count": {"i": "tf.raw_ops.PopulationCount(x=tf.math.abs({0}))", "u": "tf.raw_ops.PopulationCount(x={0})"},
    "conjugate": {"c": "tf.math.conj({0})", "iuf": "{0}"},
    "logaddexp": {"f": "_LOGADDEXP_"},
    "logaddexp2": {"f": "_LOGADDEXP_"},
}

_NO_HALF = {"nextafter", "spacing"}  # TF's NextAfter has float32/float64 kernels only
UFUNC_LIMITS = {
    "nextafter": "float16 (also what int8/uint8/bool inputs compute in) is refused: no TF kernel",
    "spacing": "float16 (also what int8/uint8/bool inputs compute in) is refused: no TF kernel",
    "log2": "computed as log(x)/log(2): exact powers of two may be off in the last bit",
    "log10": "computed as log(x)/log(10): exact powers of ten may be off in the last bit",
    "cbrt": "computed with pow: last-bit differences",
    "hypot": "scaled to avoid overflow, as C hypot does; last-bit differences",
    "floor_divide": "float operands follow NumPy's divmod algorithm; integer division by zero gives 0",
    "remainder": "integer division by zero gives 0, as NumPy does",
    "power": "integer powers need a non-negative exponent known when converting",
}
# aliases NumPy exports under a second name
UFUNC_ALIASES = {"divide": "true_divide", "mod": "remainder", "abs": "absolute", "degrees": "rad2deg",
                 "radians": "deg2rad", "conjugate": None, "bitwise_not": "invert", "bitwise_invert": "invert",
                 "asin": "arcsin", "acos": "arccos", "atan": "arctan", "atan2": "arctan2", "asinh": "arcsinh",
                 "acosh": "arccosh", "atanh": "arctanh", "pow": "power", "conj": "conjugate",
                 "bitwise_left_shift": "left_shift", "bitwise_right_shift": "right_shift"}


def _template_for(ufunc: str, kind: str) -> str | None:
    table = UFUNC_TEMPLATES.get(ufunc, {})
    for kinds, tpl in table.items():
        if kind in kinds and kinds != "*":
            return tpl
    return table.get("*")


def lower_ufunc(ctx, ufunc: str, args: list[Tensor], ins: list[str], outs: list[str], node) -> Tensor:
    """TF code for `np.<ufunc>(*args)`; args are already cast to the loop dtypes `ins`."""
    kind = np.dtype(ins[0]).kind
    special = SPECIAL.get(ufunc)
    if special is not None:
        return Tensor(special(ctx, args, ins[0], outs[0], node), outs[0], ())
    tpl = _template_for(ufunc, kind)
    if tpl is None or (ufunc in _NO_HALF and ins[0] == "float16"):
        raise Refusal("P201", f"np.{ufunc} on {ins[0]} has no faithful TensorFlow lowering", node)
    if tpl == "_HYPOT_":
        return Tensor(_hypot(ctx, args, ins[0]), outs[0], ())
    if tpl == "_LOGADDEXP_":
        return Tensor(_logaddexp(ctx, args, ins[0], base2=ufunc == "logaddexp2"), outs[0], ())
    if "{0}" in tpl and tpl.count("{0}") > 1 or "{1}" in tpl and tpl.count("{1}") > 1:
        args = [ctx.materialize(a, "u") for a in args]
    fields = {"dt": code.tf_dtype(ins[0])}
    if kind == "f":
        bits = np.dtype(ins[0]).itemsize * 8
        fields["sint"] = {16: "tf.int16", 32: "tf.int32", 64: "tf.int64"}[bits]
        fields["signmask"] = str(-(1 << (bits - 1)))
    expr = tpl.replace("np_pi", repr(np.pi)).format(*[a.expr for a in args], **fields)
    return Tensor(expr, outs[0], ())


def _hypot(ctx, args, dt) -> str:
    x, y = (ctx.materialize(Tensor(f"tf.math.abs({a.expr})", dt, ()), "h") for a in args)
    big = ctx.bind(f"tf.math.maximum({x.expr}, {y.expr})", "hbig")
    small = ctx.bind(f"tf.math.minimum({x.expr}, {y.expr})", "hsmall")
    ratio = f"tf.math.divide_no_nan({small}, {big})"
    inf = code.constant(np.inf, dt)
    return (f"tf.where(tf.math.logical_or(tf.math.is_inf({x.expr}), tf.math.is_inf({y.expr})), {inf}, "
            f"{big} * tf.math.sqrt(1 + tf.math.square({ratio})))")


def _logaddexp(ctx, args, dt, base2: bool) -> str:
    """NumPy's npy_logaddexp(2): x + log1p(exp(-(x - y))) from the larger side; x == y (infinities) -> x + log(2)."""
    x, y = (ctx.materialize(a, "u") for a in args)
    tmp = ctx.bind(f"{x.expr} - {y.expr}", "d")
    if base2:
        log2e = code.constant(1.4426950408889634, dt)
        one_p = lambda e: f"tf.math.log1p(tf.math.pow({code.constant(2, dt)}, {e})) * {log2e}"
        same = f"{x.expr} + {code.constant(1, dt)}"
    else:
        one_p = lambda e: f"tf.math.log1p(tf.math.exp({e}))"
        same = f"{x.expr} + {code.constant(np.log(2), dt)}"
    return (f"tf.where(tf.math.equal({x.expr}, {y.expr}), {same}, tf.where({tmp} > 0, {x.expr} + {one_p('-' + tmp)}, "
            f"tf.where({tmp} <= 0, {y.expr} + {one_p(tmp)}, {tmp})))")


def _gcd_parts(ctx, a: Tensor, b: Tensor, dt: str, node):
    """NumPy's gcd works on unsigned magnitudes (|-128| is 128 for int8): computed in int64, where only
    -2**63 has no magnitude; it is replaced by 2**63 mod |other| (same gcd) and its results patched."""
    if dt == "uint64":
        raise Refusal("P201", "gcd/lcm of uint64 has no TensorFlow kernel", node)
    a, b = (ctx.materialize(Tensor(code.cast(t.expr, dt, "int64"), "int64", ()), "g") for t in (a, b))
    mins = None
    ma = ctx.bind(f"tf.math.abs({a.expr})", "ga")
    mb = ctx.bind(f"tf.math.abs({b.expr})", "gb")
    if dt == "int64":
        lo, hi = np.iinfo(np.int64).min, np.iinfo(np.int64).max
        amin = ctx.bind(f"tf.math.equal({a.expr}, {lo})", "amin")
        bmin = ctx.bind(f"tf.math.equal({b.expr}, {lo})", "bmin")
        mins = (amin, bmin)
        ma0 = ctx.bind(f"tf.where({amin}, tf.zeros_like({ma}), {ma})", "ga")
        mb0 = ctx.bind(f"tf.where({bmin}, tf.zeros_like({mb}), {mb})", "gb")
        red = lambda other: (f"tf.math.floormod(tf.math.floormod({hi}, tf.where(tf.math.equal({other}, 0), "
                             f"tf.ones_like({other}), {other})) + 1, tf.where(tf.math.equal({other}, 0), "
                             f"tf.ones_like({other}), {other}))")
        ma = ctx.bind(f"tf.where({amin}, {red(mb0)}, {ma0})", "ga")
        mb = ctx.bind(f"tf.where({bmin}, {red(ma0)}, {mb0})", "gb")
    g = ctx.bind(f"tf.while_loop(lambda p, q: tf.math.reduce_any(tf.math.not_equal(p, 0)), "
                 f"lambda p, q: (tf.where(tf.math.not_equal(p, 0), tf.truncatemod(q, tf.where(tf.math.not_equal(p, 0), "
                 f"p, tf.ones_like(p))), tf.zeros_like(p)), tf.where(tf.math.not_equal(p, 0), p, q)), "
                 f"[{ma} + tf.zeros_like({mb}), {mb} + tf.zeros_like({ma})])[1]", "gcd")
    return a, b, ma, mb, g, mins


def _gcd(ctx, args, dt, out, node) -> str:
    if np.dtype(dt).kind not in "iu":
        raise Refusal("P301", f"NumPy has no gcd for {dt}", node)
    a, b, _, _, g, mins = _gcd_parts(ctx, args[0], args[1], dt, node)
    if mins:
        amin, bmin = mins
        lo = np.iinfo(np.int64).min
        # gcd(2**63, 0) and gcd(2**63, 2**63) are 2**63, which int64 writes as -2**63
        g = (f"tf.where(tf.math.logical_or(tf.math.logical_and({amin}, tf.math.logical_or({bmin}, "
             f"tf.math.equal({b.expr}, 0))), tf.math.logical_and({bmin}, tf.math.equal({a.expr}, 0))), "
             f"tf.constant({lo}, tf.int64), {g})")
    return code.cast(g, "int64", dt)


def _lcm(ctx, args, dt, out, node) -> str:
    if np.dtype(dt).kind not in "iu":
        raise Refusal("P301", f"NumPy has no lcm for {dt}", node)
    a, b, ma, mb, g, mins = _gcd_parts(ctx, args[0], args[1], dt, node)
    # a / gcd * b wraps in the input's width; int64 products keep the same low bits
    out = (f"tf.where(tf.math.equal({g}, 0), tf.zeros_like({g}), "
           f"{ma} // tf.where(tf.math.equal({g}, 0), tf.ones_like({g}), {g}) * {mb})")
    if mins:
        # 2**63 / 2**k * |b| is an odd multiple of 2**63: -2**63 modulo 2**64, or 0 when b is 0
        lo = np.iinfo(np.int64).min
        out = (f"tf.where(tf.math.logical_or({mins[0]}, {mins[1]}), tf.where(tf.math.logical_or("
               f"tf.math.equal({a.expr}, 0), tf.math.equal({b.expr}, 0)), tf.zeros_like({g}), "
               f"tf.constant({lo}, tf.int64) + tf.zeros_like({g})), {out})")
    return code.cast(out, "int64", dt)


def _fmod(ctx, args, dt, out, node) -> str:
    a, b = args
    kind = np.dtype(dt).kind
    if kind in "iu":
        if dt in ("int8", "uint8", "int16", "uint16", "uint32", "uint64"):
            wide = Tensor(code.cast(a.expr, dt, "int64"), "int64", ()), Tensor(code.cast(b.expr, dt, "int64"), "int64", ())
            return code.cast(_int_guarded(ctx, wide[0], wide[1], "tf.truncatemod"), "int64", dt)
        return _int_guarded(ctx, a, b, "tf.truncatemod")
    if kind == "f":
        return f"tf.truncatemod({a.expr}, {b.expr})"  # C fmod; x % 0 is NaN in both
    raise Refusal("P301", f"NumPy has no fmod for {dt}", node)


def _int_guarded(ctx, a: Tensor, b: Tensor, op: str) -> str:
    """NumPy integer // and % by zero give 0 (with a warning); TF raises or is undefined."""
    b = ctx.materialize(b, "den")
    zero = f"tf.zeros_like({b.expr})"
    safe = f"tf.where(tf.math.equal({b.expr}, 0), tf.ones_like({b.expr}), {b.expr})"
    return f"tf.where(tf.math.equal({b.expr}, 0), {zero}, {op}({a.expr}, {safe}))"


def _floor_divide(ctx, args, dt, out, node) -> str:
    a, b = args
    kind = np.dtype(dt).kind
    if kind in "iu":
        return _int_guarded(ctx, a, b, "tf.math.floordiv")
    if kind == "b":
        raise Refusal("P301", "NumPy has no floor_divide for bool", node)
    if kind != "f":
        raise Refusal("P201", f"floor_divide on {dt} is not supported", node)
    # npy_divmod: floor((a - fmod(a, b)) / b) with NumPy's corrections, not floor(a / b)
    a, b = ctx.materialize(a, "num"), ctx.materialize(b, "den")
    mod = ctx.bind(f"tf.truncatemod({a.expr}, {b.expr})", "fmod")
    div = ctx.bind(f"({a.expr} - {mod}) / {b.expr}", "div")
    fix = ctx.bind(f"tf.math.logical_and(tf.math.not_equal({mod}, 0), "
                   f"tf.math.not_equal({b.expr} < 0, {mod} < 0))", "fix")
    div = ctx.bind(f"tf.where({fix}, {div} - 1, {div})", "div")
    fl = ctx.bind(f"tf.math.floor({div})", "fdiv")
    fl = ctx.bind(f"tf.where({div} - {fl} > 0.5, {fl} + 1, {fl})", "fdiv")
    zero_div = f"tf.math.multiply(tf.math.sign({a.expr} / {b.expr}), tf.zeros_like({div}))"
    res = f"tf.where(tf.math.equal({div}, 0), {zero_div}, {fl})"
    return f"tf.where(tf.math.equal({b.expr}, 0), {a.expr} / {b.expr}, {res})"


def _remainder(ctx, args, dt, out, node) -> str:
    a, b = args
    kind = np.dtype(dt).kind
    if kind in "iu":
        return _int_guarded(ctx, a, b, "tf.math.floormod")
    if kind == "f":
        # TF's FloorMod for floats is fmod with NumPy's sign correction; b == 0 gives NaN in both
        return f"tf.math.floormod({a.expr}, {b.expr})"
    raise Refusal("P301" if kind == "b" else "P201", f"remainder on {dt} is not supported", node)


def _power(ctx, args, dt, out, node) -> str:
    a, b = args
    kind = np.dtype(dt).kind
    if kind in "fc":
        return f"tf.math.pow({a.expr}, {b.expr})"
    if kind in "iu":
        # NumPy raises for negative integer exponents; only a constant non-negative exponent is safe
        import re
        m = re.fullmatch(r"tf\.constant\((\d+), tf\.\w+\)", b.expr)
        if not m:
            raise Refusal("P202", "integer power with an exponent not known to be non-negative "
                                  "(NumPy raises for negative ones)", node)
        if kind == "u":
            if dt == "uint64":
                raise Refusal("P201", "uint64 power has no TensorFlow kernel", node)
            # TF has no unsigned Pow kernel: int64 arithmetic wraps modulo 2**64, so the low bits agree
            return f"tf.cast(tf.math.pow(tf.cast({a.expr}, tf.int64), tf.cast({b.expr}, tf.int64)), {code.tf_dtype(dt)})"
        return f"tf.math.pow({a.expr}, {b.expr})"
    raise Refusal("P201", f"power on {dt} is not supported", node)


def _shift(op):
    def lower(ctx, args, dt, out, node) -> str:
        a, b = args
        if np.dtype(dt).kind not in "iu":
            raise Refusal("P301", f"NumPy has no {op} for {dt}", node)
        b = ctx.materialize(b, "sh")
        bits = np.dtype(dt).itemsize * 8
        fn = "tf.bitwise.left_shift" if op == "left_shift" else "tf.bitwise.right_shift"
        # NumPy defines shifts by >= the bit width (0, or -1 for negative right shifts); C does not
        big = ("tf.zeros_like({a})" if op == "left_shift" or np.dtype(dt).kind == "u"
               else "tf.where({a} < 0, -tf.ones_like({a}), tf.zeros_like({a}))").format(a=a.expr)
        return (f"tf.where(tf.math.logical_or({b.expr} >= {bits}, {b.expr} < 0), {big}, "
                f"{fn}({a.expr}, tf.clip_by_value({b.expr}, 0, {bits - 1})))")
    return lower


SPECIAL = {"floor_divide": _floor_divide, "remainder": _remainder, "power": _power,
           "gcd": _gcd, "lcm": _lcm, "fmod": _fmod,
           "left_shift": _shift("left_shift"), "right_shift": _shift("right_shift")}


def _ufunc_entry_lowering(ufunc_name):
    def lower(ctx, args, kwargs, node):
        from transpiler.lower.operators import apply_ufunc
        from transpiler.lower.values import is_static
        nin = getattr(np, ufunc_name).nin
        extra = set(kwargs) - {"dtype"}
        if extra:
            raise Refusal("P205", f"np.{ufunc_name}: argument(s) {', '.join(sorted(extra))} are not supported "
                                  "(out=, where=, casting= ... would change the result)", node)
        if len(args) != nin:
            raise Refusal("P205", f"np.{ufunc_name} takes {nin} array argument(s) here, got {len(args)}", node)
        if "dtype" in kwargs:
            raise Refusal("P205", f"np.{ufunc_name}(dtype=...) is not supported yet", node)
        return apply_ufunc(ctx, ufunc_name, list(args), node)
    return lower


# property-test inputs: the ufunc's tolerance where TF's kernels differ from NumPy's in the last bits
UFUNC_RTOL: dict[str, float] = {}
UFUNC_SCALAR = {"left_shift": "2", "right_shift": "2", "power": "2", "ldexp": "2"}


def ufunc_samples(name: str) -> tuple:
    """Every dtype the ufunc takes, against every dtype with broadcasting, and against Python scalars (NEP 50)."""
    uf = getattr(np, name)
    has_float = any(t[0] in "efdg" for t in uf.types)
    group = "a" if has_float else "iub"
    if uf.nin == 1:
        return (S("{f}(x)", x=f"{group}[m,n]"),)
    out = [S("{f}(x, y)", x=f"{group}[m,n~]", y=f"{group}[n]"),
           S(f"{{f}}(x, {UFUNC_SCALAR.get(name, '3')})", x=f"{group}[m]")]
    if has_float:
        out.append(S("{f}(x, 0.5)", x="n[]"))
    return tuple(out)


def _register_all():
    from .registry import REGISTRY
    for name, table in UFUNC_TEMPLATES.items():
        target = next(iter(table.values())).split("(")[0]
        register(OpEntry(f"numpy.{name}", target if target.startswith("tf.") else "tf.identity",
                         _ufunc_entry_lowering(name), ufunc=name,
                         status="partial" if name in UFUNC_LIMITS else "supported",
                         limits=UFUNC_LIMITS.get(name, ""), samples=ufunc_samples(name), rtol=UFUNC_RTOL.get(name)))
    for name, target in (("floor_divide", "tf.math.floordiv"), ("remainder", "tf.math.floormod"),
                         ("power", "tf.math.pow"), ("left_shift", "tf.bitwise.left_shift"),
                         ("right_shift", "tf.bitwise.right_shift"), ("gcd", "tf.while_loop"),
                         ("lcm", "tf.while_loop"), ("fmod", "tf.truncatemod")):
        register(OpEntry(f"numpy.{name}", target, _ufunc_entry_lowering(name), ufunc=name,
                         status="partial" if name in UFUNC_LIMITS else "supported",
                         limits=UFUNC_LIMITS.get(name, ""), samples=ufunc_samples(name), rtol=UFUNC_RTOL.get(name)))
    for alias, canon in UFUNC_ALIASES.items():
        if canon and f"numpy.{canon}" in REGISTRY and hasattr(np, alias):
            base = REGISTRY[f"numpy.{canon}"]
            register(OpEntry(f"numpy.{alias}", base.target, base.lower, ufunc=canon, status=base.status,
                             limits=base.limits, samples=base.samples, rtol=base.rtol))


_register_all()


def _two_outputs(name):
    def lower(ctx, args, kwargs, node):
        from transpiler.lower.operators import apply_ufunc
        from transpiler.lower.values import Seq
        if kwargs:
            raise Refusal("P205", f"np.{name}: keyword arguments (out=, where=, ...) are not supported", node)
        if name == "divmod":
            if len(args) != 2:
                raise Refusal("P205", "np.divmod takes two arrays", node)
            return Seq((apply_ufunc(ctx, "floor_divide", list(args), node),
                        apply_ufunc(ctx, "remainder", list(args), node)), "tuple")
        if len(args) != 1:
            raise Refusal("P205", "np.modf takes one array", node)
        from transpiler.lower.dtypes import ufunc_loop
        from transpiler.lower.operators import _as_tensor
        from transpiler.lower.shapes import broadcast
        from transpiler.lower.context import new_ident
        ins, outs = ufunc_loop("modf", list(args), node)
        x = ctx.materialize(_as_tensor(args[0], ins[0]), "x")
        shape = code.shape_of(args[0])
        # C modf: integral part truncated toward zero (sign kept: -0.5 -> -0.0), fraction x - int (0 for inf)
        whole = ctx.bind(f"tf.where(tf.math.is_inf({x.expr}), {x.expr}, "
                         f"tf.math.sign({x.expr}) * tf.math.floor(tf.math.abs({x.expr})))", "whole")
        whole = ctx.bind(f"tf.where(tf.math.equal({whole}, 0), {x.expr} * 0, {whole})", "whole")
        frac = (f"tf.where(tf.math.is_inf({x.expr}), tf.math.sign({x.expr}) * 0, "
                f"tf.where(tf.math.equal({x.expr} - {whole}, 0), {whole} * 0, {x.expr} - {whole}))")
        return Seq((Tensor(frac, outs[0], shape, ident=new_ident()), Tensor(whole, outs[1], shape, ident=new_ident())),
                   "tuple")
    return lower


register(OpEntry("numpy.modf", "tf.math.floor", _two_outputs("modf"), ufunc="modf",
                 samples=(S("{f}(x)", x="a[m,n]"),)))
register(OpEntry("numpy.divmod", "tf.math.floordiv", _two_outputs("divmod"), ufunc="divmod",
                 status="partial", limits=UFUNC_LIMITS["floor_divide"],
                 samples=(S("{f}(x, y)", x="a[m,n~]", y="a[n]"), S("{f}(x, 3)", x="a[m]"))))
