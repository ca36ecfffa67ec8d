"""The op table's shape: one OpEntry per canonical qualified name, plus the names refused with a reason.

Entries are data (target, ufunc, limitations, test domain); the ones that need code name a lowering
function. Keys are canonical names (`numpy.mean`, `numpy.ndarray.astype`, `math.sqrt`,
`builtins.abs`), never the spelling in a user's file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass
class OpEntry:
    name: str
    target: str                         # the TF API it lowers to (checked to exist), for docs
    lower: Callable | None = None       # lower(ctx, args, kwargs, node) -> Value
    ufunc: str | None = None            # NumPy ufunc name whose loops give the dtypes
    status: str = "supported"           # "supported" | "partial"
    limits: str = ""                    # what is refused or differs (shown in `ops` and docs)
    domain: tuple[float, float] | None = None   # input range for property tests
    rtol: float | None = None           # property-test tolerance where TF's kernels differ in the last bits
    foldable: bool = True               # all-static arguments may be computed with NumPy itself


REGISTRY: dict[str, OpEntry] = {}
UNSUPPORTED: dict[str, str] = {}


def register(entry: OpEntry) -> OpEntry:
    if entry.name in REGISTRY:
        raise ValueError(f"duplicate op entry {entry.name}")
    REGISTRY[entry.name] = entry
    return entry


def lowering(name: str, target: str, *, status: str = "supported", limits: str = "",
             domain=None, aliases: tuple[str, ...] = (), foldable: bool = True):
    """Decorator: register a lowering function under `name` (and aliases)."""
    def deco(fn):
        for n in (name,) + aliases:
            register(OpEntry(n, target, fn, status=status, limits=limits, domain=domain, foldable=foldable))
        return fn
    return deco


def unsupported(reason: str, *names: str) -> None:
    for n in names:
        UNSUPPORTED[n] = reason
