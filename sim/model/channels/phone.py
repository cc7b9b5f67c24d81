"""Phone: callers wait in the queue and hang up when their patience runs out.

With ``policy.callback`` a caller facing a long announced wait may take a callback and keep
their place without holding the line (:mod:`sim.model.callback`). With ``ivr`` every call
passes an IVR first, which resolves a share of them (:mod:`sim.model.channels.ivr`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sim.model.callback import CallbackOffer
from sim.model.channels.base import AssistedChannel
from sim.model.channels.ivr import Ivr
from sim.model.contacts import DONE, Contact, Journey
from sim.model.counters import measured
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
        ivr = getattr(spec, "ivr", None)
        self.ivr = None if ivr is None else Ivr(ivr, name, kit)
        if self.ivr is not None:  # an instance attribute: no extra call per call without one
            self.arrive = self._arrive_through_ivr  # type: ignore[method-assign]

    def _arrive_through_ivr(self, journey: Journey, now: float, k: int) -> Contact:
        """A call is offered now and enters the IVR; it is contained or queued later."""
        contact = self.new_contact(journey, now, k)
        self.ivr.enter(contact, self._contained, self._queued)  # type: ignore[union-attr]
        return contact

    def _contained(self, contact: Contact) -> None:
        contact.state = DONE
        self.stats.contained[contact.k] += 1
        self.on_done(contact.journey)

    def _queued(self, contact: Contact) -> None:
        """Out of the IVR, into the queue: the wait counts from now."""
        contact.arrived = self.env.now
        self.router.dispatch(contact, self)  # type: ignore[union-attr]

    def unanswered(self) -> list[Contact]:
        inside = [] if self.ivr is None else list(self.ivr.inside)
        return super().unanswered() + inside

    def live_journeys(self) -> Iterable[Journey]:
        yield from super().live_journeys()
        if self.ivr is not None:
            yield from (c.journey for c in self.ivr.inside)

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
        names: tuple[str, ...] = ()
        if scenario.policy.callback is not None:
            names += ("callbacks_offered", "callbacks_accepted")
        if any(getattr(s, "ivr", None) for s in scenario.channels.sections().values()):
            names += ("ivr_contained",)
        return names

    def policy_totals(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        if self.callback is not None:
            totals["callbacks_offered"] = self.callback.offered
            totals["callbacks_accepted"] = self.callback.accepted
        if self.ivr is not None:
            totals["ivr_contained"] = sum(measured(self.stats.contained))
        return totals
