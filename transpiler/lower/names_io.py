"""Calls with effects outside the returned value: I/O, printing, mutation of objects."""
from __future__ import annotations

import gast

_EFFECTS = {
    "print": "print() is I/O: the converted graph would not print",
    "open": "reading or writing files is I/O",
    "input": "input() is I/O",
}
_MUTATING_METHODS = {"append", "extend", "insert", "pop", "remove", "clear", "update", "add", "sort",
                     "fill", "put", "resize", "setdefault", "discard", "itemset", "shuffle", "write"}


def side_effect_reason(ctx, call: gast.Call) -> str | None:
    func = call.func
    if isinstance(func, gast.Name) and func.id in _EFFECTS and ctx.lookup(func.id) is None:
        return _EFFECTS[func.id]
    q = ctx.module.imports.qualify(func)
    if q and (q.startswith("numpy.random") or q.startswith("random.")) or _random_generator_method(ctx, func):
        return None  # the op table lowers draws, seeds and in-place shuffles (opmap/random_ops.py), or refuses
    if isinstance(func, gast.Attribute) and func.attr in _MUTATING_METHODS and not (q and q.startswith("numpy.")):
        return (f"`.{func.attr}(...)` mutates an object in place; in-place mutation through method calls is "
                "not converted yet")
    if q and q.startswith(("logging", "os.", "sys.", "shutil", "subprocess")):
        return f"`{q}` has effects outside the function (I/O or process state)"
    return None


def _random_generator_method(ctx, func) -> bool:
    """`rng.shuffle(x)` on a local `rng = np.random.default_rng()` (a generator namespace)."""
    from .values import Module_
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
        v = ctx.lookup(func.value.id)
        return isinstance(v, Module_) and v.qualname in ("numpy.random.Generator", "numpy.random.RandomState",
                                                         "random.Random")
    return False
