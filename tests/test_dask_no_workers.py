"""Dask with no workers left (issue 20): the sweep says so and stops after the configured
time, finished points kept, instead of waiting silently forever."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from builders import mmc_data

distributed = pytest.importorskip("distributed")


@pytest.mark.slow  # a Dask scheduler and a subprocess: about 14 s
def test_a_cluster_without_workers_is_reported_and_the_sweep_stops(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump(mmc_data(horizon="1h", warmup="0h", replications=1)))
    cluster = distributed.LocalCluster(
        n_workers=0, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    )
    try:
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "sim", "sweep", str(scenario), "--vary", "run.seed=1,2",
             "--dask", cluster.scheduler_address, "--dask-no-workers", "2",
             "-o", str(tmp_path / "out"), "--quiet", "--no-plots"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        took = time.monotonic() - started
    finally:
        cluster.close()
    assert done.returncode == 130, done.stderr
    assert "has had no workers for 2 s" in done.stderr
    assert "0 of 2 points finished and kept" in done.stderr
    assert took < 60
    assert (tmp_path / "out" / "sweep.json").is_file()  # resumable: run it again with workers
