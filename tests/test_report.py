"""The JSON report's shape (the shared checker reads it) and the text people read."""
import json

from transpiler.diagnostics import Diagnostic
from transpiler.report import render_text, to_json, unified_diff
from transpiler.results import FileResult, Replacement, SiteResult


def sample_results() -> list[FileResult]:
    converted = SiteResult(
        file="examples/audio.py", line=20, col=10, function="_standardize", api="tf.py_function",
        status="converted", signature="float32[None]", signature_source="--signature",
        verification={"status": "passed", "examples": 50, "modes": ["eager", "traced"], "counterexample": None},
        replacement=Replacement("_standardize_tf", "@tf.function\ndef _standardize_tf(w):\n    return w\n",
                                12, "", (20, 10, 20, 60), "_standardize_tf(wave)"),
        notes=[Diagnostic("P301", "assumed float32 input from Tout", 20, 10, severity="warning")],
    )
    refused = SiteResult(
        file="examples/audio.py", line=31, col=11, function="_read_pcm", api="tf.numpy_function",
        reasons=[Diagnostic("P201", "open() reads a file: no TensorFlow equivalent", 25, 9)],
    )
    mismatch = SiteResult(
        file="examples/audio.py", line=40, col=4, function="_odd", api="tf.py_function",
        reasons=[Diagnostic("P401", "values differ", 40, 4, file="examples/audio.py")],
        verification={"status": "failed", "examples": 3, "modes": ["eager", "traced"], "counterexample": {
            "inputs": [{"dtype": "float32", "shape": [2], "value": ["nan", 1.5]}],
            "original": {"dtype": "float32", "shape": [2], "value": ["nan", 1.5]},
            "replacement": {"raised": "InvalidArgumentError: NaN in input"},
            "mode": "traced"}},
    )
    broken = FileResult("broken.py", error=Diagnostic("P502", "invalid syntax", 3, 7, file="broken.py"))
    return [FileResult("examples/audio.py", sites=[converted, refused, mismatch]), broken]


def test_json_report_shape():
    report = to_json(sample_results())
    json.dumps(report)   # plain data only
    assert [s["status"] for s in report["sites"]] == ["converted", "refused", "refused"]
    assert report["sites"][1]["reasons"][0]["line"] == 25
    assert report["sites"][1]["reasons"][0]["message"].startswith("open()")
    assert report["sites"][0]["replacement"] == "_standardize_tf"
    assert report["files"] == [
        {"path": "examples/audio.py", "error": None},
        {"path": "broken.py", "error": {"code": "P502", "message": "invalid syntax", "line": 3, "col": 7,
                                        "file": "broken.py", "severity": "error"}},
    ]
    assert report["summary"] == {"files": 2, "file_errors": 1, "sites": 3, "converted": 1, "refused": 2,
                                 "by_code": {"P201": 1, "P401": 1, "P502": 1}}


def test_text_has_one_line_per_site_then_reasons_then_a_summary():
    assert render_text(sample_results()) == (
        "examples/audio.py:20: _standardize  converted -> _standardize_tf (verified on 50 examples, eager+traced)\n"
        "    examples/audio.py:20:10: P301 assumed float32 input from Tout (warning)\n"
        "examples/audio.py:31: _read_pcm  REFUSED\n"
        "    examples/audio.py:25:9: P201 open() reads a file: no TensorFlow equivalent\n"
        "examples/audio.py:40: _odd  REFUSED\n"
        "    examples/audio.py:40:4: P401 values differ\n"
        '    counterexample (traced): inputs float32[2] ["nan", 1.5]; original float32[2] ["nan", 1.5]; '
        'replacement raised InvalidArgumentError: NaN in input\n'
        "broken.py:3:7: P502 invalid syntax  (file left unchanged)\n"
        "3 sites in 2 files: 1 converted, 2 refused, 1 file not handled\n"
    )


def test_unverified_conversion_says_so():
    site = SiteResult(file="a.py", line=1, col=0, function="f", api="tf.py_function", status="converted",
                      replacement=Replacement("f_tf", "", 1, "", (1, 0, 1, 1), "f_tf(x)"))
    assert render_text([FileResult("a.py", sites=[site])]).splitlines()[0] == \
        "a.py:1: f  converted -> f_tf (not verified)"


def test_no_sites():
    assert render_text([FileResult("a.py")]) == "0 sites in 1 file: 0 converted, 0 refused\n"


def test_unified_diff_keeps_crlf_and_marks_a_missing_final_newline():
    old = "a = 1\r\nb = 2"
    new = "a = 1\r\nb = 3"
    assert unified_diff("m.py", old, new) == (
        "--- a/m.py\n"
        "+++ b/m.py\n"
        "@@ -1,2 +1,2 @@\n"
        " a = 1\r\n"
        "-b = 2\n"
        "\\ No newline at end of file\n"
        "+b = 3\n"
        "\\ No newline at end of file\n"
    )
    assert unified_diff("m.py", old, old) == ""


def test_counterexample_with_several_outputs_and_a_cut_array():
    from transpiler.report import render_counterexample
    assert render_counterexample({
        "inputs": [{"dtype": "int64", "shape": [], "value": 3}],
        "original": [{"dtype": "float32", "shape": [70], "value": [0.5], "truncated": "first 64 of 70"},
                     {"dtype": "int64", "shape": [], "value": 1}],
        "replacement": [{"dtype": "float32", "shape": [70], "value": [0.25], "truncated": "first 64 of 70"},
                        {"dtype": "int64", "shape": [], "value": 1}],
        "mode": "eager",
    }) == ("counterexample (eager): inputs int64[] 3; original (float32[70] [0.5] ..., int64[] 1); "
           "replacement (float32[70] [0.25] ..., int64[] 1)")
