"""Experiments: replications of a scenario, their confidence intervals, and run outputs.

Replication ``r`` always draws from the same named streams (:mod:`sim.model.streams`), so the
results are identical whether replications run one after another or in parallel processes,
and two scenarios run with the same seed see the same customers (common random numbers).
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim import __version__
from sim.model.centre import ReplicationResult, simulate
from sim.model.clock import WEEK
from sim.outputs import atomic_write_text
from sim.scenario import Scenario, scenario_to_yaml, validate_data
from sim.scenario.schema import WEEKDAYS
from sim.scenario.units import DAY

CONFIDENCE = 0.95
SUMMARY_COLUMNS = ["scope", "metric", "mean", "ci_low", "ci_high", "replications"]


@dataclass
class RunResult:
    """Every replication of one scenario, with the tidy tables built from them."""

    scenario: Scenario
    replications: list[ReplicationResult]
    wall_seconds: float
    workers: int = 1
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def contacts_simulated(self) -> int:
        """Contacts simulated across replications, warm-up included."""
        return sum(r.contacts_simulated for r in self.replications)

    def replications_frame(self) -> pd.DataFrame:
        """Tidy: ``replication, scope, metric, value``."""
        rows = [
            (r.replication, scope, metric, value)
            for r in self.replications
            for (scope, metric), value in r.metrics.items()
        ]
        return pd.DataFrame(rows, columns=["replication", "scope", "metric", "value"])

    def summary(self) -> pd.DataFrame:
        """Tidy: ``scope, metric, mean, ci_low, ci_high, replications`` (t-based 95% CI)."""
        return summarise(self.replications_frame())

    def intervals(self) -> pd.DataFrame:
        """Per interval and scope, the mean over replications, with clock columns."""
        return interval_table(self.scenario, [r.intervals for r in self.replications])


def confidence_interval(values: np.ndarray) -> tuple[float, float, float, int]:
    """Mean and t-based 95% CI of the finite values; CI is NaN with fewer than two."""
    finite = values[np.isfinite(values)]
    n = len(finite)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(finite.mean())
    if n < 2:
        return mean, math.nan, math.nan, n
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * finite.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half, n


def summarise(replications: pd.DataFrame) -> pd.DataFrame:
    """Collapse a tidy per-replication table into means with confidence intervals."""
    rows = []
    for (scope, metric), group in replications.groupby(["scope", "metric"], sort=False):
        mean, low, high, n = confidence_interval(group["value"].to_numpy(dtype=float))
        rows.append((scope, metric, mean, low, high, n))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def interval_table(scenario: Scenario, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Mean of the per-interval tables over replications, with day and time-of-day columns."""
    stacked = pd.concat(frames, ignore_index=True)
    keys = ["interval", "scope"]
    table = stacked.groupby(keys, sort=False).mean(numeric_only=True).reset_index()
    start = table["interval"].to_numpy() * scenario.run.interval
    table.insert(2, "day", (start // DAY).astype(int))
    table.insert(3, "weekday", [WEEKDAYS[int(s % WEEK // DAY)] for s in start])
    table.insert(4, "time", [_clock(s % DAY) for s in start])
    table.insert(2, "channel", table["scope"].where(~table["scope"].str.contains(":|centre"), ""))
    return table


def _clock(seconds: float) -> str:
    minutes = round(seconds / 60.0)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- running replications ---------------------------------------------------------------------


def _simulate_from_data(
    data: dict[str, Any], replication: int, trace_dir: str | None = None
) -> ReplicationResult:
    """Worker entry point: scenarios travel between processes as plain data. With
    ``trace_dir``, the replication also writes its per-contact trace there."""
    return simulate(validate_data(data), replication, trace_path(trace_dir, replication))


def trace_path(trace_dir: str | Path | None, replication: int) -> Path | None:
    """Where replication ``replication`` writes its per-contact trace (None: no trace)."""
    if trace_dir is None:
        return None
    return Path(trace_dir) / f"replication-{replication:03d}.parquet"


def default_workers(replications: int) -> int:
    """Local processes to use: one per core, never more than there are replications."""
    return max(1, min(replications, os.cpu_count() or 1))


def iter_replications(
    scenario: Scenario, workers: int = 1, trace_dir: Path | None = None
) -> Iterator[ReplicationResult]:
    """Yield each replication's result as it finishes (order may vary with workers > 1)."""
    count = scenario.run.replications
    if workers <= 1 or count == 1:
        for r in range(count):
            yield simulate(scenario, r, trace_path(trace_dir, r))
        return
    from sim.executors import ProcessExecutor  # cancels and stops workers on Ctrl-C

    data = scenario.model_dump(mode="json", by_alias=True)
    with ProcessExecutor(workers) as executor:
        for r in range(count):
            executor.submit(r, data, r, None if trace_dir is None else str(trace_dir))
        for _, result in executor.completed():
            yield result


def run_scenario(
    scenario: Scenario,
    workers: int | None = None,
    on_replication: Callable[[ReplicationResult], None] | None = None,
    trace_dir: Path | None = None,
) -> RunResult:
    """Simulate every replication of ``scenario``; results sorted by replication. With
    ``trace_dir``, each replication also writes ``replication-NNN.parquet`` there."""
    workers = default_workers(scenario.run.replications) if workers is None else workers
    started = time.perf_counter()
    results = []
    for result in iter_replications(scenario, workers, trace_dir):
        results.append(result)
        if on_replication is not None:
            on_replication(result)
    results.sort(key=lambda r: r.replication)
    return RunResult(scenario, results, time.perf_counter() - started, workers)


# --- writing outputs --------------------------------------------------------------------------


def atomic_write_csv(path: Path, frame: pd.DataFrame) -> None:
    """Write a DataFrame as CSV atomically (full float precision, no index)."""
    atomic_write_text(path, frame.to_csv(index=False, float_format="%.10g"))


def run_metadata(result: RunResult) -> dict[str, Any]:
    """What ``run.json`` records: versions, seeds, timings, throughput."""
    scenario = result.scenario
    wall = result.wall_seconds
    return {
        "ccsim_version": __version__,
        "scenario": scenario.name,
        "seed": scenario.run.seed,
        "replications": scenario.run.replications,
        "streams": "numpy SeedSequence(seed, spawn_key=(replication, crc32(purpose)))",
        "started_at": result.started_at,
        "wall_seconds": round(wall, 3),
        "workers": result.workers,
        "contacts_simulated": result.contacts_simulated,
        "contacts_per_second": round(result.contacts_simulated / wall) if wall > 0 else None,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }


def write_run(result: RunResult, out_dir: Path) -> dict[str, Path]:
    """Write a run's outputs (design.md §4) into ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "summary": out_dir / "summary.csv",
        "replications": out_dir / "replications.csv",
        "intervals": out_dir / "intervals.csv",
        "scenario": out_dir / "scenario.yaml",
        "run": out_dir / "run.json",
    }
    atomic_write_csv(paths["summary"], result.summary())
    atomic_write_csv(paths["replications"], result.replications_frame())
    atomic_write_csv(paths["intervals"], result.intervals())
    atomic_write_text(paths["scenario"], scenario_to_yaml(result.scenario))
    atomic_write_text(paths["run"], json.dumps(run_metadata(result), indent=2) + "\n")
    return paths
