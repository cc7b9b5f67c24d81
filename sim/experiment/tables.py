"""One replication's counts as metrics (``summary.csv`` names) and a per-interval table.

The model only counts (:class:`sim.model.counters.ReplicationCounts`); this module turns the
counts into whole-horizon metrics, prices them (:mod:`sim.experiment.costs`) and builds the
per-interval table, once per replication. Metric names and their order are the catalogue's
(:mod:`sim.experiment.catalogue`): per channel, per pool, policy features, the centre, costs.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.experiment.catalogue import CUSTOMER_METRICS, Metrics
from sim.experiment.costs import centre_costs
from sim.experiment.service_levels import definition_values
from sim.experiment.value import centre_value
from sim.io.run_folder import INTERVAL_FIGURES
from sim.io.table import Table
from sim.model.counters import ChannelStats, PoolStats, ReplicationCounts, measured
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.io.table import Column


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, NaN when the denominator is 0."""
    return numerator / denominator if denominator else float("nan")


def channel_totals(stats: ChannelStats) -> dict[str, float]:
    """Whole-horizon figures of one channel."""
    offered = sum(measured(stats.offered))
    answered = sum(measured(stats.answered))
    abandoned = sum(measured(stats.abandoned))
    within = sum(measured(stats.within))
    queued = offered - sum(measured(stats.contained))  # calls an IVR resolved never queued
    return {
        "offered": offered,
        "answered": answered,
        "abandoned": abandoned,
        "waiting_end": stats.waiting_end,
        "abandon_rate": ratio(abandoned, queued),
        "p_wait": ratio(sum(measured(stats.waited)), queued),
        "asa_seconds": ratio(sum(measured(stats.wait_sum)), answered),
        "service_level": math.nan if stats.within_seconds is None else ratio(within, queued),
        **definition_values(stats),
    }


def pool_totals(stats: PoolStats, cost_per_hour: float, horizon: float) -> dict[str, float]:
    """Whole-horizon figures of one pool (agent pay at ``cost_per_hour``)."""
    busy, present, paid = sum(stats.busy), sum(stats.present), sum(stats.paid)
    paid_hours = paid / 3600.0
    return {
        "occupancy": ratio(busy, present),
        "agents_on_duty": sum(stats.present) / horizon,
        "paid_hours": paid_hours,
        "cost": paid_hours * cost_per_hour,
    }


def replication_metrics(scenario: Scenario, counts: ReplicationCounts) -> Metrics:
    """``(scope, metric) -> value`` for one replication, in the catalogue's order."""
    metrics: Metrics = {}
    for name, channel in counts.channels.items():
        figures = {**channel_totals(channel.stats), **channel.extra}
        resolution = ratio(channel.resolution_seconds, channel.resolved_first)
        figures["resolution_hours_first"] = resolution / 3600.0
        metrics.update(((name, metric), value) for metric, value in figures.items())
    for name, stats in counts.pools.items():
        figures = pool_totals(stats, scenario.pools[name].cost_per_hour, counts.horizon)
        metrics.update(((f"pool:{name}", metric), value) for metric, value in figures.items())
    for name, channel in counts.channels.items():
        metrics.update(((name, metric), value) for metric, value in channel.policy.items())
    metrics.update((("centre", metric), value) for metric, value in centre_counts(counts).items())
    metrics.update(centre_costs(scenario, metrics))
    if scenario.value is not None:
        metrics.update(centre_value(scenario.value, counts, metrics))
    if scenario.demand.customers is not None:  # NaN where nobody was simulated (a replay)
        figures = counts.customers
        metrics.update((("centre", m), figures.get(m, math.nan)) for m in CUSTOMER_METRICS)
    return metrics


def centre_counts(counts: ReplicationCounts) -> dict[str, float]:
    """The centre's whole-horizon figures (before costs)."""
    issues = int(measured(counts.issues).sum())
    resolved = sum(measured(counts.resolved))
    gave_up = sum(measured(counts.gave_up))
    contacts = sum(measured(counts.contacts))
    return {
        "issues": issues,
        "resolved": resolved,
        "gave_up": gave_up,
        "open_end": issues - resolved - gave_up,
        "resolved_rate": resolved / issues if issues else math.nan,
        "contacts": contacts,
        "contacts_per_issue": contacts / issues if issues else math.nan,
        "social_first_share_end": counts.first_share_end,
        "public_negative": counts.public_negative,
        "public_positive": counts.public_positive,
        "touched_social_share": counts.touched_public / issues if issues else math.nan,
        "duplicate_contacts": counts.duplicates,
    }


def channel_columns(stats: ChannelStats) -> dict[str, np.ndarray]:
    """A channel's figures per interval."""
    offered = np.asarray(measured(stats.offered), float)
    queued = offered - np.asarray(measured(stats.contained), float)
    answered = np.asarray(measured(stats.answered), float)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = (
            np.asarray(measured(stats.within), float) / queued
            if stats.within_seconds is not None
            else np.full(len(offered), np.nan)
        )
        return {
            "offered": offered,
            "answered": answered,
            "abandoned": np.asarray(measured(stats.abandoned), float),
            "service_level": level,
            "asa_seconds": np.asarray(measured(stats.wait_sum)) / answered,
        }


def pool_columns(stats: PoolStats, interval: float) -> dict[str, np.ndarray]:
    """A pool's figures per interval: mean productive agents on duty and occupancy."""
    present = np.asarray(stats.present)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"agents_on_duty": present / interval, "occupancy": np.asarray(stats.busy) / present}


def interval_frame(counts: ReplicationCounts, n_intervals: int) -> Table:
    """Per reporting interval and scope (channels, pools, centre) of one replication: the
    ``interval`` and ``scope`` columns, then :data:`INTERVAL_FIGURES` (NaN where a scope has
    no such figure), block by block in the order channels, pools, centre."""
    pools = {name: pool_columns(stats, counts.interval) for name, stats in counts.pools.items()}
    nothing = np.full(n_intervals, np.nan)
    blocks: list[tuple[str, dict[str, np.ndarray]]] = []
    for name, channel in counts.channels.items():
        figures = channel_columns(channel.stats)
        if channel.assisted:
            serving = [p for p, skills in counts.pool_skills.items() if name in skills]
            on_duty = sum(pools[p]["agents_on_duty"] for p in serving)
            figures["agents_on_duty"] = np.broadcast_to(np.asarray(on_duty, float), nothing.shape)
        blocks.append((name, figures))
    blocks += [(f"pool:{name}", figures) for name, figures in pools.items()]
    issues = measured(counts.issues).astype(float)
    centre = {"issues": issues, "social_first_share": np.asarray(counts.first_share, float)}
    blocks.append(("centre", centre))
    columns: dict[str, Column] = {
        "interval": np.tile(np.arange(n_intervals), len(blocks)),
        "scope": [scope for scope, _ in blocks for _ in range(n_intervals)],
    }
    for name in INTERVAL_FIGURES:
        columns[name] = np.concatenate([figures.get(name, nothing) for _, figures in blocks])
    return Table(columns)
