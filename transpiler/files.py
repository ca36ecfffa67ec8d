"""Source files: finding them under a directory, reading them as Python does, writing them back as they were.

Python source may declare its encoding (PEP 263 `# -*- coding: latin-1 -*-`) or start with a UTF-8 BOM.
We decode the bytes as Python itself would, keep the newline characters as they are (no universal-newline
translation), and encode the edited text back with the same codec and BOM.
"""
from __future__ import annotations

import hashlib
import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path


class SourceFileError(Exception):
    """The file cannot be read as Python source, or cannot be written back safely."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    text: str            # decoded, BOM removed, newlines untouched
    encoding: str        # the codec Python would use; "utf-8-sig" when the file starts with a BOM
    digest: str          # sha256 of the bytes as read: a write refuses to clobber a file changed since

    def encode(self, text: str) -> bytes:
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError as e:
            raise SourceFileError(f"{self.path}: the edited text cannot be encoded as {self.encoding}: {e}") from None


def read_source(path: str | os.PathLike) -> SourceFile:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise SourceFileError(f"{path}: cannot read: {e.strerror or e}") from None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        text = raw.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as e:
        raise SourceFileError(f"{path}: cannot decode as Python source: {e}") from None
    return SourceFile(path, text, encoding, hashlib.sha256(raw).hexdigest())


def atomic_write(path: str | os.PathLike, text: str, like: SourceFile) -> None:
    """Replace the file's content with `text`, encoded as `like` was, all at once or not at all (stage_write,
    then a rename). A symlink is followed, so the link stays a link."""
    tmp_name, target = stage_write(path, Path(os.path.realpath(path)), like, like.encode(text))
    try:
        os.replace(tmp_name, target)
    except OSError as e:
        unlink_quietly(tmp_name)
        raise SourceFileError(f"{path}: cannot write: {e.strerror or e}") from None
    _fsync_directory(target.parent)


def stage_write(shown, target: Path, like, data: bytes) -> tuple[str, Path]:
    """Write `data` to a temporary file beside `target`, ready to replace it: (temporary name, target).

    The bytes are fsync'ed and take the original's permission bits; the temporary file is in the same
    directory, so os.replace is a rename on one file system. Nothing is staged if the file changed on disk
    since `like` was read (its sha256), or if this user may not write it."""
    try:
        current = target.read_bytes()
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError as e:
        raise SourceFileError(f"{shown}: cannot read before writing: {e.strerror or e}") from None
    if hashlib.sha256(current).hexdigest() != like.digest:
        raise SourceFileError(f"{shown}: the file changed on disk while it was being converted; not written")
    # the OS decides, as for any editor's save: a user who may write the file (its owner with the mode, or root
    # whatever the mode: a corpus copied read-only) gets it written, with its mode kept
    if not os.access(target, os.W_OK):
        raise SourceFileError(f"{shown}: the file is read-only for this user (mode {mode:o}); not written")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".pyfunc2tf.tmp", dir=target.parent)
    except OSError as e:
        raise SourceFileError(f"{shown}: cannot write beside it: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, mode)
    except BaseException as e:
        unlink_quietly(tmp_name)
        if isinstance(e, OSError):
            raise SourceFileError(f"{shown}: cannot write: {e.strerror or e}") from None
        raise
    return tmp_name, target


def unlink_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; not every platform lets a directory be opened for this."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# Directories that hold other people's code or build output, never the user's sources.
SKIPPED_DIRS = frozenset({".venv", "venv", "build", "dist", "site-packages", ".git", "__pycache__"})


def python_files(paths: list[Path]) -> list[Path]:
    """The files named, and the *.py files under the directories named, in a stable order, once each."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            found += [Path(root) / f for f in sorted(files) if f.endswith(".py")]
    seen: set[str] = set()
    unique = []
    for path in found:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique
