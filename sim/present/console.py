"""What ``ccsim`` shows in the terminal: the tables of a run, a sweep and a comparison.

Every figure is formatted by :mod:`sim.present.format` (shares in %, waits as durations,
``mean ± half-width`` of the 95% CI).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from sim.experiment.catalogue import Key
from sim.io.run_folder import SUMMARY_CSV
from sim.present.format import format_difference, format_mean_ci
from sim.scenario import Scenario
from sim.scenario.units import format_duration

console = Console(highlight=False)

CHANNEL_COLUMNS = [
    ("offered", "offered"),
    ("service_level", "service level"),
    ("asa_seconds", "ASA"),
    ("abandon_rate", "abandoned"),
    ("p_wait", "waited"),
]
POOL_COLUMNS = [
    ("agents_on_duty", "agents on duty"),
    ("occupancy", "occupancy"),
    ("paid_hours", "paid hours"),
    ("cost", "cost"),
]
CENTRE_ROWS = [
    "issues",
    "resolved_rate",
    "contacts_per_issue",
    "cost_total",
    "cost_per_issue",
    "social_first_share_end",
]


def _cell(rows: Mapping[Key, Any], scope: str, metric: str) -> str:
    row = rows.get((scope, metric))
    if row is None:
        return "–"
    return format_mean_ci(metric, row["mean"], row["ci_low"], row["ci_high"])


def summary_tables(scenario: Scenario, summary: pd.DataFrame) -> list[Table]:
    """Channel, pool and centre tables of a run summary (means ± 95% CI half-widths)."""
    rows = {(r.scope, r.metric): r._asdict() for r in summary.itertuples(index=False)}
    channels = Table(title=f"{scenario.name}: channels (mean ± 95% CI)", title_justify="left")
    channels.add_column("channel")
    for _, label in CHANNEL_COLUMNS:
        channels.add_column(label, justify="right")
    channels.add_column("target", justify="right")
    for name, section in scenario.channels.sections().items():
        offered = rows.get((name, "offered"))
        if offered is None or not offered["mean"]:
            continue
        cells = [_cell(rows, name, metric) for metric, _ in CHANNEL_COLUMNS]
        level = getattr(section, "service_level", None)
        target = f"{level.target:.0%} in {format_duration(level.within)}" if level else "–"
        channels.add_row(name, *cells, target)
    pools = Table(title="pools", title_justify="left")
    pools.add_column("pool")
    for _, label in POOL_COLUMNS:
        pools.add_column(label, justify="right")
    for name in scenario.pools:
        pools.add_row(name, *(_cell(rows, f"pool:{name}", metric) for metric, _ in POOL_COLUMNS))
    centre = Table(title="centre", title_justify="left")
    centre.add_column("metric")
    centre.add_column("value", justify="right")
    for metric in CENTRE_ROWS:
        centre.add_row(metric, _cell(rows, "centre", metric))
    return [channels, pools, centre]


# --- sweeps -----------------------------------------------------------------------------------


def point_summaries(out_dir: Path, folders: Sequence[str]) -> list[pd.DataFrame]:
    """Each finished point's ``summary.csv``, indexed by ``(scope, metric)``."""
    return [
        pd.read_csv(out_dir / folder / SUMMARY_CSV).set_index(["scope", "metric"])
        for folder in folders
    ]


def sweep_key_columns(summaries: Sequence[pd.DataFrame]) -> list[Key]:
    """Metrics worth a column in the sweep table: service levels, then cost."""
    keys: list[Key] = []
    channels = dict.fromkeys(
        scope for summary in summaries for scope, metric in summary.index if metric == "offered"
    )
    for channel in channels:
        for summary in summaries:
            offered = summary["mean"].get((channel, "offered"), 0)
            if (channel, "service_level") in summary.index and offered > 0:
                keys.append((channel, "service_level"))
                break
    for key in [("centre", "cost_total"), ("centre", "cost_per_issue")]:
        if any(key in summary.index for summary in summaries):
            keys.append(key)
    return keys


