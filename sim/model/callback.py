"""Callback offers: a caller facing a long wait may hang up and keep their place.

When a call would queue and the expected wait exceeds ``offer_when_wait_over``, the caller is
offered a callback and accepts with probability ``accept``. An accepted callback keeps its
place in the queue but no longer abandons (nobody is holding the line); the agent calls back
when the call reaches the head of the queue, with the same handle time. The expected wait is
the usual announcement estimate: position in queue × mean handle time / agents on duty.
Whether a caller would accept is drawn for every call when it arrives, so a change of policy
does not shift the random streams (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable

from sim.model.streams import Uniforms


class CallbackOffer:
    """The callback policy of one channel (phone)."""

    def __init__(
        self,
        threshold: float,
        accept: float,
        draws: Uniforms,
        mean_handle: float,
        agents_on_duty: Callable[[], int],
    ) -> None:
        self.threshold = threshold
        self.accept = accept
        self.draws = draws
        self.mean_handle = mean_handle
        self.agents_on_duty = agents_on_duty
        self.offered = 0  # measured calls offered a callback
        self.accepted = 0

    def would_accept(self) -> bool:
        """Drawn for every call on arrival: would this caller take a callback if offered?"""
        return next(self.draws) < self.accept

    def expected_wait(self, position: int) -> float:
        """Announced wait for a caller joining the queue at ``position`` (1 = next)."""
        agents = self.agents_on_duty()
        return float("inf") if agents <= 0 else position * self.mean_handle / agents

    def offer(self, position: int, would_accept: bool, measured: bool) -> bool:
        """Offer a callback if the wait looks long; True if the caller takes it."""
        if self.expected_wait(position) <= self.threshold:
            return False
        if measured:
            self.offered += 1
            self.accepted += would_accept
        return would_accept
