"""Issues arriving: a Poisson process, piecewise constant over each reporting interval.

Within each reporting interval the rate is constant, so the number of arrivals is Poisson and
their times are uniform in the interval: drawing a day at a time this way is exact and
vectorised. A day's rates are

    issues_per_second × weekday factor × special-day factor × gamma day factor × profile

where the intraday profile is scaled to mean 1, the weekday factor (``demand.weekdays``) and
the special day's (``demand.special_days``, dated from ``run.start``) are 1 unless given, and
the gamma day factor (mean 1, CV ``day_variability``) gives the over-dispersed daily volumes
real centres see (Poisson-gamma).

Two processes share this:

- :class:`ArrivalProcess`, one shared profile: arrivals carry only their reporting interval
  and the centre draws each issue's first channel from ``first_channel`` as it arises (the
  default, and what jump-the-line adjusts);
- :class:`ChannelArrivals`, when channels have their own profiles (``demand.profiles``) or a
  forecast gives counts per interval and channel (``demand.volumes``): channel ``c``'s rate is
  the total rate × ``first_channel[c]`` × ``c``'s profile, or the forecast's count over the
  interval where the forecast has one; each arrival carries its first channel.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from itertools import chain
from typing import Any

import numpy as np

from sim.model.clock import Calendar
from sim.scenario.dates import day_factor
from sim.scenario.registry import channel_names
from sim.scenario.schema import WEEKDAYS, Demand
from sim.scenario.units import DAY


class DayWeights:
    """The weekday and special-day factor of each simulated day (day 0 starts the horizon,
    on a Monday; ``start`` is its date, if the scenario gives one)."""

    def __init__(self, demand: Demand, start: date | None) -> None:
        weekdays = demand.weekdays or {}
        self._weekday = [float(weekdays.get(name, 1.0)) for name in WEEKDAYS]
        self._special = {
            (day - start).days: day_factor(factor)
            for day, factor in (demand.special_days or {}).items()
            if start is not None
        }
        self.plain = not self._special and all(w == 1.0 for w in self._weekday)

    def __call__(self, day: int) -> float:
        """The factor on day ``day``'s issues (1 unless a weekday or special day says)."""
        return self._weekday[day % 7] * self._special.get(day, 1.0)


class ArrivalProcess:
    """Arrival times of issues, generated one day at a time from the ``arrivals`` stream."""

    carries_channel = False  # arrivals are (time, interval): the centre picks the channel

    def __init__(
        self,
        demand: Demand,
        interval: float,
        start_clock: float,
        rng: np.random.Generator,
        day_rng: np.random.Generator,
        start: date | None = None,
    ) -> None:
        self._per_day = per_day = round(DAY / interval)
        weights = np.ones(per_day) if demand.profile is None else np.asarray(demand.profile, float)
        self._rates = demand.issues_per_second * weights / weights.mean()  # per second
        self._interval = interval
        self._cv = demand.day_variability
        self._weight = DayWeights(demand, start)
        self._rng = rng
        self._day_rng = day_rng
        self._day = int(np.floor(start_clock / DAY))
        self._offset = -start_clock  # clock time -> simulation time
        self.day_factors: list[float] = []

    @property
    def next_day_start(self) -> float:
        """Simulation time at which the next day to be generated begins."""
        return self._day * DAY + self._offset

    def issues(self, until: float, calendar: Calendar, counts: np.ndarray) -> Iterator[Any]:
        """``(arrival time, payload)`` of each issue from simulation time 0 on, generated a
        day at a time up to the day that holds ``until``; the payload is the reporting
        interval (here) or ``(interval, first channel)`` (:class:`ChannelArrivals`).
        ``counts[k]`` is increased by the issues arising in interval ``k`` (``counts[-1]``:
        outside the horizon) as each day is generated.

        Intervals and counts are computed a day at a time, and the pairs are chained in C:
        taking the next one runs no Python code. Every issue counted in the horizon is
        taken before ``until``, which is at or after the horizon's end.
        """
        return chain.from_iterable(self._days(until, calendar, counts))

    def _days(self, until: float, calendar: Calendar, counts: np.ndarray) -> Iterator[Any]:
        while self.next_day_start < until:
            times = self.next_day()
            times = times[times >= 0.0]
            k = calendar.intervals_of(times)
            counts += np.bincount(k % len(counts), minlength=len(counts))  # -1 -> last
            yield zip(times.tolist(), k.tolist(), strict=True)

    def _gamma_factor(self) -> float:
        """The next day's gamma factor (mean 1, CV ``day_variability``), recorded."""
        factor = 1.0
        if self._cv > 0:
            shape = 1.0 / (self._cv * self._cv)
            factor = float(self._day_rng.gamma(shape, 1.0 / shape))
        self.day_factors.append(factor)
        return factor

    def next_day(self) -> np.ndarray:
        """Sorted simulation times of the next day's arrivals."""
        factor = self._gamma_factor()
        if not self._weight.plain:
            factor *= self._weight(self._day)
        counts = self._rng.poisson(self._rates * factor * self._interval)
        starts = self._day * DAY + np.arange(len(counts)) * self._interval
        times = np.repeat(starts, counts) + self._rng.random(int(counts.sum())) * self._interval
        times.sort()
        self._day += 1
        return times + self._offset


