"""Reading `x[...]`: NumPy's basic indexing (ints, slices, None, ...), boolean masks, integer arrays."""
from __future__ import annotations

from dataclasses import dataclass

import gast
import numpy as np

from ..diagnostics import Refusal
from . import code
from .context import new_ident
from .shapes import broadcast, dim
from .values import Seq, Static, Tensor, is_static, named_array_as_tensor, python_scalar_kind, static_value, to_value


@dataclass(frozen=True)
class SliceV:
    lower: object
    upper: object
    step: object


def lower_index_expr(ctx, node):
    from .expressions import lower_expr
    if isinstance(node, gast.Slice):
        parts = [None if p is None else lower_expr(ctx, p) for p in (node.lower, node.upper, node.step)]
        if all(p is None or is_static(p) for p in parts):
            return Static(slice(*(None if p is None else static_value(p) for p in parts)))
        return SliceV(*parts)
    if isinstance(node, gast.Tuple):
        return Seq(tuple(lower_index_expr(ctx, e) for e in node.elts), "tuple")
    return lower_expr(ctx, node)


def lower_subscript(ctx, node: gast.Subscript):
    from .expressions import lower_expr
    base = lower_expr(ctx, node.value)
    index = lower_index_expr(ctx, node.slice)
    return index_value(ctx, base, index, node)


def index_value(ctx, base, index, node):
    from . import text
    if text.involved(base, index):
        return text.index(ctx, base, index, node)
    base = named_array_as_tensor(base)
    if is_static(base) and is_static(index):
        from .operators import fold
        return fold(lambda b, i: b[i], [base, index], node)
    if isinstance(base, Seq):
        if isinstance(index, Static) and isinstance(index.value, int):
            try:
                return base.items[index.value]
            except IndexError:
                raise Refusal("P301", "tuple index out of range: Python raises", node)
        if isinstance(index, Static) and isinstance(index.value, slice):
            return Seq(base.items[index.value], base.kind)
        raise Refusal("P210", "indexing a Python sequence with a run-time value is not supported", node)
    if isinstance(base, Static) and base.is_array:
        base = Tensor(code.tensor_expr(base), np.asarray(base.value).dtype.name, np.shape(base.value))
    if not isinstance(base, Tensor):
        raise Refusal("P210", f"indexing a {type(base).__name__} is not supported", node)
    if base.eager:
        raise Refusal("P204", "indexing a py_function argument follows TensorFlow's rules; call .numpy() first",
                      node)
    return index_tensor(ctx, base, index, node)


def components(index) -> list:
    if isinstance(index, Seq) and index.kind == "tuple":
        return list(index.items)
    return [index]


def is_basic(c) -> bool:
    if isinstance(c, SliceV):
        return True
    if isinstance(c, Static):
        v = c.value
        return v is None or v is Ellipsis or isinstance(v, slice) or (type(v) in (int,) or isinstance(v, np.integer))
    if isinstance(c, Tensor):
        return c.rank == 0 and np.dtype(c.dtype).kind in "iu" and (c.weak or True)
    return False


def expand_ellipsis(comps: list, rank: int, node) -> list:
    n_real = sum(1 for c in comps if not (isinstance(c, Static) and (c.value is None or c.value is Ellipsis)))
    n_real += sum(c.rank - 1 for c in comps if isinstance(c, Tensor) and c.dtype == "bool" and c.rank > 1)
    ell = [i for i, c in enumerate(comps) if isinstance(c, Static) and c.value is Ellipsis]
    if len(ell) > 1:
        raise Refusal("P301", "an index can only have a single ellipsis: NumPy raises", node)
    fill = [Static(slice(None))] * (rank - n_real)
    if n_real > rank:
        raise Refusal("P301", f"too many indices for an array of rank {rank}: NumPy raises", node)
    if ell:
        i = ell[0]
        return comps[:i] + fill + comps[i + 1:]
    return comps + fill


def index_tensor(ctx, t: Tensor, index, node):
    comps = [c if not isinstance(c, Seq) else _seq_to_array(c, node) for c in components(index)]
    comps = expand_ellipsis(comps, t.rank, node)
    if all(is_basic(c) for c in comps):
        return basic_index(ctx, t, comps, node)
    return advanced_index(ctx, t, comps, node)


