"""Constant numeric dicts and sets read with a run-time key: `TABLE[k]`, `TABLE.get(k, d)`, `k in SET`.

Python finds a number in a dict or set by hash and equality, and numbers hash by value (1, 1.0, True and
np.int32(1) are one key): a key is found exactly when a stored key has the same mathematical value. The
stored keys that the probe's dtype can hold are written sorted; a binary search (tf.searchsorted) and an
equality test find the probe, and a missing key raises where Python raises KeyError. (Text keys are
transpiler/lower/text.py's.)
"""
from __future__ import annotations

import numpy as np

from ..diagnostics import Refusal
from . import code
from .values import Seq, Static, Tensor, is_static, python_scalar_kind, static_value

MAX_KEYS = 4096


def _probe(key, what: str, node) -> Tensor:
    if isinstance(key, Tensor) and not key.eager:
        if key.rank:
            raise Refusal("P301", f"{what} with an array as the key: Python raises TypeError (unhashable "
                                  "numpy.ndarray)", node)
        if np.dtype(key.dtype).kind in "biuf" and key.dtype != "uint64":
            return key
    raise Refusal("P212", f"{what} with this key is not converted", node)


def _number(k) -> bool:
    return isinstance(k, (bool, int, float, np.bool_, np.integer, np.floating))


def _keys_for(keys, dtype: str) -> tuple[np.ndarray, list[int], str]:
    """The stored keys a probe of `dtype` can equal, as an array of the comparison dtype, with their
    positions among `keys`, and that comparison dtype (the probe's values convert to it exactly)."""
    kind = np.dtype(dtype).kind
    cmp = "float64" if kind == "f" else "int64"
    lo, hi = (0, 1) if kind == "b" else ((np.iinfo(dtype).min, np.iinfo(dtype).max) if kind in "iu" else (0, 0))
    out, where = [], []
    for i, k in enumerate(keys):
        if not _number(k):
            continue                        # a number never equals a str, a tuple, None
        if kind == "f":
            try:
                f = float(k)
            except OverflowError:
                continue                    # an int beyond every float
            if f != f or (not isinstance(k, (float, np.floating)) and int(f) != int(k)) or \
                    (np.isfinite(f) and float(np.array(f, dtype)) != f):
                continue                    # NaN, an int no float equals, or a value the probe's dtype lacks
            out.append(f)
        else:
            if isinstance(k, (float, np.floating)) and (not np.isfinite(k) or k != int(k)):
                continue
            v = int(k)
            if not lo <= v <= hi:
                continue
            out.append(v)
        where.append(i)
    return np.array(out, dtype=cmp), where, cmp


def _search(ctx, sorted_keys: np.ndarray, cmp: str, probe: Tensor) -> tuple[str, str]:
    """(found, position) of the probe among the sorted keys (position clamped into range)."""
    keys = ctx.bind(code.constant(sorted_keys, cmp), "keys")
    value = ctx.bind(code.cast(probe.expr, probe.dtype, cmp), "key")
    pos = ctx.bind(f"tf.minimum(tf.searchsorted({keys}, tf.reshape({value}, [1]))[0], {len(sorted_keys) - 1})",
                   "pos")
    found = ctx.bind(f"tf.equal(tf.gather({keys}, {pos}), {value})", "found")
    return found, pos


def _value_kind(values, node) -> tuple[str, bool]:
    """The dtype and weakness of a value read from the dict: Python ints, floats or bools are weak
    run-time Python scalars; NumPy scalars keep their dtype. One kind only: otherwise the result's type
    would depend on the key."""
    kinds = {type(v) for v in values}
    if len(kinds) == 1:
        kind = kinds.pop()
        if kind in (int, float, bool):
            return {int: "int64", float: "float64", bool: "bool"}[kind], True
        if issubclass(kind, (np.bool_, np.integer, np.floating)):
            return np.dtype(kind).name, False
    raise Refusal("P202", "a dict lookup is converted when every value is a number of one type (all int, all float, "
                          "all bool, or NumPy scalars of one dtype): the result's type would depend on the key", node)


