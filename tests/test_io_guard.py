"""Output paths checked before any work, folders recognised by kind, foreign files kept."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from builders import build, mmc_data

from sim import api
from sim.io.guard import OutputPathError, check_output_target
from sim.io.layout import ccsim_files, folder_kinds, folder_owner, foreign_files
from sim.io.swap import replace_folder

ROOT_USER = os.geteuid() == 0


@pytest.fixture(scope="module")
def real_outputs(tmp_path_factory) -> Path:
    """A real run, sweep and compare folder, written by ccsim itself (tiny, serial)."""
    where = tmp_path_factory.mktemp("real")
    data = mmc_data(per_hour=10, agents=2)
    data["run"].update(horizon="1d", warmup="0h", replications=2)
    scenario = build(data)
    other = build({**data, "name": "other"})
    api.run(scenario, output=where / "run", workers=1)
    api.sweep(scenario, {"pools.voice.agents": [2, 3]}, output=where / "sweep", workers=1)
    api.compare(scenario, other, output=where / "compare", workers=1)
    return where


@pytest.fixture
def outputs(real_outputs, tmp_path, monkeypatch) -> Path:
    """A working folder (the cwd) holding copies of the real folders in ``outputs/``."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(real_outputs, tmp_path / "outputs")
    return tmp_path / "outputs"


def refused(path: Path | str, kind: str = "run", **options: object) -> str:
    with pytest.raises(OutputPathError) as caught:
        check_output_target(Path(path), kind, **options)  # type: ignore[arg-type]
    return str(caught.value)


def test_ccsims_own_folders_are_recognised(outputs):
    assert folder_kinds(outputs / "run") == {"run"}
    assert folder_kinds(outputs / "sweep") == {"sweep"}
    assert folder_kinds(outputs / "compare") == {"compare"}
    assert folder_owner(outputs / "run", "run") == "mmc"
    assert folder_owner(outputs / "sweep", "sweep") == "mmc"
    for kind in ("run", "sweep", "compare"):
        assert foreign_files(outputs / kind, kind) == []  # type: ignore[arg-type]
    assert {"summary.csv", "run.json", "plots", "report.html", "trace"} <= ccsim_files("run")


def test_a_new_or_matching_folder_is_accepted(outputs):
    assert check_output_target(Path("outputs/new"), "run") == outputs.resolve() / "new"
    assert check_output_target(Path("outputs/deep/er/new"), "sweep") == outputs / "deep/er/new"
    assert check_output_target(outputs / "run", "run", owner="mmc") == outputs / "run"
    assert check_output_target(outputs / "sweep", "sweep", owner="mmc") == outputs / "sweep"
    assert check_output_target(outputs / "compare", "compare", owner="x") == outputs / "compare"
    (outputs / "empty").mkdir()
    assert check_output_target(outputs / "empty", "compare") == outputs / "empty"


def test_names_that_are_no_folder_of_their_own(outputs):
    (outputs / "work").mkdir()
    os.chdir(outputs / "work")
    for path in (".", "..", "./", ""):
        assert "names no folder of its own" in refused(path) or "empty" in refused(path)
    assert "a folder containing the current folder" in refused(outputs.parent)
    assert "the current folder" in refused(outputs / "work")
    assert "NUL" in refused("a\0b")
    assert "over 200 bytes" in refused("x" * 201)


def test_the_outputs_folder_itself_is_refused(outputs):
    assert "is the outputs folder" in refused("outputs", overwrite=True)


def test_the_home_folder_is_refused(outputs, monkeypatch):
    monkeypatch.setenv("HOME", str(outputs / "home"))
    (outputs / "home").mkdir()
    assert "your home folder" in refused(outputs / "home", overwrite=True)


@pytest.mark.skipif(not os.path.ismount("/proc"), reason="needs /proc mounted")
def test_a_mount_point_is_refused(outputs):
    assert "mount point" in refused("/proc", overwrite=True)


def test_dangling_and_looping_links_are_refused(outputs):
    (outputs / "dangling").symlink_to(outputs / "nowhere")
    (outputs / "loop1").symlink_to(outputs / "loop2")
    (outputs / "loop2").symlink_to(outputs / "loop1")
    message = refused(outputs / "dangling")
    assert "points to" in message and "does not exist" in message
    assert "loops" in refused(outputs / "loop1")
    assert "loops" in refused(outputs / "loop1" / "sub")
    assert not (outputs / "nowhere").exists()


def test_a_parent_that_is_a_file(outputs):
    (outputs / "file.txt").write_text("x")
    assert "is a file, not a folder" in refused(outputs / "file.txt" / "out")
    assert "is a file, not a folder" in refused(outputs / "file.txt" / "a" / "b")


@pytest.mark.skipif(ROOT_USER, reason="root may write in any folder")
def test_a_parent_without_write_permission(outputs):
    locked = outputs / "locked"
    locked.mkdir(mode=0o555)
    try:
        assert "permission denied" in refused(locked / "out")
    finally:
        locked.chmod(0o755)


@pytest.mark.skipif(not os.path.isdir("/sys/kernel"), reason="needs Linux sysfs")
def test_a_parent_that_only_a_real_probe_finds_unwritable(outputs):
    """os.access says yes to root for /sys/kernel; creating a file there still fails."""
    assert "cannot write in /sys/kernel" in refused("/sys/kernel/ccsim-out")


