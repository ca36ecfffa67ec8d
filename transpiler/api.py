"""The notebook API: `native = convert(fn, signature="float32[None]")`."""
from __future__ import annotations

import inspect
import textwrap

import gast

from .diagnostics import ConversionError, Diagnostic, Refusal


def convert(fn, signature: str, *, verify: bool = True, examples: int = 50, seed: int = 0,
            timeout: float = 60.0, api: str = "tf.numpy_function", prove: bool = False):
    """Return a tf.function equivalent to `fn` (a NumPy function) for `signature`.

    It is the generated `.graph` (input_signature from `signature`): a SavedModel tracks it as an attribute of
    a tf.Module. Its `.python_function` is the generated def, which a graph being traced (a tf.data map,
    another tf.function) takes in as ops instead of a function call (see transpiler/emit.py).

    The result's dtypes are NumPy's (as `tf.numpy_function` with matching Tout would give). Raises
    ConversionError carrying the diagnostics when the conversion is refused. The generated code is
    in `.source`; with verify=True it has been checked against `fn` through tf.numpy_function.
    With prove=True, `.proofs` holds the portability proofs of transpiler/prove ({name: {status, detail}}).
    """
    if prove and not verify:
        raise ValueError("prove=True needs verify=True: the proofs compare with the original")
    import tensorflow as tf

    from .lower.function import lower_function
    from .emit import emit_function
    from .resolve import ModuleInfo, Resolved, module_slice
    from .signature import parse_signature

    import functools
    bound_pos, bound_kw = [], {}
    target = fn
    if isinstance(fn, functools.partial):
        target, bound_pos, bound_kw = fn.func, list(fn.args), dict(fn.keywords)
    try:
        path = inspect.getsourcefile(target)
        source = open(path, encoding="utf-8").read()
    except (TypeError, OSError) as e:
        raise ConversionError([Diagnostic("P112", f"the source of {fn!r} is not available ({e})")])
    tree = gast.parse(source)
    module = ModuleInfo.build(tree, source)
    line = target.__code__.co_firstlineno
    defs = [n for n in gast.walk(tree) if isinstance(n, gast.FunctionDef) and n.name == target.__name__
            and (n.lineno == line or any(d.lineno == line for d in n.decorator_list))]
    if not defs:
        raise ConversionError([Diagnostic("P112", f"cannot find the def of {target.__name__} in {path}")])
    d = defs[0]
    specs = parse_signature(signature)
    closure = {}
    if target.__closure__:
        for name, cell in zip(target.__code__.co_freevars, target.__closure__):
            closure[name] = cell.cell_contents
    resolved = Resolved(d, target.__name__, d.name, bound_positional=bound_pos, bound_keywords=bound_kw,
                        closure=closure)
    try:
        outs = _infer_outputs(module, resolved, specs)
        tout, is_list = [o for o in outs], len(outs) != 1
        lowered = lower_function(module, resolved, specs, api, tout, is_list)
    except Refusal as r:
        raise ConversionError([r.diagnostic(path)])
    name = f"{target.__name__}_tf"
    src = emit_function(name, target.__name__, lowered, specs)
    if verify:
        from .verify import verify_site
        from .verify.job import VerifyJob
        original_slice = module_slice(module, {target.__name__}) if d in tree.body else \
            module_slice(module, set()) + textwrap.dedent(module.segment(d))
        expr = target.__name__
        if bound_pos or bound_kw:
            args = ", ".join([repr(a) for a in bound_pos] + [f"{k}={v!r}" for k, v in bound_kw.items()])
            original_slice += "\nimport functools as _functools\n"
            expr = f"_functools.partial({target.__name__}, {args})"
        job = VerifyJob(original_slice, expr, src, name, api, tout, is_list,
                        [[s.dtype, list(s.shape)] for s in specs], examples, seed, timeout)
        verdict = verify_site(job)
        if verdict.get("status") != "passed":
            raise ConversionError([Diagnostic("P401", "verification: " + str(verdict.get("message")), d.lineno,
                                              d.col_offset, path)])
    namespace = dict(target.__globals__)
    namespace["tf"] = tf
    exec(compile(src, f"<pyfunc2tf {name}>", "exec"), namespace)
    native = namespace[name].graph
    native.source = src
    if prove:
        from .prove import prove_site
        native.proofs = prove_site(job, timeout=max(timeout, 60.0))
    return native


def _infer_outputs(module, resolved, specs) -> list[str]:
    """Lower once without output conversion to learn the NumPy dtypes of the results."""
    from .lower.context import FunctionContext, new_ident
    from .lower.calls import bind_arguments
    from .lower.statements import lower_body
    from .lower.values import Seq, Tensor, to_value
    from .lower.code import dtype_of
    from .lower.function import input_params
    fn = resolved.fn
    inputs = input_params(resolved, len(specs))
    ctx = FunctionContext(module, reserved=set(module.top_names) | set(inputs))
    args = [Tensor(p, s.dtype, tuple(s.shape), ident=new_ident()) for p, s in zip(inputs, specs)]
    values = bind_arguments(ctx, fn, [to_value(v) for v in resolved.bound_positional] + args,
                            {k: to_value(v) for k, v in resolved.bound_keywords.items()}, fn)
    for k, v in {**{k: to_value(v) for k, v in resolved.closure.items()}, **values}.items():
        ctx.assign(k, v)
    returned, result = lower_body(ctx, fn.body)
    items = result.items if isinstance(result, Seq) and result.kind == "tuple" else (result,)
    return [dtype_of(v) for v in items]
