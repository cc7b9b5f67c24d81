"""Worker processes that die with their parent.

A process pool's workers wait on a pipe from the parent; if the parent is killed with
``kill -9`` they are re-parented to PID 1 (or a sub-reaper) and may wait forever, holding
memory, CPU and any file descriptors they inherited. :func:`die_with_parent`, called in a
worker initialiser, makes a worker end as soon as its parent is gone.

On Linux the kernel does it: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` asks for SIGKILL when the
parent dies. Caveat: the kernel means the parent *thread* that forked the worker, so a worker
forked from a thread that ends while the parent lives is killed too. A
``ProcessPoolExecutor`` with the fork start method (Linux, Python 3.11) forks all its workers
in the thread that makes the first ``submit``, and replacements from its manager thread,
which lives as long as the pool: submit from the main thread (as ccsim's executors do) or
from a thread that outlives the pool. Elsewhere a daemon thread polls every
:data:`POLL_SECONDS`.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from typing import Literal

from sim.io.pids import pid_alive

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5
"""How often the fallback thread checks on the parent."""

Mechanism = Literal["prctl", "thread", "none"]


def parent_alive(pid: int) -> bool:
    """Whether the parent ``pid`` still runs and is still this process's parent (after its
    death a child is re-parented, so ``os.getppid()`` changes even if ``pid`` is reused)."""
    return os.getppid() == pid and pid_alive(pid)


def die_with_parent(parent_pid: int | None = None, *, use_prctl: bool = True) -> Mechanism:
    """End this process when its parent dies; returns how (``prctl``, ``thread``, ``none``).

    ``parent_pid`` is the PID the parent had when it started this process (pass
    ``os.getpid()`` from the parent, e.g. through a pool's ``initargs``); without it
    ``os.getppid()`` at the time of the call is taken. If the parent is already gone (it
    died before this call — the race ``prctl`` alone cannot see), the process kills itself
    at once. ``use_prctl=False`` forces the polling thread (for tests and odd kernels).
    Safe to call more than once. On Windows nothing is done (``none``).
    """
    expected = os.getppid() if parent_pid is None else parent_pid
    if sys.platform == "win32":
        return "none"
    mechanism: Mechanism = "thread"
    if use_prctl and sys.platform.startswith("linux") and _set_pdeathsig(signal.SIGKILL):
        mechanism = "prctl"
    if not parent_alive(expected):  # died before the kernel was told: nobody will signal
        _die()
    if mechanism == "thread":
        watcher = threading.Thread(target=_watch, args=(expected,), daemon=True)
        watcher.name = "die-with-parent"
        watcher.start()
    return mechanism


def _set_pdeathsig(signum: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int) -> None:
    while parent_alive(parent_pid):
        time.sleep(POLL_SECONDS)
    _die()


def _die() -> None:
    """End now, as SIGKILL would: no cleanup, no flushing of half-done work."""
    os.kill(os.getpid(), signal.SIGKILL)
    os._exit(1)  # not reached
