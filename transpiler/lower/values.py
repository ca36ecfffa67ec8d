"""What the lowering knows about each Python value of the wrapped function.

Three kinds, because NumPy's results depend on which one a value is:

* Static: a Python or NumPy value known when the code is generated (module constants, literals,
  `x.ndim`, shape entries known from the signature). Operations on statics are folded in Python,
  so they keep Python's own semantics exactly.
* Tensor: a value only known at run time, with its NumPy dtype, its rank and what is known of its
  dimensions, and `weak` for a run-time *Python* scalar (`len(x)`, `int(x.sum())`, a dimension read
  with `tf.shape`): NEP 50 lets such scalars take the other operand's dtype.
* Seq: a tuple or list whose items are values (`x.shape` with unknown dims, `(a, b)`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

Dim = int | None  # a static dimension, or None when unknown at trace time


@dataclass(frozen=True)
class Static:
    value: Any
    # module-level name that holds this value: large arrays are emitted as tf.constant(NAME) so that
    # the generated code reads the user's constant instead of copying it
    global_name: str | None = None

    @property
    def is_array(self) -> bool:
        return isinstance(self.value, (np.ndarray, np.generic))

    def __repr__(self):
        return f"Static({self.value!r})"


@dataclass(frozen=True)
class Tensor:
    expr: str                       # Python expression in the generated code
    dtype: str                      # NumPy dtype name ("float32", "int64", "bool", ...)
    shape: tuple[Dim, ...]          # rank is always known
    weak: bool = False              # a run-time Python scalar (int/float/bool), NEP 50 weak
    eager: bool = False             # a py_function argument: an EagerTensor with TF semantics until .numpy()
    ident: int = 0                  # identity of the underlying buffer, for aliasing checks (0: fresh/unknown)

    @property
    def rank(self) -> int:
        return len(self.shape)

    def with_(self, **kw) -> "Tensor":
        return replace(self, **kw)


@dataclass(frozen=True)
class Seq:
    items: tuple
    kind: str = "tuple"             # "tuple" | "list"

    def __repr__(self):
        return f"Seq({self.kind}, {list(self.items)!r})"


@dataclass(frozen=True)
class Callable_:
    """A callable known statically: an op-table entry, a user helper, a bound method, a partial."""
    qualname: str                   # "numpy.mean", "builtins.len", "user:_softmax", "method:sum"
    payload: Any = None             # gast def for user helpers; the receiver for methods
    bound_args: tuple = ()
    bound_kwargs: tuple = ()        # ((name, Value), ...)


@dataclass(frozen=True)
class Module_:
    """A module or namespace: `np`, `np.linalg`, `math`."""
    qualname: str


@dataclass(frozen=True)
class Unbound:
    """A name bound on some paths only (in one branch, or in a loop body that may not run): reading it
    after the branch or loop could raise UnboundLocalError in Python. `like`: what it holds on the paths that
    bind it (a loop carrying a value a `return` sets needs its type)."""
    name: str
    like: object = None


Value = Static | Tensor | Seq | Callable_ | Module_


def is_static(v) -> bool:
    if isinstance(v, Static):
        return True
    if isinstance(v, Seq):
        return all(is_static(i) for i in v.items)
    return False


def static_value(v):
    """The Python value of a static (tuples and lists rebuilt)."""
    if isinstance(v, Static):
        return v.value
    if isinstance(v, Seq):
        items = [static_value(i) for i in v.items]
        return tuple(items) if v.kind == "tuple" else items
    raise TypeError(f"{v!r} is not static")


def to_value(x) -> "Value":
    """Wrap a Python value computed at generation time (tuples and lists become Seq of Static)."""
    if isinstance(x, (tuple, list)):
        return Seq(tuple(to_value(i) for i in x), "tuple" if isinstance(x, tuple) else "list")
    return Static(x)


def python_scalar_kind(v) -> type | None:
    """int/float/bool/complex when `v` is a Python scalar (static or run-time weak), else None."""
    if isinstance(v, Static) and type(v.value) in (int, float, bool, complex):
        return type(v.value)
    if isinstance(v, Tensor) and v.weak:
        return {"int64": int, "float64": float, "bool": bool, "complex128": complex}[v.dtype]
    return None


_WEAK_DTYPE = {bool: "bool", int: "int64", float: "float64", complex: "complex128"}


def weak_dtype(kind: type) -> str:
    return _WEAK_DTYPE[kind]


def named_array_as_tensor(v):
    """A module constant array used in run-time code: kept as `tf.constant(NAME)` instead of folding
    every derived array into a literal (the code stays readable and the constant has one source)."""
    if isinstance(v, Static) and v.global_name and isinstance(v.value, np.ndarray) and v.value.size > 16:
        return Tensor(f"tf.constant({v.global_name})", v.value.dtype.name, tuple(v.value.shape))
    return v
