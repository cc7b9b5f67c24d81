"""Calendar dates in a scenario: ``run.start``, dated special days and forecast times.

A scenario's clock has no dates unless ``run.start`` gives one: the measured horizon starts
on a Monday at 00:00, and that Monday's date, when given, places special days and forecast
rows on the simulated days. Dates are written ISO-style (``2026-01-05``); YAML reads them as
dates, JSON (how scenarios travel to worker processes) as text, and both are accepted.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, PlainValidator

NOMINAL_MONDAY = date(2024, 1, 1)
"""The date shown for a horizon without ``run.start`` (a trace's timestamps start there)."""
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_date(value: object) -> date:
    """``2026-01-05`` (text or a YAML date) -> a date; a time of day is refused."""
    if isinstance(value, datetime):
        raise ValueError(f"'{value}' has a time of day; give a date like 2026-01-05")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"'{value}' is not a date like 2026-01-05")


def parse_datetime(value: object) -> datetime:
    """``2026-01-05T08:30`` (text, a YAML timestamp or a date) -> a naive datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).replace(tzinfo=None)
        except ValueError:
            pass
    raise ValueError(f"'{value}' is not a date and time like 2026-01-05T08:30")


CalendarDate = Annotated[
    date, BeforeValidator(parse_date), PlainSerializer(lambda d: d.isoformat(), when_used="json")
]
CalendarTime = Annotated[
    datetime,
    BeforeValidator(parse_datetime),
    PlainSerializer(lambda t: t.isoformat(timespec="minutes"), when_used="json"),
]


def parse_special_days(value: object) -> dict[date, float | str]:
    """``{2026-12-25: closed, 2026-12-24: 0.5}``: dates to a factor of zero or more, or
    ``closed``; a problem names its date (the whole mapping is one field)."""
    if not isinstance(value, dict):
        raise ValueError("give dates and factors, e.g. {2026-12-25: closed, 2026-12-24: 0.5}")
    days: dict[date, float | str] = {}
    for key, factor in value.items():
        try:
            day = parse_date(key)
        except ValueError as error:
            raise ValueError(f"{key}: {error}") from None
        if factor != "closed" and (
            isinstance(factor, bool)
            or not isinstance(factor, int | float)
            or not math.isfinite(factor)
            or factor < 0
        ):
            raise ValueError(
                f"{day.isoformat()}: '{factor}' is not a factor of zero or more, or closed"
            )
        if day in days:
            raise ValueError(f"{day.isoformat()} is given twice")
        days[day] = factor if factor == "closed" else float(factor)
    return days


SpecialDays = Annotated[
    dict[date, float | str],
    PlainValidator(parse_special_days),
    PlainSerializer(
        lambda days: {day.isoformat(): factor for day, factor in days.items()}, when_used="json"
    ),
]
"""Dated factors on demand: a number (0.5 = half the usual issues) or ``closed`` (none)."""


def day_factor(value: float | str) -> float:
    """A special day's factor as a number (``closed`` is 0)."""
    return 0.0 if value == "closed" else float(value)


def check_monday(value: date) -> date:
    """``value`` if it is a Monday, else a ValueError naming the Monday before it."""
    if value.weekday() != 0:
        monday = date.fromordinal(value.toordinal() - value.weekday())
        raise ValueError(
            f"{value.isoformat()} is a {WEEKDAY_NAMES[value.weekday()]}; the measured "
            f"horizon starts on a Monday: use {monday.isoformat()} (special days and a "
            "forecast may begin on any day after it)"
        )
    return value
