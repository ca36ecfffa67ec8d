"""`re` on text -> tf.strings regex ops (RE2), with Python's exact semantics or a precise refusal.

Patterns are not copied: they are parsed by Python's own parser (re._parser) and the tree is written out again
in RE2 syntax, so that every construct is read exactly as Python reads it, and every construct RE2 lacks is
named in the refusal (backreferences, lookarounds, conditionals, possessive and atomic forms).

Where the two engines differ on the same syntax:

* Character classes. Python's `\\d`, `\\w`, `\\s`, `.` and case-insensitive literals follow Python's Unicode
  database; RE2's follow ASCII (`\\d`) or RE2's own Unicode version (`\\p{Nd}` lacks nothing and adds Kawi
  digits). Every single-character construct is therefore written as the explicit list of code point ranges
  Python's `re` matches: measured by running the construct, compiled by Python, over every code point. No
  RE2 class or `(?i)` is ever emitted.
* `$` without MULTILINE matches at the end and before a final "\\n". As the last item of a boolean test it
  becomes `\\n?\\z`; elsewhere the text gets a marker, U+10FFFF (a noncharacter, reserved for such internal
  use: a text holding one raises), inserted before its final "\\n", and `$` becomes "the marker or the end",
  consuming the marker: every class and literal excludes the marker and, where it matches "\\n", also matches
  marker + "\\n", so the marker is invisible to everything but `$`. Consuming it shifts zero-width items right
  after a `$` (`$$`, `$\\b`): such patterns are refused. The marker is removed from what sub/split/findall return.
* `\\b`/`\\B` are Unicode-aware in Python: converted only with re.ASCII, where they are RE2's. Python's `\\B`
  never matches in an empty text.
* Empty matches: RE2's global replace skips an empty match right after a match, Python 3.7+ takes it; so
  sub/split/findall refuse patterns that can match the empty string (count=1 excepted). A repeat whose body
  can match empty is refused too (the engines iterate it differently).

split/findall mark each match with 0xFF (never a byte of UTF-8 text) through regex_replace, then split on it.
"""
from __future__ import annotations

import functools
import re
import re._compiler as sre_compile
import re._constants as C
import re._parser as sre_parse
from dataclasses import dataclass, replace

import gast
import numpy as np

from ..diagnostics import Refusal
from .text import MatchFlag, RunList, Text, _bind, _cp, _kind, char_class, _static_int
from .values import Static
from .context import new_ident

LONG_CLASS = 120                # characters of a class written once under a name
MAX_RE2_REPEAT = 1000           # RE2 refuses a repetition count (or a product of nested ones) above this
MAX_RE2_PROGRAM = 200_000       # estimated instructions: TF's RE2 compiled \w{1,200} (261,803), not \w{3,1000}
SENTINEL = b"\xff"              # never a byte of valid UTF-8
_ANY = "(?s:.*)"
_FLAG_NAMES = {v: k for k, v in re.RegexFlag.__members__.items()}


# -- what Python matches, measured ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _universe():
    cps = np.array([c for c in range(0x110000) if not 0xD800 <= c < 0xE000], dtype=np.uint32)
    return cps, cps.astype("<u4").tobytes().decode("utf-32-le")


def _runs(cps: np.ndarray) -> tuple:
    if not len(cps):
        return ()
    breaks = np.nonzero(np.diff(cps.astype(np.int64)) != 1)[0]
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(cps) - 1]])
    return tuple((int(cps[a]), int(cps[b])) for a, b in zip(starts, ends))


_CLASS_CACHE: dict = {}


def python_ranges(op, av, flags: int) -> tuple:
    """The code point ranges one single-character node matches under `flags`, by Python's own `re` run over
    every code point (surrogates left out: decoded text never holds them)."""
    key = (str(op), repr(av), flags)
    if key not in _CLASS_CACHE:
        state = sre_parse.State()
        state.flags = flags
        compiled = sre_compile.compile(sre_parse.SubPattern(state, [(op, av)]), flags)
        cps, text = _universe()
        marked = compiled.sub("\ud800", text)       # each match is one code point: lengths are kept
        hit = np.frombuffer(marked.encode("utf-32-le", "surrogatepass"), np.uint32) == 0xD800
        _CLASS_CACHE[key] = _runs(cps[hit])
    return _CLASS_CACHE[key]


