"""Findings about the user's code: values collected in lists, never exceptions that stop at the first one.

Every diagnostic points at the user's line and column and carries a stable code, so that CI scripts and
the JSON report can match on it. Codes are grouped by the stage that raises them:

  P1xx  discover / resolve (what the call wraps, where it comes from)
  P2xx  lowering (a construct, call or argument with no faithful TF equivalent)
  P3xx  dtype semantics (the original's output cannot match Tout, NumPy raises, ...)
  P4xx  verification (mismatch, timeout, both-raise disagreement)
  P5xx  files and edits (parse errors, encodings, unwritable files)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Diagnostic:
    code: str
    message: str
    line: int = 0
    col: int = 0
    file: str = ""
    severity: str = "error"  # "error" refuses the site; "warning"/"info" are reported only

    def to_json(self) -> dict:
        return asdict(self)

    def render(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}" if self.file else f"line {self.line}:{self.col}"
        return f"{where}: {self.code} {self.message}"


class ConversionError(Exception):
    """Raised by the library API when a function cannot be converted; `.diagnostics` says why."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        lines = "\n".join("  " + d.render() for d in self.diagnostics) or "  (no reason recorded)"
        super().__init__("pyfunc2tf refused the conversion:\n" + lines)


class Refusal(Exception):
    """Internal: unwinds the lowering of one site when a node cannot be lowered faithfully.

    Carried into a Diagnostic at the site boundary; never escapes the library.
    """

    def __init__(self, code: str, message: str, node=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = getattr(node, "lineno", 0) or 0
        self.col = getattr(node, "col_offset", 0) or 0

    def diagnostic(self, file: str = "", line_offset: int = 0) -> Diagnostic:
        return Diagnostic(self.code, self.message, self.line + line_offset if self.line else 0,
                          self.col, file)


@dataclass
class Findings:
    """Diagnostics of one site, in the order found."""
    items: list[Diagnostic] = field(default_factory=list)

    def add(self, code: str, message: str, node=None, severity: str = "error") -> None:
        self.items.append(Diagnostic(code, message, getattr(node, "lineno", 0) or 0,
                                     getattr(node, "col_offset", 0) or 0, severity=severity))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]
