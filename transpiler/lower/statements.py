"""Statements of straight-line code: assignment, augmented assignment, return, static `if`, pass.

`lower_body` returns (returned, value): whether a `return` was reached and what it returned. An `if`
whose condition is known when converting (a shape, a constant) lowers only the branch taken; one on
run-time data is refused here (control flow on data is a later stage).
"""
from __future__ import annotations

import gast

from ..diagnostics import Refusal
from . import assignment, code
from .expressions import lower_expr, truth
from .loops import guard_rest, jumps
from .values import Seq, Static, Tensor, is_static, static_value


def lower_body(ctx, body: list) -> tuple[bool, object]:
    for i, stmt in enumerate(body):
        if isinstance(stmt, (gast.Break, gast.Continue)):
            if not ctx.loop_flags:
                raise Refusal("P222", "`break`/`continue` outside a run-time loop", stmt)
            flags = ctx.loop_flags[-1]
            ctx.assign(flags.brk if isinstance(stmt, gast.Break) else flags.cont, Static(True))
            return False, None          # the rest of this block is never reached
        if ctx.loop_flags and i + 1 < len(body) and jumps(stmt):
            # what follows a statement that may break/continue runs only if it did not
            returned, value = lower_body(ctx, [stmt])
            if returned:
                return True, value
            return lower_body(ctx, guard_rest(ctx, stmt, body[i + 1:]))
        if isinstance(stmt, gast.If):
            from .branches import lower_condition, lower_if
            cond = lower_condition(ctx, stmt.test)
            if isinstance(cond, Static):
                returned, value = lower_body(ctx, stmt.body if cond.value else stmt.orelse)
            else:
                returned, value, consumed_rest = lower_if(ctx, stmt, cond, body[i + 1:])
                if consumed_rest:
                    return returned, value
        else:
            returned, value = lower_statement(ctx, stmt)
            if ctx.after_loop:                  # the loop returned from inside: return after it if it did
                after, ctx.after_loop = ctx.after_loop, []
                return lower_body(ctx, after + body[i + 1:])
        if returned:
            return True, value
    return False, None


def contains_return(stmt) -> bool:
    """A `return` in this statement's own code (not in a nested def or lambda)."""
    todo = [stmt]
    while todo:
        node = todo.pop()
        if isinstance(node, gast.Return):
            return True
        if node is not stmt and isinstance(node, (gast.FunctionDef, gast.Lambda, gast.ClassDef)):
            continue
        todo.extend(gast.iter_child_nodes(node))
    return False


def lower_statement(ctx, stmt) -> tuple[bool, object]:
    if isinstance(stmt, gast.Return):
        return True, (Static(None) if stmt.value is None else lower_expr(ctx, stmt.value))
    if isinstance(stmt, gast.Assign):
        value = lower_expr(ctx, stmt.value)
        for target in stmt.targets:
            assignment.assign_target(ctx, target, value, stmt)
        return False, None
    if isinstance(stmt, gast.AnnAssign):
        if stmt.value is not None:
            assignment.assign_target(ctx, stmt.target, lower_expr(ctx, stmt.value), stmt)
        return False, None
    if isinstance(stmt, gast.AugAssign):
        assignment.augmented(ctx, stmt)
        return False, None
    if isinstance(stmt, gast.Expr):
        if isinstance(stmt.value, gast.Constant):
            return False, None  # docstring or a bare literal
        if isinstance(stmt.value, gast.Call):
            return False, _expression_statement(ctx, stmt.value)
        raise Refusal("P216", "an expression statement with no effect is not expected here", stmt)
    if isinstance(stmt, gast.Pass):
        return False, None
    if isinstance(stmt, gast.If):
        return lower_body(ctx, [stmt])
    if isinstance(stmt, gast.While):
        from .loops import lower_while
        return lower_while(ctx, stmt)
    if isinstance(stmt, gast.For):
        from .unroll import lower_for
        return lower_for(ctx, stmt)
    if isinstance(stmt, (gast.Import, gast.ImportFrom)):
        return False, None  # imports were read when the module was parsed
    if isinstance(stmt, gast.Assert):
        cond = lower_expr(ctx, stmt.test)
        if is_static(cond):
            if not static_value(cond):
                raise Refusal("P301", "this assert always fails in the original", stmt)
            return False, None
        t = truth(ctx, cond, stmt)
        code.check(ctx, t.expr, "AssertionError", scalar=True)
        return False, None
    names = {gast.While: "`while` loops", gast.Try: "`try` blocks", gast.With: "`with` blocks",
             gast.Raise: "`raise`", gast.Global: "`global`", gast.Nonlocal: "`nonlocal`",
             gast.FunctionDef: "nested defs", gast.ClassDef: "classes", gast.Delete: "`del`"}
    what = names.get(type(stmt), type(stmt).__name__)
    raise Refusal("P220", f"{what} inside the wrapped function are not converted yet", stmt)


def _expression_statement(ctx, call: gast.Call):
    """A call whose result is dropped: only pure calls can be dropped, mutators must be refused."""
    from .names_io import side_effect_reason
    if _list_append(ctx, call):
        return None
    reason = side_effect_reason(ctx, call)
    if reason:
        raise Refusal("P221", reason, call)
    lower_expr(ctx, call)
    return None


def _list_append(ctx, call: gast.Call) -> bool:
    """`X.append(v)` on a list the lowering holds: a loop's TensorArray, or a list of known length (whose
    new value is rebound; refused when another name holds the same list, which would not see the item)."""
    from .lists import LoopList, append
    f = call.func
    if not (isinstance(f, gast.Attribute) and f.attr == "append" and isinstance(f.value, gast.Name)
            and len(call.args) == 1 and not call.keywords):
        return False
    name, lst = f.value.id, ctx.lookup(f.value.id)
    if isinstance(lst, LoopList):
        append(ctx, name, lst, lower_expr(ctx, call.args[0]), call)
        return True
    if isinstance(lst, Seq) and lst.kind == "list":
        if any(v is lst for k, v in ctx.scope.values.items() if k != name):
            raise Refusal("P231", f"`{name}` is also held by another name, which would see this append", call)
        ctx.assign(name, Seq(lst.items + (lower_expr(ctx, call.args[0]),), "list"))
        return True
    return False
