"""One example: call the reference and the replacement in both modes, and judge whether they agree.

Agreement: both return equal outputs (compare.py), or both raise (any exception: TF and NumPy name their
errors differently). The checker remembers what it saw so that verdict.py can tell a wrong replacement from
a signature the original cannot run on.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import tensorflow as tf

from .compare import Outputs, compare_outputs
from .describe import describe_array, describe_error, short_error
from .subjects import Subjects, to_tensors
from .verdict import MODES


@dataclass
class Outcome:
    outputs: Outputs | None = None
    error: str | None = None        # short form of what the call raised, or why its result is unusable

    def describe(self):
        if self.outputs is None:
            return describe_error(self.error)
        described = [describe_array(a, dt) for a, dt in zip(self.outputs.arrays, self.outputs.dtypes)]
        return described if self.outputs.is_sequence else described[0]


@dataclass
class Failure:
    inputs: tuple[np.ndarray, ...]
    original: Outcome
    replacement: Outcome
    mode: str
    reason: str


class Mismatch(AssertionError):
    """Raised into hypothesis so that it shrinks the example; the details are in ExampleChecker.failure."""


def same_inputs(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> bool:
    return len(a) == len(b) and all(
        x.dtype == y.dtype and x.shape == y.shape
        and np.array_equal(x, y, equal_nan=x.dtype.kind in "fc")
        for x, y in zip(a, b))


def call(fn: Callable, tensors: list) -> Outcome:
    try:
        result = fn(*tensors)
    except Exception as exc:
        return Outcome(error=short_error(exc))
    return _as_outcome(result)


def _as_outcome(result) -> Outcome:
    is_sequence = isinstance(result, (list, tuple))
    items = list(result) if is_sequence else [result]
    for item in items:
        if not isinstance(item, tf.Tensor):
            # The call site's consumers get what the replacement returns; py_function always gives tensors.
            return Outcome(error=f"returned a {type(item).__name__}, not a tf.Tensor")
    return Outcome(Outputs(is_sequence, [_as_array(t) for t in items], [t.dtype.name for t in items]))


def _as_array(tensor: tf.Tensor) -> np.ndarray:
    value = tensor.numpy()
    if tensor.dtype == tf.string:
        # a scalar string comes back as bytes; np.asarray would make it a fixed-width |S array
        return np.array(value, dtype=object) if not isinstance(value, np.ndarray) else value
    return np.asarray(value)


def judge(original: Outcome, replacement: Outcome, mode: str) -> str | None:
    """None when the two outcomes agree, else the reason, naming the replacement's mode."""
    if original.outputs is None and replacement.outputs is None:
        return None
    if original.outputs is None:
        return f"the original raised ({original.error}) but the {mode} replacement returned"
    if replacement.outputs is None:
        return f"the {mode} replacement raised ({replacement.error}) where the original returned"
    reason = compare_outputs(original.outputs, replacement.outputs)
    return f"the {mode} replacement differs from the original: {reason}" if reason else None


class ExampleChecker:
    def __init__(self, subjects: Subjects, signature: list):
        self.subjects = subjects
        self.signature = signature
        self.examples_run = 0            # distinct checks up to and including the first failure
        self.original_successes = 0
        self.first_original_error: str | None = None
        self.failure: Failure | None = None   # the latest failing example: after shrinking, the minimal one

    def check(self, inputs: tuple[np.ndarray, ...]) -> None:
        if self.failure is None:
            self.examples_run += 1
        tensors = to_tensors(inputs, self.signature)
        original = call(self.subjects.reference, tensors)
        if original.outputs is not None:
            self.original_successes += 1
        elif self.first_original_error is None:
            self.first_original_error = original.error
        replacements = {"eager": self.subjects.replacement_eager, "traced": self.subjects.replacement_traced}
        for mode in MODES:
            replacement = call(replacements[mode], tensors)
            reason = judge(original, replacement, mode)
            if reason:
                self.failure = Failure(inputs, original, replacement, mode, reason)
                self.raise_failure()

    def raise_failure(self) -> None:
        # The one place a Mismatch is raised: hypothesis tells bugs apart by where they are raised, and a
        # replay that raised elsewhere would count as a different bug.
        raise Mismatch(self.failure.reason)

    def counterexample(self) -> dict | None:
        f = self.failure
        if f is None:
            return None
        return {
            "inputs": [describe_array(a, dtype) for a, (dtype, _) in zip(f.inputs, self.signature)],
            "original": f.original.describe(),
            "replacement": f.replacement.describe(),
            "mode": f.mode,
        }