def test_a_file_output_where_a_folder_exists(outputs):
    message = refused(outputs / "run", "file", overwrite=True)
    assert "is a folder, but this command writes a file" in message
    (outputs / "notes.txt").write_text("mine")
    assert "--overwrite" in refused(outputs / "notes.txt", "file")
    assert check_output_target(outputs / "notes.txt", "file", overwrite=True)
    shutil.copy(outputs / "run" / "scenario.yaml", outputs / "staffed.yaml")
    assert check_output_target(outputs / "staffed.yaml", "file") == outputs / "staffed.yaml"


def test_a_folder_output_where_a_file_exists(outputs):
    (outputs / "notes.txt").write_text("mine")
    assert "is not a folder" in refused(outputs / "notes.txt", overwrite=True)


def test_runs_and_sweeps_refuse_each_others_folders(outputs):
    message = refused(outputs / "sweep", "run")
    assert "a ccsim sweep (sweep.json), not a run" in message and "--overwrite" in message
    message = refused(outputs / "run", "sweep")
    assert "a ccsim run (run.json), not a sweep" in message and "--force" in message
    assert "a ccsim run" in refused(outputs / "run", "compare")
    assert check_output_target(outputs / "sweep", "run", overwrite=True) == outputs / "sweep"


def test_another_scenarios_run_is_refused(outputs):
    message = refused(outputs / "run", owner="beta")
    assert "outputs of scenario 'mmc', not of 'beta'" in message
    assert check_output_target(outputs / "run", "run", owner="beta", overwrite=True)


def test_a_users_folder_is_not_written_without_force(outputs):
    user = outputs / "userdir"
    user.mkdir()
    for name in ("report.html", "sweep.csv", "notes.txt"):
        (user / name).write_text("the user's")
    message = refused(user, "sweep")
    assert "files ccsim did not write (notes.txt, report.html, sweep.csv)" in message
    assert "--force to write there anyway (report.html, sweep.csv would be replaced" in message


def test_a_read_only_output_folder_is_refused_even_with_overwrite(outputs):
    (outputs / "run").chmod(0o555)
    try:
        assert "is read-only" in refused(outputs / "run", overwrite=True)
    finally:
        (outputs / "run").chmod(0o755)


def test_a_symlinked_output_folder_is_written_through(outputs):
    (outputs / "link").symlink_to(outputs / "run")
    real = check_output_target(Path("outputs/link"), "run", owner="mmc")
    assert real == (outputs / "run").resolve()
    stage = real.parent / ".run.staging-1"
    shutil.copytree(outputs / "run", stage)
    (stage / "summary.csv").write_text("new\n")
    replace_folder(stage, real, "run")
    assert (outputs / "link").is_symlink()  # the link stays a link ...
    assert (outputs / "link" / "summary.csv").read_text() == "new\n"  # ... to the new outputs
    with pytest.raises(OutputPathError):
        replace_folder(stage, outputs / "link", "run")  # never swap at the link itself


def test_foreign_files_survive_the_swap(outputs):
    run = outputs / "run"
    (run / "notes.txt").write_text("mine")
    (run / "analysis").mkdir()
    (run / "analysis" / "fig.png").write_bytes(b"png")
    (run / "plots").mkdir()
    (run / "plots" / "old.png").write_bytes(b"old")
    run.chmod(0o750)
    assert foreign_files(run, "run") == ["analysis", "notes.txt"]
    stage = outputs / ".run.staging-1"
    stage.mkdir()
    (stage / "summary.csv").write_text("new\n")
    assert replace_folder(stage, run, "run") == ["analysis", "notes.txt"]
    assert sorted(os.listdir(run)) == ["analysis", "notes.txt", "summary.csv"]
    assert (run / "notes.txt").read_text() == "mine"
    assert (run / "analysis" / "fig.png").read_bytes() == b"png"
    assert run.stat().st_mode & 0o777 == 0o750
    assert sorted(os.listdir(outputs)) == ["compare", "run", "sweep"]  # no debris


def test_overwriting_a_sweep_with_a_run_keeps_only_foreign_files(outputs):
    sweep = outputs / "sweep"
    (sweep / "notes.txt").write_text("mine")
    stage = outputs / ".sweep.staging-1"
    shutil.copytree(outputs / "run", stage)
    assert replace_folder(stage, sweep, "run") == ["notes.txt"]
    assert folder_kinds(sweep) == {"run"}
    assert not (sweep / "p000").exists() and (sweep / "notes.txt").exists()


def test_a_swap_into_a_new_folder(outputs):
    stage = outputs / ".fresh.staging-1"
    stage.mkdir()
    (stage / "summary.csv").write_text("new\n")
    assert replace_folder(stage, outputs / "fresh", "run") == []
    assert (outputs / "fresh" / "summary.csv").exists() and not stage.exists()


def test_a_foreign_file_that_clashes_with_a_new_one_stops_the_swap(outputs):
    run = outputs / "run"
    (run / "extra.csv").write_text("mine")
    stage = outputs / ".run.staging-1"
    stage.mkdir()
    (stage / "extra.csv").write_text("ccsim's, unknown to ccsim_files")
    with pytest.raises(OutputPathError, match=r"extra\.csv would be both kept and replaced"):
        replace_folder(stage, run, "run")
    assert (run / "extra.csv").read_text() == "mine" and (run / "run.json").exists()


def test_ctrl_c_during_the_renames_is_delivered_after_them():
    from sim.io.swap import _signals_held

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    finished = []
    try:
        with pytest.raises(KeyboardInterrupt), _signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # a Python handler would run here, between two renames
            finished.append(True)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert finished == [True]
