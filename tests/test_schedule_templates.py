"""Shift templates for ``ccsim schedule``: defaults, validation with field paths, the loader,
and the week grid's arithmetic (spans that wrap past Sunday, day sets written back)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from sim.scenario import ScenarioError
from sim.scenario.schema import parse_days
from sim.studies.schedule.grid import WeekGrid, format_clock, format_days
from sim.studies.schedule.templates import (
    check_templates,
    default_templates,
    load_templates,
    validate_templates,
)


def problems_of(data: object) -> dict[str, str]:
    """``{field path: message}`` of every problem ``validate_templates`` reports."""
    with pytest.raises(ScenarioError) as caught:
        validate_templates(data, "t.yaml")
    assert all(p.file == "t.yaml" for p in caught.value.problems)
    return {p.path: p.message for p in caught.value.problems}


def one(template: dict) -> dict:
    return {"templates": {"x": template}}


# --- defaults --------------------------------------------------------------------------------


def test_default_templates_are_valid_and_as_documented():
    templates = default_templates()
    assert check_templates(templates) == []
    (template,) = templates.templates.values()
    assert template.length == 8 * 3600
    starts = template.starts.seconds()
    assert starts == list(range(0, 86400, 1800))  # every 30 min, 48 starts
    blocks = template.days.blocks()
    assert len(blocks) == 7 and all(len(b) == 5 for b in blocks)
    assert (0, 1, 2, 3, 4) in blocks and (0, 1, 2, 5, 6) in blocks  # mon-fri, sat-wed
    lengths = [(b.name, b.length.min, b.length.max) for b in template.breaks]
    assert lengths == [("break 1", 900, 900), ("lunch", 1800, 1800), ("break 2", 900, 900)]
    lunch = template.breaks[1]
    assert (lunch.after, lunch.before) == (3 * 3600, 5 * 3600)
    first, second = template.breaks[0], template.breaks[2]
    assert first.before <= 4 * 3600 <= second.after  # one break in each half


# --- validation names the field --------------------------------------------------------------


def test_template_longer_than_a_day_is_refused_at_its_length():
    problems = problems_of(one({"length": "25h"}))
    assert list(problems) == ["templates.x.length"]
    assert "longer than 24h" in problems["templates.x.length"]
    assert validate_templates(one({"length": "24h"}))  # a whole day is allowed


def test_break_opening_after_the_shift_ends_is_refused_at_after():
    problems = problems_of(one({"length": "8h", "breaks": [{"length": "15min", "after": "8h"}]}))
    assert "templates.x.breaks[0].after" in problems
    assert "outside its shift" in problems["templates.x.breaks[0].after"]


def test_break_window_closing_after_the_shift_is_refused_at_before():
    data = one({"length": "8h", "breaks": [{"length": "30min", "after": "7h", "before": "9h"}]})
    problems = problems_of(data)
    assert list(problems) == ["templates.x.breaks[0].before"]
    assert "at most 8h" in problems["templates.x.breaks[0].before"]


def test_window_too_short_for_its_break_is_refused_at_length():
    rule = {"length": {"min": "30min", "max": "1h"}, "after": "3h", "before": "225min"}
    problems = problems_of(one({"length": "8h", "breaks": [rule]}))
    assert list(problems) == ["templates.x.breaks[0].length"]
    assert "too short for a 1h break" in problems["templates.x.breaks[0].length"]


def test_overlapping_break_windows_are_refused_at_the_later_break():
    breaks = [
        {"length": "15min", "after": "1h", "before": "3h"},
        {"length": "30min", "after": "150min", "before": "5h"},
    ]
    problems = problems_of(one({"length": "8h", "breaks": breaks}))
    assert list(problems) == ["templates.x.breaks[1]"]
    assert "overlaps that of breaks[0]" in problems["templates.x.breaks[1]"]
    breaks[1]["after"] = "3h"  # windows that only touch are fine
    assert validate_templates(one({"length": "8h", "breaks": breaks}))


def test_schema_errors_name_the_path_under_the_schedule_wrapper():
    data = {
        "schedule": {
            "templates": {
                "early": {
                    "length": 8,
                    "starts": {"earliest": 510},
                    "dayz": "mon-fri",
                    "breaks": [{"length": "15min", "after": "1h", "paid": "no"}],
                },
                "late": {"length": "8h", "days": "mon-fry"},
            }
        }
    }
    problems = problems_of(data)
    head = "schedule.templates"
    assert "needs a unit" in problems[f"{head}.early.length"]
    assert '"08:30"' in problems[f"{head}.early.starts.earliest"]  # YAML read 08:30 as 510
    assert "did you mean 'days'" in problems[f"{head}.early.dayz"]
    assert f"{head}.early.breaks[0].paid" in problems
    assert "'mon-fry'" in problems[f"{head}.late.days"]  # the shorthand's path, not .patterns


def test_starts_and_days_reject_ambiguous_or_backward_settings():
    problems = problems_of(one({"length": "8h", "starts": {"at": ["06:00"], "step": "1h"}}))
    assert "either 'at' or" in problems["templates.x.starts"]
    problems = problems_of(one({"length": "8h", "starts": {"earliest": "10:00", "latest": "9:00"}}))
    assert "before earliest" in problems["templates.x.starts"]
    problems = problems_of(one({"length": "8h", "days": {"consecutive": 8}}))
    assert "templates.x.days.consecutive" in problems
    problems = problems_of(one({"length": "8h", "starts": {"earliest": "24:00"}}))
    assert "end of the day" in problems["templates.x.starts.earliest"]


def test_durations_must_be_whole_minutes():
    problems = problems_of({"templates": {"x": {"length": "8h"}}, "break_step": "90s"})
    assert list(problems) == ["break_step"]


def test_starts_days_and_placements_follow_the_settings():
    templates = validate_templates(
        one(
            {
                "length": "6h",
                "starts": {"earliest": "06:00", "latest": "07:00", "step": "20min"},
                "days": ["mon-fri", "sat,sun", "mon-fri"],
            }
        )
    )
    template = templates.templates["x"]
    assert template.starts.seconds() == [6 * 3600, 6 * 3600 + 1200, 6 * 3600 + 2400, 7 * 3600]
    assert template.days.blocks() == [(0, 1, 2, 3, 4), (5, 6)]  # duplicates dropped


# --- loading a file --------------------------------------------------------------------------


def test_load_templates_reads_a_file_with_the_documented_layout(tmp_path: Path):
    path = tmp_path / "shifts.yaml"
    path.write_text(
        """
