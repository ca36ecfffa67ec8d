"""`python -m transpiler.verify.runner`: verify one site, in a process of its own.

Reads a VerifyJob as JSON on stdin and prints the verdict as one JSON line, the last line of stdout.
Everything else that writes to stdout (the user's prints, TF, hypothesis) is sent to stderr at the file
descriptor level, and stderr carries progress lines (PROGRESS_PREFIX) so that the parent can say where a
killed run was.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback

PROGRESS_PREFIX = "pyfunc2tf-verify: "


def progress(stage: str) -> None:
    print(PROGRESS_PREFIX + stage, file=sys.stderr, flush=True)


def verdict(status: str, message: str, examples: int = 0, counterexample: dict | None = None) -> dict:
    return {"status": status, "examples": examples, "modes": ["eager", "traced"], "message": message,
            "counterexample": counterexample, "seconds": 0.0}


def run_job(job) -> dict:
    progress("importing tensorflow")
    import tensorflow as tf
    tf.get_logger().setLevel("ERROR")  # retracing notices are expected: every eager shape traces anew
    from .checker import ExampleChecker
    from .subjects import SetupError, load_subjects

    progress("loading the original and the replacement")
    with tempfile.TemporaryDirectory(prefix="pyfunc2tf-sources-") as source_dir:
        try:
            subjects = load_subjects(job, source_dir)
        except SetupError as exc:
            return verdict("error", str(exc))
        checker = ExampleChecker(subjects, job.signature)
        return _search(job, checker)


def _search(job, checker) -> dict:
    import hypothesis
    from hypothesis import HealthCheck, Phase, Verbosity, example, given, settings
    from hypothesis.errors import Flaky

    from .checker import Mismatch
    from .strategies import explicit_examples, signature_inputs

    def check(inputs):
        if checker.failure is None:
            progress(f"example {checker.examples_run + 1}")
        checker.check(inputs)

    test = given(inputs=signature_inputs(job.signature))(check)
    for fixed in reversed(explicit_examples(job.signature)):  # decorators apply inside out
        test = example(inputs=fixed)(test)
    test = settings(max_examples=max(job.examples, 1), deadline=None, database=None, derandomize=False,
                    suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink], verbosity=Verbosity.quiet,
                    print_blob=False)(test)
    test = hypothesis.seed(job.seed)(test)

    flaky = False
    try:
        test()
    except Mismatch:
        pass
    except Flaky:
        # The failure did not repeat on replay: the original (or the replacement) is not deterministic.
        if checker.failure is None:
            raise
        flaky = True
    return _verdict_after_search(job, checker, flaky)


def _verdict_after_search(job, checker, flaky: bool) -> dict:
    note = f" ({checker.subjects.reference_note})" if checker.subjects.reference_note else ""
    failure = checker.failure
    if failure is not None and failure.original.outputs is None and checker.original_successes == 0:
        # The search stopped at an input the original rejects: find out whether it accepts any.
        _probe_original(job, checker)
    if checker.original_successes == 0:
        return verdict("error", f"the original never ran successfully on the {checker.examples_run} generated "
                                f"inputs (first error: {checker.first_original_error}); the signature "
                                f"{_signature_text(job.signature)} is probably not what it takes{note}",
                       checker.examples_run)
    if failure is not None:
        message = failure.reason + note
        if flaky:
            message += " (the failure did not repeat on replay: a side is not deterministic)"
        return verdict("failed", message, checker.examples_run, checker.counterexample())
    return verdict("passed", f"{checker.examples_run} examples agree in eager and traced modes{note}",
                   checker.examples_run)


def _probe_original(job, checker) -> None:
    """Count the original's successes on freshly generated inputs, without the replacement."""
    import hypothesis
    from hypothesis import HealthCheck, Phase, given, settings

    from .checker import call
    from .subjects import to_tensors
    from .strategies import signature_inputs

    progress("probing whether the original accepts any generated input")

    @hypothesis.seed(job.seed + 1)
    @settings(max_examples=max(job.examples, 1), deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(inputs=signature_inputs(job.signature))
    def probe(inputs):
        if checker.original_successes == 0:
            if call(checker.subjects.reference, to_tensors(inputs, job.signature)).outputs is not None:
                checker.original_successes += 1
    probe()


def _signature_text(signature: list) -> str:
    return ", ".join(f"{dtype}[{','.join('None' if d is None else str(d) for d in dims)}]"
                     for dtype, dims in signature)


def main() -> None:
    started = time.monotonic()
    # Keep fd 1 for the verdict alone; anything else written to stdout (by Python or C code) goes to stderr.
    verdict_stream = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    from .job import VerifyJob
    try:
        job = VerifyJob.from_json(sys.stdin.read())
        result = run_job(job)
    except BaseException as exc:
        traceback.print_exc()
        result = verdict("error", f"the verification harness failed: {type(exc).__name__}: {exc}")
    result["seconds"] = round(time.monotonic() - started, 3)  # the parent replaces it with its wall time
    sys.stderr.flush()
    verdict_stream.write(json.dumps(result) + "\n")
    verdict_stream.flush()
    # Skip interpreter teardown: TF's atexit hooks are slow, and the verdict is already out.
    os._exit(0)


if __name__ == "__main__":
    main()
