"""Priority routing: today's rule, and the first routing policy of the family.

A contact that arrives goes to the first pool (in scenario order) serving its channel that
has an agent able to take it now (best fit, respecting reservations); otherwise it waits in
its channel's queue. An agent who frees capacity takes the head of the first non-empty queue
in its pool's priority order that it may take, and repeats while it has room — so priority
is non-preemptive and reservations hold agents idle for the reserved channel.

A pool's priority order is its own ``priority`` if given, else the policy's ``priority``
(channels not listed come after, in the order of the channel kinds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.agents import Pool
from sim.model.clock import Clock
from sim.model.contacts import Contact
from sim.model.routing.base import Dispatcher
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.model.channels.base import AssistedChannel


class PriorityRouting(Dispatcher):
    """Queues in priority order, pools in file order, best-fit agents, reservations kept."""

    name = "priority"

    def __init__(
        self,
        env: Clock,
        pools: list[Pool],
        channels: dict[str, AssistedChannel],
        scenario: Scenario,
    ) -> None:
        super().__init__(env, pools, channels, scenario)
        order = priority_order(scenario, channels)
        # each pool's queues in its priority order, looked up once rather than per contact
        self.queues_of = {
            pool: [
                (name, channels[name])
                for name in (pool.spec.priority or [ch for ch in order if ch in pool.skills])
                if name in self.answered
            ]
            for pool in pools
        }

    def dispatch(self, contact: Contact, channel: AssistedChannel) -> None:
        name = contact.channel
        for pool in self.pools_for[name]:
            agent = pool.find_agent(name)
            if agent >= 0:
                self.start(contact, channel, pool, agent, self.env.now)
                return
        channel.enqueue(contact)

    def take_work(self, pool: Pool, agent: int) -> None:
        queues = self.queues_of[pool]
        now = self.env.now
        while pool.free[agent]:
            for name, channel in queues:
                if channel.waiting and pool.can_take(agent, name):
                    self.start(channel.pop(), channel, pool, agent, now)
                    break
            else:
                return  # nothing it may take


def priority_order(scenario: Scenario, channels: dict[str, AssistedChannel]) -> list[str]:
    """The policy's priority among the channels some pool serves; unlisted ones last."""
    served = {ch for pool in scenario.pools.values() for ch in pool.skills}
    order = [ch for ch in scenario.policy.priority if ch in served]
    return order + [ch for ch in channels if ch in served and ch not in order]
