"""The contact centre: builds one replication from a scenario, runs it, reports it.

Wiring only: arrivals create journeys, journeys make contacts at channels, the router
matches contacts with pool agents, behaviour decides what happens after a failure, and the
counters in :mod:`sim.metrics` record it all by reporting interval.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.costs import centre_costs
from sim.metrics import ChannelStats, PoolStats, counters, measured
from sim.model.agents import WEEK, Pool
from sim.model.arrivals import ArrivalProcess
from sim.model.behaviour import GIVE_UP, RETRY, Behaviour, JumpTheLine, first_channel_shares
from sim.model.callback import CallbackOffer
from sim.model.channels import AssistedChannel, SelfService
from sim.model.clock import Calendar, Clock
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
    Thread,
)
from sim.model.distributions import Sampler, constant, sampler
from sim.model.routing import Router
from sim.model.social import SocialChannel, extra_exchanges_batch
from sim.model.streams import Uniforms, cumulative_shares, stream
from sim.model.trace import ContactTrace, Outcome
from sim.scenario.checks import receiving_channels
from sim.scenario.schema import ASSISTED, CHANNELS, Scenario

Metrics = dict[tuple[str, str], float]
LIVE = (WAITING, SERVING, AWAITING_CUSTOMER, IN_TRANSIT)


@dataclass
class ReplicationResult:
    """What one replication produced: whole-horizon metrics and per-interval tables."""

    replication: int
    metrics: Metrics  # (scope, metric) -> value
    intervals: pd.DataFrame  # interval, scope, and the interval columns
    contacts_simulated: int  # every contact, warm-up included (for throughput)


class Centre:
    """One replication of a scenario."""

    def __init__(self, scenario: Scenario, replication: int, trace: Path | None = None) -> None:
        """``trace``: write a row per contact to this Parquet file (see :mod:`sim.model.trace`)."""
        self.scenario = scenario
        self.replication = replication
        run = scenario.run
        self.env = Clock()
        self.calendar = Calendar(run.warmup, run.horizon, run.interval, follow_up(scenario))
        self.n_intervals = scenario.interval_count
        self._streams: dict[str, np.random.Generator] = {}
        self._build_channels()
        self._build_pools()
        self._build_journeys()
        self.trace = None if trace is None else ContactTrace(trace, replication, run.warmup)
        for channel in [*self.channels.values(), self.self_service]:
            channel.trace = self.trace

    # --- construction ---------------------------------------------------------------------

    def _rng(self, purpose: str) -> np.random.Generator:
        rng = stream(self.scenario.run.seed, self.replication, purpose)
        self._streams[purpose] = rng
        return rng

    def _sampler(self, spec: object, purpose: str) -> Sampler:
        return sampler(spec, self._rng(purpose))

    def _build_channels(self) -> None:
        spec = self.scenario.channels
        n = self.n_intervals
        self.stats = {
            "phone": ChannelStats("phone", n, spec.phone.service_level.within),
            "email": ChannelStats("email", n, spec.email.service_level.within),
            "self_service": ChannelStats("self_service", n, None),
            "social": ChannelStats("social", n, spec.social.service_level.within),
        }
        patience: dict[str, Sampler | None] = {"phone": None, "email": None, "social": None}
        if spec.phone.patience is not None:
            patience["phone"] = self._sampler(spec.phone.patience, "patience.phone")
        if self.scenario.policy.social_mode == "ignore":
            # Nobody answers: a post "abandons" once its service-level threshold has passed.
            patience["social"] = constant(spec.social.service_level.within)
        handle = {
            ch: self._sampler(getattr(spec, ch).handle_time, f"handle_time.{ch}") for ch in ASSISTED
        }
        self.channels: dict[str, AssistedChannel] = {
            ch: AssistedChannel(
                ch, self.env, self.calendar, self.stats[ch], handle[ch], patience[ch]
            )
            for ch in ("phone", "email")
        }
        social = spec.social
        self.social = SocialChannel(
            self.env,
            self.calendar,
            self.stats["social"],
            handle["social"],
            patience["social"],
            social,
            self.scenario.policy.social_mode,
            {
                "reply_delay": self._sampler(social.reply_delay, "reply_delay.social"),
                "audience": self._sampler(social.audience, "audience.social"),
                "extra_exchanges": Sampler(
                    self._rng("exchanges.social"),
                    extra_exchanges_batch(social.exchanges),
                    social.exchanges - 1.0,
                ),
            },
            Uniforms(self._rng("thread.social")),
        )
        self.channels["social"] = self.social
        ss = spec.self_service
        self.self_service = SelfService(
            self.env,
            self.calendar,
            self.stats["self_service"],
            self._sampler(ss.duration, "duration.self_service"),
            Uniforms(self._rng("outcome.self_service")),
            ss.success,
        )
        self._fallback = cumulative_shares(dict(ss.fallback))
        self._fallback_choice = Uniforms(self._rng("fallback.self_service"))

    def _build_pools(self) -> None:
        scenario = self.scenario
        served = {ch for p in scenario.pools.values() for ch in p.skills}
        priority = [ch for ch in scenario.policy.priority if ch in served]
        priority += [ch for ch in ASSISTED if ch in served and ch not in priority]
        self.pools: list[Pool] = []
        for name, spec in scenario.pools.items():
            order = [ch for ch in priority if ch in spec.skills]
            pool = Pool(name, spec, order)
            pool.set_reserve(scenario.policy.reserve.get(name, {}))
            self.pools.append(pool)
        self.pool_stats = {p.name: PoolStats(self.n_intervals) for p in self.pools}
        if scenario.policy.social_mode == "ignore":
            for pool in self.pools:
                pool.priority = [ch for ch in pool.priority if ch != "social"]
        self.router = Router(self.env, self.pools, self.channels)
        if scenario.policy.social_mode == "ignore":
            self.router.pools_for["social"] = []
        for channel in self.channels.values():
            channel.router = self.router
        callback = scenario.policy.callback
        if callback is not None:
            phone_pools = self.router.pools_for["phone"]
            self.channels["phone"].callback = CallbackOffer(
                callback.offer_when_wait_over,
                callback.accept,
                Uniforms(self._rng("callback.phone")),
                self.channels["phone"].handle_time.mean,
                lambda: sum(p.present for p in phone_pools),
            )

    def _build_journeys(self) -> None:
        scenario = self.scenario
        self.behaviour = Behaviour(
            scenario.behaviour,
            Uniforms(self._rng("behaviour")),
            self._sampler(scenario.behaviour.retry_delay, "retry_delay"),
        )
        for channel in self.channels.values():
            channel.on_abandon = self._abandoned
            channel.on_done = self._resolve
        self.social.on_handoff = self._handoff
        self.self_service.on_success = self._resolve
        self.self_service.on_failure = self._self_service_failed
        self._first_choice = Uniforms(self._rng("channel_choice"))
        self._set_first_channel(dict(scenario.demand.first_channel))
        jump = scenario.behaviour.jump_the_line
        base_social = self.first_channel.get("social", 0.0)
        self.jump = JumpTheLine(base_social, jump.rate, jump.max_social_first)
        for channel in self.channels.values():
            channel.on_public_answer = self.jump.observe_public
        escalate = scenario.behaviour.escalate_to_social
        self._escalation = Uniforms(self._rng("escalation.email"))
        self._escalation_probability = escalate.probability
        self._escalation_after = escalate.after
        n = self.n_intervals
        # per reporting interval of the issue's arising (plus the UNMEASURED one)
        self.issues = np.zeros(n + 1, np.int64)  # counted by the arrival process, in bulk
        self.resolved = counters(n)
        self.gave_up = counters(n)
        self.contacts = counters(n)  # contacts made, by the interval of their issue
        self.social_first_share = [base_social] * n
        self._numbers = itertools.count(1)  # numbers the journeys, warm-up included
        self.duplicates = 0  # measured: contacts made while another of the journey is open
        self.touched_social = 0  # measured journeys that contacted social at least once
        # by first channel, measured: [seconds from issue to resolution, resolved issues]
        self.resolution: dict[str, list[float]] = {ch: [0.0, 0] for ch in CHANNELS}
        self.arrivals = ArrivalProcess(
            scenario.demand,
            scenario.run.interval,
            self.calendar.clock(0.0),
            self._rng("arrivals"),
            self._rng("day_factor"),
        )

    def _set_first_channel(self, shares: dict[str, float]) -> None:
        """Where new issues go first, from now on."""
        self.first_channel = shares
        self._first_bounds, self._first_options = cumulative_shares(shares)
        # one channel only: no choice to make, nothing to draw (as in Uniforms.choose)
        self._sole_first = self._first_options[0] if len(self._first_options) == 1 else None

    # --- journeys -------------------------------------------------------------------------

    def _new_issue(self, k: int) -> None:
        """An issue arises now, in reporting interval ``k`` (called by the clock at each
        arrival)."""
        now = self.env.now
        channel = self._sole_first or self._first_choice.choose(
            self._first_bounds, self._first_options
        )
        journey = Journey()
        journey.number = next(self._numbers)
        journey.created = now
        journey.k = k
        journey.first_channel = channel
        journey.contacts = 0
        journey.outcome = OPEN
        journey.touched = False
        self._contact(journey, channel, k)

    def _contact_now(self, journey: Journey, channel: str) -> Contact | None:
        """``journey`` makes a contact at ``channel`` now (a later contact of the journey)."""
        return self._contact(journey, channel, self.calendar.interval_of(self.env.now))

    def _contact(self, journey: Journey, channel: str, k: int) -> Contact | None:
        """``journey`` makes a contact at ``channel`` now, in reporting interval ``k``."""
        journey.contacts += 1
        self.contacts[journey.k] += 1
        now = self.env.now
        if channel == "self_service":
            self.self_service.start(journey, now, k)
            return None
        if channel == "social" and not journey.touched:
            journey.touched = True
            self.touched_social += journey.k >= 0
        contact = self.channels[channel].arrive(journey, now, k)
        if (
            channel == "email"
            and self._escalation_probability > 0.0
            and next(self._escalation) < self._escalation_probability
        ):
            self.env.after(self._escalation_after, self._email_unanswered, contact)
        return contact

    def _email_unanswered(self, email: Contact) -> None:
        """No reply to an email in time: the customer vents in public; the email stays queued."""
        if email.answered or email.journey.outcome != OPEN:
            return
        self.duplicates += email.journey.k >= 0
        self._contact_now(email.journey, "social")

    def _handoff(self, contact: Thread) -> None:
        """A social thread moves to a private channel: a new contact, same journey."""
        private = self._contact_now(contact.journey, self.scenario.channels.social.handoff.to)
        if private is not None and contact.public and self.social.mode == "deflect":
            # a deflected complaint's real answer is the private one; a served one was
            # already answered in public (its first reply counted for jumping the line)
            private.origin = contact.arrived

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

    def _give_up(self, journey: Journey) -> None:
        if journey.outcome != OPEN:
            return
        journey.outcome = GAVE_UP
        self.gave_up[journey.k] += 1

    def _self_service_failed(self, journey: Journey) -> None:
        channel = self._fallback_choice.choose(*self._fallback)
        self._contact_now(journey, channel)

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

    def _start_headcounts(self) -> None:
        for pool in self.pools:
            self._headcount_step(pool)

    def _headcount_step(self, pool: Pool) -> None:
        """Set ``pool``'s headcount for the current time and schedule its next change."""
        now = self.env.now
        week_second = self.calendar.clock(now) % WEEK
        level, next_change = pool.steps[0][1], math.inf
        for t, count in pool.steps:
            if t <= week_second + 1e-9:
                level = count
            else:
                next_change = t - week_second
                break
        else:
            if len(pool.steps) > 1:
                next_change = WEEK - week_second
        for agent in pool.set_headcount(now, level):
            self.router.take_work(pool, agent)
        if next_change < math.inf:
            self.env.after(next_change, self._headcount_step, pool)

    def _jump_the_line_period(self, _: None) -> None:
        """End of a period: customers' social-first habit follows last period's waits."""
        phone, email = self.channels["phone"], self.channels["email"]
        share = self.jump.update(
            phone.period_wait + email.period_wait, phone.period_answered + email.period_answered
        )
        for channel in self.channels.values():
            channel.period_wait, channel.period_answered = 0.0, 0
        self._set_first_channel(first_channel_shares(self.scenario.demand.first_channel, share))
        self.env.after(
            self.scenario.behaviour.jump_the_line.period, self._jump_the_line_period, None
        )

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
            self.social_first_share[k] = self.first_channel.get("social", 0.0)
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

    def run(self) -> ReplicationResult:
        """Simulate warm-up and horizon; return this replication's results."""
        try:
            result = self._run()
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
        return result

    def _run(self) -> ReplicationResult:
        self._pool_base = {p.name: (0.0, 0.0, 0.0) for p in self.pools}
        self._closing_k = -1
        self._start_headcounts()
        jump = self.scenario.behaviour.jump_the_line
        if jump.enabled:
            self.env.after(jump.period, self._jump_the_line_period, None)
        if self.calendar.warmup > 0:
            self.env.after(self.calendar.warmup, self._interval_boundary, None)
        else:
            self._close_interval(0.0)
            self._schedule_boundary()
        until = self.calendar.run_until
        arrivals = self.arrivals.issues(until, self.calendar, self.issues)
        self.env.run_until(until, arrivals, self._new_issue)
        if self._closing_k < self.n_intervals:
            self._close_interval(self.calendar.end)
        for channel in self.channels.values():
            channel.count_waiting_at_end()
        self.social.close_run(self.calendar.run_until)
        return ReplicationResult(
            self.replication, self._metrics(), self._interval_frame(), sum(self.contacts)
        )

    def census(self) -> set[Journey]:
        """Open journeys still in the system, found by looking at it, not at the counters.

        Used by conservation tests: a journey is somewhere — queued, in service, in a
        self-service session or waiting to retry — or it has been closed.
        """
        found: set[Journey] = set()
        for channel in self.channels.values():
            found.update(c.journey for c in channel.queue if c.state == WAITING)
        found.update(c.journey for c in self.social.in_transit)
        for payload in self.env.payloads():
            if isinstance(payload, Contact) and payload.state in LIVE:
                found.add(payload.journey)
            elif isinstance(payload, Journey):
                found.add(payload)
            elif isinstance(payload, tuple) and payload and isinstance(payload[0], Journey):
                found.add(payload[0])
        return {j for j in found if j.outcome == OPEN}

    # --- reporting ------------------------------------------------------------------------

    def _metrics(self) -> Metrics:
        metrics: Metrics = {}
        for name in CHANNELS:
            for metric, value in self.stats[name].totals().items():
                metrics[(name, metric)] = value
            seconds, count = self.resolution[name]
            resolution = seconds / count if count else math.nan
            metrics[(name, "resolution_hours_first")] = resolution / 3600.0
        horizon = self.calendar.horizon
        for pool in self.pools:
            scope = f"pool:{pool.name}"
            totals = self.pool_stats[pool.name].totals(pool.spec.cost_per_hour)
            totals["agents_on_duty"] = sum(self.pool_stats[pool.name].present) / horizon
            for metric, value in totals.items():
                metrics[(scope, metric)] = value
        issues = int(measured(self.issues).sum())
        resolved = sum(measured(self.resolved))
        gave_up = sum(measured(self.gave_up))
        contacts = sum(measured(self.contacts))
        centre = {
            "issues": issues,
            "resolved": resolved,
            "gave_up": gave_up,
            "open_end": issues - resolved - gave_up,
            "resolved_rate": resolved / issues if issues else math.nan,
            "contacts": contacts,
            "contacts_per_issue": contacts / issues if issues else math.nan,
            "social_first_share_end": self.first_channel.get("social", 0.0),
            "public_negative": self.social.public_negative,
            "public_positive": self.social.public_positive,
            "touched_social_share": self.touched_social / issues if issues else math.nan,
            "duplicate_contacts": self.duplicates,
        }
        callback = self.channels["phone"].callback
        if callback is not None:
            metrics[("phone", "callbacks_offered")] = callback.offered
            metrics[("phone", "callbacks_accepted")] = callback.accepted
        for metric, value in centre.items():
            metrics[("centre", metric)] = value
        metrics.update(centre_costs(self.scenario, metrics))
        return metrics

    def _interval_frame(self) -> pd.DataFrame:
        frames = []
        staffed = {
            ch: sum(
                (self.pool_stats[p.name].frame(self.calendar.interval)["agents_on_duty"])
                for p in self.pools
                if ch in p.skills
            )
            for ch in ASSISTED
        }
        for name in CHANNELS:
            frame = self.stats[name].frame()
            frame["agents_on_duty"] = staffed.get(name, np.nan)
            frame["occupancy"] = np.nan
            frame.insert(0, "scope", name)
            frame.insert(0, "interval", np.arange(self.n_intervals))
            frames.append(frame)
        for pool in self.pools:
            frame = self.pool_stats[pool.name].frame(self.calendar.interval)
            frame.insert(0, "scope", f"pool:{pool.name}")
            frame.insert(0, "interval", np.arange(self.n_intervals))
            frames.append(frame)
        centre = pd.DataFrame(
            {
                "interval": np.arange(self.n_intervals),
                "scope": "centre",
                "issues": measured(self.issues).astype(float),
                "social_first_share": np.asarray(self.social_first_share),
            }
        )
        frames.append(centre)
        return pd.concat(frames, ignore_index=True)


def follow_up(scenario: Scenario) -> float:
    """How long to keep simulating after the horizon: the longest service-level threshold
    of a channel that receives contacts, so every measured contact's service level is known."""
    receiving = receiving_channels(scenario)
    return max(
        (getattr(scenario.channels, ch).service_level.within for ch in ASSISTED if ch in receiving),
        default=0.0,
    )


def simulate(scenario: Scenario, replication: int, trace: Path | None = None) -> ReplicationResult:
    """Run replication ``replication`` of ``scenario`` (deterministic given the seed);
    with ``trace``, also write its per-contact trace to that Parquet file."""
    return Centre(scenario, replication, trace).run()
