"""Walking a repository: which files to look at, and a cheap test of whether a file can hold a site at all.

A tree is walked once, top-down, without following symlinked directories. Directories that hold other
people's code or build output (virtual environments, `build/`, `site-packages`, caches) are skipped, and so
is whatever the `.gitignore` files of the tree (and of its parents up to the repository root) ignore, using
git's own pattern rules (pathspec's GitIgnoreSpec: `*`, `**`, `/`-anchoring, trailing `/`, `!` negation; a
deeper .gitignore overrides a shallower one). `exclude` globs from the configuration work the same way.

Every problem with an entry (a symlink leading out of the tree, a FIFO, a file too large) is a file-level
diagnostic and the walk goes on. Files named explicitly are always taken.

The prefilter reads bytes and looks for `py_func` / `numpy_function` (which `py_function`, `eager_py_func`
and every import spelling of them contain); a file without either cannot hold a site and is never parsed.
"""
from __future__ import annotations

import mmap
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from .diagnostics import Diagnostic

TOO_LARGE, SYMLINK_NOT_FOLLOWED, NOT_REGULAR, CANNOT_READ = "P506", "P507", "P508", "P503"

# Directories that hold other people's code or build output, never the user's sources.
SKIPPED_DIRS = frozenset({".venv", "venv", "build", "dist", "site-packages", ".git", "__pycache__",
                          "node_modules", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                          ".ipynb_checkpoints", ".hg", ".svn", ".eggs"})
SUFFIXES = (".py", ".ipynb")
# Above this size a file is searched (memory-mapped) but not converted: generated code, data in a .py.
MAX_BYTES = 8 * 1024 * 1024

_SITE_MARK = re.compile(rb"py_func|numpy_function")


@dataclass
class WalkEntry:
    path: Path
    problem: Diagnostic | None = None     # the file will not be converted; why

    @property
    def is_notebook(self) -> bool:
        return self.path.suffix == ".ipynb"


@dataclass
class _Ignore:
    base: Path                      # the directory the patterns are relative to
    spec: pathspec.GitIgnoreSpec

    def check(self, path: Path, is_dir: bool) -> bool | None:
        try:
            rel = path.relative_to(self.base).as_posix()
        except ValueError:
            return None
        if rel == ".":
            return None
        return self.spec.check_file(rel + "/" if is_dir else rel).include


def _read_gitignore(directory: Path) -> _Ignore | None:
    path = directory / ".gitignore"
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return _Ignore(directory, pathspec.GitIgnoreSpec.from_lines(lines))


def _ancestor_ignores(root: Path) -> list[_Ignore]:
    """The .gitignore files above a walked root, up to the repository root, outermost first."""
    found = []
    for directory in root.parents:
        ignore = _read_gitignore(directory)
        if ignore is not None:
            found.append(ignore)
        if (directory / ".git").exists():
            break
    return found[::-1]


def _ignored(ignores: list[_Ignore], path: Path, is_dir: bool) -> bool:
    for ignore in reversed(ignores):     # the deepest file that says something decides
        verdict = ignore.check(path, is_dir)
        if verdict is not None:
            return verdict
    return False


