"""What the run found, for machines (JSON) and for people (one line per site, reasons indented, a diff)."""
from __future__ import annotations

import dataclasses
import difflib
import json
from collections import Counter

from .diagnostics import Diagnostic
from .edit import split_lines
from .results import FileResult, SiteResult


def summarize(results: list[FileResult], scanned: int | None = None) -> dict:
    """Counts of the run. `scanned`: files the walk looked at (the prefilter leaves most of them out of
    `results`); a site kept by `# pyfunc2tf: skip` counts as skipped, neither converted nor refused."""
    sites = [s for r in results for s in r.sites]
    reasons = [d for s in sites if s.status == "refused" for d in s.reasons]
    reasons += [r.error for r in results if r.error is not None]
    summary = {
        "files": len(results),
        "file_errors": sum(r.error is not None and r.error.severity == "error" for r in results),
        "sites": len(sites),
        "converted": sum(s.status == "converted" for s in sites),
        "refused": sum(s.status == "refused" for s in sites),
        "by_code": dict(sorted(Counter(d.code for d in reasons).items())),
    }
    skipped = sum(s.status == "skipped" for s in sites)
    if skipped:
        summary["skipped"] = skipped
    if scanned is not None:
        summary["files_scanned"] = scanned
        summary["files_with_sites"] = sum(bool(r.sites) for r in results)
    return summary


def to_json(results: list[FileResult], scanned: int | None = None) -> dict:
    return {
        "sites": [s.to_json() for r in results for s in r.sites],
        "files": [{"path": r.path, "error": r.error.to_json() if r.error else None} for r in results],
        "summary": summarize(results, scanned),
    }


def _located(diagnostic: Diagnostic, file: str) -> str:
    """Diagnostics from the pipeline may leave `file` empty: they belong to the site's file."""
    return dataclasses.replace(diagnostic, file=diagnostic.file or file).render()


def _verification_phrase(verification: dict) -> str:
    # The verifier's verdict (transpiler/verify/__init__.py): "status", "examples", "modes", ...
    # An empty dict or a status other than "passed" on a converted site means it was not verified (--no-verify).
    if verification.get("status") != "passed":
        return "not verified"
    modes = "+".join(verification.get("modes") or [])
    examples = verification.get("examples", 0)
    how = "distributionally " if verification.get("comparison") == "distributional" else ""
    return f"verified {how}on {examples} example{'s' if examples != 1 else ''}, {modes}"


def _value(described) -> str:
    """One input or outcome of a counterexample, as transpiler/verify/describe.py wrote it."""
    if isinstance(described, list):
        return "(" + ", ".join(_value(d) for d in described) + ")"
    if isinstance(described, dict) and "raised" in described:
        return f"raised {described['raised']}"
    if isinstance(described, dict) and "dtype" in described:
        shape = ",".join(str(d) for d in described.get("shape", []))
        cut = " ..." if described.get("truncated") else ""
        return f"{described['dtype']}[{shape}] {json.dumps(described.get('value'))}{cut}"
    return json.dumps(described)


def render_counterexample(counterexample: dict) -> str:
    inputs = ", ".join(_value(d) for d in counterexample.get("inputs", []))
    return (f"counterexample ({counterexample.get('mode', '?')}): inputs {inputs}; "
            f"original {_value(counterexample.get('original'))}; "
            f"replacement {_value(counterexample.get('replacement'))}")


def render_site(site: SiteResult) -> list[str]:
    head = f"{site.file}:{site.line}: {site.function}"
    if site.status == "converted":
        target = site.replacement.name if site.replacement else "?"
        lines = [f"{head}  converted -> {target} ({_verification_phrase(site.verification)})"]
    elif site.status == "skipped":
        lines = [f"{head}  skipped"]
    else:
        lines = [f"{head}  REFUSED"]
        lines += ["    " + _located(d, site.file) for d in site.reasons]
        if not site.reasons:
            lines.append("    (no reason recorded)")
        counterexample = site.verification.get("counterexample")
        if counterexample:
            lines.append("    " + render_counterexample(counterexample))
    lines += [f"    {_located(n, site.file)} ({n.severity})" for n in site.notes]
    if site.proofs:
        from .prove import summary_line
        lines.append(f"    proofs: {summary_line(site.proofs)}")
    return lines


def render_text(results: list[FileResult]) -> str:
    lines = []
    for result in results:
        if result.error is not None:
            lines.append(f"{_located(result.error, result.path)}  (file left unchanged)")
        for site in result.sites:
            lines += render_site(site)
    assumed = dict.fromkeys(a for r in results for site in r.sites if site.status == "converted"
                            for a in site.verification.get("assumptions") or [])
    lines += [f"verification assumed: {a}" for a in assumed]
    s = summarize(results)
    summary = (f"{s['sites']} site{'s' if s['sites'] != 1 else ''} in {s['files']} "
               f"file{'s' if s['files'] != 1 else ''}: {s['converted']} converted, {s['refused']} refused")
    if s.get("skipped"):
        summary += f", {s['skipped']} skipped"
    if s["file_errors"]:
        summary += f", {s['file_errors']} file{'s' if s['file_errors'] != 1 else ''} not handled"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def unified_diff(path: str, old: str, new: str) -> str:
    """A `diff -u`/git-style patch of one file; empty when nothing changes."""
    diff = difflib.unified_diff(split_lines(old), split_lines(new), f"a/{path}", f"b/{path}")
    out = []
    for line in diff:
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:   # difflib leaves a last line without ending as is; say so, as diff does
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)
