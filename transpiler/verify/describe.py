"""JSON-safe renderings of inputs and outcomes, for the counterexample in a verdict.

Strict JSON has no NaN or infinity and no bytes, so non-finite floats become the strings "nan", "inf",
"-inf", bytes their Python repr, complex numbers their str. Large arrays are cut, and say so.
"""
from __future__ import annotations

import math
import re

import numpy as np

MAX_ELEMENTS = 64
MAX_MESSAGE = 400
_TF_NODE_PREFIX = re.compile(r"^\{\{function_node [^}]*\}\}\s*")
_TF_OP_SUFFIX = re.compile(r"\s*\[Op:[^\]]*\].*$")


def describe_array(array: np.ndarray, dtype: str) -> dict:
    """{"dtype", "shape", "value"} with `value` nested lists (flat and cut when over MAX_ELEMENTS)."""
    array = np.asarray(array)
    described = {"dtype": dtype, "shape": list(array.shape)}
    if array.size > MAX_ELEMENTS:
        described["value"] = [_scalar(v) for v in array.reshape(-1)[:MAX_ELEMENTS]]
        described["truncated"] = f"first {MAX_ELEMENTS} of {array.size} elements, flattened"
    else:
        described["value"] = _nested(array)
    return described


def describe_error(error: BaseException | str) -> dict:
    return {"raised": short_error(error)}


def short_error(error: BaseException | str) -> str:
    """`Type: the line that says what went wrong`, without TF's node names and frame listings."""
    if isinstance(error, str):
        return error[:MAX_MESSAGE]
    line = _TF_OP_SUFFIX.sub("", _message_line(str(error))).strip()
    kind = type(error).__name__
    return (line if line.startswith(kind + ":") else f"{kind}: {line}")[:MAX_MESSAGE]


def _message_line(text: str) -> str:
    lines = _TF_NODE_PREFIX.sub("", text.strip()).splitlines() or [""]
    head = lines[0].strip()
    if head == "in user code:":
        # autograph: the frames (indented), then the error itself, indented too, last
        return lines[-1]
    if head == "Graph execution error:":
        # "Detected at node X defined at ...", indented frames, then the op's message at column 0
        for line in lines[1:]:
            if line.strip() and not line[0].isspace() and not line.startswith("Detected at node"):
                return line
    # An error raised inside the wrapped function: `{{function_node ...}} ValueError: msg`, then a traceback
    return lines[0]


def _nested(array: np.ndarray):
    if array.ndim == 0:
        return _scalar(array[()])
    if array.ndim == 1:  # iterating gives elements: NumPy scalars, or the bytes of an object array
        return [_scalar(v) for v in array]
    return [_nested(sub) for sub in array]


def _scalar(value):
    if isinstance(value, np.floating) and value.dtype.itemsize < 8 and np.isfinite(value):
        # float32 0.001 is 0.0010000000474974513 as a double; its shortest repr reads back to the same float32
        return float(str(value))
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bytes):
        return repr(value)
    if isinstance(value, complex):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return repr(value)
