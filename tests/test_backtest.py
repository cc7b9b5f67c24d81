"""The back-test: logged contacts replayed through a scenario reproduce the logged service.

A round trip: a known scenario is run with a trace, the trace fitted, and the trace replayed
through the fitted scenario; interval service level comes back within a few points of the
logged values, and the same comparison with half the agents is far off (so it can fail).
The replay hook itself is checked on a case small enough to work out by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import deep_update, mmc_data
from click.testing import CliRunner

from sim.cli import main
from sim.experiment.errors import InputError
from sim.experiment.replication import run_scenario, tabulate
from sim.model.centre import Centre
from sim.model.clock import Calendar
from sim.model.distributions import constant
from sim.model.replay import GivenArrivals, GivenHandles, Replay
from sim.scenario import validate_data
from sim.studies.backtest import backtest
from sim.studies.fit import fit_log

SCENARIO = {
    "name": "replayed",
    "run": {"horizon": "7d", "warmup": "6h", "replications": 1, "interval": "30min", "seed": 4},
    "demand": {
        "issues_per_day": 2400,
        "profile": [0.3] * 14 + [1.5] * 22 + [0.6] * 12,
        "first_channel": {"phone": 0.7, "email": 0.3},
    },
    "channels": {"phone": {"patience": {"dist": "exponential", "mean": "3min"}}},
    "behaviour": {"after_abandon": {"retry": 0.4, "give_up": 0.6}},
    "pools": {
        "voice": {"agents": 14, "skills": ["phone"]},
        "back": {"agents": 4, "skills": ["email"]},
    },
}


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("backtest") / "trace"
    run_scenario(validate_data(SCENARIO), workers=1, trace_dir=folder)
    return folder


@pytest.fixture(scope="module")
def fitted(trace: Path):
    return fit_log(trace, base=SCENARIO).scenario()


def test_a_fitted_round_trip_replays_within_a_few_points(trace: Path, fitted) -> None:
    result = backtest(trace, fitted, replications=2)
    table = result.intervals
    assert (table["offered_simulated"] == table["offered_logged"]).all()  # the log's contacts
    phone = result.errors.set_index("channel").loc["phone"]
    assert phone["intervals"] > 200
    assert 0.3 < phone["service_level_logged"] < 0.95  # a centre with something to get right
    assert phone["service_level_mae"] < 0.04
    assert abs(phone["service_level_bias"]) < 0.01
    assert result.mae_service_level < 0.04


def test_the_same_comparison_catches_a_wrong_staffing(trace: Path, fitted) -> None:
    data = fitted.model_dump(mode="json", by_alias=True, exclude_none=True)
    short = validate_data(deep_update(data, {"pools": {"voice": {"agents": 10}}}))
    result = backtest(trace, short, replications=1)
    phone = result.errors.set_index("channel").loc["phone"]
    assert phone["service_level_mae"] > 0.1 and phone["service_level_bias"] < -0.1


def test_logged_staffing_drives_the_headcount(trace: Path, fitted, tmp_path: Path) -> None:
    """A scenario with too few agents replays the log well once given the logged 14."""
    data = fitted.model_dump(mode="json", by_alias=True, exclude_none=True)
    short = validate_data(deep_update(data, {"pools": {"voice": {"agents": 10}}}))
    staffing = tmp_path / "agents.csv"
    staffing.write_text("start,pool,agents\n2023-12-25T00:00,voice,14\n")
    result = backtest(trace, short, staffing, replications=1)
    assert result.errors.set_index("channel").loc["phone", "service_level_mae"] < 0.04
    assert result.scenario.pools["voice"].agents == 14
    staffing.write_text("start,voice,night\n2023-12-25T00:00,14,3\n")
    with pytest.raises(InputError, match=r"pool\(s\) night not in the scenario \(voice, back\)"):
        backtest(trace, short, staffing)
    staffing.write_text("start,pool,agents\n2023-12-25T00:00,voice,14\nsoon,voice,2.5\n")
    with pytest.raises(InputError, match=r"agents not a whole number .* \(row 3\)"):
        backtest(trace, short, staffing)


def test_the_replay_hook_uses_given_times_handles_and_headcounts() -> None:
    """One agent, arriving from t = 100 s; contacts at 0, 1 and 2 s needing 10 s each (a
    handle time given), and one at 3 s with none given (drawn: 5 min). Answered at 100,
    110 and 120 s; the fourth at 130 s."""
    data = mmc_data(agents=1, per_hour=1.0, aht="5min")
    data["run"] = {"horizon": "1h", "warmup": "0s", "replications": 1, "interval": "1h"}
    data["channels"]["phone"]["handle_time"] = {"dist": "deterministic", "value": "5min"}
    scenario = validate_data(data)
    replay = Replay(
        np.array([0.0, 1.0, 2.0, 3.0]),
        np.array(["phone"] * 4, dtype=object),
        np.array([10.0, 10.0, 10.0, np.nan]),
        {"voice": (np.array([0.0, 100.0]), np.array([0, 1]))},
    )
    centre = Centre(scenario, 0, replay=replay)
    counts = centre.run()
    frame = tabulate(scenario, counts).intervals.query("scope == 'phone'")
    assert frame["offered"].iloc[0] == 4 and frame["answered"].iloc[0] == 4
    assert frame["asa_seconds"].iloc[0] == pytest.approx((100 + 109 + 118 + 127) / 4)
    busy = counts.pools["voice"].busy[0]
    assert busy == pytest.approx(30.0 + 300.0)  # three given handle times and one drawn


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_ccsim_backtest_writes_the_comparison(trace: Path, fitted, tmp_path: Path) -> None:
    scenario = tmp_path / "fitted.yaml"
    from sim.scenario import scenario_to_yaml

    scenario.write_text(scenario_to_yaml(fitted))
    out = tmp_path / "bt"
    code, output = run(
        "backtest", str(trace), "--scenario", str(scenario), "-o", str(out), "--replications", "1"
    )
    assert code == 0, output
    assert "all channels:" in output and "MAE of interval service level" in output
    names = {p.name for p in out.iterdir()}
    assert {"backtest.csv", "backtest_errors.csv", "scenario.yaml", "backtest_report.html"} <= names
    assert (out / "plots" / "backtest_phone.png").is_file()
    errors = pd.read_csv(out / "backtest_errors.csv")
    assert list(errors["channel"]) == ["email", "phone", "all"]
    html = (out / "backtest_report.html").read_text()
    assert html.count("data:image/png;base64,") == 2
    code, output = run(
        "backtest", str(trace), "--scenario", str(scenario), "--staffing", "nothing.csv",
        "-o", str(out),
    )  # fmt: skip
    assert code == 2 and "nothing.csv: file not found" in output


def contacts(n: int, times: list[float] | None = None, **changes) -> dict:
    """A valid replay's arrays for ``n`` phone contacts, with ``changes`` applied."""
    arrays = {
        "times": np.array(times if times is not None else [float(i) for i in range(n)]),
        "channels": np.array(["phone"] * n, dtype=object),
        "handles": np.full(n, np.nan),
    }
    return {**arrays, **changes}


