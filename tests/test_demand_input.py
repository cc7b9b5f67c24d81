"""The demand keys' bad input: each mistake named by file, field path and reason, exit 2.

Also how per-channel arrivals meet jump-the-line: an arrival carries its first channel, and
the learned public-first habit moves private ones to the public channel so that the share of
issues starting there is the habit's share, as with one shared profile.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from builders import deep_update
from click.testing import CliRunner

from sim.cli import main
from sim.model.centre import Centre
from sim.scenario import validate_data

BASE = {
    "name": "demand",
    "run": {"horizon": "2d", "warmup": "0s", "replications": 1, "interval": "6h"},
    "demand": {"issues_per_day": 100, "first_channel": {"phone": 1.0}},
    "pools": {"all": {"agents": 5, "skills": ["phone"]}},
}


def validate(tmp_path: Path, changes: dict, forecast: str | None = None) -> tuple[int, list[str]]:
    if forecast is not None:
        (tmp_path / "forecast.csv").write_text(forecast)
    path = tmp_path / "centre.yaml"
    path.write_text(yaml.safe_dump(deep_update(BASE, changes)))
    result = CliRunner().invoke(main, ["validate", str(path)])
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert "Traceback" not in result.output
    return result.exit_code, lines


def test_dated_demand_needs_a_monday_start(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, {"run": {"start": "2026-01-07"}})
    assert code == 2
    assert "run.start: 2026-01-07 is a Wednesday" in lines[0] and "use 2026-01-05" in lines[0]
    code, lines = validate(tmp_path, {"demand": {"special_days": {"2026-01-06": "closed"}}})
    assert code == 2
    assert lines[0].endswith("demand.special_days: needs run.start: the date of the Monday "
                             "the horizon starts")  # fmt: skip


def test_special_days_profiles_and_weekdays_name_their_field(tmp_path: Path) -> None:
    changes = {
        "run": {"start": "2026-01-05"},
        "demand": {
            "special_days": {"2026-01-06": "shut"},
            "profiles": {"phone": [1, 2, 3]},
            "weekdays": {"mon": 1.2, "monday": 1.0},
        },
    }
    code, lines = validate(tmp_path, changes)
    text = "\n".join(lines)
    assert code == 2
    assert "demand.special_days: 2026-01-06: 'shut' is not a factor of zero or more" in text
    assert "demand.weekdays.monday: 'monday' is not one of mon, tue" in text
    changes["demand"] = {"profiles": {"phone": [1, 2, 3]}}
    code, lines = validate(tmp_path, changes)
    assert code == 2
    assert lines == [
        f"error: {tmp_path / 'centre.yaml'}: demand.profiles.phone: needs one weight per 6h "
        "interval of the day: 4 values (got 3)"
    ]


def test_forecast_problems_give_their_csv_rows(tmp_path: Path) -> None:
    start = {"run": {"start": "2026-01-05"}, "demand": {"volumes": "forecast.csv"}}
    text = "start,phone,fax\n2026-01-05T00:00,1,2\n"
    code, lines = validate(tmp_path, start, text)
    assert code == 2 and "column(s) fax are not channels" in lines[0]
    text = "start,phone\n2026-01-05T00:00,1\nyesterday,2\n2026-01-05T06:00,-3\n"
    code, lines = validate(tmp_path, start, text)
    assert code == 2
    assert "start is missing or not a date and time like 2026-01-05T08:30 (row 3)" in lines[0]
    assert "a count is not a number of zero or more (row 4)" in lines[0]
    text = "start,channel,count\n2026-01-05T00:00,phone,1\n2026-01-05T06:00,phone,1\n"
    text += "2026-01-05T06:00,phone,2\n2026-01-05T09:00,phone,2\n"
    code, lines = validate(tmp_path, start, text)
    assert code == 2 and "a second count for the same interval and channel (row 4)" in lines[0]
    text = "start,phone\n2026-01-05T00:00,1\n2026-01-05T03:00,2\n"
    code, lines = validate(tmp_path, start, text)
    assert code == 2 and "counts per 3h, but run.interval is 6h: make them agree" in lines[0]
    text = "date,time,phone\n2027-01-05,00:00,1\n2027-01-05,06:00,1\n"
    code, lines = validate(tmp_path, start, text)
    assert code == 2 and "none of the simulated 2026-01-05 00:00 to 2026-01-07 00:00" in lines[0]
    text = "start,phone\n2026-01-05T06:00,1\n2026-01-05T12:00,1\n"
    inside = deep_update(start, {"demand": {"special_days": {"2026-01-05": 0.5}}})
    code, lines = validate(tmp_path, inside, text)
    assert code == 2 and "demand.special_days.2026-01-05: falls within the forecast" in lines[0]
    code, lines = validate(tmp_path, {**start, "demand": {"volumes": "none.csv"}})
    assert code == 2 and "forecast file" in lines[0] and "none.csv' not found" in lines[0]


def test_a_forecast_channel_must_be_served(tmp_path: Path) -> None:
    start = {"run": {"start": "2026-01-05"}, "demand": {"volumes": "forecast.csv"}}
    text = "start,phone,email\n2026-01-05T00:00,1,0\n2026-01-05T06:00,1,4\n"
    code, lines = validate(tmp_path, start, text)
    assert code == 2 and "channel 'email' receives contacts but no pool" in lines[0]


def jump_data(by_channel: bool) -> dict:
    """Social answered at once, phone slowly: the public-first habit grows toward its cap."""
    data = {
        "name": "jump",
        "run": {"horizon": "6d", "warmup": "0s", "replications": 1, "interval": "1d", "seed": 3},
        "demand": {
            "issues_per_day": 4000,
            "first_channel": {"phone": 0.9, "social": 0.1},
        },
        "channels": {"phone": {"handle_time": {"dist": "exponential", "mean": "10min"}}},
        "behaviour": {"jump_the_line": {"enabled": True, "rate": 0.5, "max_social_first": 0.6}},
        "pools": {
            "voice": {"agents": 25, "skills": ["phone"]},
            "web": {"agents": 60, "skills": ["social"]},
        },
    }
    if by_channel:
        data["demand"]["profiles"] = {"phone": [1.0], "social": [1.0]}
    return data


def first_social_share(by_channel: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per day: issues starting at social, all issues, and the habit's share that day (the
    centre reports the share in force at each interval's end, after that day's update)."""
    centre = Centre(validate_data(jump_data(by_channel)), 0)
    starts: list[tuple[int, str]] = []
    opened = centre._contact

    def contact(journey, channel, k):  # the first contact of each journey
        if journey.contacts == 0:
            starts.append((k, channel))
        return opened(journey, channel, k)

    centre._contact = contact
    counts = centre.run()
    table = pd.DataFrame(starts, columns=["day", "channel"]).query("day >= 0")
    social = table[table["channel"] == "social"].groupby("day").size().to_numpy()
    during = np.r_[0.1, np.asarray(counts.first_share)[:-1]]
    return social, table.groupby("day").size().to_numpy(), during


def test_per_channel_arrivals_follow_the_public_first_habit() -> None:
    social, total, share = first_social_share(by_channel=True)
    assert share[-1] > 0.3  # the habit grew well above the base 0.1
    # each day's issues start at social with that day's share (binomial, 3 SE)
    se = np.sqrt(share * (1 - share) / total)
    assert np.all(np.abs(social / total - share) < 3 * se + 1e-9)
