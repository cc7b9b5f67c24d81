"""Conservation: every issue and every contact is accounted for.

The counters say how many contacts were answered or abandoned and how many issues were
resolved or given up; :meth:`Centre.census` looks into the simulation itself for what is
still in the system when the run ends. The two must add up exactly.
"""

from __future__ import annotations

import pytest
from builders import build, deep_update, multichannel_data

from sim.experiment.replication import tabulate
from sim.model.centre import Centre
from sim.scenario import Scenario, channel_names

CHANNELS = tuple(channel_names())
WRAP = {"dist": "exponential", "mean": "1min"}

VARIANTS = {
    "multichannel": {},
    "social_ignored": {"policy": {"social_mode": "ignore"}},
    "social_deflected": {"policy": {"social_mode": "deflect"}},
    "jump_the_line": {"behaviour": {"jump_the_line": {"enabled": True, "period": "6h"}}},
    "email_first_priority": {"policy": {"priority": ["email", "social", "phone"]}},
    "reserve_for_phone": {"policy": {"reserve": {"digital": {"phone": 2}}}},
    "overloaded": {"demand": {"issues_per_day": 9000}},
    "after_contact": {
        "channels": {"phone": {"after_contact": WRAP}, "social": {"after_contact": WRAP}}
    },
    "overflow": {"pools": {"digital": {"overflow_after": {"phone": "30s"}}}},
    "ivr_and_transfers": {
        "channels": {
            "phone": {"ivr": {"containment": 0.2}, "transfers": {"email": 0.1, "phone": 0.05}},
            "email": {"transfers": {"phone": 0.1}},
        }
    },
    "chat": {
        "demand": {
            "first_channel": {
                "phone": 0.4,
                "email": 0.25,
                "self_service": 0.2,
                "social": 0.05,
                "chat": 0.1,
            }
        },
        "channels": {
            "chat": {
                "patience": {"dist": "exponential", "mean": "2min"},
                "inflation": 0.2,
                "think_time": WRAP,
            },
            "social": {"handoff": {"to": "chat"}},
        },
        "pools": {
            "digital": {
                "skills": ["email", "social", "phone", "chat"],
                "concurrency": {"social": 3, "chat": 2},
            }
        },
    },
}


def run_centre(scenario: Scenario) -> tuple[Centre, dict]:
    centre = Centre(scenario, replication=0)
    result = tabulate(centre.scenario, centre.run())
    return centre, result.metrics


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_contact_is_answered_abandoned_or_still_waiting(variant: str) -> None:
    _, metrics = run_centre(build(multichannel_data(), **VARIANTS[variant]))
    for channel in (c for c in CHANNELS if (c, "offered") in metrics):  # chat when used
        offered = metrics[(channel, "offered")]
        rest = (
            metrics[(channel, "answered")]
            + metrics[(channel, "abandoned")]
            + metrics[(channel, "waiting_end")]
            + metrics.get((channel, "community_resolved"), 0)
            + metrics.get((channel, "ivr_contained"), 0)
        )
        assert offered == rest, channel
    assert metrics[("phone", "offered")] > 0 and metrics[("email", "offered")] > 0
    if variant == "chat":
        assert metrics[("chat", "offered")] > metrics[("chat", "abandoned")] > 0


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_issue_is_resolved_given_up_or_found_in_the_system(variant: str) -> None:
    centre, metrics = run_centre(build(multichannel_data(), **VARIANTS[variant]))
    still_open = {j for j in centre.census() if j.k >= 0}
    issues = metrics[("centre", "issues")]
    assert issues > 0
    closed = metrics[("centre", "resolved")] + metrics[("centre", "gave_up")]
    assert issues == closed + len(still_open)


def test_overload_leaves_work_in_the_system() -> None:
    """The census is not trivially empty: an overloaded centre ends with open journeys."""
    centre, metrics = run_centre(build(multichannel_data(), **VARIANTS["overloaded"]))
    assert len(centre.census()) > 0
    assert metrics[("email", "waiting_end")] > 0


def test_ignored_social_is_never_answered_and_uses_no_agent(timed) -> None:
    variant = deep_update(VARIANTS["social_ignored"], {"policy": {"routing": timed.name}})
    centre, metrics = run_centre(build(multichannel_data(), **variant))
    assert metrics[("social", "offered")] > 0
    assert metrics[("social", "answered")] == 0
    # no agent ever starts on a post, while the pool that has the skill works on email
    worked = {channel for (_, channel) in centre.router.work}
    assert "social" not in worked
    assert all(contact.channel != "social" for contact in centre.router.began)  # none in hand
    assert "email" in worked


def test_give_up_after_abandoning_means_one_contact_per_issue() -> None:
    data = multichannel_data()
    data["demand"]["first_channel"] = {"phone": 1.0}
    data["behaviour"]["after_abandon"] = {"retry": 0.0, "give_up": 1.0}
    _, metrics = run_centre(build(data, demand={"issues_per_day": 6000}))
    assert metrics[("phone", "abandoned")] > 0
    assert metrics[("centre", "contacts_per_issue")] == 1.0


def test_retries_add_contacts() -> None:
    data = multichannel_data()
    data["demand"]["first_channel"] = {"phone": 1.0}
    _, metrics = run_centre(build(data, demand={"issues_per_day": 6000}))
    assert metrics[("centre", "contacts_per_issue")] > 1.0


def test_self_service_that_always_succeeds_sends_no_fallback() -> None:
    data = multichannel_data()
    data["demand"]["first_channel"] = {"self_service": 1.0}
    _, metrics = run_centre(build(data, channels={"self_service": {"success": 1.0}}))
    assert metrics[("self_service", "offered")] > 0
    for channel in ("phone", "email", "social"):
        assert metrics[(channel, "offered")] == 0
