"""Operators and NumPy ufuncs: one path, since `a + b` on arrays *is* `np.add(a, b)`.

The loop dtypes come from NumPy (dtypes.ufunc_loop); the TF code for each ufunc comes from the op
table (opmap.ufuncs). Python scalars on both sides keep Python's semantics instead.
"""
from __future__ import annotations

import operator

import gast
import numpy as np

from ..diagnostics import Refusal
from . import code
from .context import new_ident
from .dtypes import ufunc_loop
from .shapes import broadcast
from .values import Static, Tensor, is_static, named_array_as_tensor, python_scalar_kind, static_value, to_value, weak_dtype

BINOP_UFUNC = {gast.Add: "add", gast.Sub: "subtract", gast.Mult: "multiply", gast.Div: "true_divide",
               gast.FloorDiv: "floor_divide", gast.Mod: "remainder", gast.Pow: "power",
               gast.MatMult: "matmul", gast.BitAnd: "bitwise_and", gast.BitOr: "bitwise_or",
               gast.BitXor: "bitwise_xor", gast.LShift: "left_shift", gast.RShift: "right_shift"}
COMPARE_UFUNC = {gast.Eq: "equal", gast.NotEq: "not_equal", gast.Lt: "less", gast.LtE: "less_equal",
                 gast.Gt: "greater", gast.GtE: "greater_equal"}
UNARY_UFUNC = {gast.USub: "negative", gast.UAdd: "positive", gast.Invert: "invert"}
PY_OPERATOR = {"add": operator.add, "subtract": operator.sub, "multiply": operator.mul,
               "true_divide": operator.truediv, "floor_divide": operator.floordiv, "remainder": operator.mod,
               "power": operator.pow, "matmul": operator.matmul, "bitwise_and": operator.and_,
               "bitwise_or": operator.or_, "bitwise_xor": operator.xor, "left_shift": operator.lshift,
               "right_shift": operator.rshift, "equal": operator.eq, "not_equal": operator.ne,
               "less": operator.lt, "less_equal": operator.le, "greater": operator.gt,
               "greater_equal": operator.ge, "negative": operator.neg, "positive": operator.pos,
               "invert": operator.invert}


def fold(fn, values, node):
    """Compute with the real Python/NumPy objects; their exceptions become refusals."""
    import warnings
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return to_value(fn(*[static_value(v) for v in values]))
        except Exception as e:
            raise Refusal("P301", f"this raises in the original ({type(e).__name__}: {str(e)[:120]})", node)


def apply_operator(ctx, ufunc: str, operands: list, node) -> object:
    """`a <op> b` with Python operator semantics (which, for arrays, are NumPy's ufunc semantics)."""
    from . import text
    if len(operands) == 2 and text.involved(*operands):     # `ids += [pad] * n` reaches here
        return text.binop(ctx, ufunc, operands[0], operands[1], node)
    operands = [named_array_as_tensor(v) for v in operands]
    if all(is_static(v) for v in operands):
        return fold(PY_OPERATOR[ufunc], operands, node)
    kinds = [python_scalar_kind(v) for v in operands]
    if all(k is not None for k in kinds):
        return python_scalar_op(ctx, ufunc, operands, kinds, node)
    return apply_ufunc(ctx, ufunc, operands, node)


def python_scalar_op(ctx, ufunc: str, operands, kinds, node) -> Tensor:
    """Run-time Python scalars (`len(x) // 2`): Python's result type, with ZeroDivisionError kept."""
    from opmap.ufuncs import lower_ufunc
    try:
        result_kind = type(PY_OPERATOR[ufunc](*[k(1) for k in kinds]))
    except Exception as e:
        raise Refusal("P301", f"Python raises for {ufunc} of {[k.__name__ for k in kinds]} ({e})", node)
    if result_kind not in (int, float, bool):
        raise Refusal("P201", f"Python {ufunc} giving {result_kind.__name__} is not supported", node)
    if ufunc in ("true_divide", "floor_divide", "remainder"):
        known_nonzero = is_static(operands[1]) and static_value(operands[1]) != 0
        divisor = ctx.materialize(_as_tensor(operands[1], weak_dtype(kinds[1])), "d")
        operands = [operands[0], divisor]
        if not known_nonzero:
            zero = code.constant(0, divisor.dtype)
            code.check(ctx, f"tf.math.not_equal({divisor.expr}, {zero})", "ZeroDivisionError: division by zero",
                       scalar=divisor.rank == 0)
    if ufunc == "power" and kinds == [int, int]:
        raise Refusal("P202", "Python int ** int at run time (arbitrary precision) is not supported", node)
    loop_kind = float if float in kinds or ufunc == "true_divide" else (int if int in kinds or result_kind is int else bool)
    dt = weak_dtype(loop_kind)
    args = [_as_tensor(v, dt) for v in operands]
    out = lower_ufunc(ctx, ufunc, args, [dt] * len(args), [weak_dtype(result_kind) if ufunc not in
                                                            ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal") else "bool"], node)
    return out.with_(weak=True)


def _as_tensor(v, dtype: str) -> Tensor:
    if isinstance(v, Tensor):
        return v if v.dtype == dtype else v.with_(expr=code.cast(v.expr, v.dtype, dtype), dtype=dtype)
    return Tensor(code.tensor_expr(v, dtype), dtype, code.shape_of(v))


def apply_ufunc(ctx, ufunc: str, operands: list, node, out_dtype_override: str | None = None) -> Tensor:
    from opmap.ufuncs import lower_ufunc
    for v in operands:
        if isinstance(v, Tensor) and v.eager:
            raise Refusal("P204", "arithmetic on a py_function argument uses TensorFlow's semantics, not "
                                  "NumPy's; call .numpy() on it first (or it is not converted yet)", node)
    if ufunc == "matmul":
        from opmap.linalg import matmul
        return matmul(ctx, operands, node)
    ins, outs = ufunc_loop(ufunc, operands, node)
    shape = broadcast([code.shape_of(v) for v in operands], node)
    args = [_as_tensor(v, d) for v, d in zip(operands, ins)]
    out = lower_ufunc(ctx, ufunc, args, ins, outs, node)
    return Tensor(out.expr, outs[0], shape, ident=new_ident())
