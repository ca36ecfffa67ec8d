"""The expression walker: gast expression -> Value, dispatching each node kind to its concern."""
from __future__ import annotations

import re

import gast
import numpy as np

from ..constants import Unknown, qualified_object
from ..diagnostics import Refusal
from . import attributes, calls, code, indexing, operators, text, unroll
from .values import Callable_, Module_, Seq, Static, Tensor, Unbound, is_static, static_value, to_value


def lower_expr(ctx, node):
    handler = _HANDLERS.get(type(node))
    if handler is None:
        raise Refusal("P210", f"{type(node).__name__} expressions are not supported yet", node)
    return handler(ctx, node)


def _constant(ctx, node):
    if isinstance(node.value, (str, bytes)):
        return Static(node.value)
    return Static(node.value)


def _name(ctx, node: gast.Name):
    v = ctx.lookup(node.id)
    if isinstance(v, Unbound):
        raise Refusal("P109", f"`{node.id}` is bound on some paths only (a branch or a loop that may not run): "
                              f"Python may raise UnboundLocalError here", node)
    if v is not None:
        return v
    module = ctx.module
    if node.id in module.defs:
        return Callable_(f"user:{node.id}", module.defs[node.id])
    bound = module.constants.assignments.get(node.id, [])
    if len(bound) == 1 and isinstance(bound[0], gast.Lambda) and node.id not in module.constants.defined_elsewhere:
        return Callable_(f"user:{node.id}", bound[0])
    q = module.imports.qualify(node)
    if q is not None:
        return resolve_qualified(q, node)
    if node.id in ("True", "False", "None"):
        return Static({"True": True, "False": False, "None": None}[node.id])
    from opmap.random_ops import module_generator
    generator = module_generator(ctx, node.id, node)  # RNG = np.random.default_rng(0) at module level
    if generator is not None:
        return generator
    from .regex import module_pattern
    pattern = module_pattern(ctx, node.id, node)      # PAT = re.compile(r"...") at module level
    if pattern is not None:
        return pattern
    try:
        value = module.constants.value(node.id)
    except Unknown:
        value = computed_constant(module, node.id)
    if value is not Unknown:
        if isinstance(value, (np.ndarray, np.generic)) or type(value) in (int, float, bool, str, bytes, tuple, list,
                                                                          dict, set, frozenset):
            ctx.note("P901", f"module constant `{node.id}` is read at trace time (frozen in the graph)", node)
            if isinstance(value, (np.ndarray, dict)):   # a dict: text lookups read its keys by name
                return Static(value, global_name=node.id)
            return to_value(value)
        if isinstance(value, type(np)) or callable(value):
            pass
        raise Refusal("P108", f"`{node.id}` holds a {type(value).__name__}, which is not supported", node)
    import builtins
    if hasattr(builtins, node.id) and node.id not in module.top_names:
        return Callable_(f"builtins.{node.id}")
    if node.id in module.top_names:
        raise Refusal("P108", f"`{node.id}` is a module-level value this tool cannot read as a constant "
                              "(it is computed by code, reassigned, or not a number/array)", node)
    raise Refusal("P109", f"`{node.id}` is not defined", node)


def computed_constant(module, name: str):
    """A single module-level assignment computed by the user's code: run its slice in a subprocess."""
    from ..computed import compute_constant
    from ..resolve import module_slice
    cache = module.__dict__.setdefault("_computed", {})
    if name not in cache:
        single = len(module.constants.assignments.get(name, [])) == 1 and \
            name not in module.constants.defined_elsewhere
        value = compute_constant(module_slice(module, {name}), name) if single else None
        cache[name] = Unknown if value is None else value
    return cache[name]


def resolve_qualified(q: str, node):
    """numpy.linalg -> Module_; numpy.pi -> Static; numpy.mean -> Callable_."""
    if q.startswith(("numpy", "math")):
        try:
            obj = qualified_object(q)
        except Unknown:
            raise Refusal("P201", f"`{q}` does not exist in the installed NumPy", node)
        if isinstance(obj, type(np)):
            return Module_(q)
        if isinstance(obj, (float, int)):
            return Static(obj)
        if isinstance(obj, type) and issubclass(obj, np.generic):
            return Static(obj)  # a scalar type: a dtype argument, or called as a cast
        return Callable_(q)
    if q.startswith("tensorflow"):
        raise Refusal("P206", f"`{q}` inside the wrapped function (TensorFlow called from Python) is not "
                              "converted", node)
    if q.startswith("re.") and isinstance(getattr(re, q[3:], None), re.RegexFlag):
        return Static(getattr(re, q[3:]))                # re.IGNORECASE & co
    if q.startswith(("functools.", "builtins.", "random.", "re.")):  # random: the op table's `random.*` entries
        return Callable_(q)
    if q.startswith("string.") and q.count(".") == 1:  # string.punctuation & co: constants of the stdlib
        import string
        if isinstance(getattr(string, q[7:], None), str):
            return Static(getattr(string, q[7:]))
    return Module_(q)  # another library: its attributes are followed, calls into it are refused


