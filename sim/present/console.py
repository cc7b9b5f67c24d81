"""What ``ccsim`` shows in the terminal: the tables of a run, a sweep and a comparison.

Every figure is formatted by :mod:`sim.present.format` (shares in %, waits in s, min or h,
``mean ± half-width`` of the 95% CI). Tables fit an 80-column terminal: a cell holds the
mean on one line and the CI half-width below it, headers wrap, long names are shortened
with the full name in the caption, and a number is never cut: numeric columns are never
narrower than their widest figure (:func:`fit`). Service levels are marked met or missed
against their targets.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sim.experiment.catalogue import SHARE_METRICS, Key
from sim.experiment.service_levels import definition_metric, describe
from sim.io.names import printable
from sim.io.run_folder import SCENARIO_YAML, SUMMARY_CSV
from sim.present.format import (
    format_difference,
    format_metric,
    format_number,
    inconclusive,
    mean_and_half_width,
    metric_label,
    plural,
)
from sim.scenario import Scenario
from sim.scenario.units import format_duration

if TYPE_CHECKING:
    import pandas as pd

    from sim.io.table import Table

console = Console(highlight=False)

CHANNEL_COLUMNS = [
    ("offered", "offered"),
    ("service_level", "service\nlevel"),
    ("asa_seconds", "ASA"),
    ("abandon_rate", "aban-\ndoned"),
    ("p_wait", "waited"),
]
POOL_COLUMNS = [
    ("agents_on_duty", "agents\non duty"),
    ("occupancy", "occupancy"),
    ("paid_hours", "paid\nhours"),
    ("cost", "cost"),
]
CENTRE_ROWS = [
    "issues",
    "resolved_rate",
    "contacts_per_issue",
    "touched_social_share",
    "social_first_share_end",
    "public_negative",
    "public_positive",
    "cost_public",
    "cost_total",
    "cost_per_issue",
    "churned_expected",
    "revenue_at_risk",
    "value_public_positive",
    "value_public_negative",
    "net_cost",
]
MET, MISSED = "[green]met[/green]", "[bold red]missed[/bold red]"
MET_MARK, MISSED_MARK = "[green]✓[/green]", "[bold red]✗[/bold red]"


def new_table(title: str, caption: str = "") -> Table:
    """A compact table: a rule under the header, no vertical lines, one space of padding."""
    return Table(
        title=title,
        title_justify="left",
        caption=caption or None,
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        collapse_padding=True,
        pad_edge=False,
        show_edge=False,
    )


def fit(table: Table, numeric: Sequence[int]) -> Table:
    """Never cut a number or a word: each numeric column is as wide as its widest figure and
    never wraps (its header should break its own lines); other columns wrap between words
    and are never narrower than their longest word."""
    for index, column in enumerate(table.columns):
        lines = [line for cell in column.cells for line in _plain(cell).split("\n")]
        if index in numeric:
            column.min_width = max((len(line) for line in lines), default=1)
            column.no_wrap = True
        else:
            words = [word for line in lines for word in line.split()]
            header = str(column.header).split()
            column.min_width = max((len(word) for word in [*words, *header]), default=1)
        column.overflow = "fold"  # never needed for numbers: a column fits its widest figure
    return table


def _plain(cell: Any) -> str:
    return Text.from_markup(str(cell)).plain


GAP = 2
"""Columns of space between two table columns (padding and rule)."""
LABEL_WIDTH = 24
"""Widest a first (label) column gets before its words wrap."""


@dataclass
class Grid:
    """A table's content before it is laid out for a terminal width (see :func:`lay_out`)."""

    title: str
    headers: list[str]
    numeric: list[bool]
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""

    def width(self, index: int) -> int:
        """Width column ``index`` needs: its widest line if numeric, else up to a cap."""
        cells = [self.headers[index], *(row[index] for row in self.rows)]
        lines = [line for cell in cells for line in _plain(cell).split("\n")]
        natural = max((len(line) for line in lines), default=1)
        if self.numeric[index]:
            return natural
        longest_word = max((len(w) for line in lines for w in line.split()), default=1)
        return min(natural, max(longest_word, LABEL_WIDTH))


