"""Demand per channel and weekday: offered volume per interval matches what the scenario says.

Each test simulates a centre where every issue is exactly one contact (phone and email, no
patience, no escalation), so the contacts offered per interval and channel are the issues
arising there: Poisson with the mean the demand section gives. The agreement is judged by a
chi-square statistic over every (interval, channel) cell against its own degrees of freedom,
and the same statistic must reject the expectation a planted bug would give (weekday factors
ignored, one shared profile, the forecast shifted by an interval) - so the test has power.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import deep_update
from scipy import stats

from sim.experiment.replication import simulate
from sim.model.arrivals import ChannelArrivals
from sim.model.build import build_arrivals
from sim.model.clock import Calendar
from sim.model.kit import Kit
from sim.scenario import load_scenario, scenario_to_yaml, validate_data

HOURS = np.arange(24) + 0.5
PHONE = [round(float(x), 3) for x in 0.1 + np.exp(-(((HOURS - 11) / 3) ** 2))]
EMAIL = [round(float(x), 3) for x in 0.3 + np.exp(-(((HOURS - 21) / 4) ** 2))]
WEEKDAYS = {"mon": 1.15, "tue": 1.05, "wed": 1.0, "thu": 1.0, "fri": 0.95, "sat": 0.7, "sun": 0.6}
SPECIAL = {"2026-01-07": "closed", "2026-01-09": 0.5}
BASE = {
    "name": "weekly",
    "run": {
        "horizon": "7d",
        "warmup": "1d",
        "replications": 1,
        "interval": "1h",
        "start": "2026-01-05",
        "seed": 5,
    },
    "demand": {
        "issues_per_day": 2400,
        "first_channel": {"phone": 0.6, "email": 0.4},
        "profiles": {"phone": PHONE, "email": EMAIL},
        "weekdays": WEEKDAYS,
        "special_days": SPECIAL,
    },
    "pools": {"all": {"agents": 200, "skills": ["phone", "email"]}},
}


def offered(data: dict, replications: int = 1) -> pd.DataFrame:
    """Offered contacts per interval (rows) and channel (columns), summed over replications."""
    return offered_by(validate_data(data), replications)


def offered_by(scenario, replications: int) -> pd.DataFrame:
    frames = [simulate(scenario, r).intervals for r in range(replications)]
    table = pd.concat(frames).query("scope in ['phone', 'email']")
    return table.pivot_table(index="interval", columns="scope", values="offered", aggfunc="sum")


def expected(data: dict, weekdays: bool = True, own_profiles: bool = True) -> pd.DataFrame:
    """What the demand section says, per interval and channel, for one replication."""
    demand = data["demand"]
    special_days = demand.get("special_days", {})
    days = 7
    start = date.fromisoformat(data["run"]["start"])
    columns = {}
    for channel, share in demand["first_channel"].items():
        profile = np.asarray(demand["profiles"][channel] if own_profiles else PHONE, float)
        profile = profile / profile.mean()
        values = []
        for day in range(days):
            factor = list(WEEKDAYS.values())[day % 7] if weekdays else 1.0
            special = special_days.get(date.fromordinal(start.toordinal() + day).isoformat(), 1.0)
            factor *= 0.0 if special == "closed" else special
            values += list(demand["issues_per_day"] / 24 * share * profile * factor)
        columns[channel] = values
    return pd.DataFrame(columns)


def chi_square(observed: pd.DataFrame, mean: pd.DataFrame) -> tuple[float, int]:
    """Pearson's statistic over cells with a positive mean, and its degrees of freedom
    (infinite if anything arrived where the mean is zero)."""
    o = observed[mean.columns].to_numpy(float).ravel()
    e = mean.to_numpy(float).ravel()
    if np.any(o[e == 0] > 0):
        return float("inf"), 1
    cells = e > 0
    return float(np.sum((o[cells] - e[cells]) ** 2 / e[cells])), int(cells.sum())


def consistent(observed: pd.DataFrame, mean: pd.DataFrame) -> bool:
    statistic, df = chi_square(observed, mean)
    return stats.chi2.sf(statistic, df) > 1e-3


def test_offered_volume_per_interval_and_channel_matches_the_demand_section() -> None:
    observed = offered(BASE, replications=3)
    mean = expected(BASE) * 3
    assert consistent(observed, mean)
    assert observed.loc[48:71].sum().sum() == 0  # Wednesday 7 January is closed
    # the same statistic rejects what a model without weekday factors or own profiles gives
    assert not consistent(observed, expected(BASE, weekdays=False) * 3)
    assert not consistent(observed, expected(BASE, own_profiles=False) * 3)


def test_weekday_factors_of_one_leave_results_bit_identical() -> None:
    plain = deep_update(BASE, {})
    for key in ("profiles", "weekdays", "special_days"):
        del plain["demand"][key]
    plain["demand"]["profile"] = PHONE
    ones = deep_update(plain, {"demand": {"weekdays": dict.fromkeys(WEEKDAYS, 1.0)}})
    first, second = simulate(validate_data(plain), 0), simulate(validate_data(ones), 0)
    pd.testing.assert_frame_equal(first.intervals, second.intervals)
    assert pd.Series(first.metrics).equals(pd.Series(second.metrics))


def write_forecast(folder: Path, counts: dict[str, list[float]], first: str) -> Path:
    starts = pd.date_range(first, periods=len(next(iter(counts.values()))), freq="1h")
    table = pd.DataFrame({"start": starts.strftime("%Y-%m-%dT%H:%M"), **counts})
    path = folder / "forecast.csv"
    table.to_csv(path, index=False)
    return path


def test_a_forecast_file_gives_the_counts_on_its_days_and_the_rates_elsewhere(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(3)
    hours = 3 * 24  # Tuesday to Thursday
    counts = {
        "phone": np.round(rng.uniform(0, 120, hours), 1).tolist(),
        "email": np.round(rng.uniform(0, 40, hours), 1).tolist(),
    }
    counts["phone"][:8] = [0.0] * 8  # closed hours: no arrivals
    write_forecast(tmp_path, counts, "2026-01-06T00:00")
    data = deep_update(BASE, {})
    del data["demand"]["special_days"]
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (tmp_path / "forecast.csv").rename(folder / "forecast.csv")
    text = scenario_to_yaml(validate_data(data)).replace(
        "  weekdays:", "  volumes: forecast.csv\n  weekdays:"
    )
    (folder / "centre.yaml").write_text(text)
    scenario = load_scenario(folder / "centre.yaml")  # the file is found next to the scenario
    assert scenario.demand.volumes.counts["phone"] == counts["phone"]
    observed = offered_by(scenario, 4)
    mean = expected(data) * 4
    mean.iloc[24:96] = pd.DataFrame(counts).to_numpy() * 4
    assert consistent(observed, mean)
    shifted = mean.copy()
    shifted.iloc[25:97] = mean.iloc[24:96].to_numpy()
    assert not consistent(observed, shifted)
    # the resolved scenario carries the counts: it re-loads without the file
    (folder / "forecast.csv").unlink()
    again = tmp_path / "resolved.yaml"
    again.write_text(scenario_to_yaml(scenario))
    assert load_scenario(again) == scenario


def channel_arrivals(demand: dict, run: dict | None = None) -> ChannelArrivals:
    """The per-channel arrival process of replication 0 of ``BASE`` with ``demand``'s keys
    replaced (None: removed) and ``run`` merged in."""
    data = deep_update(BASE, {"run": run or {}})
    data["demand"].update(demand)
    data["demand"] = {key: value for key, value in data["demand"].items() if value is not None}
    arrivals = build_arrivals(Kit(validate_data(data), 0))
    assert isinstance(arrivals, ChannelArrivals)
    return arrivals


def test_per_channel_arrivals_vary_by_day_with_the_recorded_gamma_factors() -> None:
    """With ``day_variability``, each day's issues scale with that day's gamma factor (mean
    1, CV as given), recorded in ``day_factors``, as with one shared profile."""
    arrivals = channel_arrivals({"day_variability": 0.3, "weekdays": None, "special_days": None})
    totals = [arrivals.next_channel_day()[0].size for _ in range(200)]
    factors = np.asarray(arrivals.day_factors)
    assert len(factors) == 200
    assert np.corrcoef(totals, factors)[0, 1] > 0.95
    assert abs(factors.mean() - 1.0) < 3 * 0.3 / np.sqrt(200)
    assert 0.24 < factors.std() < 0.36


def test_a_channel_only_in_the_forecast_gets_its_counts_there_and_nothing_elsewhere() -> None:
    """A channel with no first-channel share but forecast counts (even a single expected
    issue) has those counts on the forecast's day and no issues on other days; a channel
    without a profile of its own or a shared one arrives evenly over the day."""
    email = [0.0] * 24
    email[10] = 1.0
    volumes = {"start": "2026-01-06T00:00", "interval": "1h", "counts": {"email": email}}
    demand = {"first_channel": {"phone": 1.0}, "volumes": volumes, "special_days": None}
    arrivals = channel_arrivals({**demand, "profiles": None})
    row, phone = arrivals.channels.index("email"), arrivals.channels.index("phone")
    assert arrivals.expected(1)[row].tolist() == email  # Tuesday 6 January
    assert arrivals.expected(2)[row].sum() == 0.0
    # the forecast replaces the rates where it has counts: none for phone that day
    assert arrivals.expected(1)[phone].tolist() == [0.0] * 24
    # phone has no profile: flat, 2400 a day on a Wednesday (weekday factor 1)
    assert arrivals.expected(2)[phone] == pytest.approx([100.0] * 24)


def test_per_channel_arrivals_are_sorted_and_uniform_within_their_intervals() -> None:
    flat = {"phone": [1.0] * 24, "email": [1.0] * 24}
    arrivals = channel_arrivals({"profiles": flat, "weekdays": None, "special_days": None})
    times, codes = arrivals.next_channel_day()
    assert np.all(np.diff(times) >= 0)
    assert set(codes.tolist()) == {0, 1}
    offsets = (times % 3600.0) / 3600.0  # where in its hour each arrival falls
    assert stats.kstest(offsets, "uniform").pvalue > 1e-3


def test_per_channel_issues_are_the_drawn_days_arrivals_from_time_0_on() -> None:
    """With a 6 h warm-up the first day drawn starts 18 h before simulation time 0: the
    issues handed out are exactly its arrivals from time 0 on and the next day's, in time
    order with their intervals and channels, added to the counts; no day starting at or
    after ``until`` is drawn. (Most of the day's issues arise at 18:00, clock time 0.)"""
    spike = [0.001] * 18 + [1000.0] + [0.001] * 5
    demand = {"issues_per_day": 100_000, "profiles": {"phone": spike, "email": spike}}
    demand.update(weekdays=None, special_days=None)
    arrivals, twin = (channel_arrivals(demand, {"warmup": "6h"}) for _ in range(2))
    calendar = Calendar(6 * 3600.0, 7 * 86400.0, 3600.0)
    counts = np.ones(7 * 24 + 1, dtype=np.int64)
    issues = list(arrivals.issues(30 * 3600.0, calendar, counts))
    assert len(arrivals.day_factors) == 2
    days = [twin.next_channel_day() for _ in range(2)]
    times = np.concatenate([t for t, _ in days])
    channels = np.concatenate([np.array(twin.channels)[c] for _, c in days])
    kept = times >= 0.0
    assert times[kept][0] < 1.0  # the first second after time 0 has issues
    intervals = calendar.intervals_of(times[kept])
    expected = list(zip(times[kept], zip(intervals, channels[kept], strict=True), strict=True))
    assert issues == expected
    assert np.array_equal(counts, 1 + np.bincount(intervals % len(counts), minlength=len(counts)))
