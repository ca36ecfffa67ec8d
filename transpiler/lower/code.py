"""Small code templates for the generated TF source: literals, constants, casts, dimensions, run-time checks."""
from __future__ import annotations

import math

import numpy as np

from ..diagnostics import Refusal
from .values import Seq, Static, Tensor, python_scalar_kind, static_value

MAX_INLINE_CONSTANT = 4096  # elements; larger static arrays must come from a named module constant


def tf_dtype(dtype: str) -> str:
    return "tf.string" if dtype in ("string", "object") else f"tf.{np.dtype(dtype).name}"


def literal(value) -> str:
    """Python source for a scalar or nested list value."""
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return "float('nan')"
        if math.isinf(v):
            return "float('inf')" if v > 0 else "-float('inf')"
        return repr(v)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(literal(v) for v in value)
        return f"[{inner}]"
    if isinstance(value, (bytes, str)):
        return repr(value)
    if value is None:
        return "None"
    raise Refusal("P201", f"cannot write {type(value).__name__} {value!r} as a constant")


def constant(value, dtype: str) -> str:
    """A TF constant of exactly `dtype` holding a static value."""
    arr = np.asarray(value)
    if arr.size > MAX_INLINE_CONSTANT:
        raise Refusal("P203", f"a constant of {arr.size} elements is too large to write into the code")
    if arr.ndim == 0:
        return f"tf.constant({literal(arr.item())}, {tf_dtype(dtype)})"
    return f"tf.constant({literal(arr.tolist())}, {tf_dtype(dtype)})"


def cast(expr: str, src: str, dst: str) -> str:
    return expr if src == dst else f"tf.cast({expr}, {tf_dtype(dst)})"


def static_dtype(v: Static) -> str:
    return np.asarray(v.value).dtype.name


def tensor_expr(v, dtype: str | None = None) -> str:
    """An expression of a TF tensor holding `v` (with NumPy's array conversion), cast to `dtype`."""
    if isinstance(v, Tensor):
        return cast(v.expr, v.dtype, dtype or v.dtype)
    if isinstance(v, Static):
        own = static_dtype(v)
        if v.global_name and np.asarray(v.value).ndim > 0:
            return cast(f"tf.constant({v.global_name})", own, dtype or own)
        value = np.asarray(v.value)
        if dtype is not None and dtype != own:
            with np.errstate(all="ignore"):
                value = value.astype(dtype)
        return constant(value, dtype or own)
    if isinstance(v, Seq):
        from .dtypes import array_dtype_of_python, dummy
        if all(isinstance(i, Static) for i in v.items):
            return tensor_expr(Static(np.asarray(static_value(v))), dtype)
        own = np.asarray(dummy(v)).dtype.name
        target = dtype or own
        return "tf.stack([" + ", ".join(tensor_expr(i, target) for i in v.items) + "])"
    raise Refusal("P201", f"{type(v).__name__} cannot be used as an array here")


def shape_of(v) -> tuple:
    if isinstance(v, Tensor):
        return v.shape
    if isinstance(v, Static):
        return np.shape(v.value)
    if isinstance(v, Seq):
        from .dtypes import dummy
        inner = [shape_of(i) for i in v.items]
        if inner and all(s == inner[0] for s in inner):
            return (len(v.items),) + tuple(inner[0])
        return np.shape(dummy(v))
    return ()


def dtype_of(v) -> str:
    if isinstance(v, Tensor):
        return v.dtype
    from .dtypes import dummy
    kind = python_scalar_kind(v)
    if kind is not None:
        return {bool: "bool", int: "int64", float: "float64", complex: "complex128"}[kind]
    return np.asarray(dummy(v)).dtype.name


def require_size_one(ctx, x: Tensor, node, refusal: str, message: str) -> Tensor:
    """`x` as held by a name, checked to hold exactly one element: refused when its shape already says
    otherwise, asserted at run time when a dimension is unknown (NumPy and Python raise there)."""
    if any(d is not None and d != 1 for d in x.shape):
        raise Refusal("P301", refusal, node)
    x = ctx.materialize(x, "x")
    if x.rank:
        check(ctx, f"tf.math.equal(tf.size({x.expr}), 1)", message, scalar=True)
    return x


def check(ctx, condition, message: str, scalar: bool = False) -> None:
    """A run-time check where NumPy or Python raises: the call raises tf.errors.InvalidArgumentError, whose text
    holds `message`, unless `condition` holds. `condition` is a boolean expression, or a list of them that must
    all hold (one Assert over their conjunction); unless `scalar` says each is one element, the conjunction is
    reduced with tf.math.reduce_all.

    Every check is one tf.debugging.Assert whose data list holds only the message string: TF's assert_less,
    assert_equal and the like (and an Assert with a tensor in its data list) wrap the Assert in an If with two
    branch functions, which costs microseconds per element in tf.data. Under XLA an Assert compiles to nothing."""
    conditions = [condition] if isinstance(condition, str) else list(condition)
    joined = conditions[0]
    for c in conditions[1:]:
        joined = f"tf.math.logical_and({joined}, {c})"
    if not scalar:
        joined = f"tf.math.reduce_all({joined})"
    ctx.emit(f"tf.debugging.Assert({joined}, [{message!r}])")
