"""Sweeps, sequential sampling and the replication scheduler behind them.

A **sweep** runs one scenario at every point of a grid of parameter values (``--vary
path=values``, the full grid or, with ``--zip``, paired lists). Each point × replication is
one task for an executor (:mod:`sim.executors`); replication ``r`` of every point draws from
the same random streams (common random numbers), so differences between points are not
noise between customers. Each finished point is written to its own folder, atomically, as
it completes; re-running the same command skips finished points, and ``sweep.csv`` is
rebuilt from the point folders at the end, so an interrupted and resumed sweep gives the
same ``sweep.csv`` as an uninterrupted one, byte for byte, whatever the executor.

**Sequential sampling** (``--precision``) adds replications until every target metric's
95% CI half-width is within the given fraction of its mean, or a cap is reached. New
batches continue the replication indices (``R, R+1, ...``), so common random numbers hold,
and the stopping decision depends only on the replications themselves, never on which
worker finished first.

A sweep folder::

    sweep.json           the manifest: scenario and grid fingerprint, the points
    sweep.csv            tidy: one column per varied path, then scope, metric, mean,
                         ci_low, ci_high, replications
    plots/*.png          cost against service level (frontier), heat map or metric vs parameter
    report.html          self-contained page: key findings first
    p000/ p001/ ...      one run folder per point (summary.csv, replications.csv,
                         intervals.csv, scenario.yaml, run.json) plus point.json and done
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import re
import shutil
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import __version__
from sim.executors import Executor, ExecutorError, make_executor
from sim.experiment import (
    SUMMARY_COLUMNS,
    RunResult,
    atomic_write_csv,
    atomic_write_text,
    confidence_interval,
    write_run,
)
from sim.model.centre import ReplicationResult
from sim.scenario import CHANNELS, Problem, Scenario, ScenarioError, validate_data
from sim.scenario.overrides import OverrideError, format_path, parse_value, set_path, split_path

MAX_POINTS = 100_000
"""Refuse grids larger than this (almost certainly a typo in a range)."""
DEFAULT_MAX_REPLICATIONS = 100
MANIFEST = "sweep.json"
SWEEP_CSV = "sweep.csv"
DONE = "done"
POINT_JSON = "point.json"
_POINT_FOLDER = re.compile(r"^p\d+$")
_TEMP_FOLDER = re.compile(r"^\.p\d+\.tmp-\d+$")


class SweepInputError(ValueError):
    """Bad input that is not a scenario problem: a ``--vary``, a folder, a metric name."""


def executor_for(workers: int | None, dask: str | None, tasks: int) -> Executor:
    """:func:`sim.executors.make_executor`, an unusable ``--dask`` being bad input."""
    try:
        return make_executor(workers, dask, tasks)
    except ExecutorError as error:
        raise SweepInputError(str(error)) from None


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during a sweep; finished points are kept."""

    def __init__(self, finished: int, total: int, out_dir: Path) -> None:
        super().__init__(f"{finished} of {total} points finished")
        self.finished = finished
        self.total = total
        self.out_dir = out_dir


# --- sequential sampling ----------------------------------------------------------------------

Key = tuple[str, str]


