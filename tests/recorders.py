"""Recorders that let tests see single customers, not only the counters.

- :class:`TimedPriority` is today's priority routing, unchanged, that also logs every piece
  of agent work: how long the agent spent on it, per (issue number, channel), in the order
  done. It is a registered routing policy (``policy.routing: timed_priority``) while the
  ``timed`` fixture (``conftest.py``) is active, so the centre runs exactly as it does in use.
- :func:`most_at_once` is the most work one agent held at once, from those spans.
- :class:`WaitLog` is a contact observer (the trace hook) that keeps each assisted contact's
  outcome and wait per (issue number, channel).

Both measure what happened (the time between an agent starting and finishing), so a bug
that draws or scales a handle time somewhere else than it should still shows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from sim.model import routing
from sim.model.agents import Pool
from sim.model.centre import Centre
from sim.model.contacts import Contact, Journey
from sim.model.routing import PriorityRouting
from sim.scenario import Scenario

Key = tuple[int, str]  # (issue number, channel)


class TimedPriority(PriorityRouting):
    """Priority routing that logs the agent time of every piece of work it hands out."""

    name = "timed_priority"

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.began: dict[Contact, float] = {}
        self.work: dict[Key, list[float]] = defaultdict(list)
        # (pool, agent) -> [(start, finish, channel), ...] in the order finished
        self.spans: dict[tuple[str, int], list[tuple[float, float, str]]] = defaultdict(list)

    def start(self, contact: Contact, channel, pool: Pool, agent: int, now: float) -> None:  # type: ignore[no-untyped-def]
        self.began[contact] = now
        super().start(contact, channel, pool, agent, now)

    def finish(self, contact: Contact) -> None:
        began, now = self.began.pop(contact), self.env.now
        self.work[(contact.journey.number, contact.channel)].append(now - began)
        self.spans[(contact.pool.name, contact.agent)].append((began, now, contact.channel))
        super().finish(contact)


@contextmanager
def timed_routing() -> Iterator[type[TimedPriority]]:
    """:class:`TimedPriority` registered while the block runs (forgotten afterwards)."""
    routing.register(TimedPriority)
    try:
        yield TimedPriority
    finally:
        routing.unregister(TimedPriority.name)


def run_timed(scenario: Scenario, replication: int = 0) -> TimedPriority:
    """Run one replication of ``scenario`` (routed by ``timed_priority``); its router."""
    centre = Centre(scenario, replication)
    assert isinstance(centre.router, TimedPriority), "scenario must use timed_priority"
    centre.run()
    return centre.router


def most_at_once(spans: list[tuple[float, float, str]]) -> int:
    """The most pieces of work one agent had in hand at the same time."""
    events = sorted([(start, 1) for start, _, _ in spans] + [(end, -1) for _, end, _ in spans])
    held = most = 0
    for _, change in events:  # at equal times a finish (-1) comes before a start (+1)
        held += change
        most = max(most, held)
    return most


class WaitLog:
    """A contact observer keeping (outcome, wait) per (issue number, channel)."""

    def __init__(self) -> None:
        self.outcomes: dict[Key, tuple[str, float]] = {}
        self.arrived: dict[Key, float] = {}

    def contact(self, contact: Contact, outcome: str, wait: float = math.nan) -> None:
        key = (contact.journey.number, contact.channel)
        self.outcomes[key] = (outcome, wait)
        self.arrived[key] = contact.arrived

    def row(
        self,
        journey: Journey,
        channel: str,
        arrived: float,
        k: int,
        outcome: str,
        wait: float = math.nan,
        pool: str = "",
    ) -> None:
        self.outcomes[(journey.number, channel)] = (outcome, wait)
        self.arrived[(journey.number, channel)] = arrived

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass
