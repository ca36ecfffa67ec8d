"""More shape manipulation: atleast_3d, split/array_split/hsplit/vsplit/dsplit, dstack, column_stack,
flipud/fliplr, rollaxis, permute_dims, matrix_transpose, unstack, broadcast_arrays, ndim/shape/size, append."""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.shapes import broadcast, dim, normalize_axis, size
from transpiler.lower.values import Seq, Static, Tensor, to_value

from .args import REQUIRED, bind, static, static_axis, tensor
from .registry import S, lowering
from .shape_ops import _arrays, _atleast, _join, transpose


def _atleast3(ctx, a: Tensor) -> Tensor:
    if a.rank >= 3:
        return a
    if a.rank == 0:
        return Tensor(f"tf.reshape({a.expr}, [1, 1, 1])", a.dtype, (1, 1, 1), ident=a.ident)
    if a.rank == 1:
        return Tensor(f"tf.expand_dims(tf.expand_dims({a.expr}, 0), -1)", a.dtype, (1,) + a.shape + (1,), ident=a.ident)
    return Tensor(f"tf.expand_dims({a.expr}, -1)", a.dtype, a.shape + (1,), ident=a.ident)


@lowering("numpy.atleast_3d", "tf.reshape", samples=(S("{f}(x)", x="a[]"), S("{f}(x)", x="a[m]"),
                                                     S("{f}(x)", x="a[m,n]")))
def atleast_3d(ctx, args, kwargs, node):
    if len(args) != 1 or kwargs:
        raise Refusal("P205", "np.atleast_3d of several arrays is not supported", node)
    return _atleast3(ctx, tensor(ctx, args[0], node))


@lowering("numpy.dstack", "tf.concat", samples=(S("{f}((x, y))", x="a[m]", y="a[m]"),
                                                S("{f}([x, y])", x="a[m,n]", y="a[m,n]")))
def dstack(ctx, args, kwargs, node):
    arrays = [_atleast3(ctx, a) for a in _arrays(ctx, args[0] if args else kwargs.get("tup"), node)]
    return _join(ctx, "concatenate", [Seq(tuple(arrays))], {"axis": Static(2)}, node, False)


@lowering("numpy.column_stack", "tf.concat", samples=(S("{f}((x, y))", x="a[m]", y="a[m]"),
                                                      S("{f}((x, y))", x="a[m,n]", y="a[m]")))
def column_stack(ctx, args, kwargs, node):
    arrays = []
    for a in _arrays(ctx, args[0] if args else kwargs.get("tup"), node):
        if a.rank < 2:
            a = _atleast(ctx, a, 1)
            a = Tensor(f"tf.expand_dims({a.expr}, -1)", a.dtype, a.shape + (1,), ident=a.ident)
        arrays.append(a)
    return _join(ctx, "concatenate", [Seq(tuple(arrays))], {"axis": Static(1)}, node, False)


def _flip_axis(ax, need):
    def lower(ctx, args, kwargs, node):
        p = bind(f"np.{'flipud' if ax == 0 else 'fliplr'}", args, kwargs, [("m", REQUIRED)], node)
        x = tensor(ctx, p["m"], node)
        if x.rank < need:
            raise Refusal("P301", f"Input must be >= {need}-d: NumPy raises", node)
        return Tensor(f"tf.reverse({x.expr}, [{ax}])", x.dtype, x.shape, ident=x.ident)
    return lower


lowering("numpy.flipud", "tf.reverse", samples=(S("{f}(x)", x="a[m,n]"), S("{f}(x)", x="a[m]")))(_flip_axis(0, 1))
lowering("numpy.fliplr", "tf.reverse", samples=(S("{f}(x)", x="a[m,n]"),))(_flip_axis(1, 2))


@lowering("numpy.rollaxis", "tf.transpose", samples=(S("{f}(x, 2)", x="a[m,n,k]"), S("{f}(x, 0, 3)", x="a[m,n,k]"),
                                                     S("{f}(x, -1, 1)", x="a[m,n,k]")))
def rollaxis(ctx, args, kwargs, node):
    p = bind("np.rollaxis", args, kwargs, [("a", REQUIRED), ("axis", REQUIRED), ("start", 0)], node)
    x = tensor(ctx, p["a"], node)
    n = x.rank
    axis = normalize_axis(int(static(p["axis"], "axis", node)), n, node)
    start = int(static(p["start"], "start", node))
    if start < 0:
        start += n
    if not 0 <= start < n + 1:
        raise Refusal("P301", "start is out of bounds: NumPy raises", node)
    if axis < start:
        start -= 1
    if axis == start:
        return x
    axes = list(range(n))
    axes.remove(axis)
    axes.insert(start, axis)
    return transpose(ctx, x, axes, node)


