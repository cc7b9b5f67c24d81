"""An independent check of schedule coverage: shifts written minute by minute on a week.

Nothing here uses the package's coverage matrices: an agent on shift adds 1 to each
minute of the week it works, a break takes 1 away, and minutes past Sunday midnight wrap
to Monday. Averaging the minutes of each reporting interval gives agents on the floor.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

WEEK_MINUTES = 7 * 1440


def timeline(start: int, length: int, days: Iterable[int], breaks=()) -> np.ndarray:
    """Agents on the floor per minute of the week for one agent (all times in minutes)."""
    line = np.zeros(WEEK_MINUTES)
    for day in days:
        first = day * 1440 + start
        line[(first + np.arange(length)) % WEEK_MINUTES] += 1
        for offset, size in breaks:
            line[(first + offset + np.arange(size)) % WEEK_MINUTES] -= 1
    return line


def per_interval(line: np.ndarray, interval_minutes: int) -> np.ndarray:
    """Mean of each interval's minutes."""
    return line.reshape(-1, interval_minutes).mean(axis=1)


def rows_cover(rows, interval_minutes: int, pool: str | None = None, breaks: bool = True):
    """Agents on the floor per interval from rostered ``ShiftRow`` objects."""
    line = np.zeros(WEEK_MINUTES)
    for row in rows:
        if pool is not None and row.pool != pool:
            continue
        cand = row.candidate
        taken = [(p.offset // 60, p.length // 60) for p in row.placements] if breaks else []
        line += row.count * timeline(cand.start // 60, cand.length // 60, cand.days, taken)
    return per_interval(line, interval_minutes)
