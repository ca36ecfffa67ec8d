"""Python builtins and the `math` module on run-time values (all-static calls are folded by Python)."""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.operators import apply_ufunc
from transpiler.lower.shapes import dim
from transpiler.lower.values import Seq, Static, Tensor, python_scalar_kind

from .args import tensor
from .registry import lowering


@lowering("builtins.len", "tf.shape")
def py_len(ctx, args, kwargs, node):
    (x,) = args
    if isinstance(x, Seq):
        return Static(len(x.items))
    if isinstance(x, Tensor):
        if x.rank == 0:
            raise Refusal("P301", "len() of unsized object: Python raises", node)
        return dim(ctx, x.with_(eager=False), 0)
    raise Refusal("P201", f"len() of {type(x).__name__}", node)


@lowering("builtins.abs", "tf.math.abs")
def py_abs(ctx, args, kwargs, node):
    (x,) = args
    if python_scalar_kind(x) is not None:
        return _weak_abs(ctx, x, node)
    return apply_ufunc(ctx, "absolute", [x], node)


def _weak_abs(ctx, x: Tensor, node):
    if x.dtype == "bool":
        return Tensor(f"tf.cast({x.expr}, tf.int64)", "int64", (), weak=True)
    return x.with_(expr=f"tf.math.abs({x.expr})")


def _scalar(ctx, v, node) -> Tensor:
    """A run-time value Python would treat as a number: Python scalars, NumPy scalars, 0-d/size-1 arrays."""
    if isinstance(v, Tensor):
        if v.eager:
            v = v.with_(eager=False)
        return v
    return tensor(ctx, v, node)


def _minmax(which):
    def lower(ctx, args, kwargs, node):
        if kwargs:
            raise Refusal("P205", f"{which}() with key= or default= is not supported", node)
        if len(args) == 1 and isinstance(args[0], Seq) and args[0].items:
            args = list(args[0].items)      # min(x.shape), max((a, b)): the items, compared as Python does
        elif len(args) == 1:
            raise Refusal("P201", f"{which}() over an iterable of run-time values is not converted yet", node)
        # a Python number stays one (weak under NEP 50) whichever of them is returned
        values = [_scalar(ctx, a, node).with_(weak=python_scalar_kind(a) is not None) for a in args]
        if any(v.rank for v in values):
            raise Refusal("P301", f"{which}() compares arrays with truth tests: ambiguous, Python raises", node)
        dtypes = {code.dtype_of(v) for v in values}
        if len(dtypes) != 1:
            raise Refusal("P202", f"{which}() of values of different types returns one of them unchanged; the "
                                  "result's type would depend on the data", node)
        # Python: max(a, b) is b if b > a else a (the first of equal ones; NaN stays if first)
        out = ctx.materialize(values[0], "m")
        for v in values[1:]:
            v = ctx.materialize(v, "m")
            cmp = ">" if which == "max" else "<"
            out = out.with_(expr=ctx.bind(f"tf.where({v.expr} {cmp} {out.expr}, {v.expr}, {out.expr})", "m"),
                            weak=out.weak and v.weak)
        return out
    return lower


lowering("builtins.max", "tf.where")(_minmax("max"))
lowering("builtins.min", "tf.where")(_minmax("min"))


def _to_python(kind):
    def lower(ctx, args, kwargs, node):
        if len(args) != 1 or kwargs:
            raise Refusal("P205", f"{kind.__name__}() with several arguments", node)
        x = _scalar(ctx, args[0], node)
        if x.dtype == "string":
            raise Refusal("P212", f"{kind.__name__}() of a string is not converted yet", node)
        x = code.require_size_one(ctx, x, node, "only size-1 arrays can be converted to Python scalars: "
                                                "Python raises", "only length-1 arrays can be converted to Python scalars")
        if x.rank:
            x = ctx.materialize(Tensor(f"tf.reshape({x.expr}, [])", x.dtype, ()), "x")
        target = {float: "float64", int: "int64", bool: "bool"}[kind]
        src_kind = np.dtype(x.dtype).kind
        if kind is int and src_kind == "f":
            # int() truncates toward zero; NaN and inf raise ValueError/OverflowError in Python
            code.check(ctx, f"tf.math.is_finite({x.expr})", "cannot convert float NaN or infinity to integer",
                       scalar=x.rank == 0)
        if kind is bool:
            expr = x.expr if x.dtype == "bool" else f"tf.math.not_equal({x.expr}, 0)"
        else:
            expr = code.cast(x.expr, x.dtype, target)
        return Tensor(expr, target, (), weak=True)
    return lower


