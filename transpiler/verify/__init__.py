"""Verification stage: prove on generated inputs that a replacement computes what the original call does.

`verify_site(job)` checks the site in a separate process with a wall-clock limit: the original is user code
(it may hang, crash the interpreter, or change global state), and the verdict must come back whatever it does.
That process is forked from a verification worker that stays up (worker.py: TensorFlow is imported once per
run, not once per site; `prestart()` starts it early, so that the import overlaps the transpiling); where
the worker cannot be used (no fork, or PYFUNC2TF_VERIFY_WORKER=0), it is a fresh `python -m
transpiler.verify.runner` per site. The verdict is a JSON-serialisable dict:

    status          "passed" | "failed" (a mismatch: refuse the site) | "timeout" | "error" (no verdict)
    examples        inputs checked (up to the first failure, when one is found)
    modes           replacement modes compared: ["eager", "traced"]
    message         what happened, in words
    counterexample  {"inputs", "original", "replacement", "mode"} for "failed" (shrunk), else None
    seconds         wall time of verify_site: with the worker, the wait for its TF import where it is not
                    ready yet, and the check in the forked process; else the fresh process, TF import included
"""
from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import progress, worker
from .job import VerifyJob
from .verdict import make_verdict

__all__ = ["VerifyJob", "verify_site", "prestart", "shutdown"]

_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
_STDERR_TAIL = 1500

_shared: worker.VerifyWorker | None = None
_shared_lock = threading.Lock()


def _worker() -> worker.VerifyWorker | None:
    """This process's verification worker (started on first use), or None where it cannot be used."""
    global _shared
    if not worker.available():
        return None
    env = _runner_env(tempfile.gettempdir())
    with _shared_lock:
        if _shared is not None and _shared.owner == os.getpid() and \
                _shared.env.get("PYTHONPATH") != env.get("PYTHONPATH"):
            # the caller's import path changed (a notebook, a test): a fresh process per site would see the new
            # one, so the worker that imports the sites' modules is started again with it
            with _shared.lock:
                _shared.close()
            _shared = None
        if _shared is None or _shared.owner != os.getpid():   # none yet, or this is a fork of its owner
            _shared = worker.VerifyWorker(env)
            atexit.register(shutdown)
        return _shared


def prestart() -> None:
    """Start the verification worker now (its TensorFlow import runs while the caller transpiles)."""
    shared = _worker()
    if shared is not None:
        with shared.lock:
            shared.start()


def shutdown() -> None:
    """Stop this process's verification worker (the next verify_site starts one again)."""
    global _shared
    with _shared_lock:
        shared, _shared = _shared, None
    if shared is not None and shared.owner == os.getpid():   # a fork's copy leaves its owner's worker alone
        with shared.lock:
            shared.close()


def verify_site(job: VerifyJob) -> dict:
    started = time.monotonic()
    shared = _worker()
    if shared is not None:
        with tempfile.TemporaryDirectory(prefix="pyfunc2tf-verify-") as workdir, shared.lock:
            result = shared.verify(job, workdir)
        result["seconds"] = round(time.monotonic() - started, 3)
        return result
    return _verify_in_fresh_process(job, started)


def _verify_in_fresh_process(job: VerifyJob, started: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="pyfunc2tf-verify-") as workdir:
        proc = subprocess.Popen(
            [sys.executable, "-m", "transpiler.verify.runner"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=workdir, env=_runner_env(workdir), start_new_session=True,
        )
        try:
            stdout, stderr = proc.communicate(job.to_json().encode(), timeout=job.deadline_s)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            stdout, stderr = proc.communicate()
            stage = progress.last_stage(stderr.decode("utf-8", "replace"))
            result = make_verdict("timeout", f"verification did not finish within the {job.deadline_s:g} s limit"
                                             + (f" (it was at: {stage})" if stage else ""))
        else:
            _kill_group(proc)  # anything the user's code left running in the background
            result = _parse_verdict(stdout, stderr, proc.returncode)
    result["seconds"] = round(time.monotonic() - started, 3)
    return result


def _runner_env(workdir: str) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PROJECT_ROOT, env.get("PYTHONPATH", "")) if p)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["TMPDIR"] = workdir            # whatever the run leaves behind goes away with the workdir
    env["PYTHONHASHSEED"] = "0"        # verdicts repeat: the order of a set of strings depends on it
    env.pop("PYTHONSTARTUP", None)
    return env


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _parse_verdict(stdout: bytes, stderr: bytes, returncode: int) -> dict:
    lines = stdout.decode("utf-8", "replace").strip().splitlines()
    if lines:
        try:
            result = json.loads(lines[-1])
            if isinstance(result, dict) and "status" in result:
                return result
        except json.JSONDecodeError:
            pass
    tail = stderr.decode("utf-8", "replace")[-_STDERR_TAIL:].strip()
    how = f"exited with status {returncode}" if returncode >= 0 else f"was killed by signal {-returncode}"
    return make_verdict("error", f"the verification process {how} without a verdict"
                                 + (f"; its stderr ends with:\n{tail}" if tail else ""))
