"""Minimal text edits on the user's source: insert each replacement def, rewrite each call site.

Everything outside the edited spans stays character-identical (line endings included), and the result
must parse, or `EditError` is raised and nothing is returned to be written.

Positions come from Python's `ast`: 1-based lines counted the way the tokenizer counts them
("\\r\\n", "\\r" or "\\n" end a line, nothing else does) and columns in UTF-8 BYTES from the start of
the line. Both are converted here to offsets into the `str`, so non-ASCII lines edit correctly.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

from .results import Replacement

_LINE_END = re.compile(r"\r\n|\r|\n")


class EditError(Exception):
    """The edits cannot be applied faithfully; the file must be left as it is."""


def split_lines(text: str) -> list[str]:
    """Lines with their endings, numbered as `ast` numbers them (str.splitlines also splits on \\f, \\x1c...)."""
    lines, start = [], 0
    for m in _LINE_END.finditer(text):
        lines.append(text[start:m.end()])
        start = m.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def _line_ending(line: str) -> str:
    m = _LINE_END.search(line)
    return m.group() if m else ""


def _is_blank(line: str) -> bool:
    return not line.strip()


@dataclass
class _Edit:
    start: int      # offset into the original text
    end: int        # == start for an insertion
    text: str


class _Source:
    """The original text with what is needed to turn ast positions into offsets."""

    def __init__(self, text: str):
        self.text = text
        self.lines = split_lines(text)
        self.line_starts = []
        offset = 0
        for line in self.lines:
            self.line_starts.append(offset)
            offset += len(line)
        first_ending = _LINE_END.search(text)
        self.newline = first_ending.group() if first_ending else "\n"

    def offset(self, line: int, byte_col: int) -> int:
        if not 1 <= line <= len(self.lines):
            raise EditError(f"line {line} is outside the file ({len(self.lines)} lines)")
        content = self.lines[line - 1].rstrip("\r\n")
        encoded = content.encode("utf-8")
        if not 0 <= byte_col <= len(encoded):
            raise EditError(f"column {byte_col} is outside line {line} ({len(encoded)} bytes)")
        try:
            char_col = len(encoded[:byte_col].decode("utf-8"))
        except UnicodeDecodeError:
            raise EditError(f"column {byte_col} of line {line} falls inside a multi-byte character") from None
        return self.line_starts[line - 1] + char_col

    def end_of_line(self, line: int) -> int:
        """Offset just after line `line` and its ending (where the next line starts)."""
        if not 1 <= line <= len(self.lines):
            raise EditError(f"cannot insert after line {line}: the file has {len(self.lines)} lines")
        return self.line_starts[line - 1] + len(self.lines[line - 1])


def _string_interior_rows(source: str) -> set[int]:
    """Rows (1-based) that continue a multi-line string: indenting them would change the string's value."""
    rows: set[int] = set()
    fstring_starts: list[int] = []
    fstring_start = getattr(tokenize, "FSTRING_START", None)   # Python 3.12+ splits f-strings into tokens
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING:
            rows.update(range(tok.start[0] + 1, tok.end[0] + 1))
        elif tok.type == fstring_start:
            fstring_starts.append(tok.start[0])
        elif tok.type == fstring_end and fstring_starts:
            rows.update(range(fstring_starts.pop() + 1, tok.end[0] + 1))
    return rows


def indent_source(source: str, indent: str, newline: str) -> str:
    """`source` (lines ending in "\\n") indented by `indent`, with `newline` line endings.

    Blank lines get no trailing whitespace; lines inside multi-line strings are left alone."""
    try:
        keep = _string_interior_rows(source)
    except (tokenize.TokenError, SyntaxError) as e:
        raise EditError(f"the generated replacement does not tokenize: {e}") from None
    out = []
    for row, line in enumerate(split_lines(source), start=1):
        content = line.rstrip("\r\n")
        if row in keep:
            out.append(content)
        elif content.strip():
            out.append(indent + content)
        else:
            out.append("")
    return newline.join(out) + newline


def _bound_names(stmts: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for stmt in stmts:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in stmt.names)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _names_beside(tree: ast.Module, line: int, indent: str) -> set[str]:
    """Names bound in the block where an insertion after `line` lands.

    That block holds a statement which ends on `line` at the insertion's indentation (the wrapped def);
    if there is none, inserting there would cut a statement in two."""
    col = len(indent.encode("utf-8"))
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if not isinstance(block, list):
                continue
            if any(isinstance(s, ast.stmt) and s.end_lineno == line and s.col_offset == col for s in block):
                return _bound_names(block)
    raise EditError(f"no statement at indentation {indent!r} ends on line {line}: "
                    f"inserting a definition there would not be between statements")


def _check_is_call(source: _Source, start: int, end: int, where: str) -> None:
    """A span that is not exactly one call would still parse after the edit and silently change the code."""
    span = source.text[start:end]
    try:
        expr = ast.parse("(" + span + "\n)", mode="eval").body
    except SyntaxError:
        expr = None
    if not isinstance(expr, ast.Call):
        raise EditError(f"the call span {where} does not hold exactly one call: {span!r}")


def _insertion_block(source: _Source, line: int, group: list[Replacement]) -> str:
    """The text inserted after `line`: blank lines, the replacement defs, blank lines."""
    newline = _line_ending(source.lines[line - 1]) or source.newline
    # PEP 8: two blank lines around top-level definitions, one around nested ones and methods
    blanks = newline * (1 if group[0].indent else 2)
    block = "" if _line_ending(source.lines[line - 1]) else newline
    for rep in group:
        block += blanks + indent_source(rep.source, rep.indent, newline)
    following = source.lines[line] if line < len(source.lines) else None
    if following is not None and not _is_blank(following):
        block += blanks   # the file had nothing between the def and the next line: keep them apart
    return block


