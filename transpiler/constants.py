"""Module-level constants the wrapped function reads, evaluated without running the module.

Only expressions built from literals, other such constants, NumPy/math attributes and pure NumPy/math
calls are evaluated (in this process, they cannot do anything but compute). Anything else (a call into
the user's code, I/O, randomness) stays unknown and the lowering refuses to read it.
"""
from __future__ import annotations

import builtins
import math
import operator
import types
import warnings

import gast
import numpy as np

from .names import ImportTable

_BINOPS = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
           gast.Div: operator.truediv, gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod,
           gast.Pow: operator.pow, gast.BitAnd: operator.and_, gast.BitOr: operator.or_,
           gast.BitXor: operator.xor, gast.LShift: operator.lshift, gast.RShift: operator.rshift,
           gast.MatMult: operator.matmul}
_UNOPS = {gast.USub: operator.neg, gast.UAdd: operator.pos, gast.Invert: operator.invert,
          gast.Not: operator.not_}
_PURE_BUILTINS = {"abs", "min", "max", "round", "len", "float", "int", "bool", "sum", "tuple", "list",
                  "range", "sorted", "reversed", "dict", "set", "frozenset", "str", "pow", "divmod",
                  "enumerate", "zip"}
_IMPURE_NUMPY_PREFIXES = ("numpy.random", "numpy.load", "numpy.save", "numpy.fromfile", "numpy.loadtxt",
                          "numpy.genfromtxt", "numpy.memmap", "numpy.savetxt", "numpy.savez", "numpy.tofile",
                          "numpy.empty", "numpy.lib", "numpy.ctypeslib", "numpy.testing", "numpy.seterr",
                          "numpy.set_printoptions")


class Unknown(Exception):
    """The expression is not a constant this evaluator may compute."""


def qualified_object(qualname: str):
    """The live object for a NumPy/math qualified name, or raise Unknown."""
    parts = qualname.split(".")
    if parts[0] not in ("numpy", "math"):
        raise Unknown(qualname)
    obj = {"numpy": np, "math": math}[parts[0]]
    for p in parts[1:]:
        if not hasattr(obj, p):
            raise Unknown(qualname)
        obj = getattr(obj, p)
    return obj


def is_pure_numpy(qualname: str) -> bool:
    return qualname.startswith(("numpy.", "math.")) and not qualname.startswith(_IMPURE_NUMPY_PREFIXES)


