"""ndarray attributes (`x.shape`, `x.T`, ...) and method lookups (`x.sum` -> numpy.ndarray.sum)."""
from __future__ import annotations

import gast
import numpy as np

from ..diagnostics import Refusal
from .shapes import dim, size
from .values import Callable_, Module_, Seq, Static, Tensor, to_value

_EAGER_OK = {"shape", "ndim", "numpy"}


def lower_attribute(ctx, node: gast.Attribute):
    from .expressions import lower_expr, resolve_qualified
    base = lower_expr(ctx, node.value)
    attr = node.attr
    if isinstance(base, Module_):
        return resolve_qualified(f"{base.qualname}.{attr}", node)
    if isinstance(base, Tensor):
        if base.eager and attr not in _EAGER_OK:
            raise Refusal("P204", f"`.{attr}` of a py_function argument is TensorFlow's, not NumPy's; "
                                  "call .numpy() first (or it is not converted yet)", node)
        return tensor_attribute(ctx, base, attr, node)
    if isinstance(base, Static):
        value = base.value
        if not hasattr(value, attr):
            raise Refusal("P301", f"{type(value).__name__} has no attribute {attr!r}: Python raises", node)
        obj = getattr(value, attr)
        if callable(obj):
            return Callable_(f"method:{attr}", payload=base)
        return to_value(obj)
    if isinstance(base, Callable_) and base.qualname.startswith("numpy."):
        from .expressions import resolve_qualified
        return resolve_qualified(f"{base.qualname}.{attr}", node)  # np.add.reduce: an op-table key
    raise Refusal("P210", f"attribute `.{attr}` of a {type(base).__name__} is not supported", node)


def tensor_attribute(ctx, t: Tensor, attr: str, node):
    if attr == "shape":
        return Seq(tuple(dim(ctx, t, i) for i in range(t.rank)), "tuple")
    if attr == "ndim":
        return Static(t.rank)
    if attr == "size":
        return size(ctx, t)
    if attr == "dtype":
        return Static(np.dtype(t.dtype))
    if attr == "T":
        from opmap.shape_ops import transpose
        return transpose(ctx, t, None, node)
    if attr in ("real", "imag") and np.dtype(t.dtype).kind != "c":
        return t if attr == "real" else Tensor(f"tf.zeros_like({t.expr})", t.dtype, t.shape)
    if attr in ("flat", "base", "data", "strides", "ctypes", "flags", "itemsize", "nbytes"):
        if attr == "itemsize":
            return Static(np.dtype(t.dtype).itemsize)
        raise Refusal("P201", f"ndarray.{attr} is not supported", node)
    return Callable_(f"method:{attr}", payload=t)