schedule:
  break_step: 15min
  templates:
    early:
      length: 8h
      starts: {earliest: "06:00", latest: "10:00", step: 30min}
      days: {consecutive: 5}
      breaks:
        - {name: lunch, length: {min: 30min, max: 60min}, after: 3h, before: 5h, paid: false}
      cost_per_hour: 28
      pools: [voice]
""",
        encoding="utf-8",
    )
    templates = load_templates(path)
    early = templates.templates["early"]
    assert early.breaks[0].length.max == 3600 and early.breaks[0].paid is False
    assert early.cost_per_hour == 28 and early.pools == ["voice"]


def test_load_templates_reports_file_problems_as_scenario_errors(tmp_path: Path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError, match="file not found"):
        load_templates(missing)
    broken = tmp_path / "broken.yaml"
    broken.write_text("templates: {x: {length: 8h}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="line 2"):
        load_templates(broken)
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ScenarioError, match="empty"):
        load_templates(empty)
    bad = tmp_path / "bad.yaml"
    bad.write_text("templates:\n  x: {length: 30h}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_templates(bad)
    (problem,) = caught.value.problems
    assert (problem.file, problem.path) == (str(bad), "templates.x.length")


# --- the week grid ---------------------------------------------------------------------------


def test_fractions_split_a_span_over_intervals_and_wrap_past_sunday():
    grid = WeekGrid(1800)
    sunday_late = 6 * 86400 + 23 * 3600 + 15 * 60  # Sunday 23:15
    shares = dict(grid.fractions(sunday_late, sunday_late + 3600))
    # Sunday 23:00 (its second half), 23:30 (whole), then Monday 00:00 (its first half)
    assert shares == {334: 0.5, 335: 1.0, 0: 0.5}


def test_describe_groups_intervals_into_readable_ranges():
    grid = WeekGrid(1800)
    text = grid.describe([0, 1, 2, 48, 335])
    assert text == "mon 00:00-01:30, tue 00:00-00:30, sun 23:30-24:00"


@pytest.mark.parametrize("size", range(1, 8))
def test_format_days_reads_back_to_the_same_days(size: int):
    for days in itertools.combinations(range(7), size):
        text = format_days(days)
        assert parse_days(text) == days, text
    assert format_days([5, 6, 0, 1, 2]) == "sat-wed"


def test_format_clock():
    assert [format_clock(s) for s in (0, 30600, 86400, 86400 + 3600)] == [
        "00:00",
        "08:30",
        "24:00",
        "01:00",
    ]


def test_the_documented_example_loads(tmp_path: Path):
    from sim.studies.schedule import templates as module

    doc = module.__doc__ or ""
    block = doc.split("::\n\n", 1)[1].split("\n\n", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text("\n".join(line[4:] for line in block.splitlines()), encoding="utf-8")
    early = load_templates(path).templates["early"]
    assert early.starts.seconds()[0] == 6 * 3600 and len(early.breaks) == 3
    assert early.breaks[1].paid is False and early.breaks[1].length.max == 3600
