"""Lower one wrapped function for one call site: parameters from the signature, body, outputs."""
from __future__ import annotations

from dataclasses import dataclass, field

import gast

from ..diagnostics import Diagnostic, Refusal
from ..signature import ArgSpec
from . import text
from .branches import Finished
from .boundary import convert_output, output_values
from .calls import bind_arguments
from .context import FunctionContext, new_ident
from .dedupe import dedupe_lines
from .expressions import lower_expr
from .statements import lower_body
from .values import Static, Tensor, to_value


@dataclass
class LoweredFunction:
    params: list[str]
    body: list[str]                 # indented lines
    returns: str                    # the return expression
    notes: list[Diagnostic] = field(default_factory=list)
    frozen_attrs: dict = field(default_factory=dict)   # `self` attribute -> repr it was converted for


def input_params(resolved, n_inputs: int | None = None) -> list[str]:
    """The wrapped function's parameters that the call's `inp` fills (after partial's bindings):
    the first `n_inputs` of the remaining positional parameters; later ones keep their defaults."""
    fn = resolved.fn
    params = [a.id for a in fn.args.args]
    params = params[len(resolved.bound_positional):]
    params = [p for p in params if p not in resolved.bound_keywords]
    return params if n_inputs is None else params[:n_inputs]


def lower_function(module, resolved, specs: list[ArgSpec], api: str, tout: list[str],
                   tout_is_list: bool) -> LoweredFunction:
    fn = resolved.fn
    inputs = input_params(resolved, len(specs))
    if len(specs) != len(inputs):
        raise Refusal("P110", f"the signature gives {len(specs)} argument spec(s) but `{resolved.def_name}` "
                              f"takes {len(inputs)} input(s) ({', '.join(inputs)})", fn)
    for s in specs:
        if s.dtype.startswith("complex"):
            raise Refusal("P201", "complex inputs are not converted yet", fn)
    ctx = FunctionContext(module, reserved=set(module.top_names) | set(inputs))
    args = [text.input_value(p, s, api, fn) if s.dtype == "string" else
            Tensor(p, s.dtype, tuple(s.shape), eager=(api == "tf.py_function"), ident=new_ident())
            for p, s in zip(inputs, specs)]
    positional = [to_value(v) for v in resolved.bound_positional] + args
    keywords = {k: to_value(v) for k, v in resolved.bound_keywords.items()}
    values = bind_arguments(ctx, fn, positional, keywords, fn)
    for k, v in resolved.closure.items():
        ctx.assign(k, to_value(v))
    for k, v in values.items():
        ctx.assign(k, v)
    node = _return_node(fn)

    def finalize(value) -> list[str]:
        outs = output_values(value, tout, tout_is_list, node)
        return [convert_output(ctx, v, d, api, node) for v, d in zip(outs, tout)]
    ctx.finalize = finalize
    if isinstance(fn, gast.Lambda):
        result = lower_expr(ctx, fn.body)
    else:
        for sub in gast.walk(fn):
            if isinstance(sub, (gast.Yield, gast.YieldFrom)):
                raise Refusal("P223", "generators are not converted", sub)
        returned, result = lower_body(ctx, fn.body)
        if not returned:
            raise Refusal("P302", f"`{resolved.def_name}` returns None on this path", fn)
    exprs = list(result.exprs) if isinstance(result, Finished) else finalize(result)
    returns = ("[" + ", ".join(exprs) + "]") if tout_is_list else exprs[0]
    lines, returns = dedupe_lines(ctx.lines, returns)
    return LoweredFunction(inputs, lines, returns, ctx.notes, dict(ctx.frozen_attrs))


def _return_node(fn):
    if isinstance(fn, gast.Lambda):
        return fn
    rets = [n for n in gast.walk(fn) if isinstance(n, gast.Return)]
    return rets[-1] if rets else fn