@dataclass(frozen=True)
class Precision:
    """Stop adding replications once each target's CI half-width ≤ ``relative`` × |mean|.

    ``metrics`` are ``(scope, metric)`` pairs; empty means the default targets: each
    channel's ``service_level`` and ``asa_seconds`` (channels with offered > 0) and the
    centre's ``cost_total``.
    """

    relative: float
    max_replications: int = DEFAULT_MAX_REPLICATIONS
    metrics: tuple[Key, ...] = ()

    def __post_init__(self) -> None:
        if not (self.relative > 0 and math.isfinite(self.relative)):
            raise SweepInputError(f"--precision must be a positive fraction (got {self.relative})")
        if self.max_replications < 2:
            raise SweepInputError(
                f"--max-replications must be at least 2 (got {self.max_replications})"
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "relative_half_width": self.relative,
            "max_replications": self.max_replications,
            "metrics": [f"{s}.{m}" for s, m in self.metrics] or "default",
        }

    def targets(self, values: Mapping[Key, np.ndarray]) -> list[Key]:
        """The metrics to hold to the target, given the replications so far."""
        if self.metrics:
            for key in self.metrics:
                if key not in values:
                    raise SweepInputError(_unknown_metric(key, values))
            return list(self.metrics)
        targets: list[Key] = []
        for channel in CHANNELS:
            offered = values.get((channel, "offered"))
            if offered is None or not np.nansum(offered) > 0:
                continue
            for metric in ("service_level", "asa_seconds"):
                array = values.get((channel, metric))
                if array is not None and np.isfinite(array).any():
                    targets.append((channel, metric))
        if ("centre", "cost_total") in values:
            targets.append(("centre", "cost_total"))
        return targets

    def assess(self, results: Sequence[ReplicationResult]) -> PrecisionStatus:
        """Half-widths against targets for ``results`` (sorted by replication)."""
        values = metric_arrays(results)
        rows = []
        for scope, metric in self.targets(values):
            mean, low, high, n = confidence_interval(values[(scope, metric)])
            if n == 0:  # nothing measurable (e.g. no contacts answered): not a target
                continue
            half = (high - low) / 2 if n >= 2 else math.inf
            allowed = self.relative * abs(mean)
            rows.append(TargetRow(scope, metric, mean, half, allowed, bool(half <= allowed)))
        met = all(row.met for row in rows)
        return PrecisionStatus(self, met, len(results), rows)

    def next_batch(self, status: PrecisionStatus) -> int:
        """Replications to add (0: stop). Aims at the estimated need, at most doubling."""
        n = status.replications
        room = self.max_replications - n
        if status.met or room <= 0:
            return 0
        ratio = max((row.ratio for row in status.rows), default=math.inf)
        needed = math.ceil(n * ratio * ratio) if math.isfinite(ratio) else 2 * n
        return int(min(max(needed - n, 1), max(n, 1), room))


@dataclass(frozen=True)
class TargetRow:
    scope: str
    metric: str
    mean: float
    half_width: float
    allowed: float
    met: bool

    @property
    def ratio(self) -> float:
        """Half-width over the allowed half-width (≤ 1 when met)."""
        if self.met:
            return 0.0 if self.allowed == 0 else self.half_width / self.allowed
        return self.half_width / self.allowed if self.allowed > 0 else math.inf


@dataclass
class PrecisionStatus:
    precision: Precision
    met: bool
    replications: int
    rows: list[TargetRow]

    def as_dict(self) -> dict[str, Any]:
        """What ``run.json`` records under ``precision``."""
        return {
            **self.precision.as_dict(),
            "met": self.met,
            "replications": self.replications,
            "targets": [
                {
                    "scope": row.scope,
                    "metric": row.metric,
                    "mean": _json_float(row.mean),
                    "half_width": _json_float(row.half_width),
                    "allowed_half_width": _json_float(row.allowed),
                    "met": row.met,
                }
                for row in self.rows
            ],
        }

    def describe(self) -> str:
        rel = f"{self.precision.relative:g}"
        if self.met:
            return f"precision met (every target's CI half-width ≤ {rel} × mean)"
        worst = max(self.rows, key=lambda row: row.ratio, default=None)
        detail = ""
        if worst is not None:
            detail = (
                f"; worst: {worst.scope}.{worst.metric} half-width "
                f"{worst.half_width:.4g} vs {worst.allowed:.4g} allowed"
            )
        return f"precision NOT met at the cap of {self.precision.max_replications}{detail}"


