"""`pyfunc2tf check`: what a CI job or a pre-commit hook reads. Changes nothing.

A site the tool would convert is a finding (P601): the run then exits 1. A refused site is printed with its
reason (it is not the user's to fix by running the tool), a site kept by `# pyfunc2tf: skip` is silent, and
a file that cannot be handled is printed with its code. Columns are 1-based here, as editors and GitHub count.
"""
from __future__ import annotations

from dataclasses import dataclass

from .results import FileResult

CONVERTIBLE = "P601"


@dataclass
class Finding:
    level: str        # "warning" (convertible: fails the check) | "notice" (refused) | "error" (file not handled)
    file: str
    line: int
    col: int          # 1-based
    code: str
    message: str


def findings(results: list[FileResult]) -> list[Finding]:
    out = []
    for result in results:
        if result.error is not None:
            e = result.error
            out.append(Finding("error" if e.severity == "error" else "notice", e.file or result.path, e.line,
                               e.col + 1, e.code, e.message))
        for site in result.sites:
            if site.status == "converted":
                target = site.replacement.name if site.replacement else "a native function"
                out.append(Finding("warning", site.file, site.line, site.col + 1, CONVERTIBLE,
                                   f"{site.api}({site.function}, ...) can be replaced by native TensorFlow "
                                   f"({target}); run `pyfunc2tf convert --write` or add `# pyfunc2tf: skip`"))
            elif site.status == "refused" and site.reasons:
                reason = site.reasons[0]
                out.append(Finding("notice", site.file, site.line, site.col + 1, reason.code,
                                   f"{site.api}({site.function}, ...) stays: {reason.message}"))
    return out


def convertible(results: list[FileResult]) -> bool:
    return any(s.status == "converted" for r in results for s in r.sites)


def _file_and_cell(file: str) -> tuple[str, str]:
    """`nb.ipynb#cell3` -> ("nb.ipynb", "cell 3, "): annotations need the real path."""
    path, sep, cell = file.partition("#cell")
    return (path, f"cell {cell}, ") if sep else (file, "")


def render(found: list[Finding], format: str = "text") -> str:
    lines = []
    for f in found:
        if format == "github":
            path, cell = _file_and_cell(f.file)
            props = f"file={_escape_property(path)},line={f.line},col={f.col},title={_escape_property('pyfunc2tf ' + f.code)}"
            lines.append(f"::{f.level} {props}::{_escape_data(cell + f.message)}")
        else:
            lines.append(f"{f.file}:{f.line}:{f.col}: {f.code} {f.message}")
    return "".join(line + "\n" for line in lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
