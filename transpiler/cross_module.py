"""Sites whose wrapped function is imported from another module of the tree.

`from layer_utils.snippets import generate_anchors_pre` in one module, `tf.py_func(generate_anchors_pre, ...)`
in another: the function is found in its own module's file, lowered there (its imports, constants and
helpers are that module's), and the replacement goes beside it in that file; the call site imports it
(`from layer_utils.snippets import generate_anchors_pre, generate_anchors_pre_tf`, or `m.f_tf(...)` when
the module itself is imported). The two files are one unit: written together or not at all (batch.py).

Where a module is looked for, as Python would find it when the program runs: the root of the caller's
package (the directory above the outermost folder with an `__init__.py`), the caller's own folder (a
script's sys.path[0]), then the walked directories and the project root. Relative imports (`from .x import
f`, `from ..x import f`) are resolved from the caller's package. Nothing is imported: files are read and
parsed. A module found outside those roots (site-packages) is refused (P106) with where it resolved to.
"""
from __future__ import annotations

import ast
import importlib.machinery
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import gast

from .batch import EDIT_FAILED, Outcome
from .diagnostics import Diagnostic, Refusal
from .files import SourceFileError, read_source
from .resolve import ModuleInfo, Resolved, resolve
from .results import DefinedIn, FileResult, Replacement, SiteResult

# Folders that hold other people's code: a module found there is not the user's to edit.
_FOREIGN_DIRS = frozenset({"site-packages", "dist-packages", ".venv", "venv", ".tox", ".nox", "node_modules",
                           ".eggs", "build", "dist", "__pycache__", ".git"})
_MAX_REEXPORTS = 4


def package_root(path: Path) -> tuple[Path, str]:
    """(the directory a module's package hangs from, the module's dotted name from there).

    /r/lib/nets/network.py with nets/__init__.py and no lib/__init__.py -> (/r/lib, "nets.network")."""
    path = Path(os.path.abspath(path))
    parts = [] if path.name == "__init__.py" else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return directory, ".".join(parts)


def import_roots(caller: Path, extra: list[str] = ()) -> list[Path]:
    root, _ = package_root(caller)
    roots: list[Path] = []
    for r in [root, Path(os.path.abspath(caller)).parent] + [Path(os.path.abspath(e)) for e in extra]:
        if r not in roots:
            roots.append(r)
    return roots


def find_module(name: str, roots: list[Path]) -> tuple[Path, Path] | None:
    """(file, root) of the dotted module `name` under one of `roots`, without importing anything."""
    parts = name.split(".")
    for root in roots:
        for candidate in (root.joinpath(*parts[:-1], parts[-1] + ".py"), root.joinpath(*parts, "__init__.py")):
            if candidate.is_file():
                if _FOREIGN_DIRS & set(candidate.relative_to(root).parts[:-1]):
                    continue
                if not os.path.realpath(candidate).startswith(os.path.realpath(root) + os.sep):
                    continue     # a symlink out of the tree: writing through it would edit someone else's file
                return candidate, root
    return None


def installed_location(name: str) -> str | None:
    """Where `import name` would find the module in this interpreter, without importing it (or its parents)."""
    locations, spec = None, None
    parts = name.split(".")
    for i in range(len(parts)):
        try:
            spec = importlib.machinery.PathFinder.find_spec(".".join(parts[:i + 1]), locations)
        except (ImportError, ValueError, AttributeError):
            return None
        if spec is None:
            if i == 0 and parts[0] in sys.builtin_module_names:
                return "a built-in module"
            return None
        locations = spec.submodule_search_locations
        if locations is None and i < len(parts) - 1:
            break
    return spec.origin if spec is not None and spec.origin else None


_cache: dict[tuple[str, int, int], tuple[ModuleInfo, str]] = {}


def load_module(path: Path) -> tuple[ModuleInfo, str]:
    """The module's parsed source and the digest of its bytes (a write checks the file did not change since)."""
    st = path.stat()
    key = (os.path.realpath(path), st.st_mtime_ns, st.st_size)
    if key not in _cache:
        source = read_source(path)
        _cache[key] = (ModuleInfo.build(gast.parse(source.text), source.text), source.digest)
    return _cache[key]


@dataclass
class Binding:
    """How the caller names the imported function."""
    qualified: str          # absolute dotted name: "layer_utils.snippets.generate_anchors_pre"
    statement: gast.AST     # the import statement that binds the name the call reads
    alias: gast.alias       # its alias that binds it
    attribute_path: str     # "" for `f`, else the written prefix: "m" for `m.f`, "pkg.mod" for `pkg.mod.f`
    relative: bool          # the user wrote a relative import


