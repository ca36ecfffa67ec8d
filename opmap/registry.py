"""The op table's shape: one OpEntry per canonical qualified name, plus the names refused with a reason.

Entries are data (target, ufunc, limitations, test domain); the ones that need code name a lowering
function. Keys are canonical names (`numpy.mean`, `numpy.ndarray.astype`, `math.sqrt`,
`builtins.abs`), never the spelling in a user's file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Sample:
    """How to call an entry in its property test (tests/test_op_properties.py).

    `call` is the NumPy expression over the argument names; `{f}` stands for the entry's own spelling
    (`np.mean`, `np.linalg.norm`; for an ndarray method, `{f}(x, ...)` becomes `x.method(...)`).
    `args` maps each name to "<dtypes>[<dims>]": dtypes are group letters (f float32/float64, h float16,
    i int8/int32/int64, u uint8, b bool, n = fiu, a = fiub) or dtype names joined by `|`; dims are
    letters (sizes drawn from 0..3, shared by every argument of the sample, unknown when converting),
    digits (fixed and known when converting), a letter followed by `~` may be drawn as 1 (broadcasting).
    An optional `@lo:hi` suffix bounds that argument's values. `domain` bounds every argument,
    `finite` leaves NaN and infinities out, `rtol` overrides the entry's tolerance.
    """
    call: str
    args: tuple = ()
    domain: tuple | None = None
    finite: bool = False
    rtol: float | None = None


def S(call: str, *, domain=None, finite: bool = False, rtol=None, **args) -> Sample:
    return Sample(call, tuple(args.items()), domain, finite, rtol)


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
    samples: tuple = ()                 # Sample call templates for the property tests
    samples_from: str | None = None     # an entry whose samples this one shares (ndarray methods)


REGISTRY: dict[str, OpEntry] = {}
UNSUPPORTED: dict[str, str] = {}


def register(entry: OpEntry) -> OpEntry:
    if entry.name in REGISTRY:
        raise ValueError(f"duplicate op entry {entry.name}")
    REGISTRY[entry.name] = entry
    return entry


def lowering(name: str, target: str, *, status: str = "supported", limits: str = "",
             domain=None, aliases: tuple[str, ...] = (), foldable: bool = True, samples=(), rtol=None):
    """Decorator: register a lowering function under `name` (and aliases, which share the samples)."""
    def deco(fn):
        for n in (name,) + aliases:
            register(OpEntry(n, target, fn, status=status, limits=limits, domain=domain, foldable=foldable,
                             samples=tuple(samples), rtol=rtol))
        return fn
    return deco


def samples_of(entry: OpEntry) -> tuple:
    if entry.samples or not entry.samples_from:
        return tuple(entry.samples)
    return tuple(s for s in samples_of(REGISTRY[entry.samples_from]) if s.call.startswith("{f}("))


def add_samples(name: str, *samples: Sample, rtol=None, domain=None) -> None:
    """Attach property-test samples to an entry registered elsewhere (loops, aliases)."""
    e = REGISTRY[name]
    e.samples = tuple(e.samples) + samples
    if rtol is not None:
        e.rtol = rtol
    if domain is not None:
        e.domain = domain


def unsupported(reason: str, *names: str) -> None:
    for n in names:
        UNSUPPORTED[n] = reason
