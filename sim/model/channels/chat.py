"""Chat: live chat and messaging, several conversations per agent at once.

A pool's ``concurrency`` (e.g. ``{chat: 3}``) says how many conversations an agent holds at
once; each holds one of the agent's chat slots from its answer to its end. A conversation
lasts its handle time (drawn at creation, as for every channel), inflated by ``inflation``
for each other conversation the agent already holds when it starts (an agent juggling three
chats answers each more slowly: CCmath's Erlang Chat), plus the customer's own ``think_time``
(reading and typing: the slot stays held, the agent's other conversations go on). With
concurrency 1 and neither, a chat queue is a phone queue (Erlang C, or Erlang A with
patience); with concurrency c and no inflation, n agents are an M/M/(n·c) queue.
"""

from __future__ import annotations

from sim.model.agents import Pool
from sim.model.channels.base import AssistedChannel
from sim.model.contacts import Conversation, Journey
from sim.model.distributions import Sampler
from sim.model.kit import Kit
from sim.scenario.channels import ChannelSection


class ChatChannel(AssistedChannel):
    """The chat queue: conversations whose length depends on the agent's other chats."""

    shapes_service = True

    def __init__(self, name: str, spec: ChannelSection, kit: Kit) -> None:
        super().__init__(name, spec, kit)
        self.contact_type = Conversation
        think = getattr(spec, "think_time", None)
        self.think_time: Sampler | None = (
            None if think is None else kit.sampler(think, f"think_time.{name}")
        )
        self.inflation: float = getattr(spec, "inflation", 0.0)

    def arrive(self, journey: Journey, now: float, k: int) -> Conversation:
        """A conversation is requested now, with its handle and think times drawn."""
        contact = self.new_contact(journey, now, k)
        contact.think = 0.0 if self.think_time is None else next(self.think_time)
        self.router.dispatch(contact, self)
        return contact

    def service_time(self, contact: Conversation, pool: Pool, agent: int, duration: float) -> float:  # type: ignore[override]
        """How long ``contact`` holds ``agent``'s slot, from its handle time (``duration``,
        after the pool's efficiency): inflated for the agent's other conversations, plus
        the customer's think time."""
        if self.inflation:
            others = (pool.capacity - pool.free[agent]) // pool.units[self.name]
            duration *= 1.0 + self.inflation * others
        return duration + contact.think
