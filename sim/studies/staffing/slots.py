"""The decision variables of staffing: one headcount per flat pool or per shift.

A flat pool's ``agents`` is one variable; a pool with a ``schedule`` has one per shift. The
scenario's structure is kept when headcounts are written back (:func:`with_headcounts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.scenario import Scenario, validate_data
from sim.scenario.schema import break_offsets, parse_clock, parse_days
from sim.studies.staffing.targets import Target

# --- decision variables ----------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One decision variable: a flat pool's headcount, or one shift of a scheduled pool."""

    pool: str
    shift: int | None
    label: str
    paid_hours_per_week: float  # per agent
    cost_per_hour: float
    minimum: int = 1

    @property
    def weekly_cost_per_agent(self) -> float:
        return self.paid_hours_per_week * self.cost_per_hour


def _shift_hours(start: str, end: str) -> float:
    begin, finish = parse_clock(start), parse_clock(end)
    length = finish - begin if finish > begin else 86400.0 - begin + finish
    return length / 3600.0


def decision_slots(scenario: Scenario) -> list[Slot]:
    """The headcounts the search may change, in file order."""
    slots: list[Slot] = []
    reserved = {
        pool: max(counts.values(), default=0) for pool, counts in scenario.policy.reserve.items()
    }
    for name, pool in scenario.pools.items():
        if pool.schedule is None:
            slots.append(
                Slot(name, None, name, 168.0, pool.cost_per_hour, 1 + reserved.get(name, 0))
            )
            continue
        for i, shift in enumerate(pool.schedule):
            label = f"{name} #{i + 1} {shift.days} {shift.start}-{shift.end}"
            unpaid = sum(end - begin for begin, end, paid in break_offsets(shift) if not paid)
            hours = (_shift_hours(shift.start, shift.end) - unpaid / 3600.0) * len(
                parse_days(shift.days)
            )
            slots.append(Slot(name, i, label, hours, pool.cost_per_hour))
    return slots


def headcounts_of(scenario: Scenario) -> tuple[int, ...]:
    """The scenario's own headcounts, one per slot of :func:`decision_slots`."""
    counts: list[int] = []
    for pool in scenario.pools.values():
        if pool.schedule is None:
            assert pool.agents is not None
            counts.append(pool.agents)
        else:
            counts.extend(shift.agents for shift in pool.schedule)
    return tuple(counts)


def with_headcounts(
    scenario: Scenario,
    headcounts: Sequence[int],
    run: dict[str, Any] | None = None,
    description: str | None = None,
) -> Scenario:
    """``scenario`` with these headcounts (and optionally other run settings or description).

    The structure is kept: a flat pool keeps ``agents``, a scheduled pool its shifts.
    """
    slots = decision_slots(scenario)
    if len(headcounts) != len(slots):
        raise ValueError(f"expected {len(slots)} headcounts, got {len(headcounts)}")
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for slot, count in zip(slots, headcounts, strict=True):
        pool = data["pools"][slot.pool]
        if slot.shift is None:
            pool["agents"] = int(count)
        else:
            pool["schedule"][slot.shift]["agents"] = int(count)
    if run:
        data["run"] = {**data["run"], **run}
    if description is not None:
        data["description"] = description
    return validate_data(data, f"<{scenario.name} staffed>")


def relevant_slots(target: Target, scenario: Scenario, slots: Sequence[Slot]) -> list[int]:
    """Slots whose staffing moves ``target`` most directly (all slots when unclear)."""
    if target.scope.startswith("pool:"):
        pools = {target.scope[len("pool:") :]}
    elif target.scope in scenario.channels.sections():
        pools = {name for name, p in scenario.pools.items() if target.scope in p.skills}
    else:
        pools = set()
    chosen = [i for i, slot in enumerate(slots) if slot.pool in pools]
    return chosen or list(range(len(slots)))
