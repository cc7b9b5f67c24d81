"""Overflow after a delay, and per-channel proficiency (pool efficiency), against theory.

A front team of 6 and a back-up team of 4 serve one M/M phone queue (A = 8 Erlangs):
- a delay longer than the run: the back-up never serves, the queue is M/M/6 — and the
  phone figures are bit-identical to a centre without the back-up team;
- a delay of zero: one pooled queue, M/M/10 (Erlang C);
- in between, the back-up's share of the work rises as the delay falls.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import build, deep_update, mmc_data
from test_erlang_validation import assert_within_3se

from sim import analytic
from sim.experiment.replication import run_scenario, simulate
from sim.model.centre import Centre
from sim.model.replay import Replay
from sim.scenario import ScenarioError, validate_data

PER_HOUR = 96.0  # 8 Erlangs of 5-minute calls


def two_teams(after: str | None, seed: int = 7, **run) -> dict:
    data = mmc_data(agents=6, per_hour=PER_HOUR)
    data["pools"]["backup"] = {"agents": 4, "skills": ["phone"]}
    if after is not None:
        data["pools"]["backup"]["overflow_after"] = {"phone": after}
    return deep_update(data, {"run": {"seed": seed, **run}})


PHONE = ("offered", "answered", "abandoned", "p_wait", "asa_seconds", "service_level")


def test_a_delay_longer_than_the_run_is_a_separate_queue() -> None:
    """The back-up team also answers email (so its agents free up and look for work): with
    a delay longer than the run its phone skill changes nothing, to the bit, against a
    back-up team without it."""
    run = {"horizon": "1d", "warmup": "0s", "replications": 1}
    separate = deep_update(two_teams(None, **run), {"demand": {"issues_per_hour": 80.0}})
    separate["demand"]["first_channel"] = {"phone": 0.6, "email": 0.4}
    separate["channels"]["email"] = {"handle_time": {"dist": "exponential", "mean": "5min"}}
    separate["pools"]["backup"]["skills"] = ["email"]
    never = deep_update(separate, {"pools": {"backup": {"overflow_after": {"phone": "1000d"}}}})
    never["pools"]["backup"]["skills"] = ["phone", "email"]
    alone, late = simulate(build(separate), 0).metrics, simulate(build(never), 0).metrics
    assert alone[("email", "answered")] > 100
    for metric in PHONE:
        assert late[("phone", metric)] == alone[("phone", metric)], metric


def test_a_delay_longer_than_the_run_is_erlang_c_of_the_front_team() -> None:
    data = two_teams("1000d", horizon="2d", replications=8)
    data["demand"]["issues_per_hour"] = 60.0  # 5 Erlangs on 6 agents
    result = run_scenario(build(data), workers=1)
    sl = analytic.erlang_c_service_level(6, 60.0, 5 / 60, 20 / 3600)
    assert_within_3se(result, "service_level", sl)


def test_a_zero_delay_is_one_pooled_queue() -> None:
    result = run_scenario(build(two_teams("0s")), workers=1)
    assert_within_3se(result, "p_wait", analytic.erlang_c(10, 8.0))
    sl = analytic.erlang_c_service_level(10, PER_HOUR, 5 / 60, 20 / 3600)
    assert_within_3se(result, "service_level", sl)
    pooled = run_scenario(build(two_teams(None)), workers=1)
    assert result.summary().equals(pooled.summary())  # the same path, to the bit


def backup_share(after: str) -> float:
    data = two_teams(after, replications=1)
    data["demand"]["issues_per_hour"] = 60.0  # 5 Erlangs: the front team copes, mostly
    m = simulate(build(data), 0).metrics
    busy = {
        p: m[(f"pool:{p}", "occupancy")] * m[(f"pool:{p}", "agents_on_duty")]
        for p in ("voice", "backup")
    }
    return busy["backup"] / (busy["voice"] + busy["backup"])


def test_the_backup_share_rises_as_the_delay_falls() -> None:
    shares = [backup_share(after) for after in ("2min", "30s", "10s", "0s")]
    assert shares == sorted(shares) and shares[-1] > 1.5 * shares[0], shares


def test_proficiency_one_everywhere_is_bit_identical() -> None:
    base = mmc_data(agents=9, per_hour=100.0, patience="3min")
    ones = deep_update(base, {"pools": {"voice": {"efficiency": {"phone": 1.0}}}})
    run = {"replications": 2, "horizon": "1d"}
    a = run_scenario(build(base, run=run), workers=1).summary()
    b = run_scenario(build(ones, run=run), workers=1).summary()
    assert a.equals(b)


def test_proficiency_scales_a_pools_handle_time_on_a_channel() -> None:
    """Efficiency 0.5 on phone: 10-minute calls handled in 5 minutes, Erlang C at 8 Erlangs."""
    data = mmc_data(agents=10, per_hour=PER_HOUR, aht="10min")
    data["pools"]["voice"]["efficiency"] = {"phone": 0.5}
    result = run_scenario(build(data, run={"seed": 7}), workers=1)
    assert_within_3se(result, "p_wait", analytic.erlang_c(10, 8.0))


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"pools": {"backup": {"skills": ["email"]}}}, "pools.backup.overflow_after.phone"),
        (
            {"pools": {"backup": {"overflow_after": {"phone": "-1s"}}}},
            "pools.backup.overflow_after",
        ),
    ],
)
def test_bad_overflow_names_its_field(change: dict, path: str) -> None:
    data = deep_update(two_teams("30s"), change)
    data["demand"]["first_channel"] = {"phone": 1.0}
    with pytest.raises(ScenarioError, match=path.replace(".", r"\.")):
        validate_data(data)


def replayed_backup(email_at: float, email_handle: float) -> float:
    """The phone ASA when a back-up agent (phone after 1 s, email at once) is busy with an
    email while a call waits: call 1 at 0 s keeps the one front agent busy; call 2 arrives
    at 9 s; the email arrives at ``email_at`` and takes ``email_handle`` seconds."""
    data = two_teams("1s", horizon="1h", warmup="0s", replications=1)
    data["pools"] = {
        "voice": {"agents": 1, "skills": ["phone"]},
        "backup": {"agents": 1, "skills": ["phone", "email"], "overflow_after": {"phone": "1s"}},
    }
    data["demand"]["first_channel"] = {"phone": 0.5, "email": 0.5}
    data["channels"]["email"] = {"handle_time": {"dist": "exponential", "mean": "5min"}}
    scenario = build(data)
    replay = Replay(
        np.array([0.0, 9.0, email_at]),
        np.array(["phone", "phone", "email"], dtype=object),
        np.array([1000.0, 100.0, email_handle]),
    )
    counts = Centre(scenario, 0, replay=replay).run()
    phone = counts.channels["phone"].stats
    assert sum(phone.answered) == 2
    return sum(phone.wait_sum) / 2


def test_a_backup_agent_freeing_early_leaves_the_call_to_its_delay() -> None:
    """Free at 9.5 s, the call has waited 0.5 s of its 1 s: the agent may not take it yet;
    its overflow timer gives it to the agent at 10 s (waits 0 and 1 s)."""
    assert replayed_backup(email_at=8.0, email_handle=1.5) == 0.5


def test_a_backup_agent_freeing_just_as_the_delay_ends_takes_the_call() -> None:
    """The call's timer fires at 10 s while the agent is still busy; the agent frees at
    10 s too and takes the call, which has waited exactly its delay."""
    assert replayed_backup(email_at=9.5, email_handle=0.5) == 0.5


def test_a_misrouted_post_overflows_its_delay_after_it_was_posted() -> None:
    """Public posts all misrouted for 10 min, served only by a team that takes social after
    30 min: every post is first answered 30 min after it was posted, not 30 min after it
    reached the service team."""
    data = mmc_data(agents=1, per_hour=6.0)
    data["run"].update({"horizon": "1d", "warmup": "0s", "replications": 1})
    data["demand"]["first_channel"] = {"social": 1.0}
    data["channels"] = {
        "social": {
            "public_share": 1.0,
            "exchanges": 1,
            "community_resolves": 0.0,
            "misrouted": {"share": 1.0, "delay": "10min"},
            "handoff": {"probability": 0.0, "to": "email"},
        }
    }
    data["pools"] = {
        "team": {"agents": 40, "skills": ["social"], "overflow_after": {"social": "30min"}}
    }
    m = simulate(build(data), 0).metrics
    assert m[("social", "answered")] > 100
    assert m[("social", "asa_seconds")] == pytest.approx(1800.0)
