"""Counters collected during a replication and turned into tidy tables once at the end.

During the run every count goes into a plain list indexed by reporting interval (the
interval in which the contact *arrived*), so the hot loop does an index and an add; the
conversion to pandas happens once per replication.

Each list has one more counter than the horizon has intervals: the last one, index
``UNMEASURED`` (-1, the interval :meth:`sim.model.clock.Calendar.interval_of` gives a time
outside the horizon), collects what happens in the warm-up and follow-up. The hot path
counts without testing whether it is measuring, and reports read :func:`measured` only.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

UNMEASURED = -1


def counters(intervals: int, zero: float = 0) -> list:
    """One counter per reporting interval, plus the ``UNMEASURED`` one at the end."""
    return [zero] * (intervals + 1)


def measured(counts: list) -> list:
    """The counters of the horizon's intervals (without the ``UNMEASURED`` one)."""
    return counts[:-1]


class ChannelStats:
    """Per-interval counts for one channel, by the interval in which contacts arrived."""

    __slots__ = (
        "abandoned",
        "answered",
        "community",
        "name",
        "offered",
        "wait_sum",
        "waited",
        "waiting_end",
        "within",
        "within_seconds",
    )

    def __init__(self, name: str, intervals: int, within_seconds: float | None) -> None:
        self.name = name
        self.within_seconds = within_seconds
        self.offered = counters(intervals)
        self.answered = counters(intervals)
        self.abandoned = counters(intervals)
        self.waited = counters(intervals)  # contacts that did not find an agent at once
        self.within = counters(intervals)  # answered within the service-level threshold
        self.wait_sum = counters(intervals, 0.0)  # seconds waited by answered contacts
        self.community = counters(intervals)  # social posts resolved by the peer community
        self.waiting_end = 0  # measured contacts still waiting when the run ended

    def totals(self) -> dict[str, float]:
        """Whole-horizon metrics for this channel (design.md §4 names)."""
        offered = sum(measured(self.offered))
        answered = sum(measured(self.answered))
        abandoned = sum(measured(self.abandoned))
        totals = {
            "offered": offered,
            "answered": answered,
            "abandoned": abandoned,
            "waiting_end": self.waiting_end,
            "abandon_rate": _ratio(abandoned, offered),
            "p_wait": _ratio(sum(measured(self.waited)), offered),
            "asa_seconds": _ratio(sum(measured(self.wait_sum)), answered),
            "service_level": self._service_level(sum(measured(self.within)), offered),
        }
        if self.name == "social":
            totals["community_resolved"] = sum(measured(self.community))
        return totals

    def _service_level(self, within: float, offered: float) -> float:
        """Answered within the threshold / offered; NaN for a channel without a target."""
        return math.nan if self.within_seconds is None else _ratio(within, offered)

    def frame(self) -> pd.DataFrame:
        """One row per interval."""
        offered = np.asarray(measured(self.offered), float)
        answered = np.asarray(measured(self.answered), float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return pd.DataFrame(
                {
                    "offered": offered,
                    "answered": answered,
                    "abandoned": np.asarray(measured(self.abandoned), float),
                    "service_level": np.asarray(measured(self.within), float) / offered
                    if self.within_seconds is not None
                    else np.nan,
                    "asa_seconds": np.asarray(measured(self.wait_sum)) / answered,
                }
            )


class PoolStats:
    """Per-interval busy, on-duty and paid agent time of one pool (agent-seconds)."""

    __slots__ = ("busy", "paid", "present")

    def __init__(self, intervals: int) -> None:
        self.busy = [0.0] * intervals
        self.present = [0.0] * intervals
        self.paid = [0.0] * intervals

    def totals(self, cost_per_hour: float) -> dict[str, float]:
        """Whole-horizon metrics for this pool."""
        busy, present, paid = sum(self.busy), sum(self.present), sum(self.paid)
        paid_hours = paid / 3600.0
        return {
            "occupancy": _ratio(busy, present),
            "agents_on_duty": float("nan"),  # filled in by the centre (needs the horizon)
            "paid_hours": paid_hours,
            "cost": paid_hours * cost_per_hour,
        }

    def frame(self, interval: float) -> pd.DataFrame:
        """One row per interval: mean productive agents on duty and occupancy."""
        present = np.asarray(self.present)
        with np.errstate(invalid="ignore", divide="ignore"):
            return pd.DataFrame(
                {
                    "agents_on_duty": present / interval,
                    "occupancy": np.asarray(self.busy) / present,
                }
            )


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")
