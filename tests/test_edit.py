"""Golden tests for the source edits: input text + replacements -> the exact expected text, written by hand."""
import ast

import pytest

from transpiler.edit import EditError, apply_replacements, indent_source, split_lines
from transpiler.results import Replacement

STANDARDIZE_TF = (
    "@tf.function\n"
    "def _standardize_tf(wave):\n"
    "    return (wave - tf.reduce_mean(wave)) / tf.math.reduce_std(wave)\n"
)


def py_function_spans(text: str) -> list[tuple[int, int, int, int]]:
    """Spans of the tf.py_function / tf.numpy_function calls, as ast gives them (columns in UTF-8 bytes)."""
    calls = [n for n in ast.walk(ast.parse(text))
             if isinstance(n, ast.Call) and getattr(n.func, "attr", "") in ("py_function", "numpy_function")]
    calls.sort(key=lambda n: (n.lineno, n.col_offset))
    return [(n.lineno, n.col_offset, n.end_lineno, n.end_col_offset) for n in calls]


TOP_LEVEL = """\
import numpy as np
import tensorflow as tf


def _standardize(wave):
    wave = wave.numpy()
    return (wave - np.mean(wave)) / np.std(wave)


def preprocess(wave):
    out = tf.py_function(_standardize, [wave], tf.float32)
    return out
"""

TOP_LEVEL_CONVERTED = """\
import numpy as np
import tensorflow as tf


def _standardize(wave):
    wave = wave.numpy()
    return (wave - np.mean(wave)) / np.std(wave)


@tf.function
def _standardize_tf(wave):
    return (wave - tf.reduce_mean(wave)) / tf.math.reduce_std(wave)


def preprocess(wave):
    out = _standardize_tf(wave)
    return out
"""


def standardize_replacement(span, insert_after_line=7, indent=""):
    return Replacement("_standardize_tf", STANDARDIZE_TF, insert_after_line, indent, span, "_standardize_tf(wave)")


def test_top_level_def_gets_two_blank_lines_around_it():
    [span] = py_function_spans(TOP_LEVEL)
    assert apply_replacements(TOP_LEVEL, [standardize_replacement(span)]) == TOP_LEVEL_CONVERTED


def test_crlf_file_stays_crlf_everywhere():
    crlf = TOP_LEVEL.replace("\n", "\r\n")
    [span] = py_function_spans(crlf)
    out = apply_replacements(crlf, [standardize_replacement(span)])
    assert out == TOP_LEVEL_CONVERTED.replace("\n", "\r\n")
    assert "\n" not in out.replace("\r\n", "")


def test_non_ascii_columns_are_utf8_bytes_from_ast():
    text = (
        "def _scale(x):\n"
        "    return x * 2.0\n"
        "\n"
        "\n"
        "étiquette = \"ß→\"; y = tf.numpy_function(_scale, [x], tf.float32)  # ünïcode\n"
    )
    [span] = py_function_spans(text)
    # "étiquette = \"ß→\"; y = " is 22 characters but 26 bytes (é, ß: 2 each; →: 3): ast counts bytes
    assert span == (5, 26, 5, 68)
    rep = Replacement("_scale_tf", "@tf.function\ndef _scale_tf(x):\n    return x * 2.0\n", 2, "", span,
                      "_scale_tf(x)")
    assert apply_replacements(text, [rep]) == (
        "def _scale(x):\n"
        "    return x * 2.0\n"
        "\n"
        "\n"
        "@tf.function\n"
        "def _scale_tf(x):\n"
        "    return x * 2.0\n"
        "\n"
        "\n"
        "étiquette = \"ß→\"; y = _scale_tf(x)  # ünïcode\n"
    )


NESTED = """\
def augment(img, lo, hi):
    def _clip(x):
        return np.clip(x, lo, hi)
    return tf.numpy_function(_clip, [img], tf.float32)
"""


