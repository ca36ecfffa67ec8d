"""What the pipeline hands to the edit, report and CLI stages: one SiteResult per call site."""
from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Diagnostic


@dataclass
class DefinedIn:
    """A cross-module site (transpiler/cross_module.py): the replacement's def goes into another module."""
    path: str                 # that module's file (absolute)
    display: str              # the same, as reports show it (relative when the call site's path is)
    digest: str               # sha256 of its bytes when it was read: it must not change before the write
    module: str               # its dotted name
    # what the call site's file gains so that it imports the replacement: (line, byte col, text) inserted
    # there, or (line, -1, statement) for a new import line after that line; None when nothing is needed
    import_edit: tuple | None = None


@dataclass
class Replacement:
    """Generated code for one site and where it goes in the user's file."""
    name: str                 # e.g. "_standardize_tf"
    source: str               # the decorated def, unindented, ending with a newline
    insert_after_line: int    # 1-based last line of the wrapped def (the replacement goes after it)
    indent: str               # indentation of the wrapped def (methods and nested defs are indented)
    call_span: tuple[int, int, int, int]  # (line, col, end_line, end_col) of the py_function call, 1-based lines, 0-based cols
    call_text: str            # text that replaces the call, e.g. "_standardize_tf(wave)"
    defined_in: DefinedIn | None = None   # the def goes into another module (cross-module site)


@dataclass
class SiteResult:
    file: str
    line: int
    col: int
    function: str             # the wrapped callable as written at the call site
    api: str                  # "tf.py_function" | "tf.numpy_function" | "tf.compat.v1.py_func"
    status: str = "refused"   # "converted" | "refused"
    reasons: list[Diagnostic] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)    # warnings/info: assumptions, frozen values
    signature: str = ""       # the signature used, e.g. "float32[None]"
    signature_source: str = ""  # "--signature", "input_signature", "Tout", ...
    verification: dict = field(default_factory=dict)
    replacement: Replacement | None = None
    timings: dict = field(default_factory=dict)
    # --prove: {name: {"status": "passed" | "failed" | "skipped", "detail": ...}} (transpiler/prove), else {}
    proofs: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "file": self.file, "line": self.line, "col": self.col, "function": self.function,
            "api": self.api, "status": self.status,
            "reasons": [r.to_json() for r in self.reasons],
            "notes": [n.to_json() for n in self.notes],
            "signature": self.signature, "signature_source": self.signature_source,
            "verification": self.verification,
            "replacement": self.replacement.name if self.replacement else None,
            "generated_source": self.replacement.source if self.replacement else None,
            "timings": self.timings,
            "proofs": self.proofs,
        }


@dataclass
class FileResult:
    path: str
    sites: list[SiteResult] = field(default_factory=list)
    error: Diagnostic | None = None   # the file itself could not be handled (parse error, encoding)
    original_text: str = ""
    new_text: str | None = None       # None: nothing to change
