"""The verdict dict that verify_site returns, and how a finished search becomes one."""
from __future__ import annotations

MODES = ["eager", "traced"]


def make_verdict(status: str, message: str, examples: int = 0, counterexample: dict | None = None,
                 assumptions: list[str] | None = None) -> dict:
    return {"status": status, "examples": examples, "modes": list(MODES), "message": message,
            "counterexample": counterexample, "assumptions": list(assumptions or []), "seconds": 0.0}


def input_assumptions(signature: list) -> list[str]:
    """What the drawn inputs leave out, for the report: a verdict holds only for the inputs it covered."""
    from .strategies import SUBNORMAL_ASSUMPTION

    if any(dtype.startswith(("float", "complex", "bfloat")) for dtype, _ in signature):
        return [SUBNORMAL_ASSUMPTION]
    return []


def conclude(job, checker, flaky: bool) -> dict:
    """Verdict after the search. A search that never saw the original return proves nothing: that is an
    "error" (the signature, or Tout, does not fit the function), even when a mismatch was found."""
    from .search import probe_original

    note = f" ({checker.subjects.reference_note})" if checker.subjects.reference_note else ""
    failure = checker.failure
    tried = checker.examples_run
    if failure is not None and failure.original.outputs is None and checker.original_successes == 0:
        # The search stopped at an input the original rejects: find out whether it accepts any.
        tried += probe_original(job, checker)
    if checker.original_successes == 0:
        why = (_eager_only_hint(job, checker)
               or f"the signature {_signature_text(job.signature)} is probably not what it takes")
        return make_verdict("error", f"the original never ran successfully on the {tried} generated inputs "
                                     f"(first error: {checker.first_original_error}); {why}{note}",
                            checker.examples_run)
    if failure is not None:
        message = failure.reason + note
        if flaky:
            message += " (the failure did not repeat on replay: a side is not deterministic)"
        return make_verdict("failed", message, checker.examples_run, checker.counterexample(),
                            input_assumptions(job.signature))
    return make_verdict("passed", f"{checker.examples_run} examples agree in eager and traced modes{note}",
                        checker.examples_run, assumptions=input_assumptions(job.signature))


def _eager_only_hint(job, checker) -> str:
    """Eager numpy_function/py_func ignore Tout; if only the traced original fails, say so."""
    from .checker import call
    from .strategies import explicit_examples
    from .subjects import to_tensors

    if checker.subjects.reference is checker.subjects.original_eager:
        return ""
    tensors = to_tensors(explicit_examples(job.signature)[0], job.signature)
    if call(checker.subjects.original_eager, tensors).outputs is None:
        return ""
    return (f"the eager original does return on the same inputs: Tout {job.tout} probably does not match "
            f"what it returns, and traced calls of the original (tf.data, SavedModel) fail")


def _signature_text(signature: list) -> str:
    return ", ".join(f"{dtype}[{','.join('None' if d is None else str(d) for d in dims)}]"
                     for dtype, dims in signature)
