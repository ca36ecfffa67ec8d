"""Argument normalisation for lowerings: bind NumPy's parameter names, demand statics where needed."""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.values import Seq, Static, Tensor, is_static, static_value

REQUIRED = object()


def bind(fname: str, args: list, kwargs: dict, spec: list[tuple[str, object]], node,
         refuse_unless_default: tuple[str, ...] = ()) -> dict:
    """Bind positional and keyword arguments like Python would, against NumPy's parameter list.

    Parameters in `refuse_unless_default` (out=, where=, ...) are refused unless left at the default.
    """
    names = [n for n, _ in spec]
    out = {}
    if len(args) > len(names):
        raise Refusal("P205", f"{fname}: too many positional arguments", node)
    for n, v in zip(names, args):
        out[n] = v
    for k, v in kwargs.items():
        if k not in names:
            raise Refusal("P205", f"{fname}: argument `{k}=` is not supported", node)
        if k in out:
            raise Refusal("P301", f"{fname}: `{k}` given twice: Python raises", node)
        out[k] = v
    for n, default in spec:
        if n not in out:
            if default is REQUIRED:
                raise Refusal("P301", f"{fname}: missing argument `{n}`: NumPy raises", node)
            out[n] = Static(default)
    for n in refuse_unless_default:
        default = dict(spec)[n]
        v = out[n]
        if not (is_static(v) and _same(static_value(v), default)):
            raise Refusal("P205", f"{fname}: `{n}=` is not supported (it would change the result)", node)
    return out


def _same(a, b) -> bool:
    try:
        return a is b or (type(a) is type(b) and a == b)
    except Exception:
        return False


def static(v, what: str, node):
    if not is_static(v):
        raise Refusal("P202", f"{what} must be known when converting (a constant or a shape), not a run-time "
                              "value", node)
    return static_value(v)


def static_axis(v, node):
    a = static(v, "axis", node)
    if a is None or isinstance(a, (int, np.integer)):
        return None if a is None else int(a)
    return tuple(int(x) for x in a)


def tensor(ctx, v, node=None) -> Tensor:
    """Any array-like value as a Tensor with NumPy's dtype for it (np.asarray semantics)."""
    if isinstance(v, Tensor):
        if v.eager:
            return v.with_(eager=False)  # NumPy calls np.asarray on an EagerTensor: same values and dtype
        if v.weak:
            return v.with_(weak=False)
        return v
    if isinstance(v, (Static, Seq)):
        dt = code.dtype_of(v) if not (isinstance(v, Static) and type(v.value) in (int, float, bool)) else \
            np.asarray(v.value).dtype.name
        if isinstance(v, Static) and not isinstance(v.value, (np.ndarray, np.generic, int, float, bool, list, tuple)):
            raise Refusal("P201", f"{type(v.value).__name__} is not an array", node)
        return Tensor(code.tensor_expr(v, dt), dt, code.shape_of(v), ident=new_ident())
    raise Refusal("P201", f"{type(v).__name__} is not an array", node)


_BUILTIN_DTYPES = {"builtins.bool": bool, "builtins.int": int, "builtins.float": float, "builtins.complex": complex}


def dtype_arg(v, node) -> str | None:
    from transpiler.lower.values import Callable_
    if isinstance(v, Callable_) and v.qualname in _BUILTIN_DTYPES:
        v = Static(_BUILTIN_DTYPES[v.qualname])  # dtype=bool/int/float mean np.bool_/int64/float64
    d = static(v, "dtype", node)
    if d is None:
        return None
    try:
        dt = np.dtype(d)
    except TypeError:
        raise Refusal("P205", f"dtype {d!r} is not supported", node)
    if dt.kind not in "biuf":
        raise Refusal("P205", f"dtype {dt} is not supported", node)
    return dt.name