def class_pattern(ranges) -> str:
    if not ranges:
        return "[^\\x{0}-\\x{10ffff}]"                # matches nothing
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return _cp(ranges[0][0])
    cps = [c for a, b in ranges for c in range(a, min(b, a + 2) + 1)]
    if len(cps) == 2 and 0x41 <= cps[0] <= 0x5A and cps[1] == cps[0] + 0x20:
        # RE2 parses [Kk] as a case-folded `k`, and an alternation around it then adds k's whole Unicode fold
        # orbit (KELVIN SIGN, LONG S): an alternation of the two literals stays exact
        return f"(?:{chr(cps[0])}|{chr(cps[1])})"
    out = char_class(ranges)
    # a long class (\w is some 700 ranges) is named once in the generated code: marked here, see pattern_expr
    return f"\x00{out}\x00" if len(out) > LONG_CLASS else out


def pattern_expr(ctx, pattern: str, names: dict) -> str:
    """The generated expression of a pattern: a literal, with its long classes bound to names (a str built at
    trace time is still a constant pattern: TF compiles it once)."""
    parts = pattern.split("\x00")        # escaped patterns never hold NUL: only the marks above do
    if len(parts) == 1:
        return repr(pattern)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            if part not in names:        # `names`: those bound for this call, in the current block
                names[part] = ctx.bind(repr(part), "chars")
            out.append(names[part])
        elif part:
            out.append(repr(part))
    return " + ".join(out)


# -- Python's tree -> RE2 --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Translation:
    z: str                      # `$` read as the end of the text
    m: str                      # `$` read as "before a \n or at the end"
    groups: int
    nullable: bool              # can match the empty string
    maybe_unset: frozenset      # groups that may not take part in a match
    non_boundary: bool          # holds `\B` (never matches in an empty text in Python)

    n: str = ""                 # `$` read as "the marker or the end" (texts given a marker before a final \n)

    @property
    def dispatch(self) -> bool:
        return self.z != self.m


_SINGLE = (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN)


