"""Issues arriving: a Poisson process, piecewise constant over the intraday profile.

Within each reporting interval the rate is constant, so the number of arrivals is Poisson and
their times are uniform in the interval: drawing a day at a time this way is exact and
vectorised. An optional gamma day factor (mean 1, CV ``day_variability``) scales a whole
day's rates, giving the over-dispersed daily volumes real centres see (Poisson-gamma).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

import numpy as np

from sim.model.clock import Calendar
from sim.scenario.schema import Demand
from sim.scenario.units import DAY


class ArrivalProcess:
    """Arrival times of issues, generated one day at a time from the ``arrivals`` stream."""

    def __init__(
        self,
        demand: Demand,
        interval: float,
        start_clock: float,
        rng: np.random.Generator,
        day_rng: np.random.Generator,
    ) -> None:
        per_day = round(DAY / interval)
        weights = np.ones(per_day) if demand.profile is None else np.asarray(demand.profile, float)
        self._rates = demand.issues_per_second * weights / weights.mean()  # per second, by interval
        self._interval = interval
        self._cv = demand.day_variability
        self._rng = rng
        self._day_rng = day_rng
        self._day = int(np.floor(start_clock / DAY))
        self._offset = -start_clock  # clock time -> simulation time
        self.day_factors: list[float] = []

    @property
    def next_day_start(self) -> float:
        """Simulation time at which the next day to be generated begins."""
        return self._day * DAY + self._offset

    def issues(
        self, until: float, calendar: Calendar, counts: np.ndarray
    ) -> Iterator[tuple[float, int]]:
        """``(arrival time, reporting interval)`` of each issue from simulation time 0 on,
        generated a day at a time up to the day that holds ``until``; ``counts[k]`` is
        increased by the issues arising in interval ``k`` (``counts[-1]``: outside the
        horizon) as each day is generated.

        Intervals and counts are computed a day at a time, and the pairs are chained in C:
        taking the next one runs no Python code. Every issue counted in the horizon is
        taken before ``until``, which is at or after the horizon's end.
        """
        return chain.from_iterable(self._days(until, calendar, counts))

    def _days(
        self, until: float, calendar: Calendar, counts: np.ndarray
    ) -> Iterator[zip[tuple[float, int]]]:
        while self.next_day_start < until:
            times = self.next_day()
            times = times[times >= 0.0]
            k = calendar.intervals_of(times)
            counts += np.bincount(k % len(counts), minlength=len(counts))  # -1 -> last
            yield zip(times.tolist(), k.tolist(), strict=True)

    def next_day(self) -> np.ndarray:
        """Sorted simulation times of the next day's arrivals."""
        factor = 1.0
        if self._cv > 0:
            shape = 1.0 / (self._cv * self._cv)
            factor = float(self._day_rng.gamma(shape, 1.0 / shape))
        self.day_factors.append(factor)
        counts = self._rng.poisson(self._rates * factor * self._interval)
        starts = self._day * DAY + np.arange(len(counts)) * self._interval
        times = np.repeat(starts, counts) + self._rng.random(int(counts.sum())) * self._interval
        times.sort()
        self._day += 1
        return times + self._offset