def test_nested_def_is_indented_with_one_blank_line_around_it():
    [span] = py_function_spans(NESTED)
    rep = Replacement("_clip_tf", "@tf.function\ndef _clip_tf(x):\n    return tf.clip_by_value(x, lo, hi)\n",
                      3, "    ", span, "_clip_tf(img)")
    assert apply_replacements(NESTED, [rep]) == """\
def augment(img, lo, hi):
    def _clip(x):
        return np.clip(x, lo, hi)

    @tf.function
    def _clip_tf(x):
        return tf.clip_by_value(x, lo, hi)

    return _clip_tf(img)
"""


def test_method_in_class_with_blank_line_already_after_it():
    text = (
        "class Pipeline:\n"
        "    def _norm(self, x):\n"
        "        return x / 255.0\n"
        "\n"
        "    def map(self, x):\n"
        "        return tf.py_function(self._norm, [x], tf.float32)\n"
    )
    [span] = py_function_spans(text)
    rep = Replacement("_norm_tf", "@tf.function\ndef _norm_tf(self, x):\n    return x / 255.0\n", 3, "    ", span,
                      "self._norm_tf(x)")
    assert apply_replacements(text, [rep]) == (
        "class Pipeline:\n"
        "    def _norm(self, x):\n"
        "        return x / 255.0\n"
        "\n"
        "    @tf.function\n"
        "    def _norm_tf(self, x):\n"
        "        return x / 255.0\n"
        "\n"
        "    def map(self, x):\n"
        "        return self._norm_tf(x)\n"
    )


TWO_SITES = """\
def _gain(x):
    return x * 2.0


def left(x):
    return tf.numpy_function(_gain, [x], tf.float32)


def right(x):
    a = tf.numpy_function(_gain, [x], tf.float32); b = tf.numpy_function(_gain, [a], tf.float32)
    return b
"""


def test_two_sites_sharing_one_def_insert_it_once():
    gain_tf = "@tf.function\ndef _gain_tf(x):\n    return x * 2.0\n"
    spans = py_function_spans(TWO_SITES)
    args = ["x", "x", "a"]
    reps = [Replacement("_gain_tf", gain_tf, 2, "", span, f"_gain_tf({arg})") for span, arg in zip(spans, args)]
    assert apply_replacements(TWO_SITES, reps) == """\
def _gain(x):
    return x * 2.0


@tf.function
def _gain_tf(x):
    return x * 2.0


def left(x):
    return _gain_tf(x)


def right(x):
    a = _gain_tf(x); b = _gain_tf(a)
    return b
"""


def test_two_defs_inserted_in_order_even_when_given_in_reverse():
    text = (
        "def _a(x):\n"
        "    return x + 1\n"
        "\n"
        "\n"
        "def _b(x):\n"
        "    return x - 1\n"
        "\n"
        "\n"
        "y = tf.py_function(_a, [tf.py_function(_b, [1.0], tf.float32)], tf.float32)\n"
    )
    outer, inner = py_function_spans(text)
    rep_a = Replacement("_a_tf", "@tf.function\ndef _a_tf(x):\n    return x + 1\n", 2, "", outer,
                        "_a_tf(tf.py_function(_b, [1.0], tf.float32))")
    rep_b = Replacement("_b_tf", "@tf.function\ndef _b_tf(x):\n    return x - 1\n", 6, "", inner, "_b_tf(1.0)")
    # nested call spans overlap: the pipeline must fold them into one rewrite, and the edit refuses otherwise
    with pytest.raises(EditError, match="overlapping"):
        apply_replacements(text, [rep_b, rep_a])
    rep_a.call_text = "_a_tf(_b_tf(1.0))"
    assert apply_replacements(text, [rep_a]) == (
        "def _a(x):\n"
        "    return x + 1\n"
        "\n"
        "\n"
        "@tf.function\n"
        "def _a_tf(x):\n"
        "    return x + 1\n"
        "\n"
        "\n"
        "def _b(x):\n"
        "    return x - 1\n"
        "\n"
        "\n"
        "y = _a_tf(_b_tf(1.0))\n"
    )


