"""kill -9 of a running command, with real processes: its workers die with it (no orphans
under PID 1), and the next command writing there cleans the debris it left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from builders import mmc_data
from io_processes import gone, wait_until
from test_reliability import children, cpu_seconds_of

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")


def long_scenario(path: Path) -> Path:
    data = mmc_data(horizon="60d", replications=8, per_hour=400, agents=40)
    path.write_text(yaml.safe_dump(data))
    return path


COMMANDS = {
    "run": ["run", "--quiet", "--no-plots", "--workers", "2"],
    "sweep": ["sweep", "--vary", "run.seed=1,2", "--quiet", "--no-plots", "--workers", "2"],
}


@linux_only
@pytest.mark.slow  # about 15 s each: real processes, past start-up and into the work
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_kill_9_leaves_no_orphan_workers_and_the_next_run_cleans_up(
    tmp_path: Path, command: str
) -> None:
    scenario = long_scenario(tmp_path / "long.yaml")
    out = tmp_path / "out"
    verb, *options = COMMANDS[command]
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", verb, str(scenario), *options, "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while sum(cpu_seconds_of(pid) for pid in children(process.pid)) < 1.0:  # computing
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        workers = children(process.pid)
        assert len(workers) >= 2
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert wait_until(lambda: all(gone(pid) for pid in workers), timeout=5)
    finally:
        process.kill()
        for pid in workers:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)
    debris = [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    if command == "run":
        assert sorted(debris) == [".out.lock", f".out.staging-{process.pid}"]  # left by kill -9
        tiny = mmc_data(horizon="1h", warmup="0h", replications=1)
        scenario.write_text(yaml.safe_dump(tiny))
        done = subprocess.run(
            [sys.executable, "-m", "sim", "run", str(scenario), "-o", str(out), "--quiet"],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]
