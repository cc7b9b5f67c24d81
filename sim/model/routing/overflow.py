"""Overflow after a delay: a pool serves a channel only for contacts that have waited long.

``pools.<name>.overflow_after: {phone: 30s}`` makes the pool a back-up for phone: it takes a
call only once the call has waited 30 s (Genesys' bullseye rings, ContactCenters' routing
delays). Several pools with different delays are several levels. Priority routing is
otherwise unchanged: a contact goes at once to the first pool without a delay that has an
agent free; else it queues, and when its wait reaches a level's delay a free agent of that
level's pools takes it out of the queue; an agent who frees capacity takes the head of a
queue only if that contact has waited its pool's delay for the channel. A wait is counted
from the contact's arrival at the channel; only first answers overflow on a timer (a social
thread's later replies have long waited and go to any pool that takes them).

With a delay of zero a level is pooled with the first pools (one M/M/n queue); with a delay
longer than the horizon it never serves the channel (separate queues).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.agents import Pool
from sim.model.clock import Clock
from sim.model.contacts import WAITING, Contact
from sim.model.routing.priority import PriorityRouting
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.model.channels.base import AssistedChannel


def has_overflow(scenario: Scenario) -> bool:
    """Whether any pool serves a channel only after a delay."""
    return any(pool.overflow_after for pool in scenario.pools.values())


class OverflowRouting(PriorityRouting):
    """Priority routing whose back-up pools take a channel's contacts after a delay."""

    name = "priority"

    def __init__(
        self,
        env: Clock,
        pools: list[Pool],
        channels: dict[str, AssistedChannel],
        scenario: Scenario,
    ) -> None:
        super().__init__(env, pools, channels, scenario)
        delay = {(p, ch): p.spec.overflow_after.get(ch, 0.0) for p in pools for ch in p.skills}
        # per channel: the pools without a delay, and each delay's pools (levels, shortest first)
        self.first = {
            ch: [p for p in served if ch not in p.spec.overflow_after]
            for ch, served in self.pools_for.items()
        }
        self.levels: dict[str, list[tuple[float, list[Pool]]]] = {}
        for ch, served in self.pools_for.items():
            delays = sorted({delay[p, ch] for p in served if ch in p.spec.overflow_after})
            self.levels[ch] = [
                (d, [p for p in served if ch in p.spec.overflow_after and delay[p, ch] == d])
                for d in delays
            ]
        self.delayed_queues = {
            pool: [(name, channel, delay[pool, name]) for name, channel in queues]
            for pool, queues in self.queues_of.items()
        }

    def dispatch(self, contact: Contact, channel: AssistedChannel) -> None:
        name, now = contact.channel, self.env.now
        for pool in self.first[name]:
            agent = pool.find_agent(name)
            if agent >= 0:
                self.start(contact, channel, pool, agent, now)
                return
        waited = now - contact.arrived
        for after, pools in self.levels[name]:
            if after <= waited and self._start_from(contact, channel, pools, now):
                return
        channel.enqueue(contact)
        if contact.answered:
            return
        for after, pools in self.levels[name]:
            if after > waited:
                self.env.after(after - waited, self._overflow, (contact, pools))

    def _start_from(
        self, contact: Contact, channel: AssistedChannel, pools: list[Pool], now: float
    ) -> bool:
        for pool in pools:
            agent = pool.find_agent(contact.channel)
            if agent >= 0:
                self.start(contact, channel, pool, agent, now)
                return True
        return False

    def _overflow(self, due: tuple[Contact, list[Pool]]) -> None:
        """A waiting contact reaches a level's delay: a free agent there takes it."""
        contact, pools = due
        if contact.state != WAITING or contact.answered:
            return
        channel = self.channels[contact.channel]
        for pool in pools:
            agent = pool.find_agent(contact.channel)
            if agent >= 0:
                channel.queue.remove(contact)
                channel.waiting -= 1
                self.start(contact, channel, pool, agent, self.env.now)
                return

    def take_work(self, pool: Pool, agent: int) -> None:
        queues = self.delayed_queues[pool]
        now = self.env.now
        while pool.free[agent]:
            for name, channel, after in queues:
                if (
                    channel.waiting
                    and pool.can_take(agent, name)
                    and (after == 0.0 or now - channel.head().arrived >= after)
                ):
                    self.start(channel.pop(), channel, pool, agent, now)
                    break
            else:
                return  # nothing it may take
