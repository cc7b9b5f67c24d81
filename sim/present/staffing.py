"""The staffing study in the terminal: headcounts before and after, targets met or missed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.markup import escape
from rich.table import Table

from sim.experiment.catalogue import SHARE_METRICS
from sim.experiment.statistics import Stat
from sim.present.console import fit
from sim.present.format import bounded, format_metric, mean_and_half_width
from sim.scenario import Scenario
from sim.scenario.units import format_duration
from sim.studies.staffing import Evaluation, StaffingResult, Target
from sim.studies.staffing.changes import Change, held_now, missed_targets


def format_stat(metric: str, stat: Stat | None, confidence: float) -> str:
    """``mean (low–high)`` at ``confidence`` (just the mean at confidence 0), the interval
    clipped to the figure's possible range (a share stays within 0–100%)."""
    if stat is None:
        return "–"
    text = format_metric(metric, stat.mean)
    low, high = stat.interval(confidence)
    if confidence > 0 and math.isfinite(low):
        low, high = bounded(metric, low, high)
        text += f" ({format_metric(metric, low)}–{format_metric(metric, high)})"
    return text


def stat_cell(metric: str, stat: Stat | None, confidence: float) -> str:
    """A table cell: the mean, and ``± half-width`` of its CI at ``confidence`` below it (as
    in every ccsim table; the bound a target is judged on is mean − or + that)."""
    if stat is None:
        return "–"
    low, high = stat.interval(confidence) if confidence > 0 else (math.nan, math.nan)
    text, half = mean_and_half_width(metric, stat.mean, low, high)
    return f"{text}\n± {half}" if half else text


def _mark(ok: bool) -> str:
    return "[green]✓[/green]" if ok else "[red]✗ missed[/red]"


def headcount_table(result: StaffingResult, answer: Sequence[int] | None = None) -> Table:
    """Rich table: each slot's agents and weekly paid cost, before and after."""
    after = answer or result.headcounts or result.original
    table = Table(title="headcount (agents; paid cost per week)", title_justify="left")
    for label in ("pool / shift", "before", "after", "change", "cost/wk before", "cost/wk after"):
        table.add_column(label, justify="left" if label == "pool / shift" else "right")
    total_before = total_after = 0.0
    for slot, old, new in zip(result.slots, result.original, after, strict=True):
        cost_old, cost_new = old * slot.weekly_cost_per_agent, new * slot.weekly_cost_per_agent
        total_before, total_after = total_before + cost_old, total_after + cost_new
        change = f"{new - old:+d}"
        table.add_row(
            slot.label, str(old), str(new), change, f"{cost_old:,.0f}", f"{cost_new:,.0f}"
        )
    table.add_section()
    table.add_row(
        "[bold]all pools[/bold]",
        str(sum(result.original)),
        str(sum(after)),
        f"{sum(after) - sum(result.original):+d}",
        f"{total_before:,.0f}",
        f"{total_after:,.0f}",
    )
    return table


def targets_table(
    result: StaffingResult,
    before: Evaluation | None,
    after: Evaluation | None,
    title: str,
    search: Evaluation | None = None,
) -> Table:
    """Rich table: each target's mean (CI) before and after, met or missed, and the cost."""
    conf = result.confidence
    table = Table(title=title, title_justify="left")
    table.add_column("figure")
    table.add_column("before", justify="right")
    table.add_column("after", justify="right")
    if search is not None:
        table.add_column("search answer,\nsearch settings", justify="right")
    for target in result.targets:
        cells = [str(target).replace(" no worse", "\nno worse", 1)]  # a held one: two lines
        for evaluation in (before, after):
            if evaluation is None:
                cells.append("–")
                continue
            stat = stat_cell(target.metric, evaluation.stats.get(target.key), conf)
            if evaluation is after and before is not None and held_now(target, before, conf):
                ok = not missed_targets([target], before, evaluation, conf)
                mark = "[yellow]held, no worse[/yellow]" if ok else _mark(False)
            elif target.source == "hold":
                mark = _mark(True)  # the original is the reference itself
            else:
                mark = _mark(target.met(evaluation.stats, conf))
            cells.append(f"{stat}\n{mark}")
        if search is not None:
            cells.append(stat_cell(target.metric, search.stats.get(target.key), conf))
        table.add_row(*cells)
    table.add_section()
    for key in (("centre", "cost_total"), ("centre", "cost_per_issue")):
        cells = [f"{key[0]}.{key[1]}"]
        for evaluation in (before, after):
            stat = None if evaluation is None else evaluation.stats.get(key)
            cells.append(stat_cell(key[1], stat, conf))
        if search is not None:
            cells.append(stat_cell(key[1], search.stats.get(key), conf))
        table.add_row(*cells)
    return fit(table, range(1, len(table.columns)))


