"""NumPy's dtype rules, asked of NumPy itself rather than typed by hand.

`ufunc.resolve_dtypes` gives the exact loop NumPy would pick, including NEP 50's treatment of
Python scalars (passed as the types int/float/complex); `probe` runs a NumPy function on tiny arrays
of the right dtypes to read the dtype of its result (np.mean of int32 -> float64, np.sum of int8 ->
int64, ...). Both reproduce the installed NumPy's behaviour by construction.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..diagnostics import Refusal
from .values import Seq, Static, Tensor, python_scalar_kind


def numpy_operand(v):
    """What to hand to resolve_dtypes for a value: a Python type for Python scalars (NEP 50 weak)."""
    kind = python_scalar_kind(v)
    if kind is bool:
        return np.dtype(bool)
    if kind is not None:
        return kind
    if isinstance(v, Tensor):
        return np.dtype(v.dtype)
    if isinstance(v, Static):
        return np.asarray(v.value).dtype
    if isinstance(v, Seq):
        return np.asarray(dummy(v)).dtype
    raise Refusal("P201", f"{type(v).__name__} cannot be used as an array here")


def ufunc_loop(name: str, operands: list, node=None) -> tuple[list[str], list[str]]:
    """(input dtypes, output dtypes) of the NumPy loop `np.<name>` runs for these operands."""
    ufunc = getattr(np, name)
    ops = [numpy_operand(v) for v in operands]
    try:
        loop = ufunc.resolve_dtypes(tuple(ops) + (None,) * ufunc.nout)
    except (TypeError, np._core._exceptions._UFuncNoLoopError if hasattr(np, "_core") else TypeError) as e:
        raise Refusal("P301", f"NumPy has no `{name}` for {', '.join(map(_show, ops))}: it raises "
                              f"({type(e).__name__}: {str(e)[:120]})", node)
    ins = [d.name for d in loop[:ufunc.nin]]
    outs = [d.name for d in loop[ufunc.nin:]]
    for v, d in zip(operands, ins):
        _check_static_fits(v, d, name, node)
    return ins, outs


def _check_static_fits(v, dtype: str, what: str, node) -> None:
    """NEP 50: a Python int that does not fit the array's integer dtype raises OverflowError in NumPy."""
    if isinstance(v, Static) and type(v.value) is int and np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        if not info.min <= v.value <= info.max and what not in _COMPARISONS:
            raise Refusal("P301", f"{v.value} does not fit {dtype}: NumPy raises OverflowError", node)
        if not info.min <= v.value <= info.max:
            raise Refusal("P202", f"comparing {dtype} with the out-of-range Python int {v.value} "
                                  "is not supported", node)


_COMPARISONS = {"equal", "not_equal", "less", "less_equal", "greater", "greater_equal"}


def _show(op) -> str:
    return op.__name__ + " (Python scalar)" if isinstance(op, type) else str(op)


def dummy(v):
    """A tiny stand-in with the value's dtype and rank (unknown dims are 1, so anything broadcasts)."""
    if isinstance(v, Static):
        return v.value
    if isinstance(v, Seq):
        items = [dummy(i) for i in v.items]
        return tuple(items) if v.kind == "tuple" else items
    if isinstance(v, Tensor):
        if v.weak:
            return python_scalar_kind(v)(1)
        shape = tuple(d if d is not None and d <= 8 else 1 for d in v.shape)
        return np.ones(shape, dtype=v.dtype)
    return v


def probe(fn, args: list, kwargs: dict, node=None, what: str = ""):
    """Call the real NumPy function on dummies; returns its result (dtype and rank are what matter)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return fn(*[dummy(a) for a in args], **{k: dummy(v) for k, v in kwargs.items()})
        except Exception as e:
            raise Refusal("P301", f"NumPy raises for {what or getattr(fn, '__name__', 'this call')} with "
                                  f"these argument types ({type(e).__name__}: {str(e)[:120]})", node)


def result_dtype(result) -> str:
    return np.asarray(result).dtype.name


def can_cast(src: str, dst: str, casting: str = "same_kind") -> bool:
    return bool(np.can_cast(np.dtype(src), np.dtype(dst), casting))


def array_dtype_of_python(value) -> str:
    """np.asarray's dtype for a Python value (int -> int64, float -> float64, nested lists promoted)."""
    return np.asarray(value).dtype.name
