"""Jupyter notebooks: the code cells run top to bottom as one module, so they are converted as one.

The code cells are joined into one text, each followed by a boundary comment, with a map back from a line of
that text to (cell, line in cell). IPython syntax that is not Python (`%magic`, `!shell`, `x = !cmd`,
`obj?`) becomes `pass` with a numbered comment at the same indentation, so the line numbers and the blocks
around it stay as they were, and is put back after the edits; a cell that still does not parse on its own
(a `%%bash` cell, a half-written cell) is blanked whole and never edited. A site whose wrapped function is
defined in an earlier cell resolves as in a module: the replacement goes after that def, in its cell.

The notebook is read and written with nbformat: only the sources of the edited cells change, outputs and
metadata stay; a notebook with nothing converted is never written.
"""
from __future__ import annotations

import ast
import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .diagnostics import Diagnostic
from .files import SourceFile, SourceFileError
from .results import FileResult

CANNOT_READ_NOTEBOOK = "P509"
_BOUNDARY = "# pyfunc2tf:cell-boundary {}"
_BOUNDARY_RE = re.compile(r"^# pyfunc2tf:cell-boundary (\d+)$")
_MASK = "pass  # pyfunc2tf:ipython-line {}"
_MASK_RE = re.compile(r"^([ \t]*)pass  # pyfunc2tf:ipython-line (\d+)$")
_IPYTHON_LINE = re.compile(r"^\s*([%!]|[A-Za-z_][\w.]*\s*=\s*[%!])|\?\s*$")


@dataclass
class CellSpan:
    index: int            # position in nb.cells
    first_line: int       # 1-based line of the joined text where the cell starts
    lines: int
    blanked: bool = False


@dataclass
class NotebookSource:
    path: Path
    raw_text: str                      # the file as read (for the write-back check and the digest)
    digest: str
    notebook: object                   # nbformat.NotebookNode
    text: str                          # the joined code cells
    cells: list[CellSpan] = field(default_factory=list)
    masked: dict[int, str] = field(default_factory=dict)   # mask number -> original line

    def locate(self, line: int) -> tuple[int, int] | None:
        """A line of the joined text -> (cell number as Jupyter counts, 1-based, line in the cell)."""
        for span in self.cells:
            if span.first_line <= line < span.first_line + span.lines:
                return span.index + 1, line - span.first_line + 1
        return None


def read_notebook(path: Path) -> NotebookSource:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise SourceFileError(f"{path}: cannot read: {e.strerror or e}") from None
    try:
        raw_text = raw.decode("utf-8")
        notebook = nbformat.reads(raw_text, as_version=nbformat.NO_CONVERT)
    except Exception as e:   # nbformat raises JSON, validation and version errors of many kinds
        raise SourceFileError(f"{path}: not a readable notebook: {type(e).__name__}: {e}") from None
    source = NotebookSource(path, raw_text, hashlib.sha256(raw).hexdigest(), notebook, "")
    _join(source)
    return source


def cell_source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _join(source: NotebookSource) -> None:
    lines: list[str] = []
    for index, cell in enumerate(source.notebook.cells):
        if cell.get("cell_type") != "code":
            continue
        cell_lines = cell_source(cell).split("\n")
        blanked = bool(cell_lines) and cell_lines[0].lstrip().startswith("%%")
        if not blanked:
            masked_lines = []
            for line in cell_lines:
                if _IPYTHON_LINE.search(line) and not _parses(line.strip()):
                    number = len(source.masked)
                    source.masked[number] = line
                    indent = line[:len(line) - len(line.lstrip())]
                    masked_lines.append(indent + _MASK.format(number))
                else:
                    masked_lines.append(line)
            blanked = not _parses("\n".join(masked_lines))
            if not blanked:
                cell_lines = masked_lines
        if blanked:
            cell_lines = [""] * len(cell_lines)
        source.cells.append(CellSpan(index, len(lines) + 1, len(cell_lines), blanked))
        lines += cell_lines + [_BOUNDARY.format(index)]
    source.text = "\n".join(lines) + "\n"


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def split_back(source: NotebookSource, new_text: str) -> dict[int, str]:
    """The edited joined text -> {cell index: new source} for the cells whose source changed."""
    segments: dict[int, list[str]] = {}
    current: list[str] = []
    for line in new_text.split("\n"):
        m = _BOUNDARY_RE.match(line)
        if m:
            segments[int(m.group(1))] = current
            current = []
        else:
            current.append(line)
    changed = {}
    for span in source.cells:
        if span.blanked or span.index not in segments:
            continue
        restored = [_unmask(source, line) for line in segments[span.index]]
        original = cell_source(source.notebook.cells[span.index])
        text = "\n".join(restored)
        # the insertion may leave blank lines at the end of the cell, before the boundary: keep the cell's own end
        text = text.rstrip("\n") + "\n" * (len(original) - len(original.rstrip("\n")))
        if text != original:
            changed[span.index] = text
    return changed


def _unmask(source: NotebookSource, line: str) -> str:
    m = _MASK_RE.match(line)
    return source.masked[int(m.group(2))] if m else line


def new_notebook_text(source: NotebookSource, changed: dict[int, str]) -> str | None:
    if not changed:
        return None
    notebook = nbformat.from_dict(source.notebook)
    for index, text in changed.items():
        notebook.cells[index]["source"] = text
    out = nbformat.writes(notebook, version=nbformat.NO_CONVERT)
    if source.raw_text.endswith("\n") and not out.endswith("\n"):
        out += "\n"
    return out


def as_source_file(source: NotebookSource) -> SourceFile:
    """What atomic_write needs to check that the file did not change since it was read."""
    return SourceFile(source.path, source.raw_text, "utf-8", source.digest)


def relocate(result: FileResult, source: NotebookSource, display: str) -> FileResult:
    """Lines of the joined text -> cells: `nb.ipynb#cell3` line 5, for every site and diagnostic."""
    def place(d: Diagnostic) -> Diagnostic:
        where = source.locate(d.line) if d.line else None
        if where is None:
            return dataclasses.replace(d, file=display)
        return dataclasses.replace(d, file=f"{display}#cell{where[0]}", line=where[1])

    for site in result.sites:
        where = source.locate(site.line)
        if where is not None:
            site.file, site.line = f"{display}#cell{where[0]}", where[1]
        site.reasons = [place(d) for d in site.reasons]
        site.notes = [place(d) for d in site.notes]
    if result.error is not None:
        result.error = place(result.error)
    return result
