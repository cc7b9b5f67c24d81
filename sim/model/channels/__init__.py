"""Channel kinds: a base class and one small subclass per kind, bound by name in a registry.

Phone, email, social, self-service and chat are entries of :mod:`sim.model.channels.registry`.
"""

from sim.model.channels.base import AssistedChannel, Channel
from sim.model.channels.chat import ChatChannel
from sim.model.channels.email import EmailChannel
from sim.model.channels.phone import PhoneChannel
from sim.model.channels.registry import channel_class, register, unregister
from sim.model.channels.self_service import SelfServiceChannel
from sim.model.channels.social import SocialChannel

register("phone", PhoneChannel)
register("email", EmailChannel)
register("self_service", SelfServiceChannel)
register("social", SocialChannel)
register("chat", ChatChannel)

__all__ = [
    "AssistedChannel",
    "Channel",
    "ChatChannel",
    "EmailChannel",
    "PhoneChannel",
    "SelfServiceChannel",
    "SocialChannel",
    "channel_class",
    "register",
    "unregister",
]