def settings_text(scenario: Scenario, run: dict[str, Any] | None = None) -> str:
    """``3 replications x 7d, seed 1``: the run settings of a search or a verification."""
    settings = {**scenario.run.model_dump(), **(run or {})}
    horizon = settings["horizon"]
    horizon = horizon if isinstance(horizon, str) else format_duration(horizon)
    return f"{settings['replications']} replications x {horizon}, seed {settings['seed']}"


def missed_text(target: Target, evaluation: Evaluation, confidence: float) -> str:
    """Why ``target`` counts as missed in ``evaluation`` (a verification run)."""
    stat = format_stat(target.metric, evaluation.stats.get(target.key), confidence)
    on_average = target.met(evaluation.stats, 0.0)
    how = "met on average but not at the confidence bound" if on_average else "missed"
    return (
        f"[red bold]verification:[/red bold] {target} is {how} with fresh seeds and "
        f"the scenario's own settings: {stat}."
    )


def changes_table(changes: Sequence[Change], title: str) -> Table:
    """Rich table: every channel's service, every pool and the cost, before and after (means),
    with the paired change and its 95% CI below it; a figure whose paired CI lies on the bad
    side of 0 is marked "clearly worse" below that. A change that is only rounding noise
    (an unchanged pool's cost summed in another order) shows as 0."""
    table = Table(title=title, title_justify="left")
    table.add_column("figure", no_wrap=True)
    for label in ("before", "after", "after − before\n(95% CI)"):  # beside "figure"
        table.add_column(label, justify="right")
    scope = None
    for item in changes:
        if item.key[0] != scope:  # each channel, pool and the centre under its own heading
            if scope is not None:
                table.add_section()
            table.add_row(f"[bold]{escape(item.key[0])}[/bold]")
        scope, metric = item.key
        diff, low, high = (item.denoised(v) for v in (item.diff, item.low, item.high))
        text = _signed(metric, diff)
        if math.isfinite(low):
            text += f"\n({_signed(metric, low)} to {_signed(metric, high)})"
        if item.worse:
            text += "\n[red bold]clearly worse[/red bold]"
        table.add_row(
            f"  {metric}",
            format_stat(metric, item.before, 0.0),
            format_stat(metric, item.after, 0.0),
            text,
        )
    return fit(table, [1, 2, 3])


def _signed(metric: str, value: float) -> str:
    if not math.isfinite(value):
        return "–"
    sign = "±" if value == 0.0 else "−" if value < 0 else "+"
    if metric in SHARE_METRICS:  # a change of a share is in percentage points
        points = abs(value) * 100
        shown = f"{points:.1f}" if points >= 0.1 or points == 0 else f"{points:.2g}"
        return f"{sign}{shown} pp"
    return sign + format_metric(metric, abs(value))


def held_text(item: Any) -> str:
    """Why a scenario target is held "no worse than before" rather than met."""
    target = item.target
    reached = format_metric(target.metric, item.best_bound)
    return (
        f"[yellow]cannot be met:[/yellow] the scenario's {target.scope}.{target.metric}"
        f"{target.op}{target.value:g} ({item.reason}; best bound {reached}); "
        "held no worse than before instead, so the rest is still solved"
    )
