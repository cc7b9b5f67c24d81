"""Channels: where contacts wait for an agent, or serve themselves.

Phone, email and social share one mechanism, :class:`AssistedChannel` — a first-come
first-served queue shared by every pool that serves the channel, with optional customer
patience (phone callers hang up; nobody abandons an email). What differs between them is
configuration (patience, service-level threshold, concurrency at the pools), not code.
:class:`SelfService` has no agents: a session lasts a while, then succeeds or falls back.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.metrics import ChannelStats
from sim.model.clock import Calendar, Clock
from sim.model.contacts import ABANDONED, WAITING, Contact, Journey
from sim.model.distributions import Sampler
from sim.model.streams import Uniforms
from sim.model.trace import ContactTrace, Outcome

if TYPE_CHECKING:
    from sim.model.callback import CallbackOffer
    from sim.model.routing import Router

INF = math.inf


class AssistedChannel:
    """A channel answered by agents: a FIFO queue with optional abandonment."""

    def __init__(
        self,
        name: str,
        env: Clock,
        calendar: Calendar,
        stats: ChannelStats,
        handle_time: Sampler,
        patience: Sampler | None,
    ) -> None:
        self.name = name
        self.env = env
        self.calendar = calendar
        self.stats = stats
        self.handle_time = handle_time
        self.patience = patience
        self.queue: deque[Contact] = deque()
        self.waiting = 0  # contacts in the queue that have not abandoned
        self.period_wait = 0.0  # first-answer waits since the last jump-the-line update
        self.period_answered = 0
        self.router: Router | None = None  # set when the centre wires the router
        self.on_abandon: Callable[[Contact], None] = lambda contact: None
        self.on_done: Callable[[Journey], None] = lambda journey: None  # the issue is resolved
        self.on_public_answer: Callable[[float], None] = lambda wait: None
        self.callback: CallbackOffer | None = None
        self.kind: type[Contact] = Contact  # what a contact here is
        self.trace: ContactTrace | None = None  # per-contact rows, when asked for

    def arrive(self, journey: Journey, now: float, k: int) -> Contact:
        """``journey`` contacts this channel now: the contact is answered or queued."""
        contact = self.new_contact(journey, now, k)
        self.router.dispatch(contact, self)
        return contact

    def new_contact(self, journey: Journey, now: float, k: int) -> Contact:
        """A contact of ``journey`` arriving now (in reporting interval ``k``), with its handle
        time and patience drawn."""
        patience = next(self.patience) if self.patience is not None else INF
        self.stats.offered[k] += 1
        contact = self.kind()
        contact.journey = journey
        contact.channel = self.name
        contact.arrived = now
        contact.k = k
        contact.handle = next(self.handle_time)
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
        if wait <= stats.within_seconds:
            stats.within[k] += 1
        return wait

    def served(self, contact: Contact) -> None:
        """An agent finished its work on ``contact``: its issue is resolved."""
        self.on_done(contact.journey)

    def _patience_over(self, contact: Contact) -> None:
        if contact.state != WAITING:
            return
        contact.state = ABANDONED
        self.waiting -= 1
        self.stats.abandoned[contact.k] += 1
        if self.trace is not None:
            self.trace.contact(contact, Outcome.ABANDONED, self.env.now - contact.arrived)
        self.on_abandon(contact)

    def count_waiting_at_end(self) -> None:
        """Record how many measured contacts were still unanswered when the run ended."""
        self.stats.waiting_end = sum(1 for c in self.unanswered() if c.k >= 0)

    def unanswered(self) -> list[Contact]:
        """Contacts still waiting for their first answer."""
        return [c for c in self.queue if c.state == WAITING and not c.answered]


class SelfService:
    """Web self-service: no agents; succeeds with a probability, else falls back."""

    def __init__(
        self,
        env: Clock,
        calendar: Calendar,
        stats: ChannelStats,
        duration: Sampler,
        outcome: Uniforms,
        success: float,
    ) -> None:
        self.env = env
        self.calendar = calendar
        self.stats = stats
        self.duration = duration
        self.outcome = outcome
        self.success = success
        self.on_success: Callable[[Journey], None] = lambda journey: None
        self.trace: ContactTrace | None = None
        self.on_failure: Callable[[Journey], None] = lambda journey: None

    def start(self, journey: Journey, now: float, k: int) -> None:
        """A session starts at once (no queue), in reporting interval ``k``; its outcome is
        drawn now for CRN."""
        stats = self.stats
        stats.offered[k] += 1
        stats.answered[k] += 1
        succeeded = next(self.outcome) < self.success
        if self.trace is not None:
            outcome = Outcome.SELF_SERVED if succeeded else Outcome.FELL_BACK
            self.trace.row(journey, "self_service", now, k, outcome)
        callback = self._succeeded if succeeded else self._failed
        self.env.after(next(self.duration), callback, journey)

    def _succeeded(self, journey: Journey) -> None:
        self.on_success(journey)

    def _failed(self, journey: Journey) -> None:
        self.on_failure(journey)
