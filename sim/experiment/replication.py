"""The one replication path: every command and the Python API run replications through here.

A replication is a task — a scenario as plain data, a replication index and, optionally,
where to write its per-contact trace — run by an executor (:mod:`sim.experiment.executors`)
in this process, local processes or on Dask. :func:`replicate` schedules the replications of
several scenarios (a run, the points of a sweep, the sides of a comparison, staffing
candidates) on one executor, adding batches where sequential sampling asks for them.
Replication ``r`` of a scenario is the same wherever it runs: its random streams depend only
on the seed, ``r`` and the purpose.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from sim.experiment.errors import InputError
from sim.experiment.executors import (
    NO_WORKERS_SECONDS,
    Executor,
    ExecutorError,
    make_executor,
)
from sim.experiment.results import ReplicationResult, RunResult
from sim.experiment.sampling import Precision, PrecisionStatus
from sim.experiment.tables import interval_frame, replication_metrics
from sim.io.run_folder import trace_path
from sim.model.centre import Centre
from sim.model.counters import ReplicationCounts
from sim.scenario import Scenario, validate_data


def simulate(scenario: Scenario, replication: int, trace: Path | None = None) -> ReplicationResult:
    """Run replication ``replication`` of ``scenario`` and tabulate it; with ``trace``, also
    write its per-contact trace to that Parquet file."""
    observer = None
    if trace is not None:
        from sim.io.trace import ContactTrace

        observer = ContactTrace(trace, replication, scenario.run.warmup, start=scenario.run.start)
    with collector_for_a_long_run():
        counts = Centre(scenario, replication, observer).run()
    return tabulate(scenario, counts)


#: Young-generation threshold while a replication runs (CPython's default is 700 or 2000).
YOUNG_THRESHOLD = 50_000


@contextmanager
def collector_for_a_long_run() -> Iterator[None]:
    """Run a replication with the cyclic garbage collector tuned for it, then restore it.

    A replication allocates millions of short-lived containers (timers, contacts) that die
    by reference counting, while everything built before it (the scenario, modules, numpy)
    lives on. Freezing what exists (no collection first: that would cost every short
    replication of a staffing search) moves it out of every collection's way, and a large
    young-generation threshold lets most of the run's objects die before a collection ever
    looks at them, so collections stop re-walking the live backlog of a year-long run. Only
    speed changes: the model makes no cycles it relies on the collector to break, and the
    results are the same bit for bit (tests/test_fingerprint.py).

    The collector is the process's, so replications running at once in threads (a Dask
    worker's) share one tuning: the first to start sets it, the last to finish restores it.
    """
    with _TUNING:
        _TUNING.holders += 1
        if _TUNING.holders == 1:
            _TUNING.saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(YOUNG_THRESHOLD, *_TUNING.saved[1:])
    try:
        yield
    finally:
        with _TUNING:
            _TUNING.holders -= 1
            if _TUNING.holders == 0:
                gc.set_threshold(*_TUNING.saved)
                gc.unfreeze()


class _Tuning:
    """Who holds the collector's tuning now, and the thresholds to restore (a lock itself)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.holders = 0
        self.saved: tuple[int, ...] = gc.get_threshold()

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


_TUNING = _Tuning()


def tabulate(scenario: Scenario, counts: ReplicationCounts) -> ReplicationResult:
    """One replication's counts as its metrics and per-interval table."""
    return ReplicationResult(
        counts.replication,
        replication_metrics(scenario, counts),
        interval_frame(counts, scenario.interval_count),
        counts.contacts_simulated,
    )


def simulate_data(
    data: dict[str, Any], replication: int, trace_dir: str | None = None
) -> ReplicationResult:
    """The task every executor runs: scenarios travel between processes as plain data."""
    return simulate(validate_data(data), replication, trace_path(trace_dir, replication))


def executor_for(
    workers: int | None, dask: str | None, tasks: int, no_workers: float = NO_WORKERS_SECONDS
) -> Executor:
    """:func:`sim.experiment.executors.make_executor`, an unusable Dask address being bad
    input; ``no_workers``: seconds a Dask cluster may have no workers before the work stops."""
    try:
        return make_executor(simulate_data, workers, dask, tasks, no_workers)
    except ExecutorError as error:
        raise InputError(str(error), "dask") from None


@contextmanager
def executor_in_use(
    executor: Executor | None,
    workers: int | None,
    dask: str | None = None,
    tasks: int = 0,
    no_workers: float = NO_WORKERS_SECONDS,
) -> Iterator[Executor]:
    """``executor`` itself (a study's workers, kept between its runs), or one started for
    the block by :func:`executor_for` and stopped after it."""
    if executor is not None:
        yield executor
        return
    with executor_for(workers, dask, tasks, no_workers) as started:
        yield started