def _seq_to_array(s: Seq, node):
    if is_static(s):
        arr = np.asarray(static_value(s))
        return Static(arr)
    from . import code as c
    return Tensor(c.tensor_expr(s), c.dtype_of(s), c.shape_of(s))


def _render(c) -> str:
    if isinstance(c, SliceV):
        parts = ["" if p is None else _scalar_code(p) for p in (c.lower, c.upper, c.step)]
        return f"{parts[0]}:{parts[1]}" + (f":{parts[2]}" if parts[2] else "")
    if isinstance(c, Static):
        v = c.value
        if v is None:
            return "tf.newaxis"
        if isinstance(v, slice):
            parts = ["" if p is None else str(int(p)) for p in (v.start, v.stop, v.step)]
            return f"{parts[0]}:{parts[1]}" + (f":{parts[2]}" if parts[2] else "")
        return str(int(v))
    return _scalar_code(c)


def _scalar_code(v) -> str:
    if isinstance(v, Static):
        if v.value is None:
            return ""
        return str(int(v.value))
    if isinstance(v, Tensor) and v.rank == 0 and np.dtype(v.dtype).kind in "iu":
        return code.cast(v.expr, v.dtype, "int64")
    raise Refusal("P210", "slice bounds must be integers", None)


def basic_index(ctx, t: Tensor, comps: list, node) -> Tensor:
    shape, axis = [], 0
    for c in comps:
        if isinstance(c, Static) and c.value is None:
            shape.append(1)
            continue
        d = t.shape[axis]
        if isinstance(c, Static) and isinstance(c.value, slice):
            if d is not None:
                shape.append(len(range(*c.value.indices(d))))
            elif c.value == slice(None):
                shape.append(None)
            else:
                shape.append(None)
        elif isinstance(c, SliceV):
            shape.append(None)
        elif isinstance(c, Static):
            if d is not None and not -d <= int(c.value) < d:
                raise Refusal("P301", f"index {c.value} is out of bounds for axis {axis} with size {d}: "
                                      "NumPy raises", node)
        axis += 1
    if all(isinstance(c, Static) and c.value == slice(None) for c in comps):
        return t.with_(ident=t.ident)
    t = t if t.expr.isidentifier() or t.expr.startswith("tf.constant(") else ctx.materialize(t, "x")
    expr = f"{t.expr}[{', '.join(_render(c) for c in comps)}]"
    # basic indexing returns a view: it shares the buffer of the base
    return Tensor(expr, t.dtype, tuple(shape), ident=t.ident)


def advanced_index(ctx, t: Tensor, comps: list, node) -> Tensor:
    arrays = [(i, c) for i, c in enumerate(comps) if not is_basic(c)]
    others_full = all(isinstance(c, Static) and c.value == slice(None) for i, c in enumerate(comps)
                      if i not in dict(arrays))
    if any(isinstance(c, Static) and c.value is None for c in comps):
        raise Refusal("P215", "mixing np.newaxis with array indices is not supported yet", node)
    if len(arrays) == 1 and others_full:
        pos, idx = arrays[0]
        idx = _as_index_tensor(idx)
        if idx.dtype == "bool":
            return _mask_index(ctx, t, pos, idx, node)
        return _gather(ctx, t, pos, idx, node)
    if len(arrays) == len(comps) and all(_as_index_tensor(c).dtype != "bool" for _, c in arrays):
        return _gather_nd(ctx, t, [_as_index_tensor(c) for _, c in arrays], node)
    if len(arrays) == 1:
        # basic parts first (a view), then the single array index on the remaining axes
        pos, idx = arrays[0]
        if all(is_basic(c) for c in comps[:pos]) and all(isinstance(c, Static) and c.value == slice(None)
                                                            for c in comps[pos + 1:]):
            squeezed = sum(1 for c in comps[:pos] if not isinstance(c, (SliceV,)) and not
                           (isinstance(c, Static) and isinstance(c.value, slice)))
            head = basic_index(ctx, t, comps[:pos] + [Static(slice(None))] * (len(comps) - pos), node)
            return advanced_index(ctx, head, [Static(slice(None))] * (pos - squeezed) + [idx] +
                                  [Static(slice(None))] * (len(comps) - pos - 1), node)
    raise Refusal("P215", "this combination of array and slice indices is not supported yet", node)


