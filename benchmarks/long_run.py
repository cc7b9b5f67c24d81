"""A year-long replication of the baseline: contacts per second and peak memory.

    python benchmarks/long_run.py              # 365 days, one replication
    python benchmarks/long_run.py --days 112   # shorter
    python benchmarks/long_run.py --profile    # plus cProfile's top entries

Prints contacts simulated, wall seconds, contacts per second (also per CPU second: on a busy
machine the wall clock counts the time spent waiting for a core), the share of the time
spent in garbage collection (from ``gc.callbacks``) and the peak resident memory.
A benchmark, not a test: figures depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import resource
import time
from pathlib import Path

from sim.experiment.replication import simulate
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


class GcClock:
    """Total seconds spent in garbage collection while attached."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario, [f"run.horizon={args.days}d", "run.replications=1"])
    clock = GcClock()
    gc.callbacks.append(clock)
    profile = cProfile.Profile() if args.profile else None
    started, cpu_started = time.perf_counter(), time.process_time()
    if profile is not None:
        profile.enable()
    result = simulate(scenario, 0)
    if profile is not None:
        profile.disable()
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    gc.callbacks.remove(clock)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.days} days: {result.contacts_simulated:,} contacts in {wall:.1f} s = "
        f"{result.contacts_simulated / wall:,.0f} contacts/s ({cpu:.1f} s of CPU: "
        f"{result.contacts_simulated / cpu:,.0f} contacts per CPU second); garbage collection "
        f"{clock.seconds:.1f} s ({clock.seconds / wall:.0%}, {clock.collections} collections); "
        f"peak memory {peak:,.0f} MiB"
    )
    if profile is not None:
        pstats.Stats(profile).strip_dirs().sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
