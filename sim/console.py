"""What ``ccsim`` shows in the terminal: progress over replications and a summary table."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from sim.scenario import CHANNELS, Scenario
from sim.scenario.units import format_duration

console = Console(highlight=False)

CHANNEL_COLUMNS = [
    ("offered", "offered", "{:,.0f}"),
    ("service_level", "service level", "{:.1%}"),
    ("asa_seconds", "ASA (s)", "{:,.1f}"),
    ("abandon_rate", "abandoned", "{:.1%}"),
    ("p_wait", "waited", "{:.1%}"),
]


def progress_bar(counted: str, enabled: bool = True) -> Progress:
    """A progress bar on stderr, gone when done: label, bar, ``done/total`` followed by
    ``counted`` (a rich format string: what is counted), elapsed time and ETA."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(counted),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not enabled,
    )


@contextmanager
def replication_progress(total: int, label: str, enabled: bool = True) -> Iterator[Progress]:
    """A progress bar over replications with elapsed time and ETA (stderr, transient)."""
    progress = progress_bar("replications", enabled)
    with progress:
        progress.add_task(label, total=total)
        yield progress


def _cell(summary: dict[tuple[str, str], pd.Series], scope: str, metric: str, fmt: str) -> str:
    row = summary.get((scope, metric))
    if row is None or not math.isfinite(row["mean"]):
        return "–"
    text = fmt.format(row["mean"])
    if math.isfinite(row["ci_low"]):
        half = (row["ci_high"] - row["ci_low"]) / 2
        text += " ± " + fmt.format(half).strip()
    return text


def summary_tables(scenario: Scenario, summary: pd.DataFrame) -> list[Table]:
    """Channel, pool and centre tables of a run summary (means ± 95% CI half-widths)."""
    rows = {(r.scope, r.metric): r._asdict() for r in summary.itertuples(index=False)}
    channels = Table(title=f"{scenario.name}: channels (mean ± 95% CI)", title_justify="left")
    channels.add_column("channel")
    for _, label, _ in CHANNEL_COLUMNS:
        channels.add_column(label, justify="right")
    channels.add_column("target", justify="right")
    for name in CHANNELS:
        offered = rows.get((name, "offered"))
        if offered is None or not offered["mean"]:
            continue
        cells = [_cell(rows, name, metric, fmt) for metric, _, fmt in CHANNEL_COLUMNS]
        sl = getattr(getattr(scenario.channels, name), "service_level", None)
        target = f"{sl.target:.0%} in {format_duration(sl.within)}" if sl else "–"
        channels.add_row(name, *cells, target)
    pools = Table(title="pools", title_justify="left")
    for label in ("pool", "agents on duty", "occupancy", "paid hours", "cost"):
        pools.add_column(label, justify="left" if label == "pool" else "right")
    for name in scenario.pools:
        scope = f"pool:{name}"
        pools.add_row(
            name,
            _cell(rows, scope, "agents_on_duty", "{:,.1f}"),
            _cell(rows, scope, "occupancy", "{:.1%}"),
            _cell(rows, scope, "paid_hours", "{:,.0f}"),
            _cell(rows, scope, "cost", "{:,.0f}"),
        )
    centre = Table(title="centre", title_justify="left")
    centre.add_column("metric")
    centre.add_column("value", justify="right")
    for metric, fmt in [
        ("issues", "{:,.0f}"),
        ("resolved_rate", "{:.1%}"),
        ("contacts_per_issue", "{:.3f}"),
        ("cost_total", "{:,.0f}"),
        ("cost_per_issue", "{:,.2f}"),
        ("social_first_share_end", "{:.2%}"),
    ]:
        centre.add_row(metric, _cell(rows, "centre", metric, fmt))
    return [channels, pools, centre]
