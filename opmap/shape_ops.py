"""Shape manipulation: reshape, transpose, expand_dims, squeeze, concatenate, stack, flip, roll, ..."""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.dtypes import probe, result_dtype
from transpiler.lower.shapes import broadcast, normalize_axes, normalize_axis
from transpiler.lower.values import Seq, Static, Tensor, is_static, static_value

from .args import REQUIRED, bind, static, static_axis, tensor
from .registry import S, add_samples, lowering


def _dims_arg(v, node) -> list:
    """A shape argument: ints, -1, or run-time Python ints (weak int64 scalars)."""
    if isinstance(v, Static):
        val = v.value
        return [Static(int(d)) for d in (val if isinstance(val, (tuple, list)) else (val,))]
    if isinstance(v, Seq):
        return list(v.items)
    if isinstance(v, Tensor) and v.rank == 0 and np.dtype(v.dtype).kind in "iu":
        return [v]
    raise Refusal("P202", "a shape must be a tuple of ints", node)


def reshape(ctx, x: Tensor, dims: list, node) -> Tensor:
    known = [d.value if isinstance(d, Static) else None for d in dims]
    if sum(1 for d in known if d == -1) > 1:
        raise Refusal("P301", "can only specify one unknown dimension: NumPy raises", node)
    shape = []
    total = 1
    for d in x.shape:
        total = None if d is None or total is None else total * d
    rest = 1
    for d in known:
        if d is None or d == -1:
            continue
        rest *= d
    for d in known:
        if d == -1:
            shape.append(total // rest if total is not None and rest and total % rest == 0 else None)
        else:
            shape.append(d)
    if total is not None and all(d is not None for d in shape):
        if int(np.prod(shape)) != total:
            raise Refusal("P301", f"cannot reshape array of size {total} into shape {tuple(shape)}: NumPy raises",
                          node)
    parts = []
    for d in dims:
        parts.append(str(int(d.value)) if isinstance(d, Static) else code.cast(d.expr, d.dtype, "int64"))
    if -1 in known:
        # NumPy cannot infer the -1 dimension when the others multiply to 0 (it raises, even for size 0)
        if any(k == 0 for k in known):
            raise Refusal("P301", "cannot reshape with -1 when another dimension is 0: NumPy raises", node)
        dynamic = [p_ for p_, k in zip(parts, known) if k is None]
        if dynamic:
            code.check(ctx, f"tf.math.not_equal({' * '.join(dynamic)}, 0)",
                       "cannot reshape array: unknown dimension with a zero-size dimension", scalar=True)
    if any(isinstance(d, Tensor) for d in dims):
        shape_expr = "tf.stack([" + ", ".join(p if not p.lstrip("-").isdigit() else f"tf.constant({p}, tf.int64)"
                                              for p in parts) + "])"
    else:
        shape_expr = "[" + ", ".join(parts) + "]"
    # a reshape of a contiguous array is a view
    return Tensor(f"tf.reshape({x.expr}, {shape_expr})", x.dtype, tuple(shape), ident=x.ident)


@lowering("numpy.reshape", "tf.reshape")
def np_reshape(ctx, args, kwargs, node):
    p = bind("np.reshape", args, kwargs, [("a", REQUIRED), ("shape", REQUIRED), ("order", "C")], node,
             refuse_unless_default=("order",))
    return reshape(ctx, tensor(ctx, p["a"], node), _dims_arg(p["shape"], node), node)


def transpose(ctx, x: Tensor, axes, node) -> Tensor:
    if axes is None:
        perm = list(range(x.rank))[::-1]
    else:
        perm = [normalize_axis(a, x.rank, node) for a in axes]
        if sorted(perm) != list(range(x.rank)):
            raise Refusal("P301", f"axes {axes} don't match the array: NumPy raises", node)
    if perm == list(range(x.rank)):
        return x
    return Tensor(f"tf.transpose({x.expr}, {perm})", x.dtype, tuple(x.shape[i] for i in perm), ident=x.ident)


@lowering("numpy.transpose", "tf.transpose")
def np_transpose(ctx, args, kwargs, node):
    p = bind("np.transpose", args, kwargs, [("a", REQUIRED), ("axes", None)], node)
    axes = static(p["axes"], "axes", node)
    return transpose(ctx, tensor(ctx, p["a"], node), axes, node)


@lowering("numpy.expand_dims", "tf.expand_dims")
def expand_dims(ctx, args, kwargs, node):
    p = bind("np.expand_dims", args, kwargs, [("a", REQUIRED), ("axis", REQUIRED)], node)
    x = tensor(ctx, p["a"], node)
    axis = static_axis(p["axis"], node)
    axes = (axis,) if isinstance(axis, int) else axis
    out_rank = x.rank + len(axes)
    norm = sorted(normalize_axis(a, out_rank, node) for a in axes)
    shape, it = [], iter(x.shape)
    for i in range(out_rank):
        shape.append(1 if i in norm else next(it))
    return Tensor(_expand(ctx, x, norm), x.dtype, tuple(shape), ident=x.ident)


def _expand(ctx, x, norm):
    expr = x.expr
    for a in norm:
        expr = f"tf.expand_dims({expr}, {a})"
    return expr


@lowering("numpy.squeeze", "tf.squeeze")
def squeeze(ctx, args, kwargs, node):
    p = bind("np.squeeze", args, kwargs, [("a", REQUIRED), ("axis", None)], node)
    x = tensor(ctx, p["a"], node)
    axis = static_axis(p["axis"], node)
    if axis is None:
        if any(d is None for d in x.shape):
            raise Refusal("P202", "np.squeeze without axis on dimensions unknown when converting (the result's rank "
                                  "would depend on the data)", node)
        axes = tuple(i for i, d in enumerate(x.shape) if d == 1)
    else:
        axes = normalize_axes(axis, x.rank, node)
        for a in axes:
            if x.shape[a] not in (1, None):
                raise Refusal("P301", "cannot select an axis to squeeze out which has size not equal to one: "
                                      "NumPy raises", node)
    if not axes:
        return x
    shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    return Tensor(f"tf.squeeze({x.expr}, axis={list(axes)})", x.dtype, shape, ident=x.ident)


def _arrays(ctx, seq, node) -> list[Tensor]:
    if not isinstance(seq, Seq):
        if isinstance(seq, Static) and isinstance(seq.value, (list, tuple)):
            return [tensor(ctx, Static(v), node) for v in seq.value]
        raise Refusal("P202", "a sequence of arrays known when converting is needed (a list or tuple)", node)
    return [tensor(ctx, v, node) for v in seq.items]


def _join(ctx, name, args, kwargs, node, stack: bool):
    p = bind(f"np.{name}", args, kwargs, [("arrays", REQUIRED), ("axis", 0), ("out", None), ("dtype", None),
                                          ("casting", "same_kind")], node,
             refuse_unless_default=("out", "dtype", "casting"))
    arrays = _arrays(ctx, p["arrays"], node)
    if not arrays:
        raise Refusal("P301", "need at least one array: NumPy raises", node)
    axis = static(p["axis"], "axis", node)
    dt = result_dtype(probe(getattr(np, name), [Seq(tuple(arrays))], {"axis": axis}, node, f"np.{name}"))
    parts = [code.cast(a.expr, a.dtype, dt) for a in arrays]
    rank = arrays[0].rank
    if axis is None and not stack:
        parts = [f"tf.reshape({p_}, [-1])" for p_ in parts]
        return Tensor(f"tf.concat([{', '.join(parts)}], axis=0)", dt, (None,), ident=new_ident())
    if any(a.rank != rank for a in arrays):
        raise Refusal("P301", "all the input arrays must have the same number of dimensions: NumPy raises", node)
    if stack:
        ax = normalize_axis(axis, rank + 1, node)
        shape = list(broadcast([a.shape for a in arrays], node) if len(arrays) > 1 else arrays[0].shape)
        shape.insert(ax, len(arrays))
        return Tensor(f"tf.stack([{', '.join(parts)}], axis={ax})", dt, tuple(shape), ident=new_ident())
    if axis is None:
        parts = [f"tf.reshape({p_}, [-1])" for p_ in parts]
        return Tensor(f"tf.concat([{', '.join(parts)}], axis=0)", dt, (None,), ident=new_ident())
    ax = normalize_axis(axis, rank, node)
    total = 0
    for a in arrays:
        total = None if total is None or a.shape[ax] is None else total + a.shape[ax]
    shape = list(arrays[0].shape)
    shape[ax] = total
    for i in range(rank):
        if i != ax:
            known = {a.shape[i] for a in arrays if a.shape[i] is not None}
            shape[i] = known.pop() if len(known) == 1 else None
    return Tensor(f"tf.concat([{', '.join(parts)}], axis={ax})", dt, tuple(shape), ident=new_ident())


lowering("numpy.concatenate", "tf.concat", aliases=("numpy.concat",))(
    lambda ctx, a, k, n: _join(ctx, "concatenate", a, k, n, stack=False))
lowering("numpy.stack", "tf.stack")(lambda ctx, a, k, n: _join(ctx, "stack", a, k, n, stack=True))


@lowering("numpy.hstack", "tf.concat")
def hstack(ctx, args, kwargs, node):
    arrays = [_atleast(ctx, a, 1) for a in _arrays(ctx, args[0] if args else kwargs.get("tup"), node)]
    ax = 0 if arrays and arrays[0].rank == 1 else 1
    return _join(ctx, "concatenate", [Seq(tuple(arrays))], {"axis": Static(ax)}, node, False)


@lowering("numpy.vstack", "tf.concat", aliases=("numpy.row_stack",) if hasattr(np, "row_stack") else ())
def vstack(ctx, args, kwargs, node):
    arrays = _arrays(ctx, args[0] if args else kwargs.get("tup"), node)
    return _join(ctx, "concatenate", [Seq(tuple(_atleast(ctx, a, 2) for a in arrays))], {"axis": Static(0)}, node, False)


def _atleast(ctx, a: Tensor, n: int) -> Tensor:
    if a.rank >= n:
        return a
    if a.rank == 0:
        return Tensor(f"tf.reshape({a.expr}, {[1] * n})", a.dtype, (1,) * n, ident=a.ident)
    return Tensor(f"tf.expand_dims({a.expr}, 0)", a.dtype, (1,) + a.shape, ident=a.ident)


@lowering("numpy.flip", "tf.reverse")
def flip(ctx, args, kwargs, node):
    p = bind("np.flip", args, kwargs, [("m", REQUIRED), ("axis", None)], node)
    x = tensor(ctx, p["m"], node)
    axes = normalize_axes(static_axis(p["axis"], node), x.rank, node)
    return Tensor(f"tf.reverse({x.expr}, {list(axes)})", x.dtype, x.shape, ident=x.ident)


@lowering("numpy.roll", "tf.roll")
def roll(ctx, args, kwargs, node):
    p = bind("np.roll", args, kwargs, [("a", REQUIRED), ("shift", REQUIRED), ("axis", None)], node)
    x = tensor(ctx, p["a"], node)
    shift = static(p["shift"], "shift", node)
    axis = static_axis(p["axis"], node)
    if axis is None:
        x = ctx.materialize(x, "x")
        return Tensor(f"tf.reshape(tf.roll(tf.reshape({x.expr}, [-1]), {shift!r}, 0), tf.shape({x.expr}))",
                      x.dtype, x.shape, ident=new_ident())
    axes = [normalize_axis(a, x.rank, node) for a in ((axis,) if isinstance(axis, int) else axis)]
    shifts = [shift] * len(axes) if isinstance(shift, int) else list(shift)
    # An empty input rolls to itself, as in NumPy: the Roll kernels take the shift modulo max(dim, 1) (checked
    # on CPU and under XLA in tests/test_roll.py), so no tf.cond around it (an If per call in tf.data)
    return Tensor(f"tf.roll({x.expr}, {shifts}, {axes})", x.dtype, x.shape, ident=new_ident())


@lowering("numpy.repeat", "tf.repeat")
def repeat(ctx, args, kwargs, node):
    p = bind("np.repeat", args, kwargs, [("a", REQUIRED), ("repeats", REQUIRED), ("axis", None)], node)
    x = tensor(ctx, p["a"], node)
    reps = static(p["repeats"], "repeats", node)
    if not isinstance(reps, (int, np.integer)) or reps < 0:
        raise Refusal("P202", "np.repeat with per-element or negative repeats is not supported yet", node)
    axis = static_axis(p["axis"], node)
    if axis is None:
        x = ctx.materialize(x, "x")
        return Tensor(f"tf.repeat(tf.reshape({x.expr}, [-1]), {int(reps)})", x.dtype, (None,), ident=new_ident())
    ax = normalize_axis(axis, x.rank, node)
    shape = list(x.shape)
    shape[ax] = None if shape[ax] is None else shape[ax] * int(reps)
    return Tensor(f"tf.repeat({x.expr}, {int(reps)}, axis={ax})", x.dtype, tuple(shape), ident=new_ident())


@lowering("numpy.tile", "tf.tile")
def tile(ctx, args, kwargs, node):
    p = bind("np.tile", args, kwargs, [("A", REQUIRED), ("reps", REQUIRED)], node)
    x = tensor(ctx, p["A"], node)
    reps = static(p["reps"], "reps", node)
    reps = [int(reps)] if isinstance(reps, (int, np.integer)) else [int(r) for r in reps]
    rank = max(x.rank, len(reps))
    reps = [1] * (rank - len(reps)) + reps
    expr, shape = x.expr, x.shape
    if x.rank < rank:
        shape = (1,) * (rank - x.rank) + shape
        expr = f"tf.reshape({ctx.materialize(x, 'x').expr}, tf.concat([{[1] * (rank - x.rank)}, tf.shape({x.expr})], 0))"
    out = tuple(None if d is None else d * r for d, r in zip(shape, reps))
    return Tensor(f"tf.tile({expr}, {reps})", x.dtype, out, ident=new_ident())


@lowering("numpy.rot90", "tf.reverse")
def rot90(ctx, args, kwargs, node):
    p = bind("np.rot90", args, kwargs, [("m", REQUIRED), ("k", 1), ("axes", (0, 1))], node)
    x = tensor(ctx, p["m"], node)
    k = int(static(p["k"], "k", node)) % 4
    a0, a1 = [normalize_axis(a, x.rank, node) for a in static(p["axes"], "axes", node)]
    if x.rank < 2 or a0 == a1:
        raise Refusal("P301", "np.rot90 needs two different axes of an array of rank >= 2: NumPy raises", node)
    perm = list(range(x.rank))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 0:
        return x
    if k == 2:
        return Tensor(f"tf.reverse({x.expr}, [{a0}, {a1}])", x.dtype, x.shape, ident=new_ident())
    swapped = tuple(x.shape[i] for i in perm)
    if k == 1:  # flip(axis=a1) then swap
        return Tensor(f"tf.transpose(tf.reverse({x.expr}, [{a1}]), {perm})", x.dtype, swapped, ident=new_ident())
    return Tensor(f"tf.reverse(tf.transpose({x.expr}, {perm}), [{a1}])", x.dtype, swapped, ident=new_ident())


@lowering("numpy.ravel", "tf.reshape")
def ravel(ctx, args, kwargs, node):
    p = bind("np.ravel", args, kwargs, [("a", REQUIRED), ("order", "C")], node, refuse_unless_default=("order",))
    x = tensor(ctx, p["a"], node)
    n = None if any(d is None for d in x.shape) else int(np.prod(x.shape, dtype=np.int64))
    return Tensor(f"tf.reshape({x.expr}, [-1])", x.dtype, (n,), ident=x.ident)


@lowering("numpy.swapaxes", "tf.transpose")
def swapaxes(ctx, args, kwargs, node):
    p = bind("np.swapaxes", args, kwargs, [("a", REQUIRED), ("axis1", REQUIRED), ("axis2", REQUIRED)], node)
    x = tensor(ctx, p["a"], node)
    a, b = (normalize_axis(static(p[k], k, node), x.rank, node) for k in ("axis1", "axis2"))
    perm = list(range(x.rank))
    perm[a], perm[b] = perm[b], perm[a]
    return transpose(ctx, x, perm, node)


@lowering("numpy.moveaxis", "tf.transpose")
def moveaxis(ctx, args, kwargs, node):
    p = bind("np.moveaxis", args, kwargs, [("a", REQUIRED), ("source", REQUIRED), ("destination", REQUIRED)], node)
    x = tensor(ctx, p["a"], node)
    src, dst = static(p["source"], "source", node), static(p["destination"], "destination", node)
    src = [normalize_axis(s, x.rank, node) for s in ((src,) if isinstance(src, int) else src)]
    dst = [normalize_axis(d, x.rank, node) for d in ((dst,) if isinstance(dst, int) else dst)]
    order = [n for n in range(x.rank) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(ctx, x, order, node)


@lowering("numpy.broadcast_to", "tf.broadcast_to")
def broadcast_to(ctx, args, kwargs, node):
    p = bind("np.broadcast_to", args, kwargs, [("array", REQUIRED), ("shape", REQUIRED), ("subok", False)], node)
    x = tensor(ctx, p["array"], node)
    dims = _dims_arg(p["shape"], node)
    shape = tuple(d.value if isinstance(d, Static) else None for d in dims)
    parts = [str(d.value) if isinstance(d, Static) else code.cast(d.expr, d.dtype, "int32") for d in dims]
    return Tensor(f"tf.broadcast_to({x.expr}, [{', '.join(parts)}])", x.dtype, shape, ident=new_ident())


@lowering("numpy.atleast_1d", "tf.reshape")
def atleast_1d(ctx, args, kwargs, node):
    if len(args) != 1 or kwargs:
        raise Refusal("P205", "np.atleast_1d of several arrays is not supported", node)
    return _atleast(ctx, tensor(ctx, args[0], node), 1)


@lowering("numpy.atleast_2d", "tf.reshape")
def atleast_2d(ctx, args, kwargs, node):
    if len(args) != 1 or kwargs:
        raise Refusal("P205", "np.atleast_2d of several arrays is not supported", node)
    return _atleast(ctx, tensor(ctx, args[0], node), 2)


@lowering("numpy.diff", "tf.math.subtract")
def diff(ctx, args, kwargs, node):
    p = bind("np.diff", args, kwargs, [("a", REQUIRED), ("n", 1), ("axis", -1), ("prepend", None),
                                       ("append", None)], node)
    x = tensor(ctx, p["a"], node)
    n = int(static(p["n"], "n", node))
    ax = normalize_axis(static(p["axis"], "axis", node), x.rank, node)
    parts = []
    for key in ("prepend", "append"):
        v = p[key]
        if isinstance(v, Static) and v.value is None:
            parts.append(None)
            continue
        t = tensor(ctx, v, node)
        if t.rank == 0:
            shape_expr = f"tf.tensor_scatter_nd_update(tf.shape({ctx.materialize(x, 'x').expr}), [[{ax}]], [1])"
            t = Tensor(f"tf.broadcast_to({t.expr}, {shape_expr})", t.dtype, x.shape[:ax] + (1,) + x.shape[ax + 1:])
        parts.append(t)
    if parts[0] is not None or parts[1] is not None:
        seq = [t for t in (parts[0], x, parts[1]) if t is not None]
        x = _join(ctx, "concatenate", [Seq(tuple(seq))], {"axis": Static(ax)}, node, False)
    x = ctx.materialize(x, "x")
    out_dtype = x.dtype
    if x.dtype == "bool":
        raise Refusal("P201", "np.diff of booleans (logical xor) is not supported yet", node)
    expr = x.expr
    shape = list(x.shape)
    for _ in range(n):
        hi = ", ".join("1:" if i == ax else ":" for i in range(x.rank))
        lo = ", ".join(":-1" if i == ax else ":" for i in range(x.rank))
        e = ctx.bind(expr, "d")
        expr = f"{e}[{hi}] - {e}[{lo}]"
        shape[ax] = None if shape[ax] is None else max(shape[ax] - 1, 0)
    return Tensor(expr, out_dtype, tuple(shape), ident=new_ident())


for _name, _samples in {
    "reshape": (S("{f}(x, (-1,))", x="a[m,n]"), S("{f}(x, (2, -1))", x="a[m,2]"),
                S("{f}(x, (x.shape[1], x.shape[0]))", x="a[m,n]")),
    "transpose": (S("{f}(x)", x="a[m,n,k]"), S("{f}(x, (1, 0, 2))", x="a[m,n,k]"), S("{f}(x, (-1, 0, 1))", x="a[m,n,k]")),
    "expand_dims": (S("{f}(x, 0)", x="a[m]"), S("{f}(x, (0, -1))", x="a[m,n]")),
    "squeeze": (S("{f}(x, axis=1)", x="a[m,1]"), S("{f}(x)", x="a[2,1]"), S("{f}(x, axis=0)", x="a[m,n]")),
    "concatenate": (S("{f}((x, y))", x="a[m,n]", y="a[k,n]"), S("{f}([x, y], axis=-1)", x="a[m,n]", y="a[m,k]"),
                    S("{f}((x, y), axis=None)", x="a[m,n]", y="a[k]")),
    "concat": (S("{f}((x, y))", x="a[m,n]", y="a[k,n]"),),
    "stack": (S("{f}((x, y))", x="a[m,n]", y="a[m,n]"), S("{f}([x, y], axis=-1)", x="a[m,n]", y="a[m,n]")),
    "hstack": (S("{f}((x, y))", x="a[m]", y="a[n]"), S("{f}((x, y))", x="a[m,n]", y="a[m,k]"),
               S("{f}((x, y))", x="a[]", y="a[m]")),
    "vstack": (S("{f}((x, y))", x="a[n]", y="a[n]"), S("{f}((x, y))", x="a[m,n]", y="a[k,n]")),
    "flip": (S("{f}(x)", x="a[m,n]"), S("{f}(x, axis=-1)", x="a[m,n]")),
    "roll": (S("{f}(x, 1)", x="a[m,n]"), S("{f}(x, -2, axis=1)", x="a[m,n]"),
             S("{f}(x, (1, 2), axis=(0, 1))", x="a[m,n]")),
    "repeat": (S("{f}(x, 2)", x="a[m,n]"), S("{f}(x, 3, axis=-1)", x="a[m,n]")),
    "tile": (S("{f}(x, 2)", x="a[m,n]"), S("{f}(x, (2, 1, 3))", x="a[m,n]")),
    "rot90": (S("{f}(x)", x="a[m,n]"), S("{f}(x, 2)", x="a[m,n]"), S("{f}(x, -1, axes=(1, 2))", x="a[m,n,k]")),
    "ravel": (S("{f}(x)", x="a[m,n]"),),
    "swapaxes": (S("{f}(x, 0, -1)", x="a[m,n,k]"),),
    "moveaxis": (S("{f}(x, 0, -1)", x="a[m,n,k]"), S("{f}(x, (0, 1), (2, 0))", x="a[m,n,k]")),
    "broadcast_to": (S("{f}(x, (3, x.shape[0]))", x="a[m]"), S("{f}(x, (2, 3))", x="a[m]")),
    "atleast_1d": (S("{f}(x)", x="a[]"), S("{f}(x)", x="a[m,n]")),
    "atleast_2d": (S("{f}(x)", x="a[]"), S("{f}(x)", x="a[m]"), S("{f}(x)", x="a[m,n]")),
    "diff": (S("{f}(x)", x="n[m,n]"), S("{f}(x, n=2, axis=0)", x="n[m,n]"), S("{f}(x, prepend=0)", x="n[m]")),
}.items():
    add_samples(f"numpy.{_name}", *_samples)
if hasattr(np, "row_stack"):
    add_samples("numpy.row_stack", S("{f}((x, y))", x="a[m,n]", y="a[k,n]"))
