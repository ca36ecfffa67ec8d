"""Verification stage: real TensorFlow in a real subprocess, original py_function vs replacement.

verify_site checks each site in a process forked from the verification worker (one TF import for the whole
test session; the fresh process per site is tested too), and the end-to-end cases use few examples; the
comparison and the strategies are also tested in-process, which is fast.
"""
from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import transpiler.verify as verify_module
from transpiler.verify import VerifyJob, verify_site, worker
from transpiler.verify.compare import Outputs, compare_outputs
from transpiler.verify.describe import describe_array
from transpiler.verify.strategies import explicit_examples, signature_inputs

NUMPY_SLICE = "import numpy as np\n\n"


def make_job(slice_body: str, replacement: str, *, expr="f", name="f_tf", api="tf.numpy_function",
             tout=("float32",), tout_is_list=False, signature=(("float32", [None]),), examples=20,
             deadline_s=60.0) -> VerifyJob:
    return VerifyJob(original_slice=NUMPY_SLICE + slice_body, original_expr=expr,
                     replacement_source=replacement, replacement_name=name, api=api, tout=list(tout),
                     tout_is_list=tout_is_list, signature=[[d, list(dims)] for d, dims in signature],
                     examples=examples, seed=0, deadline_s=deadline_s)


def check_verdict_shape(verdict: dict) -> None:
    assert set(verdict) == {"status", "examples", "modes", "message", "counterexample", "assumptions",
                            "seconds"}
    assert verdict["modes"] == ["eager", "traced"]
    json.dumps(verdict, allow_nan=False)  # strict JSON: the report hands it on as is


# --- end to end -------------------------------------------------------------------------------------------

def test_equivalent_pair_passes():
    verdict = verify_site(make_job(
        "def f(x):\n    return (x * 2).astype(np.float32)\n",
        "@tf.function\ndef f_tf(x):\n    return x * 2\n"))
    check_verdict_shape(verdict)
    assert verdict["status"] == "passed", verdict["message"]
    assert verdict["examples"] >= 20
    assert verdict["counterexample"] is None


def test_argmax_on_nan_fails_with_nan_counterexample():
    # np.argmax returns the first NaN; tf.argmax skips NaN.
    verdict = verify_site(make_job(
        "def f(x):\n    return np.argmax(x, axis=-1)\n",
        "@tf.function\ndef f_tf(x):\n    return tf.argmax(x, axis=-1)\n",
        tout=("int64",), signature=(("float32", [None, 4]),), examples=25))
    check_verdict_shape(verdict)
    assert verdict["status"] == "failed", verdict["message"]
    example = verdict["counterexample"]
    assert example["inputs"][0]["dtype"] == "float32"
    assert "nan" in json.dumps(example["inputs"])
    assert example["mode"] in ("eager", "traced")
    assert example["original"]["dtype"] == example["replacement"]["dtype"] == "int64"


def test_modulo_sign_semantics_fail():
    # NumPy's % takes the divisor's sign; truncatemod takes the dividend's.
    verdict = verify_site(make_job(
        "def f(x):\n    return x % 3\n",
        "@tf.function\ndef f_tf(x):\n    return tf.truncatemod(x, 3)\n",
        tout=("int32",), signature=(("int32", [None]),)))
    assert verdict["status"] == "failed", verdict["message"]
    values = verdict["counterexample"]["inputs"][0]["value"]
    assert any(v < 0 and v % 3 != 0 for v in values)
    # shrunk: one negative element is enough to show the difference
    assert verdict["counterexample"]["inputs"][0]["shape"] == [1]


def test_wrong_dtype_fails():
    verdict = verify_site(make_job(
        "def f(x):\n    return (x * 2).astype(np.float32)\n",
        "@tf.function\ndef f_tf(x):\n    return tf.cast(x * 2, tf.float64)\n"))
    assert verdict["status"] == "failed"
    assert "dtype float64" in verdict["message"]
    assert verdict["counterexample"]["replacement"]["dtype"] == "float64"


def test_replacement_raising_where_original_returns_fails():
    verdict = verify_site(make_job(
        "def f(x):\n    return (x * 2).astype(np.float32)\n",
        "@tf.function\ndef f_tf(x):\n"
        "    tf.debugging.assert_all_finite(x, 'finite inputs only')\n"
        "    return x * 2\n"))
    assert verdict["status"] == "failed"
    assert "replacement raised" in verdict["message"]
    assert "raised" in verdict["counterexample"]["replacement"]
    values = verdict["counterexample"]["inputs"][0]["value"]
    assert any(v in ("nan", "inf", "-inf") for v in values)


