"""How figures read, everywhere: the one place for numbers, shares, durations and "mean ± CI".

The terminal tables, the reports and the plots' labels all format through here, so a
service level reads ``80.4%`` and an ASA reads ``2.3 h`` wherever it appears. Which metrics
are shares or durations is the metric catalogue's (:mod:`sim.experiment.catalogue`).
"""

from __future__ import annotations

import math
from typing import Any

from sim.experiment.catalogue import HOURS_METRICS, SECONDS_METRICS, SHARE_METRICS

METRIC_LABELS = {
    "offered": "offered",
    "answered": "answered",
    "abandoned": "abandoned",
    "waiting_end": "still waiting at the end",
    "abandon_rate": "abandonment rate",
    "p_wait": "waited at all",
    "asa_seconds": "average speed of answer",
    "service_level": "service level",
    "service_level_excl_abandons": "service level, abandons excluded",
    "service_level_excl_short_abandons": "service level, short abandons excluded",
    "community_resolved": "resolved by the community",
    "resolution_hours_first": "time to resolution",
    "callbacks_offered": "callbacks offered",
    "callbacks_accepted": "callbacks accepted",
    "ivr_contained": "resolved in the IVR",
    "occupancy": "occupancy",
    "agents_on_duty": "agents on duty (mean)",
    "paid_hours": "paid hours",
    "cost": "cost",
    "issues": "issues",
    "resolved": "resolved",
    "gave_up": "gave up",
    "open_end": "open at the end",
    "resolved_rate": "resolved rate",
    "contacts": "contacts",
    "contacts_per_issue": "contacts per issue",
    "social_first_share_end": "social-first share at the end",
    "public_negative": "negative public impressions",
    "public_positive": "positive public impressions",
    "touched_social_share": "issues that touched social",
    "duplicate_contacts": "duplicate contacts",
    "cost_agents": "cost: agents",
    "cost_contacts": "cost: contacts",
    "cost_abandoned": "cost: abandoned contacts",
    "cost_unresolved": "cost: unresolved issues",
    "cost_public": "cost: public impressions",
    "cost_total": "total cost",
    "cost_per_issue": "cost per issue",
    "resolved_first_contact": "issues resolved at the first contact",
    "resolved_after_retries": "issues resolved after more contacts",
    "public_answered_fast": "public complaints answered in time",
    "public_answered_late": "public complaints answered late",
    "public_ignored": "public complaints ignored",
    "churned_expected": "customers expected to churn",
    "revenue_at_risk": "revenue at risk (churn)",
    "value_public_positive": "value won by positive impressions",
    "value_public_negative": "value lost to negative impressions",
    "net_cost": "net cost (cost + value lost)",
}


def finite(value: Any) -> bool:
    """Whether ``value`` is a finite number."""
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def metric_label(metric: str) -> str:
    """A metric's name in words."""
    return METRIC_LABELS.get(metric, metric.replace("_", " "))


def format_number(value: float) -> str:
    """A count, cost or ratio with sensible precision: ``185,580``, ``37.8``, ``1.09``."""
    if not finite(value):
        return "–"
    value = float(value)
    if value == round(value) and abs(value) < 1e15:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def format_seconds(seconds: float) -> str:
    """A duration in a readable unit: ``3.2 s``, ``54.1 min``, ``2.3 h``."""
    if not finite(seconds):
        return "–"
    seconds = float(seconds)
    if abs(seconds) < 120:
        return f"{seconds:.1f} s"
    if abs(seconds) < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def format_metric(metric: str, value: float) -> str:
    """``value`` of ``metric`` as people read it (shares in %, times as durations)."""
    if not finite(value):
        return "–"
    if metric in SHARE_METRICS:
        return f"{float(value):.1%}"
    if metric in SECONDS_METRICS:
        return format_seconds(value)
    if metric in HOURS_METRICS:
        return format_seconds(float(value) * 3600.0)
    return format_number(value)


