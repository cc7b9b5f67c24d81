"""The result types every estimator shares, and the interval formulas they use.

An :class:`Estimate` is one row of ``fit.csv``: a parameter named by its scenario path
(``channels.phone.handle_time.mean``), the estimate, its 95% confidence interval, the sample
size it rests on and how it was obtained. An :class:`Unfitted` names a parameter the log could
not inform, and why, so the fitted scenario can say what was left at the base or default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

CONFIDENCE = 0.95
ESTIMATE_COLUMNS = ["parameter", "estimate", "ci_low", "ci_high", "n", "method"]


@dataclass(frozen=True)
class Estimate:
    """One fitted number with its 95% interval and sample size.

    ``unit`` is ``"s"`` for durations (seconds) and empty otherwise; ``dist`` names the
    distribution family a ``mean``/``cv`` row belongs to (``lognormal``, ...), so the
    scenario writer can write ``{dist: lognormal, mean: ..., cv: ...}``.
    """

    parameter: str
    estimate: float
    ci_low: float
    ci_high: float
    n: int
    method: str
    unit: str = ""
    dist: str | None = None

    def row(self) -> tuple[str, float, float, float, int, str]:
        """The ``fit.csv`` row: parameter, estimate, ci_low, ci_high, n, method."""
        return (self.parameter, self.estimate, self.ci_low, self.ci_high, self.n, self.method)

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies in the 95% interval (used by tests and checks)."""
        return bool(self.ci_low <= value <= self.ci_high)


@dataclass(frozen=True)
class Unfitted:
    """A scenario parameter the log could not inform, and why."""

    parameter: str
    reason: str

    def __str__(self) -> str:
        return f"{self.parameter}: {self.reason}"


Fitted = tuple[list[Estimate], list[Unfitted]]
"""What each estimator returns: the rows it could fit and the parameters it could not."""


def share(parameter: str, k: int, n: int, method: str) -> Estimate:
    """A proportion ``k / n`` with its Wilson score interval (SciPy's ``binomtest``)."""
    if n <= 0:
        return Estimate(parameter, math.nan, math.nan, math.nan, 0, method)
    ci = stats.binomtest(int(k), int(n)).proportion_ci(CONFIDENCE, method="wilson")
    return Estimate(parameter, k / n, float(ci.low), float(ci.high), int(n), method)


def shares(prefix: str, counts: dict[str, int], method: str) -> list[Estimate]:
    """Each category's share of the total, with Wilson intervals (``prefix.category`` rows)."""
    total = int(sum(counts.values()))
    return [share(f"{prefix}.{key}", int(k), total, method) for key, k in counts.items()]


def poisson_rate_interval(events: int, exposure: float) -> tuple[float, float]:
    """Exact (Garwood) 95% interval of a Poisson rate from ``events`` over ``exposure``.

    Also the exact interval of an exponential rate from right-censored data, where
    ``events`` are the uncensored observations and ``exposure`` the total time observed.
    """
    alpha = 1.0 - CONFIDENCE
    low = stats.chi2.ppf(alpha / 2, 2 * events) / 2 if events > 0 else 0.0
    high = stats.chi2.ppf(1 - alpha / 2, 2 * events + 2) / 2
    return float(low) / exposure, float(high) / exposure


def z_value() -> float:
    """The normal quantile of a two-sided 95% interval (1.96)."""
    return float(stats.norm.ppf(0.5 + CONFIDENCE / 2))
