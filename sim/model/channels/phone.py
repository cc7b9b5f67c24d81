"""Phone: callers wait in the queue and hang up when their patience runs out.

With ``policy.callback`` a caller facing a long announced wait may take a callback and keep
their place without holding the line (:mod:`sim.model.callback`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.callback import CallbackOffer
from sim.model.channels.base import AssistedChannel
from sim.model.kit import Kit
from sim.scenario.channels import ChannelSection
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.model.routing.base import Dispatcher


class PhoneChannel(AssistedChannel):
    """The phone queue, with callback offers when the policy makes them."""

    def __init__(self, name: str, spec: ChannelSection, kit: Kit) -> None:
        super().__init__(name, spec, kit)
        self._offer = kit.scenario.policy.callback
        self._accepts = kit.uniforms(f"callback.{name}") if self._offer is not None else None

    def attach(self, router: Dispatcher) -> None:
        super().attach(router)
        offer = self._offer
        if offer is None:
            return
        pools = router.pools_for[self.name]
        self.callback = CallbackOffer(
            offer.offer_when_wait_over,
            offer.accept,
            self._accepts,
            self.holding_mean(),
            lambda: sum(p.present for p in pools),
        )

    @classmethod
    def policy_metrics(cls, scenario: Scenario) -> tuple[str, ...]:
        if scenario.policy.callback is None:
            return ()
        return ("callbacks_offered", "callbacks_accepted")

    def policy_totals(self) -> dict[str, float]:
        if self.callback is None:
            return {}
        return {
            "callbacks_offered": self.callback.offered,
            "callbacks_accepted": self.callback.accepted,
        }
