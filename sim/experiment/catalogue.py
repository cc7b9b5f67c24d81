"""The catalogue of metrics: every ``(scope, metric)`` a run of a scenario reports, in order.

``summary.csv``, ``replications.csv``, ``--precision-metric`` and ``--target`` all name
metrics as ``scope.metric``; this module says which exist for a scenario without simulating
it (a test holds the catalogue to what a run reports, name for name and in order), and
parses ``scope.metric``.

Scopes: each channel (``phone``, ``email``, ...), each pool (``pool:<name>``), ``centre``.
"""

from __future__ import annotations

from sim.experiment.service_levels import DEFINITION_METRICS, extra_metrics
from sim.model.channels import channel_class
from sim.scenario.checks import reported_channels
from sim.scenario.schema import Scenario

Key = tuple[str, str]
Metrics = dict[Key, float]

CHANNEL_METRICS = (
    "offered",
    "answered",
    "abandoned",
    "waiting_end",
    "abandon_rate",
    "p_wait",
    "asa_seconds",
    "service_level",
)
POOL_METRICS = ("occupancy", "agents_on_duty", "paid_hours", "cost")
CENTRE_METRICS = (
    "issues",
    "resolved",
    "gave_up",
    "open_end",
    "resolved_rate",
    "contacts",
    "contacts_per_issue",
    "social_first_share_end",
    "public_negative",
    "public_positive",
    "touched_social_share",
    "duplicate_contacts",
)
COST_METRICS = (
    "cost_agents",
    "cost_contacts",
    "cost_abandoned",
    "cost_unresolved",
    "cost_public",
    "cost_total",
    "cost_per_issue",
)
VALUE_METRICS = (
    "resolved_first_contact",
    "resolved_after_retries",
    "public_answered_fast",
    "public_answered_late",
    "public_ignored",
    "churned_expected",
    "revenue_at_risk",
    "value_public_positive",
    "value_public_negative",
    "net_cost",
)
"""The ``centre`` metrics a scenario with a ``value:`` section adds, after the costs."""
CUSTOMER_METRICS = (
    "customers_active",
    "customers_ever_social_share",
    "churned_customers",
    "contacts_per_customer_mean",
    "contacts_per_customer_p50",
    "contacts_per_customer_p90",
    "contacts_per_customer_max",
    "social_first_issues",
    "social_first_rewarded",
    "social_first_unrewarded",
)
"""The ``centre`` metrics a customer base (``demand.customers``) adds, last."""
SHARE_METRICS = frozenset(
    {
        "service_level",
        "abandon_rate",
        "p_wait",
        "occupancy",
        "resolved_rate",
        "social_first_share_end",
        "touched_social_share",
        *DEFINITION_METRICS,
        "customers_ever_social_share",
        "social_first_issues",
        "social_first_rewarded",
        "social_first_unrewarded",
    }
)
"""Metrics that are fractions in [0, 1] (shown as percentages)."""
SECONDS_METRICS = frozenset({"asa_seconds"})
"""Metrics in seconds (shown in human units)."""
HOURS_METRICS = frozenset({"resolution_hours_first"})
"""Metrics in hours."""


def metric_keys(scenario: Scenario) -> list[Key]:
    """Every ``(scope, metric)`` a run of ``scenario`` reports, in the order it reports them."""
    sections = scenario.channels.sections()
    channels = reported_channels(scenario)
    keys: list[Key] = []
    for name in channels:
        defined = extra_metrics(getattr(sections[name], "service_level", None))
        extra = channel_class(name).EXTRA_METRICS
        keys += [(name, m) for m in (*CHANNEL_METRICS, *defined, *extra, "resolution_hours_first")]
    for pool in scenario.pools:
        keys += [(f"pool:{pool}", m) for m in POOL_METRICS]
    for name in channels:
        keys += [(name, m) for m in channel_class(name).policy_metrics(scenario)]
    keys += [("centre", m) for m in (*CENTRE_METRICS, *COST_METRICS)]
    if scenario.value is not None:
        keys += [("centre", m) for m in VALUE_METRICS]
    if scenario.demand.customers is not None:
        keys += [("centre", m) for m in CUSTOMER_METRICS]
    return keys


def scopes(scenario: Scenario) -> list[str]:
    """Every scope of ``scenario``: its channels, ``pool:<name>`` per pool, ``centre``."""
    return [*reported_channels(scenario), *(f"pool:{p}" for p in scenario.pools), "centre"]


class MetricNameError(ValueError):
    """A ``scope.metric`` that is malformed or not reported by the scenario."""


def parse_metric(text: str) -> Key:
    """``"phone.service_level"`` -> ``("phone", "service_level")``; the scope may be
    ``pool:<name>``. Checks the form only (see :func:`check_metric` for existence)."""
    scope, dot, metric = text.strip().rpartition(".")
    example = "e.g. phone.service_level, centre.cost_total or pool:voice.occupancy"
    if not dot or not scope.strip() or not metric.strip():
        raise MetricNameError(f"'{text}': write scope.metric, {example}")
    scope, metric = scope.strip(), metric.strip()
    if scope.startswith("pool:") and not scope[len("pool:") :].strip():
        raise MetricNameError(f"'{text}': 'pool:' needs a pool name, e.g. pool:voice")
    return scope, metric


def check_metric(key: Key, scenario: Scenario) -> None:
    """Raise :class:`MetricNameError` naming the scopes or metrics there are, unless ``key``
    is reported by runs of ``scenario``."""
    import difflib

    keys = metric_keys(scenario)
    if key in keys:
        return
    scope, metric = key
    known = scopes(scenario)
    if scope not in known:
        close = difflib.get_close_matches(scope, known, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise MetricNameError(f"unknown scope '{scope}'{hint}; scopes are {', '.join(known)}")
    metrics = [m for s, m in keys if s == scope]
    close = difflib.get_close_matches(metric, metrics, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise MetricNameError(
        f"no metric '{metric}' for {scope}{hint}; metrics are {', '.join(metrics)}"
    )