@dataclass
class Foreign:
    """Where an imported function was found, and what the call site needs to reach its replacement."""
    module: ModuleInfo      # the function's own module
    path: Path              # its file
    digest: str
    module_name: str        # dotted, from `root`
    root: Path
    binding: Binding
    function: str           # the def's name in `module`
    direct: bool            # the caller's import names the module that defines it (no re-export followed)
    caller_module: ModuleInfo
    caller_package: str

    @property
    def package(self) -> str:
        return self.module_name if self.path.name == "__init__.py" else self.module_name.rpartition(".")[0]

    def verify_context(self) -> dict:
        """VerifyJob fields: the slice runs as a module of its package, its root on sys.path, so that what it
        imports from its own package (relatively too) imports as it does in the user's program."""
        return {"package": self.package, "import_roots": [str(self.root)]}

    def choose_name(self, emit, taken: set[str] = frozenset()) -> str:
        """A name for the replacement, free in the function's module and at the call site: `f_tf`, `f_tf2`...
        A def of that name generated earlier with the same source is the replacement: it is reused, so a
        second run (a new call site of a function converted before) adds nothing. `taken`: names the call
        site's file gives other replacements."""
        base = f"{self.function}_tf"
        name, n = base, 1
        while True:
            existing, source = self.module.defs.get(name), emit(name)
            if existing is not None and _same_source(self._generated_segment(existing, source), source):
                return name
            through_module = self.direct and self.binding.attribute_path    # called as `m.f_tf`
            if name not in self.module.top_names and name not in taken and (
                    through_module or name not in self.caller_module.top_names):
                return name
            n += 1
            name = f"{base}{n}"

    def _generated_segment(self, existing, source: str) -> str:
        """The def `existing` and as many statements after it as the generated `source` holds (the emitted
        replacement is a def followed by the assignment of its tf.function)."""
        count = len(ast.parse(source).body)
        body = self.module.tree.body
        at = body.index(existing)
        last = body[min(at + count, len(body)) - 1]
        lines = self.module.source.splitlines(keepends=True)
        return self.module.segment(existing) + "".join(lines[existing.end_lineno:last.end_lineno])

    def call_and_import(self, name: str) -> tuple[str, tuple[int, int, str] | None]:
        """(what the call site calls, the import edit at the call site or None)."""
        b = self.binding
        if self.direct and b.attribute_path:
            return f"{b.attribute_path}.{name}", None
        if self.direct and b.alias.name == self.function:
            if _imports(b.statement, name):
                return name, None
            # right after the alias: `from m import f` -> `from m import f, f_tf`, in whatever layout it has
            return name, (b.alias.end_lineno, b.alias.end_col_offset, f", {name}")
        # a re-export (or a name bound by `import`): a new import line from the defining module
        module = self.relative_name() if b.relative else self.module_name
        return name, (b.statement.end_lineno, -1, f"from {module} import {name}")

    def relative_name(self) -> str:
        mine, theirs = self.caller_package.split(".") if self.caller_package else [], self.module_name.split(".")
        common = 0
        while common < min(len(mine), len(theirs)) and mine[common] == theirs[common]:
            common += 1
        return "." * (len(mine) - common + 1) + ".".join(theirs[common:])

    def display(self, display_like: str) -> str:
        """The module's path as reports show it: absolute, or relative when the call site's path is."""
        absolute = os.path.abspath(self.path)
        return absolute if os.path.isabs(display_like) else os.path.relpath(absolute)

    def defined_in(self, name: str, display_like: str) -> DefinedIn:
        _, edit = self.call_and_import(name)
        return DefinedIn(os.path.abspath(self.path), self.display(display_like), self.digest, self.module_name,
                         edit)


def _same_source(segment: str, source: str) -> bool:
    """A def in the file against generated source: the same lines, whatever the line endings."""
    def lines(text: str) -> list[str]:
        return [line.rstrip() for line in re.split(r"\r\n|\r|\n", text.strip())]
    return lines(segment) == lines(source)


def _imports(statement, name: str) -> bool:
    return any((a.asname or a.name) == name for a in getattr(statement, "names", []))