def _json_float(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _unknown_metric(key: Key, values: Mapping[Key, Any]) -> str:
    scopes = sorted({scope for scope, _ in values})
    metrics = sorted({metric for scope, metric in values if scope == key[0]})
    if metrics:
        hint = f"metrics of {key[0]}: {', '.join(metrics)}"
    else:
        hint = f"scopes: {', '.join(scopes)}"
    return f"--precision-metric {key[0]}.{key[1]}: the run has no such metric ({hint})"


def parse_precision_metric(text: str) -> Key:
    """``"phone.service_level"`` -> ``("phone", "service_level")`` (scope may be pool:x)."""
    scope, dot, metric = text.strip().rpartition(".")
    example = "e.g. phone.service_level, centre.cost_total or pool:voice.occupancy"
    if not dot or not scope or not metric:
        raise SweepInputError(f"--precision-metric '{text}': write scope.metric, {example}")
    if scope not in CHANNELS and scope != "centre" and not scope.startswith("pool:"):
        raise SweepInputError(
            f"--precision-metric '{text}': unknown scope '{scope}'; a scope is a channel "
            f"({', '.join(CHANNELS)}), pool:<name> or centre"
        )
    return scope, metric


def make_precision(
    relative: float | None,
    max_replications: int | None = None,
    metrics: Sequence[str] | Sequence[Key] = (),
) -> Precision | None:
    """A :class:`Precision` from CLI/API arguments, or None without ``relative``."""
    if relative is None:
        if metrics or max_replications is not None:
            raise SweepInputError(
                "--max-replications and --precision-metric need --precision (e.g. 0.02)"
            )
        return None
    keys = tuple(parse_precision_metric(m) if isinstance(m, str) else tuple(m) for m in metrics)
    cap = DEFAULT_MAX_REPLICATIONS if max_replications is None else max_replications
    return Precision(float(relative), int(cap), keys)  # type: ignore[arg-type]


def metric_arrays(results: Sequence[ReplicationResult]) -> dict[Key, np.ndarray]:
    """Per (scope, metric), the values over ``results`` in the order given."""
    values: dict[Key, list[float]] = {}
    for result in results:
        for key, value in result.metrics.items():
            values.setdefault(key, []).append(value)
    return {key: np.asarray(v, dtype=float) for key, v in values.items()}


# --- the scheduler: replications of several scenarios on one executor -------------------------


def with_replications(scenario: Scenario, replications: int) -> Scenario:
    """``scenario`` with ``run.replications`` set (validated like any scenario)."""
    if scenario.run.replications == replications:
        return scenario
    data = scenario.model_dump(mode="json", by_alias=True)
    data["run"]["replications"] = replications
    return validate_data(data)


@dataclass(eq=False)
class Job:
    """The replications of one scenario (a run, a sweep point, one side of a comparison)."""

    key: Hashable
    scenario: Scenario
    precision: Precision | None = None
    results: dict[int, ReplicationResult] = field(default_factory=dict)
    scheduled: int = 0
    status: PrecisionStatus | None = None
    started: float = 0.0
    finished: float = 0.0

    def __post_init__(self) -> None:
        cap = self.precision.max_replications if self.precision else None
        if cap is not None and cap < self.scenario.run.replications:
            raise SweepInputError(
                f"--max-replications ({cap}) is below the {self.scenario.run.replications} "
                "replications to start with; raise it or lower --replications"
            )

    @cached_property
    def data(self) -> dict[str, Any]:
        """The scenario as plain data: what travels to the workers."""
        return self.scenario.model_dump(mode="json", by_alias=True)

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
        for r in range(job.scheduled, job.scheduled + count):
            executor.submit((job.key, r), job.data, r)
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
    on_replication: Callable[[ReplicationResult], None] | None = None,
    on_scheduled: Callable[[int], None] | None = None,
) -> tuple[RunResult, PrecisionStatus | None]:
    """Replications of one scenario (with sequential sampling when ``precision`` is given)."""
    job = Job("run", scenario, precision)
    tasks = precision.max_replications if precision else scenario.run.replications
    with executor_for(workers, dask, tasks) as executor:
        replicate(
            [job],
            executor,
            on_replication=(lambda _, r: on_replication(r)) if on_replication else None,
            on_scheduled=(lambda _, n: on_scheduled(n)) if on_scheduled else None,
        )
        workers_used = executor.workers
    return job.run_result(workers_used), job.status


