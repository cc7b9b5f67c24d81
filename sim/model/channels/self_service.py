"""Web self-service: no agents; a session lasts a while, then succeeds or falls back.

A session's outcome is drawn when it starts (common random numbers); a failed one sends the
customer on to an assisted channel chosen by ``fallback``.
"""

from __future__ import annotations

from sim.model.channels.base import Channel
from sim.model.contacts import Journey
from sim.model.kit import Kit
from sim.model.observer import Outcome
from sim.model.streams import cumulative_shares
from sim.scenario.channels import ChannelSection


class SelfServiceChannel(Channel):
    """Sessions start at once (no queue) and resolve the issue with probability ``success``."""

    def __init__(self, name: str, spec: ChannelSection, kit: Kit) -> None:
        super().__init__(name, spec, kit)
        self.duration = kit.sampler(spec.duration, f"duration.{name}")
        self.outcome = kit.uniforms(f"outcome.{name}")
        self.success = spec.success
        self._fallback = cumulative_shares(dict(spec.fallback))
        self._fallback_choice = kit.uniforms(f"fallback.{name}")

    def arrive(self, journey: Journey, now: float, k: int) -> None:
        """A session starts now; its outcome is drawn now for common random numbers."""
        stats = self.stats
        stats.offered[k] += 1
        stats.answered[k] += 1
        succeeded = next(self.outcome) < self.success
        if self.trace is not None:
            outcome = Outcome.SELF_SERVED if succeeded else Outcome.FELL_BACK
            self.trace.row(journey, self.name, now, k, outcome)
        callback = self._succeeded if succeeded else self._failed
        self.env.after(next(self.duration), callback, journey)

    def _succeeded(self, journey: Journey) -> None:
        self.on_done(journey)

    def _failed(self, journey: Journey) -> None:
        self.follow_up(journey, self._fallback_choice.choose(*self._fallback))
