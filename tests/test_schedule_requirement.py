"""The per-interval requirement behind ``ccsim schedule``: Erlang for phone, workload over
occupancy for written channels, the self-service fallback allowance, blended and split pools.
Each expected figure is computed here from the closed forms, not read back from the code."""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import build, deep_update, mmc_data

from sim import analytic
from sim.studies.schedule.errors import ScheduleError
from sim.studies.schedule.requirement import REQUIREMENT_COLUMNS, weekly_requirement

PER_HOUR = 96.0
AHT = 300.0  # 5min
PROFILE = [1.0, 2.0, 4.0, 1.0] * 6  # 24 hourly weights, mean 2: scaled to mean 1


def required(scenario, pool: str) -> np.ndarray:
    table = weekly_requirement(scenario)
    return table[table["pool"] == pool]["required"].to_numpy()


def test_flat_phone_only_pool_needs_erlang_c_in_every_interval():
    scenario = build(mmc_data(per_hour=PER_HOUR, aht="5min"))
    table = weekly_requirement(scenario)
    assert list(table.columns) == REQUIREMENT_COLUMNS
    assert len(table) == 7 * 24  # hourly intervals in the week
    expected = analytic.erlang_c_agents(PER_HOUR / 3600.0, AHT, 20.0, 0.8)
    assert expected == 12  # the textbook answer for 8 Erlangs at 80/20s, 5 min AHT
    assert (table["required"] == expected).all()
    assert table["weekday"].iloc[24] == "tue" and table["time"].iloc[25] == "01:00"


def test_exponential_patience_switches_to_erlang_a():
    scenario = build(mmc_data(per_hour=PER_HOUR, aht="5min", patience="3min"))
    expected = analytic.erlang_a_agents(PER_HOUR / 3600.0, AHT, 180.0, 20.0, 0.8)
    assert expected < analytic.erlang_c_agents(PER_HOUR / 3600.0, AHT, 20.0, 0.8)
    assert (required(scenario, "voice") == expected).all()


def test_profile_scales_the_rate_of_each_interval():
    data = deep_update(mmc_data(per_hour=PER_HOUR, aht="5min"), {"demand": {"profile": PROFILE}})
    got = required(build(data), "voice")
    weights = np.array(PROFILE) / np.mean(PROFILE)
    day = [analytic.erlang_c_agents(PER_HOUR / 3600 * w, AHT, 20.0, 0.8) for w in weights]
    assert list(got) == day * 7
    assert len(set(day)) == 3  # the profile really changes the answer


def test_efficiency_multiplies_the_handle_time():
    data = deep_update(
        mmc_data(per_hour=PER_HOUR), {"pools": {"voice": {"efficiency": {"phone": 1.25}}}}
    )
    expected = analytic.erlang_c_agents(PER_HOUR / 3600.0, AHT * 1.25, 20.0, 0.8)
    assert (required(build(data), "voice") == expected).all()


def test_self_service_fallback_adds_to_the_phone_rate():
    data = deep_update(
        mmc_data(per_hour=PER_HOUR),
        {
            "demand": {"first_channel": {"phone": 0.5, "self_service": 0.5}},
            "channels": {"self_service": {"success": 0.6, "fallback": {"phone": 1.0}}},
        },
    )
    share = 0.5 + 0.5 * (1 - 0.6) * 1.0
    expected = analytic.erlang_c_agents(PER_HOUR / 3600.0 * share, AHT, 20.0, 0.8)
    assert expected != analytic.erlang_c_agents(PER_HOUR / 3600.0 * 0.5, AHT, 20.0, 0.8)
    assert (required(build(data), "voice") == expected).all()


