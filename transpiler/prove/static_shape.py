"""Proof: the replacement, traced with the declared signature, carries the output shape the inputs determine.

A py_function's output has unknown shape (often unknown rank), which breaks Keras layers and shape checks
downstream. Traced with the signature as declared (static dimensions kept), the replacement's outputs carry a
static shape; it is reported, and checked against what the original returns on the proof inputs:
- a dimension or rank the trace claims must be the one the original returns on every input (else: wrong);
- where the original's rank, or the size along an axis, is the same on every input although the inputs' unknown
  dimensions differ in size from input to input, it follows from the static part of the input shapes: the
  trace must know it too (else: not carried).
"""
from __future__ import annotations

from typing import Callable

import tensorflow as tf

from . import FAILED, PASSED, proof
from .context import ProofContext


def _show(shape: tf.TensorShape) -> str:
    if shape.rank is None:
        return "<unknown rank>"
    return "[" + ", ".join("None" if d is None else str(d) for d in shape.as_list()) + "]"


def traced_output_shapes(fn: Callable, specs) -> list[tuple[tf.TensorShape, str]]:
    concrete = tf.function(fn, input_signature=specs, autograph=False).get_concrete_function()
    outputs = tf.nest.flatten(concrete.structured_outputs)
    return [(t.shape, t.dtype.name) for t in outputs]


def _inputs_vary(ctx: ProofContext) -> bool:
    """Whether every unknown input dimension took more than one size across the proof inputs."""
    for arg, (_, dims) in enumerate(ctx.signature):
        for axis, dim in enumerate(dims):
            if dim is None and len({inputs[arg].shape[axis] for inputs in ctx.inputs}) < 2:
                return False
    return len(ctx.inputs) >= 2


def prove(fn: Callable, ctx: ProofContext) -> dict:
    traced = traced_output_shapes(fn, ctx.specs)
    shown = ", ".join(f"{dtype}{_show(shape)}" for shape, dtype in traced)
    observed = [[a.shape for a in outputs.arrays] for outputs in ctx.expected]
    if any(len(shapes) != len(traced) for shapes in observed):
        return proof(FAILED, f"traced output {shown}: not the original's number of outputs")
    varied = _inputs_vary(ctx)
    problems = []
    for k, (shape, _) in enumerate(traced):
        seen = [shapes[k] for shapes in observed]
        ranks = {len(s) for s in seen}
        where = f"output {k}: " if len(traced) > 1 else ""
        if shape.rank is None:
            if len(ranks) == 1:
                problems.append(f"{where}unknown rank, where the original always returns rank {ranks.pop()}")
            continue
        if ranks != {shape.rank}:
            problems.append(f"{where}rank {shape.rank}, but the original returned ranks {sorted(ranks)}")
            continue
        for axis, dim in enumerate(shape.as_list()):
            sizes = {s[axis] for s in seen}
            if dim is not None and sizes != {dim}:
                problems.append(f"{where}axis {axis} claims {dim}, the original returned {sorted(sizes)}")
            elif dim is None and len(sizes) == 1 and varied:
                problems.append(f"{where}axis {axis} is {sizes.pop()} on every input although the input "
                                f"sizes vary, but unknown in the trace")
    basis = f"the original's outputs on {len(ctx.inputs)} inputs"
    if problems:
        result = proof(FAILED, f"traced output {shown}; against {basis}: " + "; ".join(problems))
        result["short"] = shown
        return result
    result = proof(PASSED, f"traced output {shown}; consistent with {basis}"
                           + ("" if varied else " (the inputs' unknown dimensions did not vary: fixed sizes "
                                                "were not checked)"))
    result["short"] = shown
    result["shapes"] = [None if s.rank is None else s.as_list() for s, _ in traced]
    return result