@lowering("numpy.permute_dims", "tf.transpose", samples=(S("{f}(x)", x="a[m,n,k]"), S("{f}(x, (2, 0, 1))", x="a[m,n,k]")))
def permute_dims(ctx, args, kwargs, node):
    p = bind("np.permute_dims", args, kwargs, [("a", REQUIRED), ("axes", None)], node)
    return transpose(ctx, tensor(ctx, p["a"], node), static(p["axes"], "axes", node), node)


def _matrix_transpose(ctx, args, kwargs, node):
    p = bind("np.matrix_transpose", args, kwargs, [("x", REQUIRED)], node)
    x = tensor(ctx, p["x"], node)
    if x.rank < 2:
        raise Refusal("P301", "matrix_transpose needs an array of rank >= 2: NumPy raises", node)
    perm = list(range(x.rank))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return transpose(ctx, x, perm, node)


for _n in ("numpy.matrix_transpose", "numpy.linalg.matrix_transpose"):
    lowering(_n, "tf.transpose", samples=(S("{f}(x)", x="a[m,n]"), S("{f}(x)", x="a[k,m,n]")))(_matrix_transpose)


@lowering("numpy.unstack", "tf.unstack", status="partial", limits="the unstacked axis must have a size known when "
          "converting", samples=(S("{f}(x)", x="a[3,n]"), S("{f}(x, axis=-1)", x="a[m,2]")))
def unstack(ctx, args, kwargs, node):
    p = bind("np.unstack", args, kwargs, [("x", REQUIRED), ("axis", 0)], node)
    x = ctx.materialize(tensor(ctx, p["x"], node), "x")
    if x.rank == 0:
        raise Refusal("P301", "Input array must be at least 1-d: NumPy raises", node)
    ax = normalize_axis(int(static(p["axis"], "axis", node)), x.rank, node)
    if x.shape[ax] is None:
        raise Refusal("P202", "np.unstack along an axis of unknown size (the number of results)", node)
    shape = x.shape[:ax] + x.shape[ax + 1:]
    sl = lambda i: ", ".join(str(i) if j == ax else ":" for j in range(x.rank))
    return Seq(tuple(Tensor(f"{x.expr}[{sl(i)}]", x.dtype, shape, ident=new_ident()) for i in range(x.shape[ax])),
               "tuple")


@lowering("numpy.broadcast_arrays", "tf.broadcast_to", samples=(S("{f}(x, y)", x="a[m,1]", y="a[n]"),
                                                                S("{f}(x, y, z)", x="a[m,n~]", y="a[n]", z="a[]")))
def broadcast_arrays(ctx, args, kwargs, node):
    if kwargs:
        raise Refusal("P205", "np.broadcast_arrays(subok=...) is not supported", node)
    xs = [ctx.materialize(tensor(ctx, a, node), "b") for a in args]
    shape = broadcast([x.shape for x in xs], node)
    target = "tf.shape(" + xs[0].expr + ")" if xs else "[]"
    for x in xs[1:]:
        target = f"tf.broadcast_dynamic_shape({target}, tf.shape({x.expr}))"
    target = ctx.bind(target, "shape")
    return Seq(tuple(Tensor(f"tf.broadcast_to({x.expr}, {target})", x.dtype, shape, ident=new_ident()) for x in xs),
               "tuple")


@lowering("numpy.ndim", "tf.rank", samples=(S("{f}(x) + x", x="a[m,n]"),))
def ndim(ctx, args, kwargs, node):
    p = bind("np.ndim", args, kwargs, [("a", REQUIRED)], node)
    return Static(tensor(ctx, p["a"], node).rank)


@lowering("numpy.shape", "tf.shape", samples=(S("np.zeros({f}(x))", x="a[m,n]"), S("{f}(x)[0] + x", x="n[m]")))
def shape(ctx, args, kwargs, node):
    p = bind("np.shape", args, kwargs, [("a", REQUIRED)], node)
    x = tensor(ctx, p["a"], node)
    return Seq(tuple(dim(ctx, x, i) for i in range(x.rank)), "tuple")


@lowering("numpy.size", "tf.size", samples=(S("{f}(x) + x", x="n[m,n]"), S("{f}(x, 1) * x", x="n[m,n]")))
def np_size(ctx, args, kwargs, node):
    p = bind("np.size", args, kwargs, [("a", REQUIRED), ("axis", None)], node)
    x = ctx.materialize(tensor(ctx, p["a"], node), "x")
    axis = static(p["axis"], "axis", node)
    if axis is None:
        return size(ctx, x)
    return dim(ctx, x, normalize_axis(int(axis), x.rank, node))


@lowering("numpy.append", "tf.concat", samples=(S("{f}(x, y)", x="a[m,n]", y="a[k]"),
                                                S("{f}(x, y, axis=0)", x="a[m,n]", y="a[k,n]")))
