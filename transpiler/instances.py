"""Methods: what `self` holds when the wrapped callable is `self._fn`.

A method reads `self.scale` or `self.index`; NumPy's result dtypes depend on what those hold (a Python
float is weak under NEP 50, a np.float32 is not), so the lowering needs their values. They are found
without running the user's code: `__init__` is evaluated statement by statement with the constant
arguments of the class's instantiations in the module (or its defaults when the module builds none).

The generated method reads the same attributes at trace time and checks that they still are these
values (`repr` equality, which also tells 1 from 1.0 and 0.5 from np.float32(0.5)); an instance whose
attributes differ runs the original py_function, so the conversion can never compute with a value it
was not checked for. Attributes that other methods reassign are state, not constants, and are refused.
"""
from __future__ import annotations

import ast
import types
from dataclasses import dataclass, field

import gast
from .constants import Unknown
from .diagnostics import Refusal


@dataclass(frozen=True)
class Instance:
    """The `self` of a converted method, as a value of the lowering."""
    class_name: str
    attrs: tuple                 # ((name, value or _UNKNOWN), ...): what __init__ leaves in self
    methods: tuple               # ((name, gast.FunctionDef), ...): the class's own methods
    origin: str                  # where the values come from, for the report
    mutated: tuple = ()          # attributes some other method reassigns (state, refused)

    def attr(self, name: str):
        return dict(self.attrs).get(name, _MISSING)

    def method(self, name: str):
        return dict(self.methods).get(name)


class _Marker:
    def __init__(self, what):
        self.what = what

    def __repr__(self):
        return self.what


_UNKNOWN = _Marker("<not a constant>")
_MISSING = _Marker("<not assigned>")


@dataclass
class FrozenMethod:
    class_def: gast.ClassDef
    method: gast.FunctionDef
    instance: Instance
    instance_name: str | None = None          # module-level name bound to the (single) instance
    attrs_read: dict = field(default_factory=dict)


def find_method(module, scope: list, attr_node: gast.Attribute) -> FrozenMethod:
    """`self._fn` at a call site inside a method of a module-level class -> the method and its `self`."""
    classes = [s for s in scope if isinstance(s, gast.ClassDef)]
    name = attr_node.attr
    if not classes or classes[-1] not in module.tree.body:
        raise Refusal("P104", f"`self.{name}`: `self` here is not the instance of a module-level class", attr_node)
    cls = classes[-1]
    methods = {s.name: s for s in cls.body if isinstance(s, gast.FunctionDef)}
    if name not in methods:
        where = "a base class" if cls.bases else "nowhere in the class"
        raise Refusal("P104", f"`self.{name}` is defined in {where}; only methods of `{cls.name}` itself are "
                              "converted", attr_node)
    m = methods[name]
    if any(not (isinstance(d, gast.Name) and d.id in ("staticmethod",)) for d in m.decorator_list):
        raise Refusal("P104", f"`{cls.name}.{name}` is decorated; decorated methods are not converted", m)
    if not m.decorator_list and (not m.args.args or m.args.args[0].id != "self"):
        raise Refusal("P104", f"`{cls.name}.{name}` does not take `self` first", m)
    instance, instance_name = _freeze(module, cls, methods)
    return FrozenMethod(cls, m, instance, instance_name)


def _freeze(module, cls: gast.ClassDef, methods: dict) -> tuple[Instance, str | None]:
    calls = [n for n in gast.walk(module.tree) if isinstance(n, gast.Call) and isinstance(n.func, gast.Name)
             and n.func.id == cls.name]
    init = methods.get("__init__")
    variants = []
    for call in calls or [None]:
        attrs = _run_init(module, cls, init, call) if init is not None else _class_attributes(module, cls)
        if init is None and call is not None and (call.args or call.keywords):
            raise Refusal("P107", f"`{cls.name}(...)` passes arguments but the class has no __init__ of its own",
                          call)
        variants.append((call, attrs))
    distinct = []
    for call, attrs in variants:
        if all(_fingerprint(attrs) != _fingerprint(a) for _, a in distinct):
            distinct.append((call, attrs))
    if len(distinct) > 1:
        lines = ", ".join(str(c.lineno) for c, _ in distinct)
        raise Refusal("P104", f"`{cls.name}` is instantiated with different values (lines {lines}); a method "
                              "is converted for one set of attribute values only", distinct[1][0])
    call, attrs = distinct[0]
    instance_name = _bound_name(module, call) if len(calls) == 1 else None
    if call is None:
        origin = f"the defaults of `{cls.name}.__init__`"
    elif instance_name:
        origin = f"the instance `{instance_name}` (line {call.lineno})"
    else:
        origin = f"`{cls.name}(...)` at line {call.lineno}"
    mutated = set()
    for m in methods.values():
        if m is init:
            continue
        mutated |= self_stores(m)
    return Instance(cls.name, tuple(attrs.items()), tuple(methods.items()), origin, tuple(sorted(mutated))), \
        instance_name


