"""Candidate shifts: templates expanded over start times and day patterns, and their coverage.

A *candidate* is one concrete shift a group of agents can work: a template, a start time,
and the set of weekdays it is worked (one block of its day pattern). Its breaks are not
fixed yet: for each break of the template the candidate lists the *placements* allowed (a
length and an offset from the start of the shift, on the ``break_step`` grid). Choosing how
many agents take each placement is part of the integer program, which keeps it small: the
alternative, one column per combination of placements, multiplies them (7 x 8 x 8 = 448
combinations per start for the default template).

Coverage is measured per reporting interval as the share of the interval an agent is on
the floor: a 15 min break in a 30 min interval takes half an agent from that interval.
:func:`coverage_columns` turns candidates into the sparse matrices of :mod:`.milp`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from sim.studies.schedule.grid import DAY_SECONDS, WeekGrid
from sim.studies.schedule.templates import Break, Template, Templates

FREE_RATE_SHARE = 1e-3
"""A template that costs nothing per hour is weighted by paid hours x this share of the
cheapest paid rate (or x this share of 1 when every template is free), so the solver still
prefers fewer hours of it."""


@dataclass(frozen=True)
class Placement:
    """Where a break falls: ``offset`` seconds after the shift starts, ``length`` seconds."""

    offset: int
    length: int
    paid: bool


@dataclass(frozen=True)
class Candidate:
    """One shift agents can be scheduled on; ``breaks`` lists, per break, its placements."""

    template: str
    start: int  # seconds after midnight
    length: int  # seconds, at most a day
    days: tuple[int, ...]  # weekdays worked, Monday is 0
    cost_per_hour: float
    breaks: tuple[tuple[Placement, ...], ...]
    break_names: tuple[str, ...]

    def paid_hours(self, chosen: Sequence[Placement] = ()) -> float:
        """Paid hours per agent per week, with unpaid breaks of ``chosen`` deducted."""
        unpaid = sum(p.length for p in chosen if not p.paid)
        return (self.length - unpaid) * len(self.days) / 3600.0


def placements(rule: Break, shift_length: int, step: int) -> tuple[Placement, ...]:
    """Every length and start on the ``step`` grid that keeps the break inside its window."""
    low, high = round(rule.length.min), round(rule.length.max)
    lengths = list(range(low, high + 1, step))
    if lengths[-1] != high:
        lengths.append(high)
    after = round(rule.after)
    before = round(rule.before) if rule.before is not None else shift_length
    found = [
        Placement(offset, length, rule.paid)
        for length in lengths
        for offset in range(after, before - length + 1, step)
    ]
    return tuple(found)


def expand(
    template_name: str, template: Template, cost_per_hour: float, step: int
) -> list[Candidate]:
    """All candidates of one template: every start time x every block of days."""
    length = round(template.length)
    rate = template.cost_per_hour if template.cost_per_hour is not None else cost_per_hour
    breaks = tuple(placements(rule, length, step) for rule in template.breaks)
    names = tuple(rule.name or f"break {i + 1}" for i, rule in enumerate(template.breaks))
    return [
        Candidate(template_name, start, length, days, rate, breaks, names)
        for start in template.starts.seconds()
        for days in template.days.blocks()
    ]


def pool_candidates(templates: Templates, pool: str, cost_per_hour: float) -> list[Candidate]:
    """Candidates of every template the pool may use (``pools`` unset means every pool)."""
    step = round(templates.break_step)
    found: list[Candidate] = []
    for name, template in templates.templates.items():
        if template.pools is None or pool in template.pools:
            found += expand(name, template, cost_per_hour, step)
    return found


@dataclass(frozen=True)
class CoverColumns:
    """The integer program's columns: shifts, and break placements grouped per shift.

    ``shift_cover[i, j]`` is the share of interval ``i`` that an agent of candidate ``j``
    is on shift; ``break_cover[i, b]`` the share of interval ``i`` that placement column
    ``b`` takes that agent off the floor. Each group ``g`` is one break of shift
    ``group_shift[g]``; its placement columns are those with ``break_group == g``, and the
    agents taking them must add up to the shift's agents.
    """

    candidates: list[Candidate]
    shift_cover: sparse.csc_array
    shift_cost: np.ndarray
    break_cover: sparse.csc_array
    break_cost: np.ndarray
    break_group: np.ndarray
    group_shift: np.ndarray
    group_break: np.ndarray  # which break of the template the group is
    placement: list[Placement]  # per placement column

    @property
    def size(self) -> tuple[int, int]:
        """(integer columns, equality rows), the program's size besides coverage rows."""
        return len(self.shift_cost) + len(self.break_cost), len(self.group_shift)