def append(ctx, args, kwargs, node):
    p = bind("np.append", args, kwargs, [("arr", REQUIRED), ("values", REQUIRED), ("axis", None)], node)
    return _join(ctx, "concatenate", [Seq((p["arr"], p["values"]))], {"axis": p["axis"]}, node, False)


# -- split family -----------------------------------------------------------------------------------

def _split(ctx, x: Tensor, sections, ax: int, node, equal: bool):
    x = ctx.materialize(x, "x")
    n = ctx.bind(f"tf.shape({x.expr}, out_type=tf.int64)[{ax}]", "n")

    def part(lo, hi, known):
        sl = ", ".join(f"{lo}:{hi}" if j == ax else ":" for j in range(x.rank))
        shape = tuple(known if j == ax else d for j, d in enumerate(x.shape))
        return Tensor(f"{x.expr}[{sl}]", x.dtype, shape, ident=new_ident())

    if isinstance(sections, (int, np.integer)):
        k = int(sections)
        if k <= 0:
            raise Refusal("P301", "number sections must be larger than 0: NumPy raises", node)
        if equal:
            code.check(ctx, f"tf.math.equal(tf.math.floormod({n}, {k}), 0)",
                       "array split does not result in an equal division", scalar=True)
        each = ctx.bind(f"{n} // {k}", "each")
        extra = ctx.bind(f"tf.math.floormod({n}, {k})", "extra")
        bounds = [ctx.bind(f"{i} * {each} + tf.math.minimum({extra}, {i})", "b") for i in range(k + 1)]
        known = x.shape[ax]
        sizes = [None] * k if known is None else [known // k + (1 if i < known % k else 0) for i in range(k)]
        return Seq(tuple(part(bounds[i], bounds[i + 1], sizes[i]) for i in range(k)), "list")
    idx = [int(i) for i in sections]
    # Python slice semantics on each [previous, next) pair: clipped, negative counted from the end
    pts = [0] + idx + [None]
    out = []
    for lo, hi in zip(pts[:-1], pts[1:]):
        out.append(part(lo if lo is not None else "", hi if hi is not None else "", None))
    return Seq(tuple(out), "list")


def _split_lowering(name, fixed_axis=None, need_rank=0):
    def lower(ctx, args, kwargs, node):
        spec = [("ary", REQUIRED), ("indices_or_sections", REQUIRED)]
        if fixed_axis is None:
            spec.append(("axis", 0))
        p = bind(f"np.{name}", args, kwargs, spec, node)
        x = tensor(ctx, p["ary"], node)
        if x.rank < need_rank or (name in ("hsplit",) and x.rank == 0):
            raise Refusal("P301", f"np.{name} only works on arrays of {max(need_rank, 1)} or more dimensions: "
                                  "NumPy raises", node)
        if fixed_axis is None:
            axis = int(static(p["axis"], "axis", node))
        elif name == "hsplit":
            axis = 1 if x.rank > 1 else 0
        else:
            axis = fixed_axis
        ax = normalize_axis(axis, x.rank, node)
        sections = static(p["indices_or_sections"], "indices_or_sections", node)
        return _split(ctx, x, sections, ax, node, equal=name != "array_split")
    return lower


# NumPy returns a list; a function returning it gives one stacked output, so the samples pick parts
lowering("numpy.split", "tf.split", samples=(S("np.stack({f}(x, 2))", x="a[4,n]"), S("{f}(x, 3, axis=-1)[1]", x="a[m,n]"),
                                             S("{f}(x, [1, 3])[0]", x="a[m]"), S("{f}(x, [1, 3])[1]", x="a[m]"),
                                             S("{f}(x, [-2, 1, 5], axis=1)[2]", x="a[m,n]"),
                                             S("{f}(x, [-2, 1, 5], axis=1)[3]", x="a[m,n]")))(
    _split_lowering("split"))
lowering("numpy.array_split", "tf.split", samples=(S("{f}(x, 3)[0]", x="a[m]"), S("{f}(x, 3)[2]", x="a[m]"),
                                                   S("{f}(x, 2, axis=1)[1]", x="a[m,n]")))(
    _split_lowering("array_split"))
lowering("numpy.hsplit", "tf.split", samples=(S("np.stack({f}(x, 2))", x="a[m,4]"), S("{f}(x, [1])[1]", x="a[m]")))(
    _split_lowering("hsplit", fixed_axis=1))
lowering("numpy.vsplit", "tf.split", samples=(S("np.stack({f}(x, 2))", x="a[4,n]"), S("{f}(x, [2])[0]", x="a[m,n]")))(
    _split_lowering("vsplit", fixed_axis=0, need_rank=2))
lowering("numpy.dsplit", "tf.split", samples=(S("np.stack({f}(x, 2))", x="a[m,n,2]"),))(
    _split_lowering("dsplit", fixed_axis=2, need_rank=3))
