"""Proof: saved as a SavedModel, the function runs in a fresh interpreter that cannot import the user's module.

The fresh interpreter is `python -I` (no PYTHONPATH, no user site, no script directory on sys.path) started in
an empty directory: all it has is TensorFlow and the SavedModel. A graph that still holds a py_function fails
there ("Could not find callback with key=pyfunc_0 in the registry": the callback lives only in the process that
traced it). Its outputs on the proof inputs must equal the original's, computed in this process.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from typing import Callable

import numpy as np
import tensorflow as tf

from . import FAILED, PASSED, proof
from .context import ProofContext
from ..verify.checker import Outcome
from ..verify.compare import Outputs

# Runs in the fresh interpreter. Inputs and outputs travel as pickled object arrays (strings included).
FRESH_CODE = """
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, tensorflow as tf
loaded = tf.saved_model.load(sys.argv[1])
results = []
for inputs, dtypes in np.load(sys.argv[2], allow_pickle=True):
    args = [tf.constant(a, dtype=tf.string if d == "string" else tf.as_dtype(d)) for a, d in zip(inputs, dtypes)]
    out = loaded.f(*args)
    seq = isinstance(out, (list, tuple))
    items = list(out) if seq else [out]
    results.append((seq, [np.asarray(t.numpy(), dtype=object) if t.dtype == tf.string else t.numpy()
                          for t in items], [t.dtype.name for t in items]))
holder = np.empty(len(results), dtype=object)
holder[:] = results
np.save(sys.argv[3], holder, allow_pickle=True)
"""


def _error_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for key in ("Could not find callback",):
        hits = [ln for ln in lines if key in ln]
        if hits:
            return hits[-1][:400]
    errors = [ln for ln in lines if ln.split(":")[0].endswith(("Error", "Exception"))]
    return ((errors or lines or ["(no output)"])[-1])[:400]


def prove(fn: Callable, ctx: ProofContext) -> dict:
    work = tempfile.mkdtemp(prefix="savedmodel-", dir=ctx.workdir)
    saved_dir = os.path.join(work, "model")
    module = tf.Module()
    module.f = tf.function(fn, input_signature=ctx.specs, autograph=False)
    tf.saved_model.save(module, saved_dir)
    inputs_file, outputs_file = os.path.join(work, "inputs.npy"), os.path.join(work, "outputs.npy")
    holder = np.empty(len(ctx.inputs), dtype=object)
    holder[:] = [(list(inputs), [dtype for dtype, _ in ctx.signature]) for inputs in ctx.inputs]
    np.save(inputs_file, holder, allow_pickle=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    timeout = min(300.0, max(10.0, ctx.deadline - time.monotonic()))
    with tempfile.TemporaryDirectory(dir=ctx.workdir) as empty:
        try:
            done = subprocess.run([sys.executable, "-I", "-c", FRESH_CODE, saved_dir, inputs_file, outputs_file],
                                  cwd=empty, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return proof(FAILED, f"the fresh interpreter did not finish within {timeout:.0f} s")
    if done.returncode != 0:
        result = proof(FAILED, f"saved, but the fresh interpreter failed to run it: {_error_line(done.stderr)}")
        result["short"] = "fails in a fresh process"
        return result
    for i, ((seq, arrays, dtypes), expected) in enumerate(zip(np.load(outputs_file, allow_pickle=True),
                                                               ctx.expected)):
        why = ctx.mismatch(expected, Outcome(Outputs(bool(seq), list(arrays), list(dtypes))))
        if why:
            return proof(FAILED, f"reloaded in a fresh interpreter, but on input {i}: {why}")
    return proof(PASSED, f"saved, reloaded by a fresh interpreter (python -I, empty directory, the user's module "
                         f"not importable); {ctx.agreement()} as the original on {len(ctx.inputs)} inputs")
