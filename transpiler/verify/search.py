"""Driving hypothesis: look for an input where the replacement and the original disagree, and shrink it."""
from __future__ import annotations

import time

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, example, given, settings
from hypothesis.errors import Flaky

from . import progress
from .checker import ExampleChecker, Mismatch, call, same_inputs
from .job import VerifyJob
from .strategies import explicit_examples, signature_inputs
from .subjects import to_tensors

# Share of the job's time limit after which shrinking stops: a mismatch already found must come back as
# "failed" with the smallest example so far, not be lost to the parent's kill as a "timeout".
SHRINK_BUDGET_SHARE = 0.75


def find_mismatch(job: VerifyJob, checker: ExampleChecker, started: float) -> bool:
    """Run the explicit examples, then generated ones; on a mismatch, shrink it. The outcome is left in
    `checker` (its `failure` is the smallest failing example). Returns True when the failure did not
    repeat on hypothesis' final replay (a side is not deterministic)."""
    stop_shrinking_at = started + SHRINK_BUDGET_SHARE * job.deadline_s

    def check(inputs):
        failure = checker.failure
        if failure is None:
            progress.report(f"example {checker.examples_run + 1}")
        elif time.monotonic() > stop_shrinking_at:
            # Every shrink candidate now "passes", so hypothesis ends with the smallest failure found so far,
            # which its final replay must see fail again.
            if same_inputs(inputs, failure.inputs):
                checker.raise_failure()
            return
        checker.check(inputs)

    test = given(inputs=signature_inputs(job.signature))(check)
    for fixed in reversed(explicit_examples(job.signature)):  # hypothesis runs the outermost @example first
        test = example(inputs=fixed)(test)
    test = settings(max_examples=max(job.examples, 1), deadline=None, database=None, derandomize=False,
                    suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink], verbosity=Verbosity.quiet,
                    print_blob=False)(test)
    test = hypothesis.seed(job.seed)(test)
    try:
        test()
    except Mismatch:
        pass
    except Flaky:
        if checker.failure is None:
            raise
        return True
    return False


def probe_original(job: VerifyJob, checker: ExampleChecker) -> int:
    """Look for one generated input the original accepts (counted in `checker.original_successes`),
    without the replacement. Returns how many inputs it tried."""
    progress.report("probing whether the original accepts any generated input")
    tried = 0

    @hypothesis.seed(job.seed + 1)
    @settings(max_examples=max(job.examples, 1), deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)
    @given(inputs=signature_inputs(job.signature))
    def probe(inputs):
        nonlocal tried
        if checker.original_successes == 0:
            tried += 1
            if call(checker.subjects.reference, to_tensors(inputs, job.signature)).outputs is not None:
                checker.original_successes += 1
    probe()
    return tried
