"""``ccsim schedule`` in the terminal and in its report: the plan's size and cost against the
original staffing, and the service each gives with fresh seeds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.table import Table

from sim.scenario import Scenario
from sim.studies.schedule.verified import Checked
from sim.studies.staffing import decision_slots, headcounts_of
from sim.studies.staffing.targets import Target


@dataclass(frozen=True)
class PoolSize:
    """One pool's agents, paid hours per week and pay per week."""

    pool: str
    agents: int
    paid_hours: float
    cost: float


def original_sizes(scenario: Scenario) -> list[PoolSize]:
    """Each pool of ``scenario`` as its file staffs it (agents summed over its shifts)."""
    slots = decision_slots(scenario)
    sizes: dict[str, list[float]] = {name: [0, 0.0, 0.0] for name in scenario.pools}
    for slot, count in zip(slots, headcounts_of(scenario), strict=True):
        size = sizes[slot.pool]
        size[0] += count
        size[1] += slot.paid_hours_per_week * count
        size[2] += slot.weekly_cost_per_agent * count
    return [PoolSize(n, int(a), h, c) for n, (a, h, c) in sizes.items()]


def scheduled_sizes(checked: Checked) -> list[PoolSize]:
    """Each scheduled pool as the plan staffs it."""
    frame = checked.schedule.summary_frame()
    return [
        PoolSize(row.pool, int(row.agents), float(row.paid_hours), float(row.cost))
        for row in frame.itertuples()
    ]


def sizes_table(before: Sequence[PoolSize], after: Sequence[PoolSize]) -> Table:
    """Rich table: agents, paid hours and pay per week, original against the schedule."""
    table = Table(title="staffing per week: original file -> schedule", title_justify="left")
    table.add_column("pool")
    for label in ("agents", "paid hours", "pay"):
        table.add_column(label, justify="right")
    planned = {size.pool: size for size in after}
    totals = [0, 0, 0.0, 0.0, 0.0, 0.0]
    for old in before:
        new = planned.get(old.pool, old)
        table.add_row(
            old.pool,
            f"{old.agents} -> {new.agents}",
            f"{old.paid_hours:,.0f} -> {new.paid_hours:,.0f}",
            f"{old.cost:,.0f} -> {new.cost:,.0f}",
        )
        for i, value in enumerate(
            (old.agents, new.agents, old.paid_hours, new.paid_hours, old.cost, new.cost)
        ):
            totals[i] += value
    table.add_section()
    table.add_row(
        "[bold]all pools[/bold]",
        f"{totals[0]:.0f} -> {totals[1]:.0f}",
        f"{totals[2]:,.0f} -> {totals[3]:,.0f}",
        f"{totals[4]:,.0f} -> {totals[5]:,.0f}",
    )
    return table


def verdicts(checked: Checked, targets: Sequence[Target]) -> dict[Target, str]:
    """Each target's verdict: ``met``, ``held`` (unmeetable, no worse than before) or
    ``missed``."""
    return {
        t: "missed" if t in checked.missed else "held" if t in checked.held else "met"
        for t in targets
    }
