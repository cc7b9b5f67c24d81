"""Issues (customer journeys) and contacts (one attempt at one channel)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.agents import Pool

WAITING, SERVING, DONE, ABANDONED = 0, 1, 2, 3
AWAITING_CUSTOMER = 4  # a social thread between agent replies, waiting for the customer
IN_TRANSIT = 5  # a misrouted public post on its way to the service team
OPEN, RESOLVED, GAVE_UP = 0, 1, 2


class Journey:
    """A customer with a problem, followed across contacts until resolved or given up.

    Made only where issues arise (``Centre._new_issue``), which sets every attribute below:
    there is no ``__init__``, because calling a class that has one costs a round trip
    through C and a second interpreter frame on every issue, and this is the hot path.
    """

    __slots__ = (
        "contacts",
        "created",
        "customer",
        "first_channel",
        "k",
        "number",
        "outcome",
        "touched",
    )

    number: int  # 1, 2, ... in order of arising within the replication
    created: float  # when the issue arose
    k: int  # reporting interval of creation; UNMEASURED (-1) during warm-up
    first_channel: str
    contacts: int  # contacts made so far
    outcome: int  # OPEN, RESOLVED or GAVE_UP
    touched: bool  # has contacted social
    customer: int  # its customer, set only with a customer base (sim/model/customers.py)


class Contact:
    """One attempt by a journey at one channel, with its attributes drawn at creation.

    Made only by ``AssistedChannel.new_contact``, which sets every attribute below except
    ``pool`` and ``agent`` (set when an agent starts on it) and ``wrap`` (set only when the
    channel has after-contact work); no ``__init__``, as for
    :class:`Journey`.
    """

    __slots__ = (
        "agent",
        "answered",
        "arrived",
        "callback",
        "channel",
        "handle",
        "journey",
        "k",
        "origin",
        "patience",
        "pool",
        "state",
        "wrap",
    )

    journey: Journey
    channel: str
    arrived: float
    k: int  # reporting interval of arrival
    handle: float  # agent time needed, before the serving pool's efficiency
    patience: float  # inf when the customer never abandons
    state: int  # WAITING, SERVING, ...
    answered: bool  # an agent has replied at least once
    origin: float  # time of the public post this private contact was handed off from, or -1
    callback: bool  # phone: would accept a callback if offered
    pool: Pool  # the pool and agent serving it, once one starts on it
    agent: int
    wrap: float  # after-contact work following each agent session (set only when configured)


class Thread(Contact):
    """A social contact: a post or private message answered over one or more replies.

    The social channel sets every attribute below as the thread is created.
    """

    __slots__ = ("audience", "handoff", "later", "public")

    public: bool  # a public post (seen by an audience), not a private message
    audience: float  # people who see a public post
    later: list[tuple[float, float]]  # replies after the first: (customer's delay, handle time)
    handoff: bool  # the thread moves to a private channel when done


class Conversation(Contact):
    """A chat: the chat channel sets ``think`` as the conversation is created."""

    __slots__ = ("think",)

    think: float  # the customer's own time inside the conversation (0 when not modelled)
