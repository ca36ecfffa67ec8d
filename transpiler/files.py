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
    """Replace the file's content with `text`, encoded as `like` was, all at once or not at all.

    The bytes go to a temporary file in the same directory (so os.replace is a rename on one file system),
    are fsync'ed, take the original's permission bits, then replace it. A symlink is followed, so the
    link stays a link. If the file changed on disk since `like` was read, nothing is written."""
    target = Path(os.path.realpath(path))
    data = like.encode(text)
    try:
        current = target.read_bytes()
    except OSError as e:
        raise SourceFileError(f"{path}: cannot read before writing: {e.strerror or e}") from None
    if hashlib.sha256(current).hexdigest() != like.digest:
        raise SourceFileError(f"{path}: the file changed on disk while it was being converted; not written")
    mode = stat.S_IMODE(target.stat().st_mode)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".pyfunc2tf.tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException as e:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError):
            raise SourceFileError(f"{path}: cannot write: {e.strerror or e}") from None
        raise
    _fsync_directory(target.parent)


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
