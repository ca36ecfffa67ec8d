"""A verification worker that stays up: TensorFlow is imported once, and every site is checked in a process of
its own forked from it.

`python -m transpiler.verify.worker` (the server) imports TensorFlow, NumPy, hypothesis and the verification
modules, warms hypothesis up (without creating TensorFlow's runtime: its thread pools must not exist when the
server forks), says it is ready, and then reads requests, one JSON line each, on stdin:

    {"workdir": DIR, "job": VerifyJob as JSON}

For each request it forks a child that checks the one site: the child starts a session of its own (its
process group is what a timeout kills), works in DIR (cwd and TMPDIR), sends its stdout and stderr to
DIR/stderr.log and writes its verdict to DIR/verdict.json. The server answers `{"pid": PID}` at once and
`{"exit": CODE}` (a negative signal number when the child was killed) when the child has ended, after killing
whatever the child left running in its process group.

So sites cannot see each other: each child is a copy of the server made before any user code ran, and its
modules, global state (NumPy error modes, random state, TF settings) and crashes end with it. A check that
runs past its limit is killed by the client (its process group only); the server goes on with the next site.
The server ends when its stdin closes (the client process ended).

`VerifyWorker` (the client) starts the server, sends it a site, waits for the verdict with the job's time
limit, and restarts the server when it is gone.
"""
from __future__ import annotations

import gc
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from . import progress
from .verdict import make_verdict

VERDICT_FILE = "verdict.json"
STDERR_FILE = "stderr.log"
STARTUP_TIMEOUT_S = 300.0    # the server's own imports (a loaded 2-core machine can take a minute)
_STDERR_TAIL = 1500


# -- the server --------------------------------------------------------------------------------------------------

def serve() -> None:
    requests = os.fdopen(os.dup(0), "r")
    replies = os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)                # the server's own chatter (TF's import messages) goes to its stderr
    sys.stdout = sys.stderr
    _preload()
    # Everything loaded so far lives as long as the server: out of the collector's sight, a child's garbage
    # collections neither walk TensorFlow's objects nor write to (and so copy) the pages they share with the
    # server (a third of a typical site's time). No collection first: it costs the cold start 0.15 s, and the
    # little garbage there is stays frozen, harmlessly.
    gc.freeze()
    _reply(replies, {"ready": os.getpid()})
    for line in requests:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            requests.close()
            replies.close()
            _child(request)      # never returns
        _reply(replies, {"pid": pid})
        _, status = os.waitpid(pid, 0)
        _kill_group(pid)         # what the user's code left running in the background
        _reply(replies, {"exit": os.waitstatus_to_exitcode(status)})
    os._exit(0)


def _reply(stream, message: dict) -> None:
    stream.write(json.dumps(message) + "\n")
    stream.flush()


def _preload() -> None:
    """Import what every check needs, and run hypothesis once, so that a forked child starts warm. Nothing here
    may run a TensorFlow op: the eager context's thread pools do not survive a fork."""
    import numpy as np
    import tensorflow as tf
    tf.get_logger().setLevel("ERROR")
    from hypothesis import HealthCheck, Phase, given, settings

    from . import checker, distribution, runner, search, subjects  # noqa: F401
    from .strategies import signature_inputs

    @settings(max_examples=3, database=None, deadline=None, suppress_health_check=list(HealthCheck),
              phases=[Phase.generate])
    @given(signature_inputs([["float32", [None]], ["int64", []], ["string", [None]]]))
    def warm(inputs):
        np.asarray(inputs[0]).sum()
    warm()


