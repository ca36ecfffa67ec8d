"""Find every tf.py_function / tf.numpy_function / tf.compat.v1.py_func call, whatever the spelling."""
from __future__ import annotations

from dataclasses import dataclass, field

import gast

from .diagnostics import Diagnostic
from .names import ImportTable

# qualified-name suffix -> (canonical API, positional parameter names after `func, inp, Tout`)
_APIS = {
    "py_function": "tf.py_function",
    "eager_py_func": "tf.py_function",
    "numpy_function": "tf.numpy_function",
    "py_func": "tf.compat.v1.py_func",
}
_PARAMS = ("func", "inp", "Tout")


@dataclass
class Site:
    call: gast.Call
    api: str                                  # canonical API name
    func: gast.AST | None                     # the wrapped callable expression
    inp: gast.AST | None                      # the inputs expression
    tout: list[str] | None                    # TF dtype names; None when Tout could not be read
    tout_is_list: bool
    scope: list[gast.AST] = field(default_factory=list)  # enclosing defs/classes, outermost first
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.call.lineno

    @property
    def col(self) -> int:
        return self.call.col_offset


def api_of(qualified: str | None) -> str | None:
    if not qualified or not qualified.startswith("tensorflow"):
        return None
    return _APIS.get(qualified.rsplit(".", 1)[-1])


def dtype_name(node: gast.AST, imports: ImportTable) -> str | None:
    """`tf.float32`, `tf.dtypes.float32`, `uint8` (from tensorflow), `np.float32`, "float32" -> "float32"."""
    if isinstance(node, gast.Constant) and isinstance(node.value, str):
        name = node.value
    else:
        q = imports.qualify(node)
        if not q or not (q.startswith("tensorflow.") or q.startswith("numpy.")):
            return None
        name = q.rsplit(".", 1)[-1]
    name = {"double": "float64", "half": "float16", "bool_": "bool"}.get(name, name)
    import numpy as np
    if name == "string":
        return name
    try:
        return np.dtype(name).name
    except TypeError:
        return None


def _read_tout(node: gast.AST, imports: ImportTable) -> tuple[list[str] | None, bool]:
    if isinstance(node, (gast.List, gast.Tuple)):
        names = [dtype_name(e, imports) for e in node.elts]
        return (None if None in names else names), True
    name = dtype_name(node, imports)
    return ([name] if name else None), False


class _Finder(gast.NodeVisitor):
    def __init__(self, imports: ImportTable):
        self.imports = imports
        self.sites: list[Site] = []
        self.scope: list[gast.AST] = []

    def _scoped(self, node):
        self.scope.append(node)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _scoped

    def visit_Call(self, node: gast.Call):
        api = api_of(self.imports.qualify(node.func))
        if api:
            self.sites.append(self._site(node, api))
        self.generic_visit(node)

    def _site(self, call: gast.Call, api: str) -> Site:
        args = dict(zip(_PARAMS, call.args))
        for kw in call.keywords:
            if kw.arg in _PARAMS:
                args[kw.arg] = kw.value
        site = Site(call, api, args.get("func"), args.get("inp"), None, False, list(self.scope))
        if "Tout" in args:
            site.tout, site.tout_is_list = _read_tout(args["Tout"], self.imports)
        if site.func is None or site.inp is None or "Tout" not in args:
            site.problems.append(Diagnostic("P101", f"cannot read the arguments of {api}(...): expected "
                                            "func, inp and Tout", call.lineno, call.col_offset))
        elif site.tout is None:
            site.problems.append(Diagnostic("P102", "Tout is not a literal TensorFlow dtype or a list of them",
                                            args["Tout"].lineno, args["Tout"].col_offset))
        elif "string" in site.tout or any(t.startswith("complex") for t in site.tout):
            pass  # lowering decides; text is handled there
        if call.args and any(isinstance(a, gast.Starred) for a in call.args):
            site.problems.append(Diagnostic("P101", "starred arguments in the call are not supported",
                                            call.lineno, call.col_offset))
        return site


def find_sites(tree: gast.AST, imports: ImportTable | None = None) -> list[Site]:
    finder = _Finder(imports or ImportTable(tree))
    finder.visit(tree)
    return finder.sites
