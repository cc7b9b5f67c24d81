"""Option types of the Erlang calculators: durations with units, fractions, headcounts.

Inputs are given the way a planner states them (calls per hour, durations with units); bad
values exit 2 with one line naming the option.
"""

from __future__ import annotations

import math
from typing import Any

import click

from sim.scenario.units import parse_duration

MAX_ROWS = 1_000
MAX_HEADCOUNT = 200_000
"""Limits that keep a typo (``--agents 1:100000000``) from hanging the terminal."""


class Duration(click.ParamType):
    """A duration with a unit (``20s``, ``5min``, ``1.5h``), converted to seconds."""

    name = "duration"

    def __init__(self, allow_zero: bool = False) -> None:
        self.allow_zero = allow_zero

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, float):  # already converted (a default, or a second pass)
            return value
        text = str(value).strip()
        try:
            # A bare number gets parse_duration's own message ("a duration needs a unit").
            seconds = parse_duration(_bare_number(text) if _is_number(text) else text)
        except ValueError as error:
            self.fail(str(error), param, ctx)
        if seconds < 0 or (seconds == 0 and not self.allow_zero):
            self.fail(f"'{text}' must be longer than 0", param, ctx)
        return seconds


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _bare_number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


class PositiveNumber(click.ParamType):
    """A finite number > 0 (click's FloatRange lets NaN and infinity through)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"'{value}' is not a number", param, ctx)
        if not (math.isfinite(number) and number > 0):
            self.fail(f"'{value}' must be a finite number > 0", param, ctx)
        return number


class Fraction(click.ParamType):
    """A fraction in [0, 1), or (0, 1) without ``allow_zero`` (1 is never met exactly)."""

    name = "fraction"

    def __init__(self, allow_zero: bool = True) -> None:
        self.allow_zero = allow_zero

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"'{value}' is not a number", param, ctx)
        low = 0.0 if self.allow_zero else math.nextafter(0.0, 1.0)
        if not low <= number < 1.0:  # also refuses NaN
            bounds = "[0, 1)" if self.allow_zero else "(0, 1)"
            self.fail(f"'{value}' must be a fraction in {bounds}, e.g. 0.8", param, ctx)
        return number


class Headcounts(click.ParamType):
    """``10``, an inclusive range ``8:14`` or ``8:20:2``, or a list ``8,10,12``."""

    name = "agents"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        counts: set[int] = set()
        for part in str(value).split(","):
            try:
                numbers = _headcount_part(part.strip())
            except ValueError as error:
                self.fail(str(error), param, ctx)
            if len(numbers) + len(counts) > MAX_ROWS:
                self.fail(f"'{value}' asks for more than {MAX_ROWS:,} rows", param, ctx)
            counts.update(numbers)
        return tuple(sorted(counts))


def _headcount_part(text: str) -> range:
    pieces = text.split(":")
    if len(pieces) > 3 or not all(pieces):
        raise ValueError(f"'{text}' is not a headcount or a range like 8:14 or 8:20:2")
    try:
        numbers = [int(p) for p in pieces]
    except ValueError:
        raise ValueError(
            f"'{text}' is not a whole number of agents (or a range like 8:14)"
        ) from None
    low, high = numbers[0], numbers[min(1, len(numbers) - 1)]
    step = numbers[2] if len(numbers) == 3 else 1
    if low < 1:
        raise ValueError(f"'{text}': the headcount must be at least 1")
    if high < low:
        raise ValueError(f"'{text}' is an empty range (the end is below the start)")
    if step < 1:
        raise ValueError(f"'{text}': the step must be at least 1")
    if high > MAX_HEADCOUNT:
        raise ValueError(f"'{text}': at most {MAX_HEADCOUNT:,} agents")
    return range(low, high + 1, step)


DURATION = Duration()
DURATION_OR_ZERO = Duration(allow_zero=True)
