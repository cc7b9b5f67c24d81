"""What a scenario can name: the channel kinds and the routing policies, each a registry.

A **channel kind** is one entry: its name (the key under ``channels:``), the section class
that holds its settings, and what it is — answered by agents or not (self-service is not),
private or public (a public post is seen by an audience; social is the public kind). Every
place in the format that names a channel (``first_channel``, ``skills``, ``priority``,
``fallback``, ``switch``, ``handoff.to``, ``per_contact`` …) checks the name against this
registry when a scenario is validated, not when the module is imported, so a kind
registered later (a new channel, or a toy one in a test) is accepted everywhere at once.

A **routing policy** is a name for ``policy.routing``; the model binds each name to the
class that routes (:mod:`sim.model.routing`).

This module knows nothing of the model: the scenario format can be read and checked without
importing the simulator.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

if TYPE_CHECKING:
    from sim.scenario.channels import ChannelSection


@dataclass(frozen=True)
class ChannelKind:
    """One kind of channel in the scenario format.

    ``assisted``: contacts wait for an agent of a pool that has the channel in its skills.
    ``private``: a private conversation — a public post can be handed off to it, and its
    waits are the "private" waits that public complaints are compared with (jump the line).
    ``public``: posts are seen by an audience; the channel customers learn to go to first.
    ``always_reported``: its rows are in every run's tables; a kind added later (chat) is
    reported only by scenarios whose contacts can reach it, so other runs stay as they were.
    """

    name: str
    section: type[ChannelSection]
    assisted: bool = True
    private: bool = True
    public: bool = False
    always_reported: bool = True


_KINDS: dict[str, ChannelKind] = {}
_ROUTING: dict[str, str] = {}  # name -> one-line description


def register_channel(kind: ChannelKind) -> ChannelKind:
    """Add a channel kind (replacing one of the same name); returns it.

    Every scenario holds every kind's section, at its defaults when the file does not name
    the kind, so a section must have a default for every field (a ValueError says which).
    """
    try:
        kind.section()
    except Exception as error:
        raise ValueError(
            f"channel kind '{kind.name}': its section needs a default for every field ({error})"
        ) from None
    _KINDS[kind.name] = kind
    return kind


def unregister_channel(name: str) -> None:
    """Remove a channel kind (tests that register a toy kind clean up with this)."""
    _KINDS.pop(name, None)


def channel_kinds() -> dict[str, ChannelKind]:
    """Every registered channel kind, by name, in registration order."""
    return dict(_KINDS)


def channel_names() -> list[str]:
    """Names of every channel kind, in registration order (the order of every table)."""
    return list(_KINDS)


def assisted_names() -> list[str]:
    """Channels answered by agents."""
    return [name for name, kind in _KINDS.items() if kind.assisted]


def private_names() -> list[str]:
    """Assisted private channels: where a public post can be handed off to."""
    return [name for name, kind in _KINDS.items() if kind.assisted and kind.private]


def public_names() -> list[str]:
    """Public channels (social)."""
    return [name for name, kind in _KINDS.items() if kind.public]


def register_routing(name: str, description: str) -> None:
    """Allow ``policy.routing: name``; the model binds a class to it."""
    _ROUTING[name] = description


def unregister_routing(name: str) -> None:
    """Remove a routing policy name (for tests)."""
    _ROUTING.pop(name, None)


def routing_names() -> list[str]:
    """Every routing policy a scenario may name."""
    return list(_ROUTING)


# --- channel names in the schema -------------------------------------------------------------


def _known(allowed: Callable[[], list[str]]) -> Callable[[str], str]:
    """A validator accepting the names ``allowed()`` gives at validation time."""

    def check(name: str) -> str:
        choices = allowed()
        if name in choices:
            # interned, as the Literal types before gave: every dictionary keyed by channel
            # on the hot path then compares by identity, not by the characters
            return sys.intern(name)
        every = channel_names()
        if name in every:
            raise ValueError(f"channel '{name}' is not allowed here; use {', '.join(choices)}")
        if choices == every:
            raise ValueError(f"unknown channel '{name}'; channels are {', '.join(every)}")
        raise ValueError(
            f"unknown channel '{name}'; channels here are {', '.join(choices)}"
            f" (all channels: {', '.join(every)})"
        )

    return check


@dataclass(frozen=True)
class _NamesInSchema:
    """The JSON Schema of a registered name: an enum of the names registered when the schema
    is made (validation checks the registry itself, so kinds added later still pass)."""

    allowed: Callable[[], list[str]]

    def __get_pydantic_json_schema__(
        self, core: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "enum": self.allowed()}


ChannelName = Annotated[str, AfterValidator(_known(channel_names)), _NamesInSchema(channel_names)]
"""Any channel: ``first_channel``, ``per_contact``."""
AssistedName = Annotated[
    str, AfterValidator(_known(assisted_names)), _NamesInSchema(assisted_names)
]
"""A channel answered by agents: ``skills``, ``priority``, ``switch``, ``fallback``."""
PrivateName = Annotated[str, AfterValidator(_known(private_names)), _NamesInSchema(private_names)]
"""A private channel answered by agents: ``handoff.to``."""


def _known_routing(name: str) -> str:
    choices = routing_names()
    if name in choices:
        return name
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise ValueError(f"'{name}' is not one of {', '.join(choices)}{hint}")


RoutingName = Annotated[str, AfterValidator(_known_routing), _NamesInSchema(routing_names)]
"""A routing policy: ``policy.routing``."""


def kind_of(name: str) -> ChannelKind:
    """The kind registered as ``name`` (KeyError if none)."""
    return _KINDS[name]
