"""Workers die with their parent, even when the parent is killed with kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from io_processes import REPO, dead_pid, gone, spawn, wait_until

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux prctl")

PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]], stdout=subprocess.PIPE,
                         text=True)
print(child.stdout.readline().strip(), flush=True)
time.sleep(30)
"""

CHILD = """
import os, sys, time
from sim.io.workers import die_with_parent
mechanism = die_with_parent(use_prctl=sys.argv[1] == "prctl")
assert mechanism == sys.argv[1], mechanism
print(os.getpid(), flush=True)
time.sleep(30)
"""

POOL = """
import multiprocessing, os, time
from concurrent.futures import ProcessPoolExecutor
from sim.io.workers import die_with_parent
pool = ProcessPoolExecutor(max_workers=2, initializer=die_with_parent, initargs=(os.getpid(),))
list(pool.map(time.sleep, [0.2, 0.2]))
print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
time.sleep(30)
"""


def _kill_parent_and_expect(parent: subprocess.Popen[str], children: list[int]) -> None:
    try:
        assert children and all(not gone(pid) for pid in children)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert wait_until(lambda: all(gone(pid) for pid in children), timeout=5)
    finally:
        for pid in children:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("mechanism", [pytest.param("prctl", marks=linux_only), "thread"])
def test_a_child_dies_with_its_killed_parent(mechanism):
    parent, line = spawn(PARENT, CHILD, mechanism)
    _kill_parent_and_expect(parent, [int(line)])


@linux_only
def test_process_pool_workers_die_with_their_killed_parent():
    parent, line = spawn(POOL)
    workers = [int(pid) for pid in line.split()]
    assert len(workers) == 2
    _kill_parent_and_expect(parent, workers)


def test_a_parent_already_gone_when_the_worker_starts():
    """The race prctl cannot see: the parent died before the call."""
    code = f"from sim.io.workers import die_with_parent\ndie_with_parent({dead_pid()})\n"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, timeout=30)
    assert done.returncode == -signal.SIGKILL


def test_a_live_parent_is_left_alone():
    code = "import os\nfrom sim.io.workers import die_with_parent\nprint(die_with_parent())\n"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, timeout=30, text=True, capture_output=True
    )
    assert done.returncode == 0
    assert done.stdout.strip() in ("prctl", "thread")