def apply_replacements(text: str, replacements: list[Replacement], definitions: list[Replacement] = ()) -> str:
    """Return `text` with every replacement inserted and every call site rewritten.

    Replacements of the same name are inserted once (several sites may wrap one def); a name already
    bound where the insertion would land is not inserted again, so a second run changes nothing.
    A replacement `defined_in` another module only rewrites its call here (and adds the import of it);
    `definitions` are such replacements of other files' sites whose def goes into this text.
    Raises EditError when the edits overlap, point outside the file, or the result does not parse."""
    if not replacements and not definitions:
        return text
    source = _Source(text)
    try:
        tree = ast.parse(text)
    except SyntaxError as e:
        raise EditError(f"the original source does not parse (line {e.lineno}): {e.msg}") from None

    edits: list[_Edit] = []
    calls: dict[tuple[int, int], str] = {}
    imports: set[tuple[int, str]] = set()
    for rep in replacements:
        line, col, end_line, end_col = rep.call_span
        start, end = source.offset(line, col), source.offset(end_line, end_col)
        if end <= start:
            raise EditError(f"empty or reversed call span {rep.call_span} for {rep.name}")
        if (start, end) in calls:
            if calls[(start, end)] != rep.call_text:
                raise EditError(f"two different rewrites of the call at line {line}:{col}")
            continue
        _check_is_call(source, start, end, f"{line}:{col}-{end_line}:{end_col}")
        calls[(start, end)] = rep.call_text
        edits.append(_Edit(start, end, rep.call_text.replace("\n", source.newline)))
        if rep.defined_in is not None and rep.defined_in.import_edit is not None:
            at, added = _import_insertion(source, tree, *rep.defined_in.import_edit)
            if (at, added) not in imports:
                imports.add((at, added))
                edits.append(_Edit(at, at, added))

    inserted: dict[str, Replacement] = {}
    groups: dict[int, list[Replacement]] = {}
    for rep in [r for r in replacements if r.defined_in is None] + list(definitions):
        if rep.name in inserted:
            if inserted[rep.name].source != rep.source:
                raise EditError(f"two different definitions generated under the name {rep.name!r}")
            continue
        inserted[rep.name] = rep
        if rep.name in _names_beside(tree, rep.insert_after_line, rep.indent):
            continue
        groups.setdefault(rep.insert_after_line, []).append(rep)
    for line, group in groups.items():
        at = source.end_of_line(line)
        edits.append(_Edit(at, at, _insertion_block(source, line, group)))

    # Applied from the end backwards, offsets into the original stay valid. At one offset the call
    # rewrite (which starts there) goes first, so the insertion lands before it.
    edits.sort(key=lambda e: (e.start, e.end))
    for before, after in zip(edits, edits[1:]):
        if after.start < before.end:
            raise EditError(f"overlapping edits at offsets {before.start}-{before.end} and {after.start}-{after.end}")
    result = text
    for edit in reversed(edits):
        result = result[:edit.start] + edit.text + result[edit.end:]

    try:
        ast.parse(result)
    except SyntaxError as e:
        raise EditError(f"the edited source would not parse (line {e.lineno}): {e.msg}") from None
    return result


def _import_insertion(source: _Source, tree: ast.Module, line: int, col: int, text: str) -> tuple[int, str]:
    """(offset, text) of an import edit: `text` at (line, byte col), or with col -1 a new line after `line`
    holding the statement `text`, indented as the import statement that ends there."""
    if col >= 0:
        return source.offset(line, col), text
    statement = [s for s in ast.walk(tree) if isinstance(s, (ast.Import, ast.ImportFrom)) and s.end_lineno == line]
    if not statement:
        raise EditError(f"no import statement ends on line {line}")
    first = source.lines[statement[0].lineno - 1]
    indent = first[:len(first) - len(first.lstrip())]
    ending = _line_ending(source.lines[line - 1])
    at = source.end_of_line(line)
    if not ending:
        return at, source.newline + indent + text
    return at, indent + text + ending


def add_tf_import(text: str) -> str:
    """`import tensorflow as tf` after the module-level imports, unless the module level binds `tf` to it:
    a generated def says `tf.` and may land in a module that never imported TensorFlow."""
    tree = ast.parse(text)
    imports = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
    for stmt in imports:
        if isinstance(stmt, ast.Import) and any(a.name == "tensorflow" and a.asname == "tf" for a in stmt.names):
            return text
    source = _Source(text)
    if imports:
        at = source.end_of_line(imports[-1].end_lineno)
        ending = _line_ending(source.lines[imports[-1].end_lineno - 1])
        added = ("" if ending else source.newline) + "import tensorflow as tf" + (ending or "")
    else:
        at = _after_preamble(tree, source)
        added = "import tensorflow as tf" + source.newline
    return text[:at] + added + text[at:]


def _after_preamble(tree: ast.Module, source: _Source) -> int:
    """Where a first import goes: after the docstring and `from __future__` lines, else at the top."""
    at = 0
    for stmt in tree.body:
        is_doc = isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(
            stmt.value.value, str)
        if is_doc or (isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"):
            at = source.end_of_line(stmt.end_lineno)
        else:
            break
    if at and not _LINE_END.search(source.text[at - 1:at]):
        raise EditError("cannot add the TensorFlow import after the module's last line")
    return at
