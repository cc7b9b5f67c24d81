"""A channel during one replication: the base of every channel kind, and the agent queue.

The centre only ever talks to a channel through :class:`Channel`: a journey's contact
``arrive``s, and the channel reports back through hooks the centre sets — the issue is
resolved (``on_done``), a contact was abandoned (``on_abandon``), the journey moves on to
another channel (``follow_up``) or opens a duplicate contact there (``escalate``). So a new
kind is a subclass registered under its name (:mod:`sim.model.channels.registry`), and
nothing in the centre, the router or the checks names a channel.

:class:`AssistedChannel` is the queue shared by phone, email and social: first-come
first-served, shared by every pool that serves the channel, with optional customer patience.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from sim.model.business_hours import BusinessClock
from sim.model.contacts import ABANDONED, OPEN, WAITING, Contact, Journey
from sim.model.counters import ChannelStats
from sim.model.kit import Kit
from sim.model.observer import ContactObserver, Outcome
from sim.model.transfers import Transfers, transfers_of
from sim.scenario.channels import ChannelSection
from sim.scenario.registry import kind_of
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.model.agents import Pool
    from sim.model.callback import CallbackOffer
    from sim.model.distributions import Sampler
    from sim.model.routing.base import Dispatcher

INF = math.inf


def _no_contact(journey: Journey, channel: str) -> Contact | None:
    return None


class Channel:
    """One channel of the centre: where a journey's contacts go.

    ``kind`` is the channel's entry in the scenario registry: whether agents answer it
    (``kind.assisted``), whether it is private or public. Channel objects keep few attributes
    (CPython's fast attribute access works for up to 30 per object), so what is needed only
    while building lives on ``spec`` and ``kind``.
    """

    def __init__(self, name: str, spec: ChannelSection, kit: Kit) -> None:
        self.name = name
        self.spec = spec
        self.env = kit.env
        self.kind = kind_of(name)
        level = getattr(spec, "service_level", None)
        self.stats = ChannelStats(name, kit.n_intervals, None if level is None else level.within)
        if level is not None:
            self.stats.abandons_rule = level.abandons
            self.stats.short_seconds = level.short_abandon
        hours = None if level is None else level.business_hours
        # the service-level clock runs in business hours only, when the channel has them
        self.business = None if hours is None else BusinessClock(hours, kit.calendar.warmup)
        self.trace: ContactObserver | None = None  # per-contact rows, when asked for
        self.period_wait = 0.0  # first-answer waits since the last jump-the-line update
        self.period_answered = 0
        self.earlier_wait = 0.0  # ... and before it (channel choice reads both)
        self.earlier_answered = 0
        # hooks the centre sets
        self.on_done: Callable[[Journey], None] = lambda journey: None  # the issue is resolved
        self.on_abandon: Callable[[Contact], None] = lambda contact: None
        self.on_public_answer: Callable[[float], None] = lambda wait: None
        self.follow_up: Callable[[Journey, str], Contact | None] = _no_contact
        self.escalate: Callable[[Journey, str], None] = lambda journey, channel: None
        # a public kind tells the customer base (when there is one) of its journeys
        self.on_first_public: Callable[[Journey], None] = lambda journey: None
        self.on_public_outcome: Callable[[Journey, str], None] = lambda journey, how: None

    def arrive(self, journey: Journey, now: float, k: int) -> Contact | None:
        """``journey`` contacts this channel now, in reporting interval ``k``; returns the
        contact when there is one for an agent to answer."""
        raise NotImplementedError

    def attach(self, router: Dispatcher) -> None:
        """The centre's router is ready (kinds that route contacts keep it)."""

    def unanswered(self) -> list[Contact]:
        """Contacts still waiting for their first answer."""
        return []

    def live_journeys(self) -> Iterable[Journey]:
        """Journeys with a contact held here (for conservation checks, not the hot path)."""
        return ()

    def count_waiting_at_end(self) -> None:
        """Record how many measured contacts were still unanswered when the run ended."""
        self.stats.waiting_end = sum(1 for c in self.unanswered() if c.k >= 0)

    def close_run(self, now: float) -> None:
        """The run has ended at ``now`` (a kind may settle what it still holds)."""

    # what a public kind counts (class-level zeros here, so any kind can be public)
    public_negative = 0.0  # impressions of measured public posts answered late or never
    public_positive = 0.0  # impressions of measured public posts answered in time
    touched = 0  # measured journeys that contacted this channel at least once
    # measured public posts answered in time, late or never: {"fast": n, "late": n, ...}
    public_posts: Mapping[str, int] = MappingProxyType({})

    shapes_service = False
    """Whether :meth:`service_time` changes how long an agent takes (chat's concurrency)."""

    def service_time(self, contact: Contact, pool: Pool, agent: int, duration: float) -> float:
        """How long ``agent`` of ``pool`` is held by ``contact``, given its handle time after
        the pool's efficiency (called only when :attr:`shapes_service`)."""
        return duration

    EXTRA_METRICS: tuple[str, ...] = ()
    """Names of :meth:`extra_totals`, known before any run (the metric catalogue)."""

    def extra_totals(self) -> dict[str, float]:
        """The kind's own whole-horizon counts, reported after its standard figures."""
        return {}

    @classmethod
    def policy_metrics(cls, scenario: Scenario) -> tuple[str, ...]:
        """Names of :meth:`policy_totals` under ``scenario``, known before any run."""
        return ()

    def policy_totals(self) -> dict[str, float]:
        """Counts of policy features applied here, reported after the pools."""
        return {}


class AssistedChannel(Channel):
    """A channel answered by agents: a FIFO queue with optional abandonment."""

    def __init__(self, name: str, spec: ChannelSection, kit: Kit) -> None:
        super().__init__(name, spec, kit)
        self.handle_time: Sampler = kit.sampler(spec.handle_time, f"handle_time.{name}")
        after = getattr(spec, "after_contact", None)  # wrap-up: agent busy, customer gone
        self.after_contact: Sampler | None = (
            None if after is None else kit.sampler(after, f"after_contact.{name}")
        )
        self.patience: Sampler | None = self.patience_sampler(kit)
        self.queue: deque[Contact] = deque()
        self.waiting = 0  # contacts in the queue that have not abandoned
        self.router: Dispatcher | None = None  # set when the centre's router is ready
        self.callback: CallbackOffer | None = None
        self.contact_type: type[Contact] = Contact  # what a contact here is
        self.transfers: Transfers | None = transfers_of(spec, name, kit)

    def patience_sampler(self, kit: Kit) -> Sampler | None:
        """Customers' patience here (None: nobody abandons)."""
        patience = getattr(self.spec, "patience", None)
        return None if patience is None else kit.sampler(patience, f"patience.{self.name}")

    def attach(self, router: Dispatcher) -> None:
        self.router = router

    def arrive(self, journey: Journey, now: float, k: int) -> Contact:
        """``journey`` contacts this channel now: the contact is answered or queued."""
        contact = self.new_contact(journey, now, k)
        self.router.dispatch(contact, self)
        return contact

    def new_contact(self, journey: Journey, now: float, k: int) -> Contact:
        """A contact of ``journey`` arriving now (in reporting interval ``k``), with its handle
        time, after-contact work (when the channel has some) and patience drawn."""
        patience = next(self.patience) if self.patience is not None else INF
        self.stats.offered[k] += 1
        contact = self.contact_type()
        contact.journey = journey
        contact.channel = self.name
        contact.arrived = now
        contact.k = k
        contact.handle = next(self.handle_time)
        if self.after_contact is not None:
            contact.wrap = next(self.after_contact)
        contact.patience = patience
        contact.state = WAITING
        contact.answered = False
        contact.origin = -1.0
        callback = self.callback
        contact.callback = callback is not None and callback.would_accept()
        return contact

    def enqueue(self, contact: Contact) -> None:
        """No agent was free: the contact waits, and abandons when its patience runs out."""
        self.queue.append(contact)
        self.waiting += 1
        if not contact.answered:
            self.stats.waited[contact.k] += 1
        if self.callback is not None and self.callback.offer(
            self.waiting, contact.callback, contact.k >= 0
        ):
            contact.patience = INF  # called back later: nobody holds the line
        if contact.patience < INF:
            self.env.after(contact.patience, self._patience_over, contact)

    def pop(self) -> Contact:
        """The longest-waiting contact that is still waiting (abandoned ones are skipped)."""
        queue = self.queue
        contact = queue.popleft()
        while contact.state != WAITING:
            contact = queue.popleft()
        self.waiting -= 1
        return contact

    def head(self) -> Contact:
        """The longest-waiting contact still waiting, left in the queue (needs one)."""
        queue = self.queue
        while queue[0].state != WAITING:
            queue.popleft()
        return queue[0]

    def record_answer(self, contact: Contact, now: float) -> float:
        """An agent takes ``contact`` for the first time; returns how long it waited."""
        contact.answered = True
        wait = now - contact.arrived
        if contact.origin >= 0.0:  # the private follow-up of a deflected public complaint
            self.on_public_answer(now - contact.origin)
        if self.trace is not None:
            self.trace.contact(contact, Outcome.ANSWERED, wait)
        self.period_wait += wait
        self.period_answered += 1
        k, stats = contact.k, self.stats
        stats.answered[k] += 1
        stats.wait_sum[k] += wait
        business = self.business
        if (wait if business is None else business.between(contact.arrived, now)) <= (
            stats.within_seconds
        ):
            stats.within[k] += 1
        return wait

    def holding_mean(self) -> float:
        """Mean agent time per contact: handle time plus after-contact work."""
        wrap = self.after_contact
        return self.handle_time.mean + (0.0 if wrap is None else wrap.mean)

    def served(self, contact: Contact) -> None:
        """An agent finished its work on ``contact``: its issue is resolved, unless the
        contact is transferred to another channel's queue (a new contact of the journey)."""
        transfers = self.transfers
        if transfers is not None and contact.journey.outcome == OPEN:
            target = transfers.target()
            if target:
                self.follow_up(contact.journey, target)
                return
        self.on_done(contact.journey)

    def _patience_over(self, contact: Contact) -> None:
        if contact.state != WAITING:
            return
        contact.state = ABANDONED
        self.waiting -= 1
        stats = self.stats
        stats.abandoned[contact.k] += 1
        if self.env.now - contact.arrived < stats.short_seconds:
            stats.short_abandoned[contact.k] += 1
        if self.trace is not None:
            self.trace.contact(contact, Outcome.ABANDONED, self.env.now - contact.arrived)
        self.on_abandon(contact)

    def unanswered(self) -> list[Contact]:
        return [c for c in self.queue if c.state == WAITING and not c.answered]

    def live_journeys(self) -> Iterable[Journey]:
        return (c.journey for c in self.queue if c.state == WAITING)
