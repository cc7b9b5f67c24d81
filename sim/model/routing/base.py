"""Routing policies: which agent takes which contact. The base class of every policy.

A policy is a :class:`Dispatcher` subclass overriding two hooks:

- :meth:`Dispatcher.dispatch` — a contact arrives at (or returns to) its channel: give it
  to an agent now, or queue it;
- :meth:`Dispatcher.take_work` — an agent has free capacity: what does it take next?

Starting and finishing work (the agent's capacity, the service time scaled by the pool's
efficiency, answering for the first time) is shared. Channels that agents do not answer
under the scenario's policy (social under ``ignore``) get no pools: their contacts queue
until their patience runs out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.agents import Pool
from sim.model.clock import Clock
from sim.model.contacts import DONE, SERVING, Contact
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.model.channels.base import AssistedChannel


class Dispatcher:
    """Matches contacts with agents across the centre's pools and queues."""

    name = ""  # the ``policy.routing`` value that chooses this policy

    def __init__(
        self,
        env: Clock,
        pools: list[Pool],
        channels: dict[str, AssistedChannel],
        scenario: Scenario,
    ) -> None:
        self.env = env
        self.channels = channels
        # the pools serving each channel, in scenario order; none for a channel not served
        self.answered = {
            name for name, channel in channels.items() if channel.spec.answered_by_agents(scenario)
        }
        self.pools_for = {
            name: [p for p in pools if name in p.skills] if name in self.answered else []
            for name in channels
        }

    def dispatch(self, contact: Contact, channel: AssistedChannel) -> None:
        """Give ``contact``, at ``channel``, to an agent now, or queue it."""
        raise NotImplementedError

    def take_work(self, pool: Pool, agent: int) -> None:
        """``agent`` of ``pool`` has free capacity: start queued contacts while it has room."""
        raise NotImplementedError

    def start(
        self, contact: Contact, channel: AssistedChannel, pool: Pool, agent: int, now: float
    ) -> None:
        """``agent`` of ``pool`` starts on ``contact`` now."""
        contact.state = SERVING
        contact.pool = pool
        contact.agent = agent
        if not contact.answered:
            channel.record_answer(contact, now)
        name = contact.channel
        duration = contact.handle * pool.efficiency[name]
        if channel.shapes_service:  # chat: the agent's other conversations, think time
            duration = channel.service_time(contact, pool, agent, duration)
        pool.seize(now, agent, name)
        self.env.after(duration, self.finish, contact)

    def finish(self, contact: Contact) -> None:
        """The agent is done with ``contact``: free its capacity, then let the channel go on.

        With after-contact work the customer goes now and the agent stays busy for the
        contact's wrap-up first (:meth:`wrapped`)."""
        contact.state = DONE
        pool: Pool = contact.pool
        channel = self.channels[contact.channel]
        if channel.after_contact is not None:
            self.env.after(contact.wrap, self.wrapped, (pool, contact.agent, contact.channel))
            channel.served(contact)
            return
        if pool.release(self.env.now, contact.agent, contact.channel):
            self.take_work(pool, contact.agent)
        channel.served(contact)

    def wrapped(self, work: tuple[Pool, int, str]) -> None:
        """An agent finished the after-contact work of a contact of a channel: free its
        capacity (the contact itself may be back in a queue by now, e.g. a social thread)."""
        pool, agent, name = work
        if pool.release(self.env.now, agent, name):
            self.take_work(pool, agent)