def lookup(ctx, table: Static, key, default, node, missing: str):
    """`d[key]` (missing="raise": KeyError when absent) or `d.get(key, default)` (missing="default")."""
    d = table.value
    what = "a dict lookup"
    probe = _probe(key, what, node)
    if not d:
        raise Refusal("P212", "a lookup in an empty dict is not converted", node)
    if len(d) > MAX_KEYS:
        raise Refusal("P203", f"a dict of {len(d)} entries is too large to write into the code", node)
    dtype, weak = _value_kind(list(d.values()), node)
    if dtype == "int64" and any(not -2 ** 63 <= v < 2 ** 63 for v in d.values()):
        raise Refusal("P301", "a dict value does not fit in int64", node)
    keys, where, cmp = _keys_for(list(d.keys()), probe.dtype)
    values = [list(d.values())[i] for i in where]
    if missing == "default":
        if isinstance(default, Static) and type(default.value) is type(next(iter(d.values()))):
            fallback = code.constant(default.value, dtype)
        elif isinstance(default, Tensor) and not default.rank and not default.eager and (
                (weak and python_scalar_kind(default) is type(next(iter(d.values())))) or
                (not weak and not default.weak and default.dtype == dtype)):
            fallback = default.expr
        else:
            raise Refusal("P202", "dict.get()'s default is of another type than the values: the result's type "
                                  "would depend on the key", node)
    if not len(keys):                       # no stored key can equal the probe
        if missing == "raise":
            raise Refusal("P212", f"no key of this dict can equal a {probe.dtype} key (Python raises KeyError "
                                  "whenever this runs): not converted", node)
        return Tensor(fallback, dtype, (), weak=weak)
    order = np.argsort(keys, kind="stable")
    found, pos = _search(ctx, keys[order], cmp, probe)
    hit = f"tf.gather({code.constant(np.array([values[i] for i in order], dtype), dtype)}, {pos})"
    if missing == "raise":
        code.check(ctx, found, "KeyError: a key is not in the dict", scalar=True)
        return Tensor(ctx.bind(hit, "x"), dtype, (), weak=weak)
    return Tensor(ctx.bind(f"tf.where({found}, {hit}, {fallback})", "x"), dtype, (), weak=weak)


def contains(ctx, needle, hay, node):
    """`needle in hay` for a run-time number and a constant container; None when this is not that case."""
    if isinstance(hay, Seq) and is_static(hay):
        hay = Static(static_value(hay))
    if not (isinstance(hay, Static) and isinstance(hay.value, (set, frozenset, dict, list, tuple)) and
            isinstance(needle, Tensor)):
        return None
    probe = _probe(needle, "`in`", node)
    items = list(hay.value)
    if isinstance(hay.value, (list, tuple)):
        # a list compares with ==, where NumPy converts a Python number to the probe's dtype first: converted
        # only where that conversion is exact (then == is the same equality as the dicts' and sets')
        # (a Python number beside a NumPy scalar takes the scalar's dtype there)
        if any(isinstance(k, (np.generic, np.ndarray)) for k in items):
            raise Refusal("P212", "`in` a list or tuple of NumPy values is not converted", node)
        if not probe.weak and any(_number(k) and not _exact_in(k, probe.dtype) for k in items):
            raise Refusal("P202", "`in` a list or tuple holding numbers that the probe's dtype "
                                  f"({probe.dtype}) cannot hold exactly is not converted", node)
        if any(not _number(k) and not isinstance(k, (str, bytes, type(None))) for k in items):
            raise Refusal("P212", "`in` a list or tuple of sequences is not converted", node)
    if len(items) > MAX_KEYS:
        raise Refusal("P203", f"a container of {len(items)} items is too large to write into the code", node)
    keys, _, cmp = _keys_for(items, probe.dtype)
    if not len(keys):
        return Static(False)
    keys = np.unique(keys)
    found, _ = _search(ctx, keys, cmp, probe)
    return Tensor(found, "bool", (), weak=True)


def _exact_in(k, dtype: str) -> bool:
    if np.dtype(dtype).kind == "b":
        return isinstance(k, bool)
    try:
        with np.errstate(all="ignore"):
            return bool(np.array(k).astype(dtype) == k) and float(np.array(k).astype(dtype)) == float(k)
    except (OverflowError, ValueError):
        return False
