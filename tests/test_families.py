"""Channel kinds and routing policies are families: a new one is a registry entry.

A toy channel kind (text messages, "sms") and a toy routing policy (an agent takes the
longest queue first) are defined here, in the test file, registered, and a scenario runs
through them; nothing in the package is edited for them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from builders import deep_update
from pydantic import Field

from sim.experiment.catalogue import metric_keys
from sim.experiment.replication import simulate
from sim.model import channels, routing
from sim.model.agents import Pool
from sim.model.channels import AssistedChannel
from sim.model.routing import PriorityRouting
from sim.scenario import ScenarioError, channel_names, validate_data
from sim.scenario.channels import ChannelSection, ServiceLevel
from sim.scenario.registry import ChannelKind, routing_names
from sim.scenario.types import TimeDistribution, exponential


class Sms(ChannelSection):
    """Text messages: a queue answered by agents, nobody hangs up."""

    handle_time: TimeDistribution = Field(default_factory=lambda: exponential("3min"))
    service_level: ServiceLevel = Field(
        default_factory=lambda: ServiceLevel(within="10min", target=0.8)
    )


class SmsChannel(AssistedChannel):
    """The toy kind's simulator: the shared agent queue, unchanged."""


class LongestQueueFirst(PriorityRouting):
    """An agent with room takes the head of the longest queue it may take."""

    name = "longest_queue"

    def take_work(self, pool: Pool, agent: int) -> None:
        queues = self.queues_of[pool]
        now = self.env.now
        while pool.free[agent]:
            ready = [(c.waiting, n, c) for n, c in queues if c.waiting and pool.can_take(agent, n)]
            if not ready:
                return
            _, _, channel = max(ready, key=lambda item: item[0])
            self.start(channel.pop(), channel, pool, agent, now)


@pytest.fixture
def sms() -> Iterator[None]:
    channels.register("sms", SmsChannel, ChannelKind("sms", Sms))
    try:
        yield
    finally:
        channels.unregister("sms")


@pytest.fixture
def longest_queue() -> Iterator[None]:
    routing.register(LongestQueueFirst)
    try:
        yield
    finally:
        routing.unregister(LongestQueueFirst.name)


def two_channel_data(second: str) -> dict:
    return {
        "name": "toy",
        "run": {"horizon": "1d", "warmup": "2h", "replications": 1, "interval": "1h"},
        "demand": {"issues_per_hour": 40, "first_channel": {"phone": 0.5, second: 0.5}},
        "channels": {"phone": {"handle_time": {"dist": "exponential", "mean": "5min"}}},
        "pools": {"team": {"agents": 4, "skills": ["phone", second]}},
        "policy": {"priority": ["phone", second]},
        "costs": {"per_contact": {"phone": 1.0, second: 0.5}},
    }


def test_a_toy_channel_kind_runs_through_every_layer(sms: None) -> None:
    scenario = validate_data(two_channel_data("sms"))
    assert scenario.channels.sms.handle_time.mean == 180.0  # its section, with defaults
    result = simulate(scenario, 0)
    m = result.metrics
    assert m[("sms", "offered")] > 300  # about half of 40/h over the day
    assert m[("sms", "answered")] + m[("sms", "waiting_end")] == m[("sms", "offered")]
    assert 0 < m[("sms", "service_level")] <= 1
    assert m[("centre", "cost_contacts")] == pytest.approx(
        m[("phone", "offered")] + 0.5 * m[("sms", "offered")]
    )
    assert list(m) == metric_keys(scenario)  # the catalogue knows the new kind's metrics
    rows = result.intervals[result.intervals["scope"] == "sms"]
    assert rows["offered"].sum() == m[("sms", "offered")]
    assert rows["agents_on_duty"].eq(4).all()


def test_a_toy_kind_is_checked_like_any_other(sms: None) -> None:
    data = deep_update(two_channel_data("sms"), {"pools": {"team": {"skills": ["phone"]}}})
    with pytest.raises(ScenarioError, match="channel 'sms' receives contacts"):
        validate_data(data)


def test_unregistering_a_kind_removes_it_everywhere(sms: None) -> None:
    channels.unregister("sms")  # the fixture unregisters it again afterwards: harmless
    assert "sms" not in channel_names()
    with pytest.raises(KeyError, match="no simulator registered for channel kind 'sms'"):
        channels.channel_class("sms")
    with pytest.raises(ScenarioError, match="unknown channel 'sms'"):
        validate_data(two_channel_data("sms"))


def test_a_toy_routing_policy_is_chosen_by_the_scenario(longest_queue: None) -> None:
    data = deep_update(two_channel_data("email"), {"pools": {"team": {"agents": 3}}})
    first = simulate(validate_data(data), 0).metrics
    data["policy"]["routing"] = "longest_queue"
    longest = simulate(validate_data(data), 0).metrics
    # Under strict priority phone always goes first; taking the longest queue serves the
    # email backlog sooner and makes callers wait longer.
    assert longest[("email", "asa_seconds")] < first[("email", "asa_seconds")]
    assert longest[("phone", "asa_seconds")] > first[("phone", "asa_seconds")]
    assert longest[("email", "offered")] == first[("email", "offered")]  # same customers


def test_an_unknown_routing_policy_is_a_clear_error() -> None:
    data = two_channel_data("email")
    data["policy"]["routing"] = "longest_queue"
    with pytest.raises(ScenarioError, match=r"policy\.routing: 'longest_queue' is not one of"):
        validate_data(data)


def test_unregistering_a_routing_policy_removes_it_everywhere(longest_queue: None) -> None:
    routing.unregister(LongestQueueFirst.name)  # the fixture unregisters it again: harmless
    assert LongestQueueFirst.name not in routing_names()
    with pytest.raises(KeyError, match="no routing policy registered as 'longest_queue'"):
        routing.routing_class(LongestQueueFirst.name)
    data = two_channel_data("email")
    data["policy"]["routing"] = "longest_queue"
    with pytest.raises(ScenarioError, match="'longest_queue' is not one of"):
        validate_data(data)
