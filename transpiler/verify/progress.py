"""Progress lines on the verification process's stderr, so that the parent can say where a killed run was."""
from __future__ import annotations

import sys

PREFIX = "pyfunc2tf-verify: "


def report(stage: str) -> None:
    print(PREFIX + stage, file=sys.stderr, flush=True)


def last_stage(stderr: str) -> str:
    """The last stage reported in a run's stderr, or "" when it reported none."""
    for line in reversed(stderr.splitlines()):
        if line.startswith(PREFIX):
            return line[len(PREFIX):]
    return ""
