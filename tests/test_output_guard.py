"""The one output guard every writing command goes through (issue 20 and issue 18's "outputs
never clobbered"): path problems before any work, one writer per folder, default folders that
stay inside outputs/, the debris of dead processes cleaned, foreign folders protected."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import mmc_data
from click.testing import CliRunner
from io_processes import dead_pid, spawn

from sim.cli import main

ROOT_USER = os.geteuid() == 0
QUICK = ("--quiet", "--no-plots", "--workers", "1")


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def scenario(path: Path, name: str = "mmc", **run: Any) -> Path:
    settings = {"horizon": "2h", "warmup": "0h", "replications": 1, **run}
    data = mmc_data(per_hour=20, agents=3, **settings)
    data["name"] = name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("../../x", "x"),
        ("/etc/passwd", "etc_passwd"),
        ("", "scenario"),
        ("..", "scenario"),
        ("\x1b[31mred\x1b[0m", "red"),
    ],
)
def test_a_scenario_name_never_leaves_outputs(here: Path, name: str, folder: str) -> None:
    result = cli("run", str(scenario(here / "s.yaml", name)), *QUICK)
    assert result.exit_code == 0, result.output
    assert [p.name for p in (here / "outputs").iterdir() if not p.name.startswith(".")] == [folder]
    assert sorted(p.name for p in here.iterdir()) == ["outputs", "s.yaml"]  # nothing beside
    assert "\x1b" not in result.output


def test_an_empty_name_with_overwrite_never_replaces_outputs(here: Path) -> None:
    other = here / "outputs" / "other"
    other.mkdir(parents=True)
    (other / "keep.txt").write_text("mine")
    result = cli("run", str(scenario(here / "s.yaml", "")), *QUICK, "--overwrite")
    assert result.exit_code == 0, result.output
    assert (other / "keep.txt").read_text() == "mine"
    assert (here / "outputs" / "scenario" / "summary.csv").is_file()


def test_a_long_name_gets_a_short_folder_with_a_hash(here: Path) -> None:
    result = cli("run", str(scenario(here / "s.yaml", "x" * 300)), *QUICK)
    assert result.exit_code == 0, result.output
    (folder,) = (p for p in (here / "outputs").iterdir() if not p.name.startswith("."))
    assert len(folder.name) <= 80 and folder.name.startswith("xxxx")


# --- issue 18: --set runs get their own folder ------------------------------------------------


def test_a_set_override_never_writes_over_the_plain_scenarios_results(here: Path) -> None:
    path = str(scenario(here / "s.yaml"))
    assert cli("run", path, *QUICK).exit_code == 0
    plain = here / "outputs" / "mmc"
    before = snapshot(plain)
    result = cli("run", path, *QUICK, "--set", "pools.voice.agents=4")
    assert result.exit_code == 0, result.output
    assert snapshot(plain) == before
    variant = here / "outputs" / "mmc--pools.voice.agents_4"
    assert (variant / "summary.csv").is_file()
    assert "results in outputs/mmc--pools.voice.agents_4/" in result.output
    # the same command again replaces its own folder
    assert cli("run", path, *QUICK, "--set", "pools.voice.agents=4").exit_code == 0


def test_overwrite_replaces_ccsims_files_only_and_says_what_it_kept(here: Path) -> None:
    path = str(scenario(here / "s.yaml"))
    out = here / "outputs" / "mmc"
    assert cli("run", path, *QUICK).exit_code == 0
    (out / "notes.txt").write_text("mine")
    other = str(scenario(here / "o.yaml", "other"))
    refused = cli("run", other, *QUICK, "-o", str(out))
    assert refused.exit_code == 2 and "--overwrite" in refused.output
    result = cli("run", other, *QUICK, "-o", str(out), "--overwrite")
    assert result.exit_code == 0, result.output
    assert (out / "notes.txt").read_text() == "mine"
    assert "kept 1 file ccsim did not write" in result.output and "notes.txt" in result.output
    assert json.loads((out / "run.json").read_text())["scenario"] == "other"
    assert sorted(p.name for p in out.parent.iterdir()) == ["mmc"]  # nothing moved aside


# --- one writer per folder --------------------------------------------------------------------

HOLD = (
    "import sys, time\nfrom pathlib import Path\nfrom sim.io.lock import folder_lock\n"
    "with folder_lock(Path(sys.argv[1])):\n"
    "    print('locked', flush=True)\n"
    "    time.sleep(float(sys.argv[2]))\n"
)


def test_a_second_writer_exits_2_naming_the_holder(here: Path) -> None:
    out = here / "shared"
    holder, line = spawn(HOLD, str(out), "30")
    try:
        assert line == "locked"
        started = time.monotonic()
        for command in (
            ["run", str(scenario(here / "s.yaml")), *QUICK, "-o", str(out)],
            ["sweep", str(here / "s.yaml"), "--vary", "pools.voice.agents=3,4", "-o", str(out)],
        ):
            result = cli(*command)
            assert result.exit_code == 2
            assert f"PID {holder.pid}" in result.output and "--wait" in result.output
        assert time.monotonic() - started < 10
        assert not out.exists()
    finally:
        holder.kill()
        holder.wait()


def test_wait_waits_for_the_holder_then_writes(here: Path) -> None:
    out = here / "shared"
    holder, line = spawn(HOLD, str(out), "1.5")
    try:
        assert line == "locked"
        result = cli("run", str(scenario(here / "s.yaml")), *QUICK, "-o", str(out), "--wait")
        assert result.exit_code == 0, result.output
        assert holder.poll() is not None  # it finished first
        assert (out / "summary.csv").is_file()
    finally:
        holder.kill()
        holder.wait()


# --- debris of dead processes -------------------------------------------------------------


def test_stale_staging_and_previous_folders_are_cleaned_by_the_next_run(here: Path) -> None:
    path = str(scenario(here / "s.yaml"))
    assert cli("run", path, *QUICK).exit_code == 0
    outputs, pid = here / "outputs", dead_pid()
    staging = outputs / f".mmc.staging-{pid}"
    staging.mkdir()
    (staging / "summary.csv").write_text("half")
    previous = outputs / f".mmc.previous-{pid}"
    previous.mkdir()
    (previous / "summary.csv").write_text("old")
    assert cli("run", path, *QUICK).exit_code == 0
    assert not staging.exists() and not previous.exists()
    assert (outputs / "mmc" / "summary.csv").read_text() != "old"


# --- foreign folders and kinds ------------------------------------------------------------


def test_sweep_refuses_a_users_folder_without_force(here: Path) -> None:
    user = here / "userdir"
    user.mkdir()
    (user / "report.html").write_text("my report")
    (user / "sweep.csv").write_text("my,table\n")
    before = snapshot(user)
    vary = ("--vary", "pools.voice.agents=3,4")
    result = cli("sweep", str(scenario(here / "s.yaml")), *vary, "-o", str(user), "--quiet")
    assert result.exit_code == 2 and "--force" in result.output
    assert snapshot(user) == before


def test_runs_and_sweeps_refuse_each_others_folders(here: Path) -> None:
    path = str(scenario(here / "s.yaml"))
    sweep_dir, run_dir = here / "sw", here / "rn"
    vary = ("--vary", "pools.voice.agents=3,4")
    assert cli("sweep", path, *vary, "-o", str(sweep_dir), *QUICK).exit_code == 0
    assert cli("run", path, *QUICK, "-o", str(run_dir)).exit_code == 0
    sweep_files, run_files = snapshot(sweep_dir), snapshot(run_dir)
    result = cli("run", path, *QUICK, "-o", str(sweep_dir))
    assert result.exit_code == 2 and "sweep" in result.output and "--overwrite" in result.output
    result = cli("sweep", path, *vary, "-o", str(run_dir), *QUICK)
    assert result.exit_code == 2 and "run" in result.output and "--force" in result.output
    assert snapshot(sweep_dir) == sweep_files and snapshot(run_dir) == run_files


# --- every path problem before any work -----------------------------------------------------


def path_cases(here: Path) -> dict[str, tuple[list[str], str]]:
    (here / "afile").write_text("x")
    os.symlink(here / "nowhere", here / "dangling")
    os.symlink(here / "loop", here / "loop")
    (here / "dir").mkdir()
    s = str(here / "s.yaml")
    return {
        "dangling link": (["run", s, "-o", "dangling"], "does not exist"),
        "link loop": (["run", s, "-o", "loop"], "loops"),
        "dot": (["run", s, "-o", "."], "no folder of its own"),
        "parent is a file": (["run", s, "-o", "afile/out"], "is a file"),
        "sweep into a file": (
            ["sweep", s, "--vary", "run.seed=1,2", "-o", "afile"],
            "not a folder",
        ),
        "staff into a folder": (
            ["staff", s, "--target", "phone.service_level>=0.8", "-o", "dir"],
            "folder",
        ),
    }


def test_path_problems_exit_2_before_any_simulation(here: Path) -> None:
    scenario(here / "s.yaml", horizon="400d", replications=50)  # minutes, if it ever ran
    for what, (command, words) in path_cases(here).items():
        started = time.monotonic()
        result = cli(*command, "--quiet")
        assert result.exit_code == 2, (what, result.output)
        assert words in result.output, (what, result.output)
        assert "Traceback" not in result.output
        assert time.monotonic() - started < 10, what


@pytest.mark.skipif(ROOT_USER, reason="root may write in any folder")
def test_an_unwritable_parent_exits_2_before_any_simulation(here: Path) -> None:
    scenario(here / "s.yaml", horizon="400d", replications=50)
    locked = here / "ro"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = cli("run", str(here / "s.yaml"), "-o", str(locked / "out"), "--quiet")
        assert result.exit_code == 2 and "permission denied" in result.output
    finally:
        locked.chmod(0o700)


def test_a_read_only_output_folder_is_refused_not_replaced(here: Path) -> None:
    path = str(scenario(here / "s.yaml"))
    out = here / "out"
    assert cli("run", path, *QUICK, "-o", str(out)).exit_code == 0
    inode = out.stat().st_ino
    out.chmod(0o555)
    try:
        result = cli("run", path, *QUICK, "-o", str(out))
        assert result.exit_code == 2 and "read-only" in result.output
        assert out.stat().st_ino == inode
    finally:
        out.chmod(0o755)


def test_a_symlinked_output_folder_is_written_through(here: Path) -> None:
    path = str(scenario(here / "s.yaml"))
    real = here / "real"
    assert cli("run", path, *QUICK, "-o", str(real)).exit_code == 0
    os.symlink(real, here / "link")
    result = cli("run", path, *QUICK, "-o", "link", "--seed", "9")
    assert result.exit_code == 0, result.output
    assert (here / "link").is_symlink()
    assert json.loads((real / "run.json").read_text())["seed"] == 9