def test_slow_replacement_times_out_within_limit():
    deadline = 12.0
    verdict = verify_site(make_job(
        "def f(x):\n    return (x * 2).astype(np.float32)\n",
        "import time\n\ndef f_tf(x):\n    time.sleep(60)\n    return x * 2\n",
        deadline_s=deadline))
    check_verdict_shape(verdict)
    assert verdict["status"] == "timeout"
    assert "12 s" in verdict["message"]
    assert verdict["seconds"] < deadline + 5


def test_slice_raising_at_exec_is_an_error_with_the_reason():
    verdict = verify_site(make_job(
        "raise RuntimeError('this module starts a training run')\n\ndef f(x):\n    return x\n",
        "@tf.function\ndef f_tf(x):\n    return x\n"))
    check_verdict_shape(verdict)
    assert verdict["status"] == "error"
    assert "original slice" in verdict["message"]
    assert "training run" in verdict["message"]


def test_original_that_never_runs_is_an_error_not_a_pass():
    verdict = verify_site(make_job(
        "def f(x):\n    return x.reshape(5, 7).astype(np.float32)\n",   # fits no generated shape
        "@tf.function\ndef f_tf(x):\n    return tf.reshape(x, [5, 7])\n",
        examples=10))
    assert verdict["status"] == "error"
    assert "never ran successfully" in verdict["message"]
    assert "float32[None]" in verdict["message"]


def test_py_function_original_gets_eager_tensors():
    verdict = verify_site(make_job(
        "def f(x):\n    return np.sqrt(np.abs(x.numpy()))\n",
        "@tf.function\ndef f_tf(x):\n    return tf.sqrt(tf.abs(x))\n",
        api="tf.py_function"))
    assert verdict["status"] == "passed", verdict["message"]


def test_list_tout_structure_and_two_outputs():
    verdict = verify_site(make_job(
        "def f(x):\n    return x * 2, np.array(x.size, np.int64)\n",
        "@tf.function\ndef f_tf(x):\n    return [x * 2, tf.size(x, out_type=tf.int64)]\n",
        tout=("float32", "int64"), tout_is_list=True, api="tf.compat.v1.py_func"))
    assert verdict["status"] == "passed", verdict["message"]


def test_two_arguments_with_shared_batch_dim():
    # Mismatched batch sizes make both sides raise (they agree); matched ones must be drawn often
    # enough that the original runs, else the verdict would be "error".
    verdict = verify_site(make_job(
        "def f(x, y):\n    return (x - y.astype(np.float32)).astype(np.float32)\n",
        "@tf.function\ndef f_tf(x, y):\n    return x - tf.cast(y, tf.float32)\n",
        signature=(("float32", [None]), ("int64", [None]))))
    assert verdict["status"] == "passed", verdict["message"]


def test_string_inputs_reach_the_original_as_bytes():
    verdict = verify_site(make_job(
        "def f(s):\n    return np.array([len(v) for v in s.reshape(-1)], np.int32).reshape(s.shape)\n",
        "@tf.function\ndef f_tf(s):\n    return tf.strings.length(s)\n",
        tout=("int32",), signature=(("string", [None]),)))
    assert verdict["status"] == "passed", verdict["message"]


def test_scalar_string_in_and_out_through_py_function():
    # bytes.strip() strips ASCII whitespace, as tf.strings.strip does
    verdict = verify_site(make_job(
        "def f(s):\n    return s.numpy().strip()\n",
        "@tf.function\ndef f_tf(s):\n    return tf.strings.strip(s)\n",
        api="tf.py_function", tout=("string",), signature=(("string", []),)))
    assert verdict["status"] == "passed", verdict["message"]


def test_generated_text_tells_python_whitespace_from_ascii():
    # str.strip() also strips \x1c-\x1f, \x85, \xa0, U+3000...: the drawn text must catch tf.strings.strip
    verdict = verify_site(make_job(
        "def f(s):\n    return s.numpy().decode('utf-8').strip()\n",
        "@tf.function\ndef f_tf(s):\n    return tf.strings.strip(s)\n",
        api="tf.py_function", tout=("string",), signature=(("string", []),)))
    assert verdict["status"] == "failed", verdict["message"]


# --- the verification worker: one TF import, one forked process per site --------------------------------

