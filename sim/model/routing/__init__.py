"""Routing policies: a dispatcher base class and one subclass per policy, in a registry."""

from sim.model.routing.base import Dispatcher
from sim.model.routing.priority import PriorityRouting
from sim.model.routing.registry import register, routing_class, unregister

register(PriorityRouting)

__all__ = ["Dispatcher", "PriorityRouting", "register", "routing_class", "unregister"]