def span_cover(grid: WeekGrid, days: Sequence[int], begin: int, length: int) -> dict[int, float]:
    """Share of each interval covered by ``[begin, begin + length)`` of every day in ``days``.

    ``begin`` is seconds after midnight (it may exceed a day for a break late in a shift
    that started the day before); spans past Sunday midnight wrap to Monday.
    """
    cover: dict[int, float] = {}
    for day in days:
        start = (day * DAY_SECONDS + begin) % (7 * DAY_SECONDS)
        for index, share in grid.fractions(start, start + length):
            cover[index] = cover.get(index, 0.0) + share
    return cover


def coverage_columns(candidates: list[Candidate], grid: WeekGrid) -> CoverColumns:
    """Build the sparse coverage matrices and costs of :class:`CoverColumns`.

    Placements of one break that cover exactly the same intervals by the same shares are
    interchangeable for the program (same coverage means the same length, so the same
    pay); only the earliest is kept.
    """
    rates = [c.cost_per_hour for c in candidates]
    paid = [r for r in rates if r > 0]
    free_rate = FREE_RATE_SHARE * (min(paid) if paid else 1.0)
    shift_cols: list[dict[int, float]] = []
    shift_cost: list[float] = []
    break_cols: list[dict[int, float]] = []
    break_cost: list[float] = []
    break_group: list[int] = []
    group_shift: list[int] = []
    group_break: list[int] = []
    kept: list[Placement] = []
    for j, cand in enumerate(candidates):
        rate = cand.cost_per_hour if cand.cost_per_hour > 0 else free_rate
        shift_cols.append(span_cover(grid, cand.days, cand.start, cand.length))
        shift_cost.append(rate * cand.paid_hours())
        for k, options in enumerate(cand.breaks):
            group = len(group_shift)
            group_shift.append(j)
            group_break.append(k)
            seen: set[tuple[tuple[int, float], ...]] = set()
            for option in options:
                cover = span_cover(grid, cand.days, cand.start + option.offset, option.length)
                saved = 0.0 if option.paid else rate * option.length * len(cand.days) / 3600
                key = tuple(sorted(cover.items()))
                if key in seen:
                    continue
                seen.add(key)
                break_cols.append(cover)
                break_cost.append(-saved)
                break_group.append(group)
                kept.append(option)
    return CoverColumns(
        candidates=candidates,
        shift_cover=_matrix(shift_cols, grid.count),
        shift_cost=np.asarray(shift_cost, dtype=float),
        break_cover=_matrix(break_cols, grid.count),
        break_cost=np.asarray(break_cost, dtype=float),
        break_group=np.asarray(break_group, dtype=np.int64),
        group_shift=np.asarray(group_shift, dtype=np.int64),
        group_break=np.asarray(group_break, dtype=np.int64),
        placement=kept,
    )


def _matrix(columns: list[dict[int, float]], rows: int) -> sparse.csc_array:
    """Columns given as ``{row: value}`` -> a ``rows x len(columns)`` sparse matrix."""
    row_index = [i for col in columns for i in col]
    values = [v for col in columns for v in col.values()]
    col_index = [j for j, col in enumerate(columns) for _ in col]
    return sparse.csc_array((values, (row_index, col_index)), shape=(rows, len(columns)))


def best_cover(columns: CoverColumns) -> np.ndarray:
    """Per interval, the most an agent of any candidate can be on the floor there.

    A candidate's best is its shift share less, for each of its breaks, the least that any
    placement of that break takes from the interval (windows do not overlap, so the least
    of each break can be chosen together). Zero means no candidate can cover the interval.
    """
    shift = columns.shift_cover.toarray()
    rows = shift.shape[0]
    least = np.zeros_like(shift)
    brk = columns.break_cover.toarray()
    for g, j in enumerate(columns.group_shift):
        members = brk[:, columns.break_group == g]
        least[:, j] += members.min(axis=1) if members.size else 0.0
    on_floor = shift - least
    return on_floor.max(axis=1) if on_floor.size else np.zeros(rows)
