"""An IVR in front of a queue: callers spend a while there, and some are resolved there.

Each call's IVR time and whether the IVR contains it are drawn when the call arrives, on the
channel's own ``ivr.<channel>`` streams (common random numbers; nothing is drawn without an
IVR). A contained call is resolved when its IVR time ends and never queues; the others join
the queue then, and their wait (service level, patience) counts from that moment. Calls are
offered when they reach the IVR, so offered = answered + abandoned + contained + waiting.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.model.contacts import IN_TRANSIT, WAITING, Contact
from sim.model.distributions import Sampler
from sim.model.kit import Kit
from sim.model.streams import Uniforms


class Ivr:
    """The IVR of one channel: holds calls for their IVR time, then resolves or queues them."""

    def __init__(self, spec: object, name: str, kit: Kit) -> None:
        self.env = kit.env
        self.duration: Sampler = kit.sampler(spec.duration, f"ivr.{name}")  # type: ignore[attr-defined]
        self.draws: Uniforms = kit.uniforms(f"ivr_containment.{name}")
        self.containment: float = spec.containment  # type: ignore[attr-defined]
        self.inside: dict[Contact, None] = {}  # calls in the IVR, in arrival order

    def enter(
        self,
        contact: Contact,
        contained: Callable[[Contact], None],
        queued: Callable[[Contact], None],
    ) -> None:
        """``contact`` enters the IVR now; ``contained`` or ``queued`` is called when it leaves."""
        duration = next(self.duration)
        resolved = next(self.draws) < self.containment
        contact.state = IN_TRANSIT
        self.inside[contact] = None
        self.env.after(duration, self._leave, (contact, contained if resolved else queued))

    def _leave(self, leaving: tuple[Contact, Callable[[Contact], None]]) -> None:
        contact, then = leaving
        del self.inside[contact]
        contact.state = WAITING
        then(contact)
