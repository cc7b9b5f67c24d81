"""Sequential sampling: add replications until the confidence intervals are narrow enough.

``precision`` is a fraction: replications are added until every target metric's 95% CI
half-width is within that fraction of its mean, or ``max_replications`` is reached. New
batches continue the replication indices (``R, R+1, ...``), so common random numbers hold,
and the stopping decision depends only on the replications themselves, never on which worker
finished first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.experiment.catalogue import Key, MetricNameError, check_metric, parse_metric
from sim.experiment.errors import InputError, Setting
from sim.experiment.statistics import confidence_interval, metric_arrays

if TYPE_CHECKING:
    from sim.experiment.results import ReplicationResult
    from sim.scenario.schema import Scenario

DEFAULT_MAX_REPLICATIONS = 100


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
            raise InputError(
                f"precision must be a positive fraction (got {self.relative})", "precision"
            )
        if self.max_replications < 2:
            raise InputError(
                f"max_replications must be at least 2 (got {self.max_replications})",
                "max_replications",
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "relative_half_width": self.relative,
            "max_replications": self.max_replications,
            "metrics": [f"{s}.{m}" for s, m in self.metrics] or "default",
        }

    def check(self, scenario: Scenario) -> None:
        """Refuse, before simulating, a cap below the first batch or an unknown metric."""
        first = scenario.run.replications
        if self.max_replications < first:
            raise InputError(
                [
                    f"max_replications ({self.max_replications}) is below the {first} "
                    "replications to start with; raise it or lower ",
                    Setting("replications"),
                ],
                "max_replications",
            )
        for scope, metric in self.metrics:
            try:
                check_metric((scope, metric), scenario)
            except MetricNameError as error:
                raise InputError(
                    f"precision_metrics {scope}.{metric}: {error}", "precision_metrics"
                ) from None

    def targets(self, values: Mapping[Key, np.ndarray]) -> list[Key]:
        """The metrics to hold to the target, given the replications so far."""
        if self.metrics:
            return list(self.metrics)
        targets: list[Key] = []
        channels = dict.fromkeys(scope for scope, metric in values if metric == "offered")
        for channel in channels:
            offered = values[(channel, "offered")]
            if not np.nansum(offered) > 0:
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
    """One target metric's half-width against the allowed one."""

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
    """Where sequential sampling stands after some replications."""

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


def make_precision(
    relative: float | None,
    max_replications: int | None = None,
    metrics: Sequence[str] | Sequence[Key] = (),
) -> Precision | None:
    """A :class:`Precision` from CLI/API arguments, or None without ``relative``."""
    if relative is None:
        if metrics or max_replications is not None:
            raise InputError(
                [
                    Setting("max_replications"),
                    " and ",
                    Setting("precision_metrics"),
                    " need ",
                    Setting("precision"),
                    " (e.g. 0.02)",
                ]
            )
        return None
    keys = []
    for item in metrics:
        if isinstance(item, str):
            try:
                keys.append(parse_metric(item))
            except MetricNameError as error:
                raise InputError(f"precision_metrics {error}", "precision_metrics") from None
        else:
            keys.append(tuple(item))
    cap = DEFAULT_MAX_REPLICATIONS if max_replications is None else max_replications
    return Precision(float(relative), int(cap), tuple(keys))  # type: ignore[arg-type]