def run_with_progress(
    scenario: Scenario,
    workers: int | None,
    progress: Any,
    task: Any,
    precision: Precision | None = None,
    trace_dir: Path | None = None,
) -> tuple[RunResult, PrecisionStatus | None]:
    """``ccsim run``'s replications on a rich progress bar; with ``precision``, the bar's
    total grows with each batch of replications. ``trace_dir``: see
    :func:`sim.experiment.run_scenario` (fixed replication counts only)."""
    if precision is None:
        from sim.experiment import run_scenario

        advance = lambda _: progress.advance(task)  # noqa: E731
        return run_scenario(scenario, workers, advance, trace_dir), None
    if trace_dir is not None:
        raise ValueError("a per-contact trace needs a fixed number of replications")
    scheduled = 0

    def more(count: int) -> None:
        nonlocal scheduled
        scheduled += count
        progress.update(task, total=scheduled)

    return run_replications(
        scenario,
        precision,
        workers,
        on_replication=lambda _: progress.advance(task),
        on_scheduled=more,
    )


def check_precision_metrics(scenario: Scenario, precision: Precision | None) -> None:
    """Refuse unknown ``--precision-metric`` names before simulating anything.

    The metric names do not depend on the horizon, so one replication of a single
    reporting interval (no warm-up) shows them.
    """
    if precision is None or not precision.metrics:
        return
    from sim.model.centre import simulate

    data = scenario.model_dump(mode="json", by_alias=True)
    data["run"].update({"horizon": data["run"]["interval"], "warmup": "0s", "replications": 1})
    values = metric_arrays([simulate(validate_data(data), 0)])
    for key in precision.metrics:
        if key not in values:
            raise SweepInputError(_unknown_metric(key, values))


def add_precision_to_run_json(run_dir: Path, status: PrecisionStatus | None) -> None:
    """Record the sequential-sampling outcome in ``run_dir/run.json``."""
    if status is None:
        return
    path = run_dir / "run.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["precision"] = status.as_dict()
    atomic_write_text(path, json.dumps(meta, indent=2) + "\n")


# --- the grid ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    """One varied path and its values (plain data, as ``--set`` would read them)."""

    path: str
    values: tuple[Any, ...]


_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(
    rf"^\s*(?P<a>{_NUMBER})(?P<ua>[a-zA-Z]*)\s*:\s*(?P<b>{_NUMBER})(?P<ub>[a-zA-Z]*)"
    rf"\s*:\s*(?P<s>{_NUMBER})(?P<us>[a-zA-Z]*)\s*$"
)


def expand_range(text: str) -> list[Any] | None:
    """``"60:80:5"`` -> ``[60, 65, 70, 75, 80]``; None if ``text`` is not a range.

    The end is included when a step lands on it. Whole numbers give ints, others floats
    (computed in decimal, so ``0.1:0.3:0.1`` gives 0.1, 0.2, 0.3). A unit on all three
    (``2min:6min:1min``) gives duration strings.
    """
    match = _RANGE.match(text)
    if not match:
        return None
    units = {match["ua"], match["ub"], match["us"]}
    if len(units) != 1:
        raise SweepInputError(
            f"range '{text.strip()}': give the same unit on start, end and step "
            "(e.g. 2min:6min:1min) or none"
        )
    unit = units.pop()
    try:
        start, end, step = (Decimal(match[k]) for k in ("a", "b", "s"))
    except InvalidOperation:
        raise SweepInputError(f"range '{text.strip()}': not numbers") from None
    if step == 0:
        raise SweepInputError(f"range '{text.strip()}': the step must not be 0")
    if (end - start) * step < 0:
        raise SweepInputError(
            f"range '{text.strip()}': a step of {step} never goes from {start} to {end}"
        )
    count = int((end - start) / step) + 1
    if count > MAX_POINTS:
        raise SweepInputError(f"range '{text.strip()}' has {count:,} values; too many")
    whole = all(re.fullmatch(r"[-+]?\d+", match[k]) for k in ("a", "b", "s"))
    values: list[Any] = []
    for i in range(count):
        value = start + step * i
        if unit:
            number = format(value.normalize(), "f") if not whole else str(int(value))
            values.append(f"{number}{unit}")
        elif whole:
            values.append(int(value))
        else:
            values.append(float(value))
    return values


