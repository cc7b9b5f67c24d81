"""After-contact work (wrap-up): the agent stays busy, the customer is gone.

Validation: with handle and wrap-up each Gamma(shape 1/2) of the same scale, an agent's
holding time (handle + wrap-up) is exactly exponential, so the queue is M/M/n with that
holding time and Erlang C gives its service level, P(wait) and occupancy exactly; the
simulated means must lie within three standard errors of theory.
"""

from __future__ import annotations

import math

import pytest
from builders import build, deep_update, mmc_data
from test_erlang_validation import assert_within_3se

from sim import analytic
from sim.experiment.replication import run_scenario, simulate
from sim.experiment.results import RunResult

HALF = {"dist": "gamma", "mean": "2.5min", "cv": math.sqrt(2.0)}  # shape 1/2, scale 5 min
N, PER_HOUR, HOLDING_H = 10, 96.0, 5 / 60  # A = 8 Erlangs on 10 agents


@pytest.fixture(scope="module")
def wrapped() -> RunResult:
    data = deep_update(
        mmc_data(agents=N, per_hour=PER_HOUR),
        {"channels": {"phone": {"handle_time": HALF, "after_contact": HALF}}},
    )
    return run_scenario(build(data, run={"seed": 7, "replications": 10}), workers=1)


def test_service_level_is_erlang_c_with_handle_plus_wrap_up(wrapped: RunResult) -> None:
    theory = analytic.erlang_c_service_level(N, PER_HOUR, HOLDING_H, 20 / 3600)
    assert_within_3se(wrapped, "service_level", theory)
    # the check can fail: ignoring the wrap-up (holding = handle alone) is far off
    handle_only = analytic.erlang_c_service_level(N, PER_HOUR, HOLDING_H / 2, 20 / 3600)
    assert abs(handle_only - theory) > 0.1


def test_p_wait_is_erlang_c_with_handle_plus_wrap_up(wrapped: RunResult) -> None:
    assert_within_3se(wrapped, "p_wait", analytic.erlang_c(N, PER_HOUR * HOLDING_H))


def test_wrap_up_counts_in_occupancy(wrapped: RunResult) -> None:
    assert_within_3se(wrapped, "occupancy", PER_HOUR * HOLDING_H / N, scope="pool:voice")


def test_the_customer_leaves_when_the_handle_time_ends() -> None:
    """Nobody waits (many agents): an issue is resolved at the end of its handle time, the
    wrap-up after it adds nothing to the customer's time and nothing to waits."""
    data = deep_update(mmc_data(agents=60, per_hour=30.0), {"run": {"replications": 1}})
    data["channels"]["phone"]["handle_time"] = {"dist": "deterministic", "value": "2min"}
    data["channels"]["phone"]["after_contact"] = {"dist": "deterministic", "value": "3min"}
    m = simulate(build(data), 0).metrics
    assert m[("phone", "resolution_hours_first")] == pytest.approx(2 / 60)
    assert m[("phone", "asa_seconds")] == 0.0
    # agents are busy 5 min per call: 30 calls an hour -> 2.5 busy agents of 60
    assert m[("pool:voice", "occupancy")] == pytest.approx(30 * 5 / 60 / 60, rel=0.05)


def test_no_after_contact_draws_nothing_new() -> None:
    """A channel without after-contact work draws exactly what it drew before (a wrap-up of
    zero is a different scenario, with its own stream, and leaves the results unchanged)."""
    base = mmc_data(agents=9, per_hour=100.0, patience="3min")
    zero = deep_update(
        base, {"channels": {"phone": {"after_contact": {"dist": "deterministic", "value": "0s"}}}}
    )
    run = {"replications": 1, "horizon": "1d"}
    before = simulate(build(base, run=run), 0).metrics
    after = simulate(build(zero, run=run), 0).metrics
    assert list(before) == list(after)
    same = [k for k in before if before[k] == after[k] or (before[k] != before[k] != after[k])]
    assert same == list(before)
