"""``ccsim fit`` recovers known parameters from a log made outside ccsim, and its 95%
intervals cover the truth about 95% of the time.

The log comes from ``fit_generator.py`` (numpy, independent of the model's code), so these
tests hold the estimators to the definitions, not to the simulator's implementation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fit_checks import recovery_problems
from fit_generator import Truth, expected, generate

from sim.experiment.replication import simulate
from sim.scenario import load_scenario
from sim.studies.fit import fit_frame, fit_log

TRUTH = Truth()


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("log") / "log.parquet"
    generate(TRUTH, seed=2026).to_parquet(path, index=False)
    return fit_log(path)


def test_every_known_parameter_is_recovered(fitted) -> None:
    assert recovery_problems(fitted.estimates, expected(TRUTH)) == []
    assert fitted.bad_rows.dropped == 0


def test_every_estimate_has_an_interval_around_it_and_a_sample_size(fitted) -> None:
    frame = fitted.frame()
    assert list(frame.columns) == ["parameter", "estimate", "ci_low", "ci_high", "n", "method"]
    assert frame[["estimate", "ci_low", "ci_high"]].notna().all().all()
    assert ((frame["ci_low"] <= frame["estimate"]) & (frame["estimate"] <= frame["ci_high"])).all()
    assert (frame["n"] > 0).all() and frame["parameter"].is_unique
    assert frame["method"].str.len().gt(0).all()


def test_the_chosen_families_are_the_generators(fitted) -> None:
    assert fitted.get("channels.phone.handle_time.mean").dist == "lognormal"
    assert fitted.get("channels.email.handle_time.mean").dist == "lognormal"
    assert fitted.get("channels.social.handle_time.mean").dist == "gamma"
    assert fitted.scenario_data["channels"]["social"]["handoff"]["to"] == "email"


def test_weekday_factors_are_written_and_one_shared_profile_when_shapes_agree(fitted) -> None:
    weekdays = fitted.extra_demand["weekdays"]
    assert list(weekdays) == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert sum(weekdays.values()) / 7 == pytest.approx(1.0)
    assert set(fitted.extra_demand["profiles"]) == {"phone", "email", "self_service", "social"}
    assert all(len(p) == 48 for p in fitted.extra_demand["profiles"].values())
    demand = fitted.scenario_data["demand"]
    assert demand["weekdays"] == {d: round(f, 4) for d, f in weekdays.items()}
    assert "profiles" not in demand  # the generator's channels share one profile
    assert any("intraday shapes do not differ" in note for note in fitted.notes)
    assert fitted.frame()["parameter"].str.startswith("demand.weekdays.").sum() == 7
    assert "demand.weekdays.mon:" not in fitted.yaml_text  # a path, not a key
    assert "  weekdays:\n    mon: " in fitted.yaml_text and "fitted: " in fitted.yaml_text


EVENING = tuple(float(x) for x in 0.2 + (np.arange(48) >= 36))


def test_channels_with_their_own_timing_get_their_own_profile() -> None:
    truth = Truth(days=14, issues_per_day=1500.0, channel_profiles=(("email", EVENING),))
    result = fit_frame(generate(truth, seed=5))
    assert recovery_problems(result.estimates, expected(truth)) == []
    profiles = result.scenario_data["demand"]["profiles"]
    assert "email" in profiles and len(profiles["email"]) == 48
    assert any("intraday shapes differ" in note for note in result.notes)
    night, evening = np.mean(profiles["email"][:36]), np.mean(profiles["email"][36:])
    assert evening / night == pytest.approx(1.2 / 0.2, rel=0.15)
    scenario = result.scenario()
    assert scenario.demand.by_channel and scenario.demand.profile_of("email") == profiles["email"]


def test_report_tables_compare_the_data_with_the_fit(fitted) -> None:
    arrivals = fitted.arrivals
    assert len(arrivals) == 7 * 48
    per_day = arrivals.groupby("weekday", sort=False)[["observed", "fitted"]].sum()
    # the weekday totals of the fitted demand are the weekday means: equal by construction
    assert per_day["fitted"].to_numpy() == pytest.approx(per_day["observed"].to_numpy())
    histogram = fitted.handle_times.query("parameter == 'channels.phone.handle_time'")
    widths = histogram["right"] - histogram["left"]
    assert 0.95 < (histogram["observed_density"] * widths).sum() <= 1.0  # up to the 99th pct
    curve = fitted.patience_curves.query("channel == 'phone'")
    assert curve["survival"].is_monotonic_decreasing
    assert (curve["low"] <= curve["survival"] + 1e-12).all()
    assert (abs(curve["survival"] - curve["exponential"]) < 0.05).all()


def test_the_fitted_scenario_loads_and_runs(fitted, tmp_path: Path) -> None:
    path = tmp_path / "fitted.yaml"
    path.write_text(fitted.yaml_text, encoding="utf-8")
    short = ["run.horizon=1d", "run.warmup=2h", "run.replications=1"]
    scenario = load_scenario(path, short)
    assert scenario.demand.issues_per_day == pytest.approx(TRUTH.issues_per_day, rel=0.1)
    result = simulate(scenario, 0)
    assert result.metrics[("phone", "offered")] > 0
    assert result.metrics[("phone", "answered")] > 0


COVERED = (
    "channels.phone.handle_time.mean",
    "channels.phone.handle_time.cv",
    "channels.phone.patience.mean",
    "demand.issues_per_day",
    "demand.day_variability",
    "demand.first_channel.phone",
    "behaviour.after_abandon.retry",
    "behaviour.retry_delay.mean",
    "channels.social.exchanges",
    "channels.social.handoff.probability",
)


@pytest.mark.slow
def test_95_percent_intervals_cover_the_truth_about_95_percent_of_the_time() -> None:
    """Twenty independent logs (seeds 1000-1019). A 95% interval covers the truth a
    Binomial(20, 0.95) number of times: 15 or more with probability 0.9997, so a count
    below 15 means intervals too narrow (or a biased estimate). Too wide shows in the total:
    over every parameter with a known truth (about 80 per log, 1,600 trials) the share must
    be 0.93-0.97; a binomial 0.95 share lands there with probability above 0.999 (for
    independent trials; the profile weights are slightly dependent, widening the spread a
    little), and uniformly over-wide intervals would push it to 0.99 or more."""
    truth = Truth(issues_per_day=1000.0)
    values = expected(truth)
    covered = dict.fromkeys(COVERED, 0)
    hits = trials = 0
    for seed in range(1000, 1020):
        result = fit_frame(generate(truth, seed))
        for name in COVERED:
            covered[name] += result.get(name).covers(values[name])
        for e in result.estimates:
            if e.parameter in values:
                hits += e.covers(values[e.parameter])
                trials += 1
    assert all(15 <= count <= 20 for count in covered.values()), covered
    assert 0.93 <= hits / trials <= 0.97, (hits, trials)
