"""Breaks in a shift: agents leave the floor for each window, finishing the contact in hand.

Two shifts of ten agents, 08:00-16:00, with their hour-long breaks staggered (12:00 and
13:00): twenty on the floor, ten during each break. Without breaks nothing changes (the
fingerprints of every shipped scenario hold them bit for bit).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from builders import build, mmc_data
from click.testing import CliRunner

from sim.cli import main
from sim.experiment.replication import simulate
from sim.model.agents import weekly_staffing
from sim.scenario import ScenarioError, validate_data
from sim.scenario.schema import Shift
from sim.studies.staffing import decision_slots

HOUR = 3600.0


def staggered(per_hour: float, lunch_paid: bool = False, **run: Any) -> dict[str, Any]:
    data = mmc_data(per_hour=per_hour, horizon="1d", warmup="0s", replications=1, **run)
    data["pools"]["voice"] = {
        "schedule": [
            {
                "days": "all",
                "from": "08:00",
                "to": "16:00",
                "agents": 10,
                "breaks": [{"from": "12:00", "to": "13:00", "paid": lunch_paid}],
            },
            {
                "days": "all",
                "from": "08:00",
                "to": "16:00",
                "agents": 10,
                "breaks": [{"from": "13:00", "to": "14:00"}],  # paid by default
            },
        ],
        "skills": ["phone"],
        "cost_per_hour": 20,
    }
    return data


def test_break_windows_step_the_floor_and_unpaid_ones_the_pay() -> None:
    shifts = [Shift.model_validate(s) for s in staggered(1.0)["pools"]["voice"]["schedule"]]
    steps = weekly_staffing(shifts)
    monday = [s for s in steps if s[0] < 24 * HOUR]
    assert monday == [
        (0.0, 0, 0, 0),
        (8 * HOUR, 20, 0, 0),
        (12 * HOUR, 20, 10, 10),  # (time, scheduled, on break, on unpaid break)
        (13 * HOUR, 20, 10, 0),
        (14 * HOUR, 20, 0, 0),
        (16 * HOUR, 0, 0, 0),
    ]
    assert len(steps) == 7 * 5 + 1


def test_on_duty_counts_and_paid_hours_follow_the_breaks() -> None:
    result = simulate(build(staggered(per_hour=1e-9)), 0)
    rows = result.intervals[result.intervals["scope"] == "pool:voice"]
    on_duty = rows.set_index("interval")["agents_on_duty"]
    assert on_duty.loc[[8, 9, 10, 11, 14, 15]].eq(20).all()
    assert on_duty.loc[[12, 13]].eq(10).all()  # staggered: half the floor at each break
    assert on_duty.loc[list(range(8)) + list(range(16, 24))].eq(0).all()
    metrics = result.metrics
    assert metrics[("pool:voice", "paid_hours")] == pytest.approx(20 * 8 - 10)  # lunch unpaid
    assert metrics[("pool:voice", "cost")] == pytest.approx((20 * 8 - 10) * 20)
    paid = simulate(build(staggered(per_hour=1e-9, lunch_paid=True)), 0).metrics
    assert paid[("pool:voice", "paid_hours")] == pytest.approx(20 * 8)
    slots = decision_slots(build(staggered(per_hour=1.0)))
    assert [s.paid_hours_per_week for s in slots] == [7 * 7.0, 7 * 8.0]


def test_a_trace_never_has_more_in_service_than_the_floor_allows(tmp_path: Path) -> None:
    # 300 calls/h of 5 min: 25 Erlangs against at most 20 agents, so every agent is busy
    # all day and a break only empties the floor if the model honours it.
    pytest.importorskip("pyarrow")
    trace = tmp_path / "trace.parquet"
    simulate(build(staggered(per_hour=300.0)), 0, trace=trace)
    calls = pd.read_parquet(trace)
    calls = calls[(calls["outcome"] == "answered") & (calls["channel"] == "phone")]
    start = (calls["arrived_seconds"] + calls["wait_seconds"]).to_numpy()
    end = start + calls["handle_seconds"].to_numpy()
    for hour, in_hand in ((12, 20), (13, 10)):  # at 13:00 ten come back as ten leave
        begin = hour * HOUR
        carried_in = (start < begin) & (end > begin)  # calls in hand when the break starts
        assert carried_in.sum() == in_hand
        for t in np.arange(begin + 60, begin + HOUR, 60.0):
            in_service = ((start <= t) & (end > t)).sum()
            finishing = (carried_in & (end > t)).sum()
            assert in_service <= 10 + finishing, (hour, t)  # the ten at work, plus leavers
        late = begin + 45 * 60  # by then almost every call in hand is done
        assert ((start <= late) & (end > late)).sum() <= 10 + (carried_in & (end > late)).sum()
        assert ((start <= begin + 50 * 60) & (end > begin + 50 * 60)).sum() >= 9
    at_eleven = ((start <= 11 * HOUR) & (end > 11 * HOUR)).sum()
    assert at_eleven == 20


@pytest.mark.parametrize(
    ("breaks", "reason"),
    [
        ([{"from": "15:30", "to": "16:30"}], "is not inside the shift 08:00-16:00"),
        ([{"from": "07:00", "to": "07:30"}], "is not inside the shift"),
        (
            [{"from": "12:00", "to": "12:30"}, {"from": "12:15", "to": "12:45"}],
            "breaks[1] overlaps breaks[0]",
        ),
        ([{"from": "12:00", "to": "12:30", "paid": "no"}], "paid"),
    ],
)
def test_a_break_outside_its_shift_is_refused(breaks: list[dict[str, Any]], reason: str) -> None:
    data = staggered(per_hour=1.0)
    data["pools"]["voice"]["schedule"][0]["breaks"] = breaks
    with pytest.raises(ScenarioError) as caught:
        validate_data(data)
    assert reason in str(caught.value)
    assert "pools.voice.schedule" in str(caught.value)


def test_a_bad_break_exits_2_naming_the_field(tmp_path: Path) -> None:
    from sim.scenario import scenario_to_yaml

    data = staggered(per_hour=1.0)
    path = tmp_path / "breaks.yaml"
    path.write_text(scenario_to_yaml(validate_data(data)))
    text = (
        path.read_text()
        .replace("from: '13:00'", "from: '15:45'")
        .replace("to: '14:00'", "to: '16:15'")
    )
    path.write_text(text)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "pools.voice.schedule[1]" in result.output or "pools.voice.schedule.1" in result.output
    assert "not inside the shift" in result.output
    assert "Traceback" not in result.output


def test_breaks_survive_a_round_trip_through_yaml(tmp_path: Path) -> None:
    from sim.scenario import load_scenario, scenario_to_yaml

    path = tmp_path / "breaks.yaml"
    path.write_text(scenario_to_yaml(build(staggered(per_hour=1.0))))
    again = load_scenario(path)
    assert again.pools["voice"].schedule[0].breaks[0].paid is False
    assert again.pools["voice"].schedule[1].breaks[0].start == "13:00"