def _as_index_tensor(c) -> Tensor:
    if isinstance(c, Tensor):
        return c
    if isinstance(c, Static):
        arr = np.asarray(c.value)
        if arr.dtype.kind not in "iub":
            raise Refusal("P301", f"arrays used as indices must be of integer or boolean type: NumPy raises", None)
        return Tensor(code.tensor_expr(Static(arr)), arr.dtype.name, arr.shape)
    raise Refusal("P215", "unsupported index", None)


def _mask_index(ctx, t: Tensor, pos: int, mask: Tensor, node) -> Tensor:
    for k in range(mask.rank):
        a, b = mask.shape[k], t.shape[pos + k] if pos + k < t.rank else None
        if a is not None and b is not None and a != b:
            raise Refusal("P301", "boolean index does not match the indexed array: NumPy raises", node)
    t = ctx.materialize(t, "x")
    mask = ctx.materialize(mask, "mask")
    # NumPy raises when the mask's shape differs from the dimensions it indexes; boolean_mask checks too
    ctx.emit(f"tf.debugging.assert_equal(tf.shape({mask.expr}), tf.shape({t.expr})[{pos}:{pos + mask.rank}], "
             f"message='boolean index did not match indexed array')")
    expr = f"tf.boolean_mask({t.expr}, {mask.expr}, axis={pos})"
    shape = t.shape[:pos] + (None,) + t.shape[pos + mask.rank:]
    return Tensor(expr, t.dtype, shape, ident=new_ident())


def checked_indices(ctx, idx: Tensor, n_expr: str, hint="idx") -> str:
    """Negative indices wrap as in NumPy; out-of-range ones raise (TF's gather on GPU would return 0)."""
    idx = ctx.materialize(idx, hint)
    n = ctx.bind(f"tf.cast({n_expr}, {code.tf_dtype(idx.dtype)})", "n")
    ctx.emit(f"tf.debugging.assert_less({idx.expr}, {n}, message='index out of bounds')")
    if np.dtype(idx.dtype).kind == "i":
        ctx.emit(f"tf.debugging.assert_greater_equal({idx.expr}, -{n}, message='index out of bounds')")
        return ctx.bind(f"tf.where({idx.expr} < 0, {idx.expr} + {n}, {idx.expr})", hint)
    return idx.expr


def _gather(ctx, t: Tensor, pos: int, idx: Tensor, node) -> Tensor:
    t = ctx.materialize(t, "x")
    if idx.dtype not in ("int32", "int64"):
        idx = idx.with_(expr=f"tf.cast({idx.expr}, tf.int64)", dtype="int64")
    safe = checked_indices(ctx, idx, f"tf.shape({t.expr})[{pos}]")
    shape = t.shape[:pos] + idx.shape + t.shape[pos + 1:]
    return Tensor(f"tf.gather({t.expr}, {safe}, axis={pos})", t.dtype, shape, ident=new_ident())


def _gather_nd(ctx, t: Tensor, idxs: list[Tensor], node) -> Tensor:
    t = ctx.materialize(t, "x")
    bshape = broadcast([i.shape for i in idxs], node)
    idxs = [ctx.materialize(i if i.dtype == "int64" else i.with_(expr=f"tf.cast({i.expr}, tf.int64)", dtype="int64"),
                            "idx") for i in idxs]
    target = ctx.bind(f"tf.shape({idxs[0].expr})", "bs")
    for i in idxs[1:]:
        target = ctx.bind(f"tf.broadcast_dynamic_shape({target}, tf.shape({i.expr}))", "bs")
    # NumPy broadcasts the index arrays first and checks the bounds of what they address: an empty
    # broadcast (x[np.arange(1), empty]) addresses nothing and never raises
    cols = [checked_indices(ctx, i.with_(expr=f"tf.broadcast_to({i.expr}, {target})"), f"tf.shape({t.expr})[{axis}]")
            for axis, i in enumerate(idxs)]
    stacked = ctx.bind("tf.stack([" + ", ".join(cols) + "], axis=-1)", "nd")
    shape = bshape + t.shape[len(idxs):]
    return Tensor(f"tf.gather_nd({t.expr}, {stacked})", t.dtype, shape, ident=new_ident())
