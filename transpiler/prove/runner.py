"""`python -m transpiler.prove.runner`: the proofs of one site, in a process of its own.

Reads {"job": VerifyJob fields, "inputs": N, "deadline_s": S} as JSON on stdin; prints one JSON line
{name: {...}} per finished proof, then {name: {"status", "detail", ...}} for all of them as the last line. Each proof runs on its own: one that raises is
"failed" with what it raised, and the others still run.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback

from . import FAILED, PROOFS, proof
from .context import progress


# XLA last: compiling can abort the whole process (a CHECK failure in TensorFlow, not an exception); the
# results printed before it survive, and the parent reports the abort as the XLA proof's failure.
RUN_ORDER = ("no_pyfunc", "static_shape", "tf_data", "savedmodel", "ray", "xla")


def run_proofs(fn, ctx, names=RUN_ORDER, emit=None) -> dict:
    from . import graph_ops, ray_task, savedmodel, static_shape, tf_data, xla
    from ..verify.describe import short_error

    modules = {"no_pyfunc": graph_ops, "savedmodel": savedmodel, "xla": xla, "tf_data": tf_data,
               "static_shape": static_shape, "ray": ray_task}
    results = {}
    for name in names:
        progress(f"proof {name}")
        started = time.monotonic()
        try:
            results[name] = modules[name].prove(fn, ctx)
        except Exception as exc:   # noqa: BLE001 - one proof's failure must not hide the others
            traceback.print_exc()
            results[name] = proof(FAILED, f"the proof raised {short_error(exc)}")
        results[name]["seconds"] = round(time.monotonic() - started, 3)
        if emit is not None:
            emit({name: results[name]})
    return results


def run_request(request: dict, started: float, emit=None) -> dict:
    progress("importing tensorflow")
    import tensorflow as tf
    tf.get_logger().setLevel("ERROR")
    from .context import ProofContext, collect_inputs
    from ..verify.distribution import has_random_ops
    from ..verify.job import VerifyJob
    from ..verify.subjects import SetupError, load_subjects

    job = VerifyJob(**request["job"])
    with tempfile.TemporaryDirectory(prefix="pyfunc2tf-proof-") as workdir:
        progress("loading the original and the replacement")
        try:
            subjects = load_subjects(job, workdir)
        except SetupError as exc:
            return {name: proof(FAILED, f"not proven: {exc}") for name in PROOFS}
        progress("computing the original's outputs")
        inputs, expected = collect_inputs(subjects.reference, job.signature, int(request.get("inputs", 4)),
                                          seed=job.seed)
        if not inputs:
            return {name: proof(FAILED, "not proven: the original returned on none of the proof inputs")
                    for name in PROOFS}
        ctx = ProofContext(job.signature, inputs, expected, random=has_random_ops(subjects.replacement_traced),
                           workdir=workdir, deadline=started + float(request.get("deadline_s", 180)) - 5)
        return run_proofs(subjects.replacement_eager, ctx, emit=emit)


def main() -> None:
    started = time.monotonic()
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    def emit(partial: dict) -> None:   # one line per finished proof: they survive an abort of the process
        out.write(json.dumps(partial) + "\n")
        out.flush()

    try:
        result = run_request(json.loads(sys.stdin.read()), started, emit)
    except BaseException as exc:   # noqa: BLE001
        traceback.print_exc()
        result = {name: proof(FAILED, f"not proven: the proof harness failed: {type(exc).__name__}: {exc}")
                  for name in PROOFS}
    out.write(json.dumps(result) + "\n")
    out.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
