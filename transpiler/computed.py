"""Module constants computed by the user's own code at import time (`ANCHORS = _make_anchors()`).

The slice of the module that defines the constant is run in a separate process, only when it imports
nothing but NumPy, math and pure standard modules (never TensorFlow, I/O or the rest of the module),
and the value comes back as data. The replacement then reads the module's constant by name at trace
time, exactly as the original reads it.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile

import gast
import numpy as np

_SAFE_MODULES = ("numpy", "math", "functools", "itertools", "operator", "collections", "fractions")

_RUNNER = r"""
import pickle, sys
ns = {"__name__": "__pyfunc2tf_constant__"}
exec(compile(open(sys.argv[1]).read(), "<module slice>", "exec"), ns)
with open(sys.argv[3], "wb") as fh:
    pickle.dump(ns[sys.argv[2]], fh)
"""


def safe_slice(slice_tree: gast.Module) -> bool:
    for node in gast.walk(slice_tree):
        if isinstance(node, gast.Import) and any(a.name.split(".")[0] not in _SAFE_MODULES for a in node.names):
            return False
        if isinstance(node, gast.ImportFrom) and (node.module or "").split(".")[0] not in _SAFE_MODULES + ("__future__",):
            return False
        if isinstance(node, gast.Name) and node.id in ("open", "exec", "eval", "__import__", "input", "print"):
            return False
        # random draws: this process would compute other values than the user's module holds
        if isinstance(node, gast.Attribute) and node.attr == "random" or \
                isinstance(node, gast.ImportFrom) and (node.module or "").startswith("numpy.random"):
            return False
    return True


def compute_constant(slice_source: str, name: str, timeout: float = 30.0):
    """The value of `name` after running `slice_source` in a fresh interpreter; None when not possible."""
    try:
        tree = gast.parse(slice_source)
    except SyntaxError:
        return None
    if not safe_slice(tree):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "slice.py"), os.path.join(tmp, "value.pkl")
        with open(src, "w", encoding="utf-8") as fh:
            fh.write(slice_source)
        try:
            subprocess.run([sys.executable, "-c", _RUNNER, src, name, out], cwd=tmp, timeout=timeout,
                           capture_output=True, check=True)
            with open(out, "rb") as fh:
                value = pickle.load(fh)
        except Exception:
            return None
    if isinstance(value, (np.ndarray, np.generic, int, float, bool, tuple, list)):
        return value
    return None