class _Writer:
    def __init__(self, use: str, node):
        self.use = use          # "full" | "prefix" | "search" | "scan"
        self.node = node
        self.non_boundary = False
        self.size = 0

    def grow(self, copies: int, size: int):
        """RE2 writes a repeat out copy by copy; a program above its memory budget fails to compile (at run
        time, in TF's kernel). `size` over-estimates the instructions of one copy of a class (UTF-8 ranges)."""
        self.size += copies * size
        if self.size > MAX_RE2_PROGRAM:
            raise Refusal("P212", "this pattern is too large for RE2 once its repeats are written out (a repeated "
                                  "Unicode class such as \\w counts some 1,500 instructions per copy); not "
                                  "converted", self.node)

    def refuse(self, what: str):
        raise Refusal("P212", f"this pattern uses {what}: RE2 cannot run it; not converted", self.node)

    def seq(self, items, flags, trailing, dollar, depth) -> str:
        items = list(items)
        return "".join(self.item(op, av, flags, trailing and i == len(items) - 1, dollar, depth)
                       for i, (op, av) in enumerate(items))

    def item(self, op, av, flags, trailing, dollar, depth) -> str:
        if op is C.LITERAL and not flags & re.IGNORECASE:
            self.grow(depth, 1)
            if dollar == "n" and av == 0x0A:
                return f"(?:{_cp(MARKER)}?\\x{{a}})"
            return _cp(av)
        if op in _SINGLE:
            ranges = python_ranges(op, av, flags)
            self.grow(depth, 2 * len(ranges) + 2)
            if dollar == "n":
                ranges = _without_marker(ranges)
                if any(a <= 0x0A <= b for a, b in ranges):
                    return f"(?:{class_pattern(ranges)}|{_cp(MARKER)}\\x{{a}})"
            return class_pattern(ranges)
        if op is C.BRANCH:
            return "(?:" + "|".join(self.seq(alt, flags, trailing, dollar, depth) for alt in av[1]) + ")"
        if op is C.SUBPATTERN:
            group, add, remove, p = av
            inner = self.seq(p, sre_compile._combine_flags(flags, add, remove), trailing, dollar, depth)
            return f"({inner})" if group else f"(?:{inner})"
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            return self.repeat(op, av, flags, dollar, depth)
        if op is C.AT:
            return self.at(av, flags, trailing, dollar)
        named = {C.GROUPREF: "a backreference (\\N or (?P=name))", C.GROUPREF_EXISTS: "a conditional group "
                 "(?(id)yes|no)", C.ATOMIC_GROUP: "an atomic group (?>...)", C.POSSESSIVE_REPEAT: "a possessive "
                 "quantifier (*+, ++, ?+, {m,n}+)", C.GROUPREF_IGNORE: "a backreference (\\N or (?P=name))"}
        if op in (C.ASSERT, C.ASSERT_NOT):
            direction, _ = av
            kind = "lookahead" if direction == 1 else "lookbehind"
            sign = {(C.ASSERT, 1): "=", (C.ASSERT_NOT, 1): "!", (C.ASSERT, -1): "<=", (C.ASSERT_NOT, -1): "<!"}
            self.refuse(f"a {kind} (?{sign[op, direction]}...)")
        self.refuse(named.get(op, f"the construct {op}"))

    def repeat(self, op, av, flags, dollar, depth) -> str:
        lo, hi, p = av
        bound = hi if hi is not C.MAXREPEAT else lo
        if lo > MAX_RE2_REPEAT or depth * max(bound, 1) > MAX_RE2_REPEAT:
            raise Refusal("P212", f"this pattern repeats more than {MAX_RE2_REPEAT} times (nested counts multiply):"
                                  " RE2's limit; not converted", self.node)
        body = self.seq(p, flags, False, dollar, depth * max(bound, 1))      # refuses what RE2 lacks first
        if _nullable(p) and hi != lo and (hi is C.MAXREPEAT or hi > 1):
            raise Refusal("P250", "this pattern repeats a part that can match the empty string: Python and RE2 "
                                  "iterate it differently; not converted", self.node)
        single = len(p) == 1 and p[0][0] in _SINGLE
        atom = body if single else f"(?:{body})"
        if hi is C.MAXREPEAT:
            q = {0: "*", 1: "+"}.get(lo, f"{{{lo},}}")
        elif (lo, hi) == (0, 1):
            q = "?"
        else:
            q = f"{{{lo}}}" if lo == hi else f"{{{lo},{hi}}}"
        return atom + q + ("?" if op is C.MIN_REPEAT else "")

    def at(self, code, flags, trailing, dollar) -> str:
        multiline = flags & re.MULTILINE
        if code is C.AT_BEGINNING:
            return "(?m:^)" if multiline else "\\A"
        if code is C.AT_BEGINNING_STRING:
            return "\\A"
        if code is C.AT_END_STRING:
            return "\\z"
        if code is C.AT_END:
            if multiline:
                return "(?m:$)"
            if dollar == "n":           # (the text has a marker: the shortcuts below would not see it)
                return f"(?:{_cp(MARKER)}|\\z)"
            if trailing and self.use == "full":
                return "\\z"            # the match must end at the end of the text anyway
            if trailing and self.use in ("prefix", "search"):
                return "(?:\\x{a}?\\z)"  # only whether a match exists counts
            return "\\z" if dollar == "z" else "(?m:$)"
        if code in (C.AT_BOUNDARY, C.AT_NON_BOUNDARY):
            if not flags & re.ASCII:
                name = "\\b" if code is C.AT_BOUNDARY else "\\B"
                raise Refusal("P250", f"{name} in a str pattern follows Python's Unicode word characters, RE2's "
                                      f"is ASCII only; with flags=re.ASCII it is converted", self.node)
            if code is C.AT_NON_BOUNDARY:
                self.non_boundary = True
                return "\\B"
            return "\\b"
        self.refuse(f"the anchor {code}")


def _nullable(items) -> bool:
    for op, av in items:
        if op in _SINGLE:
            return False
        if op is C.BRANCH and not any(_nullable(a) for a in av[1]):
            return False
        if op is C.SUBPATTERN and not _nullable(av[3]):
            return False
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] > 0 and not _nullable(av[2]):
            return False
    return True


def _maybe_unset(items, sure: bool, out: set) -> set:
    for op, av in items:
        if op is C.SUBPATTERN:
            if av[0] and not sure:
                out.add(av[0])
            _maybe_unset(av[3], sure, out)
        elif op is C.BRANCH:
            for alt in av[1]:
                _maybe_unset(alt, sure and len(av[1]) == 1, out)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            _maybe_unset(av[2], sure and av[0] > 0, out)
    return out