def sweep_table(outcome: Any, limit: int = 40) -> Table:
    """One row per point of a sweep (a :class:`sim.studies.sweep.SweepOutcome`): its values,
    service levels and cost, mean ± CI."""
    from sim.studies.sweep.grid import show_value

    shown = outcome.points[:limit]
    summaries = point_summaries(outcome.out_dir, [p.folder for p in shown])
    keys = sweep_key_columns(summaries)
    table = Table(
        title=f"sweep: {len(outcome.points)} points (mean ± 95% CI)", title_justify="left"
    )
    table.add_column("point")
    for path in outcome.paths:
        table.add_column(path, justify="right")
    for scope, metric in keys:
        table.add_column(f"{scope} SL" if metric == "service_level" else metric, justify="right")
    table.add_column("reps", justify="right")
    for point, summary in zip(shown, summaries, strict=True):
        cells = [point.folder, *(show_value(v) for v in point.values.values())]
        for key in keys:
            row = summary.loc[key] if key in summary.index else None
            cells.append(
                "–" if row is None else format_mean_ci(key[1], *row[["mean", "ci_low", "ci_high"]])
            )
        reps = summary["replications"].max() if len(summary) else 0
        table.add_row(*cells, str(int(reps)))
    if len(outcome.points) > limit:
        table.caption = f"first {limit} of {len(outcome.points)} points; all in sweep.csv"
    return table


# --- comparisons ------------------------------------------------------------------------------


def compare_key_metrics(frame: pd.DataFrame) -> list[Key]:
    """The metrics in the comparison table, in reading order."""
    means = frame.groupby(["scope", "metric"], sort=False)["mean"]
    present = means.max().to_dict()

    def has(scope: str, metric: str) -> bool:
        value = present.get((scope, metric))
        return value is not None and not (isinstance(value, float) and math.isnan(value))

    active = [s for (s, m), v in present.items() if m == "offered" and (v or 0) > 0]
    keys: list[Key] = [(c, "service_level") for c in active if has(c, "service_level")]
    keys += [
        (c, "abandon_rate")
        for c in active
        if has(c, "abandon_rate") and (present.get((c, "abandon_rate")) or 0) > 0
    ]
    keys += [(c, "asa_seconds") for c in active if has(c, "asa_seconds")]
    keys += [("centre", m) for m in ("cost_total", "cost_per_issue") if has("centre", m)]
    for metric in ("social_first_share_end", "public_negative"):  # only where there is social
        if has("centre", metric) and present.get(("centre", metric)):
            keys.append(("centre", metric))
    return keys


def compare_table(frame: pd.DataFrame, labels: Sequence[str]) -> Table:
    """Each key metric per scenario (mean ± CI), and differences vs the first."""
    table = Table(title="comparison (mean ± 95% CI; Δ vs the first)", title_justify="left")
    table.add_column("metric")
    for label in labels:
        table.add_column(label, justify="right")
    for label in labels[1:]:
        table.add_column(f"Δ {label}", justify="right")
    rows = frame.set_index(["scope", "metric", "scenario"])
    for scope, metric in compare_key_metrics(frame):
        cells, diffs = [f"{scope} {metric}"], []
        for i, label in enumerate(labels):
            try:
                row = rows.loc[(scope, metric, label)]
            except KeyError:
                cells.append("–")
                diffs += ["–"] if i else []
                continue
            cells.append(format_mean_ci(metric, row["mean"], row["ci_low"], row["ci_high"]))
            if i:
                diffs.append(_difference(metric, row))
        table.add_row(*cells, *diffs)
    table.caption = "* clear: the 95% CI of the difference excludes 0"
    return table


def _difference(metric: str, row: pd.Series) -> str:
    text = format_difference(metric, row["diff"])
    if math.isfinite(row["diff_ci_low"]):
        low = format_difference(metric, row["diff_ci_low"]).removesuffix(" pp")
        high = format_difference(metric, row["diff_ci_high"]).removesuffix(" pp")
        text += f" [{low}, {high}]"
    return f"[bold]{text} *[/bold]" if row["clear"] else text
