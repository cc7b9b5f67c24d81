"""Wall time of a 16-point sweep on 1 worker and on 2 (local processes), and the speed-up.

    python benchmarks/sweep_scaling.py             # baseline, 2-day horizon, 2 replications
    python benchmarks/sweep_scaling.py --quick     # 1-day horizon, 1 replication
    python benchmarks/sweep_scaling.py --dask      # also on a local Dask cluster (2 workers)

The sweep varies the voice pool's shrinkage over 16 values (0.20:0.35:0.01) of the
multichannel baseline scenario, so each point × replication is one task of roughly equal
size; it checks that every executor writes the same sweep.csv, byte for byte.
A benchmark, not a test: figures depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sim.scenario import load_scenario
from sim.studies.sweep import parse_vary, run_sweep

ROOT = Path(__file__).resolve().parents[1]
VARY = "pools.voice.shrinkage=0.20:0.35:0.01"


def timed_sweep(
    label: str, folder: Path, overrides: tuple[str, ...], workers: int, dask: str | None = None
) -> tuple[float, bytes]:
    base = load_scenario(ROOT / "scenarios" / "baseline.yaml", overrides)
    axes = [parse_vary(VARY)]
    started = time.perf_counter()
    outcome = run_sweep(base, axes, folder, source="baseline.yaml", workers=workers, dask=dask)
    seconds = time.perf_counter() - started
    tasks = len(outcome.points) * base.run.replications
    print(f"{label:<34} {len(outcome.points)} points, {tasks} tasks {seconds:>8.2f} s")
    return seconds, (folder / "sweep.csv").read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1-day horizon, 1 replication")
    parser.add_argument("--dask", action="store_true", help="also time a local Dask cluster")
    args = parser.parse_args()
    horizon, replications = ("1d", 1) if args.quick else ("2d", 2)
    overrides = (f"run.horizon={horizon}", f"run.replications={replications}")
    print(
        f"baseline scenario, horizon {horizon}, {replications} replication(s) per point, "
        f"--vary {VARY}; {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory(prefix="ccsim-bench-") as tmp:
        one, csv_one = timed_sweep("1 worker (in process)", Path(tmp) / "w1", overrides, 1)
        two, csv_two = timed_sweep("2 workers (local processes)", Path(tmp) / "w2", overrides, 2)
        print(f"speed-up with 2 workers: {one / two:.2f}x")
        assert csv_one == csv_two, "sweep.csv differs between 1 and 2 workers"
        if args.dask:
            dask, csv_dask = timed_sweep(
                "2 workers (local Dask cluster)", Path(tmp) / "dask", overrides, 2, dask="local"
            )
            print(f"speed-up with Dask (2 workers, startup included): {one / dask:.2f}x")
            assert csv_one == csv_dask, "sweep.csv differs on Dask"
        print("sweep.csv identical across executors")


if __name__ == "__main__":
    main()