def format_difference(metric: str, value: float) -> str:
    """A difference of ``metric``, signed: ``+1.25 pp`` for shares, ``+3.1 min``, ``-1,530``."""
    if not finite(value):
        return "–"
    value = float(value)
    if metric in SHARE_METRICS:
        return f"{value * 100:+.2f} pp"
    text = format_metric(metric, abs(value))
    return ("-" if value < 0 else "+") + text


def bounded(metric: str, low: float, high: float) -> tuple[float, float]:
    """Clip a t-interval to the metric's possible range (shares in [0, 1], counts ≥ 0)."""
    if metric.startswith("cost"):
        return low, high
    low, high = max(low, 0.0), max(high, 0.0)
    if metric in SHARE_METRICS:
        low, high = min(low, 1.0), min(high, 1.0)
    return low, high


def format_ci(metric: str, low: float, high: float) -> str:
    """The CI as ``low – high`` in the metric's format, or ``""`` if there is none."""
    if not (finite(low) and finite(high)):
        return ""
    low, high = bounded(metric, float(low), float(high))
    return f"{format_metric(metric, low)} – {format_metric(metric, high)}"


def mean_and_half_width(metric: str, mean: float, low: float, high: float) -> tuple[str, str]:
    """The mean as shown, and its 95% CI's half-width in the mean's own unit and precision
    (``37.81`` and ``0.00``, not ``0.00312``; ``2.2 h`` and ``0.3 h``, not ``16.7 min``);
    the half-width is ``""`` without an interval or a mean to show."""
    text = format_metric(metric, mean)
    half = half_width(metric, low, high, like=text) if text != "–" else ""
    return text, half


def format_mean_ci(metric: str, mean: float, low: float, high: float) -> str:
    """``mean ± half-width`` (just the mean when there is no interval)."""
    text, half = mean_and_half_width(metric, mean, low, high)
    return f"{text} ± {half}" if half else text


def inconclusive(target: float, low: float, high: float) -> bool:
    """Whether a 95% CI ``low``–``high`` includes ``target``: a met-or-missed verdict on
    the mean that more replications could turn (the terminal marks it ?, the report says
    "not conclusive")."""
    return finite(low) and finite(high) and low < target <= high


def half_width(metric: str, low: float, high: float, like: str = "") -> str:
    """The 95% CI's half-width in the metric's unit (``1.2 pp``, ``3.4 min``), or ``""``;
    a plain number is written with as many decimals as ``like`` (the mean as shown)."""
    if not (finite(low) and finite(high)):
        return ""
    half = (float(high) - float(low)) / 2
    if abs(half) < 1e-9 * max(1.0, abs(float(high))):  # float noise of identical replications
        half = 0.0
    if metric in SHARE_METRICS:
        return _pp(half)
    seconds = {"s": 1.0, "min": 60.0, "h": 3600.0}
    unit = like.rsplit(" ", 1)[-1] if " " in like else ""
    if unit in seconds and metric in SECONDS_METRICS | HOURS_METRICS:  # the mean's own unit
        scale = 3600.0 if metric in HOURS_METRICS else 1.0
        return f"{half * scale / seconds[unit]:.1f} {unit}"
    text = format_metric(metric, half)
    plain = like and like[-1].isdigit() and text[-1:].isdigit()
    if plain:  # a count, cost or ratio: the mean's decimals, never more
        decimals = len(like.rsplit(".", 1)[1]) if "." in like else 0
        return f"{half:,.{decimals}f}"
    return text


def plural(count: int | float, word: str, many: str = "") -> str:
    """``1 replication``, ``2 replications``, ``1,024 points`` (``many``: an irregular
    plural)."""
    number = format_number(count)
    return f"{number} {word if count == 1 else (many or word + 's')}"


def _pp(share: float) -> str:
    return f"{share * 100:.1f} pp"
