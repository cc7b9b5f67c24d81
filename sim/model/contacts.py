"""Issues (customer journeys) and contacts (one attempt at one channel)."""

from __future__ import annotations

WAITING, SERVING, DONE, ABANDONED = 0, 1, 2, 3
OPEN, RESOLVED, GAVE_UP = 0, 1, 2


class Journey:
    """A customer with a problem, followed across contacts until resolved or given up."""

    __slots__ = ("attempts", "contacts", "created", "first_channel", "k", "outcome", "touched")

    def __init__(self, created: float, k: int, first_channel: str) -> None:
        self.created = created
        self.k = k  # reporting interval of creation; -1 during warm-up
        self.first_channel = first_channel
        self.contacts = 0
        self.attempts = 0  # contacts on assisted channels that failed (abandoned/ignored)
        self.outcome = OPEN
        self.touched = 0  # bit set of channels contacted (see Centre.CHANNEL_BIT)


class Contact:
    """One attempt by a journey at one channel, with its attributes drawn at creation."""

    __slots__ = (
        "agent",
        "arrived",
        "channel",
        "handle",
        "journey",
        "k",
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
