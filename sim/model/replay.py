"""Trace-driven simulation: a logged period driven through the model (the back-test's hook).

Instead of drawing issues from the demand model, the centre takes a given stream of contacts
— arrival times, channels and, where known, handle times — and, optionally, each pool's
headcount over time. The model still opens no files: the back-test study
(:mod:`sim.studies.backtest`) reads the log and hands plain arrays over as a :class:`Replay`.

Each given contact arrives as a new journey at its channel. A logged retry, switch, fallback
or handoff is a contact of its own in the log, so a replay scenario should turn the model's
own follow-ups off (the study does) or they would be counted twice. A given handle time
replaces the draw for that contact's first piece of agent work; a contact without one (say
a logged abandon that the model answers) and a social thread's later replies draw from the
scenario's distribution as usual.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.model.clock import Calendar
from sim.model.distributions import Sampler


@dataclass(frozen=True)
class Replay:
    """A given stream of contacts and, optionally, given headcounts (plain arrays).

    ``times``: simulation seconds of each arrival (time 0 is the start of the warm-up);
    ``channels``: each contact's channel; ``handles``: agent seconds of its first piece of
    work, NaN to draw; ``staffing``: pool name -> (simulation times, headcounts) of each
    change, the first level holding from time 0 (before shrinkage, which applies as usual).
    """

    times: np.ndarray
    channels: np.ndarray
    handles: np.ndarray
    staffing: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.times)
        if len(self.channels) != n or len(self.handles) != n:
            raise ValueError("times, channels and handles must have one entry per contact")
        if n and (not np.all(np.isfinite(self.times)) or float(np.min(self.times)) < 0):
            raise ValueError("arrival times must be finite and not before time 0")
        for pool, (times, agents) in self.staffing.items():
            if len(times) != len(agents) or len(times) == 0:
                raise ValueError(f"staffing of pool {pool}: one headcount per change, at least one")
            if np.any(np.asarray(agents) < 0) or np.any(np.diff(times) < 0):
                raise ValueError(f"staffing of pool {pool}: headcounts >= 0 in time order")


class GivenArrivals:
    """The replay's contacts as the centre's arrival source: ``(time, (interval, channel,
    handle))`` in time order (equal times keep the given order)."""

    carries_channel = True

    def __init__(self, replay: Replay) -> None:
        order = np.argsort(np.asarray(replay.times, float), kind="stable")
        self._times = np.asarray(replay.times, float)[order]
        self._channels = np.asarray(replay.channels, dtype=object)[order]
        self._handles = np.asarray(replay.handles, float)[order]
        self.day_factors: list[float] = []

    def issues(self, until: float, calendar: Calendar, counts: np.ndarray) -> Iterator[Any]:
        """Every given contact before ``until``; ``counts`` as :class:`ArrivalProcess` does."""
        kept = self._times < until
        times = self._times[kept]
        k = calendar.intervals_of(times)
        counts += np.bincount(k % len(counts), minlength=len(counts))
        payloads = zip(
            k.tolist(), self._channels[kept].tolist(), self._handles[kept].tolist(), strict=True
        )
        return zip(times.tolist(), payloads, strict=True)


class GivenHandles:
    """A channel's handle times: the given one for the contact being made, else a draw.

    The centre sets :attr:`given` just before a given contact arrives; the channel's next
    draw (that contact's handle time) takes it, and every later draw comes from ``sampler``.
    """

    def __init__(self, sampler: Sampler) -> None:
        self.sampler = sampler
        self.given = math.nan

    @property
    def mean(self) -> float:
        """The scenario distribution's mean (callback offers estimate waits with it)."""
        return self.sampler.mean

    def __iter__(self) -> GivenHandles:
        return self

    def __next__(self) -> float:
        given = self.given
        if given == given:  # not NaN
            self.given = math.nan
            return given
        return next(self.sampler)
