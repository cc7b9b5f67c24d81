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

    def dispatch(self, contact: Contact) -> None:
        """Give ``contact`` to an agent now, or queue it."""
        channel = contact.channel
        for pool in self.pools_for[channel]:
            agent = pool.find_agent(channel)
            if agent >= 0:
                self._start(contact, pool, agent, self.env.now)
                return
        self.channels[channel].enqueue(contact)

    def take_work(self, pool: Pool, agent: int) -> None:
        """``agent`` has free capacity: take queued contacts by priority while it has room."""
        queues = self.queues_of[pool]
        now = self.env.now
        took = True
        while took and pool.free[agent]:
            took = False
            for name, channel in queues:
                if channel.waiting and pool.can_take(agent, name):
                    self._start(channel.pop(), pool, agent, now)
                    took = True
                    break

    def _start(self, contact: Contact, pool: Pool, agent: int, now: float) -> None:
        contact.state = SERVING
        contact.pool = pool
        contact.agent = agent
        if not contact.answered:
            self.channels[contact.channel].record_answer(contact, now)
        pool.seize(now, agent, contact.channel)
        self.env.after(contact.handle * pool.efficiency[contact.channel], self._finish, contact)

    def _finish(self, contact: Contact) -> None:
        contact.state = DONE
        pool: Pool = contact.pool
        if pool.release(self.env.now, contact.agent, contact.channel):
            self.take_work(pool, contact.agent)
        self.channels[contact.channel].served(contact)