def lay_out(grid: Grid, width: int | None = None) -> Group:
    """The grid as one table if it fits ``width`` (the terminal's), else as several, each
    with the first column and as many of the others as fit: columns wrap to the next table,
    numbers are never cut."""
    width = width or console.width
    widths = [grid.width(i) for i in range(len(grid.headers))]
    chunks: list[list[int]] = []
    current: list[int] = []
    used = widths[0]
    for index in range(1, len(widths)):
        if current and used + GAP + widths[index] > width:
            chunks.append(current)
            current, used = [], widths[0]
        current.append(index)
        used += GAP + widths[index]
    chunks.append(current)
    tables = []
    for number, chunk in enumerate(chunks):
        columns = [0, *chunk]
        title = grid.title if number == 0 else f"{grid.title.split(' (')[0]} (continued)"
        table = new_table(title)
        for index in columns:
            table.add_column(
                grid.headers[index], justify="right" if grid.numeric[index] else "left"
            )
        for row in grid.rows:
            table.add_row(*(row[index] for index in columns))
        numeric = [position for position, index in enumerate(columns) if grid.numeric[index]]
        tables.append(fit(table, numeric))
    if grid.caption:  # under the last table, wrapped to the terminal rather than the table
        tables.append(Text.from_markup(grid.caption, style="dim"))
    return Group(*tables)


def mean_ci(metric: str, row: Mapping[str, Any] | pd.Series | None) -> str:
    """The mean, and ``± half-width`` on a second, dim line (none without an interval)."""
    if row is None:
        return "–"
    text, half = mean_and_half_width(metric, row["mean"], row["ci_low"], row["ci_high"])
    return f"{text}\n[dim]± {half}[/dim]" if half else text


UNSURE = "?"
"""Marks a verdict the 95% CI does not settle: the interval includes the target."""
UNSURE_NOTE = "?: not conclusive, the 95% CI includes the target (run more replications)"


def verdict(level: float, target: float, low: float = math.nan, high: float = math.nan) -> str:
    """``met`` (green) or ``missed`` (red) for a mean service level against its target,
    with :data:`UNSURE` when its CI ``low``–``high`` includes the target."""
    if not (isinstance(level, int | float) and math.isfinite(level)):
        return "–"
    return (MET if level >= target else MISSED) + _unsure(target, low, high)


def _unsure(target: float, low: float, high: float) -> str:
    return UNSURE if inconclusive(target, low, high) else ""


def _ci(row: Mapping[str, Any]) -> tuple[float, float]:
    return float(row.get("ci_low", math.nan)), float(row.get("ci_high", math.nan))


def target_mark(row: Any, target: float) -> str:
    """✓ or ✗ for a summary row's mean service level against ``target`` (? if not
    conclusive)."""
    mark = MET_MARK if float(row["mean"]) >= target else MISSED_MARK
    return mark + _unsure(target, float(row["ci_low"]), float(row["ci_high"]))


# --- a run ----------------------------------------------------------------------------------


def summary_tables(scenario: Scenario, summary: Table, width: int | None = None) -> list[Group]:
    """Channel, pool and centre tables of a run summary (means ± 95% CI half-widths)."""
    rows = {(r["scope"], r["metric"]): r for r in summary.rows()}
    grids = [_channels(scenario, rows), _pools(scenario, rows), _centre(rows)]
    return [lay_out(grid, width) for grid in grids]


def _channels(scenario: Scenario, rows: dict[Key, Any]) -> Grid:
    reps = _replications(rows)
    grid = Grid(
        f"{printable(scenario.name)}: channels "
        f"(mean ± 95% CI half-width, {plural(reps, 'replication')})",
        ["channel", *(label for _, label in CHANNEL_COLUMNS), "target"],
        [False, *([True] * len(CHANNEL_COLUMNS)), True],
    )
    for name, section in scenario.channels.sections().items():
        offered = rows.get((name, "offered"))
        if offered is None or not offered["mean"]:
            continue
        cells = [mean_ci(metric, rows.get((name, metric))) for metric, _ in CHANNEL_COLUMNS]
        level = getattr(section, "service_level", None)
        target = "–"  # the threshold, then met or missed
        if level is not None:
            metric = definition_metric(level)
            row = rows.get((name, metric)) or {}
            mean = row.get("mean", math.nan)
            defined = ""  # a definition other than today's is named, with its figure
            if metric != "service_level":
                defined = f"\n{describe(level)}: {format_metric(metric, mean)}"
            target = (
                f"{level.target:.0%} in {format_duration(level.within)}{defined}\n"
                f"{verdict(mean, level.target, *_ci(row))}"
            )
            if target.endswith(UNSURE):
                grid.caption = UNSURE_NOTE
        grid.rows.append([name, *cells, target])
    return grid


