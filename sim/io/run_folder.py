"""The folders ccsim writes — run, sweep, compare — their file names and columns, and
writing a run.

``ccsim run`` (and every point of a sweep, every scenario of a comparison) writes one folder:

- ``summary.csv``: ``scope, metric, mean, ci_low, ci_high, replications``;
- ``replications.csv``: ``replication, scope, metric, value``;
- ``intervals.csv``: per reporting interval and scope, the mean over replications;
- ``scenario.yaml``: the fully resolved scenario; ``run.json``: versions, seed, timings;
- optionally ``trace/replication-NNN.parquet``, ``plots/*.png`` and ``report.html``.

A sweep folder holds ``sweep.json`` (the manifest), ``sweep.csv`` and one run folder per
point (``p000/``, ... with ``point.json`` and a ``done`` marker); a compare folder holds
``compare.csv`` and the run folders of the scenarios it ran. Every reader and writer takes
the names and column lists from here.
"""

from __future__ import annotations

import json
import platform
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import __version__
from sim.io.atomic import atomic_write_csv, atomic_write_text
from sim.scenario import scenario_to_yaml

if TYPE_CHECKING:
    from sim.experiment.results import RunResult
    from sim.experiment.sampling import PrecisionStatus

SUMMARY_CSV = "summary.csv"
REPLICATIONS_CSV = "replications.csv"
INTERVALS_CSV = "intervals.csv"
SCENARIO_YAML = "scenario.yaml"
RUN_JSON = "run.json"
TRACE_FOLDER = "trace"
PLOTS_FOLDER = "plots"
REPORT_HTML = "report.html"
RUN_FILES = (SUMMARY_CSV, REPLICATIONS_CSV, INTERVALS_CSV, SCENARIO_YAML, RUN_JSON)

SUMMARY_COLUMNS = ("scope", "metric", "mean", "ci_low", "ci_high", "replications")
REPLICATION_COLUMNS = ("replication", "scope", "metric", "value")
INTERVAL_FIGURES = (
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa_seconds",
    "agents_on_duty",
    "occupancy",
    "issues",
    "social_first_share",
)
"""The figures of ``intervals.csv`` (and of each replication's interval table), in order,
after ``interval, scope, channel, day, weekday, time``."""
INTERVAL_COLUMNS = (
    "interval",
    "scope",
    "day",
    "weekday",
    "time",
    *(figure for figure in INTERVAL_FIGURES if figure != "issues"),
)
"""The columns plots and reports need from ``intervals.csv`` (it has a few more)."""
SWEEP_JSON = "sweep.json"
SWEEP_CSV = "sweep.csv"
POINT_JSON = "point.json"
POINT_DONE = "done"
COMPARE_CSV = "compare.csv"
COMPARE_COLUMNS = (
    "scope",
    "metric",
    "scenario",
    "mean",
    "ci_low",
    "ci_high",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "clear",
    "method",
    "unpaired_ci_low",
    "unpaired_ci_high",
)
STREAMS = "numpy SeedSequence(seed, spawn_key=(replication, crc32(purpose)))"


def trace_path(trace_dir: str | Path | None, replication: int) -> Path | None:
    """Where replication ``replication`` writes its per-contact trace (None: no trace)."""
    if trace_dir is None:
        return None
    return Path(trace_dir) / f"replication-{replication:03d}.parquet"


def safe_name(text: str) -> str:
    """A folder name from a label: letters, digits, ``-``, ``_`` and ``.`` only (the run
    folders of a comparison are named so)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "scenario"
    return name[:80]


def is_run_folder(path: Path) -> bool:
    """Whether ``path`` holds a run's per-replication results."""
    return path.is_dir() and (path / REPLICATIONS_CSV).is_file()


def run_metadata(result: RunResult) -> dict[str, Any]:
    """What ``run.json`` records: versions, seeds, timings, throughput."""
    from importlib.metadata import version

    import numpy as np

    scenario = result.scenario
    wall = result.wall_seconds
    return {
        "ccsim_version": __version__,
        "scenario": scenario.name,
        "seed": scenario.run.seed,
        "replications": scenario.run.replications,
        "streams": STREAMS,
        "started_at": result.started_at,
        "wall_seconds": round(wall, 3),
        "workers": result.workers,
        "contacts_simulated": result.contacts_simulated,
        "contacts_per_second": round(result.contacts_simulated / wall) if wall > 0 else None,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "numpy": np.__version__,
        "pandas": version("pandas"),  # installed; a run itself needs none
    }


def write_run(
    result: RunResult, out_dir: Path, status: PrecisionStatus | None = None
) -> dict[str, Path]:
    """Write a run's tables, resolved scenario and ``run.json`` (with the sequential-sampling
    outcome when ``status`` is given) into ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "summary": out_dir / SUMMARY_CSV,
        "replications": out_dir / REPLICATIONS_CSV,
        "intervals": out_dir / INTERVALS_CSV,
        "scenario": out_dir / SCENARIO_YAML,
        "run": out_dir / RUN_JSON,
    }
    atomic_write_csv(paths["summary"], result.summary_table())
    atomic_write_csv(paths["replications"], result.replications_table())
    atomic_write_csv(paths["intervals"], result.intervals_table())
    atomic_write_text(paths["scenario"], scenario_to_yaml(result.scenario))
    meta = run_metadata(result)
    if status is not None:
        meta["precision"] = status.as_dict()
    atomic_write_text(paths["run"], json.dumps(meta, indent=2) + "\n")
    return paths
