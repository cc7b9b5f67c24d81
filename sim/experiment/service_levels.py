"""Service-level definitions: how abandoned contacts count in a channel's service level.

Planners' tools differ (ICMI lists five definitions; ACDs let users choose). ccsim's
``service_level`` metric is always the first below, today's definition; a channel whose
``service_level.abandons`` names another also reports that one, under its own name, so a
reader of ``summary.csv`` always knows which definition a figure uses:

- ``miss`` -> ``service_level``: answered within the threshold / offered (abandons are
  misses);
- ``exclude`` -> ``service_level_excl_abandons``: answered within / (offered - abandoned);
- ``exclude_short`` -> ``service_level_excl_short_abandons``: answered within / (offered -
  abandons after a wait shorter than ``short_abandon``).

The channel's target is judged on the definition it names (reports and console).
"""

from __future__ import annotations

import math

from sim.model.counters import ChannelStats, measured
from sim.scenario.channels import ServiceLevel
from sim.scenario.units import format_duration

METRIC_OF = {
    "miss": "service_level",
    "exclude": "service_level_excl_abandons",
    "exclude_short": "service_level_excl_short_abandons",
}
"""The metric that reports each definition."""

DEFINITION_METRICS = frozenset(METRIC_OF.values())


def definition_metric(level: ServiceLevel | None) -> str:
    """The metric holding the service level as ``level`` defines it (``service_level``
    when the channel has no target)."""
    return "service_level" if level is None else METRIC_OF[level.abandons]


def extra_metrics(level: ServiceLevel | None) -> tuple[str, ...]:
    """Metrics a channel reports besides ``service_level`` for its definition."""
    metric = definition_metric(level)
    return () if metric == "service_level" else (metric,)


def describe(level: ServiceLevel) -> str:
    """The definition in words, for reports: ``abandons under 5 s excluded``."""
    if level.abandons == "exclude":
        return "abandons excluded"
    if level.abandons == "exclude_short":
        return f"abandons under {format_duration(level.short_abandon)} excluded"
    return "abandons count as misses"


def definition_values(stats: ChannelStats) -> dict[str, float]:
    """The channel's service level under its own definition, when that is not ``miss``."""
    rule = stats.abandons_rule
    if rule == "miss" or stats.within_seconds is None:
        return {}
    within = sum(measured(stats.within))
    offered = sum(measured(stats.offered)) - sum(measured(stats.contained))
    left_out = sum(measured(stats.abandoned if rule == "exclude" else stats.short_abandoned))
    base = offered - left_out
    return {METRIC_OF[rule]: within / base if base else math.nan}
