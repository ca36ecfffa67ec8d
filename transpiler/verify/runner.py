"""`python -m transpiler.verify.runner`: verify one site, in a process of its own.

(The usual way is a process forked from the verification worker, worker.py, which runs `checked_verdict`
the same way; this module is the fallback where the worker cannot be used.)

Reads a VerifyJob as JSON on stdin and prints the verdict as one JSON line, the last line of stdout.
Everything else that writes to stdout (the user's prints, TF, hypothesis) is sent to stderr at the file
descriptor level; stderr also carries progress lines (progress.py) for the parent's timeout message.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import time
import traceback

from . import progress
from .job import VerifyJob
from .verdict import conclude, make_verdict


def run_job(job: VerifyJob, started: float) -> dict:
    progress.report("importing tensorflow")
    import tensorflow as tf
    tf.get_logger().setLevel("ERROR")  # retracing notices are expected: every eager shape traces anew
    from .checker import ExampleChecker
    from .search import find_mismatch
    from .subjects import SetupError, load_subjects

    progress.report("loading the original and the replacement")
    with tempfile.TemporaryDirectory(prefix="pyfunc2tf-sources-") as source_dir:
        try:
            subjects = load_subjects(job, source_dir)
        except SetupError as exc:
            return make_verdict("error", str(exc))
        from .distribution import MAX_EXAMPLES, DistributionChecker, finish_verdict, has_random_ops
        if has_random_ops(subjects.replacement_traced):
            # random draws: distributions are compared, not values (distribution.py)
            progress.report("the replacement draws random numbers: comparing distributions")
            job = dataclasses.replace(job, examples=min(job.examples, MAX_EXAMPLES))
            checker = DistributionChecker(subjects, job.signature, job.deadline_s, started)
            return finish_verdict(conclude(job, checker, find_mismatch(job, checker, started)), checker)
        checker = ExampleChecker(subjects, job.signature)
        flaky = find_mismatch(job, checker, started)
        return conclude(job, checker, flaky)


def checked_verdict(load_job, started: float) -> dict:
    """The verdict of the job `load_job()` gives; a failure of the harness itself is an "error" verdict."""
    try:
        result = run_job(load_job(), started)
    except BaseException as exc:
        traceback.print_exc()
        result = make_verdict("error", f"the verification harness failed: {type(exc).__name__}: {exc}")
    result["seconds"] = round(time.monotonic() - started, 3)  # the parent replaces it with its wall time
    return result


def main() -> None:
    started = time.monotonic()
    import gc
    import tensorflow  # noqa: F401 - imported here once, to be frozen below (run_job imports it anyway)
    gc.freeze()   # TF's objects live as long as this process: garbage collections need not walk them
    # Keep fd 1 for the verdict alone; anything else written to stdout (by Python or C code) goes to stderr.
    verdict_stream = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    result = checked_verdict(lambda: VerifyJob.from_json(sys.stdin.read()), started)
    verdict_stream.write(json.dumps(result, allow_nan=False) + "\n")
    verdict_stream.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: TF's exit hooks are slow, and the verdict is out.
    os._exit(0)


if __name__ == "__main__":
    main()
