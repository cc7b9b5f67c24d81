"""Durations with units: the only way a scenario states a time.

``"20s"``, ``"6min"``, ``"4h"``, ``"2d"`` are accepted; a bare number is refused because a
planner who writes ``patience: 3`` could mean seconds or minutes, and a silent guess would
be off by a factor of sixty. Inside the simulator every time is a float in seconds.
"""

from __future__ import annotations

import math
import re

SECONDS_PER: dict[str, float] = {
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "min": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "d": 86400.0,
    "w": 604800.0,
}
DAY = 86400.0

_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Z]+)\s*$")


def parse_duration(value: object) -> float:
    """Return the duration ``value`` (e.g. ``"6min"``) in seconds.

    Raises ``ValueError`` with a message a planner can act on.
    """
    if isinstance(value, bool | int | float):
        raise ValueError(
            f"a duration needs a unit, e.g. '{value}s', '{value}min' or '{value}h' "
            f"(got the bare number {value!r})"
        )
    if not isinstance(value, str):
        raise ValueError(f"a duration must be a string like '6min' (got {type(value).__name__})")
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"'{value}' is not a duration; write a number and a unit, e.g. '6min'")
    number, unit = match.groups()
    factor = SECONDS_PER.get(unit.lower())
    if factor is None:
        units = ", ".join(SECONDS_PER)
        raise ValueError(f"unknown time unit '{unit}' in '{value}'; use one of {units}")
    seconds = float(number) * factor
    if not math.isfinite(seconds):
        raise ValueError(f"'{value}' is not a finite duration")
    return seconds


def format_duration(seconds: float) -> str:
    """Write ``seconds`` back in the largest unit that expresses it exactly."""
    for unit in ("d", "h", "min", "s"):
        factor = SECONDS_PER[unit]
        count = seconds / factor
        if count >= 1 and abs(count - round(count)) < 1e-9:
            return f"{round(count)}{unit}"
    return f"{seconds!r}s"