def _pools(scenario: Scenario, rows: dict[Key, Any]) -> Grid:
    grid = Grid(
        "pools",
        ["pool", *(label for _, label in POOL_COLUMNS)],
        [False, *([True] * len(POOL_COLUMNS))],
    )
    for name in scenario.pools:
        cells = [mean_ci(metric, rows.get((f"pool:{name}", metric))) for metric, _ in POOL_COLUMNS]
        grid.rows.append([name, *cells])
    return grid


def _centre(rows: dict[Key, Any]) -> Grid:
    grid = Grid(
        "centre (totals over the measured horizon)",
        ["", "mean", "± 95% CI"],
        [False, True, True],
    )
    for metric in CENTRE_ROWS:
        row = rows.get(("centre", metric))
        if row is None:
            continue
        mean, half = mean_and_half_width(metric, row["mean"], row["ci_low"], row["ci_high"])
        grid.rows.append([metric_label(metric), mean, half or "–"])
        negative = rows.get(("centre", "public_negative"))
        if metric == "public_positive" and negative is not None:
            net = float(row["mean"]) - float(negative["mean"])
            grid.rows.append(
                ["net public impressions (positive − negative)", format_number(net), ""]
            )
    return grid


def _replications(rows: dict[Key, Any]) -> int:
    values = [r.get("replications") for r in rows.values() if r.get("replications") is not None]
    return int(max(values)) if values else 0


def print_notes(scenario: Scenario) -> None:
    """Say once what the scenario's settings leave out (see :func:`scenario_notes`)."""
    from sim.present.explain import scenario_notes

    width = max(60, min(console.width, 100))
    for note in scenario_notes(scenario):
        click.echo(textwrap.fill(f"note: {note}", width=width, subsequent_indent="  "))


# --- sweeps -----------------------------------------------------------------------------------


def point_summaries(out_dir: Path, folders: Sequence[str]) -> list[pd.DataFrame]:
    """Each finished point's ``summary.csv``, indexed by ``(scope, metric)``."""
    import pandas as pd

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
            level = summary["mean"].get((channel, "service_level"), math.nan)
            if offered > 0 and not math.isnan(level):
                keys.append((channel, "service_level"))
                break
    for key in [("centre", "cost_total"), ("centre", "cost_per_issue"), ("centre", "net_cost")]:
        if any(key in summary.index for summary in summaries):
            keys.append(key)
    return keys


def _targets(folder: Path) -> dict[str, float]:
    """Service-level targets of a point's resolved scenario (empty if unreadable)."""
    from sim.present.plots.run_data import service_targets
    from sim.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(folder / SCENARIO_YAML)
    except (ScenarioError, OSError):
        return {}
    return {channel: target for channel, (_, target) in service_targets(scenario).items()}


def short_paths(paths: Sequence[str]) -> list[str]:
    """Each dotted path by its last key, or as many last keys as tell it from the others
    (``pools.voice.shrinkage`` and ``pools.digital.shrinkage``: ``voice.shrinkage``, …)."""
    for keep in range(1, max((p.count(".") + 1 for p in paths), default=1) + 1):
        short = [".".join(p.split(".")[-keep:]) for p in paths]
        if len(set(short)) == len(short):
            return short
    return list(paths)


