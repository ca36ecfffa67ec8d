"""The pipeline of DESIGN.md for one file: discover, resolve, lower, emit, verify, edit."""
from __future__ import annotations

import re
import sys
import time

import gast

from .diagnostics import Diagnostic, Refusal
from .discover import Site, find_sites
from .emit import emit_function, emit_method
from .infer_signature import infer_signature
from .lower.function import lower_function
from .names import dotted
from .resolve import ModuleInfo, Resolved, module_slice, resolve
from .results import FileResult, Replacement, SiteResult
from .signature import ArgSpec, SignatureError, format_signature, parse_signature


def convert_text(text: str, path: str, signatures: dict[str, str] | None = None, *,
                 examples: int = 50, seed: int = 0, verify: bool = True,
                 verify_timeout: float = 60.0, prove: bool = False) -> FileResult:
    """Convert every site of one module's source text. Never raises for problems in the user's code:
    they are diagnostics in the result. `new_text` is the edited source (None when nothing changes)."""
    result = FileResult(path, original_text=text)
    try:
        tree = gast.parse(text)
    except SyntaxError as e:
        newer = "" if isinstance(e, TabError) else \
            f" (this is Python {sys.version_info[0]}.{sys.version_info[1]}: newer syntax does not parse here)"
        result.error = Diagnostic("P501", f"the file does not parse: {e.msg}{newer}", e.lineno or 0,
                                  e.offset or 0, path)
        return result
    module = ModuleInfo.build(tree, text)
    parsed_sigs = {k: parse_signature(v) for k, v in (signatures or {}).items()}
    replacements: dict[tuple, Replacement] = {}
    lines = re.split(r"\r\n|\r|\n", text)   # Python's line breaks (str.splitlines knows more)
    for site in find_sites(tree, module.imports):
        if kept_by_pragma(lines, site.line, site.call.end_lineno):
            result.sites.append(SiteResult(path, site.line, site.col, dotted(site.func) or "<lambda>", site.api,
                                           status="skipped", notes=[Diagnostic(
                                               "P130", "kept on purpose by `# pyfunc2tf: skip`", site.line,
                                               site.col, path, severity="info")]))
            continue
        t0 = time.perf_counter()
        sr = convert_site(module, site, path, parsed_sigs, replacements, examples, seed, verify, verify_timeout,
                          prove=prove)
        sr.timings["total_s"] = round(time.perf_counter() - t0, 3)
        result.sites.append(sr)
    converted = [s.replacement for s in result.sites if s.status == "converted"]
    if converted:
        from .edit import apply_replacements
        new = apply_replacements(text, converted)
        new = ensure_tf_import(module, new)
        result.new_text = new if new != text else None
    return result


_SKIP_PRAGMA = re.compile(r"#\s*pyfunc2tf:\s*skip\b")


def kept_by_pragma(lines: list[str], first: int, last: int | None = None) -> bool:
    """`# pyfunc2tf: skip` on a line of the call (1-based `first`..`last`) or on the line before it."""
    return any(_SKIP_PRAGMA.search(lines[n - 1]) for n in range(max(first - 1, 1), (last or first) + 1)
               if n - 1 < len(lines))


def ensure_tf_import(module: ModuleInfo, text: str) -> str:
    """The generated code says `tf.`: add `import tensorflow as tf` when the module binds no `tf`."""
    if module.imports.aliases.get("tf") == "tensorflow":
        return text
    imports = [s for s in module.tree.body if isinstance(s, (gast.Import, gast.ImportFrom))]
    after = imports[-1].end_lineno if imports else 0
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    lines.insert(after, "import tensorflow as tf" + newline)
    return "".join(lines)


def find_signature(sigs: dict[str, list[ArgSpec]], written: str, def_name: str):
    for key in (written, written.rsplit(".", 1)[-1], def_name):
        if key in sigs:
            return sigs[key], key
    return None, None