def _class_attributes(module, cls) -> dict:
    attrs = {}
    for s in cls.body:
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
            attrs[s.targets[0].id] = _eval(module, s.value, {})
    return attrs


def _run_init(module, cls, init: gast.FunctionDef, call) -> dict:
    a = init.args
    if a.kwonlyargs or getattr(a, "posonlyargs", None):
        raise Refusal("P107", f"`{cls.name}.__init__` has keyword-only parameters; not followed", init)
    params = [p.id for p in a.args][1:]
    env: dict = {}
    defaults = dict(zip(params[len(params) - len(a.defaults):], a.defaults))
    given_pos = list(call.args) if call is not None else []
    given_kw = {k.arg: k.value for k in call.keywords} if call is not None else {}
    if any(isinstance(g, gast.Starred) for g in given_pos) or None in given_kw:
        raise Refusal("P107", f"`{cls.name}(...)` unpacks *args/**kwargs; its attribute values are unknown", call)
    if len(given_pos) > len(params) and not a.vararg:
        raise Refusal("P301", f"too many arguments for `{cls.name}`: Python raises", call)
    for p, g in zip(params, given_pos):
        env[p] = _eval(module, g, {})
    for k, g in given_kw.items():
        if k in params:
            env[k] = _eval(module, g, {})
    for p in params:
        if p not in env:
            env[p] = _eval(module, defaults[p], {}) if p in defaults else _UNKNOWN
    attrs: dict = _class_attributes(module, cls)
    for stmt in init.body:
        env["self"] = types.SimpleNamespace(**{k: v for k, v in attrs.items() if not is_unknown(v)})
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            value = _eval(module, stmt.value, env) if _known(env, stmt.value) else _UNKNOWN
            if _is_self_attr(target):
                attrs[target.attr] = value
                continue
            if isinstance(target, gast.Name):
                env[target.id] = value
                continue
        if isinstance(stmt, gast.Expr):
            continue     # super().__init__(...), docstrings, logging: they do not bind what we read
        for name in self_stores(stmt):
            attrs[name] = _UNKNOWN
        for node in gast.walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                env[node.id] = _UNKNOWN
    return attrs


def _known(env, node) -> bool:
    return not any(isinstance(n, gast.Name) and env.get(n.id) is _UNKNOWN for n in gast.walk(node))


def _eval(module, node, env):
    try:
        return module.constants.eval(node, env)
    except (Unknown, Exception):
        return _UNKNOWN


def _is_self_attr(node) -> bool:
    return isinstance(node, gast.Attribute) and isinstance(node.value, gast.Name) and node.value.id == "self"


def self_stores(node) -> set[str]:
    """Attributes of `self` assigned anywhere in `node` (plain, augmented, or through a subscript)."""
    out = set()
    for n in gast.walk(node):
        if isinstance(n, gast.Attribute) and isinstance(n.ctx, (gast.Store, gast.Del)) and _is_self_attr(n):
            out.add(n.attr)
        if isinstance(n, gast.Subscript) and isinstance(n.ctx, gast.Store) and _is_self_attr(n.value):
            out.add(n.value.attr)
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and _is_self_attr(n.func.value) \
                and n.func.attr in _MUTATING_METHODS:
            out.add(n.func.value.attr)
    return out


# container methods that change the object they are called on (`self.cache.append(x)`)
_MUTATING_METHODS = {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault",
                     "add", "discard", "popitem", "sort", "reverse", "fill", "put", "resize"}


def _bound_name(module, call) -> str | None:
    for stmt in module.tree.body:
        if isinstance(stmt, gast.Assign) and stmt.value is call and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], gast.Name):
            return stmt.targets[0].id
    return None


def _fingerprint(attrs: dict) -> str:
    return repr(sorted((k, type(v).__name__, repr(v)) for k, v in attrs.items()))


def checkable_repr(value) -> str | None:
    """`repr(value)` when equal reprs mean equal values of equal types, checked by reading it back."""
    text = repr(value)
    try:
        back = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return text if _same(back, value) else None


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(x, y) for x, y in zip(a.values(), b.values())) \
            and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (set, frozenset)):
        return False     # repr order of str sets changes with the hash seed of each process
    return a == b


def is_unknown(value) -> bool:
    return value is _UNKNOWN


def is_missing(value) -> bool:
    return value is _MISSING
