"""User-registered op entries: a project's own helpers or third-party functions mapped to TensorFlow.

From Python, before converting::

    import opmap
    opmap.register_user_op("myproj.geometry.box_area",
                           "({b}[..., 2] - {b}[..., 0]) * ({b}[..., 3] - {b}[..., 1])",
                           params=["b"], shape=lambda shapes: shapes[0][:-1])
    opmap.register_user_op("cv2.resize", "tf.image.resize({src}, {dsize}[::-1])", params=["src", "dsize"],
                           dtype="float32", rank="same", rtol=1e-3, limits="bilinear only")

or from pyproject.toml, naming modules that make such calls when imported::

    [tool.pyfunc2tf]
    ops-modules = ["myproj.tf_ops"]

The template is a Python expression over `{param}` placeholders, written with `tf.` only (the generated code
imports nothing else); each run-time argument becomes a generated name, each constant its literal. The entry is
keyed by the qualified name the call resolves to (`from myproj.geometry import box_area` and
`myproj.geometry.box_area(...)` are both `myproj.geometry.box_area`). Conversions that use an entry are verified
like any other: the original py_function (calling the real helper) against the replacement.
"""
from __future__ import annotations

import importlib
import pathlib
import re
import sys
import tomllib
from typing import Callable, Sequence

from .registry import REGISTRY, OpEntry, register

USER_NAMES: set[str] = set()          # entries registered here (not the tool's own table: docs leave them out)
_LOADED: set[str] = set()
_TF_PATH = re.compile(r"\btf\.[A-Za-z_][A-Za-z0-9_.]*")
_RESERVED = ("numpy", "math", "builtins", "random", "tensorflow")


def register_user_op(name: str, template: str, *, params: Sequence, dtype: str | Callable = "same",
                     shape: str | Callable = "same", rank: int | str | None = None, rtol: float | None = None,
                     limits: str = "", replace: bool = False) -> OpEntry:
    """Map the callable `name` (qualified: module path + function name) to a TF expression `template`.

    params: parameter names in call order, or (name, default) pairs (defaults are constants).
    dtype: the result's NumPy dtype name, "same" (the first array argument's) or f(list of argument dtypes).
    shape: "same" (the first array argument's), f(list of argument shapes with None for unknown dims), or
        use rank=N for a result of rank N with unknown dims.
    rtol: the tolerance the entry declares (shown in `pyfunc2tf ops`; TF's kernel may differ in the last bits).
    """
    if name.split(".")[0] in _RESERVED or "." not in name:
        raise ValueError(f"{name!r}: user entries are for qualified third-party or project names, not NumPy, math, "
                         "builtins or TensorFlow")
    names = [p if isinstance(p, str) else p[0] for p in params]
    for n in names:
        if not n.isidentifier():
            raise ValueError(f"parameter {n!r} is not an identifier")
    for hole in re.findall(r"\{(\w+)\}", template):
        if hole not in names:
            raise ValueError(f"template placeholder {{{hole}}} is not a parameter of {name}")
    if name in REGISTRY:
        if not replace or name not in USER_NAMES:
            raise ValueError(f"{name} is already in the op table")
        del REGISTRY[name]
    spec = [(p, _required()) if isinstance(p, str) else (p[0], p[1]) for p in params]
    target = " ".join(dict.fromkeys(_TF_PATH.findall(template))) or "tf (template)"
    note = limits + (f"; declared tolerance rtol={rtol}" if rtol is not None else "")
    entry = OpEntry(name, target, _template_lowering(name, template, spec, dtype, shape, rank), status="partial",
                    limits=("user entry: " + note).strip("; "), rtol=rtol, foldable=False)
    register(entry)
    USER_NAMES.add(name)
    return entry


def unregister_user_op(name: str) -> None:
    if name in USER_NAMES:
        REGISTRY.pop(name, None)
        USER_NAMES.discard(name)


def _required():
    from .args import REQUIRED
    return REQUIRED


def _template_lowering(name, template, spec, dtype, shape, rank):
    def lower(ctx, args, kwargs, node):
        from transpiler.diagnostics import Refusal
        from transpiler.lower import code
        from transpiler.lower.context import new_ident
        from transpiler.lower.values import Seq, Static, Tensor, is_static, static_value
        from .args import bind, tensor
        p = bind(name, args, kwargs, spec, node)
        fields, arrays = {}, []
        for k, v in p.items():
            if is_static(v):
                fields[k] = code.literal(static_value(v))
                continue
            t = ctx.materialize(tensor(ctx, v, node), k)
            fields[k] = t.expr
            arrays.append(t)
        if not arrays:
            raise Refusal("P202", f"`{name}`: no run-time argument (a user entry maps arrays)", node)
        out_dtype = dtype(list(a.dtype for a in arrays)) if callable(dtype) else (
            arrays[0].dtype if dtype == "same" else dtype)
        if rank is not None and rank != "same":
            out_shape = (None,) * int(rank)
        elif callable(shape):
            out_shape = tuple(shape([a.shape for a in arrays]))
        else:
            out_shape = arrays[0].shape
        return Tensor(template.format(**fields), out_dtype, out_shape, ident=new_ident())
    return lower


def project_ops_modules(start: str | pathlib.Path | None = None) -> tuple[pathlib.Path | None, list[str]]:
    """(project root, [tool.pyfunc2tf] ops-modules) from the nearest pyproject.toml at or above `start`."""
    here = pathlib.Path(start or pathlib.Path.cwd()).resolve()
    for d in [here] + list(here.parents):
        f = d / "pyproject.toml"
        if f.is_file():
            with f.open("rb") as fh:
                data = tomllib.load(fh)
            mods = data.get("tool", {}).get("pyfunc2tf", {}).get("ops-modules", [])
            if not isinstance(mods, list) or not all(isinstance(m, str) for m in mods):
                raise ValueError(f"{f}: [tool.pyfunc2tf] ops-modules must be a list of module names")
            return d, mods
    return None, []


def load_project_ops(start: str | pathlib.Path | None = None) -> list[str]:
    """Import the ops-modules that pyproject.toml names (once each); they register their entries."""
    root, mods = project_ops_modules(start)
    done = []
    for m in mods:
        if m in _LOADED:
            continue
        added = root is not None and str(root) not in sys.path
        if added:
            sys.path.insert(0, str(root))
        try:
            importlib.import_module(m)
        finally:
            if added:
                sys.path.remove(str(root))
        _LOADED.add(m)
        done.append(m)
    return done