def translate(pattern, flags: int, use: str, node) -> Translation:
    if isinstance(pattern, bytes):
        raise Refusal("P212", "a bytes pattern: TF's regex ops read text as UTF-8, Python's bytes patterns read "
                              "single bytes; not converted", node)
    if not isinstance(pattern, str):
        raise Refusal("P212", "the pattern must be a constant str to be converted", node)
    try:
        parsed = sre_parse.parse(pattern, flags)
    except (re.error, ValueError, TypeError, OverflowError) as e:
        raise Refusal("P301", f"re: {type(e).__name__}: {e}: Python raises", node)
    all_flags = parsed.state.flags
    if all_flags & re.DEBUG:
        raise Refusal("P212", "re.DEBUG prints the parsed pattern: not converted", node)
    writer = _Writer(use, node)
    z = writer.seq(parsed, all_flags, True, "z", 1)
    writer.size = 0
    m = writer.seq(parsed, all_flags, True, "m", 1)
    n = ""
    if z != m:
        _check_dollar_follow(list(parsed), all_flags, True, node)
        writer.size = 0
        n = writer.seq(parsed, all_flags, True, "n", 1)
    return Translation(z, m, parsed.state.groups - 1, _nullable(parsed), frozenset(_maybe_unset(parsed, True, set())),
                       writer.non_boundary, n)


MARKER = 0x10FFFF               # a noncharacter: inserted before a text's final "\n" where `$` needs it


def _without_marker(ranges) -> tuple:
    out = []
    for a, b in ranges:
        if a <= MARKER <= b:
            if a < MARKER:
                out.append((a, MARKER - 1))
        else:
            out.append((a, b))
    return tuple(out)


def _first_consumes(items, follow: bool) -> bool:
    """Whether what starts `items` (then `follow` where `items` can be passed over) consumes a character before
    any zero-width item."""
    if not items:
        return follow
    op, av = items[0]
    rest = items[1:]
    if op in _SINGLE:
        return True
    if op is C.SUBPATTERN:
        return _first_consumes(list(av[3]) + rest, follow)
    if op is C.BRANCH:
        return all(_first_consumes(list(alt) + rest, follow) for alt in av[1])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        if av[0] >= 1:
            return _first_consumes(list(av[2]) + rest, follow)
        return _first_consumes(list(av[2]), True) and _first_consumes(rest, follow)
    return False


def _check_dollar_follow(items, flags, follow: bool, node) -> None:
    """`$` consumes the marker: it must be followed by a character-consuming item or the end of the pattern
    (a zero-width item right after it would be tested after the marker, not where Python tests it)."""
    for i, (op, av) in enumerate(items):
        after = _first_consumes(items[i + 1:], follow)
        if op is C.AT and av is C.AT_END:
            if flags & re.MULTILINE:
                raise Refusal("P250", "a pattern mixing `$` with and without MULTILINE is not converted", node)
            if not after:
                raise Refusal("P250", "`$` followed by another zero-width item (`$$`, `$\\b`, or one after an optional "
                                      "part): "
                                      "where the text ends in a newline Python tests both before that newline, "
                                      "which RE2 cannot say; not converted", node)
        elif op is C.SUBPATTERN:
            _check_dollar_follow(list(av[3]), sre_compile._combine_flags(flags, av[1], av[2]), after, node)
        elif op is C.BRANCH:
            for alt in av[1]:
                _check_dollar_follow(list(alt), flags, after, node)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            again = av[1] is C.MAXREPEAT or av[1] > 1
            body = list(av[2])
            _check_dollar_follow(body, flags, after and (not again or _first_consumes(body, after)), node)


