"""Counters kept during a replication, by reporting interval; tables are made elsewhere.

During the run every count goes into a plain list indexed by reporting interval (the
interval in which the contact *arrived*), so the hot loop does an index and an add. Turning
counters into metrics, tables and costs happens once, after the run, outside the model
(:mod:`sim.experiment.tables`).

Each list has one more counter than the horizon has intervals: the last one, index
``UNMEASURED`` (-1, the interval :meth:`sim.model.clock.Calendar.interval_of` gives a time
outside the horizon), collects what happens in the warm-up and follow-up. The hot path
counts without testing whether it is measuring, and reports read :func:`measured` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

UNMEASURED = -1


def counters(intervals: int, zero: float = 0) -> list:
    """One counter per reporting interval, plus the ``UNMEASURED`` one at the end."""
    return [zero] * (intervals + 1)


def measured(counts: Any) -> Any:
    """The counters of the horizon's intervals (without the ``UNMEASURED`` one)."""
    return counts[:-1]


class ChannelStats:
    """Per-interval counts for one channel, by the interval in which contacts arrived."""

    __slots__ = (
        "abandoned",
        "abandons_rule",
        "answered",
        "community",
        "contained",
        "name",
        "offered",
        "short_abandoned",
        "short_seconds",
        "wait_sum",
        "waited",
        "waiting_end",
        "within",
        "within_seconds",
    )

    def __init__(self, name: str, intervals: int, within_seconds: float | None) -> None:
        self.name = name
        self.within_seconds = within_seconds  # None: the channel has no service-level target
        self.offered = counters(intervals)
        self.answered = counters(intervals)
        self.abandoned = counters(intervals)
        self.waited = counters(intervals)  # contacts that did not find an agent at once
        self.within = counters(intervals)  # answered within the service-level threshold
        self.wait_sum = counters(intervals, 0.0)  # seconds waited by answered contacts
        self.community = counters(intervals)  # social posts resolved by the peer community
        self.contained = counters(intervals)  # phone calls resolved in the IVR
        self.waiting_end = 0  # measured contacts still waiting when the run ended
        # the service-level definition: how abandons count (miss, exclude, exclude_short)
        self.abandons_rule = "miss"
        self.short_seconds = 0.0  # abandons after a shorter wait are "short"
        self.short_abandoned = counters(intervals)


class PoolStats:
    """Per-interval busy, on-duty and paid agent time of one pool (agent-seconds)."""

    __slots__ = ("busy", "paid", "present")

    def __init__(self, intervals: int) -> None:
        self.busy = [0.0] * intervals
        self.present = [0.0] * intervals
        self.paid = [0.0] * intervals


@dataclass
class ChannelCounts:
    """What one channel counted in a replication.

    ``extra`` are the channel's own totals, reported after its standard figures (social:
    posts the community resolved); ``policy`` are counts of policy features applied to it,
    reported after the pools (phone: callbacks offered and accepted).
    """

    stats: ChannelStats
    resolution_seconds: float  # issues that started here: time from arising to resolution
    resolved_first: int  # ... and how many of them were resolved in the horizon
    assisted: bool
    extra: dict[str, float] = field(default_factory=dict)
    policy: dict[str, float] = field(default_factory=dict)


@dataclass
class ReplicationCounts:
    """Everything one replication counted: the model's whole output."""

    replication: int
    horizon: float
    interval: float
    channels: dict[str, ChannelCounts]
    pools: dict[str, PoolStats]  # in scenario order
    pool_skills: dict[str, list[str]]
    issues: Any  # per interval of arising, numpy int64, with the UNMEASURED slot
    resolved: list[int]
    gave_up: list[int]
    contacts: list[int]  # contacts made, by the interval of their issue
    first_share: list[float]  # per interval, the share of new issues going to the public channel
    first_share_end: float
    public_negative: float
    public_positive: float
    touched_public: int  # measured issues that contacted the public channel at least once
    duplicates: int  # measured contacts made while another of the journey was open
    contacts_simulated: int  # every contact, warm-up included (for throughput)
    resolved_first_contact: int = 0  # measured issues resolved at their first contact
    # measured public posts by answer: fast (in time), late, ignored (never, or not by the end)
    public_posts: dict[str, int] = field(default_factory=dict)
    customers: dict[str, float] = field(default_factory=dict)  # a customer base's figures
