"""What customers do when service fails: retry, switch channel, or give up.

Every decision draws from the ``behaviour`` stream, so two policies that fail the same
customer at the same point make that customer do the same thing (common random numbers).
"""

from __future__ import annotations

from sim.model.distributions import Sampler
from sim.model.streams import Uniforms, cumulative_shares, pick
from sim.scenario.schema import Behaviour as BehaviourSpec

RETRY, GIVE_UP = "retry", "give_up"


class Behaviour:
    """Customer decisions after an abandoned or ignored contact."""

    def __init__(self, spec: BehaviourSpec, choices: Uniforms, retry_delay: Sampler) -> None:
        self.max_attempts = spec.max_attempts
        self.retry_delay = retry_delay
        after = spec.after_abandon
        shares = {RETRY: after.retry, **{f"switch:{ch}": s for ch, s in after.switch.items()}}
        shares[GIVE_UP] = after.give_up
        self._bounds, self._options = cumulative_shares(shares)
        self._choices = choices

    def after_abandon(self, contacts_so_far: int) -> tuple[str, str | None]:
        """``(action, channel)``: ``("retry", None)``, ``("switch", ch)`` or ``("give_up", None)``.

        A customer who has already made ``max_attempts`` contacts gives up.
        """
        u = next(self._choices)  # drawn even at the cap, so later draws stay aligned
        if contacts_so_far >= self.max_attempts or not self._options:
            return GIVE_UP, None
        option = pick(u, self._bounds, self._options)
        if option.startswith("switch:"):
            return "switch", option.removeprefix("switch:")
        return option, None


class JumpTheLine:
    """The learned habit of complaining in public because it gets answered faster.

    Every ``period`` the share of new issues that go to social first moves by ``rate`` toward
    a target::

        advantage = clamp(1 - W_public / W_private, 0, 1)
        target    = s0 + (max(cap, s0) - s0) * advantage
        share    += rate * (target - share)

    where ``W_public`` is the mean time to the first real answer of public complaints in the
    last period (the public reply when social is served; the private answer after a
    deflection), ``W_private`` the mean wait of phone and email contacts answered in the
    period, ``s0`` the scenario's own social-first share and ``cap`` ``max_social_first``.
    When public complaints are not answered faster (or not at all), the target is ``s0``
    and the habit fades back toward it.
    """

    def __init__(self, base_share: float, rate: float, cap: float) -> None:
        self.base = base_share
        self.rate = rate
        self.cap = max(cap, base_share)
        self.share = base_share
        self.public_wait = 0.0
        self.public_answered = 0

    def observe_public(self, wait: float) -> None:
        """A public complaint got its first real answer after ``wait`` seconds."""
        self.public_wait += wait
        self.public_answered += 1

    def advantage(self, private_wait: float, private_answered: int) -> float:
        """How much faster public complaints were answered, in [0, 1]."""
        if not self.public_answered or not private_answered or private_wait <= 0:
            return 0.0
        ratio = (self.public_wait / self.public_answered) / (private_wait / private_answered)
        return min(1.0, max(0.0, 1.0 - ratio))

    def update(self, private_wait: float, private_answered: int) -> float:
        """End of a period: move the share toward its target; returns the new share."""
        advantage = self.advantage(private_wait, private_answered)
        target = self.base + (self.cap - self.base) * advantage
        self.share += self.rate * (target - self.share)
        self.public_wait, self.public_answered = 0.0, 0
        return self.share


def first_channel_shares(base: dict[str, float], public: str, share: float) -> dict[str, float]:
    """The scenario's first-channel shares with the public channel's set to ``share``, the
    rest rescaled to fill ``1 - share``."""
    rest = 1.0 - base.get(public, 0.0)
    if rest <= 0:
        return dict(base)
    scale = (1.0 - share) / rest
    shares = {ch: value * scale for ch, value in base.items() if ch != public}
    shares[public] = share
    return shares
