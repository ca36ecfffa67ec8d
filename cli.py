"""The `pyfunc2tf` command: parses options, runs the library on each file, prints and writes the results."""
from __future__ import annotations

import json
import os
import re
import time
import traceback
from pathlib import Path
from typing import Annotated, Optional

import typer

# TensorFlow's C++ start-up chatter (CUDA probing, oneDNN notices) says nothing about the user's code and
# would bury the verdicts; set before anything imports TensorFlow, inherited by the verification processes.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from transpiler.batch import Progress, convert_all, outcome_diff, select, write_outcomes
from transpiler.check import findings, convertible, render as render_findings
from transpiler.config import Config, ConfigError, load_config
from transpiler.report import render_text, to_json
from transpiler.results import FileResult
from transpiler.run_summary import render_markdown, render_summary_table
from transpiler.signature import SignatureError, parse_signature
from transpiler.walk import walk

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
Convert the py_function call sites in PATH... (files, or directories walked
for *.py and *.ipynb, honouring .gitignore, skipping virtual environments and
build folders). Without --write nothing is changed. `# pyfunc2tf: skip` on a
call's line, or the line before, keeps that site. Defaults come from
[tool.pyfunc2tf] in the nearest pyproject.toml (signatures, exclude, examples).

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


def _load_config(paths: list[Path]) -> Config:
    try:
        config = load_config(paths)
    except ConfigError as e:
        raise typer.BadParameter(str(e), param_hint="[tool.pyfunc2tf]") from None
    for warning in config.warnings:
        typer.echo(f"pyfunc2tf: warning: {warning}", err=True)
    return config


def _run(paths: list[Path], config: Config, signatures: dict[str, str], options: dict, jobs: int | None):
    """Walk, prefilter, convert (in parallel when asked). Returns (outcomes, file results, files scanned)."""
    entries = walk(paths, config.exclude, config.root)
    walked = select(entries)
    progress = Progress(len(walked.candidates)) if walked.candidates else None
    # imports of another module are looked for under the walked directories and the project root too
    roots = [str(p) for p in paths if p.is_dir()] + ([str(config.root)] if config.root else [])
    outcomes = convert_all(walked.candidates, signatures, {**options, "import_roots": roots}, jobs, progress)
    results = sorted(walked.problems + [o.result for o in outcomes], key=lambda r: r.path)
    return outcomes, results, walked.scanned


def _exit_code(results: list[FileResult]) -> int:
    refused = any(s.status == "refused" for r in results for s in r.sites)
    failed = any(r.error is not None and r.error.severity == "error" for r in results)
    return EXIT_SOME_REFUSED if refused or failed else EXIT_ALL_CONVERTED


_JOBS_HELP = "Files converted at once, in worker processes (default: the CPU cores, at most 8 and at most " \
             "the files with sites)."


@app.command(help=CONVERT_HELP, no_args_is_help=True)
def convert(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", exists=True, show_default=False,
                                                help="Files (.py, .ipynb), or directories to walk.")],
    write: Annotated[bool, typer.Option("--write", help="Rewrite the files in place (atomically).")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print the changes as a unified diff.")] = False,
    signature: Annotated[Optional[list[str]], typer.Option(
        "--signature", "-s", metavar="FN=SPEC", show_default=False,
        help="Argument specs of a wrapped function, e.g. '_standardize=float32[None]'.")] = None,
    report: Annotated[Optional[Path], typer.Option(
        "--report", metavar="FILE.json", help="Write the JSON report there (also when sites are refused).")] = None,
    markdown: Annotated[Optional[Path], typer.Option(
        "--markdown", metavar="FILE.md", help="Write a Markdown summary of the run there.")] = None,
    examples: Annotated[Optional[int], typer.Option(
        "--examples", min=1, metavar="N", show_default=False,
        help="Generated inputs per site (default: [tool.pyfunc2tf] examples, else 50).")] = None,
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="Seed for the generated inputs.")] = 0,
    verify: Annotated[bool, typer.Option("--verify/--no-verify",
                                         help="Check equivalence before accepting a conversion.")] = True,
    timeout: Annotated[float, typer.Option("--timeout", min=1.0, metavar="SECONDS",
                                           help="Time limit of the verification of one site.")] = 120.0,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, metavar="N", show_default=False,
                                                help=_JOBS_HELP)] = None,
    prove: Annotated[bool, typer.Option("--prove", help="Also prove, per converted site: no py_function op "
                                        "left, SavedModel reload in a fresh process, XLA, tf.data, static "
                                        "shapes, Ray (if installed); in the report's `proofs`.")] = False,
) -> None:
    config = _load_config(paths)
    signatures = {**config.signatures, **parse_signature_options(signature or [])}
    for target, option in ((report, "--report"), (markdown, "--markdown")):
        if target is not None and not target.parent.is_dir():
            raise typer.BadParameter(f"the directory of {target} does not exist", param_hint=option)
    options = dict(examples=examples or config.examples or 50, seed=seed, verify=verify, verify_timeout=timeout)
    if prove:
        options["prove"] = True
    started = time.monotonic()
    try:
        outcomes, file_results, scanned = _run(paths, config, signatures, options, jobs)
        # Writes start only once every file is converted: an internal error above leaves all files as they were.
        changed = [o for o in outcomes if o.source is not None and o.result.error is None
                   and o.new_bytes_text is not None]
        if diff:
            for outcome in changed:
                typer.echo(outcome_diff(outcome), nl=False)
        if write:
            write_outcomes(changed, lambda path: typer.echo(f"pyfunc2tf: wrote {path}", err=True))
        elapsed = time.monotonic() - started
        if report is not None:
            report.write_text(json.dumps(to_json(file_results, scanned), indent=2) + "\n", encoding="utf-8")
        if markdown is not None:
            markdown.write_text(render_markdown(file_results, scanned, elapsed), encoding="utf-8")
        typer.echo(render_text(file_results), nl=False)
        if any(p.is_dir() for p in paths) or scanned > 1:
            typer.echo(render_summary_table(file_results, scanned, elapsed), nl=False)
    except Exception as e:   # a bug of ours, not a problem of the user's code
        traceback.print_exc()
        typer.echo(f"pyfunc2tf: internal error: {type(e).__name__}: {e}", err=True)
        raise typer.Exit(EXIT_USAGE_OR_INTERNAL) from None
    raise typer.Exit(_exit_code(file_results))


