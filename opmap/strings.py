"""Text: str/bytes methods and the `re` module, as far as transpiler/lower/text.py and regex.py convert them.

These entries are the table's record of that code (what `pyfunc2tf ops` and docs/ops.md show), not lowerings:
text values are lowered by text.py before the op table is consulted. Keys: `str.<method>`, `bytes.<method>`,
`re.<function>`; names of `re` listed as unsupported are refused with their reason (P201) at the call.
"""
from __future__ import annotations

from .registry import OpEntry, register, unsupported

_ENTRIES = [
    # (name, status, TF target, limitations)
    ("bytes.decode", "partial", "tf.strings.unicode_transcode",
     "UTF-8 and ASCII, errors='strict' (invalid input raises as in Python); other codecs and error handlers "
     "refused"),
    ("str.encode", "partial", "tf.identity", "UTF-8 only"),
    ("builtins.int(str)", "partial", "tf.strings.to_number",
     "int() of a str or bytes as Python parses it: whitespace and decimal digits as Python reads them (every "
     "Unicode decimal digit in a str, ASCII in bytes), sign, single underscores between digits; where Python raises "
     "ValueError (4300-digit limit included) the call raises; beyond int64 it raises (Python's big int would not "
     "fit an int64 output); a base other than 10 refused"),
    ("builtins.float(str)", "partial", "tf.strings.to_number",
     "float() of a str or bytes as Python parses it (digits, underscores, point, exponent, inf/infinity/nan in "
     "any case, signs; hex refused by Python and here), rounded exactly as Python; a mantissa of more than 768 "
     "digits (zeros after \"0.\" counted) raises at run time: TF's parser rounds some of those differently"),
    ("str.lower", "supported", "tf.strings.lower",
     "ICU's full case mapping, patched where TF's Unicode is older than Python's; a capital sigma next to "
     "characters TF does not know raises at run time"),
    ("str.upper", "supported", "tf.strings.upper", "as str.lower"),
    ("str.strip", "supported", "tf.strings.regex_replace",
     "Python's whitespace (str.isspace) or the given characters"),
    ("str.lstrip", "supported", "tf.strings.regex_replace", "as str.strip"),
    ("str.rstrip", "supported", "tf.strings.regex_replace", "as str.strip"),
    ("str.replace", "partial", "tf.strings.regex_replace",
     "constant old/new; count of -1, 0 or 1; NUL in `new` refused"),
    ("str.split", "partial", "tf.strings.split",
     "whitespace rule (runs of str.isspace characters, no empty tokens) or a constant separator; maxsplit "
     "refused with the whitespace rule; split of each token of a list refused"),
    ("str.join", "partial", "tf.strings.reduce_join", "a constant separator over a list of str"),
    ("str.find", "partial", "tf.strings.regex_replace",
     "constant substring, index in code points (the prefix before the first match measured in UTF8_CHAR); "
     "start/end refused"),
    ("str.rfind", "partial", "tf.strings.regex_replace",
     "constant substring, the last occurrence (a greedy prefix before it, measured in UTF8_CHAR); start/end refused"),
    ("str.rsplit", "partial", "tf.strings.split",
     "without maxsplit as str.split; a constant separator with maxsplit: split of the text reversed by code "
     "points; maxsplit with the whitespace rule refused, as are rsplit of each token of a list"),
    ("str.capitalize", "supported", "tf.strings.upper",
     "the first code point in Python's title case (a generated table where it differs from upper case: ǆ, ß, "
     "Georgian), the rest as str.lower (whose run-time sigma check it shares)"),
    ("str.islower", "supported", "tf.strings.regex_full_match",
     "Python's single-character lower/upper/title predicates combined as CPython does"),
    ("str.isupper", "supported", "tf.strings.regex_full_match", "as str.islower"),
    ("str.isascii", "supported", "tf.strings.regex_full_match", "code points up to U+007F (the empty text included)"),
    ("str.index", "partial", "tf.strings.regex_replace", "as str.find; no occurrence raises (ValueError)"),
    ("str.rindex", "partial", "tf.strings.regex_replace", "as str.rfind; no occurrence raises (ValueError)"),
    ("str.count", "partial", "tf.strings.regex_replace",
     "constant substring: non-overlapping occurrences from the left (the bytes replace() removes); start/end "
     "refused"),
    ("str.removeprefix", "supported", "tf.strings.regex_replace", "constant affix"),
    ("str.removesuffix", "supported", "tf.strings.regex_replace", "constant affix"),
    ("str.startswith", "partial", "tf.strings.regex_full_match",
     "constant prefix or tuple of prefixes; start/end refused"),
    ("str.endswith", "partial", "tf.strings.regex_full_match", "as str.startswith"),
    ("str.isdigit", "supported", "tf.strings.regex_full_match",
     "Python's own character property, code point by code point"),
    ("str.isalpha", "supported", "tf.strings.regex_full_match", "as str.isdigit"),
    ("str.isalnum", "supported", "tf.strings.regex_full_match", "as str.isdigit"),
    ("str.isspace", "supported", "tf.strings.regex_full_match", "as str.isdigit"),
    ("str.isdecimal", "supported", "tf.strings.regex_full_match", "as str.isdigit"),
    ("str.isnumeric", "supported", "tf.strings.regex_full_match", "as str.isdigit"),
    ("re.sub", "partial", "tf.strings.regex_replace",
     "constant pattern, replacement (\\1, \\g<n>, \\g<name> up to group 9) and flags; count 0 or 1; refused: "
     "backreferences, lookarounds, conditionals, possessive/atomic forms, \\b/\\B without re.ASCII, patterns "
     "that can match the empty string (count=0), repeats of a part that can match empty, bytes patterns, "
     "a function as replacement, `$` followed by another zero-width item (`$$`, `$\\b`), `$` with and without "
     "MULTILINE in one pattern; a text holding U+10FFFF (the marker `$` uses before a final newline) raises"),
    ("re.match", "partial", "tf.strings.regex_full_match",
     "as a boolean only (if, bool(), `is None`, a comprehension's filter); pattern as re.sub"),
    ("re.fullmatch", "partial", "tf.strings.regex_full_match", "as re.match"),
    ("re.search", "partial", "tf.strings.regex_full_match", "as re.match"),
    ("re.split", "partial", "tf.strings.split",
     "pattern as re.sub, never matching the empty string; maxsplit 0 or 1; groups only when they always take part"),
    ("re.findall", "partial", "tf.strings.split",
     "pattern as re.sub, never matching the empty string; at most one group"),
    ("re.compile", "partial", "",
     "constant arguments, at module level or in the function; its sub/match/fullmatch/search/split/findall "
     "methods convert as the re functions (pos/endpos refused)"),
    ("re.escape", "partial", "", "constant arguments (computed when converting)"),
]

for _name, _status, _target, _limits in _ENTRIES:
    register(OpEntry(_name, _target, None, status=_status, limits=_limits, foldable=False))

unsupported("str methods not converted yet (the text's value would have to be reproduced exactly: padding, "
            "partitioning, case folding, formatting are not written)",
            "str.casefold", "str.center", "str.expandtabs", "str.format",
            "str.format_map", "str.isidentifier", "str.isprintable",
            "str.ljust", "str.partition",
            "str.rjust", "str.rpartition", "str.splitlines",
            "str.swapcase", "str.translate", "str.zfill")
unsupported("title case per word: each code point after a non-cased one in title case (1 to 3 code points), the "
            "others lower-cased with the final-sigma context of the whole text; TF has no title-case op and the "
            "per-position mapping is not written",
            "str.title", "str.istitle")
unsupported("re functions whose result is an iterator of match objects or a tuple with a count: not converted",
            "re.finditer", "re.subn")
unsupported("re's process state (the pattern cache, template compilation): not text computation",
            "re.purge", "re.template")