def rewrite_template(repl, compiled: re.Pattern, node) -> str:
    """Python's replacement template (\\1, \\g<1>, \\g<name>, \\n escapes) as an RE2 rewrite (\\0-\\9, \\\\)."""
    if not isinstance(repl, str):
        raise Refusal("P212", "the replacement must be a constant str to be converted (a function is not)", node)
    try:
        groups, literals = sre_parse.parse_template(repl, compiled)
    except (re.error, IndexError) as e:
        raise Refusal("P301", f"re: invalid replacement ({e}): Python raises", node)
    at = dict(groups)
    out = []
    for i, part in enumerate(literals):
        if i in at:
            if at[i] > 9:
                raise Refusal("P212", f"the replacement refers to group {at[i]}: RE2 rewrites reach groups 0-9 "
                                      "only; not converted", node)
            out.append(f"\\{at[i]}")
        elif part:
            if "\x00" in part:
                raise Refusal("P250", "a NUL character in a replacement: TF's op attributes end at NUL; not "
                                      "converted", node)
            out.append(part.replace("\\", "\\\\"))
    return "".join(out)


# -- arguments -------------------------------------------------------------------------------------------------

_SIGNATURES = {
    "sub": ["pattern", "repl", "string", "count", "flags"],
    "match": ["pattern", "string", "flags"], "fullmatch": ["pattern", "string", "flags"],
    "search": ["pattern", "string", "flags"], "findall": ["pattern", "string", "flags"],
    "split": ["pattern", "string", "maxsplit", "flags"],
    "compile": ["pattern", "flags"], "escape": ["pattern"],
}
_METHOD_SIGNATURES = {
    "sub": ["repl", "string", "count"], "match": ["string", "pos", "endpos"],
    "fullmatch": ["string", "pos", "endpos"], "search": ["string", "pos", "endpos"],
    "findall": ["string", "pos", "endpos"], "split": ["string", "maxsplit"],
}
SUPPORTED = tuple(_SIGNATURES)


def _bind_args(what: str, names, args, kwargs, node) -> dict:
    if len(args) > len(names):
        raise Refusal("P301", f"{what}() takes at most {len(names)} arguments: Python raises", node)
    out = dict(zip(names, args))
    for k, v in kwargs.items():
        if k not in names or k in out:
            raise Refusal("P301", f"{what}() got an unexpected or repeated argument {k}=: Python raises", node)
        out[k] = v
    return out


def _flags(v, node) -> int:
    if isinstance(v, Static) and isinstance(v.value, (int, np.integer)) and not isinstance(v.value, bool):
        return int(v.value)
    raise Refusal("P212", "the flags must be constant re flags to be converted", node)


def call_re(ctx, name: str, args, kwargs, node):
    fn = name[3:]
    if fn not in _SIGNATURES:
        raise Refusal("P212", f"`{name}` is not converted (re.sub, re.match, re.fullmatch, re.search, re.split, "
                              "re.findall, re.compile and re.escape are)", node)
    p = _bind_args(name, _SIGNATURES[fn], args, kwargs, node)
    missing = [k for k in _SIGNATURES[fn] if k not in p and k not in ("count", "flags", "maxsplit")]
    if missing:
        raise Refusal("P301", f"{name}() misses the argument `{missing[0]}`: Python raises", node)
    if all(isinstance(v, Static) for v in p.values()):
        return _fold(getattr(re, fn), p, name, node)
    flags = _flags(p.pop("flags", Static(0)), node)
    pattern = p.pop("pattern")
    if isinstance(pattern, Static) and isinstance(pattern.value, re.Pattern):
        if flags:
            raise Refusal("P301", f"{name}() with a compiled pattern and flags: Python raises ValueError", node)
        pattern, flags = Static(pattern.value.pattern), pattern.value.flags
    if not isinstance(pattern, Static):
        raise Refusal("P212", f"the pattern of {name}() must be a constant to be converted", node)
    return _run(ctx, fn, pattern.value, flags, p, name, node)


def pattern_method(ctx, receiver: Static, method: str, args, kwargs, node):
    """`PAT.sub(...)` on a pattern compiled at module level (or in the function from constants)."""
    compiled: re.Pattern = receiver.value
    if method not in _METHOD_SIGNATURES:
        raise Refusal("P212", f"Pattern.{method}() is not converted", node)
    p = _bind_args(f"Pattern.{method}", _METHOD_SIGNATURES[method], args, kwargs, node)
    if "pos" in p or "endpos" in p:
        raise Refusal("P212", f"Pattern.{method}() with pos/endpos is not converted", node)
    if "string" not in p:
        raise Refusal("P301", f"Pattern.{method}() misses the string: Python raises", node)
    return _run(ctx, method, compiled.pattern, compiled.flags, p, f"Pattern.{method}", node)


