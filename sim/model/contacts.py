"""Issues (customer journeys) and contacts (one attempt at one channel)."""

from __future__ import annotations

WAITING, SERVING, DONE, ABANDONED = 0, 1, 2, 3
AWAITING_CUSTOMER = 4  # a social thread between agent replies, waiting for the customer
IN_TRANSIT = 5  # a misrouted public post on its way to the service team
OPEN, RESOLVED, GAVE_UP = 0, 1, 2


class Journey:
    """A customer with a problem, followed across contacts until resolved or given up."""

    __slots__ = (
        "attempts",
        "contacts",
        "created",
        "first_channel",
        "k",
        "number",
        "outcome",
        "touched",
    )

    def __init__(self, number: int, created: float, k: int, first_channel: str) -> None:
        self.number = number  # 1, 2, ... in order of arising within the replication
        self.created = created
        self.k = k  # reporting interval of creation; -1 during warm-up
        self.first_channel = first_channel
        self.contacts = 0
        self.attempts = 0  # contacts on assisted channels that failed (abandoned/ignored)
        self.outcome = OPEN
        self.touched = False  # has contacted social


class Contact:
    """One attempt by a journey at one channel, with its attributes drawn at creation."""

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
    )

    def __init__(
        self, journey: Journey, channel: str, arrived: float, k: int, handle: float, patience: float
    ) -> None:
        self.journey = journey
        self.channel = channel
        self.arrived = arrived
        self.k = k
        self.handle = handle  # agent time needed, before the serving pool's efficiency
        self.patience = patience  # inf when the customer never abandons
        self.state = WAITING
        self.pool = None
        self.agent = -1
        self.answered = False  # an agent has replied at least once
        self.origin = -1.0  # time of the public post this private contact was handed off from
        self.callback = False  # phone: would accept a callback if offered


class Thread(Contact):
    """A social contact: a post or private message answered over one or more replies.

    The social channel sets every attribute below as the thread is created.
    """

    __slots__ = ("audience", "handoff", "later", "public")

    public: bool  # a public post (seen by an audience), not a private message
    audience: float  # people who see a public post
    later: list[tuple[float, float]]  # replies after the first: (customer's delay, handle time)
    handoff: bool  # the thread moves to a private channel when done