LENGTHS = "times, channels and handles must have one entry per contact"
TIMES = "arrival times must be finite and not before time 0"
CHANGES = "staffing of pool voice: one headcount per change, at least one"
HEADCOUNTS = "staffing of pool voice: headcounts >= 0 in time order"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channels": np.array(["phone"] * 2, dtype=object)}, LENGTHS),
        ({"handles": np.full(4, np.nan)}, LENGTHS),
        ({"times": np.array([0.0, np.inf, 2.0])}, TIMES),
        ({"times": np.array([0.0, -1.0, 2.0])}, TIMES),
        ({"staffing": {"voice": (np.array([0.0, 60.0]), np.array([3]))}}, CHANGES),
        ({"staffing": {"voice": (np.array([]), np.array([]))}}, CHANGES),
        ({"staffing": {"voice": (np.array([0.0]), np.array([-1]))}}, HEADCOUNTS),
        ({"staffing": {"voice": (np.array([60.0, 0.0]), np.array([1, 2]))}}, HEADCOUNTS),
    ],
)
def test_a_replay_that_cannot_be_driven_is_refused(changes: dict, message: str) -> None:
    """Arrays of different lengths, times that are not finite or before 0, and headcounts
    that are missing, negative or out of time order are refused, each with its reason."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Replay(**contacts(3, **changes))


def test_headcount_changes_at_the_same_time_are_in_time_order() -> None:
    """A log may hold two changes at the same second, or under a second apart: the later
    one holds."""
    staffing = {"voice": (np.array([0.0, 0.5, 0.5, 7.0]), np.array([1, 2, 3, 0]))}
    assert Replay(**contacts(3), staffing=staffing).staffing == staffing


def test_given_contacts_come_in_time_order_ties_in_the_given_order() -> None:
    """Sorted by time, contacts given at the same time keep their given order (a log's own
    order of simultaneous contacts); only those before ``until`` are given, and each is
    counted in its interval on top of what the counts already held."""
    n = 40
    times = [5.0] * n + [1.0] * n
    labels = np.array([f"c{i}" for i in range(2 * n)], dtype=object)
    handles = np.arange(2.0 * n)
    given = GivenArrivals(Replay(**contacts(2 * n, times, channels=labels, handles=handles)))
    calendar = Calendar(0.0, 3600.0, 3600.0)
    counts = np.array([3, 0])
    early = list(given.issues(5.0, calendar, counts))
    assert early == [(1.0, (0, f"c{i}", float(i))) for i in range(n, 2 * n)]
    assert counts.tolist() == [3 + n, 0]
    every = list(given.issues(6.0, calendar, counts))
    assert [payload[1] for _, payload in every] == [f"c{i}" for i in (*range(n, 2 * n), *range(n))]


def test_a_given_handle_time_is_taken_once_then_the_distribution_draws() -> None:
    sampler = constant(300.0)
    handles = GivenHandles(sampler)
    assert next(handles) == 300.0  # nothing given yet
    handles.given = 12.0
    assert [next(handles), next(handles)] == [12.0, 300.0]
    assert handles.mean == 300.0
