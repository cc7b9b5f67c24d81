"""Social media: public posts and private messages, threads of several agent replies.

How a thread is worked (the choice real social teams make): each agent reply is one piece of
work taken from the social queue. After a reply the customer takes ``reply_delay`` to answer,
and the thread re-enters the queue; the agent does not hold a slot idle meanwhile. The pool's
``concurrency`` says how many replies an agent works on at once. The first reply is the one
that counts for service level, ASA and public impressions. All of a thread's attributes —
public or private, its number of exchanges, each reply's handle time and the customer's delays,
handoff, community resolution, misrouting and audience — are drawn when the post is made, so
policy variants see the same threads (common random numbers).

Modes (``policy.social_mode``): ``serve`` answers in public through all exchanges; ``deflect``
sends one short public reply and moves the customer to ``handoff.to``; ``ignore`` answers
nothing, and a post counts as abandoned once its service-level threshold passes.

Public impressions: a public post's audience counts as positive impressions if the first reply
comes within the service-level threshold, negative if it comes later or never.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from sim.model.channels.base import AssistedChannel
from sim.model.contacts import (
    AWAITING_CUSTOMER,
    DONE,
    IN_TRANSIT,
    WAITING,
    Contact,
    Journey,
    Thread,
)
from sim.model.counters import measured
from sim.model.distributions import Sampler, constant
from sim.model.kit import Kit
from sim.model.observer import Outcome
from sim.scenario.channels import ChannelSection


class SocialChannel(AssistedChannel):
    """The social channel: an :class:`AssistedChannel` whose contacts are threads."""

    def __init__(self, name: str, spec: ChannelSection, kit: Kit) -> None:
        super().__init__(name, spec, kit)
        self.contact_type = Thread
        self.mode = kit.scenario.policy.social_mode
        self.reply_delay = kit.sampler(spec.reply_delay, f"reply_delay.{name}")
        self.audience = kit.sampler(spec.audience, f"audience.{name}")
        self.extra_exchanges = Sampler(
            kit.rng(f"exchanges.{name}"),
            extra_exchanges_batch(spec.exchanges),
            spec.exchanges - 1.0,
        )
        self.draws = kit.uniforms(f"thread.{name}")
        # posts on their way to an agent; a dict, so iterating is in posting order, the same
        # in every process (a set of objects would follow their memory addresses)
        self.in_transit: dict[Thread, None] = {}
        self.public_negative = 0.0  # impressions, measured posts only
        self.public_positive = 0.0
        self.touched = 0  # measured journeys that contacted this channel at least once
        # measured public posts by how they were answered: in time, late, never (priced by
        # a scenario's value section, outside the model)
        self.public_posts = {"fast": 0, "late": 0, "ignored": 0}

    def patience_sampler(self, kit: Kit) -> Sampler | None:
        """Nobody answers under ``ignore``: a post "abandons" once its threshold has passed."""
        if kit.scenario.policy.social_mode == "ignore":
            return constant(self.spec.service_level.within)
        return None

    def arrive(self, journey: Journey, now: float, k: int) -> Thread:  # type: ignore[override]
        """A post (public) or private message, routed now or after a misrouting delay."""
        if not journey.touched:
            journey.touched = True
            self.touched += journey.k >= 0
            self.on_first_public(journey)
        contact = self.new_contact(journey, now, k)
        spec, draws = self.spec, self.draws
        contact.public = next(draws) < spec.public_share
        audience = next(self.audience)
        contact.audience = audience if contact.public else 0.0
        extra = int(next(self.extra_exchanges))
        later = [(next(self.reply_delay), next(self.handle_time)) for _ in range(extra)]
        handoff = next(draws) < spec.handoff.probability
        community = next(draws) < spec.community_resolves
        community_delay = next(self.reply_delay)
        misrouted = next(draws) < spec.misrouted.share
        if self.mode == "deflect":
            later, handoff = [], True
        contact.later = later
        contact.handoff = handoff
        if contact.public and community:
            self._hold(contact, community_delay, self._community_resolved)
        elif contact.public and misrouted and spec.misrouted.delay > 0:
            self._hold(contact, spec.misrouted.delay, self._reaches_service)
        else:
            self.router.dispatch(contact, self)
        return contact

    def _hold(self, contact: Thread, delay: float, then: Callable[[Thread], None]) -> None:
        contact.state = IN_TRANSIT
        self.in_transit[contact] = None
        self.env.after(delay, then, contact)

    def _reaches_service(self, contact: Thread) -> None:
        del self.in_transit[contact]
        contact.state = WAITING
        self.router.dispatch(contact, self)

    def _community_resolved(self, contact: Thread) -> None:
        del self.in_transit[contact]
        contact.state = DONE
        self.stats.community[contact.k] += 1
        if self.trace is not None:
            self.trace.contact(contact, Outcome.COMMUNITY)
        self.on_done(contact.journey)

    def record_answer(self, contact: Thread, now: float) -> float:
        """First reply: service level as for any channel, plus public impressions."""
        wait = super().record_answer(contact, now)
        within = self.stats.within_seconds
        if contact.public:
            if contact.k >= 0:
                if wait <= within:
                    self.public_positive += contact.audience
                    self.public_posts["fast"] += 1
                else:
                    self.public_negative += contact.audience
                    self.public_posts["late"] += 1
            self.on_public_outcome(contact.journey, "fast" if wait <= within else "late")
            if self.mode == "serve":
                self.on_public_answer(wait)
        return wait

    def served(self, contact: Thread) -> None:
        """After a reply: wait for the customer's next message, or close the thread."""
        if contact.later:
            delay, handle = contact.later.pop()
            contact.handle = handle
            contact.state = AWAITING_CUSTOMER
            self.env.after(delay, self._customer_replied, contact)
        elif contact.handoff:
            self._hand_off(contact)
        else:
            super().served(contact)  # resolved, or transferred

    def _hand_off(self, contact: Thread) -> None:
        """The thread moves to a private channel: a new contact of the same journey."""
        private = self.follow_up(contact.journey, self.spec.handoff.to)
        if private is not None and contact.public and self.mode == "deflect":
            # a deflected complaint's real answer is the private one; a served one was
            # already answered in public (its first reply counted for jumping the line)
            if private.answered:  # an agent took it at once: the complaint's wait ends now
                self.on_public_answer(self.env.now - contact.arrived)
            else:  # its answer, when it comes, ends the complaint's wait
                private.origin = contact.arrived

    def _customer_replied(self, contact: Thread) -> None:
        contact.state = WAITING
        self.router.dispatch(contact, self)

    def _patience_over(self, contact: Thread) -> None:
        if contact.state == WAITING and contact.public:
            self.on_public_outcome(contact.journey, "ignored")
            if contact.k >= 0:
                self.public_negative += contact.audience
                self.public_posts["ignored"] += 1
        super()._patience_over(contact)

    def unanswered(self) -> list[Contact]:
        """Contacts still waiting for their first reply, in the queue or in transit."""
        return super().unanswered() + list(self.in_transit)

    def live_journeys(self) -> Iterable[Journey]:
        yield from super().live_journeys()
        yield from (c.journey for c in self.in_transit)

    EXTRA_METRICS = ("community_resolved",)

    def extra_totals(self) -> dict[str, float]:
        return {"community_resolved": sum(measured(self.stats.community))}

    def close_run(self, now: float) -> None:
        """At the end: public posts already past the threshold without a reply count negative."""
        within = self.stats.within_seconds
        for contact in self.unanswered():
            if contact.public and contact.k >= 0 and now - contact.arrived > within:
                self.public_negative += contact.audience
                self.public_posts["ignored"] += 1


def extra_exchanges_batch(mean_exchanges: float) -> Callable[[np.random.Generator, int], object]:
    """Replies beyond the first: Poisson, so a thread has ``1 + Poisson(mean - 1)`` replies."""
    extra = mean_exchanges - 1.0
    return lambda rng, n: rng.poisson(extra, n).astype(float)