def absolute_module(module: str | None, level: int, package: str) -> str:
    if not level:
        return module or ""
    parts = package.split(".") if package else []
    if level - 1 >= len(parts):
        raise ValueError("beyond the top-level package")
    base = parts[:len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _binding(caller: ModuleInfo, func, package: str) -> Binding | None:
    """The import that binds the name the call reads, and the absolute dotted name it gives the callable."""
    attrs = []
    node = func
    while isinstance(node, gast.Attribute):
        attrs.insert(0, node.attr)
        node = node.value
    if not isinstance(node, gast.Name):
        return None
    found = []
    for stmt in gast.walk(caller.tree):
        if isinstance(stmt, gast.ImportFrom):
            for a in stmt.names:
                if (a.asname or a.name) == node.id:
                    try:
                        base = absolute_module(stmt.module, stmt.level or 0, package)
                    except ValueError:
                        raise Refusal("P106", f"`{node.id}` is imported relatively beyond the top-level package",
                                      stmt)
                    found.append(Binding(".".join([base, a.name] + attrs), stmt, a,
                                         ".".join([node.id] + attrs[:-1]) if attrs else "", bool(stmt.level)))
        elif isinstance(stmt, gast.Import):
            for a in stmt.names:
                if a.asname == node.id:
                    found.append(Binding(".".join([a.name] + attrs), stmt, a, ".".join([node.id] + attrs[:-1]),
                                         False))
                elif not a.asname and a.name.split(".")[0] == node.id and attrs:
                    written = ".".join([node.id] + attrs)
                    if written.startswith(a.name + "."):
                        found.append(Binding(written, stmt, a, ".".join([node.id] + attrs[:-1]), False))
    if not found:
        return None
    if len({b.qualified for b in found}) > 1:
        raise Refusal("P106", f"`{node.id}` is imported more than once, from different places "
                              f"({', '.join(sorted({b.qualified for b in found}))})", func)
    return found[0]


class CrossModuleResolver:
    """resolve.resolve's hook for imported callables: finds the def in the tree, or refuses with P106."""

    def __init__(self, caller_path: str, extra_roots: list[str] = ()):
        self.caller_path = Path(caller_path)
        self.roots = import_roots(self.caller_path, extra_roots)
        _, name = package_root(self.caller_path)
        self.package = name.rpartition(".")[0] if self.caller_path.name != "__init__.py" else name

    def __call__(self, caller: ModuleInfo, func, call) -> Resolved:
        written = _written(func)
        binding = _binding(caller, func, self.package)
        if binding is None:
            raise Refusal("P106", f"`{written}` is not defined in this module, nor imported from a module this "
                                  "tool can find", func)
        module_name, _, function = binding.qualified.rpartition(".")
        direct = True
        for _ in range(_MAX_REEXPORTS + 1):
            found = find_module(module_name, self.roots) if module_name else None
            if found is None:
                where = installed_location(module_name) if module_name else None
                if where:
                    raise Refusal("P106", f"`{written}` is imported from {module_name}, which resolves to {where}, "
                                          "outside the converted tree: only the tree's own modules are edited",
                                  func)
                raise Refusal("P106", f"`{written}` is imported from {module_name or 'a relative module'}, which "
                                      f"is not found under {', '.join(str(r) for r in self.roots)}", func)
            path, root = found
            try:
                module, digest = load_module(path)
            except (SourceFileError, SyntaxError, ValueError) as e:
                raise Refusal("P106", f"`{written}` is defined in {path}, which cannot be read: {e}", func)
            if function in module.defs or not _imported_there(module, function):
                break
            # a re-export (`from .impl import f` in a package's __init__.py): follow it to the def
            _, there = package_root(path)
            there_package = there if path.name == "__init__.py" else there.rpartition(".")[0]
            inner = _binding(module, gast.Name(id=function, ctx=gast.Load(), annotation=None, type_comment=None),
                             there_package)
            if inner is None:
                break
            module_name, _, function = inner.qualified.rpartition(".")
            direct = False
        else:
            raise Refusal("P106", f"`{written}` is re-exported more than {_MAX_REEXPORTS} times", func)
        if os.path.realpath(path) == os.path.realpath(self.caller_path):
            raise Refusal("P106", f"`{written}` is imported from this module itself", func)
        _, module_name = package_root(path)
        name_node = gast.Name(id=function, ctx=gast.Load(), annotation=None, type_comment=None)
        try:
            resolved = resolve(module, name_node, [], call)
        except Refusal as r:
            raise Refusal(r.code, f"in {path} (line {r.line}): {r.message}", func) from None
        if resolved.method is not None:
            raise Refusal("P106", f"`{written}` is a method in {path}; not converted across modules", func)
        resolved.written = written
        resolved.foreign = Foreign(module, path, digest, module_name, root, binding, function, direct, caller,
                                   self.package)
        return resolved


def _imported_there(module: ModuleInfo, name: str) -> bool:
    return any(isinstance(s, gast.ImportFrom) and any((a.asname or a.name) == name for a in s.names)
               for s in module.tree.body)


def _written(func) -> str:
    from .names import dotted
    return dotted(func) or "<callable>"


def link_modules(outcomes: list[Outcome]) -> list[Outcome]:
    """Insert the defs of cross-module sites into their modules, and tie each call site's file to them.

    Once every file is converted (in worker processes that each saw one call site's file): a module is
    re-edited from its original text with its own sites' edits and every def it receives (the call sites of
    one function with one signature give one def; one generated under a name already taken by a different
    def is refused, its call site's file re-edited without it: a second run converts it under a new name).
    A module that does not have sites of its own becomes an outcome too. The files so tied are one unit
    (`Outcome.unit`, batch.write_outcomes): when one of them cannot take its edits (it changed since it was
    read, the edits do not apply), none is written and the unit's cross-module sites are refused."""
    received: dict[str, list[tuple[Outcome, SiteResult]]] = {}
    for outcome in outcomes:
        if outcome.result.error is not None:
            continue
        for site in outcome.result.sites:
            rep = site.replacement
            if site.status == "converted" and rep is not None and rep.defined_in is not None:
                received.setdefault(os.path.realpath(rep.defined_in.path), []).append((outcome, site))
    if not received:
        return outcomes
    outcomes = list(outcomes)
    by_path = {os.path.realpath(o.source.path): o for o in outcomes if o.source is not None}
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    problems: dict[str, str] = {}     # unit member -> why the unit cannot be written
    definitions: dict[str, list[Replacement]] = {}
    dropped: set[str] = set()         # files that lost a cross-module site: re-edited without it
    for target, pairs in received.items():
        display = pairs[0][1].replacement.defined_in.display
        module = by_path.get(target)
        if module is None:
            try:
                source = read_source(target)
            except SourceFileError as e:
                problems[target] = f"{display} cannot be read: {e}"
                module = None
            else:
                module = Outcome(FileResult(display, original_text=source.text), source)
                outcomes.append(module)
                by_path[target] = module
        taken = {s.replacement.name: s.replacement.source for s in (module.result.sites if module else [])
                 if s.status == "converted" and s.replacement.defined_in is None}
        for outcome, site in pairs:
            rep = site.replacement
            if taken.setdefault(rep.name, rep.source) != rep.source:
                site.status = "refused"
                site.reasons = [Diagnostic(EDIT_FAILED, f"another call site's replacement is generated under the "
                                           f"name {rep.name} in {display} for another signature; run the "
                                           "conversion again to convert this one under a new name",
                                           site.line, site.col, site.file)]
                dropped.add(os.path.realpath(outcome.source.path))
                continue
            parent[find(os.path.realpath(outcome.source.path))] = find(target)
            definitions.setdefault(target, []).append(rep)
        if module is not None and module.result.error is not None:
            problems[target] = f"{display} could not be converted itself ({module.result.error.code})"
        elif module is not None and any(rep.defined_in.digest != module.source.digest
                                        for rep in definitions.get(target, [])):
            problems[target] = f"{display} changed on disk during the run"

    for key in set(definitions) | dropped:
        if key in problems:
            continue
        problem = _re_edit(by_path[key], definitions.get(key, []))
        if problem:
            problems[key] = problem

    members: dict[str, list[Outcome]] = {}
    for key, outcome in by_path.items():
        if key in parent:
            outcome.unit = find(key)
            members.setdefault(outcome.unit, []).append(outcome)
    for unit, why in {find(key): why for key, why in problems.items()}.items():
        names = ", ".join(sorted(o.result.path for o in members.get(unit, [])))
        for outcome in members.get(unit, []):
            outcome.new_bytes_text = None
            outcome.result.error = Diagnostic(EDIT_FAILED, f"not written: {why}; the files tied by cross-module "
                                              f"replacements ({names}) are written together or not at all",
                                              file=outcome.result.path)
            for site in outcome.result.sites:
                if site.status == "converted" and site.replacement.defined_in is not None:
                    site.status = "refused"
                    site.reasons = [Diagnostic(EDIT_FAILED, f"the replacement could not be added: {why}",
                                               site.line, site.col, site.file)]
    return outcomes


def _re_edit(outcome: Outcome, received: list[Replacement]) -> str | None:
    """The file's new text from its original: its own converted sites and the defs it receives. Returns why
    it cannot be done, or None."""
    from .edit import EditError, add_tf_import, apply_replacements
    if outcome.cells is not None:     # a notebook that lost a site: its cells are not re-split here
        return f"{outcome.result.path} would need its cells edited again"
    own = [s.replacement for s in outcome.result.sites if s.status == "converted"]
    text = outcome.source.text
    try:
        new = apply_replacements(text, own, received)
        if received or any(r.defined_in is None for r in own):
            new = add_tf_import(new)
    except (EditError, SyntaxError) as e:
        return f"the edits of {outcome.result.path} could not be applied: {e}"
    outcome.new_bytes_text = outcome.result.new_text = new if new != text else None
    return None
