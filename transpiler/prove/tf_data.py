"""Proof: the function runs inside `Dataset.map(num_parallel_calls=AUTOTUNE)` and gives the original's outputs.

The proof inputs, of different shapes, go through one dataset (a concatenation of one-element datasets), so
that the map runs several elements in parallel threads, as an input pipeline does.
"""
from __future__ import annotations

import functools
from typing import Callable

import tensorflow as tf

from . import FAILED, PASSED, proof
from .context import ProofContext
from ..verify.checker import _as_outcome
from ..verify.describe import short_error


def prove(fn: Callable, ctx: ProofContext) -> dict:
    datasets = [tf.data.Dataset.from_tensors(tuple(ctx.tensors(inputs))) for inputs in ctx.inputs]
    dataset = functools.reduce(lambda a, b: a.concatenate(b), datasets)
    mapped = dataset.map(lambda *args: fn(*args), num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    try:
        results = list(mapped)
    except Exception as exc:   # noqa: BLE001 - the failure is the finding
        return proof(FAILED, f"Dataset.map(num_parallel_calls=AUTOTUNE) raised {short_error(exc)}")
    for i, (result, expected) in enumerate(zip(results, ctx.expected)):
        why = ctx.mismatch(expected, _as_outcome(result))
        if why:
            return proof(FAILED, f"inside Dataset.map(num_parallel_calls=AUTOTUNE), on input {i}: {why}")
    return proof(PASSED, f"ran inside Dataset.map(num_parallel_calls=AUTOTUNE) on {len(results)} elements; "
                         f"{ctx.agreement()} as the original")