DOUBLE = "def f(x):\n    return (x * 2).astype(np.float32)\n"
DOUBLE_TF = "@tf.function\ndef f_tf(x):\n    return x * 2\n"
needs_worker = pytest.mark.skipif(not worker.available(), reason="the forking worker is Linux-only")


def _servers_started() -> int:
    verify_module.prestart()
    return verify_module._shared.started_servers


@needs_worker
def test_worker_verifies_sites_in_a_row_each_with_its_own_verdict():
    servers = _servers_started()
    right = verify_site(make_job(DOUBLE, DOUBLE_TF, examples=10))
    wrong = verify_site(make_job(DOUBLE, "@tf.function\ndef f_tf(x):\n    return x * 3\n", examples=10))
    again = verify_site(make_job(DOUBLE, DOUBLE_TF, examples=10))
    assert right["status"] == "passed", right["message"]
    assert wrong["status"] == "failed" and "differs" in wrong["message"], wrong["message"]
    assert again["status"] == "passed", again["message"]
    assert _servers_started() == servers   # one worker, TF imported once


@needs_worker
def test_sites_checked_by_one_worker_cannot_see_each_other():
    # The first site's module changes the interpreter (a builtin, NumPy's error mode, a module, a global of
    # the name the next original reads); the next site must find none of it.
    leaky = ("import builtins, sys, types\nbuiltins.LEAKED = 1\nnp.seterr(all='raise')\n"
             "sys.modules['leaked_module'] = types.ModuleType('leaked_module')\nSCALE = 3\n" + DOUBLE)
    assert verify_site(make_job(leaky, DOUBLE_TF, examples=5))["status"] == "passed"
    probe = ("import builtins, sys\n"
             "def f(x):\n"
             "    seen = hasattr(builtins, 'LEAKED') or 'leaked_module' in sys.modules or 'SCALE' in globals()\n"
             "    seen = seen or np.geterr()['divide'] == 'raise'\n"
             "    return (x * 2 + np.float32(seen)).astype(np.float32)\n")
    verdict = verify_site(make_job(probe, DOUBLE_TF, examples=5))
    assert verdict["status"] == "passed", verdict["message"]


@needs_worker
def test_a_site_that_times_out_does_not_spoil_the_next():
    servers = _servers_started()
    slow = verify_site(make_job("import time\n\ndef f(x):\n    time.sleep(60)\n    return x\n", DOUBLE_TF,
                                deadline_s=3.0))
    assert slow["status"] == "timeout", slow["message"]
    assert "3 s" in slow["message"] and slow["seconds"] < 10
    after = verify_site(make_job(DOUBLE, DOUBLE_TF, examples=10))
    assert after["status"] == "passed", after["message"]
    assert _servers_started() == servers   # the site's process was killed, not the worker


@needs_worker
def test_a_site_that_kills_its_process_is_an_error_and_the_next_is_verified():
    crash = verify_site(make_job("import os\n\ndef f(x):\n    os._exit(3)\n", DOUBLE_TF, examples=5))
    check_verdict_shape(crash)
    assert crash["status"] == "error"
    assert "exited with status 3 without a verdict" in crash["message"]
    assert "example 1" in crash["message"]   # the stderr tail says where it was
    after = verify_site(make_job(DOUBLE, "@tf.function\ndef f_tf(x):\n    return x + 2\n", examples=10))
    assert after["status"] == "failed", after["message"]


@needs_worker
def test_a_worker_that_is_gone_is_started_again():
    servers = _servers_started()
    verify_module._shared.close()   # as if it had been killed
    verdict = verify_site(make_job(DOUBLE, DOUBLE_TF, examples=5))
    assert verdict["status"] == "passed", verdict["message"]
    assert _servers_started() == servers + 1


class _Interrupted(BaseException):
    pass


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"   # a zombie has ended
    except OSError:
        return False


@needs_worker
def test_an_interrupted_caller_leaves_no_check_running():
    import signal
    import time

    assert verify_site(make_job(DOUBLE, DOUBLE_TF, examples=5))["status"] == "passed"   # the worker is up
    shared = verify_module._worker()
    seen = {}

    def interrupt(*_):
        seen["site"], seen["server"] = shared._site_pid, shared._proc.pid
        raise _Interrupted()
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(2)
    try:
        with pytest.raises(_Interrupted):
            verify_site(make_job("import time\n\ndef f(x):\n    time.sleep(60)\n    return x\n", DOUBLE_TF))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert seen["site"] and seen["server"]
    for _ in range(50):
        if not _alive(seen["site"]) and not _alive(seen["server"]):
            break
        time.sleep(0.1)
    assert not _alive(seen["site"]) and not _alive(seen["server"])
    assert verify_site(make_job(DOUBLE, DOUBLE_TF, examples=5))["status"] == "passed"


