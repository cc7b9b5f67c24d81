"""The fitted scenario: written over a base, valid, and as YAML that re-loads with
``load_scenario`` and says on each fitted number its estimate, interval and sample size."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from builders import multichannel_data
from fit_generator import Truth, generate

from sim.scenario import ScenarioError, load_scenario, validate_data
from sim.scenario.units import parse_duration
from sim.studies.fit import Estimate, Unfitted, fit_frame, fitted_scenario, fitted_yaml
from sim.studies.fit.scenario import format_seconds, rounded_shares
from sim.studies.fit.yamltext import commented_yaml

COMMENT = re.compile(
    r"^\s*(?:- )?(?:[\w]+: )?(?P<value>[^#]+?)\s+# (?:\d\d:\d\d )?fitted: (?P<estimate>[\d,.e+-]+)"
    r"(?: s)? \(95% CI (?P<low>[\d,.e+-]+)–(?P<high>[\d,.e+-]+)\), n = (?P<n>[\d,]+), "
)


@pytest.fixture(scope="module")
def result():
    return fit_frame(generate(Truth(days=14, issues_per_day=500.0), seed=11), source="log.csv")


def number(text: str) -> float:
    return float(text.replace(",", ""))


def test_the_yaml_reloads_as_the_same_scenario(result, tmp_path: Path) -> None:
    path = tmp_path / "fitted.yaml"
    path.write_text(result.yaml_text, encoding="utf-8")
    assert load_scenario(path) == validate_data(result.scenario_data)
    assert yaml.safe_load(result.yaml_text) == result.scenario_data


def test_each_fitted_number_carries_estimate_interval_and_n(result) -> None:
    """Every commented line's value is its estimate (up to the writing's rounding), the
    estimate lies inside the stated interval, and the comment's n is the estimate's n."""
    lines = [line for line in result.yaml_text.splitlines() if "fitted: " in line]
    numbered = [COMMENT.match(line) for line in lines]
    numbered = [m for m in numbered if m is not None]
    assert len(numbered) >= 60  # 48 profile weights, demand, durations, shares, ...
    for match in numbered:
        estimate, low, high = (number(match[k]) for k in ("estimate", "low", "high"))
        assert low <= estimate <= high, match.string
        value = match["value"]
        written = parse_duration(value) if value[-1].isalpha() else float(value)
        assert written == pytest.approx(estimate, rel=0.01, abs=0.002), match.string
    by_parameter = {e.parameter: e for e in result.estimates}
    ipd = by_parameter["demand.issues_per_day"]
    line = next(line for line in lines if line.strip().startswith("issues_per_day:"))
    assert f"n = {ipd.n:,}," in line
    handle = by_parameter["channels.phone.handle_time.mean"]
    line = next(line for line in lines if f"n = {handle.n:,}" in line and "mean:" in line)
    assert "lognormal by likelihood" in line


def test_the_header_names_what_was_not_fitted(result) -> None:
    header = [line for line in result.yaml_text.splitlines() if line.startswith("#")]
    text = "\n".join(header)
    assert "(log.csv)" in text
    assert "Not fitted (left at the base scenario's value, or the default):" in text
    assert "#   - pools: sized at 85% occupancy" in text
    assert "#   - channels.*.service_level:" in text
    for item in result.unfitted:
        assert f"#   - {item}" in text


def test_estimates_are_written_over_a_base_that_keeps_everything_else() -> None:
    base = multichannel_data()
    base["demand"] = {"issues_per_hour": 125, "first_channel": {"phone": 1.0}}
    base["run"]["interval"] = "1h"
    estimates = [
        Estimate("demand.issues_per_day", 4321.0, 4000.0, 4600.0, 28, "m"),
        Estimate("channels.phone.handle_time.mean", 372.0, 365.0, 379.0, 9, "m", "s", "gamma"),
        Estimate("channels.phone.handle_time.cv", 0.5, 0.4, 0.6, 9, "m", "", "gamma"),
        Estimate("channels.phone.patience.mean", 95.0, 90.0, 100.0, 9, "m", "s", "exponential"),
        *(Estimate(f"demand.profile[{k}]", 1.0, 0.9, 1.1, 9, "m") for k in range(48)),
        Estimate("behaviour.after_abandon.retry", 0.6, 0.5, 0.7, 9, "m"),
        Estimate("behaviour.after_abandon.switch.email", 0.1, 0.05, 0.15, 9, "m"),
        Estimate("behaviour.after_abandon.switch.self_service", 0.05, 0.01, 0.1, 9, "m"),
        Estimate("behaviour.after_abandon.give_up", 0.25, 0.2, 0.3, 9, "m"),
    ]
    data, notes = fitted_scenario(estimates, base)
    demand = data["demand"]
    assert demand["issues_per_day"] == 4321.0 and "issues_per_hour" not in demand
    assert demand["first_channel"] == {"phone": 1.0}  # not fitted: the base's
    assert data["channels"]["phone"]["handle_time"] == {"dist": "gamma", "mean": "372s", "cv": 0.5}
    assert data["channels"]["phone"]["patience"] == {"dist": "exponential", "mean": "95s"}
    assert data["run"]["interval"] == "30min"
    assert data["pools"]["voice"]["schedule"] == base["pools"]["voice"]["schedule"]
    after = data["behaviour"]["after_abandon"]
    assert after == {"retry": 0.6, "switch": {"email": 0.1}, "give_up": 0.3}
    assert any("run.interval changed from 1h to 30min" in note for note in notes)
    assert any("switches to self-service" in note for note in notes)
    text = fitted_yaml(data, estimates, [Unfitted("x", "why")], notes)
    assert "give_up: 0.3  # fitted (adjusted, see the header): 0.25" in text


def test_a_base_that_cannot_carry_the_fit_is_a_scenario_error() -> None:
    base = {
        "demand": {"issues_per_day": 10},
        "pools": {"voice": {"agents": 3, "skills": ["phone"]}},
    }
    base["demand"]["first_channel"] = {"phone": 1.0}
    social = [Estimate(f"demand.first_channel.{c}", s, s, s, 9, "m") for c, s in
              (("phone", 0.9), ("email", 0.0), ("self_service", 0.0), ("social", 0.1))]  # fmt: skip
    with pytest.raises(ScenarioError, match="channel 'social' receives contacts but no pool"):
        fitted_scenario(social, base)


def test_shares_stay_a_whole_after_rounding() -> None:
    shares = rounded_shares({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    assert abs(sum(shares.values()) - 1.0) < 1e-9
    assert shares == {"a": pytest.approx(0.3334), "b": 0.3333, "c": 0.3333}


@pytest.mark.parametrize("seconds", [0.25, 37.4, 372.44, 599.9, 600.0, 3723.0, 50000.0, 9e5])
def test_durations_are_written_with_units_and_four_figures(seconds: float) -> None:
    text = format_seconds(seconds)
    assert re.fullmatch(r"[\d.]+(s|min|h|d)", text), text
    assert parse_duration(text) == pytest.approx(seconds, rel=5e-4)


def test_the_yaml_writer_quotes_what_yaml_would_misread() -> None:
    data = {
        "name": "yes",
        "description": "two\nlines: with # a hash",
        "pools": {"no": {"schedule": [{"days": "mon-fri", "from": "08:00", "to": "16:00"}]}},
        "empty": {},
        "nothing": [],
        "values": [0.1, 2, "1:30", None, True],
    }
    comments = {"pools.no.schedule[0].from": "fitted: a note", "values[1]": "the two"}
    text = commented_yaml(data, comments, ["a header"])
    assert yaml.safe_load(text) == data
    assert "from: 08:00  # fitted: a note" in text  # read back as text: checked above
    assert "to: '16:00'" in text  # YAML 1.1 would read an unquoted 16:00 as 960
    assert text.startswith("# a header\n")


def test_the_profile_resolution_follows_the_interval_and_a_base_may_be_a_scenario() -> None:
    log = generate(Truth(days=14, issues_per_day=300.0), seed=12)
    base = validate_data(multichannel_data())
    hourly = fit_frame(log, base=base, interval="1h")
    assert hourly.scenario_data["run"]["interval"] == "1h"
    assert len(hourly.scenario_data["demand"]["profile"]) == 24
    assert hourly.scenario_data["pools"]["voice"]["schedule"][0]["from"] == "07:00"
    as_data = fit_frame(log, base=multichannel_data(), interval="1h")
    assert as_data.scenario_data == hourly.scenario_data
    with pytest.raises(ValueError, match="does not divide a day"):
        fit_frame(log, interval="7min")
