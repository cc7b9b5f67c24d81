"""Customer journeys: social threads, modes, impressions, escalation and jumping the line."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from builders import build, deep_update
from recorders import WaitLog

from sim.experiment.replication import simulate, tabulate
from sim.model.behaviour import Behaviour, JumpTheLine
from sim.model.centre import Centre
from sim.model.observer import Outcome
from sim.model.streams import Uniforms
from sim.scenario.schema import Behaviour as BehaviourSpec


def social_centre(**changes: Any) -> dict[str, Any]:
    """Only social first; a digital pool for social and email; phone for handoffs."""
    data = {
        "name": "social",
        "run": {"horizon": "3d", "warmup": "6h", "replications": 1, "interval": "1h"},
        "demand": {"issues_per_day": 600, "first_channel": {"social": 1.0}},
        "channels": {
            "social": {
                "public_share": 1.0,
                "exchanges": 2.0,
                "reply_delay": {"dist": "exponential", "mean": "10min"},
                "handoff": {"probability": 0.0, "to": "email"},
            }
        },
        "pools": {
            "digital": {"agents": 4, "skills": ["social", "email"], "concurrency": {"social": 2}},
            "voice": {"agents": 2, "skills": ["phone"]},
        },
    }
    return deep_update(data, changes)


def metrics_of(data: dict[str, Any]) -> dict:
    return simulate(build(data), 0).metrics


def test_no_handoff_means_no_private_contacts_from_social() -> None:
    m = metrics_of(social_centre())
    assert m[("social", "answered")] > 0
    assert m[("email", "offered")] == 0 and m[("phone", "offered")] == 0


def test_handoff_sends_threads_to_the_private_channel() -> None:
    m = metrics_of(social_centre(channels={"social": {"handoff": {"probability": 1.0}}}))
    assert m[("email", "offered")] > 0.9 * m[("social", "answered")]
    assert m[("phone", "offered")] == 0


def test_deflect_hands_every_thread_off_after_one_reply(timed) -> None:
    runs = {}
    for mode in ("serve", "deflect"):
        scenario = build(social_centre(policy={"social_mode": mode, "routing": timed.name}))
        centre = Centre(scenario, 0)
        metrics = tabulate(scenario, centre.run()).metrics
        threads = [pieces for (_, ch), pieces in centre.router.work.items() if ch == "social"]
        runs[mode] = metrics, threads
    (served, serve_threads), (deflected, deflect_threads) = runs["serve"], runs["deflect"]
    assert deflected[("email", "offered")] > 0.9 * deflected[("social", "answered")]
    assert deflected[("social", "offered")] == served[("social", "offered")]
    # one agent reply per thread instead of 1 + Poisson(1): the later replies are gone
    assert len(deflect_threads) > 1000
    assert all(len(pieces) == 1 for pieces in deflect_threads)
    assert np.mean([len(pieces) for pieces in serve_threads]) == pytest.approx(2.0, abs=0.1)
    # so a thread takes about half the agent time
    work = {mode: np.mean([sum(pieces) for pieces in runs[mode][1]]) for mode in runs}
    assert work["deflect"] < 0.6 * work["serve"]


def test_ignore_uses_no_agent_time_and_every_public_post_is_negative() -> None:
    data = social_centre(policy={"social_mode": "ignore"})
    data["pools"]["digital"]["skills"] = ["social"]
    data["pools"]["digital"]["concurrency"] = {}
    m = metrics_of(data)
    assert m[("social", "offered")] > 0
    assert m[("social", "answered")] == 0
    assert m[("pool:digital", "occupancy")] == 0
    assert m[("centre", "public_positive")] == 0
    assert m[("centre", "public_negative")] > 0


def test_fast_public_replies_make_positive_impressions() -> None:
    m = metrics_of(social_centre(pools={"digital": {"agents": 10}}))
    assert m[("social", "service_level")] > 0.95
    assert m[("centre", "public_positive")] > 20 * m[("centre", "public_negative")]


def test_misrouted_posts_reach_service_late() -> None:
    data = social_centre(
        channels={"social": {"misrouted": {"share": 1.0, "delay": "2h"}}},
        pools={"digital": {"agents": 10}},
    )
    m = metrics_of(data)
    assert m[("social", "answered")] > 0
    assert m[("social", "asa_seconds")] >= 7200
    assert m[("social", "service_level")] == 0


def test_community_resolves_posts_without_an_agent() -> None:
    m = metrics_of(social_centre(channels={"social": {"community_resolves": 1.0}}))
    assert m[("social", "answered")] == 0
    assert m[("social", "community_resolved")] > 0
    assert m[("centre", "resolved")] > 0


def test_unanswered_email_escalates_to_a_public_post() -> None:
    data = social_centre(behaviour={"escalate_to_social": {"after": "1h", "probability": 0.5}})
    data["demand"]["first_channel"] = {"email": 1.0}
    data["pools"]["digital"]["agents"] = 1  # a backlog builds: emails wait for hours
    m = metrics_of(data)
    assert m[("centre", "duplicate_contacts")] > 0
    assert m[("social", "offered")] == pytest.approx(m[("centre", "duplicate_contacts")], rel=0.2)
    without = metrics_of(
        deep_update(data, {"behaviour": {"escalate_to_social": {"probability": 0}}})
    )
    assert without[("social", "offered")] == 0


def test_an_email_escalates_only_when_unanswered_after_the_delay_at_its_probability() -> None:
    """Followed email by email: each public post comes exactly ``after`` past an email still
    unanswered by then, and about ``probability`` of those emails lead to one (3 SE)."""
    data = social_centre(behaviour={"escalate_to_social": {"after": "1h", "probability": 0.3}})
    data["demand"]["first_channel"] = {"email": 1.0}
    data["pools"]["digital"]["agents"] = 2  # some emails answered within the hour, most not
    log = WaitLog()
    centre = Centre(build(data), 0, log)
    centre.run()
    end = centre.calendar.run_until
    emails = {key[0]: key for key in log.outcomes if key[1] == "email"}
    posts = [issue for issue, channel in log.outcomes if channel == "social"]
    for issue in posts:
        sent = log.arrived[emails[issue]]
        assert log.arrived[(issue, "social")] == pytest.approx(sent + 3600.0, abs=1e-6)
        outcome, wait = log.outcomes[emails[issue]]
        if outcome == Outcome.ANSWERED:
            assert wait > 3600.0, issue
    late = [
        key
        for key in emails.values()
        if log.arrived[key] + 3600.0 < end
        and (log.outcomes[key][0] != Outcome.ANSWERED or log.outcomes[key][1] > 3600.0)
    ]
    quick = len(emails) - len(late)
    assert len(late) > 300 and quick > 30
    expected, se = 0.3 * len(late), np.sqrt(len(late) * 0.3 * 0.7)
    assert abs(len(posts) - expected) <= 3 * se, (len(posts), expected, se, quick)


def test_the_social_habit_moves_by_its_rate_toward_its_target() -> None:
    """The jump-the-line update worked by hand: advantage = 1 − 10 s / 40 s = 0.75, target
    = 0.1 + (0.4 − 0.1) · 0.75 = 0.325, share = 0.1 + 0.5 · (0.325 − 0.1) = 0.2125."""
    habit = JumpTheLine(base_share=0.1, rate=0.5, cap=0.4)
    for wait in (5.0, 15.0):  # public complaints answered in 10 s on average
        habit.observe_public(wait)
    assert habit.advantage(private_wait=400.0, private_answered=10) == pytest.approx(0.75)
    assert habit.update(private_wait=400.0, private_answered=10) == pytest.approx(0.2125)
    # a period without public answers: no advantage, the habit fades halfway back to 0.1
    assert habit.update(private_wait=400.0, private_answered=10) == pytest.approx(0.15625)
    habit.observe_public(80.0)  # public slower than private: no advantage, not a negative one
    assert habit.advantage(private_wait=400.0, private_answered=10) == 0.0
    assert habit.advantage(private_wait=0.0, private_answered=0) == 0.0
    habit.observe_public(0.0)  # now 40 s public on average against 0.4 s private: still 0
    assert habit.advantage(private_wait=4.0, private_answered=10) == 0.0
    assert habit.advantage(private_wait=1e9, private_answered=1) == pytest.approx(1.0)
    # a cap below the starting share keeps the share where it started
    capped = JumpTheLine(base_share=0.3, rate=1.0, cap=0.1)
    capped.observe_public(1.0)  # public answered 100 times faster
    assert capped.update(100.0, 1) == pytest.approx(0.3)


def after_abandon_with(max_attempts: int = 4, **after: Any) -> Behaviour:
    spec = BehaviourSpec.model_validate({"after_abandon": after, "max_attempts": max_attempts})
    return Behaviour(spec, Uniforms(np.random.default_rng(1)), retry_delay=None)


def test_after_abandoning_customers_retry_switch_or_give_up_up_to_the_cap() -> None:
    retry = after_abandon_with(max_attempts=3, retry=1.0, give_up=0.0)
    assert [retry.after_abandon(k) for k in (1, 2)] == [("retry", None)] * 2
    assert retry.after_abandon(3) == ("give_up", None)  # the third contact was the last
    switch = after_abandon_with(retry=0.0, switch={"email": 1.0}, give_up=0.0)
    assert switch.after_abandon(1) == ("switch", "email")
    split = after_abandon_with(retry=0.5, switch={"email": 0.25}, give_up=0.25)
    actions = [split.after_abandon(1) for _ in range(4000)]
    assert actions.count(("retry", None)) == pytest.approx(2000, abs=3 * 32)  # 3 SE
    assert actions.count(("switch", "email")) == pytest.approx(1000, abs=3 * 28)


def jump_the_line_centre(mode: str) -> dict[str, Any]:
    """Phone understaffed, social answered first: the trap, at small size over 63 days."""
    return {
        "name": f"jump-{mode}",
        "run": {"horizon": "63d", "warmup": "1d", "replications": 1, "interval": "1d"},
        "demand": {
            "issues_per_day": 400,
            "first_channel": {"phone": 0.6, "email": 0.38, "social": 0.02},
        },
        "channels": {
            "phone": {"patience": {"dist": "exponential", "mean": "5min"}},
            "social": {"handoff": {"probability": 0.0, "to": "email"}},
        },
        "behaviour": {
            "after_abandon": {"retry": 0.7, "give_up": 0.3},
            "jump_the_line": {
                "enabled": True,
                "period": "1d",
                "rate": 0.05,
                "max_social_first": 0.3,
            },
        },
        "pools": {
            "voice": {"agents": 1, "skills": ["phone"]},
            "digital": {"agents": 3, "skills": ["social", "email"]},
        },
        "policy": {"priority": ["social", "email"], "social_mode": mode},
    }


@pytest.fixture(scope="module")
def jump_runs() -> dict[str, Any]:
    runs = {}
    for mode in ("serve", "deflect"):
        result = simulate(build(jump_the_line_centre(mode)), 0)
        runs[mode] = result
    return runs


def test_answering_public_complaints_first_grows_the_social_habit(jump_runs) -> None:
    result = jump_runs["serve"]
    share = result.metrics[("centre", "social_first_share_end")]
    assert share > 0.15  # from 0.02 toward the 0.3 cap
    centre = result.intervals[result.intervals["scope"] == "centre"]
    shares = centre["social_first_share"].to_numpy()
    assert shares[:7].mean() < 0.08 and shares[-7:].mean() > 0.2  # the habit builds up

    def weekly_social(run: Any) -> np.ndarray:
        social = run.intervals[run.intervals["scope"] == "social"]["offered"].to_numpy()
        return np.array([social[:7].sum(), social[-7:].sum()])

    first, last = weekly_social(result)
    assert last > 3 * first  # social volume grows with the habit...
    assert last > 3 * weekly_social(jump_runs["deflect"])[1]  # ...and not under deflection


def test_deflecting_public_complaints_keeps_the_share_near_its_start(jump_runs) -> None:
    share = jump_runs["deflect"].metrics[("centre", "social_first_share_end")]
    assert share < 0.05


def test_jump_the_line_disabled_keeps_the_share_constant() -> None:
    data = jump_the_line_centre("serve")
    data["behaviour"]["jump_the_line"]["enabled"] = False
    data["run"]["horizon"] = "10d"
    result = simulate(build(data), 0)
    centre = result.intervals[result.intervals["scope"] == "centre"]
    assert np.all(centre["social_first_share"].to_numpy() == 0.02)
    assert result.metrics[("centre", "social_first_share_end")] == 0.02


def test_journey_metrics_are_reported() -> None:
    m = metrics_of(social_centre(channels={"social": {"handoff": {"probability": 0.5}}}))
    assert m[("centre", "touched_social_share")] == pytest.approx(1.0)
    assert m[("social", "resolution_hours_first")] > 0
    assert 1.0 < m[("centre", "contacts_per_issue")] < 2.0


def test_public_answer_time_counts_each_complaint_once() -> None:
    """Under serve, a thread's private follow-up is not a second 'public answer'."""
    data = social_centre(channels={"social": {"handoff": {"probability": 1.0}}})
    centre = Centre(build(data), 0)
    observed: list[float] = []
    centre.jump.observe_public = observed.append
    for channel in centre.channels.values():
        channel.on_public_answer = observed.append
    metrics = tabulate(centre.scenario, centre.run()).metrics
    social = centre.channels["social"]
    assert len(observed) == social.period_answered  # one per public first reply
    assert metrics[("email", "offered")] > 0


