"""Smoke test of the benchmark's code (benchmarks/run.py, worker.py) on one tiny case: conversion of a copy,
the worker's three variants, the table and the plot. No timing is asserted: only that numbers come back."""
import argparse
import textwrap

from benchmarks import run

MODULE = textwrap.dedent("""\
    import numpy as np
    import tensorflow as tf


    def _double(x):
        return (x * 2).astype(np.float32)


    def entry(x):
        return tf.numpy_function(_double, [x], tf.float32)
    """)
REFERENCE = "import tensorflow as tf\n\n\ndef entry(x):\n    return x * 2\n"


def test_benchmark_converts_times_and_writes_a_table(tmp_path):
    (tmp_path / "tiny.py").write_text(MODULE)
    (tmp_path / "tiny_ref.py").write_text(REFERENCE)
    case = {"name": "tiny", "file": str(tmp_path / "tiny.py"), "ref": str(tmp_path / "tiny_ref.py"),
            "entry": "entry", "signature": {"_double": "float32[None]"}, "pyfuncs": ["_double"],
            "inputs": [{"dtype": "float32", "shape": ["1..8"], "low": -1, "high": 1}], "seed": 0}
    args = argparse.Namespace(rounds=1, min_s=0.001, elements=64, tool_timeout=300, case_timeout=300)
    row = run.run_case(case, args, tmp_path / "work")
    assert row["conversion"]["converted"], row["conversion"]
    site = row["conversion"]["sites"][0]
    assert site["status"] == "converted" and site["verify_s"] > 0
    timing = row["timing"]
    assert "error" not in timing, timing
    assert timing["input_shapes"] == [[8]]
    for variant in ("original", "converted", "reference"):
        assert timing["call_s"][variant] > 0 and timing["data_eps"][variant] > 0
    assert timing["xla_s"]["converted"] > 0 and timing["xla_s"]["original"] is None
    assert "PyFunc" in timing["xla_blocked"]["original"]

    summary = run.summarize([row])
    assert summary["cases_timed"] == 1 and summary["sites_converted"] == 1
    meta = {"label": "smoke", "date": "now", "machine": "here", "tensorflow": "x", "rounds": 1, "elements": 64,
            "conditions": "test", "tf_import_s": 1.0}
    table = run.render_markdown([row], summary, meta)
    assert "| tiny | 8 |" in table and "Geometric means" in table
    run.plot([row], tmp_path / "plot.png", "smoke")
    assert (tmp_path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_fallback_writes_a_valid_png(tmp_path):
    import zlib
    import struct
    rows = [{"name": "a", "timing": {"call_s": {"original": 1e-3, "converted": 1e-4, "reference": 1e-4}}}]
    run._plot_fallback(rows, tmp_path / "f.png")
    data = (tmp_path / "f.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat_len = struct.unpack(">I", data[33:37])[0]
    raw = zlib.decompress(data[41:41 + idat_len])
    assert len(raw) == height * (1 + 3 * width)
