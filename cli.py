"""The `pyfunc2tf` command: parses options, runs the library on each file, prints and writes the results."""
from __future__ import annotations

import json
import os
import re
import traceback
from pathlib import Path
from typing import Annotated, Optional

import typer

# TensorFlow's C++ start-up chatter (CUDA probing, oneDNN notices) says nothing about the user's code and
# would bury the verdicts; set before anything imports TensorFlow, inherited by the verification processes.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from transpiler.diagnostics import Diagnostic
from transpiler.edit import EditError
from transpiler.files import SourceFile, SourceFileError, atomic_write, python_files, read_source
from transpiler.report import render_text, to_json, unified_diff
from transpiler.results import FileResult
from transpiler.signature import SignatureError, parse_signature

EXIT_ALL_CONVERTED, EXIT_SOME_REFUSED, EXIT_USAGE_OR_INTERNAL = 0, 1, 2

# File-level diagnostics (P5xx in transpiler/diagnostics.py) raised here; the pipeline reports parse errors
# itself (P501), and P502 is its too.
CANNOT_READ, EDIT_FAILED, CANNOT_WRITE = "P503", "P504", "P505"

APP_HELP = """\
Convert Python functions wrapped by tf.py_function, tf.numpy_function or
tf.compat.v1.py_func into native TensorFlow, verify that the native version
gives the same results, and rewrite the call sites to use it. What cannot be
translated faithfully is left untouched and explained (file, line, reason).

\b
Exit codes:
  0  every call site converted (or none found)
  1  at least one call site refused, or a file could not be handled
  2  usage error or internal error (nothing written)
"""

CONVERT_HELP = """\
Convert the py_function call sites in PATH... (files, or directories searched
for *.py). Without --write nothing is changed.

\b
Signature syntax (--signature FN=SPEC, repeatable):
  FN    the wrapped callable as written at the call site (its last name:
        _fn for self._fn), or the name of the def it resolves to
  SPEC  comma-separated dtype[dims] per argument; dims are ints or None,
        [] is a scalar, whitespace is ignored
  e.g.  --signature '_standardize=float32[None]'
        --signature 'crop=uint8[None,None,3], int64[2]'
Without a signature, what the file shows is used (input_signature,
TensorSpecs, Tout) and the report says what was assumed.

\b
Exit codes: 0 all converted, 1 some refused, 2 usage or internal error.
"""

app = typer.Typer(help=APP_HELP, no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                  pretty_exceptions_enable=False)

_FN_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def parse_signature_options(values: list[str]) -> dict[str, str]:
    """`["fn=float32[None]", ...]` -> {"fn": "float32[None]"}; raises typer.BadParameter (exit 2)."""
    signatures: dict[str, str] = {}
    for value in values:
        fn, sep, spec = value.partition("=")
        fn, spec = fn.strip(), spec.strip()
        if not sep or not _FN_NAME.fullmatch(fn):
            raise typer.BadParameter(f"{value!r} is not FN=SPEC, e.g. _standardize=float32[None]",
                                     param_hint="--signature")
        try:
            parse_signature(spec)
        except SignatureError as e:
            raise typer.BadParameter(f"{value!r}: {e}", param_hint="--signature") from None
        if fn in signatures and signatures[fn] != spec:
            raise typer.BadParameter(f"two different signatures for {fn}", param_hint="--signature")
        signatures[fn] = spec
    return signatures


def _file_error(display: str, code: str, message: str) -> FileResult:
    return FileResult(display, error=Diagnostic(code, message, file=display))


def _convert_one(path: Path, signatures: dict[str, str], options: dict) -> tuple[FileResult, SourceFile | None]:
    """Problems with the file itself become a file-level diagnostic; the file is then left alone."""
    from transpiler.pipeline import convert_text   # imports TensorFlow: only when there is work

    display = str(path)
    try:
        source = read_source(path)
    except SourceFileError as e:
        return _file_error(display, CANNOT_READ, str(e)), None
    try:
        result = convert_text(source.text, display, signatures, **options)
    except EditError as e:
        return _file_error(display, EDIT_FAILED, f"the edits could not be applied safely: {e}"), None
    return result, source


