"""Calls: op-table entries, the user's own helpers (inlined with the caller), dtype constructors.

All-static calls of pure NumPy/math functions are computed with NumPy itself when the code is
generated (np.eye(10), np.hanning(16).astype(np.float32)): the result is exact by construction.
"""
from __future__ import annotations

import warnings

import gast
import numpy as np

from ..constants import Unknown, is_pure_numpy, qualified_object
from ..diagnostics import Refusal
from .context import Scope
from .values import Callable_, Module_, Seq, Static, Tensor, is_static, static_value, to_value


def lower_args(ctx, node: gast.Call):
    from .expressions import lower_expr, lower_items
    args = lower_items(ctx, node.args, "*args over a run-time array is not supported")
    kwargs = {}
    for kw in node.keywords:
        if kw.arg is None:
            raise Refusal("P210", "**kwargs in a call are not supported", kw.value)
        kwargs[kw.arg] = lower_expr(ctx, kw.value)
    return args, kwargs


def lower_call(ctx, node: gast.Call):
    from .expressions import lower_expr
    callee = lower_expr(ctx, node.func)
    args, kwargs = lower_args(ctx, node)
    return call_value(ctx, callee, args, kwargs, node)


def call_value(ctx, callee, args, kwargs, node):
    from opmap import REGISTRY, UNSUPPORTED
    from .lists import ArrayList, call_with_list
    if isinstance(callee, Callable_) and not callee.qualname.startswith("user:") and \
            any(isinstance(a, ArrayList) for a in list(args) + list(kwargs.values())):
        return call_with_list(ctx, callee.qualname, args, kwargs, node)   # a list of run-time length
    if isinstance(callee, Static) and isinstance(callee.value, type) and issubclass(callee.value, np.generic):
        return REGISTRY["numpy.dtype_constructor"].lower(ctx, [Static(np.dtype(callee.value))] + args, kwargs, node)
    if isinstance(callee, Module_):
        entry = user_entry(callee.qualname)
        if entry is not None:   # a user-registered entry (opmap.register_user_op, pyproject ops-modules)
            return entry.lower(ctx, args, kwargs, node)
        raise Refusal("P208", f"`{callee.qualname}` is a call into a library this tool does not translate "
                              "(no TensorFlow equivalent is known)", node)
    if not isinstance(callee, Callable_):
        raise Refusal("P207", f"calling a {type(callee).__name__} is not supported", node)
    name = callee.qualname
    from . import text
    if name.startswith("text:"):
        return text.call_method(ctx, callee.payload, name[5:], args, kwargs, node)
    if not name.startswith(("user:", "method:")) and name not in UNSUPPORTED and (
            text.involved(*args, *kwargs.values()) or name.startswith("re.") or
            (name == "builtins.str" and not all(is_static(a) for a in args))):
        return text.call_function(ctx, name, args, kwargs, node)
    if name.startswith("user:"):
        return inline_helper(ctx, callee.payload, list(callee.bound_args) + args,
                             {**dict(callee.bound_kwargs), **kwargs}, node)
    if name.startswith("method:"):
        receiver = callee.payload
        method = name[7:]
        if isinstance(receiver, Static) and is_static(Seq(tuple(args))) and all(is_static(v) for v in kwargs.values()):
            return _fold(getattr(receiver.value, method), args, kwargs, node, f".{method}()")
        key = f"numpy.ndarray.{method}"
        if isinstance(receiver, Static) and isinstance(receiver.value, dict) and method == "get" and \
                not text.involved(*args, *kwargs.values()) and 1 <= len(args) <= 2 and not kwargs:
            from .const_tables import lookup        # a run-time number as the key
            return lookup(ctx, receiver, args[0], args[1] if len(args) == 2 else Static(None), node, "default")
        if isinstance(receiver, Static) and (isinstance(receiver.value, (str, bytes, dict)) or
                                             text.involved(*args, *kwargs.values())):
            return text.static_method(ctx, receiver, method, args, kwargs, node)
        entry = REGISTRY.get(key)
        if entry is None:
            raise Refusal("P201", UNSUPPORTED.get(key, f"ndarray.{method}() is not in the op table yet"), node)
        return entry.lower(ctx, [receiver] + args, kwargs, node)
    entry = REGISTRY.get(name)
    static_args = all(is_static(v) for v in args) and all(is_static(v) for v in kwargs.values())
    if static_args and (entry is None or entry.foldable):
        if is_pure_numpy(name):
            return _fold(qualified_object(name), args, kwargs, node, name)
        if name.startswith("builtins.") and name[9:] in _FOLDABLE_BUILTINS:
            import builtins
            return _fold(getattr(builtins, name[9:]), args, kwargs, node, name)
    if entry is not None:
        return entry.lower(ctx, args, kwargs, node)
    if name in UNSUPPORTED:
        raise Refusal("P201", f"`{_short(name)}`: {UNSUPPORTED[name]}", node)
    if name.startswith(("numpy.", "math.", "builtins.")):
        raise Refusal("P201", f"`{_short(name)}` is not in the op table yet", node)
    raise Refusal("P208", f"`{name}` is a call into a library this tool does not translate "
                          "(no TensorFlow equivalent is known)", node)


