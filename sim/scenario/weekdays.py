"""Days and times of day as scenario files write them: ``mon-fri``, ``"08:30"``.

Shared by pool shifts and service-level business hours (``sim.scenario.schema`` re-exports
them, where they were first defined).
"""

from __future__ import annotations

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK_SECONDS_MAX = 86400.0


def parse_clock(value: str) -> float:
    """``"08:30"`` -> seconds after midnight; ``"24:00"`` is the end of the day."""
    try:
        hours, minutes = value.split(":")
        seconds = int(hours) * 3600.0 + int(minutes) * 60.0
    except (ValueError, AttributeError):
        raise ValueError(f"'{value}' is not a time of day like '08:30'") from None
    if not 0 <= seconds <= _CLOCK_SECONDS_MAX or not 0 <= int(minutes) < 60:
        raise ValueError(f"'{value}' is not a time of day between 00:00 and 24:00")
    return seconds


def parse_days(value: str) -> tuple[int, ...]:
    """``"mon-fri"``, ``"sat,sun"``, ``"all"`` -> weekday numbers (Monday is 0)."""
    text = value.strip().lower()
    if text in ("all", "daily", "mon-sun"):
        return tuple(range(7))
    days: list[int] = []
    for part in text.split(","):
        ends = [p.strip() for p in part.split("-")]
        if any(end not in WEEKDAYS for end in ends) or len(ends) > 2:
            raise ValueError(f"'{value}' is not a day range like 'mon-fri' or 'sat,sun'")
        first, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        span = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
        days.extend(span)
    return tuple(sorted(set(days)))