def with_replications(scenario: Scenario, replications: int) -> Scenario:
    """``scenario`` with ``run.replications`` set (validated like any scenario)."""
    if scenario.run.replications == replications:
        return scenario
    data = scenario.model_dump(mode="json", by_alias=True)
    data["run"]["replications"] = replications
    return validate_data(data)


@dataclass(eq=False)
class Job:
    """The replications of one scenario (a run, a sweep point, one side of a comparison).

    ``trace_dir``: each replication also writes ``replication-NNN.parquet`` there.
    """

    key: Hashable
    scenario: Scenario
    precision: Precision | None = None
    trace_dir: Path | None = None
    results: dict[int, ReplicationResult] = field(default_factory=dict)
    scheduled: int = 0
    status: PrecisionStatus | None = None
    started: float = 0.0
    finished: float = 0.0

    def __post_init__(self) -> None:
        if self.precision is not None:
            self.precision.check(self.scenario)

    @cached_property
    def data(self) -> dict[str, Any]:
        """The scenario as plain data: what travels to the workers."""
        return self.scenario.model_dump(mode="json", by_alias=True)

    @property
    def tasks(self) -> int:
        """Replications this job may run at most."""
        if self.precision is not None:
            return self.precision.max_replications
        return self.scenario.run.replications

    def ordered(self) -> list[ReplicationResult]:
        return [self.results[r] for r in sorted(self.results)]

    def run_result(self, workers: int) -> RunResult:
        """The finished replications as a :class:`RunResult` (replications = how many ran)."""
        results = self.ordered()
        scenario = with_replications(self.scenario, len(results))
        return RunResult(scenario, results, self.finished - self.started, workers)


def replicate(
    jobs: Sequence[Job],
    executor: Executor,
    on_replication: Callable[[Job, ReplicationResult], None] | None = None,
    on_scheduled: Callable[[Job, int], None] | None = None,
    on_done: Callable[[Job], None] | None = None,
) -> None:
    """Run every job's replications on ``executor``; ``on_done(job)`` as each finishes.

    Each job starts with ``scenario.run.replications``; a job with a precision target gets
    further batches (continuing the indices) until the target is met or the cap reached.
    """
    by_key = {job.key: job for job in jobs}
    if len(by_key) != len(jobs):
        raise ValueError("job keys must be unique")
    outstanding = dict.fromkeys(by_key, 0)

    def schedule(job: Job, count: int) -> None:
        trace = None if job.trace_dir is None else str(job.trace_dir)
        for r in range(job.scheduled, job.scheduled + count):
            executor.submit((job.key, r), job.data, r, trace)
        job.scheduled += count
        outstanding[job.key] += count
        if on_scheduled is not None:
            on_scheduled(job, count)

    for job in jobs:
        job.started = time.perf_counter()
        schedule(job, job.scenario.run.replications)
    for (key, replication), result in executor.completed():
        job = by_key[key]
        job.results[replication] = result
        outstanding[key] -= 1
        if on_replication is not None:
            on_replication(job, result)
        if outstanding[key]:
            continue
        if job.precision is not None:
            job.status = job.precision.assess(job.ordered())
            more = job.precision.next_batch(job.status)
            if more:
                schedule(job, more)
                continue
        job.finished = time.perf_counter()
        if on_done is not None:
            on_done(job)


def run_replications(
    scenario: Scenario,
    precision: Precision | None = None,
    workers: int | None = None,
    dask: str | None = None,
    trace_dir: Path | None = None,
    on_replication: Callable[[ReplicationResult], None] | None = None,
    on_scheduled: Callable[[int], None] | None = None,
    executor: Executor | None = None,
) -> tuple[RunResult, PrecisionStatus | None]:
    """Every replication of one scenario (more with ``precision``), with ``trace_dir`` for
    per-contact traces; the run and, with ``precision``, where sampling stopped. On
    ``executor`` when given (a study's workers, kept between its runs), else on an executor
    for ``workers`` / ``dask`` started and stopped here."""
    job = Job("run", scenario, precision, trace_dir)
    with executor_in_use(executor, workers, dask, job.tasks) as runner:
        replicate(
            [job],
            runner,
            on_replication=(lambda _, r: on_replication(r)) if on_replication else None,
            on_scheduled=(lambda _, n: on_scheduled(n)) if on_scheduled else None,
        )
        workers_used = runner.workers
    return job.run_result(workers_used), job.status


def run_scenario(
    scenario: Scenario,
    workers: int | None = None,
    on_replication: Callable[[ReplicationResult], None] | None = None,
    trace_dir: Path | None = None,
    executor: Executor | None = None,
) -> RunResult:
    """Simulate every replication of ``scenario`` (on ``executor`` when given); results
    sorted by replication."""
    result, _ = run_replications(
        scenario,
        workers=workers,
        trace_dir=trace_dir,
        on_replication=on_replication,
        executor=executor,
    )
    return result
