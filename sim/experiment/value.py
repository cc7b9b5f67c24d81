"""The value of every outcome: revenue put at risk by churn, and what public impressions win
or lose, priced from a replication's counts with the scenario's ``value:`` section.

The model only counts outcomes (:class:`sim.model.counters.ReplicationCounts`): issues
resolved at the first contact or later, given up or still open, public complaints answered
in time, late or never, and impressions. This module prices them::

    churned              = sum over outcomes of count x churn probability
    revenue_at_risk      = churned x customer_per_year x years_lost
    value_public_positive = positive impressions x purchase_lift.positive x purchase_value
    value_public_negative = negative impressions x purchase_lift.negative x purchase_value
    net_cost             = cost_total + revenue_at_risk + value_public_negative
                           - value_public_positive

The public-complaint churn is on top of the issue's own outcome (a customer ignored in
public and then giving up carries both risks). Without a ``value:`` section none of these
metrics is reported, so results without one are unchanged.
"""

from __future__ import annotations

from sim.experiment.catalogue import VALUE_METRICS, Metrics
from sim.model.counters import ReplicationCounts
from sim.scenario.value import Value


def outcome_counts(counts: ReplicationCounts, metrics: Metrics) -> dict[str, float]:
    """Measured issues and public complaints by outcome (the churn section's keys)."""
    posts = counts.public_posts
    first = counts.resolved_first_contact
    return {
        "resolved_first_contact": first,
        "resolved_after_retries": metrics[("centre", "resolved")] - first,
        "gave_up": metrics[("centre", "gave_up")],
        "unresolved": metrics[("centre", "open_end")],
        "public_ignored": posts.get("ignored", 0),
        "public_late": posts.get("late", 0),
    }


def centre_value(value: Value, counts: ReplicationCounts, metrics: Metrics) -> Metrics:
    """The value metrics under the ``centre`` scope (needs the costs already in ``metrics``)."""
    outcomes = outcome_counts(counts, metrics)
    churn = value.churn
    churned = sum(count * getattr(churn, outcome) for outcome, count in outcomes.items())
    at_risk = churned * value.lifetime_value
    lift = value.purchase_lift
    positive = metrics[("centre", "public_positive")] * lift.positive * value.purchase_value
    negative = metrics[("centre", "public_negative")] * lift.negative * value.purchase_value
    net = metrics[("centre", "cost_total")] + at_risk + negative - positive
    figures = {
        "resolved_first_contact": outcomes["resolved_first_contact"],
        "resolved_after_retries": outcomes["resolved_after_retries"],
        "public_answered_fast": counts.public_posts.get("fast", 0),
        "public_answered_late": outcomes["public_late"],
        "public_ignored": outcomes["public_ignored"],
        "churned_expected": churned,
        "revenue_at_risk": at_risk,
        "value_public_positive": positive,
        "value_public_negative": negative,
        "net_cost": net,
    }
    return {("centre", metric): figures[metric] for metric in VALUE_METRICS}