def convert_site(module, site: Site, path, sigs, replacements, examples, seed, verify, timeout,
                 prove: bool = False) -> SiteResult:
    written = dotted(site.func) if site.func is not None else None
    sr = SiteResult(path, site.line, site.col, written or "<lambda>", site.api)
    if site.problems:
        sr.reasons = [_at(d, path) for d in site.problems]
        return sr
    if module.imports.aliases.get("tf", "tensorflow") != "tensorflow":
        sr.reasons = [Diagnostic("P502", "`tf` names something other than tensorflow in this module; the "
                                         "generated code needs it", site.line, site.col, path)]
        return sr
    try:
        resolved = resolve(module, site.func, site.scope, site.call)
        specs, key = find_signature(sigs, sr.function, resolved.def_name)
        inferred_note = None
        if specs is None:
            inferred = infer_signature(module, site)
            specs, sr.signature_source = inferred.specs, f"inferred from {inferred.source}"
            inferred_note = Diagnostic("P112", f"assumed the signature {format_signature(specs)} "
                                               f"(inferred from {inferred.source})", site.line, site.col,
                                       path, severity="info")
        else:
            sr.signature_source = "--signature"
        sr.signature = format_signature(specs)
        _check_inputs(site, specs)
        lowered = lower_function(module, resolved, specs, site.api, site.tout, site.tout_is_list)
        fallback = _fallback_call(module, site, lowered.params) if resolved.method is not None else None
    except Refusal as r:
        sr.reasons = [r.diagnostic(path)]
        return sr
    sr.notes = ([inferred_note] if inferred_note else []) + [_at(n, path) for n in _unique(lowered.notes)]
    dedupe_key = (resolved.def_name, resolved.original_expr, sr.signature, site.api, tuple(site.tout),
                  site.tout_is_list)
    existing = replacements.get(dedupe_key)
    name = existing.name if existing else _free_name(module, replacements, sr.function)
    source = existing.source if existing else emit_function(name, resolved.def_name, lowered, specs)
    from .verify.job import VerifyJob
    job = VerifyJob(original_slice=module_slice(module, resolved.slice_roots) + resolved.extra_source,
                    original_expr=resolved.original_expr, replacement_source=source,
                    replacement_name=name, api=site.api, tout=list(site.tout),
                    tout_is_list=site.tout_is_list,
                    signature=[[s.dtype, list(s.shape)] for s in specs],
                    examples=examples, seed=seed, deadline_s=timeout)
    if verify:
        from .verify import verify_site
        t0 = time.perf_counter()
        sr.verification = verify_site(job)
        sr.timings["verify_s"] = round(time.perf_counter() - t0, 3)
        if sr.verification.get("status") != "passed":
            sr.reasons = [Diagnostic("P401" if sr.verification.get("status") == "failed" else "P402",
                                     "verification: " + str(sr.verification.get("message", "")),
                                     site.line, site.col, path)]
            return sr
    else:
        sr.verification = {"status": "skipped", "message": "verification disabled (--no-verify)"}
    if prove:   # portability proofs of the verified function (transpiler/prove): reported, never a refusal
        from .prove import prove_site
        t0 = time.perf_counter()
        sr.proofs = prove_site(job, timeout=max(timeout, 60.0))
        sr.timings["prove_s"] = round(time.perf_counter() - t0, 3)
    sr.status = "converted"
    call_text = f"{name}({_inputs_text(module, site)})"
    if resolved.method is not None:
        # verified above as a plain function; the file gets the method that checks the frozen attributes
        fm = resolved.method
        source = emit_method(name, fm.class_def.name, resolved.def_name, fm.instance.origin, lowered, specs,
                             fallback)
        call_text = f"self.{call_text}"
    sr.replacement = Replacement(name, source, resolved.insert_after_line, resolved.indent,
                                 (site.call.lineno, site.call.col_offset, site.call.end_lineno,
                                  site.call.end_col_offset), call_text)
    replacements[dedupe_key] = sr.replacement
    return sr


def _fallback_call(module, site: Site, params: list[str]) -> str:
    """The site's own call with the method's parameters as inputs: what a converted method runs when the
    instance's attributes are not the ones it was converted for."""
    from .resolve import _source_of, used_names
    parts = []
    for a in site.call.args:
        parts.append(f"[{', '.join(params)}]" if a is site.inp else _source_of(module, a))
    for kw in site.call.keywords:
        value = f"[{', '.join(params)}]" if kw.value is site.inp else _source_of(module, kw.value)
        parts.append(f"{kw.arg}={value}" if kw.arg else f"**{value}")
    free = set()
    for node in [site.call.func] + [a for a in site.call.args if a is not site.inp] + \
            [k.value for k in site.call.keywords if k.value is not site.inp]:
        free |= used_names(node)
    import builtins
    local = sorted(n for n in free - set(module.top_names) - {"self"} if not hasattr(builtins, n))
    if local:
        raise Refusal("P104", f"the call reads {', '.join(local)} from the calling method; the converted method "
                              "could not repeat it for an instance it was not converted for", site.call)
    return f"{_source_of(module, site.call.func)}({', '.join(parts)})"


def _check_inputs(site: Site, specs) -> None:
    if isinstance(site.inp, (gast.List, gast.Tuple)) and len(site.inp.elts) != len(specs):
        raise Refusal("P110", f"the call passes {len(site.inp.elts)} input(s) but the signature has "
                              f"{len(specs)}", site.inp)


def _inputs_text(module, site: Site) -> str:
    from .resolve import _source_of
    if isinstance(site.inp, (gast.List, gast.Tuple)):
        return ", ".join(_source_of(module, e) for e in site.inp.elts)
    return "*" + _source_of(module, site.inp)


def _free_name(module, replacements, written: str) -> str:
    base = written.rsplit(".", 1)[-1]
    base = (base if base != "<lambda>" else "_lambda") + "_tf"
    taken = set(module.top_names) | {r.name for r in replacements.values()}
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    return name


def _unique(diags):
    seen, out = set(), []
    for d in diags:
        k = (d.code, d.message)
        if k not in seen:
            seen.add(k)
            out.append(d)
    return out


def _at(d: Diagnostic, path: str) -> Diagnostic:
    d.file = d.file or path
    return d
