"""Debris of dead processes cleaned; live work and other people's files never touched."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from io_processes import dead_pid, spawn

from sim.io.lock import folder_lock
from sim.io.stale import clean_stale

HOLD = """
import sys, time
from pathlib import Path
from sim.io.lock import folder_lock
with folder_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(30)
"""


def run_folder(path: Path, scenario: str = "alpha", **extra: str) -> Path:
    """A folder laid out like a ccsim run (the markers as ccsim writes them)."""
    path.mkdir()
    info = {"ccsim_version": "0.1.0", "scenario": scenario}
    (path / "run.json").write_text(json.dumps(info, indent=2) + "\n")
    (path / "summary.csv").write_text("scope,metric\n")
    for name, text in extra.items():
        (path / name).write_text(text)
    return path


@pytest.fixture
def pids():
    """A dead PID (a process started and reaped) and a live one (this test)."""
    return dead_pid(), os.getpid()


def test_only_dead_processes_debris_goes(tmp_path, pids):
    dead, alive = pids
    for pid in (dead, alive):
        (tmp_path / f".x.staging-{pid}").mkdir()
        (tmp_path / f".p000.tmp-{pid}").mkdir()
        (tmp_path / f".summary.csv.{pid}.tmp").write_text("half")
        (tmp_path / f".ccsim-probe-{pid}-abc").write_text("")
    run_folder(tmp_path / "y")
    run_folder(tmp_path / f".y.previous-{dead}")
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / f".notes.{dead}.tmp").write_text("the user's, named like a temporary")
    (tmp_path / f".q.staging-{dead}").symlink_to(tmp_path / "y")  # not ours: a link

    removed = clean_stale(tmp_path)

    gone = {
        f".x.staging-{dead}",
        f".p000.tmp-{dead}",
        f".summary.csv.{dead}.tmp",
        f".ccsim-probe-{dead}-abc",
        f".y.previous-{dead}",
    }
    assert {path.name for path in removed} == gone
    left = set(os.listdir(tmp_path))
    assert not gone & left
    for name in (".x.staging-", ".p000.tmp-", ".ccsim-probe-"):
        assert any(entry.startswith(f"{name}{alive}") for entry in left)
    assert {"y", "notes.txt", f".notes.{dead}.tmp", f".q.staging-{dead}"} <= left
    assert f".summary.csv.{alive}.tmp" in left
    assert (tmp_path / "y" / "run.json").exists()


def test_a_swap_cut_short_is_undone(tmp_path, pids):
    """Killed between the two renames: the target is missing and the old outputs are
    complete under .NAME.previous-PID; they are put back, not deleted."""
    dead, _ = pids
    run_folder(tmp_path / f".y.previous-{dead}", notes="mine")
    run_folder(tmp_path / f".y.staging-{dead}", scenario="new")
    clean_stale(tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["y"]
    assert (tmp_path / "y" / "notes").read_text() == "mine"
    assert "alpha" in (tmp_path / "y" / "run.json").read_text()


def test_foreign_files_left_in_a_previous_folder_are_moved_over(tmp_path, pids):
    """Killed while moving foreign files back: they join the new outputs."""
    dead, _ = pids
    run_folder(tmp_path / "y", scenario="new", kept="already moved")
    run_folder(tmp_path / f".y.previous-{dead}", scenario="old", notes="mine")
    (tmp_path / f".y.previous-{dead}" / "analysis").mkdir()
    assert [path.name for path in clean_stale(tmp_path)] == [f".y.previous-{dead}"]
    assert sorted(os.listdir(tmp_path / "y")) == [
        "analysis",
        "kept",
        "notes",
        "run.json",
        "summary.csv",
    ]
    assert "new" in (tmp_path / "y" / "run.json").read_text()


def test_a_previous_folder_whose_foreign_file_clashes_is_kept(tmp_path, pids):
    dead, _ = pids
    run_folder(tmp_path / "y", notes="new copy")
    run_folder(tmp_path / f".y.previous-{dead}", notes="old copy")
    assert clean_stale(tmp_path) == []
    assert (tmp_path / f".y.previous-{dead}" / "notes").read_text() == "old copy"


def test_stale_lock_files_go_and_live_ones_stay(tmp_path, pids):
    dead, _ = pids
    (tmp_path / ".w.lock").write_text(f"{dead}\n")  # left by a killed holder
    (tmp_path / ".u.lock").write_text("another program's lock\n")
    holder, line = spawn(HOLD, str(tmp_path / "v"))
    try:
        assert line == "locked"
        (tmp_path / f".v.staging-{dead}").mkdir()  # v is locked: maybe a live swap's
        removed = clean_stale(tmp_path)
        assert [path.name for path in removed] == [".w.lock"]
        assert {".u.lock", ".v.lock", f".v.staging-{dead}"} <= set(os.listdir(tmp_path))
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    assert {path.name for path in clean_stale(tmp_path)} == {".v.lock", f".v.staging-{dead}"}


def test_a_holder_cleans_its_own_targets_debris(tmp_path, pids):
    dead, _ = pids
    (tmp_path / f".x.staging-{dead}").mkdir()
    with folder_lock(tmp_path / "x"):
        assert [path.name for path in clean_stale(tmp_path)] == [f".x.staging-{dead}"]


def test_the_staging_folder_of_a_run_killed_by_kill_9(tmp_path):
    """The existing staged_folder names its staging folder as clean_stale expects."""
    code = (
        "import sys, time\nfrom pathlib import Path\nfrom sim.io.folders import staged_folder\n"
        "with staged_folder(Path(sys.argv[1])) as stage:\n"
        "    (stage / 'summary.csv').write_text('half')\n"
        "    print(stage, flush=True)\n"
        "    time.sleep(30)\n"
    )
    writer, line = spawn(code, str(tmp_path / "x"))
    stage = Path(line)
    assert stage.name == f".x.staging-{writer.pid}"
    assert clean_stale(tmp_path) == []  # alive: its work is left alone
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert clean_stale(tmp_path) == [stage]
    assert os.listdir(tmp_path) == []
