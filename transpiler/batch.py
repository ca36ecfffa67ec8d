"""Converting many files: the prefilter, one conversion per file (in worker processes when asked), progress.

A file that cannot be read, decoded or parsed becomes a FileResult with a file-level diagnostic; the run goes
on. Nothing here writes: the caller writes once every file is converted.
"""
from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from .diagnostics import Diagnostic
from .files import SourceFile, SourceFileError, read_source
from .results import FileResult
from .walk import WalkEntry, prefilter

CANNOT_READ, EDIT_FAILED = "P503", "P504"


@dataclass
class Outcome:
    result: FileResult
    source: SourceFile | None = None     # what a write checks against (the notebook's JSON for notebooks)
    new_bytes_text: str | None = None    # the whole new file text when it changes (notebook JSON or module)


def convert_file(path: str, signatures: dict[str, str], options: dict) -> Outcome:
    """Convert one file; problems with the file itself are a file-level diagnostic, never an exception."""
    from .edit import EditError
    from .pipeline import convert_text   # imports TensorFlow: only when there is work

    display = path
    path = Path(path)
    if path.suffix == ".ipynb":
        return _convert_notebook(path, display, signatures, options)
    try:
        source = read_source(path)
    except SourceFileError as e:
        return Outcome(_file_error(display, CANNOT_READ, str(e)))
    try:
        result = convert_text(source.text, display, signatures, **options)
    except EditError as e:
        return Outcome(_file_error(display, EDIT_FAILED, f"the edits could not be applied safely: {e}"))
    new = result.new_text if result.new_text is not None and result.new_text != source.text else None
    return Outcome(result, source, new)


def _convert_notebook(path: Path, display: str, signatures, options) -> Outcome:
    from .edit import EditError
    from .notebooks import as_source_file, new_notebook_text, read_notebook, relocate, split_back
    from .pipeline import convert_text

    try:
        notebook = read_notebook(path)
    except SourceFileError as e:
        return Outcome(_file_error(display, "P509", str(e)))
    try:
        result = convert_text(notebook.text, display, signatures, **options)
    except EditError as e:
        return Outcome(_file_error(display, EDIT_FAILED, f"the edits could not be applied safely: {e}"))
    new = None
    if result.new_text is not None:
        new = new_notebook_text(notebook, split_back(notebook, result.new_text))
    result = relocate(result, notebook, display)
    result.original_text = notebook.raw_text
    result.new_text = new
    return Outcome(result, as_source_file(notebook), new)


def _file_error(display: str, code: str, message: str) -> FileResult:
    return FileResult(display, error=Diagnostic(code, message, file=display))


@dataclass
class Progress:
    """Progress on stderr: a line rewritten in place on a terminal, else a plain line every `every_s`."""
    total: int
    every_s: float = 10.0
    stream: object = None

    def __post_init__(self):
        self.stream = self.stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = self.last = time.monotonic()
        self.done = 0

    def advance(self, path: str) -> None:
        self.done += 1
        now = time.monotonic()
        elapsed = now - self.start
        if self.tty:
            line = f"[{self.done}/{self.total}] {elapsed:5.0f}s {path}"
            self.stream.write("\r\x1b[K" + line[:max(20, _columns() - 1)])
            if self.done == self.total:
                self.stream.write("\n")
            self.stream.flush()
        elif now - self.last >= self.every_s or (self.done == self.total and elapsed >= self.every_s):
            self.last = now
            self.stream.write(f"pyfunc2tf: {self.done}/{self.total} files with sites done, {elapsed:.0f}s\n")
            self.stream.flush()


def _columns() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        return 80


@dataclass
class Walked:
    candidates: list[Path]                 # files that may hold a site
    problems: list[FileResult]             # entries with a file-level diagnostic
    scanned: int


def select(entries: list[WalkEntry]) -> Walked:
    candidates, problems = [], []
    for entry in entries:
        if entry.problem is not None:
            problems.append(FileResult(str(entry.path), error=entry.problem))
            continue
        may_hold, problem = prefilter(entry.path)
        if problem is not None:
            problems.append(FileResult(str(entry.path), error=problem))
        elif may_hold:
            candidates.append(entry.path)
    return Walked(candidates, problems, len(entries))


def convert_all(paths: list[Path], signatures: dict[str, str], options: dict, jobs: int = 1,
                progress: Progress | None = None) -> list[Outcome]:
    """Outcomes in the order of `paths`. jobs > 1: that many worker processes (spawned, so a TensorFlow
    already loaded here is not forked), each converting whole files."""
    outcomes: dict[int, Outcome] = {}
    if jobs <= 1 or len(paths) <= 1:
        for i, path in enumerate(paths):
            outcomes[i] = convert_file(str(path), signatures, options)
            if progress:
                progress.advance(str(path))
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(paths)), mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(convert_file, str(path), signatures, options): i for i, path in enumerate(paths)}
            for future in as_completed(futures):
                i = futures[future]
                outcomes[i] = future.result()
                if progress:
                    progress.advance(str(paths[i]))
    return [outcomes[i] for i in range(len(paths))]
