"""The tensor boundary: what the wrapped function receives and how its result becomes the call's outputs.

tf.py_function hands the function EagerTensors (TF semantics until `.numpy()`) and converts each
result with `convert_to_tensor(value, dtype=Tout)`, which casts NumPy arrays. tf.numpy_function and
tf.compat.v1.py_func hand it ndarrays and, when traced (as in tf.data and SavedModels), insist that
each result's dtype *is* Tout. The replacement reproduces exactly that, or the site is refused.
"""
from __future__ import annotations

import numpy as np

from ..diagnostics import Refusal
from . import code
from .values import Seq, Static, Tensor, python_scalar_kind


def output_values(result, tout: list[str], tout_is_list: bool, node) -> list:
    if tout_is_list:
        if isinstance(result, Seq):
            items = list(result.items)
        else:
            items = [result]
        if len(items) != len(tout):
            raise Refusal("P302", f"the function returns {len(items)} value(s) but Tout lists {len(tout)}: "
                                  "the original fails", node)
        return items
    if isinstance(result, Seq) and result.kind == "tuple":
        raise Refusal("P302", f"the function returns a tuple of {len(result.items)} but Tout is a single dtype",
                      node)
    return [result]


def convert_output(ctx, value, dtype: str, api: str, node) -> str:
    if isinstance(value, Static) and value.value is None:
        raise Refusal("P302", "the function returns None", node)
    from . import text
    if dtype == "string" or text.involved(value):
        return text.convert_output(ctx, value, dtype, api, node)
    if api == "tf.py_function":
        return _py_function_convert(ctx, value, dtype, node)
    return _numpy_function_convert(ctx, value, dtype, api, node)


def _py_function_convert(ctx, value, dtype, node) -> str:
    kind = python_scalar_kind(value)
    if kind is float and np.dtype(dtype).kind in "iub":
        raise Refusal("P303", f"the function returns a Python float where Tout is {dtype}: "
                              "tf.py_function raises TypeError", node)
    if isinstance(value, Tensor) and value.eager:
        if value.dtype != dtype:
            raise Refusal("P303", f"the function returns a TF tensor of {value.dtype} where Tout is {dtype}: "
                                  "tf.py_function raises", node)
        return value.expr
    return code.tensor_expr(value, dtype)


def _numpy_function_convert(ctx, value, dtype, api, node) -> str:
    own = code.dtype_of(value)
    if own != dtype:
        raise Refusal("P303", f"the function returns {own} where Tout is {dtype}: {api} raises when traced "
                              "(as in tf.data or a SavedModel), so the original cannot run there", node)
    return code.tensor_expr(value, dtype)
