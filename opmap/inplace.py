"""NumPy functions that write into their first argument: np.put, np.fill_diagonal.

They follow the path of `a[...] = v` (transpiler/lower/assignment.py): the argument must be a local name
that no other name shares, and the name is rebound to the written array. Both write through the flat
array: positions, then the values repeated cyclically (NumPy's rule for put and for `a.flat[...] = v`).
"""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.assignment import inplace_target, last_writes, scatter, write_back
from transpiler.lower.indexing import checked_indices
from transpiler.lower.values import Static, Tensor, is_static, static_value

from .args import REQUIRED, bind, static, tensor
from .registry import S, lowering


def _values(ctx, v, dtype: str, fname: str, node) -> Tensor:
    """The values as NumPy converts them for `dtype` (a Python int that does not fit raises there), flattened."""
    if is_static(v):
        try:
            arr = np.array(static_value(v), dtype=dtype)
        except (OverflowError, ValueError, TypeError) as e:
            raise Refusal("P301", f"{fname}: the values cannot be stored as {dtype} ({e}): NumPy raises", node)
        return Tensor(code.constant(arr.reshape(-1), dtype), dtype, (arr.size,))
    t = tensor(ctx, v, node)
    if t.eager:
        raise Refusal("P204", f"{fname} of a py_function argument (an EagerTensor)", node)
    size = int(np.prod(t.shape)) if all(d is not None for d in t.shape) else None
    return Tensor(ctx.bind(f"tf.reshape({code.cast(t.expr, t.dtype, dtype)}, [-1])", "values"), dtype, (size,))


def _cyclic(ctx, values: Tensor, count: str) -> str:
    """`count` values: `values` repeated as often as needed (none when there are no values)."""
    if values.shape[0] == 1:
        return f"tf.fill([{count}], {values.expr}[0])"
    return f"tf.gather({values.expr}, tf.range({count}) % tf.maximum(tf.size({values.expr}, out_type=tf.int64), 1))"


@lowering("numpy.put", "tf.tensor_scatter_nd_update", status="partial", foldable=False,
          limits="writes in place into a local name no other name shares (views and aliases refused); float "
                 "indices refused",
          samples=(S("{f}(x, i, v) or x", x="a[m,n]", i="i[k]@-7:7", v="a[j]", domain=(0, 100), finite=True),
                   S("{f}(x, i, v, mode='clip') or x", x="n[m]", i="i[k,2]", v="n[j~]", domain=(0, 100)),
                   # bounded: NumPy's wrap mode steps an index into range one length at a time
                   S("{f}(x, i, 5, mode='wrap') or x", x="n[m,2]", i="i[k]@-20:20"),
                   S("{f}(x, 1, v) or x", x="f[m]", v="f[j]")))
def put(ctx, args, kwargs, node):
    p = bind("np.put", args, kwargs, [("a", REQUIRED), ("ind", REQUIRED), ("v", REQUIRED), ("mode", "raise")],
             node)
    name, a = inplace_target(ctx, node, 0, "a", "np.put")
    mode = static(p["mode"], "mode", node)
    if mode not in ("raise", "wrap", "clip"):
        raise Refusal("P301", f"np.put: mode must be 'raise', 'wrap' or 'clip', not {mode!r}: NumPy raises", node)
    ind = tensor(ctx, p["ind"], node)
    if np.dtype(ind.dtype).kind not in "iub":
        raise Refusal("P202", f"np.put with {ind.dtype} indices (NumPy truncates them) is not converted", node)
    values = _values(ctx, p["v"], a.dtype, "np.put", node)
    flat = Tensor(ctx.bind(f"tf.reshape({a.expr}, [-1])", "flat"), a.dtype,
                  (int(np.prod(a.shape)),) if all(d is not None for d in a.shape) else (None,))
    n = ctx.bind(f"tf.size({flat.expr}, out_type=tf.int64)", "n")
    idx = ctx.bind(f"tf.reshape({code.cast(ind.expr, ind.dtype, 'int64')}, [-1])", "idx")
    # NumPy: an empty array with indices raises; then no values means nothing is written (nor checked)
    code.check(ctx, f"tf.logical_or(tf.equal(tf.size({idx}), 0), {n} > 0)",
               "IndexError: cannot replace elements of an empty array", scalar=True)
    if values.shape[0] == 0:
        return Static(None)
    if values.shape[0] is None:
        idx = ctx.bind(f"{idx}[:tf.size({idx}) * tf.minimum(tf.size({values.expr}), 1)]", "idx")
    if mode == "raise":
        idx = checked_indices(ctx, Tensor(idx, "int64", (None,)), flat.expr, 0)
    elif mode == "wrap":
        idx = ctx.bind(f"tf.math.floormod({idx}, tf.maximum({n}, 1))", "idx")
    else:
        idx = ctx.bind(f"tf.clip_by_value({idx}, 0, tf.maximum({n} - 1, 0))", "idx")
    where = ctx.bind(f"{idx}[:, tf.newaxis]", "where")
    updates = ctx.bind(_cyclic(ctx, values, f"tf.size({idx}, out_type=tf.int64)"), "values")
    if ind.rank:
        # repeated indices: the last write wins, as NumPy's loop over them does
        last = last_writes(ctx, where, f"[{n}]")
        where, updates = f"tf.gather({where}, {last})", f"tf.gather({updates}, {last})"
    new = scatter(ctx, flat, flat.expr, where, updates)
    write_back(ctx, name, a, f"tf.reshape({new}, tf.shape({a.expr}))")
    return Static(None)


