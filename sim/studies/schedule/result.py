"""A schedule: the shifts chosen, what they cost, and how they cover the requirement.

The integer program counts agents per candidate shift and, separately, per placement of
each break (:mod:`.milp`). :func:`shift_rows` turns those counts into rows a planner can
roster -- ``n`` agents on ``mon-fri 08:00-16:00`` with breaks at ``10:00-10:15``,
``12:00-12:30``, ``14:30-14:45`` -- by pairing the agents of each break in order: the
first ``y_1`` agents take the first placement of break 1, and so on, independently for each
break. Break windows of a template do not overlap, so every pairing is a valid day, and a
shift with ``m`` break placements in use yields at most ``m`` rows.

Coverage is recomputed from the rows themselves (not taken from the solver), so the
``coverage_frame`` is a check of what will be rostered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.studies.schedule.candidates import Candidate, CoverColumns, Placement, span_cover
from sim.studies.schedule.grid import WeekGrid, format_clock, format_days
from sim.studies.schedule.milp import CoverSolution

SCHEDULE_COLUMNS = [
    "pool",
    "template",
    "start",
    "end",
    "days",
    "count",
    "breaks",
    "paid_hours",
    "cost",
]
COVERAGE_COLUMNS = [
    "pool",
    "weekday",
    "interval",
    "time",
    "required",
    "needed",
    "on_floor",
    "net",
]


@dataclass(frozen=True)
class ShiftRow:
    """``count`` agents working ``candidate`` with one placement per break."""

    pool: str
    candidate: Candidate
    placements: tuple[Placement, ...]
    count: int

    @property
    def start(self) -> str:
        """Start of the shift, ``HH:MM``."""
        return format_clock(self.candidate.start)

    @property
    def end(self) -> str:
        """End of the shift, ``HH:MM`` (not after ``start``: it ends the next day)."""
        return format_clock((self.candidate.start + self.candidate.length) % 86400)

    @property
    def days(self) -> str:
        """Days the shift starts on, as a scenario writes them (``mon-fri``, ``sat-wed``)."""
        return format_days(self.candidate.days)

    @property
    def breaks(self) -> list[tuple[str, str]]:
        """Each break as ``(from, to)`` clock times, in the order of the template."""
        start = self.candidate.start
        return [
            (format_clock(start + p.offset), format_clock(start + p.offset + p.length))
            for p in self.placements
        ]

    @property
    def paid_hours(self) -> float:
        """Paid hours per week of all ``count`` agents (unpaid breaks deducted)."""
        return self.candidate.paid_hours(self.placements) * self.count

    @property
    def cost(self) -> float:
        """Weekly pay of all ``count`` agents."""
        return self.paid_hours * self.candidate.cost_per_hour


@dataclass(frozen=True)
class PoolResult:
    """How one pool's program was solved (the solver's figures and the shrinkage used)."""

    pool: str
    shrinkage: float
    candidates: int
    solution: CoverSolution


@dataclass
class Schedule:
    """Shifts for every pool scheduled, their cost, and coverage against the requirement.

    ``coverage`` has one row per pool and interval of the week (see :meth:`coverage_frame`).
    Hours and costs are per week; ``notes`` records choices worth telling the planner.
    """

    grid: WeekGrid
    rows: list[ShiftRow]
    coverage: pd.DataFrame
    pools: dict[str, PoolResult]
    notes: list[str] = field(default_factory=list)

    @property
    def paid_hours(self) -> float:
        """Paid agent-hours per week, all pools."""
        return float(sum(row.paid_hours for row in self.rows))

    @property
    def cost(self) -> float:
        """Weekly pay of the scheduled agents, all pools."""
        return float(sum(row.cost for row in self.rows))

    def schedule_frame(self) -> pd.DataFrame:
        """``schedule.csv``: one row per shift and break pattern.

        Columns ``pool, template, start, end, days, count, breaks, paid_hours, cost``;
        ``breaks`` reads ``10:00-10:15 12:00-12:30 14:30-14:45``; hours and cost are
        weekly totals of the row's agents.
        """
        records = [
            {
                "pool": row.pool,
                "template": row.candidate.template,
                "start": row.start,
                "end": row.end,
                "days": row.days,
                "count": row.count,
                "breaks": " ".join(f"{a}-{b}" for a, b in row.breaks),
                "paid_hours": row.paid_hours,
                "cost": row.cost,
            }
            for row in self.rows
        ]
        return pd.DataFrame.from_records(records, columns=SCHEDULE_COLUMNS)

    def coverage_frame(self) -> pd.DataFrame:
        """Required against scheduled, per pool and interval of the week.

        ``required``: agents needed on the floor (the requirement); ``needed``: scheduled
        agents that takes, required / (1 - shrinkage); ``on_floor``: scheduled agents on
        shift and not on a break, averaged over the interval; ``net`` = on_floor - needed
        (net staffing, in scheduled agents; never below zero, up to rounding).
        """
        return self.coverage.copy()

    def summary_frame(self) -> pd.DataFrame:
        """Per pool: agents, paid hours, cost, and how the solver did."""
        records = []
        for name, result in self.pools.items():
            rows = [row for row in self.rows if row.pool == name]
            sol = result.solution
            records.append(
                {
                    "pool": name,
                    "agents": sum(row.count for row in rows),
                    "paid_hours": sum(row.paid_hours for row in rows),
                    "cost": sum(row.cost for row in rows),
                    "shrinkage": result.shrinkage,
                    "status": sol.status,
                    "method": sol.method,
                    "gap": sol.gap,
                    "seconds": sol.seconds,
                    "variables": sol.variables,
                    "constraints": sol.constraints,
                }
            )
        return pd.DataFrame.from_records(records)

    def to_pool_schedule(self, pool: str, breaks: bool = True) -> list[dict[str, object]]:
        """The pool's shifts as a scenario ``schedule:`` holds them.

        ``[{days, from, to, agents, breaks: [{from, to, paid}, ...]}, ...]`` (``paid`` only
        when false). With ``breaks=False`` the ``breaks`` key is left out and rows that
        then look alike are merged.
        """
        entries: dict[tuple[object, ...], dict[str, object]] = {}
        agents: dict[tuple[object, ...], int] = {}
        for row in self.rows:
            if row.pool != pool:
                continue
            key = (row.days, row.start, row.end, tuple(row.breaks) if breaks else ())
            agents[key] = agents.get(key, 0) + row.count
            entry: dict[str, object] = {"days": row.days, "from": row.start, "to": row.end}
            if breaks:
                entry["breaks"] = [
                    {"from": a, "to": b, **({} if p.paid else {"paid": False})}
                    for (a, b), p in zip(row.breaks, row.placements, strict=True)
                ]
            entries.setdefault(key, entry)
        shifts = []
        for key, entry in entries.items():
            shift = {"days": entry["days"], "from": entry["from"], "to": entry["to"]}
            shift["agents"] = agents[key]
            if breaks:
                shift["breaks"] = entry["breaks"]
            shifts.append(shift)
        return shifts


def shift_rows(pool: str, columns: CoverColumns, solution: CoverSolution) -> list[ShiftRow]:
    """The solver's counts as rostered rows: agents per shift and break pattern."""
    assert solution.shifts is not None and solution.breaks is not None
    rows: list[ShiftRow] = []
    for j in np.flatnonzero(solution.shifts):
        count = int(solution.shifts[j])
        groups = np.flatnonzero(columns.group_shift == j)
        per_break = []
        for g in groups:
            members = np.flatnonzero(columns.break_group == g)
            per_break.append([(columns.placement[b], int(solution.breaks[b])) for b in members])
        for placements, n in pair_breaks(per_break, count):
            rows.append(ShiftRow(pool, columns.candidates[j], placements, n))
    return rows


