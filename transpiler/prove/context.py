"""What every proof works from: the declared specs, a few inputs the original accepts, and its outputs on them.

Inputs are drawn with a seeded NumPy generator (the proofs need a handful of ordinary inputs, not a search):
unknown dimensions take a different size in each input (so that a dimension that stays fixed across them
tells something about the shape), shared by axis position across arguments (functions often need matching
batch sizes); values are small, where NumPy and TensorFlow agree on ordinary code.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import tensorflow as tf

from ..verify.checker import Outcome, call
from ..verify.compare import Outputs, compare_outputs
from ..verify.strategies import STRING, explicit_examples, np_dtype
from ..verify.subjects import tf_dtype, to_tensors

_WORDS = [b"a", b"bc", b"hello world", b"1,2,3", "\u00e9t\u00e9".encode(), b"", b"x y", b"42"]
_PROGRESS = "pyfunc2tf-prove: "


def progress(stage: str) -> None:
    print(_PROGRESS + stage, file=sys.stderr, flush=True)


@dataclass
class ProofContext:
    signature: list                       # [[dtype, [dims]], ...] as in VerifyJob
    inputs: list[tuple]                   # tuples of NumPy arrays the original returned on
    expected: list[Outputs]               # the original's outputs on them (traced, as tf.data runs it)
    random: bool = False                  # the subject draws random numbers: compare dtypes and shapes only
    workdir: str = "."
    deadline: float = float("inf")        # time.monotonic() by which every proof must be done
    notes: list[str] = field(default_factory=list)

    @property
    def specs(self) -> list[tf.TensorSpec]:
        """The declared signature, static dimensions kept (what the emitted input_signature says)."""
        return [tf.TensorSpec([None if d is None else int(d) for d in dims], tf_dtype(dtype))
                for dtype, dims in self.signature]

    def tensors(self, inputs: tuple) -> list[tf.Tensor]:
        return to_tensors(inputs, self.signature)

    def mismatch(self, expected: Outputs, actual: Outcome) -> str | None:
        """None when `actual` agrees with `expected` (values, or only dtypes and shapes for random subjects)."""
        if actual.outputs is None:
            return f"raised {actual.error}"
        if self.random:
            got, want = actual.outputs, expected
            same = (got.is_sequence == want.is_sequence and got.dtypes == want.dtypes
                    and [a.shape for a in got.arrays] == [a.shape for a in want.arrays])
            return None if same else (f"structure {list(zip(got.dtypes, [a.shape for a in got.arrays]))} where "
                                      f"the original gives {list(zip(want.dtypes, [a.shape for a in want.arrays]))}")
        return compare_outputs(expected, actual.outputs)

    def agreement(self) -> str:
        return "same dtypes and shapes (random draws)" if self.random else "same outputs"


def _values(rng: np.random.Generator, dtype: str, shape: tuple) -> np.ndarray:
    if dtype == STRING:
        picks = rng.integers(0, len(_WORDS), size=shape)
        return np.vectorize(lambda i: _WORDS[i], otypes=[object])(picks) if shape else \
            np.array(_WORDS[int(picks)], dtype=object)
    nd = np_dtype(dtype)
    if nd == np.bool_:
        return rng.random(shape) < 0.5
    if nd.kind == "f":
        return rng.uniform(-4, 4, shape).astype(nd)
    if nd.kind == "c":
        return (rng.uniform(-4, 4, shape) + 1j * rng.uniform(-4, 4, shape)).astype(nd)
    if nd.kind == "u":
        return rng.integers(0, 10, shape).astype(nd)
    if nd.kind == "i":
        return rng.integers(-5, 6, shape).astype(nd)
    raise ValueError(f"no proof inputs for dtype {dtype!r}")


def draw_inputs(signature: list, rng: np.random.Generator, index: int) -> tuple:
    max_rank = max((len(dims) for _, dims in signature), default=0)
    if index < 8:   # first draws: distinct sizes per input, 2..6
        sizes = [2 + (2 * index + axis) % 5 for axis in range(max_rank)]
    else:           # later draws: anything from 1 to 8, in case the function needs particular sizes
        sizes = [int(rng.integers(1, 9)) for _ in range(max_rank)]
    shapes = [tuple(sizes[a] if d is None else int(d) for a, d in enumerate(dims)) for _, dims in signature]
    return tuple(_values(rng, dtype, shape) for (dtype, _), shape in zip(signature, shapes))


def collect_inputs(reference: Callable, signature: list, count: int, seed: int = 0,
                   attempts: int = 40) -> tuple[list[tuple], list[Outputs]]:
    """Up to `count` inputs on which `reference` returns, with its outputs; the all-zeros input last."""
    rng = np.random.default_rng(seed)
    candidates = [draw_inputs(signature, rng, i) for i in range(attempts)] + explicit_examples(signature)
    inputs, outputs = [], []
    for candidate in candidates:
        outcome = call(reference, to_tensors(candidate, signature))
        if outcome.outputs is not None:
            inputs.append(candidate)
            outputs.append(outcome.outputs)
            if len(inputs) == count:
                break
    return inputs, outputs