@lowering("numpy.fill_diagonal", "tf.tensor_scatter_nd_update", status="partial", foldable=False,
          limits="writes in place into a local name no other name shares (views and aliases refused)",
          samples=(S("{f}(x, v) or x", x="a[m,n]", v="a[k]", domain=(0, 100), finite=True),
                   S("{f}(x, v, wrap=True) or x", x="n[m,n]", v="n[]", domain=(0, 100)),
                   S("{f}(x, 7) or x", x="n[m,m,m]"), S("{f}(x, v) or x", x="f[m,n,k]", v="f[]")))
def fill_diagonal(ctx, args, kwargs, node):
    p = bind("np.fill_diagonal", args, kwargs, [("a", REQUIRED), ("val", REQUIRED), ("wrap", False)], node)
    name, a = inplace_target(ctx, node, 0, "a", "np.fill_diagonal")
    wrap = bool(static(p["wrap"], "wrap", node))
    if a.rank < 2:
        raise Refusal("P301", "np.fill_diagonal: array must be at least 2-d: NumPy raises", node)
    values = _values(ctx, p["val"], a.dtype, "np.fill_diagonal", node)
    shape = ctx.bind(f"tf.shape({a.expr}, out_type=tf.int64)", "shape")
    size = f"tf.reduce_prod({shape})"
    if a.rank == 2:
        step = f"{shape}[1] + 1"
        end = size if wrap else f"tf.minimum({shape}[1] * {shape}[1], {size})"
    else:
        known = {d for d in a.shape if d is not None}
        if len(known) > 1:
            raise Refusal("P301", "np.fill_diagonal: all dimensions of input must be of equal length: NumPy "
                                  "raises", node)
        if None in a.shape:
            code.check(ctx, f"tf.math.equal({shape}, {shape}[0])", "All dimensions of input must be of equal length")
        step = f"1 + tf.reduce_sum(tf.math.cumprod({shape}[:-1]))"
        end = size
    if values.shape[0] == 0:
        return Static(None)                 # `a.flat[...] = []` writes nothing
    positions = ctx.bind(f"tf.range(0, {end}, {step})", "positions")
    if values.shape[0] is None:
        positions = ctx.bind(f"{positions}[:tf.size({positions}) * tf.minimum(tf.size({values.expr}), 1)]",
                             "positions")
    updates = _cyclic(ctx, values, f"tf.size({positions}, out_type=tf.int64)")
    flat = Tensor(ctx.bind(f"tf.reshape({a.expr}, [-1])", "flat"), a.dtype,
                  (int(np.prod(a.shape)),) if all(d is not None for d in a.shape) else (None,))
    new = scatter(ctx, flat, flat.expr, f"{positions}[:, tf.newaxis]", updates)
    write_back(ctx, name, a, f"tf.reshape({new}, tf.shape({a.expr}))")
    return Static(None)
