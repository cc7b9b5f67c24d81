"""From a scenario to the objects of one replication: channels, pools, routing, customers.

Each channel kind builds itself from its section (:mod:`sim.model.channels`), the routing
policy is the class registered for ``policy.routing`` (:mod:`sim.model.routing`), and every
random draw comes from the kit's named streams, so the order in which things are built does
not change a single number.
"""

from __future__ import annotations

from sim.model.agents import Pool
from sim.model.arrivals import ArrivalProcess, ChannelArrivals
from sim.model.behaviour import Behaviour
from sim.model.channels import Channel, channel_class
from sim.model.channels.base import AssistedChannel
from sim.model.kit import Kit
from sim.model.replay import GivenArrivals, GivenHandles, Replay
from sim.model.routing import Dispatcher, PriorityRouting, routing_class
from sim.model.routing.overflow import OverflowRouting, has_overflow


def build_channels(kit: Kit) -> dict[str, Channel]:
    """One channel per kind in the scenario, in registry order."""
    return {
        name: channel_class(name)(name, spec, kit)
        for name, spec in kit.scenario.channels.sections().items()
    }


def build_pools(kit: Kit) -> list[Pool]:
    """The scenario's pools, in file order, with the policy's reservations."""
    reserve = kit.scenario.policy.reserve
    pools = []
    for name, spec in kit.scenario.pools.items():
        pool = Pool(name, spec)
        pool.set_reserve(reserve.get(name, {}))
        pools.append(pool)
    return pools


def build_router(kit: Kit, pools: list[Pool], channels: dict[str, Channel]) -> Dispatcher:
    """The routing policy the scenario names, over the channels agents answer."""
    assisted: dict[str, AssistedChannel] = {
        name: channel for name, channel in channels.items() if isinstance(channel, AssistedChannel)
    }
    policy = routing_class(kit.scenario.policy.routing)
    if policy is PriorityRouting and has_overflow(kit.scenario):
        policy = OverflowRouting  # back-up pools that take contacts after a delay
    router = policy(kit.env, pools, assisted, kit.scenario)
    for channel in channels.values():
        channel.attach(router)
    return router


def build_behaviour(kit: Kit) -> Behaviour:
    """Customers' decisions after an abandoned or ignored contact."""
    spec = kit.scenario.behaviour
    return Behaviour(spec, kit.uniforms("behaviour"), kit.sampler(spec.retry_delay, "retry_delay"))


def build_arrivals(kit: Kit, replay: Replay | None = None) -> ArrivalProcess | GivenArrivals:
    """The issues' arrival process over the run: one shared profile (the centre picks each
    issue's first channel), per channel when the demand says so, or a replay's contacts."""
    if replay is not None:
        return GivenArrivals(replay)
    demand = kit.scenario.demand
    process = ChannelArrivals if demand.by_channel else ArrivalProcess
    return process(
        demand,
        kit.scenario.run.interval,
        kit.calendar.clock(0.0),
        kit.rng("arrivals"),
        kit.rng("day_factor"),
        kit.scenario.run.start,
    )


def given_handles(channels: dict[str, Channel]) -> dict[str, GivenHandles]:
    """Each assisted channel's handle times, made to take a replay's given ones first."""
    wrapped = {}
    for name, channel in channels.items():
        if isinstance(channel, AssistedChannel):
            wrapped[name] = channel.handle_time = GivenHandles(channel.handle_time)
    return wrapped
