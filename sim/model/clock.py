"""Scheduling on the SimPy environment, and the calendar of a run.

The model is driven by callbacks rather than SimPy processes: a :class:`Timer` is an event
that is already triggered, carries one payload (a contact, an agent) in its value and calls
one function when its time comes. That is all a contact centre needs (a wait, then
something happens), and it avoids a generator frame and an ``AnyOf`` race per contact.

Calendar: simulation time is in seconds. The measured horizon starts on a Monday at 00:00,
``warmup`` seconds after time zero; the warm-up runs over the days just before it. After the
horizon the simulation goes on for a follow-up period (arrivals included, nothing new
counted) so that contacts offered near the end still get their outcome: an email offered an
hour before the end is not a service-level miss merely because the run stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL, Event

from sim.scenario.units import DAY

WEEK = 7 * DAY


class Timer(Event):
    """Call ``callback(event)`` after ``delay``; the payload is ``event.value``.

    Scheduled straight onto the environment's heap, exactly as ``Environment.schedule`` does.
    """

    def __init__(
        self, env: simpy.Environment, delay: float, callback: Callable[[Event], None], payload: Any
    ) -> None:
        self.env = env
        self.callbacks = [callback]
        self._ok = True
        self._value = payload
        heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), self))


def run_until(env: simpy.Environment, until: float) -> None:
    """Process every event before ``until``, then set the clock to ``until``.

    The same as ``env.run(until=until)`` for a model made only of :class:`Timer` events
    (always successful, never interrupted), without the per-step bookkeeping SimPy needs for
    processes and failures.
    """
    queue = env._queue
    while queue and queue[0][0] < until:
        now, _, _, event = heappop(queue)
        env._now = now
        callbacks, event.callbacks = event.callbacks, None
        for callback in callbacks:
            callback(event)
    env._now = until


class Calendar:
    """Maps simulation time to reporting intervals and clock time for one run."""

    def __init__(
        self, warmup: float, horizon: float, interval: float, follow_up: float = 0.0
    ) -> None:
        self.warmup = warmup
        self.horizon = horizon
        self.end = warmup + horizon
        self.interval = interval
        self.follow_up = follow_up
        self.run_until = self.end + follow_up

    def interval_of(self, t: float) -> int:
        """Reporting interval of time ``t``; -1 outside the horizon (warm-up, follow-up)."""
        if t < self.warmup or t >= self.end:
            return -1
        return int((t - self.warmup) // self.interval)

    def clock(self, t: float) -> float:
        """Seconds since the Monday 00:00 that starts the measured horizon (negative before)."""
        return t - self.warmup

    def sim_time(self, clock: float) -> float:
        """Simulation time of a clock time (inverse of :meth:`clock`)."""
        return clock + self.warmup