def lower_items(ctx, nodes, starred_refusal: str) -> list:
    """Lower a list of expressions, expanding `*seq` (a Seq known when converting) in place."""
    items = []
    for e in nodes:
        if isinstance(e, gast.Starred):
            inner = lower_expr(ctx, e.value)
            if not isinstance(inner, Seq):
                raise Refusal("P210", starred_refusal, e)
            items.extend(inner.items)
        else:
            items.append(lower_expr(ctx, e))
    return items


def _sequence(ctx, node):
    items = lower_items(ctx, node.elts, "starred expression over a non-sequence")
    return Seq(tuple(items), "tuple" if isinstance(node, gast.Tuple) else "list")


def _binop(ctx, node: gast.BinOp):
    ufunc = operators.BINOP_UFUNC.get(type(node.op))
    left, right = lower_expr(ctx, node.left), lower_expr(ctx, node.right)
    out = text.binop(ctx, ufunc, left, right, node)
    if out is not None:
        return out
    if isinstance(left, Seq) or isinstance(right, Seq):
        if is_static(left) and is_static(right):
            return operators.fold(operators.PY_OPERATOR[ufunc], [left, right], node)
        if isinstance(node.op, gast.Add) and isinstance(left, Seq) and isinstance(right, Seq):
            return Seq(left.items + right.items, left.kind)
        if isinstance(node.op, gast.Mult) and isinstance(left, Seq) and isinstance(right, Static):
            return Seq(left.items * right.value, left.kind)
        raise Refusal("P210", "this operation on a Python list/tuple is not supported", node)
    return operators.apply_operator(ctx, ufunc, [left, right], node)


def _unary(ctx, node: gast.UnaryOp):
    v = lower_expr(ctx, node.operand)
    if isinstance(node.op, gast.Not):
        if is_static(v):
            return Static(not static_value(v))
        t = truth(ctx, v, node)
        return Tensor(f"tf.math.logical_not({t.expr})", "bool", (), weak=True)
    return operators.apply_operator(ctx, operators.UNARY_UFUNC[type(node.op)], [v], node)


def truth(ctx, v, node) -> Tensor:
    """Python's bool(v): arrays of one element only (NumPy raises otherwise)."""
    if text.involved(v):
        return text.truth(ctx, v, node)
    if isinstance(v, Tensor):
        if any(d is not None and d != 1 for d in v.shape):
            raise Refusal("P301", "the truth value of an array with more than one element is ambiguous: "
                                  "NumPy raises", node)
        if v.rank:
            code.check(ctx, f"tf.math.equal(tf.size({v.expr}), 1)",
                       "The truth value of an array with more than one element is ambiguous", scalar=True)
        expr = v.expr if not v.rank else f"tf.reshape({v.expr}, [])"
        return Tensor(expr if v.dtype == "bool" else f"tf.math.not_equal({expr}, 0)", "bool", (), weak=True)
    raise Refusal("P210", "truth value of this object is not supported", node)


def _compare(ctx, node: gast.Compare):
    if len(node.ops) != 1:
        values = [lower_expr(ctx, node.left)] + [lower_expr(ctx, c) for c in node.comparators]
        if all(is_static(v) for v in values):
            return Static(_chain(values, node.ops, node))
        raise Refusal("P210", "chained comparisons on run-time values are not supported yet", node)
    op = node.ops[0]
    left, right = lower_expr(ctx, node.left), lower_expr(ctx, node.comparators[0])
    out = text.compare(ctx, op, left, right, node)
    if out is not None:
        return out
    if isinstance(op, (gast.Is, gast.IsNot)):
        if is_static(left) and is_static(right):
            same = static_value(left) is static_value(right)
            return Static(same if isinstance(op, gast.Is) else not same)
        if isinstance(right, Static) and right.value is None:
            return Static(isinstance(op, gast.IsNot))  # a run-time array is never None
        raise Refusal("P210", "`is` between run-time values is not supported", node)
    if isinstance(op, (gast.In, gast.NotIn)):
        if is_static(left) and is_static(right):
            inside = static_value(left) in static_value(right)
            return Static(inside if isinstance(op, gast.In) else not inside)
        from .const_tables import contains
        inside = contains(ctx, left, right, node)      # a run-time number in a constant set, dict or list
        if isinstance(inside, Static):
            return Static(inside.value == isinstance(op, gast.In))
        if inside is not None:
            return inside if isinstance(op, gast.In) else \
                Tensor(f"tf.math.logical_not({inside.expr})", "bool", (), weak=True)
        raise Refusal("P210", "`in` on run-time values is not supported yet", node)
    return operators.apply_operator(ctx, operators.COMPARE_UFUNC[type(op)], [left, right], node)


