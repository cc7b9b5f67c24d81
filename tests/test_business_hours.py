"""Service level in business hours: the clock stops outside the weekly calendar.

An email team works Monday to Friday, 08:00-18:00, with ample agents. Measured in business
hours with that same calendar, every email is answered within 2 h of open time (the weekend
backlog clears in under an hour on Monday morning); in calendar time, only those sent while
the team works are.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from builders import build
from test_bad_input import MINIMAL, assert_bad, validate, write

from sim.experiment.replication import simulate
from sim.model.business_hours import BusinessClock

OFFICE = [{"days": "mon-fri", "from": "08:00", "to": "18:00"}]
HOUR = 3600.0


def office_data(business_hours: list | None) -> dict:
    level: dict = {"within": "2h", "target": 0.9}
    if business_hours is not None:
        level["business_hours"] = business_hours
    return {
        "name": "office",
        "run": {"horizon": "14d", "warmup": "0s", "replications": 1, "interval": "1h"},
        "demand": {"issues_per_hour": 10, "first_channel": {"email": 1.0}},
        "channels": {
            "email": {
                "handle_time": {"dist": "exponential", "mean": "5min"},
                "service_level": level,
            }
        },
        "pools": {
            "office": {
                "schedule": [{"days": "mon-fri", "from": "08:00", "to": "18:00", "agents": 60}],
                "skills": ["email"],
            }
        },
    }


def test_the_clock_stops_outside_business_hours() -> None:
    office = simulate(build(office_data(OFFICE)), 0).metrics
    calendar = simulate(build(office_data(None)), 0).metrics
    assert office[("email", "service_level")] == 1.0
    # in calendar time: about the 50 of 168 weekly hours the team works, plus a little
    assert 0.25 < calendar[("email", "service_level")] < 0.4
    assert office[("email", "answered")] == office[("email", "offered")]


def test_open_seconds_between_two_times() -> None:
    from sim.scenario.channels import OpenHours

    clock = BusinessClock([OpenHours.model_validate(w) for w in OFFICE], origin=0.0)
    assert clock.between(0.0, 9 * HOUR) == HOUR  # Monday 00:00 to 09:00
    assert clock.between(17 * HOUR, 33 * HOUR) == 2 * HOUR  # Monday 17:00 to Tuesday 09:00
    assert clock.between(4 * 24 * HOUR + 17 * HOUR, 7 * 24 * HOUR + 9 * HOUR) == 2 * HOUR
    assert clock.per_week == 50 * HOUR


@pytest.mark.parametrize(
    ("hours", "fragment"),
    [
        ("[]", "channels.phone.service_level.business_hours"),
        ('[{days: mon-fri, from: "08:00", to: "25:00"}]', "business_hours[0]"),
    ],
)
def test_business_hours_with_no_open_time_are_refused(
    tmp_path: Path, hours: str, fragment: str
) -> None:
    text = MINIMAL.replace(
        "    handle_time: {dist: exponential, mean: 5min}\n",
        "    handle_time: {dist: exponential, mean: 5min}\n"
        f"    service_level: {{within: 20s, business_hours: {hours}}}\n",
    )
    assert_bad(validate(write(tmp_path, text)), fragment)


def office_clock(origin: float = 0.0) -> BusinessClock:
    from sim.scenario.channels import OpenHours

    return BusinessClock([OpenHours.model_validate(w) for w in OFFICE], origin=origin)


def test_closed_time_adds_nothing_and_the_week_starts_at_the_origin() -> None:
    """Two times both outside the calendar are no open time apart; the calendar's Monday
    00:00 is the origin (the horizon's start after the warm-up), not simulation time 0."""
    clock = office_clock()
    assert clock.between(19 * HOUR, 20 * HOUR) == 0.0  # Monday evening
    assert clock.between(20 * HOUR, 33 * HOUR) == HOUR  # Monday 20:00 to Tuesday 09:00
    warm = office_clock(origin=6 * HOUR)  # a 6 h warm-up: Monday 00:00 is at 6 h
    assert warm.between(6 * HOUR, 15 * HOUR) == HOUR  # Monday 00:00 to 09:00
    assert warm.between(0.0, 6 * HOUR) == 0.0  # Sunday 18:00 to midnight


@pytest.mark.parametrize("business", [60.0, 2 * HOUR, 50 * HOUR, 120 * HOUR])
def test_the_calendar_span_holds_the_business_time_from_any_start(business: float) -> None:
    """Long enough from every start in the week, and at most a week longer than the whole
    weeks the business time needs (a start anywhere in the week costs at most one more)."""
    clock = office_clock()
    span = clock.calendar_span(business)
    for start in np.arange(0.0, 7 * 24 * HOUR, 1800.0):
        assert clock.between(start, start + span) >= business
    assert span <= (math.ceil(business / clock.per_week) + 1) * 7 * 24 * HOUR


def test_a_calendar_never_open_asks_for_no_follow_up() -> None:
    """Scenarios refuse it; the clock itself gives 0 rather than dividing by zero."""
    assert BusinessClock([], origin=0.0).calendar_span(HOUR) == 0.0
