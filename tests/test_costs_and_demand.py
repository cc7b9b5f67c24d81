"""Costs add up; efficiency multipliers scale agent time; day variability over-disperses demand."""

from __future__ import annotations

import numpy as np
import pytest
from builders import build, mmc_data, multichannel_data

from sim.experiment.replication import simulate
from sim.scenario import channel_names
from sim.scenario.registry import kind_of

# every kind always reported (chat, a later kind, only in scenarios that reach it)
CHANNELS = tuple(name for name in channel_names() if kind_of(name).always_reported)


def test_cost_breakdown_adds_up_and_prices_what_happened() -> None:
    data = multichannel_data()
    data["costs"] = {
        "per_contact": {"phone": 0.9, "email": 0.2, "self_service": 0.1, "social": 0.3},
        "abandoned_contact": 2.0,
        "unresolved_issue": 5.0,
        "public_impression": {"negative": 0.01, "positive": -0.002},
    }
    m = simulate(build(data), 0).metrics
    parts = ["cost_agents", "cost_contacts", "cost_abandoned", "cost_unresolved", "cost_public"]
    assert m[("centre", "cost_total")] == pytest.approx(sum(m[("centre", p)] for p in parts))
    prices = data["costs"]["per_contact"]
    contacts = sum(prices[ch] * m[(ch, "offered")] for ch in CHANNELS)
    assert m[("centre", "cost_contacts")] == pytest.approx(contacts)
    abandoned = sum(m[(ch, "abandoned")] for ch in CHANNELS)
    assert abandoned > 0 and m[("centre", "cost_abandoned")] == pytest.approx(2.0 * abandoned)
    assert m[("centre", "cost_unresolved")] == pytest.approx(5.0 * m[("centre", "gave_up")])
    agents = m[("pool:voice", "cost")] + m[("pool:digital", "cost")]
    assert m[("centre", "cost_agents")] == pytest.approx(agents)
    cost_per_issue = m[("centre", "cost_total")] / m[("centre", "issues")]
    assert m[("centre", "cost_per_issue")] == pytest.approx(cost_per_issue)


@pytest.mark.parametrize("efficiency", [0.5, 2.0])
def test_efficiency_multiplies_handle_time_at_that_pool(efficiency: float) -> None:
    """Same customers (CRN), handle times x efficiency: busy time scales by the factor."""
    base = mmc_data(agents=30, per_hour=60.0, replications=1, horizon="1d")
    plain = simulate(build(base), 0).metrics
    scaled_data = build(base, pools={"voice": {"efficiency": {"phone": efficiency}}})
    scaled = simulate(scaled_data, 0).metrics
    # 30 agents for 5 Erlangs: nobody waits, so every call is served either way
    ratio = scaled[("pool:voice", "occupancy")] / plain[("pool:voice", "occupancy")]
    assert ratio == pytest.approx(efficiency, rel=0.02)


def daily_counts(variability: float) -> np.ndarray:
    data = mmc_data(per_hour=100.0, agents=20, replications=1, horizon="60d", warmup="0s")
    data["run"]["interval"] = "1d"
    data["demand"]["day_variability"] = variability
    result = simulate(build(data), 0)
    phone = result.intervals[result.intervals["scope"] == "phone"]
    return phone["offered"].to_numpy()


def test_day_variability_over_disperses_daily_volumes() -> None:
    """Poisson days have variance = mean; a gamma day factor with CV c adds (c * mean)^2."""
    poisson = daily_counts(0.0)
    busy = daily_counts(0.2)
    mean = 2400.0
    assert poisson.mean() == pytest.approx(mean, rel=0.02)
    assert busy.mean() == pytest.approx(mean, rel=0.1)
    assert poisson.var(ddof=1) < 2.0 * mean  # about the Poisson variance (2400)
    expected = mean + (0.2 * mean) ** 2  # 2400 + 230400
    assert 0.5 * expected < busy.var(ddof=1) < 1.6 * expected
