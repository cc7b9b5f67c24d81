"""Results of replications: one replication's metrics and intervals, and a whole run's.

Replication ``r`` always draws from the same named streams (:mod:`sim.model.streams`), so the
results are identical whether replications run one after another or in parallel processes,
and two scenarios run with the same seed see the same customers (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from sim.experiment.catalogue import Metrics
from sim.experiment.statistics import metric_arrays, summarise
from sim.io.run_folder import INTERVAL_FIGURES
from sim.io.table import Table
from sim.model.clock import WEEK
from sim.scenario.schema import WEEKDAYS, Scenario
from sim.scenario.units import DAY

if TYPE_CHECKING:
    import pandas as pd

    from sim.io.table import Column


@dataclass
class ReplicationResult:
    """What one replication produced: whole-horizon metrics and per-interval tables."""

    replication: int
    metrics: Metrics  # (scope, metric) -> value
    interval_table: Table  # interval, scope, and the interval columns
    contacts_simulated: int  # every contact, warm-up included (for throughput)

    @property
    def intervals(self) -> pd.DataFrame:
        """The per-interval table as a DataFrame (imports pandas)."""
        return self.interval_table.frame()


@dataclass
class RunResult:
    """Every replication of one scenario, with the tidy tables built from them.

    The tables are built without pandas (``ccsim run`` writes them so); ``summary()``,
    ``replications_frame()`` and ``intervals()`` give the same tables as DataFrames.
    """

    scenario: Scenario
    replications: list[ReplicationResult]
    wall_seconds: float
    workers: int = 1
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def contacts_simulated(self) -> int:
        """Contacts simulated across replications, warm-up included."""
        return sum(r.contacts_simulated for r in self.replications)

    def replications_table(self) -> Table:
        """Tidy: ``replication, scope, metric, value``."""
        rows = [
            (r.replication, scope, metric, value)
            for r in self.replications
            for (scope, metric), value in r.metrics.items()
        ]
        return Table(
            {
                "replication": np.array([row[0] for row in rows], dtype=np.int64),
                "scope": [row[1] for row in rows],
                "metric": [row[2] for row in rows],
                "value": np.array([row[3] for row in rows], dtype=float),
            }
        )

    def summary_table(self) -> Table:
        """Tidy: ``scope, metric, mean, ci_low, ci_high, replications`` (t-based 95% CI)."""
        return summarise(metric_arrays(self.replications))

    def intervals_table(self) -> Table:
        """Per interval and scope, the mean over replications, with clock columns."""
        return interval_table(self.scenario, [r.interval_table for r in self.replications])

    def replications_frame(self) -> pd.DataFrame:
        """:meth:`replications_table` as a DataFrame."""
        return self.replications_table().frame()

    def summary(self) -> pd.DataFrame:
        """:meth:`summary_table` as a DataFrame."""
        return self.summary_table().frame()

    def intervals(self) -> pd.DataFrame:
        """:meth:`intervals_table` as a DataFrame."""
        return self.intervals_table().frame()


def interval_table(scenario: Scenario, tables: list[Table]) -> Table:
    """Mean of the per-interval tables over replications, with channel, day, weekday and
    time-of-day columns after ``interval`` and ``scope``.

    Every replication of a scenario has the same rows (intervals and scopes, in the same
    order), so the mean is taken cell by cell. It is pandas' ``groupby(...).mean()`` to the
    bit: NaN skipped, a Kahan-compensated sum over the replications in order, divided by the
    count (NaN when nothing was counted).
    """
    first = tables[0]
    for table in tables[1:]:
        same = np.array_equal(table.columns["interval"], first.columns["interval"])
        if not same or list(table.columns["scope"]) != list(first.columns["scope"]):
            raise ValueError("the replications' interval tables have different rows")
    start = first.columns["interval"] * scenario.run.interval
    scopes = list(first.columns["scope"])
    columns: dict[str, Column] = {
        "interval": first.columns["interval"],
        "scope": scopes,
        "channel": ["" if ":" in s or "centre" in s else s for s in scopes],
        "day": (start // DAY).astype(int),
        "weekday": [WEEKDAYS[int(s % WEEK // DAY)] for s in start],
        "time": [clock_text(s % DAY) for s in start],
    }
    for name in INTERVAL_FIGURES:
        columns[name] = kahan_mean([np.asarray(t.columns[name], float) for t in tables])
    return Table(columns)


def kahan_mean(arrays: list[np.ndarray]) -> np.ndarray:
    """Element-wise mean of equally long arrays, skipping NaN, summed as pandas sums a
    group's values for its mean (Kahan compensation, reset where an infinity makes it NaN)."""
    total = np.zeros_like(arrays[0])
    compensation = np.zeros_like(total)
    count = np.zeros(total.shape, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        for values in arrays:
            present = ~np.isnan(values)
            y = values - compensation
            t = total + y
            error = (t - total) - y
            error[np.isnan(error)] = 0.0
            compensation = np.where(present, error, compensation)
            total = np.where(present, t, total)
            count += present
        return np.where(count > 0, total / count, np.nan)


def clock_text(seconds: float) -> str:
    """Seconds after midnight as ``HH:MM``."""
    minutes = round(seconds / 60.0)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
