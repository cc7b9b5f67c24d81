"""Common random numbers: policy variants see the same customers, one by one.

The README promises that a contact's attributes are drawn when it is created, each purpose
from its own stream, so two variants of a scenario differ only by the policy, and paired
comparisons cancel the noise they share. These tests follow single customers: where the
service order differs between two variants (a priority swapped, an agent fewer, social
deflected), every customer answered in both still takes exactly the same agent time.
Drawing a handle time when service starts instead would hand each draw to whoever is served
next, and these tests fail.
"""

from __future__ import annotations

from typing import Any

import pytest
from builders import build, deep_update
from recorders import run_timed


def shared_pool_data(**changes: Any) -> dict[str, Any]:
    """Phone and email on one pool; impatient callers who give up (one contact per issue)."""
    data = {
        "name": "crn",
        "run": {"horizon": "1d", "warmup": "1h", "replications": 1, "interval": "1h"},
        "demand": {"issues_per_hour": 100, "first_channel": {"phone": 0.6, "email": 0.4}},
        "channels": {
            "phone": {
                "handle_time": {"dist": "lognormal", "mean": "5min", "cv": 0.8},
                "patience": {"dist": "exponential", "mean": "1min"},
            },
            "email": {"handle_time": {"dist": "exponential", "mean": "6min"}},
        },
        "behaviour": {"after_abandon": {"retry": 0.0, "give_up": 1.0}},
        "policy": {"routing": "timed_priority", "priority": ["phone", "email"]},
        "pools": {"shared": {"agents": 9, "skills": ["phone", "email"]}},
    }
    return deep_update(data, changes)


def assert_same_agent_time(a: dict, b: dict, channels: set[str]) -> int:
    """Every (issue, channel) worked in both variants took the same agent time, piece by
    piece as far as both went; returns how many were compared."""
    both = [key for key in a.keys() & b.keys() if key[1] in channels]
    for key in both:
        pieces = min(len(a[key]), len(b[key]))
        assert a[key][:pieces] == pytest.approx(b[key][:pieces], rel=1e-9, abs=1e-6), key
    return len(both)


@pytest.mark.parametrize(
    "variant",
    [
        {"policy": {"priority": ["email", "phone"]}},  # the other queue first
        {"pools": {"shared": {"agents": 8}}},  # an agent fewer: other callers hang up
    ],
    ids=["priority_swapped", "one_agent_fewer"],
)
def test_each_customer_takes_the_same_agent_time_whatever_the_service_order(
    timed, variant: dict
) -> None:
    base = run_timed(build(shared_pool_data())).work
    other = run_timed(build(shared_pool_data(**variant))).work
    # the variants really serve different customers (a test of the test): some callers are
    # answered in one and hang up in the other
    phone_a = {key for key in base if key[1] == "phone"}
    phone_b = {key for key in other if key[1] == "phone"}
    assert len(phone_a ^ phone_b) > 20
    compared = assert_same_agent_time(base, other, {"phone", "email"})
    assert compared > 1500


def test_a_social_thread_gets_the_same_first_reply_when_deflected(timed) -> None:
    """Deflect drops the later replies but not the draws: the first reply is the same."""
    data = {
        "name": "crn-social",
        "run": {"horizon": "1d", "warmup": "1h", "replications": 1, "interval": "1h"},
        "demand": {"issues_per_hour": 40, "first_channel": {"social": 0.7, "phone": 0.3}},
        "channels": {"social": {"exchanges": 3.0, "handoff": {"to": "phone"}}},
        "policy": {"routing": "timed_priority"},
        "pools": {
            "digital": {"agents": 6, "skills": ["social"], "concurrency": {"social": 2}},
            "voice": {"agents": 6, "skills": ["phone"]},
        },
    }
    served = run_timed(build(data)).work
    deflected = run_timed(build(deep_update(data, {"policy": {"social_mode": "deflect"}}))).work
    threads = [key for key in served.keys() & deflected.keys() if key[1] == "social"]
    assert len(threads) > 300
    assert any(len(served[key]) > 1 for key in threads)
    for key in threads:
        assert deflected[key][0] == pytest.approx(served[key][0], rel=1e-9, abs=1e-6), key
