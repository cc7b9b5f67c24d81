"""Agent pools: schedules, shrinkage, concurrency and occupancy."""

from __future__ import annotations

import math

import pytest
from builders import build, mmc_data
from recorders import most_at_once

from sim.experiment.replication import simulate, tabulate
from sim.model.agents import WEEK, Pool, productive_agents, weekly_headcount
from sim.model.centre import Centre
from sim.scenario.schema import Pool as PoolSpec
from sim.scenario.schema import Shift
from sim.scenario.units import DAY


def shift(days: str, start: str, end: str, agents: int) -> Shift:
    return Shift.model_validate({"days": days, "from": start, "to": end, "agents": agents})


def test_weekly_headcount_adds_overlapping_shifts() -> None:
    steps = weekly_headcount([shift("mon", "08:00", "16:00", 5), shift("mon", "12:00", "20:00", 3)])
    assert steps == [
        (0.0, 0),
        (8 * 3600.0, 5),
        (12 * 3600.0, 8),
        (16 * 3600.0, 3),
        (20 * 3600.0, 0),
    ]


def test_shifts_starting_or_ending_together_add_up() -> None:
    steps = weekly_headcount(
        [
            shift("tue", "08:00", "12:00", 2),
            shift("tue", "08:00", "16:00", 3),
            shift("tue", "10:00", "16:00", 4),
        ]
    )
    tue = DAY
    assert steps == [
        (0.0, 0),
        (tue + 8 * 3600.0, 5),
        (tue + 10 * 3600.0, 9),
        (tue + 12 * 3600.0, 7),
        (tue + 16 * 3600.0, 0),
    ]


def test_a_shift_from_and_to_the_same_time_lasts_a_whole_day() -> None:
    steps = weekly_headcount([shift("wed", "08:00", "08:00", 2)])
    assert steps == [(0.0, 0), (2 * DAY + 8 * 3600.0, 2), (3 * DAY + 8 * 3600.0, 0)]


def test_overnight_shift_on_sunday_wraps_to_monday_morning() -> None:
    steps = weekly_headcount([shift("sun", "22:00", "06:00", 4)])
    assert steps[0] == (0.0, 4)  # Monday 00:00 is still Sunday's night shift
    assert (6 * 3600.0, 0) in steps
    assert (6 * DAY + 22 * 3600.0, 4) in steps
    assert all(0 <= t < WEEK for t, _ in steps)


@pytest.mark.parametrize("per_hour", [1e-9, 20.0])
def test_scheduled_hours_and_shrinkage_drive_paid_and_productive_time(per_hour: float) -> None:
    data = mmc_data(per_hour=per_hour, horizon="7d", warmup="0s", replications=1)
    data["pools"]["voice"] = {
        "schedule": [{"days": "mon-fri", "from": "08:00", "to": "18:00", "agents": 10}],
        "skills": ["phone"],
        "shrinkage": 0.3,
        "cost_per_hour": 20,
    }
    metrics = simulate(build(data), 0).metrics
    paid = 5 * 10 * 10  # five days, ten hours, ten agents
    assert metrics[("pool:voice", "paid_hours")] == pytest.approx(paid)
    assert metrics[("pool:voice", "cost")] == pytest.approx(paid * 20)
    productive_hours = 5 * 10 * 7  # 30% shrinkage leaves 7 of 10 agents
    mean_on_duty = productive_hours / (7 * 24)
    on_duty = metrics[("pool:voice", "agents_on_duty")]
    if metrics[("phone", "offered")] == 0:
        assert on_duty == pytest.approx(mean_on_duty)
    else:  # agents finish the call in hand when their shift ends: a little unpaid overrun
        assert mean_on_duty < on_duty < mean_on_duty * 1.01


@pytest.mark.parametrize(
    ("scheduled", "shrinkage", "on_floor"),
    [(18, 0.3, 12), (9, 0.5, 4), (10, 0.3, 7), (3, 0.5, 1), (7, 0.0, 7), (1, 0.99, 0)],
)
def test_shrinkage_floors_to_whole_agents_on_the_floor(
    scheduled: int, shrinkage: float, on_floor: int
) -> None:
    """Productive agents = floor(scheduled x (1 - shrinkage)), simulated, not just computed:
    18 at 30% is 12.6 agents, of which 12 are on the floor (round would give 13)."""
    data = mmc_data(per_hour=1e-9, horizon="1d", warmup="0s", replications=1)
    data["pools"]["voice"] = {"agents": scheduled, "skills": ["phone"], "shrinkage": shrinkage}
    metrics = simulate(build(data), 0).metrics
    assert metrics[("pool:voice", "agents_on_duty")] == pytest.approx(on_floor)


