"""The benchmark's verification timing (benchmarks/run.py --only-verify): the cold one-file run and the run over
all cases with one verification worker, and their table. No timing is asserted: only that numbers come back
and land in the right columns."""
import textwrap

from benchmarks import run

MODULE = textwrap.dedent("""\
    import numpy as np
    import tensorflow as tf


    def _double(x):
        return (x * 2).astype(np.float32)


    def _shift(x):
        return (x + 1).astype(np.float32)


    def entry(x):
        return tf.numpy_function(_double, [x], tf.float32), tf.numpy_function(_shift, [x], tf.float32)
    """)


def test_verify_run_times_every_site_with_one_worker(tmp_path):
    (tmp_path / "tiny.py").write_text(MODULE)
    case = {"name": "tiny", "file": str(tmp_path / "tiny.py"), "pyfuncs": ["_double"],
            "signature": {"_double": "float32[None]", "_shift": "float32[None]"}}
    result = run.verify_run([case], timeout=300)
    assert result["error"] is None, result
    assert [(s["function"], s["status"], s["wanted"]) for s in result["sites"]] == [
        ("_double", "converted", True), ("_shift", "converted", False)]
    assert all(s["verify_s"] > 0 for s in result["sites"])
    assert abs(result["verify_wall_s"] - sum(s["verify_s"] for s in result["sites"])) < 1e-6

    conversion = run.convert_case(case, tmp_path / "work", timeout=300)   # the cold, one-file CLI run
    row = {"name": "tiny", "conversion": conversion}
    run.attach_verify_run([row], result)
    assert row["verify_run"] == [result["sites"][0]["verify_s"]]   # wanted and converted only
    assert run.cold_verify_s(row) == conversion["sites"][0]["verify_s"] > 0

    summary = run.summarize([row], result)
    assert abs(summary["verify_s_per_site_geomean"] - result["sites"][0]["verify_s"]) < 1e-9
    assert summary["verify_run_sites"] == 2
    assert summary["verify_run_s_per_site"] == result["verify_wall_s"] / 2
    assert abs(summary["verify_cold_s_geomean"] - run.cold_verify_s(row)) < 1e-9
    meta = {"label": "verify", "date": "now", "machine": "here", "tensorflow": "x", "conditions": "test",
            "tf_import_s": 1.0}
    table = run.render_verify_markdown([row], summary, meta)
    assert f"| tiny | 1 | {run.cold_verify_s(row):.2f} | {result['sites'][0]['verify_s']:.2f} |" in table
    assert "verify s cold" in table and "in a run over all cases" in table


def test_the_full_table_names_both_verify_columns():
    row = {"name": "c", "conversion": {"converted": True, "error": None, "sites": [
        {"function": "f", "status": "converted", "wanted": True, "codes": [], "transpile_s": 0.01,
         "verify_s": 5.0}]}, "verify_run": [0.5],
        "timing": {"call_s": {"original": 1e-3, "converted": 1e-4, "reference": 1e-4}, "xla_s": {"converted": 1e-4},
                   "data_eps": {"original": 1e3, "converted": 1e4, "reference": 1e4}, "input_shapes": [[4]]}}
    summary = run.summarize([row], {"sites": [{"verify_s": 0.5}], "verify_wall_s": 0.5})
    meta = {"label": "cpu", "date": "now", "machine": "here", "tensorflow": "x", "rounds": 1, "elements": 1,
            "conditions": "test", "tf_import_s": 1.0}
    table = run.render_markdown([row], summary, meta)
    assert "| verify s cold | verify s in run |" in table
    assert "| 0.01 | 5.00 | 0.50 |" in table
    assert "**0.50 s** geometric mean" in table and "cold (one file, its first site" in table
