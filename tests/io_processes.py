"""Real helper processes for the sim.io tests: a Python snippet run in a child process that
reports on its first line of output (a PID, "locked", ...) and then does its job."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def spawn(code: str, *args: str) -> tuple[subprocess.Popen[str], str]:
    """Start ``python -c code args...``; return the process and its first line of output
    (empty if it ended without printing one)."""
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def gone(pid: int) -> bool:
    """Whether ``pid`` has ended: no such process, or a zombie nobody has reaped yet (an
    orphan re-parented to a PID 1 that does not reap counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    return state in ("Z", "X")


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll ``condition()`` every 50 ms until true (True) or ``timeout`` seconds (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def dead_pid() -> int:
    """The PID of a process that has ended and been reaped (so it names no process, unless
    the system recycles it within the test, which the caller checks)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    try:
        os.kill(process.pid, 0)
    except ProcessLookupError:
        return process.pid
    raise RuntimeError(f"PID {process.pid} was reused at once; run the test again")
