"""Running a sweep: every point × replication on one executor, each point written as it ends.

Replication ``r`` of every point draws from the same random streams (common random numbers),
so differences between points are not noise between customers. Re-running the same sweep
into the same folder skips finished points; Ctrl-C keeps them.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd

from sim.experiment.errors import InputError, Setting
from sim.experiment.executors import NO_WORKERS_SECONDS, NoWorkers
from sim.experiment.replication import Job, executor_for, replicate
from sim.experiment.sampling import Precision, PrecisionStatus
from sim.io.atomic import atomic_write_csv, atomic_write_text
from sim.io.run_folder import SWEEP_CSV
from sim.scenario import Scenario
from sim.studies.sweep.grid import Axis, Point, build_points
from sim.studies.sweep.store import (
    MANIFEST,
    TEMP_FOLDER,
    clear_sweep,
    is_finished,
    manifest_for,
    mismatch,
    point_folders,
    sweep_frame,
    write_point,
)


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during a sweep; finished points are kept."""

    def __init__(self, finished: int, total: int, out_dir: Path, reason: str = "") -> None:
        super().__init__(f"{finished} of {total} points finished")
        self.finished = finished
        self.total = total
        self.out_dir = out_dir
        self.reason = reason  # why it stopped, when not Ctrl-C (no Dask workers left)


class SweepListener(Protocol):
    """Told how a sweep advances (a progress display implements it)."""

    def start(self, points_total: int, points_done: int) -> None: ...
    def scheduled(self, count: int) -> None: ...
    def replication(self) -> None: ...
    def point_done(self) -> None: ...


@dataclass
class SweepOutcome:
    """What a sweep computed and where its results are."""

    out_dir: Path
    points: list[Point]
    computed: list[str]
    reused: list[str]
    frame: pd.DataFrame
    wall_seconds: float
    executor: str
    statuses: dict[str, PrecisionStatus] = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        """The varied paths, in grid order."""
        return list(self.points[0].values) if self.points else []


def run_sweep(
    base: Scenario,
    axes: Sequence[Axis],
    out_dir: Path,
    *,
    zipped: bool = False,
    source: str = "<scenario>",
    workers: int | None = None,
    dask: str | None = None,
    precision: Precision | None = None,
    force: bool = False,
    listener: SweepListener | None = None,
    on_point: Callable[[Point], None] | None = None,
    dask_no_workers: float = NO_WORKERS_SECONDS,
) -> SweepOutcome:
    """Run (or resume) a sweep of ``base`` over ``axes`` into ``out_dir``.

    Raises :class:`ScenarioError` if any point's scenario is bad (nothing is run),
    :class:`InputError` for a bad grid or a folder holding a different sweep (unless
    ``force``), and :class:`SweepInterrupted` on Ctrl-C (finished points are kept).
    ``on_point`` is called after each point is written (tests use it to interrupt).
    ``dask_no_workers``: seconds a Dask cluster may have no workers before the sweep stops
    (:class:`SweepInterrupted` with the reason; finished points kept).
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    points = prepare_sweep(base, axes, out_dir, zipped, source, precision, force)
    reused = [p.folder for p in points if is_finished(out_dir / p.folder)]
    todo = [p for p in points if p.folder not in set(reused)]
    if listener is not None:
        listener.start(len(points), len(reused))
    computed: list[str] = []
    statuses: dict[str, PrecisionStatus] = {}
    executor_name = "nothing to compute"
    if todo:
        try:
            executor_name = _compute(
                out_dir,
                todo,
                precision,
                (workers, dask, dask_no_workers),
                listener,
                on_point,
                computed,
                statuses,
            )
        except KeyboardInterrupt as stop:
            kept = sum(is_finished(out_dir / p.folder) for p in points)
            reason = str(stop) if isinstance(stop, NoWorkers) else ""
            raise SweepInterrupted(kept, len(points), out_dir, reason) from None
    frame = sweep_frame(out_dir, points)
    atomic_write_csv(out_dir / SWEEP_CSV, frame)
    wall = time.perf_counter() - started
    return SweepOutcome(out_dir, points, computed, reused, frame, wall, executor_name, statuses)


def prepare_sweep(
    base: Scenario,
    axes: Sequence[Axis],
    out_dir: Path,
    zipped: bool,
    source: str,
    precision: Precision | None,
    force: bool,
) -> list[Point]:
    """Validate every point, check the folder holds this sweep (or nothing), write the
    manifest; returns the points. Nothing is simulated."""
    points = build_points(base, axes, zipped, source)
    for point in points:  # checks the cap and the metrics against each point up front
        Job(point.folder, point.scenario, precision)
    manifest = manifest_for(base, axes, zipped, precision, points, source)
    reason = mismatch(out_dir, manifest)
    if reason and not force:
        finished = sum(is_finished(p) for p in point_folders(out_dir))
        raise InputError(
            [
                f"{reason}; refusing to mix sweeps ({finished} finished point"
                f"{'s' if finished != 1 else ''} there). Use another ",
                Setting("output"),
                " folder, or ",
                Setting("force"),
                " to discard them and start afresh",
            ],
            "force",
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    if reason:
        clear_sweep(out_dir)
    for path in out_dir.iterdir():  # temporary folders of an interrupted run
        if path.is_dir() and TEMP_FOLDER.match(path.name):
            shutil.rmtree(path, ignore_errors=True)
    if not (out_dir / MANIFEST).exists():
        atomic_write_text(out_dir / MANIFEST, json.dumps(manifest, indent=2, default=str) + "\n")
    return points


def _compute(
    out_dir: Path,
    todo: list[Point],
    precision: Precision | None,
    where: tuple[int | None, str | None, float],
    listener: SweepListener | None,
    on_point: Callable[[Point], None] | None,
    computed: list[str],
    statuses: dict[str, PrecisionStatus],
) -> str:
    """Run the unfinished points on one executor (``where``: workers, Dask address, seconds
    without Dask workers allowed), writing each as it ends; returns the executor's
    description."""
    workers, dask, no_workers = where
    jobs = [Job(p.folder, p.scenario, precision) for p in todo]
    by_folder = {p.folder: p for p in todo}
    with executor_for(workers, dask, sum(job.tasks for job in jobs), no_workers) as executor:

        def done(job: Job) -> None:
            point = by_folder[str(job.key)]
            write_point(out_dir, point, job.run_result(executor.workers), job.status)
            computed.append(point.folder)
            if job.status is not None:
                statuses[point.folder] = job.status
            if listener is not None:
                listener.point_done()
            if on_point is not None:
                on_point(point)

        replicate(
            jobs,
            executor,
            on_replication=(lambda *_: listener.replication()) if listener else None,
            on_scheduled=(lambda _, n: listener.scheduled(n)) if listener else None,
            on_done=done,
        )
        return executor.describe()
