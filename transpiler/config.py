"""`[tool.pyfunc2tf]` in pyproject.toml: per-project defaults that the command-line flags override.

```toml
[tool.pyfunc2tf]
signatures = {_standardize = "float32[None]", crop = "uint8[None,None,3], int64[2]"}
exclude = ["experiments/**", "legacy_*.py"]   # gitignore-style, relative to this pyproject.toml
examples = 20
```

The file is found by walking up from the paths given on the command line (their common directory): the
first pyproject.toml that has a `[tool.pyfunc2tf]` table wins, and the search stops at a repository root
(a directory holding `.git`). Keys this module does not know are kept in `raw` (other parts of the tool read
their own keys from the same table, e.g. `ops-modules`) and reported as warnings, never as errors.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:   # pragma: no cover - pyproject.toml installs tomli there
    import tomli as tomllib

from .signature import SignatureError, parse_signature

# Keys read here, and keys other modules of the tool read from the same table (not warned about).
KNOWN_KEYS = frozenset({"signatures", "exclude", "examples"})
OTHER_KEYS = frozenset({"ops-modules"})


class ConfigError(ValueError):
    """The table is there but a known key holds something unusable (a usage error, exit 2)."""


@dataclass
class Config:
    path: Path | None = None                      # the pyproject.toml read; None: no table found
    signatures: dict[str, str] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    examples: int | None = None
    raw: dict = field(default_factory=dict)       # the whole table, unknown keys included
    warnings: list[str] = field(default_factory=list)

    @property
    def root(self) -> Path | None:
        """Directory the exclude patterns are relative to."""
        return self.path.parent if self.path is not None else None


def find_pyproject(paths: list[Path]) -> Path | None:
    """The first pyproject.toml with a [tool.pyfunc2tf] table, from the paths' common directory upwards."""
    if not paths:
        return None
    absolute = [os.path.abspath(p) for p in paths]
    start = Path(os.path.commonpath(absolute))
    if not start.is_dir():
        start = start.parent
    for directory in [start, *start.parents]:
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and _has_table(candidate):
            return candidate
        if (directory / ".git").exists():
            return None
    return None


def _has_table(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "pyfunc2tf" in data["tool"]


def load_config(paths: list[Path]) -> Config:
    found = find_pyproject(paths)
    return read_config(found) if found is not None else Config()


def read_config(path: Path) -> Config:
    """Read and check the table of one pyproject.toml; raises ConfigError naming the key at fault."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: cannot read: {e}") from None
    table = data.get("tool", {}).get("pyfunc2tf", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.pyfunc2tf] is not a table")
    config = Config(path=path, raw=dict(table))
    for key in table:
        if key not in KNOWN_KEYS | OTHER_KEYS:
            config.warnings.append(f"{path}: unknown key {key!r} in [tool.pyfunc2tf] (ignored); "
                                   f"known: {', '.join(sorted(KNOWN_KEYS | OTHER_KEYS))}")
    signatures = table.get("signatures", {})
    if not isinstance(signatures, dict):
        raise ConfigError(f"{path}: [tool.pyfunc2tf] signatures must be a table of FN = \"SPEC\"")
    for fn, spec in signatures.items():
        if not isinstance(spec, str):
            raise ConfigError(f"{path}: signatures.{fn} must be a string such as \"float32[None]\"")
        try:
            parse_signature(spec)
        except SignatureError as e:
            raise ConfigError(f"{path}: signatures.{fn}: {e}") from None
        config.signatures[fn] = spec.strip()
    exclude = table.get("exclude", [])
    if isinstance(exclude, str):
        exclude = [exclude]
    if not isinstance(exclude, list) or not all(isinstance(g, str) for g in exclude):
        raise ConfigError(f"{path}: [tool.pyfunc2tf] exclude must be a list of glob strings")
    config.exclude = list(exclude)
    if "examples" in table:
        examples = table["examples"]
        if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
            raise ConfigError(f"{path}: [tool.pyfunc2tf] examples must be a positive integer")
        config.examples = examples
    return config
