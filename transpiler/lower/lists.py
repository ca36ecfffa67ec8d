"""Lists of arrays whose length is known only at run time: built by `append` in a run-time loop, or by a
comprehension over a run-time range or the rows of an array.

Inside the loop such a list is a `tf.TensorArray` carried by the tf.while_loop (LoopList); after it, its
items are the rows of one stacked tensor (ArrayList). Items must agree in dtype (NumPy would promote
mixed items; refused), and TensorArray checks at run time that they agree in shape, where NumPy's
np.stack/np.array raise too. What may be done with an ArrayList is what these loops are written for:
`np.stack`/`np.array`/`np.asarray`/`np.vstack`/`np.concatenate` of it, `len`, iteration and indexing
(through its stacked tensor). The rest is refused (P227).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import gast
import numpy as np

from ..diagnostics import Refusal
from . import code
from .context import new_ident
from .values import Seq, Static, Tensor, python_scalar_kind, weak_dtype

_comp_ids = itertools.count(1)


@dataclass(frozen=True)
class LoopList:
    """A list being built inside a run-time loop: `expr` names a tf.TensorArray (NEW before the loop that
    creates it: its TensorArray is written once the items' dtype and shape are known)."""
    expr: str
    dtype: str | None = None        # None until an append has been seen (the first pass over the body)
    item_shape: tuple | None = None
    # appends in the current iteration of the innermost loop that carries it: the most on any path (None: no
    # bound, an append in a nested run-time loop), and whether every path appends that many. A known bound
    # sizes the TensorArray before the loop, which XLA needs (a dynamic_size one compiles to an empty list)
    appends: int | None = 0
    exact: bool = True

    NEW = "<new>"

    @property
    def is_new(self) -> bool:
        return self.expr == self.NEW

    def with_(self, **kw) -> "LoopList":
        return replace(self, **kw)


@dataclass(frozen=True)
class ArrayList:
    """A list of run-time length after its loop: its items are the rows of `stacked`."""
    stacked: Tensor


def appended_lists(body: list) -> set[str]:
    """Names `X` with `X.append(...)` in these statements (not in nested defs)."""
    out = set()
    for stmt in body:
        for node in gast.walk(stmt):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and node.func.attr == "append" \
                    and isinstance(node.func.value, gast.Name):
                out.add(node.func.value.id)
    return out


def loop_entry(name: str, before, node) -> LoopList:
    """What a list appended to in a run-time loop starts as."""
    if isinstance(before, Seq) and before.kind == "list" and not before.items:
        return LoopList(LoopList.NEW)
    raise Refusal("P227", f"`{name}` gets items in a loop with a run-time trip count; only a list that is empty "
                          "before the loop is converted", node)


def item_of(v, node) -> Tensor:
    """An appended value as an array item: Python scalars take NumPy's default dtypes (np.array([1, 2]))."""
    if isinstance(v, Tensor):
        if v.eager:
            raise Refusal("P204", "appending a py_function argument (a TF tensor) to a list is not converted", node)
        return v.with_(weak=False)
    kind = python_scalar_kind(v)
    if kind is not None:
        return Tensor(code.constant(v.value, weak_dtype(kind)), weak_dtype(kind), ())
    if isinstance(v, Static) and isinstance(v.value, (np.ndarray, np.generic)) and v.value.dtype.kind in "biuf":
        return Tensor(code.tensor_expr(v), v.value.dtype.name, np.shape(v.value))
    raise Refusal("P227", f"appending a {type(getattr(v, 'value', v)).__name__} to a list of run-time length is "
                          "not converted", node)


def count_key(name: str) -> str:
    """The scope key of the number of items a run-time list holds: its TensorArray is written at that index
    (a TensorArray of fixed size reports that size, not how many items were written)."""
    return f"<count {name}>"


def zero_count() -> Tensor:
    return Tensor(code.constant(0, "int32"), "int32", ())


def append(ctx, name: str, lst: LoopList, value, node) -> None:
    item = item_of(value, node)
    if lst.dtype is not None and item.dtype != lst.dtype:
        raise Refusal("P225", f"`{name}` gets {lst.dtype} and {item.dtype} items: np.array/np.stack would promote "
                              "them, which depends on which appends ran", node)
    if lst.item_shape is not None and len(lst.item_shape) != item.rank:
        raise Refusal("P225", f"`{name}` gets items of {len(lst.item_shape)} and {item.rank} dimensions", node)
    shape = item.shape if lst.item_shape is None else tuple(
        a if a == b else None for a, b in zip(lst.item_shape, item.shape))
    count = ctx.lookup(count_key(name))
    new = ctx.bind(f"{lst.expr}.write({count.expr}, {item.expr})", _hint(name))
    ctx.assign(count_key(name), Tensor(ctx.bind(f"tf.math.add({count.expr}, 1)", "n_" + _hint(name)), "int32", ()))
    ctx.assign(name, LoopList(new, item.dtype, shape, None if lst.appends is None else lst.appends + 1, lst.exact))


def _hint(name: str) -> str:
    return "items" if name.startswith("<") else name


def capacity(trips: str | None, per_iteration: LoopList) -> str | None:
    """The most items a new list can get in a loop of `trips` iterations (an int64 expression, None for a
    `while` loop), or None when that is not known before the loop."""
    if trips is None or per_iteration.appends is None:
        return None
    return f"tf.cast({trips}, tf.int32)" if per_iteration.appends == 1 else \
        f"tf.cast({trips}, tf.int32) * {per_iteration.appends}"


def initial(lst: LoopList, size: str | None) -> str:
    shape = f"element_shape=tf.TensorShape({list(lst.item_shape)})"
    if size is None:   # no bound: XLA cannot compile the list, the stage after the loop makes sure it fails
        return f"tf.TensorArray({code.tf_dtype(lst.dtype)}, size=0, dynamic_size=True, {shape})"
    return f"tf.TensorArray({code.tf_dtype(lst.dtype)}, size={size}, {shape})"


def after_loop(ctx, name: str, result: str, count: str, lst: LoopList, size: str | None, full: bool) -> ArrayList:
    """The items of a list built by a loop. `full`: every iteration wrote as many items as the TensorArray has
    room for. Otherwise only the first `count` are items: sliced from a fixed-size array (XLA compiles it as
    a bounded dynamic shape), gathered from a dynamic-size one (under XLA `tf.range(count)` must be a
    compile-time constant, so compiling fails instead of returning an empty list)."""
    if size is not None and full:
        stacked = f"{result}.stack()"
    elif size is not None and None not in lst.item_shape:
        stacked = f"{result}.stack()[:{count}]"
    else:
        stacked = f"{result}.gather(tf.range({count}))"
    stacked = ctx.bind(stacked, _hint(name))
    return ArrayList(Tensor(stacked, lst.dtype, (None,) + tuple(lst.item_shape), ident=new_ident()))


def join(ctx, a: LoopList, b: LoopList, what: str, node) -> LoopList:
    """The same list after the two paths of a run-time `if` (an append on one path only)."""
    appends = None if a.appends is None or b.appends is None else max(a.appends, b.appends)
    counts = dict(appends=appends, exact=a.exact and b.exact and a.appends == b.appends)
    if a.dtype is None or b.dtype is None:
        known = a if b.dtype is None else b
        return known.with_(**counts)
    if a.dtype != b.dtype or len(a.item_shape) != len(b.item_shape):
        raise Refusal("P224", f"`{what}` gets different items on the two paths", node)
    return a.with_(item_shape=tuple(x if x == y else None for x, y in zip(a.item_shape, b.item_shape)), **counts)


# -- comprehensions --------------------------------------------------------------------------------------

def runtime_comprehension(ctx, node: gast.ListComp):
    """`[f(i) for i in range(a, n, s) if c]` with a run-time bound, or over the rows of an array of unknown
    length: lowered as the loop `for i in ...: if c: acc.append(f(i))` and its list."""
    if len(node.generators) != 1:
        raise Refusal("P222", "a comprehension with several `for` over run-time lengths is not converted yet", node)
    from .vectorize import vectorized_comprehension
    items = vectorized_comprehension(ctx, node)      # elementwise items: computed at once, without a loop
    if items is not None:
        return items
    gen = node.generators[0]
    acc = f"<comprehension {next(_comp_ids)}>"   # never one of the user's names
    call = gast.Call(func=gast.Attribute(value=gast.Name(id=acc, ctx=gast.Load(), annotation=None,
                                                         type_comment=None),
                                         attr="append", ctx=gast.Load()), args=[node.elt], keywords=[])
    stmt = gast.Expr(value=call)
    body = [stmt]
    for cond in reversed(gen.ifs):
        body = [gast.If(test=cond, body=body, orelse=[])]
    loop = gast.For(target=gen.target, iter=gen.iter, body=body, orelse=[], type_comment=None)
    for n in [call, call.func, call.func.value, stmt, loop] + body:
        gast.copy_location(n, node)
    targets = {n.id for n in gast.walk(gen.target) if isinstance(n, gast.Name)}
    saved = {t: ctx.lookup(t) for t in targets}
    ctx.assign(acc, Seq((), "list"))
    from .unroll import lower_for
    lower_for(ctx, loop)
    result = ctx.lookup(acc)
    del ctx.scope.values[acc]
    for t, v in saved.items():                   # comprehension variables do not leak (Python 3)
        if v is None:
            ctx.scope.values.pop(t, None)
        else:
            ctx.assign(t, v)
    return result


# -- what an ArrayList can be used for ---------------------------------------------------------------------

_STACKING = {"numpy.stack", "numpy.array", "numpy.asarray", "numpy.vstack", "numpy.concatenate"}


def call_with_list(ctx, name: str, args: list, kwargs: dict, node):
    from opmap.args import REQUIRED, bind, dtype_arg, static
    if name == "builtins.len" and len(args) == 1 and not kwargs:
        return Tensor(f"tf.shape({args[0].stacked.expr}, out_type=tf.int64)[0]", "int64", (), weak=True)
    if name not in _STACKING or not isinstance(args[0], ArrayList) or \
            any(isinstance(a, ArrayList) for a in list(args[1:]) + list(kwargs.values())):
        raise Refusal("P227", f"`{name.replace('numpy.', 'np.')}` of a list of run-time length is not converted "
                              "(np.stack, np.array, np.asarray, np.vstack, np.concatenate and len are)", node)
    lst: Tensor = args[0].stacked
    n = f"tf.shape({lst.expr})[0]"
    short = name.replace("numpy.", "np.")
    if name in ("numpy.array", "numpy.asarray"):
        p = bind(short, args, kwargs, [("object", REQUIRED), ("dtype", None)], node)
        dt = dtype_arg(p["dtype"], node) if p["dtype"] is not None else None
        # an empty list gives NumPy's array([]): shape (0,), float64 unless dtype= says otherwise
        if lst.rank > 1 or (dt or "float64") != lst.dtype:
            code.check(ctx, f"{n} > 0", f"pyfunc2tf: {short} of an empty list has shape (0,) and dtype "
                                         f"{dt or 'float64'} in NumPy, which this conversion does not reproduce",
                       scalar=True)
        out = lst if dt is None else lst.with_(expr=code.cast(lst.expr, lst.dtype, dt), dtype=dt)
        return out.with_(ident=new_ident())
    if name == "numpy.stack":
        p = bind(short, args, kwargs, [("arrays", REQUIRED), ("axis", 0)], node)
        axis = static(p["axis"], "axis", node)
        code.check(ctx, f"{n} > 0", "need at least one array to stack", scalar=True)
        if not -lst.rank <= axis < lst.rank:
            raise Refusal("P301", f"axis {axis} is out of bounds for the stacked arrays: NumPy raises", node)
        axis %= lst.rank
        if axis == 0:
            return lst
        perm = list(range(1, axis + 1)) + [0] + list(range(axis + 1, lst.rank))
        shape = tuple(lst.shape[p] for p in perm)
        return Tensor(f"tf.transpose({lst.expr}, {perm})", lst.dtype, shape, ident=new_ident())
    # vstack of 1-D items stacks them; of higher ranks (and concatenate along 0) joins their first axes
    p = bind(short, args, kwargs, [("tup" if name == "numpy.vstack" else "arrays", REQUIRED)] +
             ([("axis", 0)] if name == "numpy.concatenate" else []), node)
    if name == "numpy.concatenate" and static(p["axis"], "axis", node) != 0:
        raise Refusal("P227", "np.concatenate of a run-time list along an axis other than 0 is not converted", node)
    code.check(ctx, f"{n} > 0", "need at least one array to concatenate", scalar=True)
    if lst.rank == 1:
        if name == "numpy.vstack":
            return Tensor(f"tf.reshape({lst.expr}, [-1, 1])", lst.dtype, (None, 1), ident=new_ident())
        raise Refusal("P301", "zero-dimensional arrays cannot be concatenated: NumPy raises", node)
    if name == "numpy.vstack" and lst.rank == 2:
        return lst
    rest = lst.shape[2:]
    dims = ", ".join(str(d) if d is not None else f"tf.shape({lst.expr})[{i + 2}]" for i, d in enumerate(rest))
    first = None if lst.shape[0] is None or lst.shape[1] is None else lst.shape[0] * lst.shape[1]
    return Tensor(f"tf.reshape({lst.expr}, [-1{', ' + dims if dims else ''}])", lst.dtype, (first,) + rest,
                  ident=new_ident())
