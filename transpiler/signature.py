"""`--signature` specs: `float32[None,4], int64[]` -> one ArgSpec per argument of the wrapped function."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

# dtypes a py_function argument can carry and that NumPy and TF both name the same way
DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64", "complex64", "complex128", "string")

_ONE = re.compile(r"\s*([a-z0-9_]+)\s*\[([^\]]*)\]\s*")


@dataclass(frozen=True)
class ArgSpec:
    dtype: str                          # NumPy dtype name, or "string"
    shape: tuple[int | None, ...]       # None: unknown at trace time

    def __str__(self) -> str:
        return f"{self.dtype}[{','.join('None' if d is None else str(d) for d in self.shape)}]"

    @property
    def np_dtype(self):
        return np.dtype(object) if self.dtype == "string" else np.dtype(self.dtype)


class SignatureError(ValueError):
    pass


def parse_signature(text: str) -> list[ArgSpec]:
    """Parse a comma-separated list of `dtype[dims]`; raises SignatureError with what is wrong."""
    text = text.strip()
    if not text:
        return []
    specs, pos = [], 0
    while pos < len(text):
        m = _ONE.match(text, pos)
        if not m:
            raise SignatureError(f"cannot read an argument spec at {text[pos:]!r}: expected dtype[dims], "
                                 f"e.g. float32[None,4] or int64[]")
        dtype, dims_txt = m.group(1), m.group(2)
        dtype = {"str": "string", "bytes": "string", "float": "float64", "int": "int64",
                 "double": "float64", "half": "float16"}.get(dtype, dtype)
        if dtype not in DTYPES:
            raise SignatureError(f"unknown dtype {m.group(1)!r}; one of {', '.join(DTYPES)}")
        dims = []
        for d in (x.strip() for x in dims_txt.split(",")) if dims_txt.strip() else ():
            if d in ("None", "?", "-1"):
                dims.append(None)
            elif d.isdigit():
                dims.append(int(d))
            else:
                raise SignatureError(f"dimension {d!r} in {m.group(0).strip()!r} is neither an int nor None")
        specs.append(ArgSpec(dtype, tuple(dims)))
        pos = m.end()
        if pos < len(text):
            if text[pos] != ",":
                raise SignatureError(f"expected ',' between specs at {text[pos:]!r}")
            pos += 1
    return specs


def format_signature(specs: list[ArgSpec]) -> str:
    return ", ".join(str(s) for s in specs)
