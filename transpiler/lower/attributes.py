"""ndarray attributes (`x.shape`, `x.T`, ...) and method lookups (`x.sum` -> numpy.ndarray.sum)."""
from __future__ import annotations

import gast
import numpy as np

from ..diagnostics import Refusal
from .shapes import dim, size
from ..instances import Instance, checkable_repr, is_missing, is_unknown, self_stores
from .values import Callable_, Module_, Seq, Static, Tensor, to_value

_EAGER_OK = {"shape", "ndim", "numpy"}


def lower_attribute(ctx, node: gast.Attribute):
    from .expressions import lower_expr, resolve_qualified
    base = lower_expr(ctx, node.value)
    attr = node.attr
    if isinstance(base, Module_):
        return resolve_qualified(f"{base.qualname}.{attr}", node)
    from . import text
    if text.involved(base):
        return text.attribute(ctx, base, attr, node)
    if isinstance(base, Tensor):
        if base.eager and attr not in _EAGER_OK:
            raise Refusal("P204", f"`.{attr}` of a py_function argument is TensorFlow's, not NumPy's; "
                                  "call .numpy() first (or it is not converted yet)", node)
        return tensor_attribute(ctx, base, attr, node)
    if isinstance(base, Static) and isinstance(base.value, Instance):
        return instance_attribute(ctx, base, attr, node)
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


def instance_attribute(ctx, base: Static, attr: str, node):
    """`self.attr` in a converted method: one of the class's methods, or a value frozen at conversion time
    (the generated method checks at trace time that the instance still holds it)."""
    inst: Instance = base.value
    method = inst.method(attr)
    if method is not None:
        stored = self_stores(method)
        if stored:
            raise Refusal("P226", f"`{inst.class_name}.{attr}` assigns self.{sorted(stored)[0]}: a method that "
                                  "changes the instance's state is not converted", node)
        static = any(isinstance(d, gast.Name) and d.id == "staticmethod" for d in method.decorator_list)
        if method.decorator_list and not static:
            raise Refusal("P104", f"`{inst.class_name}.{attr}` is decorated; decorated methods are not "
                                  "converted", node)
        return Callable_(f"user:{attr}", method, bound_args=() if static else (base,))
    value = inst.attr(attr)
    if attr in inst.mutated:
        raise Refusal("P226", f"`self.{attr}` is reassigned by a method of `{inst.class_name}`: it is state, not a "
                              "constant, so its value at call time is not known when converting", node)
    if is_missing(value):
        raise Refusal("P104", f"`self.{attr}` is not assigned in `{inst.class_name}.__init__` or the class body "
                              "(a base class may set it); its value is not known", node)
    if is_unknown(value):
        raise Refusal("P107", f"`self.{attr}` is computed in `{inst.class_name}.__init__` by code this tool does "
                              f"not evaluate (values from {inst.origin})", node)
    text = checkable_repr(value)
    if text is None:
        raise Refusal("P108", f"`self.{attr}` holds a {type(value).__name__}, whose value the generated method "
                              "could not check at trace time", node)
    if attr not in ctx.frozen_attrs:
        shown = text if len(text) <= 60 else text[:57] + "..."
        ctx.note("P904", f"`self.{attr}` is read at trace time as {shown} (from {inst.origin}); an instance "
                         "holding another value runs the original py_function", node)
    ctx.frozen_attrs[attr] = text
    return to_value(value)
