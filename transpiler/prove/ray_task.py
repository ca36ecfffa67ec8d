"""Proof: the function's graph, serialised, runs in a Ray task on a local Ray instance.

This is where a graph that holds a py_function cannot go at all: the callback is a key into a registry of
the process that traced it. Runs only where the optional extra `ray` is installed (`pip install
pyfunc2tf[ray]`); otherwise the proof is skipped and says so.

What crosses to the worker is the GraphDef of the concrete function (its library included) as bytes, with the
names of its input and output tensors; the worker imports it into a fresh graph and runs it.
"""
from __future__ import annotations

import importlib.util
import re
import time
from typing import Callable

import numpy as np
import tensorflow as tf

from . import FAILED, PASSED, SKIPPED, proof
from .context import ProofContext
from ..verify.checker import Outcome
from ..verify.compare import Outputs
from ..verify.describe import short_error


def serialise(fn: Callable, specs) -> tuple[bytes, list[str], list[str]]:
    """(GraphDef bytes, input tensor names, output tensor names) of `fn` traced with `specs`."""
    concrete = tf.function(fn, input_signature=specs, autograph=False).get_concrete_function()
    inputs = [t.name for t in concrete.inputs if t.dtype != tf.resource]
    outputs = [t.name for t in tf.nest.flatten(concrete.structured_outputs)]
    return concrete.graph.as_graph_def().SerializeToString(), inputs, outputs


def run_serialised(graph_bytes: bytes, input_names: list[str], output_names: list[str],
                   inputs: list[tuple], dtypes: list[str]) -> list[list[np.ndarray]]:
    """Import the GraphDef into a fresh graph and run it on each input tuple: what the Ray worker does.
    Needs nothing but TensorFlow."""
    import tensorflow as tf   # the worker's own import

    graph_def = tf.compat.v1.GraphDef.FromString(graph_bytes)
    wrapped = tf.compat.v1.wrap_function(lambda: tf.compat.v1.import_graph_def(graph_def, name=""), [])
    pruned = wrapped.prune([wrapped.graph.get_tensor_by_name(n) for n in input_names],
                           [wrapped.graph.get_tensor_by_name(n) for n in output_names])
    results = []
    for args in inputs:
        tensors = [tf.constant(a, dtype=tf.string if d == "string" else tf.as_dtype(d)) for a, d in zip(args, dtypes)]
        results.append([np.asarray(t.numpy(), dtype=object) if t.dtype == tf.string else t.numpy()
                        for t in pruned(*tensors)])
    return results


def ray_available() -> bool:
    return importlib.util.find_spec("ray") is not None


def prove(fn: Callable, ctx: ProofContext) -> dict:
    if not ray_available():
        return proof(SKIPPED, "skipped: ray not installed (the optional extra `ray`: pip install 'pyfunc2tf[ray]')")
    import ray

    graph_bytes, input_names, output_names = serialise(fn, ctx.specs)
    dtypes = [dtype for dtype, _ in ctx.signature]
    started_here = not ray.is_initialized()
    try:
        if started_here:
            ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
        # Defined from this module's function, pickled by value: the worker needs TensorFlow, not pyfunc2tf.
        task = ray.remote(num_cpus=1)(_by_value(run_serialised))
        timeout = min(300.0, max(10.0, ctx.deadline - time.monotonic()))
        results = ray.get(task.remote(graph_bytes, input_names, output_names, list(ctx.inputs), dtypes),
                          timeout=timeout)
    except Exception as exc:   # noqa: BLE001 - the failure is the finding
        return proof(FAILED, f"the serialised graph did not run in a Ray task: {_task_error(exc)}")
    finally:
        if started_here and ray.is_initialized():
            ray.shutdown()
    for i, (arrays, expected) in enumerate(zip(results, ctx.expected)):
        outcome = Outcome(Outputs(expected.is_sequence, list(arrays),
                                  [tf.as_dtype(a.dtype).name if a.dtype != object else "string" for a in arrays]))
        why = ctx.mismatch(expected, outcome)
        if why:
            return proof(FAILED, f"ran in a Ray task, but on input {i}: {why}")
    return proof(PASSED, f"the serialised graph ({len(graph_bytes)} bytes) ran in a Ray task; {ctx.agreement()} "
                         f"as the original on {len(ctx.inputs)} inputs")


def _task_error(exc: Exception) -> str:
    """What went wrong in the task: a RayTaskError's first line only names the task (in terminal colours); the
    exception the task raised is its `cause` (a py_function's: "could not find callback ... in the registry")."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        return short_error(cause)
    return re.sub(r"\x1b\[[0-9;]*m", "", short_error(exc))


def _by_value(fn: Callable) -> Callable:
    """A copy of `fn` whose module is not importable, so that cloudpickle ships its code, not a reference."""
    import types
    namespace = {"np": np, "__name__": "__pyfunc2tf_ray_task__"}
    return types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__)
