"""The week of reporting intervals that requirements and schedules are compared on.

A planning week starts on Monday 00:00, like the simulator's calendar, and is cut into the
scenario's reporting intervals (``run.interval``, 30 min in the baseline): ``7 x per_day``
of them. The week is treated as cyclic, so a shift that starts on Sunday at 22:00 covers
Sunday night and then Monday 00:00-06:00 of the same (repeating) week -- the way a weekly
roster is worked. Times are whole seconds here to keep the arithmetic exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sim.scenario.schema import WEEKDAYS
from sim.scenario.units import DAY

DAY_SECONDS = int(DAY)
WEEK_SECONDS = 7 * DAY_SECONDS


@dataclass(frozen=True)
class WeekGrid:
    """The reporting intervals of one cyclic week; ``interval`` in whole seconds."""

    interval: int

    def __post_init__(self) -> None:
        if self.interval <= 0 or DAY_SECONDS % self.interval:
            raise ValueError(f"an interval of {self.interval}s does not divide a day evenly")

    @property
    def per_day(self) -> int:
        """Intervals in a day."""
        return DAY_SECONDS // self.interval

    @property
    def count(self) -> int:
        """Intervals in the week."""
        return 7 * self.per_day

    def fractions(self, begin: int, end: int) -> list[tuple[int, float]]:
        """Share of each interval covered by the span ``[begin, end)`` (seconds of the week).

        ``end`` may run past the end of the week: the part beyond wraps to Monday. Returns
        ``(interval index, fraction of that interval covered)`` for every interval touched.
        """
        if end - begin > WEEK_SECONDS:
            raise ValueError("a span longer than a week")
        size = self.interval
        shares: list[tuple[int, float]] = []
        index = begin // size
        while index * size < end:
            lo = max(begin, index * size)
            hi = min(end, (index + 1) * size)
            if hi > lo:
                shares.append((index % self.count, (hi - lo) / size))
            index += 1
        return shares

    def weekday(self, index: int) -> str:
        """``mon`` ... ``sun`` for interval ``index``."""
        return WEEKDAYS[index // self.per_day]

    def time(self, index: int) -> str:
        """Start of interval ``index`` as ``HH:MM``."""
        return format_clock((index % self.per_day) * self.interval)

    def label(self, index: int) -> str:
        """``mon 08:30`` for interval ``index``."""
        return f"{self.weekday(index)} {self.time(index)}"

    def describe(self, indices: Iterable[int]) -> str:
        """Intervals as readable ranges: ``mon 00:00-06:00, tue 00:00-06:00``."""
        ordered = sorted(set(indices))
        runs: list[tuple[int, int]] = []
        for index in ordered:
            same_day = runs and runs[-1][1] // self.per_day == index // self.per_day
            if same_day and runs[-1][1] + 1 == index:
                runs[-1] = (runs[-1][0], index)
            else:
                runs.append((index, index))
        parts = []
        for first, last in runs:
            end = format_clock(((last % self.per_day) + 1) * self.interval)
            parts.append(f"{self.label(first)}-{end}")
        return ", ".join(parts)


def format_clock(seconds: float) -> str:
    """Seconds after midnight as ``HH:MM`` (a full day is ``24:00``; beyond, wraps)."""
    whole = round(seconds)
    if whole != DAY_SECONDS:
        whole %= DAY_SECONDS
    hours, rest = divmod(whole, 3600)
    return f"{hours:02d}:{rest // 60:02d}"


def format_days(days: Iterable[int]) -> str:
    """Weekday numbers as the scenario writes them: ``all``, ``mon-fri``, ``sat-wed``, ``mon,thu``.

    Consecutive days are joined into ranges, wrapping past Sunday (``sat-tue``), which
    :func:`sim.scenario.schema.parse_days` reads back to the same set.
    """
    chosen = sorted(set(days))
    if not chosen:
        raise ValueError("no days")
    if len(chosen) == 7:
        return "all"
    # start each run at a chosen day whose previous day is not chosen
    starts = [d for d in chosen if (d - 1) % 7 not in chosen]
    parts = []
    for first in starts:
        last = first
        while (last + 1) % 7 in chosen:
            last = (last + 1) % 7
        if last == first:
            parts.append(WEEKDAYS[first])
        else:
            parts.append(f"{WEEKDAYS[first]}-{WEEKDAYS[last]}")
    return ",".join(parts)