def split_top_level(text: str) -> list[str]:
    """Split at commas outside brackets, braces and quotes (``[a, b],c`` -> two items)."""
    items, depth, quote, current = [], 0, "", []
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    return items


def _normal_path(path: str, where: str) -> str:
    try:
        return format_path(split_path(path))
    except OverrideError as error:
        raise SweepInputError(f"{where}: {error}") from None


def parse_vary(text: str) -> Axis:
    """``"pools.voice.agents=60:80:5"`` or ``"policy.social_mode=serve,deflect"``.

    Items are separated by commas (outside brackets and quotes); an item ``a:b:step`` is an
    inclusive range; any other item is read as YAML, like a ``--set`` value.
    """
    where = f"--vary '{text}'"
    if "=" not in text:
        raise SweepInputError(f"{where}: write PATH=VALUES, e.g. pools.voice.agents=60:80:5")
    path, rest = text.split("=", 1)
    if not path.strip():
        raise SweepInputError(f"{where}: the path is empty")
    path = _normal_path(path, where)
    values: list[Any] = []
    for item in split_top_level(rest):
        if not item.strip():
            raise SweepInputError(f"{where}: an empty value (two commas in a row?)")
        expanded = expand_range(item)
        if expanded is not None:
            values.extend(expanded)
            continue
        try:
            values.append(parse_value(item))
        except OverrideError as error:
            raise SweepInputError(f"{where}: {error}") from None
    return Axis(path, tuple(values))


def make_axis(path: str, values: Any) -> Axis:
    """An axis from the Python API: a sequence of values, or a string as for ``--vary``."""
    if isinstance(values, str):
        return parse_vary(f"{path}={values}")
    if isinstance(values, Mapping) or not isinstance(values, Sequence | np.ndarray | range):
        raise SweepInputError(
            f"vary[{path!r}]: give a list of values or a string like '60:80:5' "
            f"(got {type(values).__name__})"
        )
    items = [v.item() if isinstance(v, np.generic) else v for v in values]
    if not items:
        raise SweepInputError(f"vary[{path!r}]: no values")
    return Axis(_normal_path(path, f"vary[{path!r}]"), tuple(items))


def grid(axes: Sequence[Axis], zipped: bool = False) -> list[dict[str, Any]]:
    """Every point of the grid (first axis slowest), or the paired lists with ``zipped``."""
    if not axes:
        raise SweepInputError("nothing to sweep: give at least one --vary PATH=VALUES")
    paths = [axis.path for axis in axes]
    repeated = sorted({p for p in paths if paths.count(p) > 1})
    if repeated:
        raise SweepInputError(f"--vary {repeated[0]} is given more than once")
    for axis in axes:
        if not axis.values:
            raise SweepInputError(f"--vary {axis.path}: no values")
    if zipped:
        lengths = {len(axis.values) for axis in axes}
        if len(lengths) > 1:
            counts = ", ".join(f"{a.path}: {len(a.values)}" for a in axes)
            raise SweepInputError(f"--zip needs lists of the same length ({counts})")
        combos = list(zip(*(axis.values for axis in axes), strict=True))
    else:
        total = math.prod(len(axis.values) for axis in axes)
        if total > MAX_POINTS:
            raise SweepInputError(f"the grid has {total:,} points; at most {MAX_POINTS:,}")
        combos = list(product(*(axis.values for axis in axes)))
    return [dict(zip(paths, combo, strict=True)) for combo in combos]


