"""``ccsim schedule``: a small phone centre scheduled end to end, and its refusals.

One pool, hourly intervals and a one-template file keep the integer program to a second
and the check with fresh seeds to a few.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from builders import build, deep_update, mmc_data
from click.testing import CliRunner, Result

from sim.cli import main
from sim.scenario import load_scenario, scenario_to_yaml
from sim.studies.schedule.result import COVERAGE_COLUMNS, SCHEDULE_COLUMNS

TEMPLATES = """\
templates:
  day:
    length: 8h
    starts: {earliest: "00:00", step: 1h}
    days: {consecutive: 5}
    breaks:
      - {name: lunch, length: 1h, after: 3h, before: 5h, paid: false}
"""


def scenario_file(tmp_path: Path) -> Path:
    data = deep_update(
        mmc_data(agents=30, per_hour=60.0, aht="5min", patience="3min"),
        {
            "run": {"horizon": "7d", "warmup": "4h", "replications": 3, "interval": "1h"},
            "demand": {"profile": [0.5] * 8 + [1.5] * 12 + [0.5] * 4},
        },
    )
    path = tmp_path / "small.yaml"
    path.write_text(scenario_to_yaml(build(data)))
    return path


def schedule(*args: str) -> Result:
    return CliRunner().invoke(main, ["schedule", *args])


@pytest.mark.slow
def test_a_schedule_is_planned_checked_and_written(tmp_path: Path) -> None:
    templates = tmp_path / "templates.yaml"
    templates.write_text(TEMPLATES)
    out = tmp_path / "out"
    result = schedule(
        str(scenario_file(tmp_path)), "--templates", str(templates), "--time-limit", "60",
        "--workers", "1", "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Every target met with fresh seeds" in result.output
    staffed = load_scenario(out / "scheduled.yaml")  # runnable: it loads and validates
    shifts = staffed.pools["voice"].schedule
    assert shifts and all(s.breaks and s.breaks[0].paid is False for s in shifts)
    table = pd.read_csv(out / "schedule.csv")
    assert list(table.columns) == SCHEDULE_COLUMNS
    assert table["count"].sum() == sum(s.agents for s in shifts)
    assert (table["paid_hours"] == table["count"] * 5 * 7).all()  # 8 h less an unpaid hour
    coverage = pd.read_csv(out / "coverage.csv")
    assert list(coverage.columns) == COVERAGE_COLUMNS
    assert len(coverage) == 7 * 24
    assert (coverage["on_floor"] >= coverage["needed"] - 1e-9).all()  # covered everywhere
    assert (out / "coverage.png").stat().st_size > 10_000
    report = (out / "report.html").read_text()
    assert "phone.service_level&gt;=0.8" in report or "phone.service_level>=0.8" in report


def test_a_template_longer_than_a_day_exits_2_naming_it(tmp_path: Path) -> None:
    templates = tmp_path / "templates.yaml"
    templates.write_text(TEMPLATES.replace("length: 8h", "length: 25h"))
    result = schedule(str(scenario_file(tmp_path)), "--templates", str(templates))
    assert result.exit_code == 2, result.output
    assert "templates.day.length" in result.output and "longer than 24h" in result.output
    assert "Traceback" not in result.output


def test_a_break_outside_its_shift_exits_2_naming_it(tmp_path: Path) -> None:
    templates = tmp_path / "templates.yaml"
    templates.write_text(TEMPLATES.replace("after: 3h, before: 5h", "after: 9h, before: 10h"))
    result = schedule(str(scenario_file(tmp_path)), "--templates", str(templates))
    assert result.exit_code == 2, result.output
    assert "breaks[0]" in result.output
    assert "Traceback" not in result.output


def test_hours_no_template_covers_exit_3_saying_what_to_change(tmp_path: Path) -> None:
    templates = tmp_path / "templates.yaml"
    text = TEMPLATES.replace('{earliest: "00:00", step: 1h}', '{at: ["08:00"]}')
    templates.write_text(text)
    out = tmp_path / "out"
    result = schedule(str(scenario_file(tmp_path)), "--templates", str(templates), "-o", str(out))
    assert result.exit_code == 3, result.output
    text = " ".join(result.output.split())
    assert "no template puts an agent on the floor" in text
    assert "widen a template's starts" in text
    assert "Nothing was written" in text
    assert not out.exists()