class ConstantEvaluator:
    def __init__(self, tree: gast.Module, imports: ImportTable):
        self.imports = imports
        self.assignments: dict[str, list[gast.AST]] = {}
        self.defined_elsewhere: set[str] = set()
        for stmt in tree.body:
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
                self._collect(stmt.targets[0], stmt.value)
            elif isinstance(stmt, gast.AnnAssign) and stmt.value is not None and isinstance(stmt.target, gast.Name):
                self.assignments.setdefault(stmt.target.id, []).append(stmt.value)
            else:
                for node in gast.walk(stmt):
                    if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                        self.defined_elsewhere.add(node.id)
                if isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
                    self.defined_elsewhere.add(stmt.name)
        # names rebound by augmented assignment or in functions through `global` are not constants
        for node in gast.walk(tree):
            if isinstance(node, gast.Global):
                self.defined_elsewhere.update(node.names)
            if isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
                self.defined_elsewhere.add(node.target.id)
        self.cache: dict[str, object] = {}

    def _collect(self, target, value):
        if isinstance(target, gast.Name):
            self.assignments.setdefault(target.id, []).append(value)
        elif isinstance(target, (gast.Tuple, gast.List)) and isinstance(value, (gast.Tuple, gast.List)) \
                and len(target.elts) == len(value.elts):
            for t, v in zip(target.elts, value.elts):
                self._collect(t, v)
        else:
            for node in gast.walk(target):
                if isinstance(node, gast.Name):
                    self.defined_elsewhere.add(node.id)

    def value(self, name: str):
        """The constant's value; raises Unknown when it is not a single, evaluable assignment."""
        if name in self.cache:
            v = self.cache[name]
            if v is Unknown:
                raise Unknown(name)
            return v
        self.cache[name] = Unknown  # cycles
        exprs = self.assignments.get(name)
        if not exprs or len(exprs) != 1 or name in self.defined_elsewhere:
            raise Unknown(name)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            v = self.eval(exprs[0])
        self.cache[name] = v
        return v

    def is_constant(self, name: str) -> bool:
        try:
            self.value(name)
            return True
        except Unknown:
            return False

    def eval(self, node, local: dict | None = None):
        local = local or {}
        if isinstance(node, gast.Constant):
            return node.value
        if isinstance(node, (gast.Tuple, gast.List)):
            items = [self.eval(e, local) for e in node.elts]
            return tuple(items) if isinstance(node, gast.Tuple) else items
        if isinstance(node, gast.Name):
            if node.id in local:
                return local[node.id]
            q = self.imports.qualify(node)
            if q is not None:
                return qualified_object(q)
            if node.id in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.id]
            return self.value(node.id)
        if isinstance(node, gast.Attribute):
            q = self.imports.qualify(node)
            if q is not None:
                return qualified_object(q)
            base = self.eval(node.value, local)
            if isinstance(base, (np.ndarray, np.generic)) and node.attr in ("T", "shape", "ndim", "size", "dtype"):
                return getattr(base, node.attr)
            if isinstance(base, types.SimpleNamespace) and hasattr(base, node.attr):
                return getattr(base, node.attr)     # `self.OFFSET` while evaluating an __init__
            raise Unknown(node.attr)
        if isinstance(node, gast.BinOp) and type(node.op) in _BINOPS:
            return _BINOPS[type(node.op)](self.eval(node.left, local), self.eval(node.right, local))
        if isinstance(node, gast.UnaryOp) and type(node.op) in _UNOPS:
            return _UNOPS[type(node.op)](self.eval(node.operand, local))
        if isinstance(node, gast.Subscript):
            return self.eval(node.value, local)[self.eval(node.slice, local)]
        if isinstance(node, gast.Slice):
            return slice(*(None if p is None else self.eval(p, local) for p in (node.lower, node.upper, node.step)))
        if isinstance(node, gast.Set):
            return {self.eval(e, local) for e in node.elts}
        if isinstance(node, gast.Dict):
            return {self.eval(k, local): self.eval(v, local) for k, v in zip(node.keys, node.values)}
        if isinstance(node, (gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)):
            return self._comprehension(node, local)
        if isinstance(node, gast.Call):
            fn = self._callee(node.func, local)
            args = [self.eval(a, local) for a in node.args]
            kwargs = {k.arg: self.eval(k.value, local) for k in node.keywords if k.arg}
            return fn(*args, **kwargs)
        raise Unknown(type(node).__name__)

    def _comprehension(self, node, local):
        """`{w: i for i, w in enumerate(words)}` and friends, evaluated generator by generator."""
        envs = [dict(local)]
        for gen in node.generators:
            if getattr(gen, "is_async", 0):
                raise Unknown("async comprehension")
            nxt = []
            for env in envs:
                for item in self.eval(gen.iter, env):
                    e = dict(env)
                    _bind(gen.target, item, e)
                    if all(self.eval(c, e) for c in gen.ifs):
                        nxt.append(e)
            envs = nxt
        if isinstance(node, gast.DictComp):
            return {self.eval(node.key, e): self.eval(node.value, e) for e in envs}
        items = [self.eval(node.elt, e) for e in envs]
        return set(items) if isinstance(node, gast.SetComp) else items

    def _callee(self, func, local):
        if isinstance(func, gast.Name) and func.id in _PURE_BUILTINS and func.id not in self.assignments \
                and self.imports.qualify(func) is None:
            return getattr(builtins, func.id)
        q = self.imports.qualify(func)
        if q is not None and is_pure_numpy(q):
            return qualified_object(q)
        if isinstance(func, gast.Attribute):
            base = self.eval(func.value, local)
            if isinstance(base, (np.ndarray, np.generic)) and func.attr in _PURE_ARRAY_METHODS:
                return getattr(base, func.attr)
        raise Unknown("call")


def _bind(target, value, env: dict) -> None:
    if isinstance(target, gast.Name):
        env[target.id] = value
    elif isinstance(target, (gast.Tuple, gast.List)):
        items = list(value)
        if len(items) != len(target.elts) or any(isinstance(t, gast.Starred) for t in target.elts):
            raise Unknown("unpacking")
        for t, v in zip(target.elts, items):
            _bind(t, v, env)
    else:
        raise Unknown("assignment target")


_PURE_ARRAY_METHODS = {"astype", "reshape", "sum", "mean", "max", "min", "ravel", "flatten", "transpose",
                       "copy", "tolist", "squeeze", "cumsum", "prod", "std", "var", "any", "all", "clip",
                       "round", "argmax", "argmin", "item"}
