"""Numeric and reading edges (issue 20): values that pass their type's bounds but overflow
what is computed from them, and files that are not scenarios, all end in exit 2 naming the
field or the file — never a crash, a hang, a silent empty run, or a file's contents echoed."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import mmc_data
from click.testing import CliRunner

from sim.cli import main


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(mmc_data(horizon="2h", warmup="0h", replications=1)))
    return str(path)


HUGE_PROFILE = "demand.profile=[" + ",".join(["1e308"] * 24) + "]"
EDGES = {
    "run.interval=1e-300s": "run.interval",
    "run.horizon=1e300s": "run.horizon",
    "pools.voice.agents=9999999999999999999999999": "pools.voice.agents",
    "demand.day_variability=1e300": "demand.day_variability",
    HUGE_PROFILE: "demand.profile",
    "pools.voice.concurrency={phone: 99999999999999999999999}": "pools.voice.concurrency",
}


@pytest.mark.parametrize("setting", list(EDGES), ids=[v for v in EDGES.values()])
def test_numeric_edges_exit_2_with_the_field(tiny: str, setting: str) -> None:
    result = cli("run", tiny, "--set", setting, "--quiet", "--no-plots", "--yes")
    assert result.exit_code == 2, result.output
    assert EDGES[setting] in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert not Path("outputs").exists() or not any(Path("outputs").iterdir())


def test_a_service_level_threshold_of_1e300s_ends(tiny: str) -> None:
    setting = "channels.phone.service_level.within=1e300s"
    started = time.monotonic()
    result = cli("run", tiny, "--set", setting, "--quiet", "--no-plots", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 20


SECRET = "root:$6$s3cr3tSALT$hashhashhash:19000:0:99999:7:::\nuser:$6$other$zzz:19000::::::\n"


@pytest.mark.parametrize(
    "text",
    [
        SECRET,
        "password: hunter2\ntoken: s3cr3tSALT\n",
        "root: {x: s3cr3tSALT, y: s3cr3tSALT}\nroot: 1\n",  # a duplicate key
        "key: 's3cr3tSALT\n",  # a YAML error
    ],
    ids=["shadow", "other-yaml", "duplicate", "syntax"],
)
def test_a_file_that_is_not_a_scenario_is_never_echoed(tmp_path: Path, text: str) -> None:
    secret = tmp_path / "shadow"
    secret.write_text(text)
    top = tmp_path / "top.yaml"
    top.write_text(f"extends: {secret}\n")
    for path in (top, secret):
        result = cli("validate", str(path))
        assert result.exit_code == 2, result.output
        assert "s3cr3tSALT" not in result.output and "hunter2" not in result.output
        assert str(secret) in result.output


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_is_refused_without_reading(tmp_path: Path) -> None:
    started = time.monotonic()
    result = cli("validate", "/dev/zero")
    assert result.exit_code == 2 and "not a regular file" in result.output
    assert time.monotonic() - started < 5


@pytest.mark.skipif(sys.platform == "win32", reason="no FIFOs")
def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    top = tmp_path / "top.yaml"
    top.write_text(f"extends: {fifo}\n")
    result = cli("validate", str(fifo))
    assert result.exit_code == 2 and "named pipe" in result.output
    assert cli("validate", str(top)).exit_code == 2  # and it returned: nothing hung


def test_a_huge_list_is_refused_quickly_without_talk_of_aliases(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("name: big\ndemand:\n  profile: [" + ",".join(["1"] * 1_200_000) + "]\n")
    started = time.monotonic()
    result = cli("validate", str(path))
    assert result.exit_code == 2 and "more than 1,000,000 values" in result.output
    assert "alias" not in result.output
    assert time.monotonic() - started < 5
