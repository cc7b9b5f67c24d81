"""The contact centre during one replication: journeys and the run loop.

Issues arise (arrivals), each makes contacts at channels, the router matches contacts with
pool agents, and behaviour decides what a customer does after a failure. The centre is the
journey state machine between them: it knows no channel by name — channels report back
through hooks (resolved, abandoned, follow-up, duplicate) — and it counts, by reporting
interval, what happens to issues. It returns those counts; tables, costs and files are made
elsewhere (:mod:`sim.experiment`).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from sim.model.agents import WEEK, Pool
from sim.model.behaviour import GIVE_UP, RETRY, JumpTheLine, first_channel_shares
from sim.model.build import (
    build_arrivals,
    build_behaviour,
    build_channels,
    build_pools,
    build_router,
    given_handles,
)
from sim.model.channels.base import Channel
from sim.model.choice import ChannelChoice
from sim.model.contacts import (
    AWAITING_CUSTOMER,
    GAVE_UP,
    IN_TRANSIT,
    OPEN,
    RESOLVED,
    SERVING,
    WAITING,
    Contact,
    Journey,
)
from sim.model.counters import (
    ChannelCounts,
    PoolStats,
    ReplicationCounts,
    counters,
)
from sim.model.customers import CustomerBase
from sim.model.kit import Kit
from sim.model.observer import ContactObserver, Outcome
from sim.model.replay import GivenArrivals, Replay
from sim.model.streams import cumulative_shares
from sim.scenario.checks import reported_channels
from sim.scenario.schema import Scenario

LIVE = (WAITING, SERVING, AWAITING_CUSTOMER, IN_TRANSIT)


class Centre:
    """One replication of a scenario. ``observer``, when given, is told of every contact's
    outcome (a trace writer, :mod:`sim.model.observer`); ``replay``, when given, replaces
    the demand model by a logged stream of contacts (:mod:`sim.model.replay`)."""

    def __init__(
        self,
        scenario: Scenario,
        replication: int,
        observer: ContactObserver | None = None,
        replay: Replay | None = None,
    ) -> None:
        self.scenario = scenario
        self.replication = replication
        kit = Kit(scenario, replication)
        self.env, self.calendar, self.n_intervals = kit.env, kit.calendar, kit.n_intervals
        self.channels = build_channels(kit)
        self.pools: list[Pool] = build_pools(kit)
        self.pool_stats = {p.name: PoolStats(self.n_intervals) for p in self.pools}
        self.router = build_router(kit, self.pools, self.channels)
        self.behaviour = build_behaviour(kit)
        self.arrivals = build_arrivals(kit, replay)
        self._given = given_handles(self.channels) if replay is not None else {}
        self._staffing = replay.staffing if replay is not None else {}
        self._check_staffing()
        self._first_choice = kit.uniforms("channel_choice")
        active = scenario.demand.choice.active
        self.choice = ChannelChoice(scenario, self.channels) if active else None
        self.customers: CustomerBase | None = None
        self._count_journeys()
        if scenario.demand.customers is not None and replay is None:  # a replay has no customers
            self.customers = CustomerBase(kit, self._public)
        self._connect()
        self.trace = observer
        for channel in self.channels.values():
            channel.trace = observer
        self._reported = set(reported_channels(scenario))

    def _count_journeys(self) -> None:
        scenario, n = self.scenario, self.n_intervals
        # the public channel (social): the one customers learn to go to first
        self._public = next((name for name, c in self.channels.items() if c.kind.public), "")
        self._private = [c for c in self.channels.values() if c.kind.assisted and c.kind.private]
        self._set_first_channel(dict(scenario.demand.first_channel))
        base = self.first_channel.get(self._public, 0.0)
        jump = scenario.behaviour.jump_the_line
        self.jump = JumpTheLine(base, jump.rate, jump.max_social_first)
        self._to_public = 0.0  # arrivals carrying a private channel that go public instead
        # per reporting interval of the issue's arising (plus the UNMEASURED one)
        self.issues = np.zeros(n + 1, np.int64)  # counted by the arrival process, in bulk
        self.resolved = counters(n)
        self.gave_up = counters(n)
        self.contacts = counters(n)  # contacts made, by the interval of their issue
        self.first_share = [base] * n
        self._numbers = itertools.count(1)  # numbers the journeys, warm-up included
        self.duplicates = 0  # measured: contacts made while another of the journey is open
        self.resolved_first_contact = 0  # measured issues resolved at their first contact
        # by first channel, measured: [seconds from issue to resolution, resolved issues]
        self.resolution: dict[str, list[float]] = {ch: [0.0, 0] for ch in self.channels}

    def _connect(self) -> None:
        """Channels report back to the journeys through these hooks."""
        for channel in self.channels.values():
            channel.on_done = self._resolve
            channel.on_abandon = self._abandoned
            channel.on_public_answer = self.jump.observe_public
            channel.follow_up = self._contact_now
            channel.escalate = self._duplicate
            if self.customers is not None:
                channel.on_first_public = self.customers.touched_public
                channel.on_public_outcome = self.customers.public_outcome

    def _set_first_channel(self, shares: dict[str, float]) -> None:
        """Where new issues go first, from now on."""
        self.first_channel = shares
        self._first_bounds, self._first_options = cumulative_shares(shares)
        # one channel only: no choice to make, nothing to draw (as in Uniforms.choose)
        self._sole_first = self._first_options[0] if len(self._first_options) == 1 else None

    # --- journeys -------------------------------------------------------------------------

    def _new_issue(self, k: int) -> None:
        """An issue arises now, in reporting interval ``k`` (called by the clock at each
        arrival). With a customer base it belongs to one of its customers, who may go
        public first out of habit."""
        now = self.env.now
        channel = self._sole_first or self._first_choice.choose(
            self._first_bounds, self._first_options
        )
        journey = Journey()
        journey.number = next(self._numbers)
        journey.created = now
        journey.k = k
        journey.outcome = OPEN
        journey.touched = False
        if self.customers is not None:
            channel = self.customers.arrive(journey, channel)
        journey.first_channel = channel
        journey.contacts = 1  # its first contact, as :meth:`_contact` counts it
        self.contacts[k] += 1
        self.channels[channel].arrive(journey, now, k)

    def _new_channel_issue(self, payload: tuple[int, str]) -> None:
        """An issue arises now whose first channel came with it (per-channel demand); the
        jump-the-line habit moves some private ones to the public channel."""
        k, channel = payload
        switch = self._to_public > 0.0 and channel != self._public
        if switch and next(self._first_choice) < self._to_public:
            channel = self._public
        self._open(k, channel)

    def _new_given(self, payload: tuple[int, str, float]) -> None:
        """A replayed contact arrives now, with its logged handle time (NaN: drawn)."""
        k, channel, handle = payload
        given = self._given.get(channel)
        if given is not None:
            given.given = handle
        self._open(k, channel)

    def _open(self, k: int, channel: str) -> None:
        """A journey starts with a contact at ``channel`` (as :meth:`_new_issue` does inline)."""
        self._contact(self._journey(k, channel), channel, k)

    def _journey(self, k: int, channel: str) -> Journey:
        """A new journey arising now in interval ``k`` at first channel ``channel`` (the one
        place besides the inlined hot path of :meth:`_new_issue` that makes journeys)."""
        journey = Journey()
        journey.number = next(self._numbers)
        journey.created = self.env.now
        journey.k = k
        journey.first_channel = channel
        journey.contacts = 0
        journey.outcome = OPEN
        journey.touched = False
        return journey

    def _contact_now(self, journey: Journey, channel: str) -> Contact | None:
        """``journey`` makes a contact at ``channel`` now (a later contact of the journey)."""
        return self._contact(journey, channel, self.calendar.interval_of(self.env.now))

    def _contact(self, journey: Journey, channel: str, k: int) -> Contact | None:
        """``journey`` makes a contact at ``channel`` now, in reporting interval ``k``."""
        journey.contacts += 1
        self.contacts[journey.k] += 1
        return self.channels[channel].arrive(journey, self.env.now, k)

    def _duplicate(self, journey: Journey, channel: str) -> None:
        """``journey`` contacts ``channel`` while another of its contacts is still open."""
        self.duplicates += journey.k >= 0
        self._contact_now(journey, channel)

    def _resolve(self, journey: Journey) -> None:
        """The issue is resolved (a late duplicate of a closed journey changes nothing)."""
        if journey.outcome != OPEN:
            return
        journey.outcome = RESOLVED
        k = journey.k
        self.resolved[k] += 1
        if k >= 0:
            tally = self.resolution[journey.first_channel]
            tally[0] += self.env.now - journey.created
            tally[1] += 1
            self.resolved_first_contact += journey.contacts == 1

    def _give_up(self, journey: Journey) -> None:
        if journey.outcome != OPEN:
            return
        journey.outcome = GAVE_UP
        self.gave_up[journey.k] += 1
        if self.customers is not None:
            self.customers.gave_up(journey)

    def _abandoned(self, contact: Contact) -> None:
        journey = contact.journey
        if journey.outcome != OPEN:
            return
        action, channel = self.behaviour.after_abandon(journey.contacts)
        if action == GIVE_UP:
            self._give_up(journey)
        elif action == RETRY:
            retry = (journey, contact.channel)
            self.env.after(next(self.behaviour.retry_delay), self._retry, retry)
        else:
            self._contact_now(journey, channel)

    def _retry(self, retry: tuple[Journey, str]) -> None:
        journey, channel = retry
        self._contact_now(journey, channel)

    # --- time-driven events ---------------------------------------------------------------

    def _headcount_step(self, pool: Pool) -> None:
        """Set ``pool``'s headcount for the current time and schedule its next change."""
        now = self.env.now
        week_second = self.calendar.clock(now) % WEEK
        level, next_change = pool.steps[0][1:], math.inf
        for t, *count in pool.steps:
            if t <= week_second + 1e-9:
                level = count
            else:
                next_change = t - week_second
                break
        else:
            if len(pool.steps) > 1:
                next_change = WEEK - week_second
        for agent in pool.set_headcount(now, *level):
            self.router.take_work(pool, agent)
        if next_change < math.inf:
            self.env.after(next_change, self._headcount_step, pool)

    def _check_staffing(self) -> None:
        for pool in self.pools:
            if pool.name in self._staffing:
                most = int(max(self._staffing[pool.name][1]))
                if pool.productive(most) > len(pool.free):
                    raise ValueError(
                        f"replay staffing of pool {pool.name} reaches {most} agents; the "
                        f"scenario's pool holds at most {len(pool.free)}"
                    )

    def _given_headcount(self, pool: Pool, times: np.ndarray, agents: np.ndarray) -> None:
        """A replay's headcounts: the level in force at time 0 now, each later change at
        its time."""
        level = int(agents[0])
        for t, count in zip(times.tolist(), agents.tolist(), strict=True):
            if t <= 0.0:
                level = int(count)
            else:
                self.env.after(t, self._set_headcount, (pool, int(count)))
        self._set_headcount((pool, level))

    def _set_headcount(self, change: tuple[Pool, int]) -> None:
        pool, level = change
        for agent in pool.set_headcount(self.env.now, level):
            self.router.take_work(pool, agent)

    def _jump_the_line_period(self, _: None) -> None:
        """End of a period: customers' public-first habit follows last period's waits."""
        share = self.jump.update(
            sum(c.period_wait for c in self._private), sum(c.period_answered for c in self._private)
        )
        for channel in self.channels.values():
            channel.earlier_wait += channel.period_wait
            channel.earlier_answered += channel.period_answered
            channel.period_wait, channel.period_answered = 0.0, 0
        first = first_channel_shares(self.scenario.demand.first_channel, self._public, share)
        if self.choice is not None:  # the habit moves the public channel's reference share
            self.choice.reference = first
            first = self.choice.shares()
        self._set_first_channel(first)
        base = self.jump.base
        self._to_public = max(0.0, (share - base) / (1.0 - base)) if base < 1.0 else 0.0
        self.env.after(
            self.scenario.behaviour.jump_the_line.period, self._jump_the_line_period, None
        )

    def _choice_period(self, _: None) -> None:
        """End of a choice period: first channels follow the waits customers perceive."""
        assert self.choice is not None
        self._set_first_channel(self.choice.update())
        self.env.after(self.choice.period, self._choice_period, None)

    def _interval_boundary(self, _: None) -> None:
        self._close_interval(self.env.now)
        if self._closing_k < self.n_intervals:
            self._schedule_boundary()

    def _schedule_boundary(self) -> None:
        at = min(
            self.calendar.warmup + (self._closing_k + 1) * self.calendar.interval,
            self.calendar.end,
        )
        self.env.after(at - self.env.now, self._interval_boundary, None)

    def _close_interval(self, now: float) -> None:
        """Book pool time since the last boundary into the interval that just ended."""
        k = self._closing_k
        if k >= 0:
            self.first_share[k] = self.first_channel.get(self._public, 0.0)
        for pool in self.pools:
            pool.accrue(now)
            stats = self.pool_stats[pool.name]
            base = self._pool_base[pool.name]
            if k >= 0:
                stats.busy[k] = pool.busy_agents_area() - base[0]
                stats.present[k] = pool.present_area - base[1]
                stats.paid[k] = pool.paid_area - base[2]
            self._pool_base[pool.name] = (
                pool.busy_agents_area(),
                pool.present_area,
                pool.paid_area,
            )
        self._closing_k = k + 1

    # --- running --------------------------------------------------------------------------

    def run(self) -> ReplicationCounts:
        """Simulate warm-up and horizon; return what this replication counted."""
        try:
            self._run()
        except BaseException:
            if self.trace is not None:
                self.trace.abort()
            raise
        if self.trace is not None:
            still_open = [c for channel in self.channels.values() for c in channel.unanswered()]
            still_open.sort(key=lambda c: (c.arrived, c.journey.number))  # not set order
            for contact in still_open:
                self.trace.contact(contact, Outcome.OPEN)
            self.trace.close()
        return self.counts()

    def _run(self) -> None:
        self._pool_base = {p.name: (0.0, 0.0, 0.0) for p in self.pools}
        self._closing_k = -1
        for pool in self.pools:
            if pool.name in self._staffing:
                self._given_headcount(pool, *self._staffing[pool.name])
            else:
                self._headcount_step(pool)
        jump = self.scenario.behaviour.jump_the_line
        if jump.enabled:
            self.env.after(jump.period, self._jump_the_line_period, None)
        if self.choice is not None:
            self._set_first_channel(self.choice.shares())  # effort moves them from the start
            self.env.after(self.choice.period, self._choice_period, None)
        if self.calendar.warmup > 0:
            self.env.after(self.calendar.warmup, self._interval_boundary, None)
        else:
            self._close_interval(0.0)
            self._schedule_boundary()
        until = self.calendar.run_until
        arrivals = self.arrivals.issues(until, self.calendar, self.issues)
        on_arrival = self._new_issue
        if isinstance(self.arrivals, GivenArrivals):
            on_arrival = self._new_given
        elif self.arrivals.carries_channel:
            on_arrival = self._new_channel_issue
        self.env.run_until(until, arrivals, on_arrival)
        if self._closing_k < self.n_intervals:
            self._close_interval(self.calendar.end)
        for channel in self.channels.values():
            channel.count_waiting_at_end()
            channel.close_run(until)

    def counts(self) -> ReplicationCounts:
        """What the replication counted (after :meth:`run`)."""
        public = [c for c in self.channels.values() if c.kind.public]
        channels = {
            name: ChannelCounts(
                channel.stats,
                self.resolution[name][0],
                self.resolution[name][1],
                channel.kind.assisted,
                channel.extra_totals(),
                channel.policy_totals(),
            )
            for name, channel in self.channels.items()
            if name in self._reported
        }
        return ReplicationCounts(
            replication=self.replication,
            horizon=self.calendar.horizon,
            interval=self.calendar.interval,
            channels=channels,
            pools={p.name: self.pool_stats[p.name] for p in self.pools},
            pool_skills={p.name: list(p.skills) for p in self.pools},
            issues=self.issues,
            resolved=self.resolved,
            gave_up=self.gave_up,
            contacts=self.contacts,
            first_share=self.first_share,
            first_share_end=self.first_channel.get(self._public, 0.0),
            public_negative=sum(c.public_negative for c in public),
            public_positive=sum(c.public_positive for c in public),
            touched_public=sum(c.touched for c in public),
            duplicates=self.duplicates,
            contacts_simulated=sum(self.contacts),
            resolved_first_contact=self.resolved_first_contact,
            public_posts=public_posts(public),
            customers=self.customers.totals() if self.customers is not None else {},
        )

    def census(self) -> set[Journey]:
        """Open journeys still in the system, found by looking at it, not at the counters.

        Used by conservation tests: a journey is somewhere — queued, in service, in a
        self-service session or waiting to retry — or it has been closed.
        """
        found: set[Journey] = set()
        for channel in self.channels.values():
            found.update(channel.live_journeys())
        for payload in self.env.payloads():
            if isinstance(payload, Contact) and payload.state in LIVE:
                found.add(payload.journey)
            elif isinstance(payload, Journey):
                found.add(payload)
            elif isinstance(payload, tuple) and payload and isinstance(payload[0], Journey):
                found.add(payload[0])
        return {j for j in found if j.outcome == OPEN}


def public_posts(public: list[Channel]) -> dict[str, int]:
    """Measured public posts answered in time (fast), late, or never (ignored)."""
    totals = {"fast": 0, "late": 0, "ignored": 0}
    for channel in public:
        for how, count in channel.public_posts.items():
            totals[how] += count
    return totals


__all__ = ["Centre"]
