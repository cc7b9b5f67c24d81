"""What the keys of customer choice and the value of outcomes mean (``demand.choice``,
``value``): entries of :data:`sim.scenario.descriptions.KEYS`, kept apart so that file stays
one readable page. Each entry is ``(meaning, unit, example)`` as there.
"""

from __future__ import annotations


def entry(meaning: str, unit: str = "", example: str = "") -> tuple[str, str, str]:
    """One key's ``(meaning, unit, example)``."""
    return meaning, unit, example


CUSTOMER_KEYS: dict[str, tuple[str, str, str]] = {
    "Scenario.value": entry(
        "What each outcome of service is worth: customers lost after bad service and "
        "purchases won or lost by public impressions. Adds revenue_at_risk, the public "
        "values and net_cost to the results; without it nothing is priced. `value: {}` "
        "takes every default (see docs/customers.md for their sources).",
        example="{customer_per_year: 300}",
    ),
    # --- demand.choice --------------------------------------------------------------------------
    "Demand.choice": entry(
        "First channels that respond to service: a logit over the channels on offer, "
        "utility = base preference - sensitivity x perceived wait - effort, calibrated so "
        "the shares are first_channel at the reference waits. Off by default "
        "(sensitivity 0, no effort). Applies to issues whose channel is chosen, not to "
        "per-channel profiles or forecasts."
    ),
    "Choice.sensitivity": entry(
        "Utility a customer loses per hour of wait they expect at a channel; 0 keeps the "
        "first-channel shares fixed (assumed; calibrate to how shares moved when waits did).",
        unit="per hour of perceived wait",
        example="0.5",
    ),
    "Choice.reference_wait": entry(
        "The waits at which the shares equal first_channel, per channel (a channel not named: "
        "0). Name today's waits, so today's shares are the scenario's.",
        example="{phone: 30s, email: 2h, social: 30min}",
    ),
    "Choice.effort": entry(
        "Extra effort of a channel beyond the reference (more exchanges, a handoff), in "
        "utility units: an effort of 1 divides the channel's odds by e (2.7).",
        unit="utility",
        example="{social: 0.5}",
    ),
    "Choice.period": entry(
        "How often perceived waits, and so the shares, are updated.", example="1h"
    ),
    "Choice.smoothing": entry(
        "Time constant of the exponential smoothing of perceived waits: how long customers "
        "remember a channel's waits.",
        example="1d",
    ),
    # --- demand.customers -----------------------------------------------------------------------
    "Demand.customers": entry(
        "A customer base with memory: every issue belongs to one of `count` customers, who "
        "learn to go to social first once a public complaint was answered fast and may churn "
        "after a bad outcome (the value.churn probabilities), replaced by new customers. "
        "A number is the count. Adds customers_ever_social_share, churned_customers and "
        "contacts per customer to the results. Off by default.",
        example="2000000",
    ),
    "Customers.count": entry(
        "Customers in the base; each has issues_per_day x 365 / count issues a year on average.",
        unit="customers",
        example="2000000",
    ),
    "Customers.social_habit": entry(
        "Probability that a customer once rewarded by a public complaint answered in time "
        "(social_mode serve) goes to social first on a later issue (assumed; the habit found "
        "by Ma, Sun & Kekre, Marketing Science 2015).",
        example="0.3",
    ),
    # --- value --------------------------------------------------------------------------------
    "Value.customer_per_year": entry(
        "What a customer spends with the company in a year (assumed: a mid-size online retailer).",
        unit="money per customer per year",
        example="300",
    ),
    "Value.years_lost": entry(
        "Years of a churned customer's spending counted as lost: revenue at risk is customers "
        "expected to churn x customer_per_year x years_lost (assumed).",
        unit="years",
        example="1",
    ),
    "Value.churn": entry(
        "Probability that a customer leaves after an issue ends each way; the public-complaint "
        "ones add to the issue's own outcome."
    ),
    "Value.purchase_value": entry(
        "Value of one purchase that a public impression makes more or less likely (assumed).",
        unit="money per purchase",
        example="50",
    ),
    "Value.purchase_lift": entry(
        "Change in a viewer's probability of buying after seeing a public complaint answered "
        "in time (positive) or late or never (negative); J.D. Power 2013 found both effects, "
        "their size per viewer is assumed."
    ),
    "Churn.resolved_first_contact": entry(
        "Churn after an issue resolved at its first contact: the reference outcome, 0 by "
        "default (assumed).",
        example="0",
    ),
    "Churn.resolved_after_retries": entry(
        "Churn after an issue resolved only after more contacts (retries, switches, "
        "handoffs): effort drives disloyalty (CEB, HBR 2010); the figure is assumed.",
        example="0.02",
    ),
    "Churn.gave_up": entry(
        "Churn after the customer gave up on the issue (assumed).", example="0.2"
    ),
    "Churn.unresolved": entry(
        "Churn after an issue still open when the horizon ended (assumed).", example="0.1"
    ),
    "Churn.public_ignored": entry(
        "Extra churn after a public complaint never answered: about 30% of customers ignored "
        "on social go to a competitor (Sprout Social 2016).",
        example="0.3",
    ),
    "Churn.public_late": entry(
        "Extra churn after a public complaint answered after the social service-level "
        "threshold (assumed: half of ignored).",
        example="0.15",
    ),
    "PurchaseLift.positive": entry(
        "Rise in one viewer's probability of buying after a positive impression (assumed).",
        unit="probability per impression",
        example="0.001",
    ),
    "PurchaseLift.negative": entry(
        "Fall in one viewer's probability of buying after a negative impression (assumed).",
        unit="probability per impression",
        example="0.002",
    ),
}