def test_without_the_worker_each_site_gets_a_fresh_process(monkeypatch):
    monkeypatch.setenv("PYFUNC2TF_VERIFY_WORKER", "0")
    assert verify_site(make_job(DOUBLE, DOUBLE_TF, examples=5))["status"] == "passed"
    crash = verify_site(make_job("import os\n\ndef f(x):\n    os._exit(3)\n", DOUBLE_TF, examples=5))
    assert crash["status"] == "error" and "exited with status 3" in crash["message"]


def test_distribution_draws_of_the_original_are_its_own_calls(tmp_path):
    # The traced original's draws run BATCH to a graph: each draw one call of the user's function, fresh;
    # where a draw raises, every draw gets its own outcome (one call each).
    from transpiler.verify.distribution import DistributionChecker
    from transpiler.verify.subjects import load_subjects, to_tensors

    counted = "CALLS = []\ndef f(x):\n    CALLS.append(1)\n    return (x + np.random.rand()).astype(np.float32)\n"
    job = make_job(counted, DOUBLE_TF)
    checker = DistributionChecker(load_subjects(job, str(tmp_path)), job.signature, draws=100)
    inputs = to_tensors((np.zeros(2, np.float32),), job.signature)
    outcomes = checker._original_draws(inputs)
    assert checker._batched
    assert len(outcomes) == 100 and len(sys.modules["__pyfunc2tf_original__"].CALLS) == 100
    assert len({float(o.outputs.arrays[0][0]) for o in outcomes}) == 100
    assert all(o.outputs.arrays[0].shape == (2,) and o.outputs.dtypes == ["float32"] for o in outcomes)

    flaky = ("def f(x):\n    v = np.random.rand()\n    if v < 0.3:\n        raise ValueError('low draw')\n"
             "    return (x + v).astype(np.float32)\n")
    job = make_job(flaky, DOUBLE_TF)
    checker = DistributionChecker(load_subjects(job, str(tmp_path)), job.signature, draws=100)
    outcomes = checker._original_draws(inputs)
    raised = [o for o in outcomes if o.outputs is None]
    assert len(outcomes) == 100 and 10 <= len(raised) <= 60
    assert all("low draw" in o.error for o in raised)
    assert len({float(o.outputs.arrays[0][0]) for o in outcomes if o.outputs}) == 100 - len(raised)


def test_distributional_check_of_the_generated_form_still_catches_wrong_and_frozen_draws():
    # The generated replacement declares its input_signature, and the distributional check then calls its
    # concrete functions directly: a wrong spread and a draw frozen at trace time must still fail.
    body = "def f(x):\n    return x.astype(np.float64) + np.random.normal(0.0, 2.0)\n"
    head = ("@tf.function(input_signature=[tf.TensorSpec([None], tf.float32)], autograph=False)\n"
            "def f_tf(x):\n")
    good = head + "    return tf.cast(x, tf.float64) + 2.0 * tf.random.normal([], dtype=tf.float64)\n"
    passed = verify_site(make_job(body, good, tout=("float64",), examples=4))
    assert passed["status"] == "passed" and passed["comparison"] == "distributional", passed["message"]
    wrong = verify_site(make_job(body, good.replace("2.0 *", "4.0 *"), tout=("float64",), examples=4))
    assert wrong["status"] == "failed" and "spread" in wrong["message"], wrong["message"]
    frozen = ("DRAWN = float(__import__('numpy').random.normal(0.0, 2.0))\n" + head
              + "    tf.random.normal([])  # drawn, but the result does not use it\n"
              + "    return tf.cast(x, tf.float64) + DRAWN\n")
    verdict = verify_site(make_job(body, frozen, tout=("float64",), examples=4))
    assert verdict["status"] == "failed" and "froze" in verdict["message"], verdict["message"]


# --- comparison, in-process ---------------------------------------------------------------------------------

def single(array, dtype=None) -> Outputs:
    array = np.asarray(array)
    return Outputs(False, [array], [dtype or array.dtype.name])


def test_nan_positions_and_infinities_must_match():
    assert compare_outputs(single(np.float32([1, np.nan, np.inf])), single(np.float32([1, np.nan, np.inf]))) is None
    assert "NaN position" in compare_outputs(single(np.float32([1, np.nan])), single(np.float32([np.nan, 1])))
    assert "infinity" in compare_outputs(single(np.float32([np.inf])), single(np.float32([-np.inf])))
    assert "infinity" in compare_outputs(single(np.float32([np.inf])), single(np.float32([3.4e38])))


