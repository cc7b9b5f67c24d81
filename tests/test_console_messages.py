"""Messages that say what to do: an unknown pool in an override lists the pools, a time of
day shows how to quote it on a command line, a range whose step exceeds its span is
refused, and compare refuses runs that are not like for like."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from builders import mmc_data
from click.testing import CliRunner

from sim.cli import main
from sim.experiment.errors import InputError
from sim.scenario import ScenarioError, load_scenario
from sim.studies.sweep.grid import expand_range

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def _problem(overrides: list[str]) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BASELINE, overrides, label="--set")
    (problem,) = caught.value.problems
    return str(problem)


def test_an_unknown_pool_in_an_override_lists_the_pools() -> None:
    text = _problem(["pools.phone.agents=40"])
    assert "pools.phone.skills" in text
    assert "This scenario's pools are voice, digital" in text
    assert "did you mean 'voice'" in _problem(["pools.vocie.agents=40"])


def test_a_new_pool_in_a_file_is_not_called_a_typo(tmp_path: Path) -> None:
    data = mmc_data()
    data["pools"]["voice"].pop("skills")
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "pools are" not in str(caught.value)  # no other pool to point to


def test_an_unquoted_time_says_how_to_quote_it_on_a_command_line() -> None:
    text = _problem(["pools.voice.schedule[0].from=16:00"])
    assert 'from: "16:00" in a file' in text
    assert "'pools.voice.schedule[0].from=\"16:00\"'" in text
    # what the message suggests works as pasted
    load_scenario(BASELINE, ['pools.voice.schedule[0].from="16:00"'])


@pytest.mark.parametrize("text", ["0.2:0.3:0.5", "60:80:25", "2min:6min:10min", "80:60:-30"])
def test_a_range_whose_step_exceeds_its_span_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="step is larger than the span"):
        expand_range(text)


def test_ranges_that_fit_still_expand() -> None:
    assert expand_range("60:80:20") == [60, 80]
    assert expand_range("5:5:1") == [5]
    assert expand_range("0.2:0.3:0.05") == [0.2, 0.25, 0.3]


def _scenario(tmp_path: Path, name: str, **run: str) -> str:
    data = mmc_data(agents=3, per_hour=12.0, **{"horizon": "2h", "warmup": "0s", **run})
    data["name"] = name
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def test_compare_refuses_different_horizons_and_says_which(tmp_path: Path) -> None:
    a = _scenario(tmp_path, "long", horizon="4h")
    b = _scenario(tmp_path, "short", horizon="2h", interval="30min")
    out = str(tmp_path / "cmp")
    result = CliRunner().invoke(main, ["compare", a, b, "-o", out, "--replications", "2"])
    assert result.exit_code == 2
    assert "run.horizon differs" in result.output and "4h" in result.output
    assert "run.interval differs" in result.output and "--force" in result.output
    assert "run.warmup" not in result.output
    assert not Path(out).exists()
    forced = CliRunner().invoke(
        main,
        ["compare", a, b, "-o", out, "--replications", "2", "--force", "--no-plots", "--quiet"],
    )
    assert forced.exit_code == 0, forced.output
    assert "warning: run.horizon differs" in forced.output


def test_compare_of_like_runs_says_nothing_about_settings(tmp_path: Path) -> None:
    a, b = _scenario(tmp_path, "a"), _scenario(tmp_path, "b")
    result = CliRunner().invoke(
        main,
        ["compare", a, b, "-o", str(tmp_path / "c"), "--replications", "2", "--no-plots"],
    )
    assert result.exit_code == 0, result.output
    assert "differs" not in result.output
