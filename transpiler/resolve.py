"""What a call site wraps, and what that needs from its module.

Handles a module-level or nested def, a lambda, `functools.partial` with constant arguments (inline or
bound to a name), a factory closure (`clip = make_clipper(0.0, 1.0)`) and a method `self._fn` of a
module-level class (transpiler/instances.py freezes what `self` holds). A callable imported from another
module goes to the `imported` hook (transpiler/cross_module.py finds it in the tree), or is refused (P106).

It also cuts the *slice* of the module that verification executes: the imports, constants and defs the
wrapped function needs, transitively, in module order, and never anything else (many such files start
a training run when imported).
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import gast

from .constants import ConstantEvaluator, Unknown
from .diagnostics import Refusal
from .names import ImportTable, dotted


@dataclass
class ModuleInfo:
    tree: gast.Module
    source: str
    imports: ImportTable
    constants: ConstantEvaluator
    defs: dict[str, gast.FunctionDef]      # module-level functions
    top_names: set[str]                    # every name bound at module level

    @classmethod
    def build(cls, tree: gast.Module, source: str) -> "ModuleInfo":
        imports = ImportTable(tree)
        defs = {s.name: s for s in tree.body if isinstance(s, gast.FunctionDef)}
        top = set()
        for stmt in tree.body:
            top |= bound_names(stmt)
        return cls(tree, source, imports, ConstantEvaluator(tree, imports), defs, top)

    def segment(self, node) -> str:
        """Source lines of a statement, decorators included."""
        lines = self.source.splitlines(keepends=True)
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        return "".join(lines[first - 1:node.end_lineno])


def bound_names(stmt) -> set[str]:
    names = set()
    if isinstance(stmt, (gast.FunctionDef, gast.ClassDef, gast.AsyncFunctionDef)):
        return {stmt.name}
    if isinstance(stmt, gast.Import):
        return {a.asname or a.name.split(".")[0] for a in stmt.names}
    if isinstance(stmt, gast.ImportFrom):
        return {a.asname or a.name for a in stmt.names}
    for node in gast.walk(stmt):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            names.add(node.id)
    return names


def used_names(node) -> set[str]:
    return {n.id for n in gast.walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


@dataclass
class Resolved:
    fn: gast.AST                                  # FunctionDef or Lambda to lower
    written: str                                  # the callable as written at the call site
    def_name: str                                 # name of the def it resolves to ("<lambda>" for lambdas)
    bound_positional: list = field(default_factory=list)   # static values of partial's positional args
    bound_keywords: dict = field(default_factory=dict)     # static values bound by partial keywords
    closure: dict = field(default_factory=dict)            # static values of a factory's parameters
    insert_after_line: int = 0
    indent: str = ""
    original_expr: str = ""                       # evaluates to the callable in the verification slice
    extra_source: str = ""                        # appended to the slice (a nested def, dedented)
    slice_roots: set[str] = field(default_factory=set)
    method: object = None                         # instances.FrozenMethod when the callable is `self._fn`
    foreign: object = None                        # cross_module.Foreign when the def is in another module


def _const(module: ModuleInfo, node, what: str):
    try:
        return module.constants.eval(node)
    except Exception:
        raise Refusal("P107", f"{what} is not a constant this tool can read", node)


def _partial(module: ModuleInfo, call: gast.Call) -> bool:
    q = module.imports.qualify(call.func)
    return q == "functools.partial"


def resolve(module: ModuleInfo, func: gast.AST, scope: list[gast.AST], call: gast.Call,
            imported=None) -> Resolved:
    """`imported(module, func, call) -> Resolved`: what to do with a callable imported from another module
    (None: refuse it)."""
    written = dotted(func) or ("<lambda>" if isinstance(func, gast.Lambda) else "<callable>")
    top_stmt = _top_statement(module, call)
    if isinstance(func, gast.Lambda):
        src = gast.unparse(func) if hasattr(gast, "unparse") else None
        return Resolved(func, "<lambda>", "<lambda>", insert_after_line=top_stmt.lineno - 1, indent="",
                        original_expr=_source_of(module, func), slice_roots=used_names(func))
    if isinstance(func, gast.Call) and _partial(module, func):
        return _resolve_partial(module, func, scope, call, written, top_stmt)
    if isinstance(func, gast.Attribute):
        if isinstance(func.value, gast.Name) and func.value.id == "self":
            return _method(module, func, scope, written)
        if imported is not None:
            return imported(module, func, call)
        raise Refusal("P106", f"`{written}` is defined in another module; only a file in a converted tree is "
                              "followed to another module", func)
    if not isinstance(func, gast.Name):
        raise Refusal("P103", "the wrapped callable is not a name, a lambda or functools.partial", func)
    name = func.id
    # nested defs in the enclosing functions, innermost first
    for enclosing in reversed([s for s in scope if isinstance(s, gast.FunctionDef)]):
        for stmt in gast.walk(enclosing):
            if isinstance(stmt, gast.FunctionDef) and stmt.name == name and stmt is not enclosing:
                return _nested(module, stmt, enclosing, written)
            if isinstance(stmt, gast.Assign) and any(isinstance(t, gast.Name) and t.id == name for t in stmt.targets):
                raise Refusal("P105", f"`{name}` is assigned inside `{enclosing.name}`; only module-level "
                                      "bindings and nested defs are followed", stmt)
    if name in module.defs:
        d = module.defs[name]
        return Resolved(d, written, d.name, insert_after_line=d.end_lineno, indent="",
                        original_expr=name, slice_roots={name})
    if module.imports.qualify(func) is not None or _imported_relatively(module, name):
        if imported is not None:
            return imported(module, func, call)
        origin = module.imports.aliases.get(name, "a relative import")
        raise Refusal("P106", f"`{name}` is imported from {origin}; only a file in a converted tree is followed "
                              "to another module", func)
    assigns = [s for s in module.tree.body if isinstance(s, gast.Assign) and any(
        isinstance(t, gast.Name) and t.id == name for t in s.targets)]
    if len(assigns) != 1:
        raise Refusal("P103", f"cannot find a single definition of `{name}` in this module", func)
    stmt = assigns[0]
    value = stmt.value
    if isinstance(value, gast.Lambda):
        return Resolved(value, written, name, insert_after_line=stmt.end_lineno, indent="",
                        original_expr=name, slice_roots={name})
    if isinstance(value, gast.Call) and _partial(module, value):
        r = _resolve_partial(module, value, [], call, written, stmt)
        r.original_expr, r.slice_roots = name, {name}
        r.insert_after_line = stmt.end_lineno
        return r
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and value.func.id in module.defs:
        return _factory(module, module.defs[value.func.id], value, stmt, written, name)
    raise Refusal("P103", f"`{name}` is bound to an expression this tool does not follow", stmt)


def _imported_relatively(module: ModuleInfo, name: str) -> bool:
    return any(isinstance(s, gast.ImportFrom) and s.level and any((a.asname or a.name) == name for a in s.names)
               for s in gast.walk(module.tree))


def _resolve_partial(module, pcall, scope, call, written, anchor_stmt) -> Resolved:
    if not pcall.args:
        raise Refusal("P103", "functools.partial without a function", pcall)
    inner = resolve(module, pcall.args[0], scope, call)
    inner.bound_positional = inner.bound_positional + [_const(module, a, "a partial argument") for a in pcall.args[1:]]
    inner.bound_keywords = dict(inner.bound_keywords)
    for kw in pcall.keywords:
        if kw.arg is None:
            raise Refusal("P107", "**kwargs in functools.partial are not supported", pcall)
        inner.bound_keywords[kw.arg] = _const(module, kw.value, f"the partial argument {kw.arg}=")
    inner.written = written
    inner.original_expr = _source_of(module, pcall)
    inner.slice_roots = inner.slice_roots | used_names(pcall)
    inner.insert_after_line = max(inner.insert_after_line, anchor_stmt.lineno - 1) \
        if anchor_stmt is not None else inner.insert_after_line
    return inner


def _factory(module, factory: gast.FunctionDef, fcall: gast.Call, stmt, written, name) -> Resolved:
    body = [s for s in factory.body if not (isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant))]
    if len(body) != 2 or not isinstance(body[0], gast.FunctionDef) or not isinstance(body[1], gast.Return) \
            or not (isinstance(body[1].value, gast.Name) and body[1].value.id == body[0].name):
        raise Refusal("P103", f"`{factory.name}` is not a simple factory (a nested def and `return` of it)", stmt)
    params = [a.id for a in factory.args.args]
    defaults = factory.args.defaults
    closure = {}
    for p, d in zip(params[len(params) - len(defaults):], defaults):
        closure[p] = _const(module, d, f"the default of {p}")
    for p, a in zip(params, fcall.args):
        closure[p] = _const(module, a, f"the factory argument {p}")
    for kw in fcall.keywords:
        closure[kw.arg] = _const(module, kw.value, f"the factory argument {kw.arg}=")
    missing = [p for p in params if p not in closure]
    if missing or factory.args.vararg or factory.args.kwarg:
        raise Refusal("P107", f"cannot bind the factory's parameters {missing}", fcall)
    return Resolved(body[0], written, name, closure=closure, insert_after_line=stmt.end_lineno, indent="",
                    original_expr=name, slice_roots={name})


def _method(module, func: gast.Attribute, scope, written) -> Resolved:
    from .instances import Instance, checkable_repr, find_method, is_unknown, self_stores
    fm = find_method(module, scope, func)
    m, cls = fm.method, fm.class_def
    stored = self_stores(m)
    if stored:
        raise Refusal("P226", f"`{cls.name}.{m.name}` assigns self.{sorted(stored)[0]}: a method that changes the "
                              "instance's state between calls is not converted", m)
    static = bool(m.decorator_list)     # find_method admits only @staticmethod
    line = module.source.splitlines()[m.lineno - 1]
    indent = line[:len(line) - len(line.lstrip())]
    if fm.instance_name:
        original, roots = f"{fm.instance_name}.{m.name}", {fm.instance_name}
    elif static:
        original, roots = f"{cls.name}.{m.name}", {cls.name}
    else:
        # no module-level instance to call it on: an instance holding the same attribute values, made
        # without running __init__ (which may need what the module does not define at import)
        attrs = {k: v for k, v in fm.instance.attrs if not is_unknown(v) and checkable_repr(v) is not None}
        original = (f"(lambda o: (o.__dict__.update({attrs!r}), o.{m.name})[1])"
                    f"({cls.name}.__new__({cls.name}))")
        roots = {cls.name}
    return Resolved(m, written, m.name, bound_positional=[] if static else [fm.instance],
                    insert_after_line=m.end_lineno, indent=indent, original_expr=original,
                    slice_roots=roots, method=fm)


def _nested(module, d: gast.FunctionDef, enclosing: gast.FunctionDef, written) -> Resolved:
    enclosing_locals = {a.id for a in enclosing.args.args}
    for s in gast.walk(enclosing):
        if s is not d:
            enclosing_locals |= {n.id for n in gast.walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    own = {a.id for a in d.args.args} | {n.id for n in gast.walk(d) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    free = (used_names(d) - own) & enclosing_locals
    if free:
        raise Refusal("P105", f"`{d.name}` reads {', '.join(sorted(free))} from the enclosing function "
                              f"`{enclosing.name}`; closures over local values are not converted yet", d)
    line = module.source.splitlines()[d.lineno - 1]
    indent = line[:len(line) - len(line.lstrip())]
    return Resolved(d, written, d.name, insert_after_line=d.end_lineno, indent=indent,
                    original_expr=d.name, extra_source=textwrap.dedent(module.segment(d)),
                    slice_roots=used_names(d))


def _top_statement(module: ModuleInfo, node):
    for stmt in module.tree.body:
        if stmt.lineno <= node.lineno <= stmt.end_lineno:
            return stmt
    return None


def _source_of(module: ModuleInfo, node) -> str:
    lines = module.source.splitlines()
    if node.lineno == node.end_lineno:
        return lines[node.lineno - 1].encode()[node.col_offset:node.end_col_offset].decode()
    parts = [lines[node.lineno - 1].encode()[node.col_offset:].decode()]
    parts += lines[node.lineno:node.end_lineno - 1]
    parts.append(lines[node.end_lineno - 1].encode()[:node.end_col_offset].decode())
    return "(" + "\n".join(parts) + ")"


def module_slice(module: ModuleInfo, roots: set[str]) -> str:
    """The module statements that define `roots` and what they need, transitively, in module order."""
    needed = set(roots)
    chosen: set[int] = set()
    changed = True
    while changed:
        changed = False
        for i, stmt in enumerate(module.tree.body):
            if i in chosen or not (bound_names(stmt) & needed):
                continue
            if isinstance(stmt, (gast.If, gast.For, gast.While, gast.With, gast.Try)):
                continue  # compound top-level code (e.g. `if __name__ == "__main__":`) is never run
            chosen.add(i)
            more = used_names(stmt) - needed
            if more:
                needed |= more
                changed = True
    future = [s for s in module.tree.body if isinstance(s, gast.ImportFrom) and s.module == "__future__"]
    parts = [module.segment(s) for s in future]
    parts += [module.segment(s) for i, s in enumerate(module.tree.body) if i in chosen and s not in future]
    return "".join(parts)