def test_the_observer_is_told_of_each_abandon_with_the_time_the_caller_held_on() -> None:
    """Callers with exactly two minutes of patience in an overloaded queue: each one who
    hangs up is reported ``abandoned`` after two minutes on hold, once, and the reported
    abandons are the ones counted."""
    data = {
        "name": "hang-ups",
        "run": {"horizon": "1d", "warmup": "0s", "replications": 1, "interval": "1h"},
        "demand": {"issues_per_hour": 30.0, "first_channel": {"phone": 1.0}},
        "channels": {
            "phone": {
                "handle_time": {"dist": "exponential", "mean": "5min"},
                "patience": {"dist": "deterministic", "value": "2min"},
            }
        },
        "behaviour": {"after_abandon": {"retry": 0.0, "give_up": 1.0}},
        "pools": {"voice": {"agents": 2, "skills": ["phone"]}},
    }
    log = WaitLog()
    centre = Centre(build(data), 0, log)
    centre.run()
    waits = [wait for outcome, wait in log.outcomes.values() if outcome == Outcome.ABANDONED]
    assert len(waits) == sum(centre.channels["phone"].stats.abandoned) > 100
    assert waits == pytest.approx([120.0] * len(waits), abs=1e-6)


def test_a_deflected_complaint_teaches_the_wait_from_its_post_to_the_private_answer() -> None:
    """Under ``deflect`` the answer to a public complaint is the private one: what customers
    learn for jumping the line is the time from the public post to that answer (nobody who
    gives up on a post emails instead, so every email follows a deflected post)."""
    data = social_centre(
        policy={"social_mode": "deflect"},
        behaviour={"after_abandon": {"retry": 0.0, "switch": {}, "give_up": 1.0}},
    )
    log = WaitLog()
    centre = Centre(build(data), 0, log)
    learned: list[float] = []
    for channel in ("social", "email"):  # the private answer may come at once, or later
        centre.channels[channel].on_public_answer = learned.append
    centre.run()
    expected = sorted(
        log.arrived[(issue, "email")] + wait - log.arrived[(issue, "social")]
        for (issue, channel), (outcome, wait) in log.outcomes.items()
        if channel == "email" and outcome == Outcome.ANSWERED
    )
    assert len(expected) > 1000
    assert sorted(learned) == pytest.approx(expected, abs=1e-6)