def show_value(value: Any) -> str:
    """A value as written on the command line (YAML flow style for lists and mappings)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(", ", ": "), default=str)
    return str(value)


def describe_values(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{path}={show_value(value)}" for path, value in values.items())


# --- points -----------------------------------------------------------------------------------


@dataclass
class Point:
    index: int
    folder: str
    values: dict[str, Any]
    scenario: Scenario


def apply_values(
    data: dict[str, Any], values: Mapping[str, Any], file: str = "<scenario>"
) -> Scenario:
    """Validate a copy of ``data`` with ``values`` set at their dotted paths."""
    data = copy.deepcopy(data)
    problems = []
    for path, value in values.items():
        try:
            set_path(data, split_path(path), copy.deepcopy(value))
        except OverrideError as error:
            problems.append(Problem(file, "", str(error)))
    if problems:
        raise ScenarioError(problems)
    return validate_data(data, file)


def build_points(
    base: Scenario, axes: Sequence[Axis], zipped: bool = False, source: str = "<scenario>"
) -> list[Point]:
    """Every point's scenario, validated up front; all problems reported at once."""
    combos = grid(axes, zipped)
    data = base.model_dump(mode="json", by_alias=True)
    width = max(3, len(str(len(combos) - 1)))
    points, problems = [], []
    for index, values in enumerate(combos):
        folder = f"p{index:0{width}d}"
        label = f"{source} (point {folder}: {describe_values(values)})"
        try:
            scenario = apply_values(data, values, label)
        except ScenarioError as error:
            problems.extend(error.problems)
            continue
        points.append(Point(index, folder, values, scenario))
    if problems:
        raise ScenarioError(problems)
    return points


# --- the manifest -----------------------------------------------------------------------------


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
        "scenario": base.name,
        "source": source,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "fingerprint": {
            "scenario": _digest(base.model_dump(mode="json", by_alias=True)),
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
    "scenario": "the scenario (its file, --set, --seed or --replications)",
    "grid": "the grid (--vary, --zip)",
    "sampling": "the sampling (--precision, --max-replications, --precision-metric)",
}


def _mismatch(out_dir: Path, new: dict[str, Any]) -> str | None:
    """Why the sweep in ``out_dir`` is not this one (None: same sweep, or none there)."""
    path = out_dir / MANIFEST
    if not path.exists():
        stale = [p.name for p in _point_folders(out_dir)]
        if stale:
            return f"{out_dir} holds point folders ({stale[0]}, ...) but no {MANIFEST}"
        return None
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        fingerprint = old["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        return f"{path} cannot be read"
    changed = [_WHAT[k] for k in _WHAT if fingerprint.get(k) != new["fingerprint"][k]]
    if not changed:
        return None
    return f"{path} is another sweep: {' and '.join(changed)} changed"


def _point_folders(out_dir: Path) -> list[Path]:
    if not out_dir.is_dir():
        return []
    return sorted(p for p in out_dir.iterdir() if p.is_dir() and _POINT_FOLDER.match(p.name))


def is_finished(folder: Path) -> bool:
    return (folder / DONE).is_file() and (folder / "summary.csv").is_file()


def _clear(out_dir: Path) -> None:
    """Remove a previous sweep's point folders, temporary folders and tables (--force)."""
    for path in out_dir.iterdir():
        if path.is_dir() and (_POINT_FOLDER.match(path.name) or _TEMP_FOLDER.match(path.name)):
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
    write_run(result, tmp)
    add_precision_to_run_json(tmp, status)
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


# --- sweep.csv --------------------------------------------------------------------------------


def _cell_value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"), default=str)
    return value


def sweep_frame(out_dir: Path, points: Sequence[Point]) -> pd.DataFrame:
    """The tidy sweep table, rebuilt from the finished point folders (in point order)."""
    frames = []
    for point in points:
        summary = pd.read_csv(out_dir / point.folder / "summary.csv")
        for position, (path, value) in enumerate(point.values.items()):
            summary.insert(position, path, [_cell_value(value)] * len(summary))
        frames.append(summary)
    return pd.concat(frames, ignore_index=True)


def sweep_columns(paths: Sequence[str]) -> list[str]:
    return [*paths, *SUMMARY_COLUMNS]


# --- progress ---------------------------------------------------------------------------------


class SweepProgress:
    """A rich progress bar over replications, with points done and an ETA (stderr)."""

    def __init__(self, label: str, enabled: bool = True) -> None:
        from sim.console import progress_bar

        self.label = label
        self.progress = progress_bar("replications · {task.fields[points]}", enabled)
        self.task: Any = None
        self.points_total = 0
        self.points_done = 0

    def __enter__(self) -> SweepProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *args: Any) -> None:
        self.progress.__exit__(*args)

    def start(self, points_total: int, points_done: int) -> None:
        self.points_total, self.points_done = points_total, points_done
        self.task = self.progress.add_task(self.label, total=0, points=self._points())

    def _points(self) -> str:
        return f"{self.points_done}/{self.points_total} points"

    def scheduled(self, count: int) -> None:
        total = (self.progress.tasks[0].total or 0) + count
        self.progress.update(self.task, total=total)

    def replication(self) -> None:
        self.progress.advance(self.task)

    def point_done(self) -> None:
        self.points_done += 1
        self.progress.update(self.task, points=self._points())


