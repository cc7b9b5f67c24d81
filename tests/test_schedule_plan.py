"""``plan_schedule`` end to end: the shipped baseline with default templates, the scheduled
scenario read back by the simulator's own headcount code, and the errors a planner sees."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from builders import build, mmc_data
from schedule_oracle import rows_cover

from sim.model.agents import weekly_headcount
from sim.scenario import load_scenario
from sim.studies.schedule.errors import ScheduleError
from sim.studies.schedule.plan import plan_schedule, scheduled_scenario
from sim.studies.schedule.requirement import weekly_requirement
from sim.studies.schedule.result import COVERAGE_COLUMNS, SCHEDULE_COLUMNS
from sim.studies.schedule.templates import validate_templates

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"

# Small templates keep the toy plans exact and quick: 8 h shifts every 2 h, five-day blocks,
# a 30 min lunch 3-5 h in.
TOY = {
    "break_step": "30min",
    "templates": {
        "day": {
            "length": "8h",
            "starts": {"earliest": "00:00", "step": "2h"},
            "days": {"consecutive": 5},
            "breaks": [{"name": "lunch", "length": "30min", "after": "3h", "before": "5h"}],
        }
    },
}


@pytest.fixture(scope="module")
def baseline():
    scenario = load_scenario(BASELINE)
    began = time.perf_counter()
    schedule = plan_schedule(scenario, time_limit=60.0)
    return scenario, schedule, time.perf_counter() - began


def test_default_templates_schedule_the_baseline(baseline):
    # how long it takes is a benchmark's business (a timed assertion failed on a busy machine)
    _, schedule, _ = baseline
    summary = schedule.summary_frame().set_index("pool")
    assert list(summary.index) == ["voice", "digital"]
    assert (summary["agents"] > 100).all()
    assert (summary["gap"] < 0.1).all()  # within 10% of a true lower bound even at 2 s
    frame = schedule.schedule_frame()
    assert list(frame.columns) == SCHEDULE_COLUMNS
    assert set(frame["template"]) == {"8h"}
    assert frame["paid_hours"].sum() == pytest.approx(schedule.paid_hours)
    voice = frame[frame["pool"] == "voice"]
    assert voice["cost"].sum() == pytest.approx(voice["paid_hours"].sum() * 28.0)
    assert (voice["paid_hours"] == 40.0 * voice["count"]).all()  # 8 h x 5 days, all paid


def test_baseline_schedule_covers_the_requirement_in_every_interval(baseline):
    scenario, schedule, _ = baseline
    coverage = schedule.coverage_frame()
    assert list(coverage.columns) == COVERAGE_COLUMNS
    assert len(coverage) == 2 * 7 * 48
    requirement = weekly_requirement(scenario)
    for pool in ("voice", "digital"):
        rows = coverage[coverage["pool"] == pool]
        required = requirement[requirement["pool"] == pool]["required"].to_numpy()
        assert rows["required"].to_numpy() == pytest.approx(required)
        needed = required / (1 - scenario.pools[pool].shrinkage)
        assert rows["needed"].to_numpy() == pytest.approx(needed)
        independent = rows_cover(schedule.rows, 30, pool)
        assert rows["on_floor"].to_numpy() == pytest.approx(independent)
        assert np.all(independent >= needed - 1e-6)  # coverage >= requirement, every interval
        assert rows["net"].min() >= -1e-6


def test_scheduled_scenario_has_the_planned_headcount(baseline):
    scenario, schedule, _ = baseline
    planned = scheduled_scenario(scenario, schedule)
    assert planned.demand == scenario.demand and planned.channels == scenario.channels
    for pool in ("voice", "digital"):
        shifts = planned.pools[pool].schedule
        assert shifts is not None
        steps = weekly_headcount(shifts)  # the simulator's own reading of the shifts
        starts = [t for t, _ in steps]
        level = [
            steps[np.searchsorted(starts, m * 60, side="right") - 1][1]
            for m in range(0, 7 * 1440, 30)
        ]
        on_shift = rows_cover(schedule.rows, 30, pool, breaks=False)
        assert np.array_equal(np.array(level, dtype=float), on_shift)


def test_pool_schedule_lists_breaks_inside_each_shift(baseline):
    _, schedule, _ = baseline
    shifts = schedule.to_pool_schedule("voice")
    assert sum(s["agents"] for s in shifts) == sum(
        r.count for r in schedule.rows if r.pool == "voice"
    )
    for shift in shifts:
        assert set(shift) == {"days", "from", "to", "agents", "breaks"}
        assert len(shift["breaks"]) == 3
        begin = _minutes(shift["from"])
        for brk in shift["breaks"]:
            offset = (_minutes(brk["from"]) - begin) % 1440
            length = (_minutes(brk["to"]) - _minutes(brk["from"])) % 1440
            assert offset >= 60 and offset + length <= 7 * 60  # windows 1-3 h, 3-5 h, 5-7 h
    merged = schedule.to_pool_schedule("voice", breaks=False)
    assert len(merged) < len(shifts)
    assert sum(s["agents"] for s in merged) == sum(s["agents"] for s in shifts)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def test_a_toy_plan_meets_its_need_with_shrinkage_applied_once():
    scenario = build(mmc_data(per_hour=96.0, aht="5min", interval="1h"))
    templates = validate_templates(TOY)
    schedule = plan_schedule(scenario, templates, shrinkage=0.2, time_limit=5.0)
    coverage = schedule.coverage_frame()
    assert (coverage["required"] == 12).all()  # Erlang C, 8 Erlangs at 80/20
    assert coverage["needed"].to_numpy() == pytest.approx(np.full(168, 15.0))  # 12 / 0.8
    assert np.all(rows_cover(schedule.rows, 60) >= 15.0 - 1e-9)
    assert schedule.pools["voice"].shrinkage == 0.2
    # 15 x 168 agent-hours on the floor at 37.5 h per agent-week: more than 67 agents, so
    # at least 68 (the bound is rounded to whole agents of 40 paid hours at 29/h)
    solution = schedule.pools["voice"].solution
    assert solution.bound == pytest.approx(68 * 40 * 29.0)
    assert sum(row.count for row in schedule.rows) >= 68


def test_a_given_requirement_table_is_used_as_it_is():
    scenario = build(mmc_data(interval="1h"))
    table = weekly_requirement(scenario)
    table["required"] = 0.0
    table.loc[table["interval"] == 10, "required"] = 3.0  # Monday 10:00 only
    schedule = plan_schedule(scenario, validate_templates(TOY), requirement=table, shrinkage=0.0)
    assert sum(row.count for row in schedule.rows) == 3
    assert rows_cover(schedule.rows, 60)[10] >= 3.0


def test_hours_no_template_covers_are_named_with_what_to_change():
    scenario = build(mmc_data(interval="1h"))
    daytime = {
        "templates": {
            "office": {
                "length": "8h",
                "starts": {"earliest": "08:00", "latest": "10:00", "step": "1h"},
                "days": ["mon-fri"],
            }
        }
    }
    with pytest.raises(ScheduleError) as caught:
        plan_schedule(scenario, validate_templates(daytime))
    message = str(caught.value)
    assert "pool 'voice'" in message
    assert "mon 00:00-08:00" in message and "mon 18:00-24:00" in message
    assert "sat 00:00-24:00" in message
    assert "widen a template's starts" in message


def test_unknown_pools_and_bad_shrinkage_are_refused():
    scenario = build(mmc_data(interval="1h"))
    templates = validate_templates(
        {"templates": {"x": {"length": "8h", "pools": ["voice", "chat"]}}}
    )
    with pytest.raises(ScheduleError, match=r"templates\.x\.pools\[1\]: no pool 'chat'"):
        plan_schedule(scenario, templates)
    only_other = validate_templates({"templates": {"x": {"length": "8h", "pools": ["voice"]}}})
    data = mmc_data(interval="1h")
    data["pools"]["spare"] = {"agents": 1, "skills": ["phone"]}
    with pytest.raises(ScheduleError, match="pool 'spare': no template may be used"):
        plan_schedule(build(data), only_other, pools=["spare"])
    with pytest.raises(ScheduleError, match="shrinkage"):
        plan_schedule(scenario, validate_templates(TOY), shrinkage=1.0)
    with pytest.raises(ScheduleError, match="no pool 'ghost'"):
        plan_schedule(scenario, validate_templates(TOY), pools=["ghost"])
    with pytest.raises(ScheduleError, match="time_limit"):
        plan_schedule(scenario, validate_templates(TOY), time_limit=0)


def test_a_program_too_large_to_solve_is_refused_with_what_to_coarsen():
    scenario = build(mmc_data(interval="1h"))
    fine = {
        "break_step": "5min",
        "templates": {
            "x": {
                "length": "8h",
                "starts": {"step": "5min"},
                "breaks": [{"length": "15min", "after": "30min", "before": "7h"}],
            }
        },
    }
    with pytest.raises(ScheduleError, match="coarser starts step or break_step"):
        plan_schedule(scenario, validate_templates(fine))
