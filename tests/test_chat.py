"""The chat channel kind against queueing theory, and offered wherever a channel is named.

- concurrency 1, no inflation: a chat queue is a phone queue — Erlang C, and Erlang A with
  exponential patience;
- concurrency c, no inflation: n agents holding c chats each are an M/M/(n·c) queue;
- think time lengthens the conversation: with handle and think time Gamma(1/2) halves of one
  scale the conversation is exponential, and Erlang C with their sum holds;
- inflation: a conversation starting beside k others lasts handle × (1 + inflation × k).
Means over replications must lie within three standard errors of theory (fixed seeds).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from builders import build, deep_update, multichannel_data
from test_erlang_validation import assert_within_3se

from sim import analytic
from sim.experiment.catalogue import metric_keys
from sim.experiment.replication import run_scenario, simulate
from sim.model.centre import Centre
from sim.scenario import ScenarioError, validate_data

EXP_5 = {"dist": "exponential", "mean": "5min"}
HALF = {"dist": "gamma", "mean": "2.5min", "cv": math.sqrt(2.0)}  # shape 1/2, scale 5 min


def chat_data(agents: int, per_hour: float, concurrency: int = 1, **chat: Any) -> dict:
    """A chat-only centre with exponential 5-minute conversations."""
    section = {"handle_time": EXP_5, "service_level": {"within": "20s", "target": 0.8}, **chat}
    pool: dict[str, Any] = {"agents": agents, "skills": ["chat"]}
    if concurrency > 1:
        pool["concurrency"] = {"chat": concurrency}
    return {
        "name": "chat",
        "run": {"horizon": "2d", "warmup": "2h", "replications": 10, "interval": "1h"},
        "demand": {"issues_per_hour": per_hour, "first_channel": {"chat": 1.0}},
        "channels": {"chat": section},
        "behaviour": {"after_abandon": {"retry": 0.0, "give_up": 1.0}},
        "pools": {"agents": pool},
        "costs": {"per_contact": {"chat": 0.5}},
    }


def run(data: dict, seed: int = 7):
    return run_scenario(build(data, run={"seed": seed}), workers=1)


def test_concurrency_one_is_erlang_c() -> None:
    result = run(chat_data(10, 96.0))
    assert_within_3se(result, "p_wait", analytic.erlang_c(10, 8.0), scope="chat")
    sl = analytic.erlang_c_service_level(10, 96.0, 5 / 60, 20 / 3600)
    assert_within_3se(result, "service_level", sl, scope="chat")
    assert_within_3se(result, "occupancy", 0.8, scope="pool:agents")


def test_concurrency_one_with_patience_is_erlang_a() -> None:
    patience = {"dist": "exponential", "mean": "3min"}
    result = run(chat_data(9, 100.0, patience=patience), seed=11)
    theory = analytic.erlang_a(9, 100.0, 5 / 60, 3 / 60, within=20 / 3600)
    assert_within_3se(result, "abandon_rate", theory.p_abandon, scope="chat")
    assert_within_3se(result, "service_level", theory.service_level, scope="chat")


def test_concurrency_c_without_inflation_is_m_m_nc() -> None:
    """Four agents with three chats each: twelve servers at 9.6 Erlangs."""
    result = run(chat_data(4, 115.2, concurrency=3))
    assert_within_3se(result, "p_wait", analytic.erlang_c(12, 9.6), scope="chat")
    sl = analytic.erlang_c_service_level(12, 115.2, 5 / 60, 20 / 3600)
    assert_within_3se(result, "service_level", sl, scope="chat")
    # the check can fail: four servers' worth of theory is nowhere near
    assert analytic.erlang_c(12, 9.6) < 0.5


def test_think_time_lengthens_the_conversation() -> None:
    result = run(chat_data(10, 96.0, handle_time=HALF, think_time=HALF))
    sl = analytic.erlang_c_service_level(10, 96.0, 5 / 60, 20 / 3600)
    assert_within_3se(result, "service_level", sl, scope="chat")


def test_inflation_per_other_conversation_in_hand() -> None:
    """Unit check on one agent holding chats: handle × (1 + inflation × others) + think."""
    scenario = build(chat_data(1, 10.0, concurrency=3, inflation=0.25), run={"replications": 1})
    centre = Centre(scenario, 0)
    chat, pool = centre.channels["chat"], centre.pools[0]
    pool.set_headcount(0.0, 1)
    contact = chat.contact_type()
    contact.think = 30.0
    assert chat.service_time(contact, pool, 0, 100.0) == pytest.approx(130.0)
    pool.seize(0.0, 0, "chat")
    pool.seize(0.0, 0, "chat")
    assert chat.service_time(contact, pool, 0, 100.0) == pytest.approx(100.0 * 1.5 + 30.0)


def test_inflation_slows_service() -> None:
    plain = run(chat_data(4, 100.0, concurrency=3)).summary().set_index(["scope", "metric"])
    slow = run(chat_data(4, 100.0, concurrency=3, inflation=0.3))
    slow = slow.summary().set_index(["scope", "metric"])
    assert slow.loc[("chat", "asa_seconds"), "mean"] > plain.loc[("chat", "asa_seconds"), "mean"]
    occupancy = ("pool:agents", "occupancy")
    assert slow.loc[occupancy, "mean"] > plain.loc[occupancy, "mean"] + 0.05


def test_chat_is_offered_wherever_a_channel_is_named() -> None:
    """first_channel, self-service fallback, switch after abandoning, social handoff."""
    data = deep_update(
        multichannel_data(),
        {
            "demand": {
                "first_channel": {
                    "phone": 0.4,
                    "email": 0.25,
                    "self_service": 0.2,
                    "social": 0.05,
                    "chat": 0.1,
                }
            },
            "channels": {"social": {"handoff": {"probability": 0.35, "to": "chat"}}},
        },
    )
    data["channels"]["self_service"]["fallback"] = {"phone": 0.4, "chat": 0.6}
    data["behaviour"]["after_abandon"] = {"retry": 0.5, "switch": {"chat": 0.3}, "give_up": 0.2}
    data["pools"]["digital"]["skills"].append("chat")
    data["pools"]["digital"].setdefault("concurrency", {})["chat"] = 2
    scenario = validate_data(data)
    result = simulate(scenario, 0)
    m = result.metrics
    assert list(m) == metric_keys(scenario)
    assert m[("chat", "answered")] > 0
    answered = m[("chat", "answered")] + m[("chat", "abandoned")] + m[("chat", "waiting_end")]
    assert m[("chat", "offered")] == answered
    # more chats than the 10% that go there first: fallbacks, switches and handoffs arrive
    assert m[("chat", "offered")] > 0.1 * m[("centre", "issues")] * 1.2
    rows = result.intervals[result.intervals["scope"] == "chat"]
    assert rows["offered"].sum() == m[("chat", "offered")]


def test_a_scenario_without_chat_reports_no_chat_rows() -> None:
    scenario = validate_data(multichannel_data())
    assert "chat" not in {scope for scope, _ in metric_keys(scenario)}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"pools": {"agents": {"concurrency": {"chat": 0}}}}, "pools.agents.concurrency.chat"),
        ({"channels": {"chat": {"inflation": -0.1}}}, "channels.chat.inflation"),
    ],
)
def test_bad_chat_settings_name_their_field(change: dict, path: str) -> None:
    with pytest.raises(ScenarioError, match=path.replace(".", r"\.")):
        validate_data(deep_update(chat_data(2, 10.0, concurrency=2), change))