lowering("builtins.float", "tf.cast")(_to_python(float))
lowering("builtins.int", "tf.cast")(_to_python(int))
lowering("builtins.bool", "tf.cast")(_to_python(bool))


@lowering("builtins.round", "tf.math.round")
def py_round(ctx, args, kwargs, node):
    if len(args) != 1 or kwargs:
        raise Refusal("P205", "round(x, ndigits) on run-time values is not converted yet", node)
    x = _scalar(ctx, args[0], node)
    if x.rank:
        raise Refusal("P301", "round() of an array: Python raises", node)
    kind = np.dtype(x.dtype).kind
    if kind in "iu":
        return x
    if kind != "f":
        raise Refusal("P201", f"round() of {x.dtype}", node)
    x = ctx.materialize(x, "x")
    code.check(ctx, f"tf.math.is_finite({x.expr})", "cannot convert float NaN or infinity to integer", scalar=True)
    # round() of a float is half-to-even and returns a Python int
    return Tensor(f"tf.cast(tf.math.round({x.expr}), tf.int64)", "int64", (), weak=True)


_MATH_UFUNC = {"sqrt": "sqrt", "exp": "exp", "log": "log", "log10": "log10", "log2": "log2", "sin": "sin",
               "cos": "cos", "tan": "tan", "atan": "arctan", "atan2": "arctan2", "tanh": "tanh",
               "fabs": "absolute", "hypot": "hypot", "expm1": "expm1", "log1p": "log1p"}
_MATH_DOMAIN = {"sqrt": ">= 0", "log": "> 0", "log10": "> 0", "log2": "> 0", "log1p": "> -1"}


def _math(name):
    def lower(ctx, args, kwargs, node):
        # a Python number stays one (weak under NEP 50) whichever of them is returned
        values = [_scalar(ctx, a, node).with_(weak=python_scalar_kind(a) is not None) for a in args]
        if any(v.rank for v in values):
            raise Refusal("P301", f"math.{name}() of an array: Python raises", node)
        xs = [ctx.materialize(Tensor(code.cast(v.expr, v.dtype, "float64"), "float64", ()), "x") for v in values]
        if name in _MATH_DOMAIN:
            cmp = _MATH_DOMAIN[name]
            code.check(ctx, f"tf.math.logical_or(tf.math.is_nan({xs[0].expr}), {xs[0].expr} {cmp})",
                       "ValueError: math domain error", scalar=True)
        out = apply_ufunc(ctx, _MATH_UFUNC[name], xs, node)
        return out.with_(weak=True)
    return lower


for _n in _MATH_UFUNC:
    lowering(f"math.{_n}", "tf.math", status="partial",
             limits="math domain errors raise as in Python; overflow to inf is not raised")(_math(_n))


def _math_round(name, fn):
    def lower(ctx, args, kwargs, node):
        (x,) = [_scalar(ctx, a, node) for a in args]
        if x.rank:
            raise Refusal("P301", f"math.{name}() of an array: Python raises", node)
        if np.dtype(x.dtype).kind in "iu":
            return Tensor(code.cast(x.expr, x.dtype, "int64"), "int64", (), weak=True)
        x = ctx.materialize(Tensor(code.cast(x.expr, x.dtype, "float64"), "float64", ()), "x")
        code.check(ctx, f"tf.math.is_finite({x.expr})", "cannot convert float NaN or infinity to integer", scalar=True)
        return Tensor(f"tf.cast({fn}({x.expr}), tf.int64)", "int64", (), weak=True)
    return lower


lowering("math.floor", "tf.math.floor")(_math_round("floor", "tf.math.floor"))
lowering("math.ceil", "tf.math.ceil")(_math_round("ceil", "tf.math.ceil"))