def test_float_tolerance_depends_on_dtype():
    assert compare_outputs(single(np.float32([1.0])), single(np.float32([1.00001]))) is None
    assert compare_outputs(single(np.float32([1.0])), single(np.float32([1.001]))) is not None
    assert compare_outputs(single(np.float64([1.0])), single(np.float64([1.00001]))) is not None
    assert compare_outputs(single(np.float16([1.0])), single(np.float16([1.0009765625]))) is None
    assert compare_outputs(single(np.int64([1])), single(np.int64([2]))) is not None


def test_structure_dtype_and_shape_are_compared_before_values():
    pair = Outputs(True, [np.float32([1]), np.int64(1)], ["float32", "int64"])
    assert "single tensor" in compare_outputs(pair, single(np.float32([1])))
    assert "2 outputs" in compare_outputs(pair, Outputs(True, [np.float32([1])], ["float32"]))
    assert "dtype int32" in compare_outputs(single(np.int64([1])), single(np.int32([1])))
    assert "shape [1, 1]" in compare_outputs(single(np.float32([1])), single(np.float32([[1]])))


def test_strings_compare_exactly():
    a = np.array([b"a", "é".encode()], object)
    assert compare_outputs(single(a, "string"), single(a.copy(), "string")) is None
    assert compare_outputs(single(a, "string"), single(np.array([b"a", b"e"], object), "string")) is not None


def test_described_values_are_strict_json():
    described = describe_array(np.float32([np.nan, -np.inf, 0.001]), "float32")
    assert described == {"dtype": "float32", "shape": [3], "value": ["nan", "-inf", 0.001]}
    assert json.loads(json.dumps(describe_array(np.array([b"\xff"], object), "string")))["value"] == ["b'\\xff'"]


# --- strategies, in-process ---------------------------------------------------------------------------------

def test_explicit_examples_are_zeros_and_empty():
    zeros, empty = explicit_examples([["float32", [None, 4]], ["string", []]])
    assert zeros[0].shape == (3, 4) and not zeros[0].any() and zeros[1] == b""
    assert empty[0].shape == (0, 4)
    assert len(explicit_examples([["int32", [2]]])) == 1  # nothing can be empty


def test_drawn_inputs_follow_the_signature_and_mostly_share_batch_sizes():
    signature = [["float32", [None, 2]], ["int8", [None]], ["string", []]]
    drawn = []

    @settings(max_examples=60, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(signature_inputs(signature))
    def collect(inputs):
        drawn.append(inputs)
    collect()
    for x, y, s in drawn:
        assert x.dtype == np.float32 and x.ndim == 2 and x.shape[1] == 2
        assert y.dtype == np.int8 and y.ndim == 1
        assert s.dtype == object and isinstance(s[()], bytes)
    assert sum(x.shape[0] == y.shape[0] for x, y, _ in drawn) > len(drawn) / 2
    floats = np.concatenate([x.reshape(-1) for x, _, _ in drawn])
    assert np.mean(np.abs(floats[np.isfinite(floats)]) <= 10) > 0.7   # mostly ordinary values
    assert any(not math.isfinite(v) for v in floats)                   # with edges mixed in
    tiny = np.finfo(np.float32).tiny
    assert not np.any((floats != 0) & (np.abs(floats) < tiny))          # TF flushes subnormals: none drawn


def test_subnormal_difference_is_out_of_scope_and_said():
    # x * 1 flushes a subnormal to 0 in TF; NumPy keeps it. Inputs exclude subnormals, and the verdict says so.
    verdict = verify_site(make_job(
        "def f(x):\n    return np.power(x, np.float32(0.5))\n",
        "@tf.function\ndef f_tf(x):\n    return tf.math.pow(x, 0.5)\n"))
    assert verdict["status"] == "passed", verdict["message"]
    assert any("subnormal" in a for a in verdict["assumptions"])


def test_a_changed_import_path_restarts_the_worker_so_that_sites_see_it(tmp_path, monkeypatch):
    # a fresh process per site would see the caller's current PYTHONPATH: the shared worker must too
    import os
    from transpiler import verify
    first = verify._worker()
    if first is None:
        pytest.skip("no verification worker on this platform")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    second = verify._worker()
    assert second is not first and str(tmp_path) in second.env["PYTHONPATH"]
    assert verify._worker() is second
