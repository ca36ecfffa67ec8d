"""The end of a repository run, for people: a summary table on the terminal and a Markdown report."""
from __future__ import annotations

from collections import Counter

from .report import summarize
from .results import FileResult


def _reasons_by_code(results: list[FileResult]) -> dict[str, tuple[int, str]]:
    """code -> (count, first message): what refused the sites and which files could not be handled."""
    counts: Counter = Counter()
    first: dict[str, str] = {}
    for result in results:
        diagnostics = [d for s in result.sites if s.status == "refused" for d in s.reasons[:1]]
        if result.error is not None:
            diagnostics.append(result.error)
        for d in diagnostics:
            counts[d.code] += 1
            first.setdefault(d.code, d.message)
    return {code: (counts[code], first[code]) for code in sorted(counts)}


def render_summary_table(results: list[FileResult], scanned: int, elapsed_s: float | None = None) -> str:
    s = summarize(results, scanned)
    rows = [("files scanned", s["files_scanned"]), ("files with sites", s["files_with_sites"]),
            ("sites found", s["sites"]), ("converted", s["converted"]), ("refused", s["refused"])]
    if s.get("skipped"):
        rows.append(("skipped (pragma)", s["skipped"]))
    if s["file_errors"]:
        rows.append(("files not handled", s["file_errors"]))
    for code, (count, message) in _reasons_by_code(results).items():
        rows.append((f"  {code}", f"{count}  {_short(message)}"))
    if elapsed_s is not None:
        rows.append(("time", f"{elapsed_s:.1f} s"))
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows) + "\n"


def _short(message: str, limit: int = 70) -> str:
    return message if len(message) <= limit else message[:limit - 3] + "..."


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(results: list[FileResult], scanned: int, elapsed_s: float | None = None,
                    command: str = "") -> str:
    s = summarize(results, scanned)
    out = ["# pyfunc2tf run", ""]
    if command:
        out += [f"`{command}`", ""]
    out += ["| | |", "|---|---:|",
            f"| files scanned | {s['files_scanned']} |",
            f"| files with sites | {s['files_with_sites']} |",
            f"| sites found | {s['sites']} |",
            f"| converted | {s['converted']} |",
            f"| refused | {s['refused']} |"]
    if s.get("skipped"):
        out.append(f"| skipped (`# pyfunc2tf: skip`) | {s['skipped']} |")
    if s["file_errors"]:
        out.append(f"| files not handled | {s['file_errors']} |")
    if elapsed_s is not None:
        out.append(f"| time | {elapsed_s:.1f} s |")
    reasons = _reasons_by_code(results)
    if reasons:
        out += ["", "## Refusals by reason", "", "| code | count | example |", "|---|---:|---|"]
        out += [f"| {code} | {count} | {_cell(message)} |" for code, (count, message) in reasons.items()]
    sites = [site for r in results for site in r.sites]
    if sites:
        out += ["", "## Sites", "", "| site | function | status | detail |", "|---|---|---|---|"]
        for site in sites:
            if site.status == "converted":
                detail = f"`{site.replacement.name}`" if site.replacement else ""
                verdict = site.verification.get("status")
                if verdict:
                    detail += f", verification {verdict}"
            else:
                detail = "; ".join(f"{d.code} {d.message}" for d in (site.reasons or site.notes)[:2])
            out.append(f"| `{site.file}:{site.line}` | `{_cell(site.function)}` | {site.status} | {_cell(detail)} |")
    problems = [r for r in results if r.error is not None]
    if problems:
        out += ["", "## Files not converted", "", "| file | code | reason |", "|---|---|---|"]
        out += [f"| `{r.path}` | {r.error.code} | {_cell(r.error.message)} |" for r in problems]
    return "\n".join(out) + "\n"
