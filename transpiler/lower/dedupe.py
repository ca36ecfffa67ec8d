"""Common subexpressions of the generated body, computed once.

Each op-table entry lowers its own arguments, so `np.median(x, 0)` and `np.percentile(x, q, 0)` each emit
the same transpose and sort of `x`, and `np.std` emits the mean its own `np.mean` already computed. tf.function
does not merge them (Grappler's arithmetic optimizer dedupes only some ops, and not inside loop bodies), so
this pass does, over the generated lines:

* a line `name = EXPR` whose EXPR already appeared as `earlier = EXPR` in a scope that is still visible (the
  same function body, or an enclosing one: nested defs are tf.cond branches and tf.while_loop bodies, which
  capture outer tensors) becomes `name = earlier`, and later lines read `earlier` for `name`, so that chains
  of identical lines collapse too;
* only pure expressions qualify: every call is a `tf.` function outside the stateful or effectful ones
  (random draws, asserts, printing, control flow, TensorArrays) or `float('nan')`, and there is no lambda.

The generated names are fresh (never rebound), which is what makes a textual comparison sound.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize

_ASSIGN = re.compile(r"^(\s*)([A-Za-z_]\w*) = (.+)$")
_IMPURE = ("tf.random.", "tf.debugging.", "tf.print", "tf.py_function", "tf.numpy_function", "tf.Variable",
           "tf.cond", "tf.while_loop", "tf.TensorArray", "tf.case", "tf.switch_case", "tf.raw_ops.",
           "tf.summary.", "tf.io.", "tf.compat.")


def dedupe_lines(lines: list[str], returns: str) -> tuple[list[str], str]:
    """The lines and the return expression, with repeated pure expressions computed once."""
    scopes: list[tuple[int, dict[str, str]]] = []   # (indent, expression -> the name that holds it)
    alias: dict[str, str] = {}
    out = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        while scopes and scopes[-1][0] > indent:
            scopes.pop()
        if not scopes or scopes[-1][0] < indent:
            scopes.append((indent, {}))
        renamed = _rename(line, alias)
        if renamed is None:                          # not one full line of Python: leave everything as it is
            return lines, returns
        match = _ASSIGN.match(renamed)
        if match and _pure(match.group(3)):
            space, name, expr = match.groups()
            earlier = next((seen[expr] for _, seen in reversed(scopes) if expr in seen), None)
            if earlier is not None:
                alias[name] = earlier
                out.append(f"{space}{name} = {earlier}")
                continue
            scopes[-1][1][expr] = name
        out.append(renamed)
    final = _rename(returns, alias)
    return out, returns if final is None else final


def _rename(line: str, alias: dict[str, str]) -> str | None:
    """`line` with the names in `alias` replaced (names only: never inside strings)."""
    if not alias:
        return line
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.lstrip(" ")).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    tokens = [t for t in tokens if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER,
                                                   tokenize.INDENT, tokenize.DEDENT)]
    pieces, prev_end = [], (1, 0)
    text = line.lstrip(" ")
    for i, tok in enumerate(tokens):
        if tok.start[0] != 1 or tok.end[0] != 1:
            return None
        pieces.append(text[prev_end[1]:tok.start[1]])
        after = tokens[i + 1].string if i + 1 < len(tokens) else ""
        before = tokens[i - 1].string if i else ""
        # an attribute (`x.name`) or a keyword argument (`f(name=...)`) is not a variable
        variable = tok.type == tokenize.NAME and before != "." and not (after == "=" and before in ("(", ","))
        pieces.append(alias.get(tok.string, tok.string) if variable else tok.string)
        prev_end = tok.end
    pieces.append(text[prev_end[1]:])
    return line[:len(line) - len(text)] + "".join(pieces)


def _pure(expr: str) -> bool:
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Yield, ast.Await)):
            return False
        if isinstance(node, ast.Call):
            name = dotted_name(node.func)
            if name in ("float", "int", "bool", "complex") and all(isinstance(a, ast.Constant) for a in node.args):
                continue                             # float('nan') in a constant
            if name is None or not name.startswith("tf.") or name.startswith(_IMPURE):
                return False
    return True


def dotted_name(node) -> str | None:
    """`tf.math.add` for the call target of generated code (an Attribute chain on a Name), else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id] + parts[::-1])
