"""A sweep's folder: the manifest, one run folder per point, and ``sweep.csv``.

A sweep folder::

    sweep.json           the manifest: scenario and grid fingerprint, the points
    sweep.csv            tidy: one column per varied path, then scope, metric, mean,
                         ci_low, ci_high, replications
    plots/*.png          cost against service level (frontier), heat map or metric vs parameter
    report.html          self-contained page: key findings first
    p000/ p001/ ...      one run folder per point (summary.csv, replications.csv,
                         intervals.csv, scenario.yaml, run.json) plus point.json and done

Each finished point is written into a temporary folder, its ``done`` marker last, then
renamed into place, so a point folder is always whole; ``sweep.csv`` is rebuilt from the
point folders, so a resumed sweep gives the same table as an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim import __version__
from sim.experiment.results import RunResult
from sim.experiment.sampling import Precision, PrecisionStatus
from sim.io.atomic import atomic_write_text
from sim.io.run_folder import POINT_DONE, POINT_JSON, SUMMARY_CSV, SWEEP_CSV, SWEEP_JSON, write_run
from sim.scenario import Scenario
from sim.studies.sweep.grid import Axis, Point

MANIFEST = SWEEP_JSON
DONE = POINT_DONE
POINT_FOLDER = re.compile(r"^p\d+$")
TEMP_FOLDER = re.compile(r"^\.p\d+\.tmp-\d+$")


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


FINGERPRINT_RULE = 2
"""How the scenario is fingerprinted: 2 hashes only the values that differ from the format's
defaults, so a later ccsim that adds a setting (at a default that keeps results as they were)
still recognises the sweep and resumes it."""


def scenario_digest(scenario: Scenario) -> str:
    """The fingerprint of a sweep's scenario: its values that differ from the defaults."""
    return _digest(scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True))


def manifest_for(
    base: Scenario,
    axes: Sequence[Axis],
    zipped: bool,
    precision: Precision | None,
    points: Sequence[Point],
    source: str,
) -> dict[str, Any]:
    """What ``sweep.json`` records; ``fingerprint`` decides whether a folder can resume."""
    grid_spec = {
        "mode": "zip" if zipped else "product",
        "vary": [{"path": axis.path, "values": list(axis.values)} for axis in axes],
    }
    precision_spec = precision.as_dict() if precision else None
    return {
        "ccsim_version": __version__,
        "fingerprint_rule": FINGERPRINT_RULE,
        "scenario": base.name,
        "source": source,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "fingerprint": {
            "scenario": scenario_digest(base),
            "grid": _digest(grid_spec),
            "sampling": _digest(precision_spec),
        },
        "seed": base.run.seed,
        "replications": base.run.replications,
        "precision": precision_spec,
        "grid": grid_spec,
        "points": [{"folder": p.folder, "values": p.values} for p in points],
    }


_WHAT = {
    "scenario": "the scenario (its file, overrides, seed or replications)",
    "grid": "the grid (the varied values, or zipping them)",
    "sampling": "the sampling (precision, its cap or its metrics)",
}


def mismatch(out_dir: Path, new: dict[str, Any]) -> str | None:
    """Why the sweep in ``out_dir`` is not this one (None: same sweep, or none there)."""
    path = out_dir / MANIFEST
    if not path.exists():
        stale = [p.name for p in point_folders(out_dir)]
        if stale:
            return f"{out_dir} holds point folders ({stale[0]}, ...) but no {MANIFEST}"
        return None
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        fingerprint = old["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        return f"{path} cannot be read"
    if old.get("fingerprint_rule") != new["fingerprint_rule"]:
        made = old.get("ccsim_version", "an earlier version")
        return (
            f"{path} was written by ccsim {made}, which fingerprinted scenarios differently: "
            "whether its points match this sweep cannot be told, and results of two versions "
            "are not mixed"
        )
    changed = [_WHAT[k] for k in _WHAT if fingerprint.get(k) != new["fingerprint"][k]]
    if not changed:
        return None
    return f"{path} is another sweep: {' and '.join(changed)} changed"


def point_folders(out_dir: Path) -> list[Path]:
    """The point folders (``p000``, ...) in ``out_dir``, finished or not."""
    if not out_dir.is_dir():
        return []
    return sorted(p for p in out_dir.iterdir() if p.is_dir() and POINT_FOLDER.match(p.name))


def is_finished(folder: Path) -> bool:
    """Whether a point folder is complete (its ``done`` marker is written last)."""
    return (folder / DONE).is_file() and (folder / SUMMARY_CSV).is_file()


def clear_sweep(out_dir: Path) -> None:
    """Remove a previous sweep's point folders, temporary folders and tables."""
    for path in out_dir.iterdir():
        if path.is_dir() and (POINT_FOLDER.match(path.name) or TEMP_FOLDER.match(path.name)):
            shutil.rmtree(path)
    for name in (SWEEP_CSV, MANIFEST, "report.html"):
        (out_dir / name).unlink(missing_ok=True)
    shutil.rmtree(out_dir / "plots", ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_point(
    out_dir: Path, point: Point, result: RunResult, status: PrecisionStatus | None
) -> Path:
    """Write a finished point: into a temporary folder, ``done`` last, then one rename."""
    final = out_dir / point.folder
    tmp = out_dir / f".{point.folder}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    write_run(result, tmp, status)
    info = {
        "index": point.index,
        "folder": point.folder,
        "values": point.values,
        "replications": len(result.replications),
    }
    atomic_write_text(tmp / POINT_JSON, json.dumps(info, indent=2, default=str) + "\n")
    atomic_write_text(tmp / DONE, "")
    if final.exists():  # a partial folder from an older layout or a manual copy
        shutil.rmtree(final)
    os.replace(tmp, final)
    _fsync_dir(out_dir)
    return final


def _cell_value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"), default=str)
    return value


def sweep_frame(out_dir: Path, points: Sequence[Point]) -> pd.DataFrame:
    """The tidy sweep table, rebuilt from the finished point folders (in point order)."""
    frames = []
    for point in points:
        summary = pd.read_csv(out_dir / point.folder / SUMMARY_CSV)
        for position, (path, value) in enumerate(point.values.items()):
            summary.insert(position, path, [_cell_value(value)] * len(summary))
        frames.append(summary)
    return pd.concat(frames, ignore_index=True)