@pytest.mark.parametrize("shrinkage", [0.1, 0.15, 0.27, 0.3, 0.33, 0.5])
@pytest.mark.parametrize("required", range(1, 60))
def test_staffing_start_puts_the_required_agents_on_the_floor(
    required: int, shrinkage: float
) -> None:
    """The ceil of staffing and the floor of the model agree: ceil(r / (1 - s)) scheduled
    agents leave at least r on the floor, and one fewer leaves fewer than r."""
    scheduled = math.ceil(required / (1 - shrinkage) - 1e-9)
    assert productive_agents(scheduled, shrinkage) >= required
    assert productive_agents(scheduled - 1, shrinkage) < required


def test_calls_outside_opening_hours_wait_for_the_morning() -> None:
    data = mmc_data(per_hour=20.0, horizon="2d", warmup="0s", replications=1)
    data["pools"]["voice"] = {
        "schedule": [{"days": "all", "from": "08:00", "to": "18:00", "agents": 5}],
        "skills": ["phone"],
    }
    metrics = simulate(build(data), 0).metrics
    assert metrics[("phone", "p_wait")] > 0.5  # everyone calling at night waits
    assert metrics[("phone", "asa_seconds")] > 3600


def test_concurrency_lets_one_agent_hold_several_social_threads(timed) -> None:
    data = mmc_data(agents=1, per_hour=30.0, aht="10min", replications=1, horizon="1d")
    data["demand"]["first_channel"] = {"social": 1.0}
    data["channels"] = {"social": {"handle_time": {"dist": "exponential", "mean": "10min"}}}
    data["pools"]["voice"] = {"agents": 1, "skills": ["social"], "concurrency": {"social": 3}}
    data["policy"] = {"routing": timed.name}
    # 5 Erlangs of social work on one agent with three slots: it holds three at once, never
    # more, and so answers about three times what it answers one at a time
    centre = Centre(build(data), 0)
    metrics = tabulate(centre.scenario, centre.run()).metrics
    assert most_at_once(centre.router.spans[("voice", 0)]) == 3
    assert metrics[("pool:voice", "occupancy")] == pytest.approx(1.0, abs=1e-9)
    single = Centre(build(data, pools={"voice": {"concurrency": {"social": 1}}}), 0)
    one_at_a_time = tabulate(single.scenario, single.run()).metrics
    assert most_at_once(single.router.spans[("voice", 0)]) == 1
    assert metrics[("social", "answered")] > 2.4 * one_at_a_time[("social", "answered")]


def test_emails_near_the_end_are_followed_up_not_counted_as_misses() -> None:
    """Emails from the last evening are answered next morning, after the horizon: the run
    follows them up (for the 24 h threshold) instead of counting them as misses."""
    data = mmc_data(per_hour=20.0, horizon="2d", warmup="0s", replications=1)
    data["demand"]["first_channel"] = {"email": 1.0}
    data["channels"] = {"email": {"service_level": {"within": "24h", "target": 0.9}}}
    data["pools"]["voice"] = {
        "schedule": [{"days": "all", "from": "08:00", "to": "18:00", "agents": 10}],
        "skills": ["email"],
    }
    result = simulate(build(data), 0)
    metrics = result.metrics
    assert metrics[("email", "service_level")] == 1.0
    assert metrics[("email", "waiting_end")] == 0
    email = result.intervals[result.intervals["scope"] == "email"]
    assert email["offered"].sum() == metrics[("email", "offered")]  # nothing after the end
    assert len(email) == 2 * 24  # two days of hourly intervals


def test_a_reservation_keeps_exactly_that_many_agents_idle_for_its_channel() -> None:
    spec = PoolSpec.model_validate({"agents": 3, "skills": ["phone", "email"]})
    pool = Pool("shared", spec)
    pool.set_reserve({"phone": 2})
    pool.set_headcount(0.0, 3)
    assert pool.can_take(0, "email")  # three idle: one may take email
    pool.seize(0.0, 0, "phone")
    idle = [agent for agent in range(3) if pool.free[agent] == pool.capacity]
    assert len(idle) == 2
    assert not pool.can_take(idle[0], "email")  # two idle are the two reserved
    assert pool.can_take(idle[0], "phone")
    assert pool.find_agent("email") == -1 and pool.find_agent("phone") in idle
