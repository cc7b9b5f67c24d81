"""Which class routes for each ``policy.routing`` name.

A new routing policy is a :class:`~sim.model.routing.base.Dispatcher` subclass with a
``name`` and one :func:`register` call, which also lets scenarios name it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.scenario.registry import register_routing, unregister_routing

if TYPE_CHECKING:
    from sim.model.routing.base import Dispatcher

_POLICIES: dict[str, type[Dispatcher]] = {}


def register(policy: type[Dispatcher]) -> type[Dispatcher]:
    """Make ``policy`` the routing for ``policy.routing: <policy.name>``; returns it."""
    doc = (policy.__doc__ or policy.name).strip().splitlines()[0]
    register_routing(policy.name, doc)
    _POLICIES[policy.name] = policy
    return policy


def unregister(name: str) -> None:
    """Forget routing policy ``name`` (tests clean up with this)."""
    _POLICIES.pop(name, None)
    unregister_routing(name)


def routing_class(name: str) -> type[Dispatcher]:
    """The class registered for ``policy.routing: name``."""
    try:
        return _POLICIES[name]
    except KeyError:
        raise KeyError(f"no routing policy registered as '{name}'") from None