CHECK_HELP = """\
Report, without changing anything, the py_function call sites in PATH...
that pyfunc2tf would convert (for CI and pre-commit). Prints
`file:line:col: CODE message` (columns from 1), or GitHub workflow
annotations with --format github. A site with `# pyfunc2tf: skip` on its
line, or on the line before, is kept on purpose and not reported.

\b
Exit codes: 0 no convertible site remains, 1 at least one does,
2 usage or internal error.
"""


@app.command(help=CHECK_HELP, no_args_is_help=True)
def check(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", exists=True, show_default=False,
                                                help="Files (.py, .ipynb), or directories to walk.")],
    output_format: Annotated[str, typer.Option("--format", metavar="text|github",
                                               help="text: file:line:col: CODE message; github: annotations.")] = "text",
    signature: Annotated[Optional[list[str]], typer.Option(
        "--signature", "-s", metavar="FN=SPEC", show_default=False,
        help="Argument specs of a wrapped function, e.g. '_standardize=float32[None]'.")] = None,
    examples: Annotated[Optional[int], typer.Option("--examples", min=1, metavar="N", show_default=False,
                                                    help="Generated inputs per site.")] = None,
    verify: Annotated[bool, typer.Option("--verify/--no-verify",
                                         help="Count a site as convertible only once verified.")] = True,
    timeout: Annotated[float, typer.Option("--timeout", min=1.0, metavar="SECONDS",
                                           help="Time limit of the verification of one site.")] = 120.0,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, metavar="N", show_default=False,
                                                help=_JOBS_HELP)] = None,
) -> None:
    if output_format not in ("text", "github"):
        raise typer.BadParameter(f"{output_format!r} is not text or github", param_hint="--format")
    config = _load_config(paths)
    signatures = {**config.signatures, **parse_signature_options(signature or [])}
    options = dict(examples=examples or config.examples or 50, seed=0, verify=verify, verify_timeout=timeout)
    try:
        _, file_results, _ = _run(paths, config, signatures, options, jobs)
        typer.echo(render_findings(findings(file_results), output_format), nl=False)
    except Exception as e:
        traceback.print_exc()
        typer.echo(f"pyfunc2tf: internal error: {type(e).__name__}: {e}", err=True)
        raise typer.Exit(EXIT_USAGE_OR_INTERNAL) from None
    raise typer.Exit(1 if convertible(file_results) else 0)


SCAN_HELP = """\
List the PyFunc, PyFuncStateless and EagerPyFunc nodes of existing artefacts:
SavedModel directories, or GraphDef files (.pb, .pbtxt). The protos are read,
the models are not loaded. Such a node holds a key into a registry of Python
callbacks of the process that saved it: the artefact will not run in another
process, in TF Serving, TFLite or on a Ray worker.

\b
Exit codes: 0 clean, 1 a py_function node was found, 2 unreadable artefact.
"""


@app.command(help=SCAN_HELP, no_args_is_help=True)
def scan(paths: Annotated[list[Path], typer.Argument(metavar="PATH", exists=True, show_default=False,
                                                     help="SavedModel directories or GraphDef files.")]) -> None:
    from transpiler.scan import ScanError, render_scan, scan_path

    found = unreadable = False
    for path in paths:
        try:
            nodes = scan_path(path)
        except ScanError as e:
            typer.echo(f"pyfunc2tf: {e}", err=True)
            unreadable = True
            continue
        found = found or bool(nodes)
        typer.echo(render_scan(str(path), nodes), nl=False)
    raise typer.Exit(EXIT_USAGE_OR_INTERNAL if unreadable else 1 if found else 0)


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
