"""The callables under test, built from a VerifyJob inside the verification process.

The original is called through the same API as the user's call site (tf.py_function hands it
EagerTensors, tf.numpy_function / py_func hand it arrays and enforce Tout only when traced), so that
what is compared is what the user's program computes, not what the wrapped function computes alone.
"""
from __future__ import annotations

import os
import sys
import types
from dataclasses import dataclass
from typing import Callable

import numpy as np
import tensorflow as tf

from .describe import short_error
from .job import VerifyJob
from .strategies import STRING

# Name of the module the slice runs as: functions defined there get it as __module__, and it is registered
# in sys.modules so that code looking itself up (dataclasses, pickle, typing) finds a real module.
ORIGINAL_MODULE = "__pyfunc2tf_original__"


class SetupError(Exception):
    """The harness cannot start: the slice, the expression or the replacement does not run."""


@dataclass
class Subjects:
    # The reference: the original traced with unknown dimensions (what tf.data and SavedModels run),
    # or the eager original where it cannot be traced (then `reference_note` says why).
    reference: Callable
    reference_note: str
    original_eager: Callable
    replacement_eager: Callable
    replacement_traced: Callable


def tf_dtype(name: str) -> tf.DType:
    return tf.string if name == STRING else tf.as_dtype(name)


def to_tensors(arrays: tuple[np.ndarray, ...], signature: list) -> list[tf.Tensor]:
    return [tf.constant(a, dtype=tf_dtype(dtype)) for a, (dtype, _) in zip(arrays, signature)]


def load_subjects(job: VerifyJob, source_dir: str) -> Subjects:
    """Run the slice and the replacement in one fresh module namespace; raises SetupError with the reason."""
    module = types.ModuleType(ORIGINAL_MODULE)
    sys.modules[ORIGINAL_MODULE] = module
    if job.package:   # a function of another module: its slice imports from its package as that module does
        module.__package__ = job.package
    sys.path.extend(root for root in job.import_roots if root not in sys.path)   # after the installed packages
    namespace = module.__dict__
    _exec_source(job.original_slice, os.path.join(source_dir, "original_slice.py"), namespace,
                 "the original slice")
    try:
        original = eval(job.original_expr, namespace)
    except Exception as exc:
        raise SetupError(f"the original expression {job.original_expr!r} does not evaluate: {short_error(exc)}")
    if not callable(original):
        raise SetupError(f"the original expression {job.original_expr!r} gives a {type(original).__name__}, "
                         f"not a callable")

    namespace.setdefault("tf", tf)
    _exec_source(job.replacement_source, os.path.join(source_dir, "replacement.py"), namespace,
                 "the replacement source")
    replacement = namespace.get(job.replacement_name)
    if not callable(replacement):
        raise SetupError(f"the replacement source defines no callable {job.replacement_name!r}")

    original_call = _through_call_site_api(original, job)
    specs = [tf.TensorSpec([None] * len(dims), tf_dtype(dtype)) for dtype, dims in job.signature]
    reference, note = _traced_or_eager(original_call, specs)
    return Subjects(
        reference=reference,
        reference_note=note,
        original_eager=original_call,
        replacement_eager=replacement,
        replacement_traced=_traced_or_raising(replacement, specs),
    )


def _exec_source(source: str, path: str, namespace: dict, what: str) -> None:
    # Written to a real file so that tracebacks show lines and autograph (which reads a function's
    # source through inspect) can convert the replacement's Python control flow.
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    try:
        code = compile(source, path, "exec")
    except SyntaxError as exc:
        raise SetupError(f"{what} does not parse: {exc.msg} (line {exc.lineno})")
    try:
        exec(code, namespace)
    except BaseException as exc:  # SystemExit from a slice must not end the harness silently
        raise SetupError(f"{what} raised when executed: {short_error(exc)}")


def _through_call_site_api(original: Callable, job: VerifyJob) -> Callable:
    apis = {"tf.py_function": tf.py_function, "tf.numpy_function": tf.numpy_function,
            "tf.compat.v1.py_func": tf.compat.v1.py_func}
    if job.api not in apis:
        raise SetupError(f"unknown api {job.api!r}; one of {', '.join(apis)}")
    api = apis[job.api]
    try:
        dtypes = [tf_dtype(t) for t in job.tout]
    except TypeError as exc:
        raise SetupError(f"Tout {job.tout!r} names an unknown dtype: {exc}")
    if not job.tout_is_list and len(dtypes) != 1:
        raise SetupError(f"a single Tout needs exactly one dtype, got {job.tout!r}")
    tout = dtypes if job.tout_is_list else dtypes[0]

    def original_call(*args):
        return api(original, list(args), tout)
    return original_call


def _traced_or_eager(original_call: Callable, specs: list) -> tuple[Callable, str]:
    traced = tf.function(original_call, input_signature=specs, autograph=False)
    try:
        traced.get_concrete_function()
    except Exception as exc:
        return original_call, f"the original cannot be traced ({short_error(exc)}); compared with it eagerly"
    return traced, ""


def _traced_or_raising(replacement: Callable, specs: list) -> Callable:
    """The replacement traced once with unknown dimensions; where tracing fails, a callable that raises
    the tracing error (a failed trace is not cached, and retrying it for every example costs time)."""
    traced = tf.function(replacement, input_signature=specs)
    try:
        traced.get_concrete_function()
    except Exception as exc:
        trace_error = exc

        def raise_trace_error(*args):
            raise trace_error
        return raise_trace_error
    return traced
