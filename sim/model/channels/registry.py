"""Which class simulates each channel kind.

The scenario format's registry (:mod:`sim.scenario.registry`) names the kinds and their
settings; this one binds each name to the :class:`~sim.model.channels.base.Channel` subclass
that simulates it. A new kind is one :func:`register` call (with its ``ChannelKind`` when the
scenario format does not know it yet).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.scenario.registry import ChannelKind, register_channel, unregister_channel

if TYPE_CHECKING:
    from sim.model.channels.base import Channel

_CLASSES: dict[str, type[Channel]] = {}


def register(name: str, runtime: type[Channel], kind: ChannelKind | None = None) -> None:
    """Simulate channel kind ``name`` with ``runtime``; ``kind`` also adds the kind (its
    section and flags) to the scenario format."""
    if kind is not None:
        register_channel(kind)
    _CLASSES[name] = runtime


def unregister(name: str) -> None:
    """Forget kind ``name`` here and in the scenario format (tests clean up with this)."""
    _CLASSES.pop(name, None)
    unregister_channel(name)


def channel_class(name: str) -> type[Channel]:
    """The class that simulates channel kind ``name``."""
    try:
        return _CLASSES[name]
    except KeyError:
        raise KeyError(f"no simulator registered for channel kind '{name}'") from None