def _is_environment(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file() or directory.name.endswith(".egg-info")


def _within(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def walk(paths: list[Path], exclude: list[str] = (), exclude_root: Path | None = None) -> list[WalkEntry]:
    """The files to look at, in a stable order, once each (by real path)."""
    excluded = [_Ignore(Path(os.path.abspath(exclude_root or Path.cwd())),
                        pathspec.GitIgnoreSpec.from_lines(list(exclude)))] if exclude else []
    roots = [os.path.realpath(p) for p in paths if Path(p).is_dir()]
    entries: list[WalkEntry] = []
    for path in paths:
        path = Path(path)
        if not path.is_dir():
            entries.append(WalkEntry(path))     # named explicitly: always taken
            continue
        absolute_root = Path(os.path.abspath(path))
        inherited = _ancestor_ignores(absolute_root)
        ignores_at: dict[str, list[_Ignore]] = {}
        for root, dirs, files in os.walk(path, followlinks=False):
            here = Path(root)
            absolute = Path(os.path.abspath(here))
            parent = ignores_at.get(os.path.dirname(str(absolute)), inherited)
            own = _read_gitignore(absolute)
            ignores = parent + [own] if own is not None else parent
            ignores_at[str(absolute)] = ignores
            kept = []
            for d in sorted(dirs):
                full = absolute / d
                if d in SKIPPED_DIRS or _is_environment(full):
                    continue
                if _ignored(ignores, full, True) or _ignored(excluded, full, True):
                    continue
                if os.path.islink(full):
                    target = os.path.realpath(full)
                    if not _within(target, roots) and any(
                            f.endswith(SUFFIXES) for f in _safe_listdir(target)):
                        entries.append(WalkEntry(here / d, Diagnostic(
                            SYMLINK_NOT_FOLLOWED, f"symlinked directory leads out of the tree ({target}); "
                            "not followed", file=str(here / d), severity="warning")))
                    continue
                kept.append(d)
            dirs[:] = kept
            for f in sorted(files):
                if not f.endswith(SUFFIXES):
                    continue
                full = absolute / f
                if _ignored(ignores, full, False) or _ignored(excluded, full, False):
                    continue
                entries.append(_entry(here / f, roots))
    return _unique(entries)


def _safe_listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _entry(path: Path, roots: list[str]) -> WalkEntry:
    if os.path.islink(path):
        target = os.path.realpath(path)
        if not os.path.exists(target):
            return WalkEntry(path, Diagnostic(SYMLINK_NOT_FOLLOWED, f"broken symlink (to {os.readlink(path)})",
                                              file=str(path), severity="warning"))
        if not _within(target, roots):
            # Writing through it would change a file outside the tree the user asked about.
            return WalkEntry(path, Diagnostic(SYMLINK_NOT_FOLLOWED, f"symlink to a file outside the tree "
                                              f"({target}); not converted", file=str(path), severity="warning"))
    return WalkEntry(path)


def _unique(entries: list[WalkEntry]) -> list[WalkEntry]:
    """A file reached twice (named and inside a named directory, or through a link) is looked at once."""
    seen: set[str] = set()
    unique = []
    for entry in entries:
        key = os.path.realpath(entry.path) if entry.problem is None else "problem:" + str(entry.path)
        if key not in seen:
            seen.add(key)
            unique.append(entry)
    return unique


def prefilter(path: Path, max_bytes: int = MAX_BYTES) -> tuple[bool, Diagnostic | None]:
    """(may hold a site, problem). Reads bytes only; a file that may hold a site but is too large to
    convert, is not a regular file, or cannot be read gets a diagnostic instead."""
    try:
        st = os.stat(path)
    except OSError as e:
        return False, Diagnostic(CANNOT_READ, f"cannot read: {e.strerror or e}", file=str(path))
    if not stat.S_ISREG(st.st_mode):
        return False, Diagnostic(NOT_REGULAR, "not a regular file (FIFO, device or socket); not read",
                                 file=str(path), severity="warning")
    try:
        with open(path, "rb") as handle:
            if st.st_size == 0:
                return False, None
            if st.st_size <= max_bytes:
                return _SITE_MARK.search(handle.read()) is not None, None
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                if _SITE_MARK.search(mapped) is None:
                    return False, None
    except OSError as e:
        return False, Diagnostic(CANNOT_READ, f"cannot read: {e.strerror or e}", file=str(path))
    return True, Diagnostic(TOO_LARGE, f"{st.st_size / 2**20:.1f} MiB is larger than the "
                                       f"{max_bytes / 2**20:.0f} MiB converted per file; not converted",
                            file=str(path))


def has_site_text(text: str) -> bool:
    return _SITE_MARK.search(text.encode("utf-8", "surrogatepass")) is not None
