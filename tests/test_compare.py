"""``ccsim compare``: paired differences with common random numbers, Welch otherwise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from builders import mmc_data
from click.testing import CliRunner
from scipy import stats

import sim
from sim.cli import main
from sim.io.run_folder import COMPARE_COLUMNS


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("compare")
    ten = mmc_data(agents=10, horizon="1d", replications=8)
    eleven = mmc_data(agents=11, horizon="1d", replications=3)  # the first's 8 are used
    ten["name"], eleven["name"] = "ten", "eleven"
    (folder / "ten.yaml").write_text(yaml.safe_dump(ten))
    (folder / "eleven.yaml").write_text(yaml.safe_dump(eleven))
    return folder / "ten.yaml", folder / "eleven.yaml"


@pytest.fixture(scope="module")
def compared(files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "cmp"
    code, output = invoke("compare", str(files[0]), str(files[1]), "-o", str(out),
                          "--workers", "2")  # fmt: skip
    assert code == 0, output
    assert "paired differences over 8 replications" in output
    assert f"comparison in {out}/: compare.csv, report.html and plots/" in output
    assert (out / "report.html").is_file()  # the closing line names what is there
    return out


def test_compare_writes_a_tidy_table(compared: Path) -> None:
    frame = pd.read_csv(compared / "compare.csv")
    assert list(frame.columns) == list(COMPARE_COLUMNS)
    assert list(frame.columns[:10]) == [
        "scope", "metric", "scenario", "mean", "ci_low", "ci_high",
        "diff", "diff_ci_low", "diff_ci_high", "clear",
    ]  # fmt: skip
    assert set(frame["scenario"]) == {"ten", "eleven"}
    reference = frame[frame["scenario"] == "ten"]
    assert reference["diff"].isna().all() and not reference["clear"].any()
    assert set(frame.loc[frame["scenario"] == "eleven", "method"]) == {"paired"}
    for name in ("ten", "eleven"):  # scenario files are run and kept next to compare.csv
        reps = pd.read_csv(compared / name / "replications.csv")
        assert sorted(reps["replication"].unique()) == list(range(8))


def test_paired_difference_is_the_mean_of_per_replication_differences(compared: Path) -> None:
    frame = pd.read_csv(compared / "compare.csv").set_index(["scope", "metric", "scenario"])
    row = frame.loc[("phone", "service_level", "eleven")]

    def values(name: str) -> np.ndarray:
        reps = pd.read_csv(compared / name / "replications.csv")
        rows = reps[(reps["scope"] == "phone") & (reps["metric"] == "service_level")]
        return rows.sort_values("replication")["value"].to_numpy()

    d = values("eleven") - values("ten")
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    assert row["diff"] == pytest.approx(d.mean(), rel=1e-6)
    assert row["diff_ci_low"] == pytest.approx(d.mean() - half, rel=1e-6)
    assert row["diff_ci_high"] == pytest.approx(d.mean() + half, rel=1e-6)


def test_common_random_numbers_make_paired_intervals_narrower(compared: Path) -> None:
    """One more agent: a real effect. Paired CIs (CRN) are much narrower than Welch's."""
    frame = pd.read_csv(compared / "compare.csv").set_index(["scope", "metric", "scenario"])
    for metric, ratio in [("service_level", 0.8), ("p_wait", 0.8), ("asa_seconds", 1.0)]:
        row = frame.loc[("phone", metric, "eleven")]
        paired = row["diff_ci_high"] - row["diff_ci_low"]
        unpaired = row["unpaired_ci_high"] - row["unpaired_ci_low"]
        assert paired < ratio * unpaired, (metric, paired, unpaired)
        assert bool(row["clear"]), metric  # the CI excludes 0
    assert frame.loc[("phone", "service_level", "eleven"), "diff"] > 0
    assert frame.loc[("phone", "asa_seconds", "eleven"), "diff"] < 0
    # Arrivals are common to both: no difference at all in offered calls.
    offered = frame.loc[("phone", "offered", "eleven")]
    assert offered["diff"] == 0 and not offered["clear"]


def test_run_folders_with_other_seeds_fall_back_to_welch(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    sim.run(files[0], replications=4, seed=1, workers=1, output=tmp_path / "a")
    sim.run(files[1], replications=4, seed=2, workers=1, output=tmp_path / "b")
    code, output = invoke("compare", str(tmp_path / "a"), str(tmp_path / "b"),
                          "-o", str(tmp_path / "c"), "--quiet")  # fmt: skip
    assert code == 0, output
    assert "unpaired (Welch)" in output and "different seeds (1 and 2)" in output
    frame = pd.read_csv(tmp_path / "c" / "compare.csv")
    assert set(frame.loc[frame["scenario"] == "eleven", "method"]) == {"welch"}
    welch = frame[frame["scenario"] == "eleven"]
    assert np.allclose(welch["diff_ci_low"], welch["unpaired_ci_low"], equal_nan=True)


def test_compare_of_a_run_folder_with_itself_shows_no_difference(compared: Path) -> None:
    frame = sim.compare(compared / "ten", compared / "ten")
    other = frame[frame["scenario"] == "ten#2"]
    assert (other["diff"].fillna(0) == 0).all() and not other["clear"].any()


def test_bad_inputs_are_exit_2(files: tuple[Path, Path], tmp_path: Path) -> None:
    code, output = invoke("compare", str(files[0]))
    assert code == 2 and "at least two" in output
    (tmp_path / "empty").mkdir()
    code, output = invoke("compare", str(files[0]), str(tmp_path / "empty"))
    assert code == 2 and "replications.csv" in output
    code, output = invoke("compare", str(files[0]), str(tmp_path / "missing.yaml"))
    assert code == 2 and "file not found" in output
