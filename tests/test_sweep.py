"""``ccsim sweep`` and sequential sampling: grids, executors, resuming, refusing, precision."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from builders import build, default_sigint, mmc_data
from click.testing import CliRunner

from sim.cli import main
from sim.experiment.errors import InputError as SweepInputError
from sim.studies.sweep import Axis, SweepInterrupted, parse_vary, run_sweep
from sim.studies.sweep.grid import expand_range, grid

ROOT = Path(__file__).resolve().parents[1]
GRID = [
    "--vary",
    "pools.voice.agents=9:10:1",
    "--vary",
    "channels.phone.handle_time.mean=4min,5min",
]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sweep") / "mmc.yaml"
    path.write_text(yaml.safe_dump(mmc_data(horizon="1d", replications=2)))
    return path


@pytest.fixture(scope="module")
def serial_sweep(scenario_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serial") / "out"
    code, output = invoke("sweep", str(scenario_file), *GRID, "-o", str(out), "--workers", "1",
                          "--quiet", "--no-plots")  # fmt: skip
    assert code == 0, output
    assert f"results in {out}/: sweep.csv\n" in output  # no report was asked for
    return out


# --- grids ------------------------------------------------------------------------------------


def test_ranges_include_the_end_when_a_step_lands_on_it() -> None:
    assert expand_range("60:80:5") == [60, 65, 70, 75, 80]
    assert expand_range("60:79:5") == [60, 65, 70, 75]
    assert expand_range("0.1:0.3:0.1") == [0.1, 0.2, 0.3]
    assert expand_range("10:4:-3") == [10, 7, 4]
    assert expand_range("2min:6min:2min") == ["2min", "4min", "6min"]
    assert expand_range("serve") is None
    for bad in ("1:5:0", "5:1:1", "1min:5:1"):
        with pytest.raises(SweepInputError):
            expand_range(bad)


def test_vary_values_are_read_like_set_values() -> None:
    assert parse_vary("pools.voice.agents=60:70:5,90") == Axis(
        "pools.voice.agents", (60, 65, 70, 90)
    )
    assert parse_vary("policy.social_mode=serve,deflect").values == ("serve", "deflect")
    axis = parse_vary("policy.priority=[phone, email, social],[social, phone, email]")
    assert axis.values == (["phone", "email", "social"], ["social", "phone", "email"])
    assert parse_vary("pools.voice.shrinkage=0.25, 0.3").values == (0.25, 0.3)
    for bad in ("pools.voice.agents", "=1,2", "pools.voice.agents=1,,2", "a..b=1"):
        with pytest.raises(SweepInputError):
            parse_vary(bad)


def test_grid_is_every_combination_first_path_slowest_or_zipped() -> None:
    a, b = Axis("a", (1, 2)), Axis("b", ("x", "y"))
    assert grid([a, b]) == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
    ]
    assert grid([a, b], zipped=True) == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    with pytest.raises(SweepInputError, match="same length"):
        grid([a, Axis("b", (1, 2, 3))], zipped=True)
    with pytest.raises(SweepInputError, match="more than once"):
        grid([a, a])


# --- outputs and executors --------------------------------------------------------------------


def test_sweep_writes_a_tidy_table_and_a_folder_per_point(serial_sweep: Path) -> None:
    frame = pd.read_csv(serial_sweep / "sweep.csv")
    assert list(frame.columns) == [
        "pools.voice.agents",
        "channels.phone.handle_time.mean",
        "scope",
        "metric",
        "mean",
        "ci_low",
        "ci_high",
        "replications",
    ]
    points = frame[["pools.voice.agents", "channels.phone.handle_time.mean"]].drop_duplicates()
    assert points.values.tolist() == [[9, "4min"], [9, "5min"], [10, "4min"], [10, "5min"]]
    measured = frame[frame["replications"] > 0]  # (channels without contacts have none)
    assert (measured["replications"] == 2).all()
    assert len(measured) > len(frame) / 2
    folders = sorted(p.name for p in serial_sweep.iterdir() if p.is_dir())
    assert folders == ["p000", "p001", "p002", "p003"]
    for name in ["summary.csv", "replications.csv", "scenario.yaml", "run.json", "done"]:
        assert (serial_sweep / "p003" / name).is_file()
    point = json.loads((serial_sweep / "p003" / "point.json").read_text())
    assert point["values"] == {"pools.voice.agents": 10, "channels.phone.handle_time.mean": "5min"}
    summary = pd.read_csv(serial_sweep / "p003" / "summary.csv")
    rows = frame[(frame["pools.voice.agents"] == 10) & (frame.iloc[:, 1] == "5min")]
    assert rows["mean"].tolist() == pytest.approx(summary["mean"].tolist(), nan_ok=True)
    # More agents, better service: the sweep moves the metric the right way.
    sl = frame[(frame["scope"] == "phone") & (frame["metric"] == "service_level")]
    sl = sl[sl["channels.phone.handle_time.mean"] == "4min"]
    assert sl["mean"].iloc[1] > sl["mean"].iloc[0]


def test_common_random_numbers_across_points(serial_sweep: Path) -> None:
    """Replication r of every point sees the same arrivals (handle time does not change them)."""
    offered = []
    for folder in ["p000", "p001"]:
        reps = pd.read_csv(serial_sweep / folder / "replications.csv")
        offered.append(reps[reps["metric"] == "offered"]["value"].tolist())
    assert offered[0] == offered[1]


def test_same_sweep_csv_whatever_the_executor(
    serial_sweep: Path, scenario_file: Path, tmp_path: Path
) -> None:
    two = tmp_path / "two"
    code, output = invoke("sweep", str(scenario_file), *GRID, "-o", str(two), "--workers", "2",
                          "--quiet", "--no-plots")  # fmt: skip
    assert code == 0, output
    assert (two / "sweep.csv").read_bytes() == (serial_sweep / "sweep.csv").read_bytes()
    dask = tmp_path / "dask"
    result = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", str(scenario_file), *GRID, "-o", str(dask),
         "--dask", "local", "--workers", "2", "--quiet", "--no-plots"],
        capture_output=True, text=True, check=False, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Dask" in result.stdout
    assert (dask / "sweep.csv").read_bytes() == (serial_sweep / "sweep.csv").read_bytes()


# --- resuming ---------------------------------------------------------------------------------


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_killed_sweep_resumes_without_recomputing(scenario_file: Path, tmp_path: Path) -> None:
    args = ["sweep", str(scenario_file), "--vary", "pools.voice.agents=9:14:1",
            "--set", "run.horizon=2d", "--quiet", "--no-plots"]  # fmt: skip
    out = tmp_path / "killed"
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", *args, "-o", str(out), "--workers", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        preexec_fn=default_sigint,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (out / "p000" / "done").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "run the same command again to resume" in stderr
    finished = sorted(p.parent.name for p in out.glob("p*/done"))
    assert finished and len(finished) < 6, finished
    assert not (out / "sweep.csv").exists()
    before = {name: _files(out / name) for name in finished}

    code, output = invoke(*args, "-o", str(out), "--workers", "2")
    assert code == 0, output
    assert f"{len(finished)} already finished" in output
    for name in finished:  # not rewritten: same inodes, same modification times
        assert _files(out / name) == before[name]
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary folders left"

    whole = tmp_path / "whole"
    code, output = invoke(*args, "-o", str(whole), "--workers", "2")
    assert code == 0, output
    assert (out / "sweep.csv").read_bytes() == (whole / "sweep.csv").read_bytes()


def test_interrupt_after_a_point_keeps_it_and_resumes(tmp_path: Path) -> None:
    base = build(mmc_data(horizon="1d", replications=2))
    axes = [parse_vary("pools.voice.agents=9:12:1")]
    seen = []

    def stop_after_two(point: object) -> None:
        seen.append(point)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted) as stopped:
        run_sweep(base, axes, tmp_path, workers=2, on_point=stop_after_two)
    assert (stopped.value.finished, stopped.value.total) == (2, 4)
    outcome = run_sweep(base, axes, tmp_path, workers=1)
    assert len(outcome.reused) == 2 and len(outcome.computed) == 2


# --- refusing ---------------------------------------------------------------------------------


def test_a_changed_grid_or_scenario_is_refused_unless_forced(
    serial_sweep: Path, scenario_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reuse"
    code, _ = invoke("sweep", str(scenario_file), *GRID, "-o", str(out), "--quiet", "--no-plots",
                     "--workers", "1")  # fmt: skip
    assert code == 0
    other = ["--vary", "pools.voice.agents=9:11:1"]
    code, output = invoke("sweep", str(scenario_file), *other, "-o", str(out), "--quiet")
    assert code == 2
    assert "the grid" in output and "--force" in output and "Traceback" not in output
    code, output = invoke("sweep", str(scenario_file), *GRID, "--seed", "7", "-o", str(out),
                          "--quiet")  # fmt: skip
    assert code == 2 and "the scenario" in output
    code, output = invoke("sweep", str(scenario_file), *other, "-o", str(out), "--quiet",
                          "--force", "--workers", "1")  # fmt: skip
    assert code == 0, output
    frame = pd.read_csv(out / "sweep.csv")
    assert list(frame.columns[:2]) == ["pools.voice.agents", "scope"]
    assert sorted(frame["pools.voice.agents"].unique()) == [9, 10, 11]
    assert sorted(p.name for p in out.glob("p[0-9]*")) == ["p000", "p001", "p002"]
    assert (out / "plots" / "frontier.png").is_file()


def test_every_point_is_validated_before_anything_runs(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "bad"
    code, output = invoke("sweep", str(scenario_file), "--vary", "pools.voice.agents=5,0,-1",
                          "-o", str(out), "--quiet")  # fmt: skip
    assert code == 2
    lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(lines) == 2
    assert "point p001: pools.voice.agents=0" in lines[0] and ": pools.voice.agents:" in lines[0]
    assert "point p002" in lines[1]
    assert not out.exists()
    code, output = invoke("sweep", str(scenario_file), "--vary", "pools.voice.agents=1:5:0",
                          "-o", str(out))  # fmt: skip
    assert code == 2 and "step must not be 0" in output


# --- sequential sampling ----------------------------------------------------------------------


def _half_widths(summary: pd.DataFrame, scope: str, metric: str) -> tuple[float, float, int]:
    row = summary.set_index(["scope", "metric"]).loc[(scope, metric)]
    return (row["ci_high"] - row["ci_low"]) / 2, row["mean"], int(row["replications"])


def test_run_precision_stops_when_the_target_is_met(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "met"
    code, output = invoke("run", str(scenario_file), "-o", str(out), "--precision", "0.05",
                          "--precision-metric", "phone.offered", "--max-replications", "40",
                          "--no-plots", "--quiet", "--workers", "1")  # fmt: skip
    assert code == 0, output
    summary = pd.read_csv(out / "summary.csv")
    half, mean, n = _half_widths(summary, "phone", "offered")
    assert half <= 0.05 * mean
    assert 2 < n < 40  # more than the first batch of 2, well short of the cap
    meta = json.loads((out / "run.json").read_text())
    assert meta["replications"] == n and meta["precision"]["met"] is True
    assert sorted(pd.read_csv(out / "replications.csv")["replication"].unique()) == list(range(n))
    # The same replications and stopping point with another number of workers.
    again = tmp_path / "again"
    code, _ = invoke("run", str(scenario_file), "-o", str(again), "--precision", "0.05",
                     "--precision-metric", "phone.offered", "--max-replications", "40",
                     "--no-plots", "--quiet", "--workers", "2")  # fmt: skip
    assert code == 0
    assert (again / "summary.csv").read_bytes() == (out / "summary.csv").read_bytes()


def test_run_precision_stops_at_the_cap(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "cap"
    code, output = invoke("run", str(scenario_file), "-o", str(out), "--precision", "0.001",
                          "--max-replications", "5", "--no-plots", "--quiet")  # fmt: skip
    assert code == 0, output
    assert "NOT met" in output
    summary = pd.read_csv(out / "summary.csv")
    assert summary["replications"].max() == 5
    meta = json.loads((out / "run.json").read_text())["precision"]
    assert meta["met"] is False and meta["replications"] == 5
    targets = {(t["scope"], t["metric"]) for t in meta["targets"]}
    assert targets == {
        ("phone", "service_level"),
        ("phone", "asa_seconds"),
        ("centre", "cost_total"),
    }


def test_sweep_precision_holds_at_every_point(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    code, output = invoke("sweep", str(scenario_file), "--vary", "pools.voice.agents=9,10",
                          "-o", str(out), "--precision", "0.05", "--precision-metric",
                          "phone.offered", "--precision-metric", "centre.cost_total",
                          "--quiet", "--no-plots", "--workers", "2")  # fmt: skip
    assert code == 0, output
    frame = pd.read_csv(out / "sweep.csv")
    for agents in (9, 10):
        summary = frame[frame["pools.voice.agents"] == agents]
        half, mean, n = _half_widths(summary, "phone", "offered")
        assert half <= 0.05 * mean and n > 2


def test_bad_precision_options_are_bad_input(scenario_file: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "x")
    for extra in (
        ["--precision-metric", "phone.service_level"],
        ["--precision", "0.05", "--precision-metric", "phone.nonsense"],
        ["--precision", "0.05", "--precision-metric", "nowhere.offered"],
        ["--precision", "0.05", "--max-replications", "2", "--replications", "3"],
    ):
        code, output = invoke("run", str(scenario_file), "-o", out, "--no-plots", *extra)
        assert code == 2, (extra, output)
        assert "Traceback" not in output
    assert not os.path.exists(out)
