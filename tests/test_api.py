"""The Python API: ``sim.run``, ``sim.sweep``, ``sim.compare`` return documented DataFrames."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from builders import build, mmc_data

import sim
from sim.experiment.errors import InputError as SweepInputError
from sim.io.run_folder import COMPARE_COLUMNS, SUMMARY_COLUMNS
from sim.scenario import ScenarioError


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api") / "mmc.yaml"
    path.write_text(yaml.safe_dump(mmc_data(horizon="1d", replications=2)))
    return path


def _mean(frame: pd.DataFrame, scope: str, metric: str) -> float:
    return float(frame.set_index(["scope", "metric"]).loc[(scope, metric), "mean"])


def test_import_sim_stays_light() -> None:
    code = "import sys, sim; print([m for m in ('pandas', 'simpy', 'numpy') if m in sys.modules])"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_run_returns_the_summary_with_overrides(scenario_file: Path, tmp_path: Path) -> None:
    summary = sim.run(scenario_file, workers=1)
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert summary["replications"].max() == 2
    more = sim.run(
        str(scenario_file), {"pools.voice.agents": 12}, replications=3, workers=1, output=tmp_path
    )
    assert more["replications"].max() == 3
    assert _mean(more, "pool:voice", "paid_hours") == pytest.approx(12 * 24)
    assert (tmp_path / "summary.csv").is_file() and (tmp_path / "replications.csv").is_file()
    # A Scenario object works too, and gives the same numbers as its file.
    same = sim.run(build(mmc_data(horizon="1d", replications=2)), workers=2)
    assert same["mean"].equals(summary["mean"])


def test_run_with_precision(scenario_file: Path) -> None:
    summary = sim.run(scenario_file, precision=0.05, precision_metrics=["phone.offered"], workers=1)
    row = summary.set_index(["scope", "metric"]).loc[("phone", "offered")]
    assert (row["ci_high"] - row["ci_low"]) / 2 <= 0.05 * row["mean"]


def test_sweep_returns_the_tidy_grid(scenario_file: Path, tmp_path: Path) -> None:
    frame = sim.sweep(
        scenario_file,
        {"pools.voice.agents": [9, 10], "policy.social_mode": "serve,deflect"},
        workers=1,
    )
    assert list(frame.columns) == ["pools.voice.agents", "policy.social_mode", *SUMMARY_COLUMNS]
    combos = frame[["pools.voice.agents", "policy.social_mode"]].drop_duplicates().values.tolist()
    assert combos == [[9, "serve"], [9, "deflect"], [10, "serve"], [10, "deflect"]]
    zipped = sim.sweep(
        scenario_file,
        {"pools.voice.agents": range(9, 11), "run.seed": [1, 2]},
        zip=True,
        workers=2,
        output=tmp_path / "kept",
    )
    assert zipped[["pools.voice.agents", "run.seed"]].drop_duplicates().values.tolist() == [
        [9, 1],
        [10, 2],
    ]
    assert (tmp_path / "kept" / "sweep.csv").is_file()


def test_compare_returns_the_comparison(scenario_file: Path) -> None:
    more = build(mmc_data(agents=11, horizon="1d", replications=2), name="eleven")
    frame = sim.compare(scenario_file, more, replications=3, workers=2)
    assert list(frame.columns) == list(COMPARE_COLUMNS)
    assert set(frame["scenario"]) == {"mmc", "eleven"}
    assert "paired" in frame.attrs["notes"][0]
    eleven = frame[frame["scenario"] == "eleven"].set_index(["scope", "metric"])
    assert eleven.loc[("pool:voice", "paid_hours"), "diff"] == pytest.approx(24)
    assert (
        sim.compare([scenario_file, scenario_file], replications=2, workers=1)["diff"]
        .fillna(0)
        .eq(0)
        .all()
    )


def test_bad_input_raises(scenario_file: Path) -> None:
    with pytest.raises(ScenarioError, match=r"pools\.voice\.agents"):
        sim.run(scenario_file, {"pools.voice.agents": 0})
    with pytest.raises(SweepInputError):
        sim.sweep(scenario_file, {"pools.voice.agents": "1:5:0"})
    with pytest.raises(TypeError):
        sim.compare(scenario_file)
    with pytest.raises(AttributeError):
        _ = sim.no_such_thing