def sweep_table(outcome: Any, limit: int = 40, width: int | None = None) -> Group:
    """One row per point of a sweep (a :class:`sim.studies.sweep.SweepOutcome`): its values,
    service levels (met or missed) and cost, mean ± CI."""
    from sim.studies.sweep.grid import show_value

    shown = outcome.points[:limit]
    summaries = point_summaries(outcome.out_dir, [p.folder for p in shown])
    keys = sweep_key_columns(summaries)
    reps = max((int(s["replications"].max()) for s in summaries if len(s)), default=0)
    short = short_paths(outcome.paths)
    headers = ["point", *short]
    headers += [
        f"{scope}\nSL" if metric == "service_level" else metric_label(metric).replace(" ", "\n", 1)
        for scope, metric in keys
    ]
    grid = Grid(
        f"sweep: {plural(len(outcome.points), 'point')} "
        f"(mean ± 95% CI half-width, {plural(reps, 'replication')} each)",
        headers,
        [False, *(_all_numbers(shown, p) for p in outcome.paths), *([True] * len(keys))],
    )
    for point, summary in zip(shown, summaries, strict=True):
        targets = _targets(outcome.out_dir / point.folder)
        cells = [point.folder, *(show_value(v) for v in point.values.values())]
        for scope, metric in keys:
            row = summary.loc[(scope, metric)] if (scope, metric) in summary.index else None
            text = mean_ci(metric, row)
            if metric == "service_level" and row is not None and scope in targets:
                mark = target_mark(row, targets[scope])
                text = text.replace("\n", f" {mark}\n", 1) if "\n" in text else f"{text} {mark}"
            cells.append(text)
        grid.rows.append(cells)
    notes = [f"{s} = {p}" for s, p in zip(short, outcome.paths, strict=True) if s != p]
    notes.append("SL: service level, ✓ meets its target, ✗ misses it (mean)")
    if any(UNSURE in str(cell) for row in grid.rows for cell in row[len(headers) - len(keys) :]):
        notes.append(UNSURE_NOTE)
    if len(outcome.points) > limit:
        notes.append(f"first {limit} of {len(outcome.points)} points; all in sweep.csv")
    grid.caption = "; ".join(notes)
    return lay_out(grid, width)


def _all_numbers(points: Sequence[Any], path: str) -> bool:
    return all(
        isinstance(p.values[path], int | float) and not isinstance(p.values[path], bool)
        for p in points
    )


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
    keys += [
        (c, "asa_seconds") for c in active if has(c, "asa_seconds") and has(c, "service_level")
    ]
    keys += [
        ("centre", m) for m in ("cost_total", "cost_per_issue", "net_cost") if has("centre", m)
    ]
    for metric in ("social_first_share_end", "public_negative", "public_positive", "cost_public"):
        if has("centre", metric) and present.get(("centre", metric)):
            keys.append(("centre", metric))
    return keys


def compare_table(frame: pd.DataFrame, labels: Sequence[str], width: int | None = None) -> Group:
    """Each key metric per scenario (mean ± CI), and differences vs the first."""
    grid = Grid(
        f"comparison (mean ± 95% CI half-width; Δ: difference from {labels[0]})",
        ["metric", *labels, *(f"Δ {label}" for label in labels[1:])],
        [False, *([True] * (2 * len(labels) - 1))],
        caption=escape("* clear: the 95% CI of the difference excludes 0; [low, high]: that CI"),
    )
    rows = frame.set_index(["scope", "metric", "scenario"])
    for scope, metric in compare_key_metrics(frame):
        name = metric_label(metric) if scope == "centre" else f"{scope} {metric_label(metric)}"
        cells, diffs = [name], []
        for i, label in enumerate(labels):
            try:
                row = rows.loc[(scope, metric, label)]
            except KeyError:
                cells.append("–")
                diffs += ["–"] if i else []
                continue
            cells.append(mean_ci(metric, row))
            if i:
                diffs.append(_difference(metric, row))
        grid.rows.append([*cells, *diffs])
    return lay_out(grid, width)


def _difference(metric: str, row: pd.Series) -> str:
    text = format_difference(metric, row["diff"])
    if math.isfinite(row["diff_ci_low"]):
        low = format_difference(metric, row["diff_ci_low"]).removesuffix(" pp")
        high = format_difference(metric, row["diff_ci_high"])
        interval = escape(f"[{low}, {high}]")
        text += (" *" if row["clear"] else "") + f"\n[dim]{interval}[/dim]"
    if row["clear"]:
        return f"[bold]{text}[/bold]"
    return text


__all__ = ["SHARE_METRICS", "compare_table", "console", "summary_tables", "sweep_table"]