def _fold(fn, p, name, node):
    try:
        return Static(fn(**{k: v.value for k, v in p.items()}))
    except Exception as e:
        raise Refusal("P301", f"{name}() raises in the original ({type(e).__name__}: {str(e)[:100]})", node)


def _run(ctx, fn, pattern, flags, p, name, node):
    if fn == "compile":
        try:
            return Static(re.compile(pattern, flags))
        except (re.error, ValueError, TypeError) as e:
            raise Refusal("P301", f"re.compile(): {type(e).__name__}: {e}: Python raises", node)
    if fn == "escape":
        raise Refusal("P212", "re.escape() of a run-time text is not converted", node)
    s = p["string"]
    if isinstance(s, Static) and isinstance(s.value, (str, bytes)):
        s = Text(repr(s.value), "str" if isinstance(s.value, str) else "bytes")
    if not isinstance(s, Text) or s.eager:
        raise Refusal("P301", f"{name}() of {_kind(s)}: Python raises TypeError (expected string or bytes)", node)
    if isinstance(pattern, str) and s.kind == "bytes":
        raise Refusal("P301", f"{name}(): a str pattern on bytes: Python raises TypeError", node)
    if isinstance(pattern, bytes) and s.kind == "str":
        raise Refusal("P301", f"{name}(): a bytes pattern on a str: Python raises TypeError", node)
    use = {"fullmatch": "full", "match": "prefix", "search": "search"}.get(fn, "scan")
    tr = translate(pattern, flags, use, node)
    if fn in ("fullmatch", "match", "search"):
        return _test(ctx, fn, tr, s)
    if fn == "sub":
        return _sub(ctx, tr, pattern, flags, p, s, name, node)
    return _list(ctx, fn, tr, p, s, name, node)


def _choose(ctx, tr: Translation, s: Text, build) -> tuple[str, bool]:
    """`build(pattern, text)` for the translation of `$` that is exact on every text, and whether that text
    holds the marker (to be removed from what is returned)."""
    if not tr.dispatch:
        return build(tr.z, s.expr), False
    marker = chr(MARKER)
    ctx.emit(f"tf.debugging.Assert(tf.math.logical_not(tf.reduce_any(tf.strings.regex_full_match({s.expr}, "
             f"{'(?s).*' + _cp(MARKER) + '.*'!r}))), ['re: a text holding U+10FFFF (a noncharacter) with a pattern "
             f"using `$`: not converted'])")
    marked = _bind(ctx, f"tf.strings.regex_replace({s.expr}, {_cp(10) + chr(92) + 'z'!r}, {marker + chr(10)!r}, "
                        "replace_global=False)", "marked")
    return build(tr.n, marked), True


def _unmark(expr: str) -> str:
    return f"tf.strings.regex_replace({expr}, {_cp(MARKER)!r}, '')"


def _test(ctx, fn, tr: Translation, s: Text):
    names: dict = {}
    wrap = {"fullmatch": "{}", "match": "(?:{})" + _ANY, "search": _ANY + "(?:{})" + _ANY}[fn]
    expr, _ = _choose(ctx, tr, s, lambda pat, src: f"tf.strings.regex_full_match({src}, "
                                                   f"{pattern_expr(ctx, wrap.format(pat), names)})")
    if tr.non_boundary:          # Python's \B fails in an empty text, whatever the pattern
        expr = f"tf.math.logical_and({expr}, tf.not_equal(tf.strings.length({s.expr}), 0))"
    return MatchFlag(_bind(ctx, expr, "found"), lanes=s.lanes)


def _no_empty_matches(tr: Translation, name, node):
    if tr.nullable:
        raise Refusal("P250", f"{name}(): the pattern can match the empty string; Python takes an empty match "
                              "right after a match, RE2 skips it; not converted", node)