def _write(result: FileResult, source: SourceFile) -> None:
    try:
        atomic_write(source.path, result.new_text, like=source)
    except SourceFileError as e:
        result.error = Diagnostic(CANNOT_WRITE, str(e), file=result.path)
        return
    typer.echo(f"pyfunc2tf: wrote {result.path}", err=True)


def _exit_code(results: list[FileResult]) -> int:
    refused = any(s.status != "converted" for r in results for s in r.sites)
    failed = any(r.error is not None for r in results)
    return EXIT_SOME_REFUSED if refused or failed else EXIT_ALL_CONVERTED


@app.command(help=CONVERT_HELP, no_args_is_help=True)
def convert(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", exists=True, show_default=False,
                                                help="Python files, or directories to search for *.py.")],
    write: Annotated[bool, typer.Option("--write", help="Rewrite the files in place (atomically).")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print the changes as a unified diff.")] = False,
    signature: Annotated[Optional[list[str]], typer.Option(
        "--signature", "-s", metavar="FN=SPEC", show_default=False,
        help="Argument specs of a wrapped function, e.g. '_standardize=float32[None]'.")] = None,
    report: Annotated[Optional[Path], typer.Option(
        "--report", metavar="FILE.json", help="Write the JSON report there (also when sites are refused).")] = None,
    examples: Annotated[int, typer.Option("--examples", min=1, metavar="N", help="Generated inputs per site.")] = 50,
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="Seed for the generated inputs.")] = 0,
    verify: Annotated[bool, typer.Option("--verify/--no-verify",
                                         help="Check equivalence before accepting a conversion.")] = True,
    timeout: Annotated[float, typer.Option("--timeout", min=1.0, metavar="SECONDS",
                                           help="Time limit of the verification of one site.")] = 120.0,
) -> None:
    signatures = parse_signature_options(signature or [])
    if report is not None and not report.parent.is_dir():
        raise typer.BadParameter(f"the directory of {report} does not exist", param_hint="--report")
    options = dict(examples=examples, seed=seed, verify=verify, verify_timeout=timeout)
    try:
        files = python_files(paths)
        results: list[tuple[FileResult, SourceFile | None]] = []
        for i, path in enumerate(files, start=1):
            if len(files) > 1:
                typer.echo(f"[{i}/{len(files)}] {path}", err=True)
            results.append(_convert_one(path, signatures, options))
        # Writes start only once every file is converted: an internal error above leaves all files as they were.
        changed = [(r, s) for r, s in results
                   if s is not None and r.error is None and r.new_text is not None and r.new_text != s.text]
        if diff:
            for result, source in changed:
                typer.echo(unified_diff(result.path, source.text, result.new_text), nl=False)
        if write:
            for result, source in changed:
                _write(result, source)
        file_results = [r for r, _ in results]
        if report is not None:
            report.write_text(json.dumps(to_json(file_results), indent=2) + "\n", encoding="utf-8")
        typer.echo(render_text(file_results), nl=False)
    except Exception as e:   # a bug of ours, not a problem of the user's code
        traceback.print_exc()
        typer.echo(f"pyfunc2tf: internal error: {type(e).__name__}: {e}", err=True)
        raise typer.Exit(EXIT_USAGE_OR_INTERNAL) from None
    raise typer.Exit(_exit_code(file_results))


def render_op_rows(rows: list[dict]) -> str:
    """Aligned columns: name, status, then the TF target (supported) or the reason (partial, unsupported)."""
    width = max((len(r["name"]) for r in rows), default=0)
    lines = []
    for row in rows:
        detail = row.get("target") or ""
        if row.get("status") != "supported" and row.get("reason"):
            detail = f"{detail}  ({row['reason']})" if detail else row["reason"]
        lines.append(f"{row['name']:<{width}}  {row['status']:<11}  {detail}".rstrip())
    counts = {s: sum(r["status"] == s for r in rows) for s in ("supported", "partial", "unsupported")}
    lines.append(f"{len(rows)} names: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    return "\n".join(lines) + "\n"


@app.command(help="Print the op table: which NumPy, math, builtin and ndarray names convert, to what, "
                  "and why the others do not.")
def ops(as_json: Annotated[bool, typer.Option("--json", help="A JSON list of "
                                              "{name, status, reason, target}.")] = False) -> None:
    import opmap

    rows = opmap.table_rows()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
    else:
        typer.echo(render_op_rows(rows), nl=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