def test_multi_line_call_span():
    text = (
        "def _f(x):\n"
        "    return x\n"
        "\n"
        "\n"
        "y = tf.py_function(\n"
        "    _f,  # the callback\n"
        "    [x],\n"
        "    Tout=tf.float32,\n"
        ")\n"
        "z = 1\n"
    )
    [span] = py_function_spans(text)
    assert span == (5, 4, 9, 1)
    rep = Replacement("_f_tf", "@tf.function\ndef _f_tf(x):\n    return x\n", 2, "", span, "_f_tf(x)")
    assert apply_replacements(text, [rep]) == (
        "def _f(x):\n"
        "    return x\n"
        "\n"
        "\n"
        "@tf.function\n"
        "def _f_tf(x):\n"
        "    return x\n"
        "\n"
        "\n"
        "y = _f_tf(x)\n"
        "z = 1\n"
    )


def test_def_on_the_last_line_without_newline():
    text = "y = tf.py_function(_f, [x], tf.float32)\ndef _f(x):\n    return x"
    [span] = py_function_spans(text)
    rep = Replacement("_f_tf", "@tf.function\ndef _f_tf(x):\n    return x\n", 3, "", span, "_f_tf(x)")
    assert apply_replacements(text, [rep]) == (
        "y = _f_tf(x)\n"
        "def _f(x):\n"
        "    return x\n"
        "\n"
        "\n"
        "@tf.function\n"
        "def _f_tf(x):\n"
        "    return x\n"
    )


def test_second_run_changes_nothing():
    [span] = py_function_spans(TOP_LEVEL)
    once = apply_replacements(TOP_LEVEL, [standardize_replacement(span)])
    # a second run finds no py_function left, so the pipeline hands over no replacement
    assert py_function_spans(once) == []
    assert apply_replacements(once, []) == once


def test_a_name_already_defined_beside_the_def_is_not_inserted_again():
    # the user restored the call by hand but kept the generated def: only the call is rewritten
    restored = TOP_LEVEL_CONVERTED.replace("_standardize_tf(wave)\n",
                                           "tf.py_function(_standardize, [wave], tf.float32)\n")
    [span] = py_function_spans(restored)
    assert apply_replacements(restored, [standardize_replacement(span)]) == TOP_LEVEL_CONVERTED


def test_multi_line_strings_in_the_replacement_keep_their_content():
    source = '@tf.function\ndef _f_tf(x):\n    """Line one.\n\nline three."""\n    return x\n'
    assert indent_source(source, "    ", "\n") == (
        '    @tf.function\n    def _f_tf(x):\n        """Line one.\n\nline three."""\n        return x\n')


def test_result_that_would_not_parse_is_refused():
    [span] = py_function_spans(TOP_LEVEL)
    rep = standardize_replacement(span)
    rep.source = "@tf.function\ndef _standardize_tf(wave):\n    return (wave\n"
    with pytest.raises(EditError):
        apply_replacements(TOP_LEVEL, [rep])


def test_span_that_is_not_a_call_is_refused():
    line, col, end_line, end_col = py_function_spans(TOP_LEVEL)[0]
    rep = standardize_replacement((line, col, end_line, end_col - 1))
    with pytest.raises(EditError, match="exactly one call"):
        apply_replacements(TOP_LEVEL, [rep])


def test_insertion_that_would_cut_a_statement_is_refused():
    [span] = py_function_spans(TOP_LEVEL)
    with pytest.raises(EditError, match="ends on line 6"):
        apply_replacements(TOP_LEVEL, [standardize_replacement(span, insert_after_line=6)])


def test_same_name_with_different_sources_is_refused():
    spans = py_function_spans(TWO_SITES)
    reps = [Replacement("_gain_tf", f"@tf.function\ndef _gain_tf(x):\n    return x * {k}.0\n", 2, "", span,
                        "_gain_tf(x)") for k, span in enumerate(spans)]
    with pytest.raises(EditError, match="two different definitions"):
        apply_replacements(TWO_SITES, reps)


def test_split_lines_counts_lines_as_the_tokenizer_does():
    # \f and \x1c are not line ends for Python (str.splitlines would split there)
    assert split_lines("a\r\nb\rc\n\x0cd\x1ce") == ["a\r\n", "b\r", "c\n", "\x0cd\x1ce"]