def _sub(ctx, tr: Translation, pattern, flags, p, s: Text, name, node):
    count = _static_int(p.get("count", Static(0)), f"the count of {name}()", node)
    if count < 0 or count > 1:
        raise Refusal("P212", f"{name}() with count={count} is not converted (0 and 1 are)", node)
    if count == 0:
        _no_empty_matches(tr, name, node)
    if tr.nullable and tr.non_boundary:
        # RE2 tries empty matches at every byte: \B holds inside a multi-byte character (and in an empty text,
        # where Python's never does)
        raise Refusal("P250", f"{name}(): \\B in a pattern that can match the empty string: RE2 finds such a "
                              "match inside a multi-byte character; not converted", node)
    rewrite = rewrite_template(p["repl"].value if isinstance(p["repl"], Static) else None,
                               re.compile(pattern, flags), node)
    glob = ", replace_global=False" if count == 1 else ""
    names: dict = {}
    expr, marked = _choose(ctx, tr, s, lambda pat, src: f"tf.strings.regex_replace({src}, "
                                                        f"{pattern_expr(ctx, pat, names)}, {rewrite!r}{glob})")
    if marked:
        expr = _unmark(expr)
    return Text(_bind(ctx, expr, "text"), s.kind, lanes=s.lanes)


def _list(ctx, fn, tr: Translation, p, s: Text, name, node):
    if s.lanes:
        raise Refusal("P212", f"{name}() of each token (a list of lists) is not converted yet", node)
    _no_empty_matches(tr, name, node)
    names: dict = {}
    sep = SENTINEL.decode("latin-1")
    if fn == "split":
        maxsplit = _static_int(p.get("maxsplit", Static(0)), f"the maxsplit of {name}()", node)
        if maxsplit not in (0, 1):
            raise Refusal("P212", f"{name}() with maxsplit={maxsplit} is not converted (0 and 1 are)", node)
        if tr.maybe_unset:
            raise Refusal("P212", f"{name}(): a group that may not take part in a match is None in Python's "
                                  "result; not converted", node)
        groups = "".join(f"\\{g}{sep}" for g in range(1, tr.groups + 1))
        if tr.groups > 9:
            raise Refusal("P212", f"{name}() with more than 9 groups is not converted", node)
        rewrite = (sep + groups).encode("latin-1")
        glob = ", replace_global=False" if maxsplit == 1 else ""
        build = lambda pat, src: (f"tf.strings.split(tf.strings.regex_replace({src}, {pattern_expr(ctx, pat, names)}, "
                                  f"{rewrite!r}{glob}), {SENTINEL!r})")
    else:
        if tr.groups > 1:
            raise Refusal("P212", f"{name}() with several groups gives tuples; not converted", node)
        rewrite = (sep + ("\\1" if tr.groups else "\\0") + sep).encode("latin-1")
        build = lambda pat, src: (f"tf.strings.split(tf.strings.regex_replace({src}, {pattern_expr(ctx, pat, names)}, "
                                  f"{rewrite!r}), {SENTINEL!r})[1::2]")
    expr, marked = _choose(ctx, tr, s, build)
    if marked:
        expr = _unmark(expr)
    return RunList(_bind(ctx, expr, "tokens"), s.kind, ident=new_ident())


# -- module-level `PAT = re.compile(...)` ------------------------------------------------------------------------

def module_pattern(ctx, name: str, node):
    """A pattern compiled once at module level and read by the function: a Static holding it, or None."""
    module = ctx.module
    exprs = module.constants.assignments.get(name)
    if not exprs or len(exprs) != 1 or name in module.constants.defined_elsewhere:
        return None
    call = exprs[0]
    if not isinstance(call, gast.Call) or module.imports.qualify(call.func) != "re.compile":
        return None
    try:
        values = [_module_value(module, a) for a in call.args]
        kw = {k.arg: _module_value(module, k.value) for k in call.keywords}
        compiled = re.compile(*values, **kw)
    except Exception as e:
        raise Refusal("P108", f"`{name}` = re.compile(...) could not be read as a constant pattern "
                              f"({type(e).__name__}: {str(e)[:100]})", node)
    ctx.note("P901", f"module constant `{name}` (a compiled pattern) is read when converting (frozen in the "
                     f"graph)", node)
    return Static(compiled, global_name=name)


def _module_value(module, e):
    if isinstance(e, gast.BinOp) and isinstance(e.op, gast.BitOr):
        return _module_value(module, e.left) | _module_value(module, e.right)
    q = module.imports.qualify(e) if isinstance(e, (gast.Name, gast.Attribute)) else None
    if q is not None and q.startswith("re.") and isinstance(getattr(re, q[3:], None), re.RegexFlag):
        return getattr(re, q[3:])
    return module.constants.eval(e)