def _child(request: dict) -> None:
    started = time.monotonic()
    code = 0
    try:
        os.setsid()
        workdir = request["workdir"]
        os.chdir(workdir)
        os.environ["TMPDIR"] = workdir   # whatever the check leaves behind goes away with the workdir
        tempfile.tempdir = None
        log = os.open(os.path.join(workdir, STDERR_FILE), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        sys.stdout = sys.stderr
        # A fresh interpreter seeds NumPy's and Python's global generators from the OS; a fork copies the
        # server's state, which every site would share.
        import random

        import numpy as np
        random.seed()
        np.random.seed()
        from .job import VerifyJob
        from .runner import checked_verdict
        result = checked_verdict(lambda: VerifyJob.from_json(request["job"]), started)
        path = os.path.join(workdir, VERDICT_FILE)
        with open(path + ".part", "w", encoding="utf-8") as f:
            f.write(json.dumps(result, allow_nan=False))
        os.replace(path + ".part", path)
        sys.stderr.flush()
    except BaseException:   # noqa: BLE001 - the client reports a missing verdict with the stderr tail
        code = 70
        try:
            import traceback
            traceback.print_exc()
            sys.stderr.flush()
        except BaseException:   # noqa: BLE001
            pass
    os._exit(code)   # no interpreter teardown: TF's exit hooks are slow, and the server's atexit is not ours


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# -- the client --------------------------------------------------------------------------------------------------

class WorkerGone(Exception):
    """The server ended, or did not start; the message says what its stderr ended with."""


def available() -> bool:
    """Forking after importing TensorFlow needs os.fork, and is not done on macOS (its system frameworks are
    not fork-safe) nor where PYFUNC2TF_VERIFY_WORKER=0 asks for one fresh process per site."""
    return (hasattr(os, "fork") and sys.platform.startswith("linux")
            and os.environ.get("PYFUNC2TF_VERIFY_WORKER", "1") != "0")


class VerifyWorker:
    def __init__(self, env: dict):
        self._env = env
        self._proc: subprocess.Popen | None = None
        self._home = ""          # the server's cwd (empty: nothing there shadows a module) and its stderr
        self._buffer = b""
        self._ready = False
        self._site_pid: int | None = None   # the process checking a site, while one is
        self.owner = os.getpid()            # a forked copy of the client must not talk to this server
        self.started_servers = 0
        self.lock = threading.Lock()

    @property
    def env(self) -> dict:
        """The environment the server is (or will be) started with."""
        return self._env

    def start(self) -> None:
        """Start the server unless one is running; returns at once (the imports go on in the background)."""
        if self._proc is not None and self._proc.poll() is None:
            return
        self._discard()
        self._home = tempfile.mkdtemp(prefix="pyfunc2tf-verify-worker-")
        with open(self._stderr_path(), "wb") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "transpiler.verify.worker"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                cwd=self._home, env=self._env, start_new_session=True)
        self._buffer, self._ready = b"", False
        self.started_servers += 1

    def verify(self, job, workdir: str) -> dict:
        """The verdict of one site (without "seconds"): a time limit kills the site's process only; a server
        that is gone is started again for the next site."""
        try:
            self.start()
            if not self._ready:
                self._expect("ready", time.monotonic() + STARTUP_TIMEOUT_S)
                self._ready = True
            self._send({"workdir": workdir, "job": job.to_json()})
            self._site_pid = self._expect("pid", time.monotonic() + 60.0)
        except (WorkerGone, TimeoutError) as gone:
            self._discard()
            why = gone if isinstance(gone, WorkerGone) else "it did not answer in time"
            return make_verdict("error", f"the verification worker did not start: {why}")
        except BaseException:   # interrupted: what the server has answered is unknown
            self._discard()
            raise
        settled = False   # the server's state is known: its answer about this site's process was read
        try:
            code = self._expect("exit", time.monotonic() + job.deadline_s)
            settled = True
        except TimeoutError:
            _kill_group(self._site_pid)
            try:
                self._expect("exit", time.monotonic() + 30.0)
                settled = True
            except (TimeoutError, WorkerGone):
                pass
            stage = progress.last_stage(_read(os.path.join(workdir, STDERR_FILE)))
            return make_verdict("timeout", f"verification did not finish within the {job.deadline_s:g} s limit"
                                           + (f" (it was at: {stage})" if stage else ""))
        except WorkerGone as gone:
            return make_verdict("error", f"the verification worker ended while checking this site: {gone}")
        finally:
            if not settled:   # gone, stuck, or the caller was interrupted: the site's process and the server go
                self._discard()
            self._site_pid = None
        return _verdict_from(workdir, code)

    def close(self) -> None:
        self._discard()

    # -- plumbing --

    def _send(self, message: dict) -> None:
        try:
            self._proc.stdin.write((json.dumps(message) + "\n").encode())
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerGone(self._gone_text())

    def _expect(self, key: str, deadline: float):
        """The value of the next message, which must hold `key`; TimeoutError at `deadline`."""
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(key)
            ready, _, _ = select.select([self._proc.stdout], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(self._proc.stdout.fileno(), 65536)
            if not chunk:
                raise WorkerGone(self._gone_text())
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        message = json.loads(line)
        if key not in message:
            raise WorkerGone(f"unexpected message {message!r} while waiting for {key!r}")
        return message[key]

    def _stderr_path(self) -> str:
        return os.path.join(self._home, STDERR_FILE)

    def _gone_text(self) -> str:
        try:
            code = self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        tail = _read(self._stderr_path())[-_STDERR_TAIL:].strip()
        how = "" if code is None else (f"exited with status {code}" if code >= 0 else f"was killed by signal {-code}")
        return how + (f"; its stderr ends with:\n{tail}" if tail else "")

    def _discard(self) -> None:
        if self._site_pid is not None:   # a site's check still running (the caller was interrupted)
            _kill_group(self._site_pid)
            self._site_pid = None
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
            _kill_group(proc.pid)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            proc.stdout.close()
        if self._home:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = ""


def _read(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _verdict_from(workdir: str, code: int) -> dict:
    text = _read(os.path.join(workdir, VERDICT_FILE))
    if text:
        try:
            result = json.loads(text)
            if isinstance(result, dict) and "status" in result:
                return result
        except json.JSONDecodeError:
            pass
    tail = _read(os.path.join(workdir, STDERR_FILE))[-_STDERR_TAIL:].strip()
    how = f"exited with status {code}" if code >= 0 else f"was killed by signal {-code}"
    return make_verdict("error", f"the verification process {how} without a verdict"
                                 + (f"; its stderr ends with:\n{tail}" if tail else ""))


if __name__ == "__main__":
    serve()
