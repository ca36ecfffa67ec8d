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
    if isinstance(func, gast.Attribute) and func.attr in _MUTATING_METHODS:
        return (f"`.{func.attr}(...)` mutates an object in place; in-place mutation through method calls is "
                "not converted yet")
    q = ctx.module.imports.qualify(func)
    if q and (q.startswith("numpy.random") or q.startswith("random.")):
        return f"`{q}` draws random numbers; randomness is not converted yet"
    if q and q.startswith(("logging", "os.", "sys.", "shutil", "subprocess")):
        return f"`{q}` has effects outside the function (I/O or process state)"
    return None
