"""Business hours: a weekly calendar in which a service-level clock runs.

An email SLA of "90% within 8 business hours" counts only the time the centre is open:
the clock stops outside the calendar. :class:`BusinessClock` turns a contact's arrival and
answer times into the open seconds between them, from the weekly opening hours
(``service_level.business_hours``). Nothing is drawn.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable

from sim.model.agents import WEEK, weekly_headcount


def open_steps(hours: Iterable[object]) -> list[tuple[float, int]]:
    """The week as steps ``(second of week, open?)`` from windows ``{days, from, to}``."""
    return weekly_headcount(hours)  # type: ignore[arg-type]


class BusinessClock:
    """Open seconds between two simulation times, under a weekly calendar."""

    def __init__(self, hours: Iterable[object], origin: float) -> None:
        steps = open_steps(hours)
        self.origin = origin  # simulation time of the Monday 00:00 that starts the horizon
        self.starts = [t for t, _ in steps]
        self.open = [n > 0 for _, n in steps]
        self.before: list[float] = []  # open seconds of the week before each step
        total = 0.0
        edges = [*self.starts, WEEK]
        for i, is_open in enumerate(self.open):
            self.before.append(total)
            total += (edges[i + 1] - edges[i]) if is_open else 0.0
        self.per_week = total

    def elapsed(self, t: float) -> float:
        """Open seconds from the origin's week start to simulation time ``t``."""
        clock = t - self.origin
        weeks = math.floor(clock / WEEK)
        second = clock - weeks * WEEK
        i = bisect_right(self.starts, second) - 1
        within = (second - self.starts[i]) if self.open[i] else 0.0
        return weeks * self.per_week + self.before[i] + within

    def between(self, start: float, end: float) -> float:
        """Open seconds from ``start`` to ``end``."""
        return self.elapsed(end) - self.elapsed(start)

    def calendar_span(self, business: float) -> float:
        """A calendar time long enough to hold ``business`` open seconds from any start."""
        if self.per_week <= 0:
            return 0.0
        return (math.ceil(business / self.per_week) + 1) * WEEK
