"""Results of replications: one replication's metrics and intervals, and a whole run's.

Replication ``r`` always draws from the same named streams (:mod:`sim.model.streams`), so the
results are identical whether replications run one after another or in parallel processes,
and two scenarios run with the same seed see the same customers (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from sim.experiment.catalogue import Metrics
from sim.experiment.statistics import summarise
from sim.io.run_folder import REPLICATION_COLUMNS
from sim.model.clock import WEEK
from sim.scenario.schema import WEEKDAYS, Scenario
from sim.scenario.units import DAY


@dataclass
class ReplicationResult:
    """What one replication produced: whole-horizon metrics and per-interval tables."""

    replication: int
    metrics: Metrics  # (scope, metric) -> value
    intervals: pd.DataFrame  # interval, scope, and the interval columns
    contacts_simulated: int  # every contact, warm-up included (for throughput)


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
        return pd.DataFrame(rows, columns=list(REPLICATION_COLUMNS))

    def summary(self) -> pd.DataFrame:
        """Tidy: ``scope, metric, mean, ci_low, ci_high, replications`` (t-based 95% CI)."""
        return summarise(self.replications_frame())

    def intervals(self) -> pd.DataFrame:
        """Per interval and scope, the mean over replications, with clock columns."""
        return interval_table(self.scenario, [r.intervals for r in self.replications])


def interval_table(scenario: Scenario, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Mean of the per-interval tables over replications, with day and time-of-day columns."""
    stacked = pd.concat(frames, ignore_index=True)
    keys = ["interval", "scope"]
    table = stacked.groupby(keys, sort=False).mean(numeric_only=True).reset_index()
    start = table["interval"].to_numpy() * scenario.run.interval
    table.insert(2, "day", (start // DAY).astype(int))
    table.insert(3, "weekday", [WEEKDAYS[int(s % WEEK // DAY)] for s in start])
    table.insert(4, "time", [clock_text(s % DAY) for s in start])
    table.insert(2, "channel", table["scope"].where(~table["scope"].str.contains(":|centre"), ""))
    return table


def clock_text(seconds: float) -> str:
    """Seconds after midnight as ``HH:MM``."""
    minutes = round(seconds / 60.0)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