def pair_breaks(
    per_break: Sequence[Sequence[tuple[Placement, int]]], count: int
) -> list[tuple[tuple[Placement, ...], int]]:
    """Split ``count`` agents into groups with one placement per break.

    ``per_break[k]`` lists ``(placement, agents)`` for break ``k``; each list's agents add
    up to ``count``. Agents are lined up and each break's placements handed out in order;
    a new group starts wherever any break moves to its next placement.
    """
    queues = [[(p, n) for p, n in options if n > 0] for options in per_break]
    for queue in queues:
        if sum(n for _, n in queue) != count:
            raise ValueError("break placements do not add up to the shift's agents")
    if count == 0:
        return []
    if not queues:
        return [((), count)]
    groups: list[tuple[tuple[Placement, ...], int]] = []
    left = [queue[0][1] for queue in queues]
    heads = [0] * len(queues)
    remaining = count
    while remaining > 0:
        take = min(left)
        groups.append((tuple(queues[k][heads[k]][0] for k in range(len(queues))), take))
        remaining -= take
        for k in range(len(queues)):
            left[k] -= take
            if left[k] == 0 and heads[k] + 1 < len(queues[k]):
                heads[k] += 1
                left[k] = queues[k][heads[k]][1]
    return groups


def coverage_table(
    rows: Sequence[ShiftRow],
    pool: str,
    required: np.ndarray,
    shrinkage: float,
    grid: WeekGrid,
) -> pd.DataFrame:
    """One pool's coverage, recomputed from its rostered rows (see ``coverage_frame``)."""
    on_floor = np.zeros(grid.count)
    for row in rows:
        if row.pool != pool:
            continue
        cand = row.candidate
        for index, share in span_cover(grid, cand.days, cand.start, cand.length).items():
            on_floor[index] += share * row.count
        for p in row.placements:
            cover = span_cover(grid, cand.days, cand.start + p.offset, p.length)
            for index, share in cover.items():
                on_floor[index] -= share * row.count
    needed = np.asarray(required, dtype=float) / (1.0 - shrinkage)
    indices = range(grid.count)
    return pd.DataFrame(
        {
            "pool": pool,
            "weekday": [grid.weekday(i) for i in indices],
            "interval": list(indices),
            "time": [grid.time(i) for i in indices],
            "required": np.asarray(required, dtype=float),
            "needed": needed,
            "on_floor": on_floor,
            "net": on_floor - needed,
        },
        columns=COVERAGE_COLUMNS,
    )
