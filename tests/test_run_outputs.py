"""``ccsim run`` end to end: the output contract (README, run folder) and reproducibility."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from builders import multichannel_data
from click.testing import CliRunner

from sim.cli import main
from sim.scenario import channel_names, load_scenario
from sim.scenario.registry import kind_of

# every kind always reported (chat, a later kind, only in scenarios that reach it)
CHANNELS = tuple(name for name in channel_names() if kind_of(name).always_reported)

OUTPUT_FILES = ["summary.csv", "replications.csv", "intervals.csv", "scenario.yaml", "run.json"]
CHANNEL_METRICS = [
    "offered",
    "answered",
    "abandoned",
    "abandon_rate",
    "p_wait",
    "asa_seconds",
    "service_level",
]
POOL_METRICS = ["occupancy", "paid_hours", "cost"]
CENTRE_METRICS = [
    "cost_total",
    "cost_per_issue",
    "issues",
    "resolved_rate",
    "contacts_per_issue",
    "social_first_share_end",
    "public_negative",
    "public_positive",
]


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    data = multichannel_data()
    data["run"].update({"horizon": "1d", "replications": 3})
    path.write_text(yaml.safe_dump(data))
    return path


def run_cli(*args: str, plots: bool = False) -> str:
    extra = [] if plots else ["--no-plots"]
    result = CliRunner().invoke(main, ["run", *args, "--quiet", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def run_dir(scenario_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    run_cli(str(scenario_file), "-o", str(out), "--workers", "1", plots=True)
    return out


def test_run_writes_every_output(run_dir: Path) -> None:
    for name in [*OUTPUT_FILES, "report.html", "plots/service_level.png"]:
        assert (run_dir / name).is_file(), name
    assert not list(run_dir.glob(".*.tmp")), "temporary files left behind"


def test_summary_is_tidy_with_the_contract_metrics(run_dir: Path) -> None:
    summary = pd.read_csv(run_dir / "summary.csv")
    assert list(summary.columns) == ["scope", "metric", "mean", "ci_low", "ci_high", "replications"]
    present = set(zip(summary["scope"], summary["metric"], strict=True))
    for channel in CHANNELS:
        for metric in CHANNEL_METRICS:
            assert (channel, metric) in present, (channel, metric)
    for pool in ("voice", "digital"):
        for metric in POOL_METRICS:
            assert (f"pool:{pool}", metric) in present
    for metric in CENTRE_METRICS:
        assert ("centre", metric) in present
    phone = summary.set_index(["scope", "metric"]).loc[("phone", "service_level")]
    assert phone["replications"] == 3
    # the interval is the t interval of the three replications: mean ± t(0.975, 2)·s/√3
    reps = pd.read_csv(run_dir / "replications.csv")
    values = reps[(reps["scope"] == "phone") & (reps["metric"] == "service_level")]["value"]
    half = 4.302652729749462 * values.std(ddof=1) / 3**0.5
    assert half > 0
    assert phone["mean"] == pytest.approx(values.mean(), rel=1e-8)  # csv: 10 digits
    assert phone["ci_low"] == pytest.approx(values.mean() - half, rel=1e-8)
    assert phone["ci_high"] == pytest.approx(values.mean() + half, rel=1e-8)


def test_summary_means_are_the_means_of_replications(run_dir: Path) -> None:
    summary = pd.read_csv(run_dir / "summary.csv").set_index(["scope", "metric"])
    reps = pd.read_csv(run_dir / "replications.csv")
    assert list(reps.columns) == ["replication", "scope", "metric", "value"]
    assert sorted(reps["replication"].unique()) == [0, 1, 2]
    means = reps.groupby(["scope", "metric"])["value"].mean()
    for key in [("phone", "offered"), ("email", "asa_seconds"), ("centre", "cost_total")]:
        assert summary.loc[key, "mean"] == pytest.approx(means.loc[key], rel=1e-9)


def test_intervals_cover_the_horizon_and_add_up(run_dir: Path) -> None:
    intervals = pd.read_csv(run_dir / "intervals.csv")
    for column in [
        "interval",
        "scope",
        "channel",
        "day",
        "time",
        "offered",
        "answered",
        "abandoned",
        "service_level",
        "asa_seconds",
        "agents_on_duty",
        "occupancy",
        "social_first_share",
    ]:
        assert column in intervals.columns, column
    phone = intervals[intervals["channel"] == "phone"]
    assert len(phone) == 48  # one day of 30-minute intervals
    summary = pd.read_csv(run_dir / "summary.csv").set_index(["scope", "metric"])
    assert phone["offered"].sum() == pytest.approx(summary.loc[("phone", "offered"), "mean"])
    voice = intervals[intervals["scope"] == "pool:voice"]
    assert voice["occupancy"].between(0, 1).all()


def test_resolved_scenario_reloads_to_the_same_inputs(run_dir: Path, scenario_file: Path) -> None:
    assert load_scenario(run_dir / "scenario.yaml") == load_scenario(scenario_file)


def test_run_json_records_seed_and_throughput(run_dir: Path) -> None:
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["seed"] == 20130220
    assert meta["replications"] == 3
    assert meta["contacts_simulated"] > 0
    assert meta["contacts_per_second"] > 0


def test_same_seed_gives_identical_files_whatever_the_workers(
    run_dir: Path, scenario_file: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    run_cli(str(scenario_file), "-o", str(again), "--workers", "2")
    for name in ["summary.csv", "replications.csv", "intervals.csv", "scenario.yaml"]:
        assert (again / name).read_bytes() == (run_dir / name).read_bytes(), name


def test_another_seed_gives_other_numbers(
    run_dir: Path, scenario_file: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    run_cli(str(scenario_file), "-o", str(other), "--workers", "1", "--seed", "99")
    a = pd.read_csv(run_dir / "summary.csv")
    b = pd.read_csv(other / "summary.csv")
    assert not a["mean"].equals(b["mean"])


def test_replications_option_and_set_override(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "set"
    run_cli(
        str(scenario_file),
        "-o",
        str(out),
        "--replications",
        "2",
        "--set",
        "pools.voice.shrinkage=0.3",
    )
    resolved = load_scenario(out / "scenario.yaml")
    assert resolved.run.replications == 2
    assert resolved.pools["voice"].shrinkage == 0.3
    assert pd.read_csv(out / "summary.csv")["replications"].max() == 2


def test_python_dash_m_sim_is_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sim", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "run" in result.stdout and "validate" in result.stdout
