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
    from .assignment import assign_target
    from .expressions import lower_expr
    from .statements import lower_body
    for sub in gast.walk(stmt):
        if isinstance(sub, (gast.Break, gast.Continue)):
            raise Refusal("P222", "`break`/`continue` are not converted yet", sub)
    if stmt.orelse:
        raise Refusal("P222", "`for ... else` is not converted yet", stmt)
    for item in static_items(ctx, lower_expr(ctx, stmt.iter), stmt):
        assign_target(ctx, stmt.target, item, stmt)
        returned, value = lower_body(ctx, stmt.body)
        if returned:
            return True, value
    return False, None


def lower_comprehension(ctx, node: gast.ListComp):
    from .assignment import assign_target
    from .expressions import lower_expr, truth
    results = []

    def run(generators):
        if not generators:
            results.append(lower_expr(ctx, node.elt))
            return
        gen = generators[0]
        if gen.is_async:
            raise Refusal("P222", "async comprehensions", node)
        for item in static_items(ctx, lower_expr(ctx, gen.iter), node):
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
