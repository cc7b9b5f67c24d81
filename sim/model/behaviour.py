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
        u = self._choices.draw()  # drawn even at the cap, so later draws stay aligned
        if contacts_so_far >= self.max_attempts or not self._options:
            return GIVE_UP, None
        option = pick(u, self._bounds, self._options)
        if option.startswith("switch:"):
            return "switch", option.removeprefix("switch:")
        return option, None
