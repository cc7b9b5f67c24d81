"""The ``demand.choice:`` section: first channels that respond to service.

Each new issue picks its first channel by a multinomial logit over the channels on offer
(those with a positive ``demand.first_channel`` share)::

    utility(c) = base(c) - sensitivity x perceived_wait(c) - effort(c)
    base(c)    = ln first_channel(c) + sensitivity x reference_wait(c)

so at the reference waits (and no extra effort) the shares are exactly
``demand.first_channel``. Perceived waits are exponentially smoothed recent waits per
channel (:mod:`sim.model.choice`). With ``sensitivity: 0`` (the default) and no effort the
shares never move and nothing changes.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.registry import ChannelName
from sim.scenario.types import NonNegativeDuration, NonNegativeNumber, PositiveDuration, Section
from sim.scenario.units import parse_duration


class Choice(Section):
    """How first channels respond to the waits customers perceive."""

    sensitivity: NonNegativeNumber = 0.0
    """Utility lost per hour of perceived wait (0: first-channel shares are fixed)."""
    reference_wait: dict[ChannelName, NonNegativeDuration] = Field(default_factory=dict)
    """Waits at which the shares equal demand.first_channel (a channel not named: 0); name
    the waits customers see today, so that today's shares are the scenario's."""
    effort: dict[ChannelName, NonNegativeNumber] = Field(default_factory=dict)
    """Extra effort of a channel beyond the reference, in utility units (0 if not named)."""
    period: PositiveDuration = Field(default=parse_duration("1h"))
    """How often customers' perceived waits (and so the shares) are updated."""
    smoothing: PositiveDuration = Field(default=parse_duration("1d"))
    """Time constant of the exponential smoothing of perceived waits."""

    @property
    def active(self) -> bool:
        """Whether choice can move the shares at all."""
        return self.sensitivity > 0 or any(v > 0 for v in self.effort.values())
