"""The value of every outcome: net cost adds churn and public impressions to the cost.

The value section prices what the model counts; it never changes the simulation, so the
same seed gives the same customers with any values, and net cost must move the right way
when a churn probability, the customer value or a purchase lift moves.
"""

from __future__ import annotations

import functools
import json

import pytest
from builders import build, deep_update, mmc_data, multichannel_data

from sim.experiment.replication import simulate
from sim.experiment.value import outcome_counts
from sim.model.centre import Centre
from sim.scenario.value import Churn

CHURN_KEYS = (
    "resolved_first_contact",
    "resolved_after_retries",
    "gave_up",
    "unresolved",
    "public_ignored",
    "public_late",
)
ZERO = {
    "customer_per_year": 0.0,
    "churn": dict.fromkeys(CHURN_KEYS, 0.0),
    "purchase_value": 0.0,
    "purchase_lift": {"positive": 0.0, "negative": 0.0},
}
SOME = {
    "customer_per_year": 200.0,
    "churn": dict.fromkeys(CHURN_KEYS, 0.1),
    "purchase_value": 40.0,
    "purchase_lift": {"positive": 0.001, "negative": 0.002},
}


def small(value: dict | None, social_mode: str = "serve") -> dict:
    """The small multichannel centre over a day, short-staffed enough that every outcome
    happens (late and ignored public posts, give-ups, issues open at the end)."""
    data = multichannel_data()
    data["run"].update({"horizon": "1d", "warmup": "2h"})
    data["policy"] = {"social_mode": social_mode}
    if value is not None:
        data["value"] = value
    return data


@functools.cache
def metrics(value_json: str | None, social_mode: str = "serve") -> dict:
    value = None if value_json is None else json.loads(value_json)
    return simulate(build(small(value, social_mode)), 0).metrics


def run(value: dict | None, social_mode: str = "serve") -> dict:
    return metrics(None if value is None else json.dumps(value, sort_keys=True), social_mode)


def test_all_zero_values_give_net_cost_equal_to_cost_total() -> None:
    m = run(ZERO)
    assert m[("centre", "cost_total")] > 0
    assert m[("centre", "net_cost")] == m[("centre", "cost_total")]
    for metric in ("revenue_at_risk", "value_public_positive", "value_public_negative"):
        assert m[("centre", metric)] == 0.0


def test_a_value_section_prices_but_never_changes_the_simulation() -> None:
    plain, valued = run(None), run(SOME)
    assert ("centre", "net_cost") not in plain
    assert {k: v for k, v in valued.items() if k in plain} == pytest.approx(plain, nan_ok=True)


def test_outcomes_are_counted_and_add_up() -> None:
    m = run(SOME)
    first, later = m[("centre", "resolved_first_contact")], m[("centre", "resolved_after_retries")]
    assert first > 0 and later > 0
    assert first + later == m[("centre", "resolved")]
    posts = sum(m[("centre", f"public_{how}")] for how in ("answered_fast", "answered_late"))
    assert posts > 0 and m[("centre", "public_answered_late")] > 0
    ignored = run(SOME, "ignore")
    assert ignored[("centre", "public_answered_fast")] == 0
    assert ignored[("centre", "public_answered_late")] == 0
    assert ignored[("centre", "public_ignored")] > 0


def test_net_cost_is_the_formula_of_its_parts() -> None:
    m = run(SOME)
    churned = 0.1 * (
        m[("centre", "resolved")]
        + m[("centre", "gave_up")]
        + m[("centre", "open_end")]
        + m[("centre", "public_ignored")]
        + m[("centre", "public_answered_late")]
    )
    assert m[("centre", "churned_expected")] == pytest.approx(churned)
    assert m[("centre", "revenue_at_risk")] == pytest.approx(200.0 * churned)
    positive = m[("centre", "public_positive")] * 0.001 * 40.0
    negative = m[("centre", "public_negative")] * 0.002 * 40.0
    assert m[("centre", "value_public_positive")] == pytest.approx(positive)
    assert m[("centre", "value_public_negative")] == pytest.approx(negative)
    net = m[("centre", "cost_total")] + 200.0 * churned + negative - positive
    assert m[("centre", "net_cost")] == pytest.approx(net)


@pytest.mark.parametrize("outcome", CHURN_KEYS)
def test_net_cost_rises_with_each_churn_probability(outcome: str) -> None:
    """Raising one churn probability raises net cost by exactly that outcome's count x the
    change x the lifetime value (and the outcome happens, so it does rise)."""
    mode = "ignore" if outcome == "public_ignored" else "serve"
    low = run(SOME, mode)
    high = run(deep_update(SOME, {"churn": {outcome: 0.5}}), mode)
    count = outcome_counts_of(low)[outcome]
    assert count > 0
    rise = high[("centre", "net_cost")] - low[("centre", "net_cost")]
    assert rise > 0
    assert rise == pytest.approx(count * 0.4 * 200.0)


def outcome_counts_of(m: dict) -> dict[str, float]:
    return {
        "resolved_first_contact": m[("centre", "resolved_first_contact")],
        "resolved_after_retries": m[("centre", "resolved_after_retries")],
        "gave_up": m[("centre", "gave_up")],
        "unresolved": m[("centre", "open_end")],
        "public_ignored": m[("centre", "public_ignored")],
        "public_late": m[("centre", "public_answered_late")],
    }


def test_outcome_counts_name_every_churn_key() -> None:
    m = run(SOME)
    counts = outcome_counts(Centre(build(small(SOME)), 0).run(), m)
    assert set(counts) == set(Churn.model_fields) == set(CHURN_KEYS)


def test_net_cost_rises_with_customer_value_and_years_lost() -> None:
    base = run(SOME)[("centre", "net_cost")]
    richer = run(deep_update(SOME, {"customer_per_year": 400.0}))[("centre", "net_cost")]
    longer = run(deep_update(SOME, {"years_lost": 2.0}))[("centre", "net_cost")]
    assert richer > base and longer > base
    assert richer == pytest.approx(longer)


def test_purchase_lifts_move_net_cost_their_own_way() -> None:
    base = run(SOME)[("centre", "net_cost")]
    praise = run(deep_update(SOME, {"purchase_lift": {"positive": 0.01}}))[("centre", "net_cost")]
    blame = run(deep_update(SOME, {"purchase_lift": {"negative": 0.01}}))[("centre", "net_cost")]
    assert praise < base < blame


def test_resolved_after_retries_counts_the_journeys_that_needed_a_second_contact() -> None:
    """Impatient callers who always retry, at most two calls each: a journey that made a
    second call either resolved after it, gave up or is still open, so the resolved-after-
    retries count is bracketed by contacts - issues - gave_up (minus the open ones)."""
    data = mmc_data(agents=8, per_hour=96.0, patience="1min", replications=1, horizon="1d")
    data["behaviour"] = {"after_abandon": {"retry": 1.0, "give_up": 0.0}, "max_attempts": 2}
    data["value"] = {}
    m = simulate(build(data), 0).metrics
    second = m[("centre", "contacts")] - m[("centre", "issues")] - m[("centre", "gave_up")]
    later = m[("centre", "resolved_after_retries")]
    assert second - m[("centre", "open_end")] <= later <= second
    assert later > 100
    assert m[("centre", "resolved_first_contact")] + later == m[("centre", "resolved")]
