"""The resource estimate covers every dimension (issue 20): absurd settings are refused
before anything runs, exit 2 naming the field; merely large work needs --yes, in run,
sweep and staff alike; the follow-up after the horizon is bounded, with a warning."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import build, mmc_data, multichannel_data
from click.testing import CliRunner

from sim.cli import main
from sim.experiment.errors import InputError
from sim.experiment.estimate import check_size, run_size
from sim.model.kit import FOLLOW_UP_CAP, follow_up


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    data = multichannel_data()
    data["run"].update(horizon="1d", warmup="0h", replications=1)
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


ABSURD = {
    "run.interval=1ms": "run.interval",
    "pools.digital.agents=1000000000": "pools.digital.agents",
    "pools.digital.concurrency={social: 1000000000}": "pools.digital.concurrency",
    "channels.social.exchanges=1e9": "channels.social.exchanges",
    "demand.issues_per_day=1200000000": "demand.issues_per_day",
}


@pytest.mark.parametrize("setting", sorted(ABSURD))
def test_absurd_settings_are_refused_naming_the_field_by_every_command(
    small: str, setting: str
) -> None:
    for command in (
        ["run", small, "--yes"],
        ["sweep", small, "--vary", "run.seed=1,2", "--yes"],
        ["staff", small, "--target", "phone.service_level>=0.8", "--confidence", "0"],
    ):
        started = time.monotonic()
        result = cli(*command, "--set", setting, "--quiet")
        assert result.exit_code == 2, (command, result.output)
        assert ABSURD[setting] in result.output, (command, result.output)
        assert "Traceback" not in result.output and "MemoryError" not in result.output
        assert time.monotonic() - started < 10
    assert not Path("outputs").exists() or not any(Path("outputs").iterdir())


def test_a_fast_timer_is_large_work_that_needs_yes_and_says_why(small: str) -> None:
    jump = ("--set", "behaviour.jump_the_line.enabled=true")
    result = cli("run", small, *jump, "--set", "behaviour.jump_the_line.period=1ms", "--quiet")
    assert result.exit_code == 2
    assert "behaviour.jump_the_line.period" in result.output and "--yes" in result.output


def test_a_long_sweep_needs_yes_in_total_though_each_point_is_modest(small: str) -> None:
    vary = ("--vary", "run.seed=1:40:1", "--set", "run.horizon=365d", "--replications", "5")
    result = cli("sweep", small, *vary, "--quiet", "--workers", "1")
    assert result.exit_code == 2, result.output
    assert "this sweep of 40 points is large" in result.output and "--yes" in result.output
    one = build(yaml.safe_load(Path(small).read_text()) | {"run": {"horizon": "365d"}})
    check_size([one], workers=1, confirmed=False)  # one point alone: no question asked


def test_the_size_counts_exchanges_retries_and_timers() -> None:
    data = multichannel_data()
    base = run_size(build(data), 1)
    data["channels"]["social"]["exchanges"] = 50
    assert run_size(build(data), 1).contacts > base.contacts * 1.5
    assert run_size(build(data), 1).biggest() == "channels.social.exchanges"
    with pytest.raises(InputError, match=r"pools\.digital\.agents"):
        data["pools"]["digital"]["agents"] = 10**7
        check_size([build(data)], workers=1, confirmed=True)


def test_follow_up_is_capped_with_a_warning(small: str) -> None:
    data = mmc_data(per_hour=20, agents=3, horizon="1h", warmup="0h", replications=1)
    data["channels"]["phone"]["service_level"]["within"] = "1000d"
    assert follow_up(build(data)) == FOLLOW_UP_CAP
    path = Path("long_sla.yaml")
    path.write_text(yaml.safe_dump(data))
    started = time.monotonic()
    result = cli("run", str(path), "--no-plots", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "longer than the 7d ccsim simulates after the horizon" in " ".join(result.output.split())
    contacts = int(result.output.split(" contacts in ")[0].split()[-1].replace(",", ""))
    assert contacts < 20 * 24 * 8  # 7 days of follow-up at most, not 1000
    assert time.monotonic() - started < 20
