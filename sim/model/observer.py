"""The model's hook for following contacts one by one: what a trace writer implements.

The model only ever calls an observer; it never opens a file. An observer receives a row per
contact when its outcome is known — first answered, abandoned, resolved by the community, a
self-service session's outcome — and, at the end, the contacts still unanswered as ``open``.
:class:`sim.io.trace.ContactTrace` writes these rows to Parquet.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sim.model.contacts import Contact, Journey


class Outcome:
    """The outcomes an observer is told of (the trace's ``outcome`` column)."""

    ANSWERED = "answered"  # an agent answered (first reply for social)
    ABANDONED = "abandoned"  # hung up, or (social ignored) left unanswered past the threshold
    COMMUNITY = "community_resolved"  # a public post resolved by peers before any agent
    OPEN = "open"  # still unanswered when the run ended
    SELF_SERVED = "self_served"  # a self-service session that solved the problem
    FELL_BACK = "fell_back"  # a self-service session that failed (the customer falls back)


class ContactObserver(Protocol):
    """Told of each contact's outcome, in simulation order."""

    def contact(self, contact: Contact, outcome: str, wait: float = math.nan) -> None:
        """An assisted-channel contact's outcome (``wait``: to the answer or abandonment)."""

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
        """A contact without a :class:`Contact` object (a self-service session)."""

    def close(self) -> None:
        """The replication finished: every row has been given."""

    def abort(self) -> None:
        """The replication failed: drop what was recorded."""
