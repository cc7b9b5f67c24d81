"""The simulator against queueing theory (a minimal scenario must reproduce
Erlang C, and with exponential patience and ``give_up: 1.0``, Erlang A).

Tolerances come from the simulation's own spread: each metric's mean over replications
must lie within three standard errors (std / sqrt(replications)) of theory. Seeds are fixed,
so the tests are deterministic; three standard errors make a false alarm rare in principle,
and the fixed seed makes it either always pass or always fail.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import build, deep_update, mmc_data

from sim import analytic
from sim.experiment.replication import run_scenario
from sim.experiment.results import RunResult


def replicate(result: RunResult, metric: str, scope: str = "phone") -> tuple[float, float]:
    """Mean and standard error of a metric across replications."""
    values = np.array([r.metrics[(scope, metric)] for r in result.replications])
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values)))


def assert_within_3se(result: RunResult, metric: str, theory: float, scope: str = "phone") -> None:
    mean, se = replicate(result, metric, scope)
    assert se > 0, f"{metric}: no spread across replications"
    assert abs(mean - theory) <= 3 * se, (
        f"{metric}: simulated {mean:.5f} ± {se:.5f} (SE) vs theory {theory:.5f}"
    )


MMC = {"n": 10, "per_hour": 96.0, "aht_h": 5 / 60}  # A = 8 Erlangs, rho = 0.8


@pytest.fixture(scope="module")
def mmc() -> RunResult:
    data = mmc_data(agents=MMC["n"], per_hour=MMC["per_hour"], aht="5min")
    return run_scenario(build(data, run={"seed": 7}), workers=1)


def test_mmc_p_wait_matches_erlang_c(mmc: RunResult) -> None:
    theory = analytic.erlang_c(MMC["n"], MMC["per_hour"] * MMC["aht_h"])
    assert_within_3se(mmc, "p_wait", theory)


def test_mmc_asa_matches_erlang_c(mmc: RunResult) -> None:
    theory_hours = analytic.erlang_c_asa(MMC["n"], MMC["per_hour"], MMC["aht_h"])
    assert_within_3se(mmc, "asa_seconds", theory_hours * 3600)


def test_mmc_service_level_matches_erlang_c(mmc: RunResult) -> None:
    theory = analytic.erlang_c_service_level(MMC["n"], MMC["per_hour"], MMC["aht_h"], 20 / 3600)
    assert_within_3se(mmc, "service_level", theory)


def test_mmc_occupancy_is_offered_load_per_agent(mmc: RunResult) -> None:
    assert_within_3se(mmc, "occupancy", 0.8, scope="pool:voice")


def test_service_level_at_a_zero_threshold_is_one_minus_p_wait() -> None:
    """``within: 0s`` counts the contacts answered at once (a wait of 0 is within 0 s): the
    complement of P(wait), replication by replication, and so 1 − Erlang C."""
    data = deep_update(
        mmc_data(agents=MMC["n"], per_hour=MMC["per_hour"], aht="5min"),
        {"channels": {"phone": {"service_level": {"within": "0s"}}}},
    )
    result = run_scenario(build(data, run={"seed": 7}), workers=1)
    for replication in result.replications:
        metrics = replication.metrics
        assert metrics[("phone", "service_level")] == pytest.approx(
            1.0 - metrics[("phone", "p_wait")], abs=1e-12
        )
    n, lam, aht = MMC["n"], MMC["per_hour"], MMC["aht_h"]
    theory = 1.0 - analytic.erlang_c(n, lam * aht)
    assert analytic.erlang_c_service_level(n, lam, aht, 0.0) == pytest.approx(theory, rel=1e-12)
    assert_within_3se(result, "service_level", theory)


ERLANG_A = {"n": 9, "per_hour": 100.0, "aht_h": 5 / 60, "patience_h": 3 / 60}


@pytest.fixture(scope="module")
def erlang_a_case() -> tuple[RunResult, analytic.ErlangAResult]:
    """The domain notes' reference case: overloaded (A = 8.33 on 9) with 3-minute patience."""
    scenario = build(
        mmc_data(agents=9, per_hour=100.0, aht="5min", patience="3min"),
        run={"seed": 11, "replications": 10},
    )
    theory = analytic.erlang_a(9, 100.0, 5 / 60, 3 / 60, within=20 / 3600)
    return run_scenario(scenario, workers=1), theory


@pytest.mark.parametrize(
    ("metric", "field", "scale"),
    [
        ("p_wait", "p_wait", 1.0),
        ("abandon_rate", "p_abandon", 1.0),
        ("asa_seconds", "asa_answered", 3600.0),
        ("service_level", "service_level", 1.0),
    ],
)
def test_erlang_a(erlang_a_case, metric: str, field: str, scale: float) -> None:
    scenario, theory = erlang_a_case
    assert_within_3se(scenario, metric, getattr(theory, field) * scale)


def test_the_checks_can_fail() -> None:
    """Sanity of the method: one agent fewer is clearly distinguishable from theory."""
    fewer = build(mmc_data(agents=9, per_hour=96.0, aht="5min"), run={"seed": 7})
    mean, se = replicate(run_scenario(fewer, workers=1), "p_wait")
    theory_for_ten = analytic.erlang_c(10, 8.0)
    assert abs(mean - theory_for_ten) > 3 * se


@pytest.mark.slow
def test_long_run_within_three_standard_errors_of_erlang_c() -> None:
    """A long run: P(wait), ASA and service level within 3 of their own standard errors of
    Erlang C, and those errors small (under 2.5% of the value), so the check is sharp.

    (It was a fixed 5% before, wider than the ASA's own error in some runs and narrower in
    others: it failed when only a stream's name changed.)"""
    scenario = build(
        mmc_data(), run={"horizon": "60d", "warmup": "1d", "replications": 8, "seed": 3}
    )
    result = run_scenario(scenario)
    n, lam, aht = MMC["n"], MMC["per_hour"], MMC["aht_h"]
    theory = {
        "p_wait": analytic.erlang_c(n, lam * aht),
        "asa_seconds": analytic.erlang_c_asa(n, lam, aht) * 3600,
        "service_level": analytic.erlang_c_service_level(n, lam, aht, 20 / 3600),
    }
    for metric, value in theory.items():
        assert_within_3se(result, metric, value)
        _, se = replicate(result, metric)
        assert se < 0.025 * value, f"{metric}: too imprecise to test ({se:.4g} vs {value:.4g})"
