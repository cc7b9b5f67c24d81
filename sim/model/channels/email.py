"""Email: an asynchronous backlog served in arrival order; nobody hangs up.

An email still unanswered after ``behaviour.escalate_to_social.after`` leads, with its
``probability`` (drawn when the email is sent, for common random numbers), to a public post:
the customer vents in public while the email stays in the backlog — a duplicate contact.
"""

from __future__ import annotations

from sim.model.channels.base import AssistedChannel
from sim.model.contacts import OPEN, Contact, Journey
from sim.model.kit import Kit
from sim.scenario.channels import ChannelSection
from sim.scenario.registry import public_names


class EmailChannel(AssistedChannel):
    """The email backlog, with escalation to the public channel when ignored too long."""

    def __init__(self, name: str, spec: ChannelSection, kit: Kit) -> None:
        super().__init__(name, spec, kit)
        escalate = kit.scenario.behaviour.escalate_to_social
        self._vents = kit.uniforms(f"escalation.{name}")
        self._vent_probability = escalate.probability
        self._vent_after = escalate.after
        self._vent_to = next(iter(public_names()), None)

    def arrive(self, journey: Journey, now: float, k: int) -> Contact:
        contact = self.new_contact(journey, now, k)
        self.router.dispatch(contact, self)
        if self._vent_probability > 0.0 and next(self._vents) < self._vent_probability:
            self.env.after(self._vent_after, self._unanswered, contact)
        return contact

    def _unanswered(self, email: Contact) -> None:
        """No reply in time: the customer posts in public; the email stays queued."""
        if email.answered or email.journey.outcome != OPEN or self._vent_to is None:
            return
        self.escalate(email.journey, self._vent_to)
