"""The simulation clock (a SimPy environment with cheap timers), and the calendar of a run.

The model is driven by callbacks rather than SimPy processes: a contact centre only ever
needs "after this long, do that to this contact", so a timer is one entry on SimPy's own
event queue, ``(time, NORMAL, id, callback, payload)``, with no event object, generator
frame or ``AnyOf`` race per contact. :class:`Clock` is a full :class:`simpy.Environment` —
SimPy processes and events can share it with the timers, and ``env.run()`` still works —
whose fast loop :meth:`Clock.run_until` also merges in the day's pre-drawn arrivals, so an
arrival costs no queue operation at all.

Calendar: simulation time is in seconds. The measured horizon starts on a Monday at 00:00,
``warmup`` seconds after time zero; the warm-up runs over the days just before it. After the
horizon the simulation goes on for a follow-up period (arrivals included, nothing new
counted) so that contacts offered near the end still get their outcome: an email offered an
hour before the end is not a service-level miss merely because the run stopped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from heapq import heapify, heappop, heappush
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL, URGENT

from sim.scenario.units import DAY

WEEK = 7 * DAY
NEVER = (math.inf, None)  # the arrival after the last one
TIMER = 5  # length of a timer entry on the queue; SimPy's own event entries have 4 items


class Clock(simpy.Environment):
    """A SimPy environment that also runs plain callback timers.

    ``after(delay, callback, payload)`` calls ``callback(payload)`` ``delay`` seconds from
    now. Entries are ordered exactly as SimPy orders events (time, priority, then the order
    they were scheduled in), so runs are deterministic.
    """

    now: float = 0.0  # a plain attribute here, read on every event (SimPy's is a property)

    @property  # type: ignore[override]
    def _now(self) -> float:  # SimPy's own code reads and sets the time through ``_now``
        return self.now

    @_now.setter
    def _now(self, value: float) -> None:
        self.now = value

    def after(self, delay: float, callback: Callable[[Any], None], payload: Any) -> None:
        """Call ``callback(payload)`` after ``delay`` seconds."""
        heappush(self._queue, (self.now + delay, NORMAL, next(self._eid), callback, payload))

    def step(self) -> None:
        """Process the next timer or SimPy event (so ``env.run()`` works as in SimPy)."""
        queue = self._queue
        if queue and len(queue[0]) == TIMER:
            self.now, _, _, callback, payload = heappop(queue)
            callback(payload)
        else:
            super().step()

    def run_until(
        self,
        until: float,
        arrivals: Iterable[tuple[float, Any]] = (),
        on_arrival: Callable[[Any], None] = lambda payload: None,
    ) -> None:
        """Process everything before ``until``, then set the clock to ``until``.

        ``arrivals`` are ``(time, payload)`` pairs in increasing time: at each time,
        ``on_arrival(payload)`` is called. They are merged with the queue (queued entries
        first at equal times) rather than queued one by one. SimPy events on the queue are
        processed as :meth:`simpy.Environment.step` does.
        """
        queue = self._queue
        pairs = iter(arrivals)
        arrival, arriving = next(pairs, NEVER)  # the next arrival's time and payload
        # A stop mark at ``until``, ahead of anything else due then: the queue is never empty
        # in the loop, and reaching the mark ends it.
        mark = (until, URGENT, -1, None, None)
        heappush(queue, mark)
        try:
            while True:
                entry = queue[0]
                if entry[0] <= arrival:
                    if len(entry) == TIMER:
                        self.now, _, _, callback, payload = heappop(queue)
                        if callback is None:
                            mark = None
                            break
                        callback(payload)
                    else:
                        super().step()
                else:  # the arrival comes first (and before the mark, so before ``until``)
                    self.now = arrival
                    on_arrival(arriving)
                    arrival, arriving = next(pairs, NEVER)
        finally:
            if mark is not None:  # stopped by an exception: take the mark back out
                queue.remove(mark)
                heapify(queue)
        self.now = until

    def payloads(self) -> list[Any]:
        """Payloads of the timers still pending (for census checks, not for the hot loop)."""
        return [entry[4] for entry in self._queue if len(entry) == TIMER]


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
        if self.warmup <= t < self.end:
            return int((t - self.warmup) // self.interval)
        return -1

    def intervals_of(self, times: np.ndarray) -> np.ndarray:
        """:meth:`interval_of` of many times at once (the same values, computed by numpy)."""
        k = ((times - self.warmup) // self.interval).astype(np.int64)
        k[(times < self.warmup) | (times >= self.end)] = -1
        return k

    def clock(self, t: float) -> float:
        """Seconds since the Monday 00:00 that starts the measured horizon (negative before)."""
        return t - self.warmup
