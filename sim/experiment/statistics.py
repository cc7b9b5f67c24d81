"""Statistics across replications: t intervals, Welch and paired differences, summaries.

Replications are independent, so a metric's mean over replications has a t-based
confidence interval. Two scenarios run with the same seed and replication indices see the
same customers (common random numbers): their difference is then judged *paired*,
replication by replication, which cancels the noise they share; otherwise Welch's unpaired
interval is the honest one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.experiment.catalogue import Key
from sim.experiment.t_table import MAX_DF, T975
from sim.io.run_folder import SUMMARY_COLUMNS
from sim.io.table import Table

if TYPE_CHECKING:
    import pandas as pd

    from sim.experiment.results import ReplicationResult
    from sim.io.table import Column

CONFIDENCE = 0.95


def t_quantile(probability: float, df: float) -> float:
    """The Student t quantile at ``probability`` with ``df`` degrees of freedom.

    The 95% intervals' quantile (0.975) for whole ``df`` up to 1000 comes from a table of
    SciPy's own values (:mod:`sim.experiment.t_table`), so a run never imports SciPy for its
    intervals; anything else (another confidence, Welch's fractional ``df``) asks SciPy.
    """
    if probability == 0.975 and df == int(df) and 1 <= df <= MAX_DF:
        return T975[int(df)]
    from scipy import special

    return float(special.stdtrit(df, probability))


@dataclass(frozen=True)
class Stat:
    """One metric across replications: mean, standard deviation and count of finite values."""

    mean: float
    sd: float
    n: int

    @classmethod
    def of(cls, values: np.ndarray) -> Stat:
        """The statistics of the finite values among ``values``."""
        finite = values[np.isfinite(values)]
        n = len(finite)
        mean = float(finite.mean()) if n else math.nan
        sd = float(finite.std(ddof=1)) if n > 1 else math.nan
        return cls(mean, sd, n)

    def interval(self, confidence: float = CONFIDENCE) -> tuple[float, float]:
        """Two-sided t interval; the mean twice at confidence 0; NaN when it is undefined."""
        if self.n == 0 or not math.isfinite(self.mean):
            return math.nan, math.nan
        if confidence <= 0.0:
            return self.mean, self.mean
        if self.n < 2:
            return math.nan, math.nan
        half = t_quantile(0.5 + confidence / 2, self.n - 1) * self.sd
        half /= math.sqrt(self.n)
        return self.mean - half, self.mean + half


def confidence_interval(values: np.ndarray) -> tuple[float, float, float, int]:
    """Mean and t-based 95% CI of the finite values; the CI is NaN with fewer than two."""
    stat = Stat.of(np.asarray(values, dtype=float))
    low, high = stat.interval(CONFIDENCE) if stat.n >= 2 else (math.nan, math.nan)
    return stat.mean, low, high, stat.n


def welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Difference of means ``b − a`` and its Welch 95% CI."""
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) == 0 or len(b) == 0:
        return math.nan, math.nan, math.nan
    diff = float(b.mean() - a.mean())
    if len(a) < 2 or len(b) < 2:
        return diff, math.nan, math.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = t_quantile(0.5 + CONFIDENCE / 2, df) * se
    return diff, diff - half, diff + half


def paired(a: pd.Series, b: pd.Series) -> tuple[float, float, float]:
    """Mean per-replication difference ``b − a`` (matched by index) and its t-based 95% CI."""
    import pandas as pd

    both = pd.concat([a, b], axis=1, join="inner").to_numpy(dtype=float)
    mean, low, high, _ = confidence_interval(both[:, 1] - both[:, 0])
    return mean, low, high


def summarise(values: Mapping[Key, np.ndarray]) -> Table:
    """Means with CIs of each ``(scope, metric)``'s values over replications, in the order
    given: ``scope, metric, mean, ci_low, ci_high, replications``."""
    rows = [(*key, *confidence_interval(v)) for key, v in values.items()]
    names = list(SUMMARY_COLUMNS)
    columns: dict[str, Column] = {name: [row[i] for row in rows] for i, name in enumerate(names)}
    for name in ("mean", "ci_low", "ci_high"):
        columns[name] = np.array(columns[name], dtype=float)
    columns["replications"] = np.array(columns["replications"], dtype=np.int64)
    return Table(columns)


def metric_stats(replications: pd.DataFrame) -> dict[Key, Stat]:
    """Per ``(scope, metric)`` statistics of a tidy ``replication, scope, metric, value``."""
    return {
        (str(scope), str(metric)): Stat.of(group["value"].to_numpy(dtype=float))
        for (scope, metric), group in replications.groupby(["scope", "metric"], sort=False)
    }


def metric_arrays(results: Sequence[ReplicationResult]) -> dict[Key, np.ndarray]:
    """Per ``(scope, metric)``, the values over ``results`` in the order given."""
    values: dict[Key, list[float]] = {}
    for result in results:
        for key, value in result.metrics.items():
            values.setdefault(key, []).append(value)
    return {key: np.asarray(v, dtype=float) for key, v in values.items()}
