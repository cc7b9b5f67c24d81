"""A customer base with memory: rewarded customers learn to go public first, bad outcomes
cost customers, and a base that remembers nothing changes nothing."""

from __future__ import annotations

import math

import pytest
from builders import build, multichannel_data

from sim.experiment.replication import simulate
from sim.model.customers import CustomerBase
from sim.model.kit import Kit


def centre(customers: dict | int, value: dict | None = None, mode: str = "serve") -> dict:
    """The small multichannel centre over two days; a few hundred customers, so each has
    several issues and can learn from the earlier ones."""
    data = multichannel_data()
    data["run"].update({"horizon": "2d", "warmup": "6h"})
    data["demand"]["customers"] = customers
    data["policy"] = {"social_mode": mode}
    if value is not None:
        data["value"] = value
    return data


def issues_of(m: dict) -> float:
    return m[("centre", "issues")]


def test_customers_rewarded_once_go_social_first_more_often() -> None:
    """With the habit, the rewarded go public first far more often than the never
    rewarded; without it (social_habit 0) the two shares agree within 3 standard errors."""
    habit = simulate(build(centre({"count": 400, "social_habit": 0.4})), 0).metrics
    rewarded = habit[("centre", "social_first_rewarded")]
    unrewarded = habit[("centre", "social_first_unrewarded")]
    assert rewarded > unrewarded + 0.2
    none = simulate(build(centre({"count": 400, "social_habit": 0.0})), 0).metrics
    r, u = none[("centre", "social_first_rewarded")], none[("centre", "social_first_unrewarded")]
    n = issues_of(none)
    se = math.sqrt(u * (1 - u) / (0.1 * n) + u * (1 - u) / n)  # at least a tenth are rewarded
    assert abs(r - u) < 3 * se


def test_only_served_public_complaints_reward() -> None:
    """A deflected complaint gets a pointer, not an answer: nobody is rewarded."""
    m = simulate(build(centre({"count": 400, "social_habit": 0.4}, mode="deflect")), 0).metrics
    assert math.isnan(m[("centre", "social_first_rewarded")])
    assert m[("centre", "social_first_unrewarded")] == pytest.approx(0.05, abs=0.01)


def test_a_base_that_learns_nothing_and_never_churns_changes_nothing() -> None:
    zero_churn = {"churn": {"gave_up": 0.0, "public_ignored": 0.0, "public_late": 0.0}}
    data = centre({"count": 400, "social_habit": 0.0}, zero_churn)
    without = dict(data)
    without["demand"] = {k: v for k, v in data["demand"].items() if k != "customers"}
    a = simulate(build(data), 0).metrics
    b = simulate(build(without), 0).metrics
    assert a[("centre", "churned_customers")] == 0
    assert {k: v for k, v in a.items() if k in b} == pytest.approx(b, nan_ok=True, rel=0, abs=0)


def test_bad_outcomes_churn_customers_and_the_figures_add_up() -> None:
    m = simulate(build(centre(400, mode="ignore")), 0).metrics
    assert m[("centre", "churned_customers")] > 0
    active = m[("centre", "customers_active")]
    assert 400 <= active <= 400 + m[("centre", "churned_customers")]
    total = m[("centre", "contacts_per_customer_mean")] * active
    assert total == pytest.approx(m[("centre", "contacts")], rel=1e-12)
    touched = m[("centre", "touched_social_share")] * issues_of(m)
    ever = m[("centre", "customers_ever_social_share")] * active
    assert 0 < ever <= touched
    assert (
        1
        <= m[("centre", "contacts_per_customer_p50")]
        <= m[("centre", "contacts_per_customer_p90")]
        <= m[("centre", "contacts_per_customer_max")]
    )


def test_a_base_with_no_issue_in_the_horizon_reports_zeros_not_an_error() -> None:
    """Before any issue arises (or with none in the horizon) nobody is active: counts are
    0, shares and means undefined (NaN), and the quantiles of nothing 0."""
    scenario = build(centre({"count": 50, "social_habit": 0.4}))
    totals = CustomerBase(Kit(scenario, 0), "social").totals()
    assert totals["customers_active"] == 0 and totals["churned_customers"] == 0
    assert math.isnan(totals["contacts_per_customer_mean"])
    assert math.isnan(totals["customers_ever_social_share"])
    assert math.isnan(totals["social_first_issues"])
    for q in ("p50", "p90", "max"):
        assert totals[f"contacts_per_customer_{q}"] == 0.0


def test_with_two_customers_the_ninetieth_percentile_is_the_busier_one() -> None:
    """Nearest rank: the 90% quantile of two customers' contacts is the larger count."""
    zero_churn = {"churn": {"gave_up": 0.0, "public_ignored": 0.0, "public_late": 0.0}}
    m = simulate(build(centre({"count": 2, "social_habit": 0.0}, zero_churn)), 0).metrics
    assert m[("centre", "customers_active")] == 2
    p90, most = (
        m[("centre", "contacts_per_customer_p90")],
        m[("centre", "contacts_per_customer_max")],
    )
    assert p90 == most > m[("centre", "contacts_per_customer_mean")]
