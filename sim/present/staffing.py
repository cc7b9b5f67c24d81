"""The staffing study in the terminal: headcounts before and after, targets met or missed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.table import Table

from sim.experiment.statistics import Stat
from sim.present.format import format_metric
from sim.scenario import Scenario
from sim.scenario.units import format_duration
from sim.studies.staffing import Evaluation, StaffingResult, Target
from sim.studies.staffing.changes import Change, held_now, missed_targets


def format_stat(metric: str, stat: Stat | None, confidence: float) -> str:
    """``mean (low–high)`` at ``confidence`` (just the mean at confidence 0)."""
    if stat is None:
        return "–"
    text = format_metric(metric, stat.mean)
    low, high = stat.interval(confidence)
    if confidence > 0 and math.isfinite(low):
        text += f" ({format_metric(metric, low)}–{format_metric(metric, high)})"
    return text


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
    table.add_column("figure", no_wrap=True)
    table.add_column("before", justify="right", overflow="fold")
    table.add_column("after", justify="right", overflow="fold")
    if search is not None:
        table.add_column("search answer, search settings", justify="right", overflow="fold")
    for target in result.targets:
        cells = [str(target)]
        for evaluation in (before, after):
            if evaluation is None:
                cells.append("–")
                continue
            stat = format_stat(target.metric, evaluation.stats.get(target.key), conf)
            if evaluation is after and before is not None and held_now(target, before, conf):
                ok = not missed_targets([target], before, evaluation, conf)
                mark = "[yellow]held, no worse[/yellow]" if ok else _mark(False)
            elif target.source == "hold":
                mark = _mark(True)  # the original is the reference itself
            else:
                mark = _mark(target.met(evaluation.stats, conf))
            cells.append(f"{stat} {mark}")
        if search is not None:
            cells.append(format_stat(target.metric, search.stats.get(target.key), conf))
        table.add_row(*cells)
    table.add_section()
    for key in (("centre", "cost_total"), ("centre", "cost_per_issue")):
        cells = [f"{key[0]}.{key[1]}"]
        for evaluation in (before, after):
            stat = None if evaluation is None else evaluation.stats.get(key)
            cells.append(format_stat(key[1], stat, conf))
        if search is not None:
            cells.append(format_stat(key[1], search.stats.get(key), conf))
        table.add_row(*cells)
    return table


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
    with the paired change and its 95% CI; a figure whose paired CI lies on the bad side of
    0 is marked."""
    table = Table(title=title, title_justify="left")
    table.add_column("figure", no_wrap=True)
    for label in ("before", "after", "after − before (95% CI)"):
        table.add_column(label, justify="right", overflow="fold")
    table.add_column("", no_wrap=True)
    scope = None
    for item in changes:
        if scope is not None and item.key[0] != scope:
            table.add_section()
        scope, metric = item.key
        diff = _signed(metric, item.diff)
        if math.isfinite(item.low):
            diff += f" ({_signed(metric, item.low)} to {_signed(metric, item.high)})"
        table.add_row(
            f"{scope}.{metric}",
            format_stat(metric, item.before, 0.0),
            format_stat(metric, item.after, 0.0),
            diff,
            "[red bold]clearly worse[/red bold]" if item.worse else "",
        )
    return table


def _signed(metric: str, value: float) -> str:
    if not math.isfinite(value):
        return "–"
    text = format_metric(metric, abs(value))
    return ("−" if value < 0 else "+") + text


def held_text(item: Any) -> str:
    """Why a scenario target is held "no worse than before" rather than met."""
    target = item.target
    reached = format_metric(target.metric, item.best_bound)
    return (
        f"[yellow]cannot be met:[/yellow] the scenario's {target.scope}.{target.metric}"
        f"{target.op}{target.value:g} ({item.reason}; best bound {reached}); "
        "held no worse than before instead, so the rest is still solved"
    )
