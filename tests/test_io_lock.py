"""One writer per output target: the lock between real processes."""

from __future__ import annotations

import os
import signal
import time

import pytest
from io_processes import gone, spawn, wait_until

from sim.io.lock import FolderBusy, folder_lock, lock_path

HOLD = """
import os, sys, time
from pathlib import Path
from sim.io.lock import folder_lock
with folder_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""

HOLD_AND_FORK = """
import os, sys, time
from pathlib import Path
from sim.io.lock import folder_lock
with folder_lock(Path(sys.argv[1])):
    if os.fork() == 0:  # the child reports once it runs (its fork hooks have run)
        print(os.getpid(), flush=True)
        time.sleep(30)
        os._exit(0)
    time.sleep(30)
"""


def test_second_writer_fails_fast_naming_the_holder(tmp_path):
    target = tmp_path / "shared"
    holder, line = spawn(HOLD, str(target), "30")
    try:
        assert line == "locked"
        started = time.monotonic()
        with pytest.raises(FolderBusy) as caught, folder_lock(target):
            pass
        assert time.monotonic() - started < 1
        assert caught.value.pid == holder.pid
        assert f"PID {holder.pid}" in str(caught.value)
        assert "--wait" in str(caught.value)
    finally:
        holder.kill()
        holder.wait()


def test_waiting_writer_gets_the_lock_when_the_holder_ends(tmp_path):
    target = tmp_path / "shared"
    holder, line = spawn(HOLD, str(target), "0.8")
    assert line == "locked"
    started = time.monotonic()
    # a timeout shorter than the holder's work
    with pytest.raises(FolderBusy), folder_lock(target, wait=True, timeout=0.2):
        pass
    with folder_lock(target, wait=True, timeout=20) as path:
        assert time.monotonic() - started > 0.6  # only once the holder had finished
        assert path.read_text() == f"{os.getpid()}\n"
    holder.wait()
    assert not path.exists()  # released: the lock file is removed


def test_kill_9_of_the_holder_frees_the_lock(tmp_path):
    target = tmp_path / "shared"
    holder, line = spawn(HOLD, str(target), "30")
    assert line == "locked"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert lock_path(target).exists()  # a killed holder leaves the file, but no lock
    with folder_lock(target) as path:
        assert path.read_text() == f"{os.getpid()}\n"


def test_forked_children_do_not_keep_the_lock(tmp_path):
    target = tmp_path / "shared"
    holder, line = spawn(HOLD_AND_FORK, str(target))
    child = int(line)
    try:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        assert not gone(child)  # the child lives on, and must not hold the lock
        with folder_lock(target):
            pass
    finally:
        os.kill(child, signal.SIGKILL)
        wait_until(lambda: gone(child), 5)


def test_one_process_cannot_lock_a_target_twice_and_links_share_a_lock(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with folder_lock(real):
        with pytest.raises(FolderBusy) as caught, folder_lock(tmp_path / "link"):
            pass
        assert caught.value.pid == os.getpid()
    assert lock_path(tmp_path / "link") == tmp_path / ".real.lock"


COUNT = """
import sys
from pathlib import Path
from sim.io.lock import folder_lock
target, counter = Path(sys.argv[1]), Path(sys.argv[2])
print("ready", flush=True)
for _ in range(int(sys.argv[3])):
    with folder_lock(target, wait=True, timeout=60):
        value = int(counter.read_text())
        counter.write_text(str(value + 1))
"""


def test_contending_writers_never_overlap(tmp_path):
    """Read-modify-write under the lock loses no update, although every release unlinks the
    lock file that the next writer may already have opened."""
    counter = tmp_path / "counter"
    counter.write_text("0")
    writers = [spawn(COUNT, str(tmp_path / "shared"), str(counter), "15")[0] for _ in range(4)]
    for writer in writers:
        assert writer.wait(timeout=60) == 0, writer.stderr.read() if writer.stderr else ""
    assert counter.read_text() == str(4 * 15)
