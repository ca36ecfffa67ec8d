"""Products and norms: matmul (and `@`), dot, einsum, outer, np.linalg.norm."""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.dtypes import probe, result_dtype
from transpiler.lower.shapes import normalize_axes
from transpiler.lower.values import Seq, Static, Tensor

from .args import REQUIRED, bind, static, static_axis, tensor
from .registry import S, add_samples, lowering

_FLOAT = ("float16", "float32", "float64")


def matmul(ctx, operands, node) -> Tensor:
    a, b = (tensor(ctx, v, node) for v in operands)
    dt = result_dtype(probe(np.matmul, [a, b], {}, node, "matmul"))
    if dt not in _FLOAT:
        raise Refusal("P201", f"matmul of {dt} is not converted (TF's integer matmul kernels are limited)", node)
    if a.rank == 0 or b.rank == 0:
        raise Refusal("P301", "matmul of a scalar: NumPy raises", node)
    ae, be = code.cast(a.expr, a.dtype, dt), code.cast(b.expr, b.dtype, dt)
    if a.rank == 1 and b.rank == 1:
        return Tensor(f"tf.tensordot({ae}, {be}, 1)", dt, (), ident=new_ident())
    if a.rank == 1:
        expr = f"tf.squeeze(tf.linalg.matmul(tf.expand_dims({ae}, 0), {be}), -2)"
        return Tensor(expr, dt, b.shape[:-2] + b.shape[-1:], ident=new_ident())
    if b.rank == 1:
        expr = f"tf.squeeze(tf.linalg.matmul({ae}, tf.expand_dims({be}, -1)), -1)"
        return Tensor(expr, dt, a.shape[:-1], ident=new_ident())
    batch = a.shape[:-2] if len(a.shape) >= len(b.shape) else b.shape[:-2]
    return Tensor(f"tf.linalg.matmul({ae}, {be})", dt, batch + (a.shape[-2], b.shape[-1]), ident=new_ident())


@lowering("numpy.matmul", "tf.linalg.matmul", status="partial", limits="floating-point operands only")
def np_matmul(ctx, args, kwargs, node):
    p = bind("np.matmul", args, kwargs, [("x1", REQUIRED), ("x2", REQUIRED)], node)
    return matmul(ctx, [p["x1"], p["x2"]], node)


@lowering("numpy.dot", "tf.tensordot", status="partial", limits="floating-point operands of rank <= 2 only")
def dot(ctx, args, kwargs, node):
    p = bind("np.dot", args, kwargs, [("a", REQUIRED), ("b", REQUIRED), ("out", None)], node,
             refuse_unless_default=("out",))
    a, b = tensor(ctx, p["a"], node), tensor(ctx, p["b"], node)
    if a.rank > 2 or b.rank > 2 or a.rank == 0 or b.rank == 0:
        raise Refusal("P205", "np.dot of scalars or arrays of rank > 2 is not converted yet", node)
    return matmul(ctx, [a, b], node)


@lowering("numpy.einsum", "tf.einsum", status="partial", limits="floating-point operands, explicit subscripts")
def einsum(ctx, args, kwargs, node):
    if kwargs:
        raise Refusal("P205", "np.einsum keyword arguments are not supported", node)
    subscripts = static(args[0], "the einsum subscripts", node)
    if not isinstance(subscripts, str) or "." in subscripts:
        raise Refusal("P205", "np.einsum needs a literal subscripts string without ellipsis", node)
    ops = [tensor(ctx, v, node) for v in args[1:]]
    dt = result_dtype(probe(np.einsum, [Static(subscripts)] + ops, {}, node, "np.einsum"))
    if dt not in _FLOAT:
        raise Refusal("P201", f"einsum of {dt} is not converted", node)
    if "->" in subscripts:
        out_sub = subscripts.split("->")[1].strip()
    else:
        letters = subscripts.replace(",", "")
        out_sub = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    ins = subscripts.split("->")[0].split(",")
    dims = {}
    for sub, t in zip(ins, ops):
        for ch, d in zip(sub.strip(), t.shape):
            if d is not None:
                dims[ch] = d
    shape = tuple(dims.get(ch) for ch in out_sub)
    parts = ", ".join(code.cast(t.expr, t.dtype, dt) for t in ops)
    return Tensor(f"tf.einsum({subscripts!r}, {parts})", dt, shape, ident=new_ident())


@lowering("numpy.outer", "tf.tensordot", status="partial", limits="floating-point operands only")
def outer(ctx, args, kwargs, node):
    a, b = tensor(ctx, args[0], node), tensor(ctx, args[1], node)
    dt = result_dtype(probe(np.outer, [a, b], {}, node, "np.outer"))
    a, b = ctx.materialize(a, "a"), ctx.materialize(b, "b")
    n = lambda t: None if any(d is None for d in t.shape) else int(np.prod(t.shape))
    expr = (f"tf.reshape({code.cast(a.expr, a.dtype, dt)}, [-1, 1]) * "
            f"tf.reshape({code.cast(b.expr, b.dtype, dt)}, [1, -1])")
    return Tensor(expr, dt, (n(a), n(b)), ident=new_ident())


@lowering("numpy.linalg.norm", "tf.norm", status="partial",
          limits="ord None or 2 over vector axes (Frobenius for matrices with ord None); other ords refused")
def norm(ctx, args, kwargs, node):
    p = bind("np.linalg.norm", args, kwargs, [("x", REQUIRED), ("ord", None), ("axis", None), ("keepdims", False)],
             node)
    x = tensor(ctx, p["x"], node)
    ord_ = static(p["ord"], "ord", node)
    axis = static_axis(p["axis"], node)
    keep = bool(static(p["keepdims"], "keepdims", node))
    if ord_ is not None and not (ord_ == 2 and isinstance(axis, int)):
        raise Refusal("P205", f"np.linalg.norm(ord={ord_!r}) is not converted yet", node)
    dt = result_dtype(probe(np.linalg.norm, [x], {"axis": axis, "keepdims": keep}, node, "np.linalg.norm"))
    axes = normalize_axes(axis, x.rank, node)
    xs = ctx.bind(code.cast(x.expr, x.dtype, dt), "x")
    # NumPy computes sqrt(sum(x*x)) (no scaling): overflow behaves the same
    expr = f"tf.math.sqrt(tf.math.reduce_sum(tf.math.square(tf.math.abs({xs})), axis={list(axes)}, keepdims={keep}))"
    shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape)) if keep else \
        tuple(d for i, d in enumerate(x.shape) if i not in axes)
    return Tensor(expr, dt, shape, ident=new_ident())


add_samples("numpy.matmul", S("{f}(x, y)", x="f[m,n]", y="f[n,k]"), S("{f}(x, y)", x="f[n]", y="f[k,n,m]"),
            S("{f}(x, y)", x="f[k,m,n]", y="f[n]"))
add_samples("numpy.dot", S("{f}(x, y)", x="f[m,n]", y="f[n]"), S("{f}(x, y)", x="f[n]", y="f[n]"))
add_samples("numpy.einsum", S("{f}('ij,jk->ik', x, y)", x="f[m,n]", y="f[n,k]"), S("{f}('ii', x)", x="f[m,m]"),
            S("{f}('ij->j', x)", x="f[m,n]"))
add_samples("numpy.outer", S("{f}(x, y)", x="a[m]", y="a[k,n]"))
add_samples("numpy.linalg.norm", S("{f}(x)", x="f[m,n]"), S("{f}(x, axis=-1)", x="n[m,n]"),
            S("{f}(x, 2, axis=0)", x="f[m,n]"))
