"""Routing: which agent takes which contact, by the channel policy.

A contact that arrives goes to the first pool (in scenario order) serving its channel that
has an agent able to take it now (best fit, respecting reservations); otherwise it waits in
its channel's queue. An agent who frees capacity takes the head of the first non-empty queue
in its pool's priority order that it may take, and repeats while it has room — so priority
is non-preemptive and reservations hold agents idle for the reserved channel.
"""

from __future__ import annotations

from sim.model.agents import Pool
from sim.model.channels import AssistedChannel
from sim.model.clock import Clock
from sim.model.contacts import DONE, SERVING, Contact


class Router:
    """Matches contacts with agents across the centre's pools and queues."""

    def __init__(self, env: Clock, pools: list[Pool], channels: dict[str, AssistedChannel]) -> None:
        self.env = env
        self.channels = channels
        self.pools_for = {ch: [p for p in pools if ch in p.skills] for ch in channels}
        # each pool's queues in its priority order, looked up once rather than per contact
        self.queues_of = {pool: [(ch, channels[ch]) for ch in pool.priority] for pool in pools}

    def dispatch(self, contact: Contact, channel: AssistedChannel) -> None:
        """Give ``contact``, at ``channel``, to an agent now, or queue it."""
        name = contact.channel
        for pool in self.pools_for[name]:
            agent = pool.find_agent(name)
            if agent >= 0:
                self._start(contact, channel, pool, agent, self.env.now)
                return
        channel.enqueue(contact)

    def take_work(self, pool: Pool, agent: int) -> None:
        """``agent`` has free capacity: take queued contacts by priority while it has room."""
        queues = self.queues_of[pool]
        now = self.env.now
        while pool.free[agent]:
            for name, channel in queues:
                if channel.waiting and pool.can_take(agent, name):
                    self._start(channel.pop(), channel, pool, agent, now)
                    break
            else:
                return  # nothing it may take

    def _start(
        self, contact: Contact, channel: AssistedChannel, pool: Pool, agent: int, now: float
    ) -> None:
        contact.state = SERVING
        contact.pool = pool
        contact.agent = agent
        if not contact.answered:
            channel.record_answer(contact, now)
        name = contact.channel
        pool.seize(now, agent, name)
        self.env.after(contact.handle * pool.efficiency[name], self._finish, contact)

    def _finish(self, contact: Contact) -> None:
        contact.state = DONE
        pool: Pool = contact.pool
        if pool.release(self.env.now, contact.agent, contact.channel):
            self.take_work(pool, contact.agent)
        self.channels[contact.channel].served(contact)