def _dict(ctx, node: gast.Dict):
    """A dict or set display of constants: a constant (read like a module-level one)."""
    if any(k is None for k in node.keys):
        raise Refusal("P210", "`**` in a dict display is not supported", node)
    keys, values = [lower_expr(ctx, k) for k in node.keys], [lower_expr(ctx, v) for v in node.values]
    if not all(is_static(v) for v in keys + values):
        raise Refusal("P210", "a dict of run-time values is not supported yet", node)
    try:
        return Static({static_value(k): static_value(v) for k, v in zip(keys, values)})
    except TypeError as e:
        raise Refusal("P301", f"a dict key is unhashable ({e}): Python raises", node)


def _set(ctx, node: gast.Set):
    items = [lower_expr(ctx, e) for e in node.elts]
    if not all(is_static(v) for v in items):
        raise Refusal("P210", "a set of run-time values is not supported yet", node)
    try:
        return Static({static_value(v) for v in items})
    except TypeError as e:
        raise Refusal("P301", f"a set item is unhashable ({e}): Python raises", node)


def _chain(values, ops, node):
    import operator as o
    table = {gast.Eq: o.eq, gast.NotEq: o.ne, gast.Lt: o.lt, gast.LtE: o.le, gast.Gt: o.gt, gast.GtE: o.ge,
             gast.In: lambda a, b: a in b, gast.NotIn: lambda a, b: a not in b}
    result = True
    for a, op, b in zip(values, ops, values[1:]):
        result = result and table[type(op)](static_value(a), static_value(b))
    return result


def _boolop(ctx, node: gast.BoolOp):
    """`a and b` is `b if a else a`, `a or b` is `a if a else b`: `b` is evaluated only when Python would."""
    out = lower_expr(ctx, node.values[0])
    for operand in node.values[1:]:
        if is_static(out):
            keep = bool(static_value(out))
            if isinstance(node.op, gast.And) != keep:
                return out          # `False and ...`, `True or ...`: the rest is never evaluated
            out = lower_expr(ctx, operand)
            continue
        from .branches import lower_ifexp
        first = ctx.materialize(out, "cond") if isinstance(out, Tensor) else out
        pred = truth(ctx, first, node)
        rest = lambda operand=operand: lower_expr(ctx, operand)
        if isinstance(node.op, gast.And):
            out = lower_ifexp(ctx, pred, rest, lambda: first, node)
        else:
            out = lower_ifexp(ctx, pred, lambda: first, rest, node)
    return out


def _ifexp(ctx, node: gast.IfExp):
    from .branches import lower_condition, lower_ifexp
    cond = lower_condition(ctx, node.test)
    if isinstance(cond, Static):
        return lower_expr(ctx, node.body if cond.value else node.orelse)
    return lower_ifexp(ctx, cond, lambda: lower_expr(ctx, node.body),
                       lambda: lower_expr(ctx, node.orelse), node)


_HANDLERS = {
    gast.Constant: _constant,
    gast.Name: _name,
    gast.Tuple: _sequence,
    gast.List: _sequence,
    gast.BinOp: _binop,
    gast.UnaryOp: _unary,
    gast.Compare: _compare,
    gast.BoolOp: _boolop,
    gast.IfExp: _ifexp,
    gast.Call: lambda ctx, n: calls.lower_call(ctx, n),
    gast.Attribute: lambda ctx, n: attributes.lower_attribute(ctx, n),
    gast.Subscript: lambda ctx, n: indexing.lower_subscript(ctx, n),
    gast.ListComp: lambda ctx, n: unroll.lower_comprehension(ctx, n),
    gast.JoinedStr: lambda ctx, n: text.joined_str(ctx, n),
    gast.Dict: _dict,
    gast.Set: _set,
}