# --- running a sweep --------------------------------------------------------------------------


@dataclass
class SweepOutcome:
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
    plots: bool = False,
    progress: SweepProgress | None = None,
    on_point: Callable[[Point], None] | None = None,
) -> SweepOutcome:
    """Run (or resume) a sweep of ``base`` over ``axes`` into ``out_dir``.

    Raises :class:`ScenarioError` if any point's scenario is bad (nothing is run),
    :class:`SweepInputError` for a bad grid or a folder holding a different sweep (unless
    ``force``), and :class:`SweepInterrupted` on Ctrl-C (finished points are kept).
    ``on_point`` is called after each point is written (tests use it to interrupt).
    """
    started = time.perf_counter()
    points = build_points(base, axes, zipped, source)
    for point in points:  # checks the cap against each point's replications up front
        Job(point.folder, point.scenario, precision)
    manifest = manifest_for(base, axes, zipped, precision, points, source)
    out_dir = Path(out_dir)
    reason = _mismatch(out_dir, manifest)
    if reason and not force:
        finished = sum(is_finished(p) for p in _point_folders(out_dir))
        raise SweepInputError(
            f"{reason}; refusing to mix sweeps ({finished} finished point"
            f"{'s' if finished != 1 else ''} there). Use another -o folder, or --force to "
            "discard them and start afresh"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    if reason:
        _clear(out_dir)
    for path in out_dir.iterdir():  # temporary folders of an interrupted run
        if path.is_dir() and _TEMP_FOLDER.match(path.name):
            shutil.rmtree(path, ignore_errors=True)
    if not (out_dir / MANIFEST).exists():
        atomic_write_text(out_dir / MANIFEST, json.dumps(manifest, indent=2, default=str) + "\n")

    reused = [p.folder for p in points if is_finished(out_dir / p.folder)]
    finished = set(reused)
    todo = [p for p in points if p.folder not in finished]
    jobs = [Job(p.folder, p.scenario, precision) for p in todo]
    by_folder = {p.folder: p for p in points}
    computed: list[str] = []
    statuses: dict[str, PrecisionStatus] = {}
    executor_name = "nothing to compute"
    if progress is not None:
        progress.start(len(points), len(reused))
    if jobs:
        tasks = sum(
            precision.max_replications if precision else job.scenario.run.replications
            for job in jobs
        )
        try:
            with executor_for(workers, dask, tasks) as executor:
                executor_name = executor.describe()

                def done(job: Job) -> None:
                    point = by_folder[str(job.key)]
                    write_point(out_dir, point, job.run_result(executor.workers), job.status)
                    computed.append(point.folder)
                    if job.status is not None:
                        statuses[point.folder] = job.status
                    if progress is not None:
                        progress.point_done()
                    if on_point is not None:
                        on_point(point)

                replicate(
                    jobs,
                    executor,
                    on_replication=(lambda *_: progress.replication()) if progress else None,
                    on_scheduled=(lambda _, n: progress.scheduled(n)) if progress else None,
                    on_done=done,
                )
        except KeyboardInterrupt:
            kept = sum(is_finished(out_dir / p.folder) for p in points)
            raise SweepInterrupted(kept, len(points), out_dir) from None
    frame = sweep_frame(out_dir, points)
    atomic_write_csv(out_dir / SWEEP_CSV, frame)
    if plots:  # frontier, heat map / metric against parameter, and report.html
        from sim.experiment_plots import write_sweep_report

        write_sweep_report(out_dir)
    return SweepOutcome(
        out_dir,
        points,
        computed,
        reused,
        frame,
        time.perf_counter() - started,
        executor_name,
        statuses,
    )


# --- terminal table and frontier plot ---------------------------------------------------------


def point_summaries(out_dir: Path, points: Sequence[Point]) -> list[pd.DataFrame]:
    """Each finished point's ``summary.csv``, indexed by ``(scope, metric)``."""
    return [
        pd.read_csv(out_dir / p.folder / "summary.csv").set_index(["scope", "metric"])
        for p in points
    ]


def key_columns(summaries: Sequence[pd.DataFrame]) -> list[Key]:
    """Metrics worth a column in the terminal table: service levels, then cost."""
    keys: list[Key] = []
    for channel in CHANNELS:
        for summary in summaries:
            offered = summary["mean"].get((channel, "offered"), 0)
            if (channel, "service_level") in summary.index and offered > 0:
                keys.append((channel, "service_level"))
                break
    for key in [("centre", "cost_total"), ("centre", "cost_per_issue")]:
        if any(key in summary.index for summary in summaries):
            keys.append(key)
    return keys


def _format(row: pd.Series | None, fmt: str) -> str:
    if row is None or not math.isfinite(row["mean"]):
        return "–"
    text = fmt.format(row["mean"])
    if math.isfinite(row["ci_low"]):
        text += " ± " + fmt.format((row["ci_high"] - row["ci_low"]) / 2)
    return text


def sweep_table(outcome: SweepOutcome, limit: int = 40) -> Any:
    """A rich table: one row per point (values, service levels and cost, mean ± CI)."""
    from rich.table import Table

    shown = outcome.points[:limit]
    summaries = point_summaries(outcome.out_dir, shown)
    keys = key_columns(summaries)
    table = Table(
        title=f"sweep: {len(outcome.points)} points (mean ± 95% CI)", title_justify="left"
    )
    table.add_column("point")
    for path in outcome.paths:
        table.add_column(path, justify="right")
    for scope, metric in keys:
        table.add_column(f"{scope} SL" if metric == "service_level" else metric, justify="right")
    table.add_column("reps", justify="right")
    formats = {"service_level": "{:.1%}", "cost_total": "{:,.0f}", "cost_per_issue": "{:,.2f}"}
    for point, summary in zip(shown, summaries, strict=True):
        cells = [point.folder, *(show_value(v) for v in point.values.values())]
        for key in keys:
            row = summary.loc[key] if key in summary.index else None
            cells.append(_format(row, formats[key[1]]))
        reps = summary["replications"].max() if len(summary) else 0
        table.add_row(*cells, str(int(reps)))
    if len(outcome.points) > limit:
        table.caption = f"first {limit} of {len(outcome.points)} points; all in sweep.csv"
    return table
