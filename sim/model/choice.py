"""Channel choice that responds to service: a multinomial logit over the channels on offer.

Each new issue picks its first channel with probabilities::

    share(c) = exp(u(c)) / sum over channels on offer of exp(u(c'))
    u(c)     = ln s(c) + sensitivity x (reference_wait(c) - perceived_wait(c)) - effort(c)

where ``s`` are the reference shares (``demand.first_channel``, with the public channel's
share moved by the jump-the-line habit when that is on), so at the reference waits with no
extra effort the shares are exactly ``s``. A channel's perceived wait is an exponential
smoothing of the mean first-answer wait of its contacts answered in each ``period``::

    perceived += alpha x (recent - perceived),    alpha = 1 - exp(-period / smoothing)

starting at the reference wait; a period in which a channel answered nothing leaves its
perceived wait as it was (a channel without agents, or ignored, is judged by the habit rule
instead, :class:`sim.model.behaviour.JumpTheLine`). The shares change only at period ends,
so an issue's choice stays one uniform draw from the ``channel_choice`` stream, as without
choice: nothing is drawn that was not drawn before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from sim.model.channels.base import Channel
from sim.scenario.schema import Scenario


def logit_shares(
    reference: Mapping[str, float],
    reference_wait: Mapping[str, float],
    perceived_wait: Mapping[str, float],
    sensitivity: float,
    effort: Mapping[str, float],
) -> dict[str, float]:
    """The logit shares of the channels with a positive reference share (waits in seconds,
    ``sensitivity`` per second); other channels keep a share of 0."""
    utility = {
        c: math.log(s)
        + sensitivity * (reference_wait.get(c, 0.0) - perceived_wait.get(c, 0.0))
        - effort.get(c, 0.0)
        for c, s in reference.items()
        if s > 0
    }
    top = max(utility.values())
    weights = {c: math.exp(u - top) for c, u in utility.items()}
    total = sum(weights.values())
    return {c: weights.get(c, 0.0) / total for c in reference}


def reference_waits(scenario: Scenario) -> dict[str, float]:
    """Each channel's reference wait (seconds): as given, else 0."""
    given = scenario.demand.choice.reference_wait
    return {name: given.get(name, 0.0) for name in scenario.channels.sections()}


class ChannelChoice:
    """Perceived waits per channel and the first-channel shares they give."""

    def __init__(self, scenario: Scenario, channels: Mapping[str, Channel]) -> None:
        spec = scenario.demand.choice
        self.sensitivity = spec.sensitivity / 3600.0  # per second of wait
        self.effort = dict(spec.effort)
        self.alpha = 1.0 - math.exp(-spec.period / spec.smoothing)
        self.period = spec.period
        self.reference_wait = reference_waits(scenario)
        self.perceived = dict(self.reference_wait)
        self.reference = dict(scenario.demand.first_channel)
        self._channels = {n: channels[n] for n in self.reference if n in channels}
        self._seen = {n: (0.0, 0) for n in self._channels}

    def shares(self) -> dict[str, float]:
        """First-channel shares at the current perceived waits."""
        return logit_shares(
            self.reference, self.reference_wait, self.perceived, self.sensitivity, self.effort
        )

    def observe(self, recent: Mapping[str, float]) -> None:
        """Smooth each channel's perceived wait toward its ``recent`` mean wait (seconds)."""
        for name, wait in recent.items():
            self.perceived[name] += self.alpha * (wait - self.perceived[name])

    def update(self) -> dict[str, float]:
        """End of a period: read the waits answered since the last one; the new shares."""
        recent = {}
        for name, channel in self._channels.items():
            wait = channel.earlier_wait + channel.period_wait
            answered = channel.earlier_answered + channel.period_answered
            seen_wait, seen_answered = self._seen[name]
            if answered > seen_answered:
                recent[name] = (wait - seen_wait) / (answered - seen_answered)
            self._seen[name] = (wait, answered)
        self.observe(recent)
        return self.shares()
