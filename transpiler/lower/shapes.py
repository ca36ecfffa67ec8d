"""Static shape arithmetic with unknown dimensions (None), and dynamic dimension reads."""
from __future__ import annotations

from ..diagnostics import Refusal
from .values import Static, Tensor


def broadcast(shapes: list[tuple], node=None) -> tuple:
    rank = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(rank):
        dims = [s[len(s) - rank + i] for s in shapes if len(s) - rank + i >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise Refusal("P301", f"shapes {' and '.join(map(str, shapes))} do not broadcast: NumPy raises", node)
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def normalize_axis(axis: int, rank: int, node=None) -> int:
    if not -rank <= axis < rank:
        raise Refusal("P301", f"axis {axis} is out of bounds for an array of rank {rank}: NumPy raises", node)
    return axis % rank


def normalize_axes(axis, rank: int, node=None) -> tuple[int, ...]:
    """None -> all axes; int or tuple -> sorted non-negative axes (NumPy rejects repeats)."""
    if axis is None:
        return tuple(range(rank))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = tuple(normalize_axis(a, rank, node) for a in axes)
    if len(set(out)) != len(out):
        raise Refusal("P301", f"repeated axis in {axis}: NumPy raises", node)
    return tuple(sorted(out))


def dim(ctx, t: Tensor, i: int):
    """Dimension i of t: a static int when known, else a run-time Python int (weak int64 scalar)."""
    d = t.shape[i]
    if d is not None:
        return Static(d)
    t = ctx.materialize(t, "x")
    return Tensor(f"tf.shape({t.expr}, out_type=tf.int64)[{i}]", "int64", (), weak=True)


def size(ctx, t: Tensor):
    if all(d is not None for d in t.shape):
        n = 1
        for d in t.shape:
            n *= d
        return Static(n)
    return Tensor(f"tf.size({t.expr}, out_type=tf.int64)", "int64", (), weak=True)


def known_positive(t: Tensor, axes) -> bool:
    return all(t.shape[a] is not None and t.shape[a] > 0 for a in axes)
