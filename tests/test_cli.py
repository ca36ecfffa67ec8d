"""The command line: exit codes, usage errors, and files that cannot be handled left untouched."""
import json

import pytest
import typer
from typer.testing import CliRunner

from cli import app, parse_signature_options, render_op_rows

runner = CliRunner()


def test_undecodable_file_is_reported_and_left_untouched(tmp_path):
    source = tmp_path / "latin.py"
    # latin-1 bytes without a coding cookie: not UTF-8 (and a site, so that the prefilter lets it through)
    original = b"name = 'M\xfcller'\ny = tf.numpy_function(f, [x], tf.float32)\n"
    source.write_bytes(original)
    result = runner.invoke(app, ["convert", str(source), "--write"])
    assert result.exit_code == 1
    assert "P503" in result.stdout and "cannot decode" in result.stdout
    assert source.read_bytes() == original


def test_help_explains_exit_codes_and_signature_syntax():
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    assert "tf.py_function" in top.stdout and "2  usage error or internal error" in top.stdout
    convert = runner.invoke(app, ["convert", "--help"])
    assert convert.exit_code == 0
    assert "--signature '_standardize=float32[None]'" in convert.stdout


@pytest.mark.parametrize("spec", ["nospec", "=float32[None]", "f=floot[None]", "f=float32[None", "f=int64[x]"])
def test_malformed_signature_is_a_usage_error(tmp_path, spec):
    source = tmp_path / "m.py"
    source.write_text("x = 1\n")
    result = runner.invoke(app, ["convert", str(source), "--signature", spec])
    assert result.exit_code == 2
    assert "--signature" in result.stderr


def test_missing_file_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["convert", str(tmp_path / "absent.py")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_report_in_a_missing_directory_is_a_usage_error(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("x = 1\n")
    result = runner.invoke(app, ["convert", str(source), "--report", str(tmp_path / "no" / "r.json")])
    assert result.exit_code == 2


def test_file_that_does_not_parse_is_reported_and_left_untouched(tmp_path):
    source = tmp_path / "broken.py"
    original = b"import tensorflow as tf\ndef f(:\n    pass\ny = tf.py_function(f, [x], tf.float32)\n"
    source.write_bytes(original)
    report = tmp_path / "report.json"
    result = runner.invoke(app, ["convert", str(source), "--write", "--report", str(report)])
    assert result.exit_code == 1
    assert f"{source}:2:" in result.stdout and "(file left unchanged)" in result.stdout
    assert source.read_bytes() == original
    data = json.loads(report.read_text())
    assert data["files"][0]["error"]["line"] == 2
    assert data["summary"]["file_errors"] == 1


def test_signature_options_keep_the_spec_text():
    assert parse_signature_options(["_standardize=float32[None]", "self._crop = uint8[None,None,3], int64[2]"]) == {
        "_standardize": "float32[None]", "self._crop": "uint8[None,None,3], int64[2]"}
    with pytest.raises(typer.BadParameter, match="two different signatures"):
        parse_signature_options(["f=float32[]", "f=int64[]"])


def test_op_rows_are_aligned_with_target_or_reason():
    rows = [
        {"name": "numpy.mean", "status": "supported", "reason": "", "target": "tf.reduce_mean"},
        {"name": "numpy.std", "status": "partial", "reason": "ddof must be a constant", "target": "tf.math.reduce_std"},
        {"name": "numpy.fft.fft", "status": "unsupported", "reason": "complex FFT plans", "target": None},
    ]
    assert render_op_rows(rows) == (
        "numpy.mean     supported    tf.reduce_mean\n"
        "numpy.std      partial      tf.math.reduce_std  (ddof must be a constant)\n"
        "numpy.fft.fft  unsupported  complex FFT plans\n"
        "3 names: 1 supported, 1 partial, 1 unsupported\n"
    )
