"""The clock: timers and SimPy events share one queue, in SimPy's order."""

from __future__ import annotations

import math

import numpy as np
import simpy
from hypothesis import given
from hypothesis import strategies as st

from sim.model.clock import Calendar, Clock


def test_timers_and_simpy_processes_interleave_in_time_order() -> None:
    env = Clock()
    seen: list[tuple[float, str]] = []

    def process(env: Clock):
        for _ in range(3):
            yield env.timeout(1.5)
            seen.append((env.now, "process"))

    env.process(process(env))
    for delay in (1.0, 2.0, 4.0):
        env.after(delay, lambda label: seen.append((env.now, label)), f"timer {delay:g}")
    env.run_until(10.0)
    assert seen == [
        (1.0, "timer 1"),
        (1.5, "process"),
        (2.0, "timer 2"),
        (3.0, "process"),
        (4.0, "timer 4"),
        (4.5, "process"),
    ]
    assert env.now == 10.0


def test_env_run_processes_timers_as_simpy_would() -> None:
    env = Clock()
    seen: list[float] = []
    env.after(2.0, lambda _: seen.append(env.now), None)

    def wait(env: Clock):
        yield env.timeout(1.0)
        seen.append(-env.now)

    env.process(wait(env))
    env.run()
    assert seen == [-1.0, 2.0]
    assert env.now == 2.0


def test_equal_times_run_in_scheduling_order_and_before_an_arrival() -> None:
    env = Clock()
    seen: list[str] = []
    env.after(5.0, seen.append, "first")
    env.after(5.0, seen.append, "second")
    arrivals = [(5.0, "a"), (7.0, "b"), (30.0, "c")]
    env.run_until(20.0, arrivals, lambda name: seen.append(f"arrival {name} {env.now:g}"))
    assert seen == ["first", "second", "arrival a 5", "arrival b 7"]


def test_nothing_at_or_after_until_runs() -> None:
    env = Clock()
    seen: list[str] = []
    env.after(3.0, seen.append, "at until")
    env.run_until(3.0, [(3.0, None)], lambda _: seen.append("arrival"))
    assert seen == []
    assert env.payloads() == ["at until"]
    env.run_until(4.0)
    assert seen == ["at until"]


def test_a_failed_simpy_event_still_crashes_the_run() -> None:
    env = Clock()
    env.event().fail(RuntimeError("boom"))
    try:
        env.run_until(1.0)
    except RuntimeError as error:
        assert str(error) == "boom"
    else:
        raise AssertionError("a failed event was swallowed")
    seen: list[float] = []
    env.after(1.5, lambda _: seen.append(env.now), None)
    env.run_until(2.0)  # the first run's stop mark at 1.0 must not stop this one
    assert seen == [1.5]
    assert env.now == 2.0


def test_calendar_intervals_cover_the_horizon_only() -> None:
    calendar = Calendar(warmup=100.0, horizon=1000.0, interval=250.0, follow_up=50.0)
    assert calendar.interval_of(99.9) == -1
    assert calendar.interval_of(100.0) == 0
    assert calendar.interval_of(349.9) == 0
    assert calendar.interval_of(350.0) == 1
    assert calendar.interval_of(1099.9) == 3
    assert calendar.interval_of(1100.0) == -1
    assert calendar.run_until == 1150.0
    assert isinstance(Clock(), simpy.Environment)


@given(
    st.lists(st.floats(min_value=0.0, max_value=2e6, allow_nan=False), min_size=1),
    st.floats(min_value=0.0, max_value=1e5),
    st.sampled_from([900.0, 1800.0, 3600.0, 1234.5]),
)
def test_intervals_of_many_times_equal_interval_of_each(
    times: list[float], warmup: float, interval: float
) -> None:
    calendar = Calendar(warmup=warmup, horizon=40 * interval, interval=interval)
    edges = [warmup + i * interval for i in range(41)]  # boundaries, where rounding bites
    times = times + edges + [math.nextafter(t, -math.inf) for t in edges]
    bulk = calendar.intervals_of(np.asarray(times)).tolist()
    assert bulk == [calendar.interval_of(t) for t in times]


def test_simpy_internals_the_clock_relies_on_are_as_expected() -> None:
    """The contract with SimPy (pinned below its next major version in pyproject.toml): the
    event queue is a heap list ``_queue`` of ``(time, priority, eid, event)`` entries, ``_eid``
    counts scheduling order, the time is read and set through ``_now``, and NORMAL/URGENT
    order entries due at the same time. If SimPy changes any of these, this fails first."""
    import itertools

    import simpy
    from simpy.events import NORMAL, URGENT

    env = Clock()
    assert isinstance(env._queue, list) and isinstance(env._eid, itertools.count)
    assert URGENT < NORMAL
    env.timeout(5.0)
    (entry,) = env._queue
    assert len(entry) == 4 and entry[0] == 5.0 and entry[1] == NORMAL
    assert isinstance(entry[3], simpy.events.Timeout)
    env.after(5.0, lambda payload: None, None)
    assert [len(e) for e in sorted(env._queue)] == [4, 5]  # SimPy's first: scheduled first
    env.run()
    assert env.now == 5.0 and simpy.Environment.now.fget(env) == 5.0