def user_entry(qualname: str):
    from opmap import REGISTRY, load_project_ops
    if qualname not in REGISTRY:
        try:
            load_project_ops()
        except Exception as e:  # a broken pyproject.toml or ops module: say so at the call, convert nothing
            raise Refusal("P208", f"`{qualname}`: the [tool.pyfunc2tf] ops-modules could not be loaded "
                                  f"({type(e).__name__}: {str(e)[:150]})")
    return REGISTRY.get(qualname)


_FOLDABLE_BUILTINS = {"abs", "min", "max", "round", "len", "float", "int", "bool", "sum", "tuple", "list",
                      "range", "zip", "enumerate", "sorted", "reversed", "divmod", "pow", "str", "isinstance"}


def _short(name: str) -> str:
    return name.replace("numpy.", "np.").replace("builtins.", "")


def _fold(fn, args, kwargs, node, what):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            result = fn(*[static_value(a) for a in args], **{k: static_value(v) for k, v in kwargs.items()})
        except Exception as e:
            raise Refusal("P301", f"{what} raises in the original ({type(e).__name__}: {str(e)[:100]})", node)
    if isinstance(result, (range, zip, enumerate, map, filter, reversed)):
        result = list(result)
    if isinstance(result, np.ndarray) and result.dtype == object:
        raise Refusal("P201", f"{what} gives an object array", node)
    return to_value(result)


def inline_helper(ctx, fn: gast.FunctionDef, args: list, kwargs: dict, node, closure: dict | None = None):
    """Lower a call to the user's own function by lowering its body with these argument values."""
    from .expressions import lower_expr
    from .statements import lower_body
    name = getattr(fn, "name", None) or "lambda"      # module-level `_wrap = lambda a: ...` too
    if fn in ctx.inline_stack:
        raise Refusal("P213", f"`{name}` is recursive; recursion is not converted", node)
    values = bind_arguments(ctx, fn, args, kwargs, node)
    ctx.inline_stack.append(fn)
    ctx.scopes.append(Scope(dict(closure or {}), prefix=f"{name.strip('_')}_"))
    finalize, ctx.finalize = ctx.finalize, None    # a helper's return is a value, not the site's output
    try:
        for k, v in values.items():
            ctx.assign(k, v)
        if isinstance(fn, gast.Lambda):
            returned, value = True, lower_expr(ctx, fn.body)
        else:
            returned, value = lower_body(ctx, fn.body)
    finally:
        ctx.finalize = finalize
        ctx.scopes.pop()
        ctx.inline_stack.pop()
    return value if returned else Static(None)


def bind_arguments(ctx, fn, args: list, kwargs: dict, node) -> dict:
    a = fn.args
    if a.vararg or a.kwarg or a.kwonlyargs or getattr(a, "posonlyargs", None):
        raise Refusal("P214", f"`{getattr(fn, 'name', 'lambda')}` uses *args, **kwargs or keyword-only "
                              "parameters; not supported yet", fn)
    params = [p.id for p in a.args]
    if len(args) > len(params):
        raise Refusal("P301", f"too many arguments for `{getattr(fn, 'name', 'lambda')}`: Python raises", node)
    values = dict(zip(params, args))
    for k, v in kwargs.items():
        if k not in params or k in values:
            raise Refusal("P301", f"unexpected or repeated argument {k}=: Python raises", node)
        values[k] = v
    defaults = dict(zip(params[len(params) - len(a.defaults):], a.defaults))
    for p in params:
        if p not in values:
            if p not in defaults:
                raise Refusal("P301", f"missing argument `{p}`: Python raises", node)
            try:
                values[p] = to_value(ctx.module.constants.eval(defaults[p]))
            except Exception:
                raise Refusal("P107", f"the default of `{p}` is not a constant", defaults[p])
    return values
