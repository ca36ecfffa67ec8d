"""A report the tool writes validates against docs/report.schema.json, and the schema can reject one."""
import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from cli import app

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "report.schema.json").read_text())
MODULE = """\
import numpy as np
import tensorflow as tf


def _scale(x):
    return (x * 2.0 + 1.0).astype(np.float32)


def run(x):
    a = tf.numpy_function(_scale, [x], tf.float32)
    b = tf.py_function(open, [x], tf.float32)
    c = tf.numpy_function(_scale, [x], tf.float32)  # pyfunc2tf: skip
    return a, b, c
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("schema")
    (root / "m.py").write_text(MODULE)
    (root / "broken.py").write_text("tf.py_function(\n")
    out = root / "report.json"
    result = CliRunner().invoke(app, ["convert", str(root), "--jobs", "1", "--examples", "3", "--report", str(out),
                                      "--signature", "_scale=float32[None]"])
    assert result.exit_code == 1, result.output
    return json.loads(out.read_text())


def test_a_produced_report_validates(report):
    jsonschema.validate(report, SCHEMA)
    assert [s["status"] for s in report["sites"]] == ["converted", "refused", "skipped"]
    assert report["summary"]["file_errors"] == 1 and report["summary"]["files_scanned"] == 2


def test_the_schema_rejects_a_report_missing_documented_fields(report):
    broken = json.loads(json.dumps(report))
    del broken["sites"][0]["verification"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)
    broken = json.loads(json.dumps(report))
    broken["sites"][1]["status"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_every_documented_site_field_is_in_the_schema():
    doc = (Path(__file__).parent.parent / "docs" / "report-schema.md").read_text()
    for key in SCHEMA["$defs"]["site"]["required"]:
        assert f"`{key}`" in doc, key