def written_centre(**pool):
    """Email and social only, served by one digital pool."""
    return {
        "name": "written",
        "run": {"horizon": "1d", "warmup": "1h", "interval": "1h"},
        "demand": {"issues_per_hour": 60.0, "first_channel": {"email": 0.75, "social": 0.25}},
        "channels": {
            "email": {"handle_time": {"dist": "exponential", "mean": "8min"}},
            "social": {
                "handle_time": {"dist": "deterministic", "value": "6min"},
                "exchanges": 2.5,
            },
        },
        "pools": {"digital": {"agents": 10, "skills": ["email", "social"], **pool}},
    }


def test_written_work_is_workload_over_occupancy_with_social_concurrency():
    scenario = build(written_centre(concurrency={"social": 3}, efficiency={"email": 1.1}))
    email = 60.0 * 0.75 * (8 / 60) * 1.1  # agent-hours of email per hour
    social = 60.0 * 0.25 * (6 / 60) * 2.5 / 3  # replies, three at once
    got = required(scenario, "digital")
    assert got == pytest.approx(np.full(7 * 24, (email + social) / 0.85))
    half = weekly_requirement(scenario, occupancy=0.5)["required"].to_numpy()
    assert half == pytest.approx(np.full(7 * 24, (email + social) / 0.5))


def test_social_modes_change_the_replies_per_thread():
    email = 60.0 * 0.75 * (8 / 60)
    deflect = build(deep_update(written_centre(), {"policy": {"social_mode": "deflect"}}))
    assert required(deflect, "digital")[0] == pytest.approx((email + 60 * 0.25 * 0.1) / 0.85)
    ignore = build(deep_update(written_centre(), {"policy": {"social_mode": "ignore"}}))
    assert required(ignore, "digital")[0] == pytest.approx(email / 0.85)


def blended_data():
    data = mmc_data(per_hour=PER_HOUR, aht="5min")
    data["demand"]["first_channel"] = {"phone": 0.8, "email": 0.2}
    data["channels"]["email"] = {"handle_time": {"dist": "exponential", "mean": "10min"}}
    return data


def test_a_pool_serving_phone_and_email_needs_the_sum():
    data = blended_data()
    data["pools"]["voice"]["skills"] = ["phone", "email"]
    phone = analytic.erlang_c_agents(PER_HOUR * 0.8 / 3600, AHT, 20.0, 0.8)
    email = PER_HOUR * 0.2 * (10 / 60) / 0.85
    assert required(build(data), "voice") == pytest.approx(np.full(7 * 24, phone + email))


def test_a_channel_served_by_two_pools_is_split_equally_unless_told():
    data = blended_data()
    data["pools"]["back"] = {"agents": 3, "skills": ["email"]}
    data["pools"]["voice"]["skills"] = ["phone", "email"]
    scenario = build(data)
    email = PER_HOUR * 0.2 * (10 / 60) / 0.85
    assert required(scenario, "back") == pytest.approx(np.full(7 * 24, email / 2))
    table = weekly_requirement(scenario, split={"email": {"back": 1.0, "voice": 0.0}})
    back = table[table["pool"] == "back"]["required"].to_numpy()
    voice = table[table["pool"] == "voice"]["required"].to_numpy()
    assert back == pytest.approx(np.full(7 * 24, email))
    assert math.isclose(voice[0], analytic.erlang_c_agents(PER_HOUR * 0.8 / 3600, AHT, 20, 0.8))
    assert list(table["pool"].unique()) == ["voice", "back"]  # file order
    with pytest.raises(ScheduleError, match="sum to 1"):
        weekly_requirement(scenario, split={"email": {"back": 0.7}})
    with pytest.raises(ScheduleError, match="do not serve email"):
        weekly_requirement(scenario, split={"email": {"ghost": 1.0}})


def test_no_calls_need_no_agents_and_bad_occupancy_is_refused():
    data = deep_update(mmc_data(), {"demand": {"profile": [0.0] * 12 + [2.0] * 12}})
    got = required(build(data), "voice")
    assert (got[:12] == 0).all() and (got[12:24] > 0).all()
    with pytest.raises(ScheduleError, match="occupancy"):
        weekly_requirement(build(mmc_data()), occupancy=1.5)