class ChannelArrivals(ArrivalProcess):
    """Arrivals drawn per channel, each carrying its first channel (module docstring)."""

    carries_channel = True

    def __init__(
        self,
        demand: Demand,
        interval: float,
        start_clock: float,
        rng: np.random.Generator,
        day_rng: np.random.Generator,
        start: date | None = None,
    ) -> None:
        super().__init__(demand, interval, start_clock, rng, day_rng, start)
        share = demand.first_channel
        volumes = demand.volumes
        forecast = volumes.counts if volumes is not None else {}
        self.channels = [
            ch for ch in channel_names() if share.get(ch, 0.0) > 0 or sum(forecast.get(ch, ())) > 0
        ]
        self._names = np.array(self.channels, dtype=object)
        self._channel_rates = np.array(
            [
                demand.issues_per_second
                * share.get(ch, 0.0)
                * _weights(demand.profile_of(ch), self._per_day)
                for ch in self.channels
            ]
        ).reshape(len(self.channels), self._per_day)
        self._forecast: np.ndarray | None = None
        self._forecast_first = 0  # clock interval of the forecast's first count
        if volumes is not None and start is not None:
            self._forecast = np.array(
                [forecast.get(ch, [0.0] * volumes.length) for ch in self.channels]
            )
            first = volumes.start - datetime(start.year, start.month, start.day)
            self._forecast_first = round(first.total_seconds() / interval)

    def _days(self, until: float, calendar: Calendar, counts: np.ndarray) -> Iterator[Any]:
        while self.next_day_start < until:
            times, codes = self.next_channel_day()
            kept = times >= 0.0
            times, codes = times[kept], codes[kept]
            k = calendar.intervals_of(times)
            counts += np.bincount(k % len(counts), minlength=len(counts))
            payloads = zip(k.tolist(), self._names[codes].tolist(), strict=True)
            yield zip(times.tolist(), payloads, strict=True)

    def expected(self, day: int) -> np.ndarray:
        """Expected issues of clock day ``day`` per channel and interval, before the gamma
        day factor: the forecast's counts where it has them, the rates elsewhere."""
        mean = self._channel_rates * (self._weight(day) * self._interval)
        if self._forecast is not None:
            index = day * self._per_day + np.arange(self._per_day) - self._forecast_first
            inside = (index >= 0) & (index < self._forecast.shape[1])
            mean[:, inside] = self._forecast[:, index[inside]]
        return mean

    def next_channel_day(self) -> tuple[np.ndarray, np.ndarray]:
        """Simulation times of the next day's arrivals, sorted, and their channels (as
        positions in :attr:`channels`)."""
        factor = self._gamma_factor()
        counts = self._rng.poisson(self.expected(self._day) * factor)
        per_channel = counts.sum(axis=1)
        starts = self._day * DAY + np.arange(self._per_day) * self._interval
        times = np.repeat(np.tile(starts, len(self.channels)), counts.ravel())
        times += self._rng.random(times.size) * self._interval
        codes = np.repeat(np.arange(len(self.channels)), per_channel)
        order = np.argsort(times, kind="stable")
        self._day += 1
        return times[order] + self._offset, codes[order]


def _weights(profile: list[float] | None, per_day: int) -> np.ndarray:
    """An intraday profile scaled to mean 1 (flat when there is none)."""
    weights = np.ones(per_day) if profile is None else np.asarray(profile, float)
    return weights / weights.mean()
