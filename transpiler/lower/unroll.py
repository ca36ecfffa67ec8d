"""Loops and comprehensions over iterables known when converting: unrolled, exactly as Python runs them.

`for s in (16, 32):`, `for i in range(3):`, `[f(x) for x in SIZES]`. Loops over run-time data are a
later stage; `break`/`continue` are refused here.
"""
from __future__ import annotations

import gast

from ..diagnostics import Refusal
from .values import Seq, Static, Tensor, is_static, static_value, to_value

MAX_UNROLL = 64


def static_items(ctx, iterable, node) -> list:
    if isinstance(iterable, Seq):
        items = list(iterable.items)
    elif isinstance(iterable, Static) and not isinstance(iterable.value, (str, bytes)):
        try:
            items = [to_value(v) for v in iterable.value]
        except TypeError:
            raise Refusal("P301", "iterating over a non-iterable: Python raises", node)
    elif isinstance(iterable, Tensor) and iterable.rank >= 1 and iterable.shape[0] is not None:
        t = ctx.materialize(iterable, "rows")
        items = [Tensor(f"{t.expr}[{i}]", t.dtype, t.shape[1:], ident=t.ident) for i in range(t.shape[0])]
    else:
        raise Refusal("P222", "a loop over a run-time sequence (data-dependent trip count) is not converted yet",
                      node)
    if len(items) > MAX_UNROLL:
        raise Refusal("P222", f"a loop of {len(items)} iterations is too long to unroll", node)
    return items


def lower_for(ctx, stmt: gast.For):
    """Unrolled when the items are known and the body never breaks; a tf.while_loop otherwise."""
    from .assignment import assign_target
    from .expressions import lower_expr
    from .loops import jumps, lower_dynamic_for
    from .statements import lower_body
    range_args = _runtime_range(ctx, stmt.iter)
    if range_args is not None:
        return lower_dynamic_for(ctx, stmt, None, range_args)
    zipped = _runtime_zip(ctx, stmt.iter)
    if zipped is not None:
        from .loops import lower_dynamic_zip
        return lower_dynamic_zip(ctx, stmt, *zipped)
    iterable = lower_expr(ctx, stmt.iter)
    from .lists import ArrayList
    if isinstance(iterable, ArrayList):
        iterable = iterable.stacked          # a run-time list's items are its stacked rows
    if isinstance(iterable, Tensor) and iterable.rank >= 1 and (
            iterable.shape[0] is None or any(jumps(s) for s in stmt.body)):
        return lower_dynamic_for(ctx, stmt, iterable)
    if any(jumps(s) for s in stmt.body):
        raise Refusal("P222", "`break`/`continue` in a loop over a Python sequence are not converted yet", stmt)
    if stmt.orelse:
        raise Refusal("P222", "`for ... else` is not converted yet", stmt)
    for item in static_items(ctx, iterable, stmt):
        assign_target(ctx, stmt.target, item, stmt)
        returned, value = lower_body(ctx, stmt.body)
        if returned:
            return True, value
    return False, None


def _runtime_zip(ctx, node):
    """([arrays], start) for `enumerate(x, start)` / `zip(x, y, ...)` when an array's length is known only at run
    time, else None (sequences of known length are unrolled)."""
    from .expressions import lower_expr
    from .lists import ArrayList
    if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id in ("enumerate", "zip")
            and ctx.lookup(node.func.id) is None and node.func.id not in ctx.module.top_names):
        return None
    if node.func.id == "enumerate" and len(node.args) == 2 and not node.keywords:
        node = gast.Call(func=node.func, args=node.args[:1],
                         keywords=[gast.keyword(arg="start", value=node.args[1])])
    args = [lower_expr(ctx, a) for a in node.args]
    args = [a.stacked if isinstance(a, ArrayList) else a for a in args]
    if not any(isinstance(a, Tensor) and a.rank >= 1 and a.shape[0] is None for a in args):
        return None
    if not all(isinstance(a, Tensor) and a.rank >= 1 for a in args):
        raise Refusal("P222", f"{node.func.id}() over a run-time array and something that is not an array is not "
                              "converted yet", node)
    if node.func.id == "zip":
        if node.keywords:
            raise Refusal("P222", "zip(strict=...) is not converted yet", node)
        return args, None
    start = Static(0)
    if len(args) != 1 or len(node.keywords) > 1 or (node.keywords and node.keywords[0].arg != "start"):
        raise Refusal("P222", "enumerate() with these arguments is not converted", node)
    if node.keywords:
        start = lower_expr(ctx, node.keywords[0].value)
    if not (isinstance(start, Static) and type(start.value) is int):
        raise Refusal("P222", "enumerate(start=...) known only at run time is not converted yet", node)
    return args, start.value


def _runtime_range(ctx, node):
    """(start, stop, step) of `range(...)` when a bound is known only at run time (or the loop breaks),
    else None: a fully static range is unrolled like any sequence."""
    from .expressions import lower_expr
    if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == "range"
            and ctx.lookup("range") is None and "range" not in ctx.module.top_names and not node.keywords):
        return None
    args = [lower_expr(ctx, a) for a in node.args]
    if not 1 <= len(args) <= 3 or all(is_static(a) for a in args):
        return None
    start, stop, step = (Static(0), args[0], Static(1)) if len(args) == 1 else \
        (args[0], args[1], args[2] if len(args) == 3 else Static(1))
    if not (isinstance(step, Static) and type(step.value) is int and step.value != 0):
        raise Refusal("P222", "range() with a step known only at run time (or 0) is not converted yet", node)
    return start, stop, step.value


def lower_comprehension(ctx, node: gast.ListComp):
    from .assignment import assign_target
    from .expressions import lower_expr, truth
    from .text import RunList, comprehension
    from .lists import runtime_comprehension
    if _runtime_range(ctx, node.generators[0].iter) is not None:  # a tf.while_loop building a TensorArray
        return runtime_comprehension(ctx, node)
    first = lower_expr(ctx, node.generators[0].iter)    # evaluated once, in the enclosing scope
    if isinstance(first, Tensor) and first.rank >= 1 and first.shape[0] is None:
        return runtime_comprehension(ctx, node)
    if isinstance(first, RunList):                      # tokens of run-time length: mapped, not unrolled
        return comprehension(ctx, node, first)
    results = []

    def run(generators):
        if not generators:
            results.append(lower_expr(ctx, node.elt))
            return
        gen = generators[0]
        if gen.is_async:
            raise Refusal("P222", "async comprehensions", node)
        iterable = first if gen is node.generators[0] else lower_expr(ctx, gen.iter)
        for item in static_items(ctx, iterable, node):
            assign_target(ctx, gen.target, item, node)
            keep = True
            for cond in gen.ifs:
                c = lower_expr(ctx, cond)
                if not is_static(c):
                    raise Refusal("P222", "a comprehension filter on run-time values is not converted yet", cond)
                keep = keep and bool(static_value(c))
            if keep:
                run(generators[1:])

    saved = dict(ctx.scope.values)
    try:
        run(node.generators)
    finally:
        ctx.scope.values = saved  # comprehension variables do not leak (Python 3)
    return Seq(tuple(results), "list")
