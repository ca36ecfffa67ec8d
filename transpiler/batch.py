"""Converting many files: the prefilter, one conversion per file (in worker processes when asked), progress,
the cross-module edits, and writing.

A file that cannot be read, decoded or parsed becomes a FileResult with a file-level diagnostic; the run goes
on. Conversion writes nothing: the caller writes (write_outcomes) once every file is converted.

A site whose function is imported from another module of the tree has its replacement `defined_in` that
module: once every file is converted, cross_module.link_modules inserts those defs into their modules and
ties the files into units. A unit is written whole or not at all: a call site must never import a
replacement its module did not get.
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
from .files import SourceFile, SourceFileError, _fsync_directory, read_source, stage_write, unlink_quietly
from .results import FileResult
from .walk import WalkEntry, prefilter

CANNOT_READ, EDIT_FAILED, CANNOT_WRITE = "P503", "P504", "P505"
MAX_DEFAULT_JOBS = 8


@dataclass
class Outcome:
    result: FileResult
    source: SourceFile | None = None     # what a write checks against (the notebook's JSON for notebooks)
    new_bytes_text: str | None = None    # the whole new file text when it changes (notebook JSON or module)
    cells: dict[int, tuple[str, str]] | None = None   # notebooks: cell number -> (old source, new source)
    unit: str | None = None              # files tied by cross-module edits share it: written together


def convert_file(path: str, signatures: dict[str, str], options: dict) -> Outcome:
    """Convert one file; problems with the file itself are a file-level diagnostic, never an exception."""
    from .edit import EditError
    from .pipeline import convert_text   # imports TensorFlow: only when there is work

    if options.get("verify", True):
        from .verify import prestart
        prestart()   # the verification worker imports TensorFlow while this process transpiles
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
    from .notebooks import as_source_file, cell_source, new_notebook_text, read_notebook, relocate, split_back
    from .pipeline import convert_text

    try:
        notebook = read_notebook(path)
    except SourceFileError as e:
        return Outcome(_file_error(display, "P509", str(e)))
    try:
        result = convert_text(notebook.text, display, signatures, **options)
    except EditError as e:
        return Outcome(_file_error(display, EDIT_FAILED, f"the edits could not be applied safely: {e}"))
    new, changed = None, {}
    if result.new_text is not None:
        changed = split_back(notebook, result.new_text)
        new = new_notebook_text(notebook, changed)
    result = relocate(result, notebook, display)
    result.original_text = notebook.raw_text
    result.new_text = new
    cells = {index + 1: (cell_source(notebook.notebook.cells[index]), text) for index, text in changed.items()}
    return Outcome(result, as_source_file(notebook), new, cells)


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


def default_jobs(requested: int | None, files: int) -> int:
    """--jobs: as asked, else one worker per CPU core this process may use, no more than the files to
    convert, and at most MAX_DEFAULT_JOBS (each worker loads TensorFlow: about 1 GB)."""
    if requested:
        return requested
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, files, MAX_DEFAULT_JOBS))


def convert_all(paths: list[Path], signatures: dict[str, str], options: dict, jobs: int | None = None,
                progress: Progress | None = None) -> list[Outcome]:
    """Outcomes in the order of `paths`, then those of modules that only receive a cross-module
    replacement (link_modules). jobs > 1: that many worker processes (spawned, so a TensorFlow already
    loaded here is not forked), each converting whole files; None: default_jobs."""
    jobs = default_jobs(jobs, len(paths))
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
    from . import cross_module
    return cross_module.link_modules([outcomes[i] for i in range(len(paths))])


def outcome_diff(outcome: Outcome) -> str:
    """Unified diffs of a changed file; for a notebook one per changed cell, headed `nb.ipynb#cell5`."""
    from .report import unified_diff
    if outcome.cells is not None:
        return "".join(unified_diff(f"{outcome.result.path}#cell{number}", old, new)
                       for number, (old, new) in sorted(outcome.cells.items()))
    return unified_diff(outcome.result.path, outcome.source.text, outcome.new_bytes_text)


def write_outcomes(outcomes: list[Outcome], wrote=None) -> None:
    """Write every changed file, each unit of files tied by cross-module edits all together or not at
    all; a file that cannot be written gets a P505 diagnostic (its whole unit does). `wrote(path)` is
    called for each file written."""
    groups: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.source is not None and outcome.result.error is None and outcome.new_bytes_text is not None:
            groups.setdefault(outcome.unit or "file:" + os.path.realpath(outcome.source.path), []).append(outcome)
    for group in groups.values():
        _write_together(group, wrote)


def _write_together(group: list[Outcome], wrote) -> None:
    """Each file's new bytes go to a temporary file beside it (fsync'ed, the original's permission bits);
    only when every file of the group is staged are they renamed over the originals. A file that changed
    on disk since it was read, or is read-only, stops the whole group."""
    staged: list[tuple[str, Path]] = []
    try:
        for outcome in group:
            staged.append(_stage(outcome))
    except SourceFileError as e:
        for tmp_name, _ in staged:
            unlink_quietly(tmp_name)
        others = "" if len(group) == 1 else (
            "; nothing of the files tied to it by cross-module replacements ("
            + ", ".join(sorted(o.result.path for o in group)) + ") was written")
        for outcome in group:
            outcome.result.error = Diagnostic(CANNOT_WRITE, f"{e}{others}", file=outcome.result.path)
        return
    for (tmp_name, target), outcome in zip(staged, group):
        try:
            os.replace(tmp_name, target)
        except OSError as e:
            unlink_quietly(tmp_name)
            outcome.result.error = Diagnostic(CANNOT_WRITE, f"{outcome.result.path}: cannot write: "
                                                            f"{e.strerror or e}", file=outcome.result.path)
            continue
        _fsync_directory(target.parent)
        if wrote is not None:
            wrote(outcome.result.path)


def _stage(outcome: Outcome) -> tuple[str, Path]:
    like = outcome.source
    return stage_write(outcome.result.path, Path(os.path.realpath(like.path)), like,
                       like.encode(outcome.new_bytes_text))
