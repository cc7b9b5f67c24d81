"""Customer patience from waits: abandons are observed patience, answers censor it.

A caller answered after waiting ``w`` had patience longer than ``w`` (right-censored); one who
abandoned after ``w`` had patience ``w``. For exponential patience (the scenario's usual
``{dist: exponential, mean: 3min}``, and Erlang A's) the maximum-likelihood rate is
*abandons / total time waited*, and the number of abandons given the exposure is Poisson, so
the exact (Garwood) χ² interval of a Poisson rate applies.

Whether exponential fits is checked two ways: a Weibull fitted to the same censored data
(profile likelihood for its shape; shape 1 is the exponential, so an interval excluding 1
says patience is not memoryless — callers who have waited a while are more, or less, likely
to hang up), and the largest gap between the Kaplan–Meier survival curve (SciPy's ``ecdf``
of censored data) and the fitted exponential. The curve itself is returned for the report.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import optimize, stats

from sim.scenario.registry import assisted_names
from sim.studies.fit.estimate import (
    CONFIDENCE,
    Estimate,
    Fitted,
    Unfitted,
    poisson_rate_interval,
)

CURVE_POINTS = 200


def fit_patience(frame: pd.DataFrame) -> tuple[Fitted, pd.DataFrame]:
    """Patience per assisted channel that has abandons; KM curves for the report."""
    estimates: list[Estimate] = []
    unfitted: list[Unfitted] = []
    curves = []
    outcome = np.asarray(frame["outcome"])
    channel = np.asarray(frame["channel"])
    wait = frame["wait"].to_numpy(float)
    for ch in assisted_names():
        mask = (channel == ch) & np.isin(outcome, ["answered", "abandoned"]) & np.isfinite(wait)
        abandoned = outcome[mask] == "abandoned"
        if not abandoned.any():
            if ch == "phone":
                reason = "no abandoned phone contacts in the log"
                unfitted.append(Unfitted("channels.phone.patience", reason))
            continue
        rows, curve = censored_exponential(f"channels.{ch}.patience", wait[mask], abandoned)
        estimates += rows
        curves.append(curve.assign(channel=ch))
    table = pd.concat(curves, ignore_index=True) if curves else pd.DataFrame()
    return (estimates, unfitted), table


def censored_exponential(
    prefix: str, waits: np.ndarray, abandoned: np.ndarray
) -> tuple[list[Estimate], pd.DataFrame]:
    """``prefix.mean`` (exponential MLE) and ``prefix.weibull_shape`` rows, and the KM curve."""
    events = int(abandoned.sum())
    exposure = float(waits.sum())
    n = len(waits)
    mean = exposure / events
    rate_low, rate_high = poisson_rate_interval(events, exposure)
    method = (
        f"exponential MLE with answered waits censored: total wait / {events:,} abandons; "
        "exact chi-square"
    )
    low, high = 1 / rate_high, 1 / rate_low
    rows = [Estimate(f"{prefix}.mean", mean, low, high, n, method, "s", "exponential")]
    curve, gap = kaplan_meier(waits, abandoned, mean)
    shape, low, high = weibull_shape(waits, abandoned)
    verdict = "exponential fits" if low <= 1.0 <= high else "not exponential"
    rows.append(
        Estimate(
            f"{prefix}.weibull_shape",
            shape,
            low,
            high,
            n,
            f"Weibull shape, censored MLE, profile-likelihood interval (1 = exponential: "
            f"{verdict}); max |Kaplan-Meier - exponential| = {gap:.3f}",
        )
    )
    return rows, curve


def kaplan_meier(
    waits: np.ndarray, abandoned: np.ndarray, mean: float
) -> tuple[pd.DataFrame, float]:
    """Kaplan–Meier survival of patience with its 95% band and the exponential of ``mean``
    (at most ``CURVE_POINTS`` rows), and the largest gap between the two at any abandon."""
    data = stats.CensoredData(uncensored=waits[abandoned], right=waits[~abandoned])
    sf = stats.ecdf(data).sf
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # undefined band past the last event
        band = sf.confidence_interval(CONFIDENCE)
    times = np.asarray(sf.quantiles, float)
    survival = np.asarray(sf.probabilities, float)
    exponential = np.exp(-times / mean)
    gap = float(np.max(np.abs(survival - exponential), initial=0.0))
    pick = np.unique(np.linspace(0, len(times) - 1, min(CURVE_POINTS, len(times))).astype(int))
    curve = pd.DataFrame(
        {
            "seconds": times[pick],
            "survival": survival[pick],
            "low": np.asarray(band.low.probabilities, float)[pick],
            "high": np.asarray(band.high.probabilities, float)[pick],
            "exponential": exponential[pick],
        }
    )
    return curve, gap


def weibull_shape(waits: np.ndarray, abandoned: np.ndarray) -> tuple[float, float, float]:
    """Weibull shape of right-censored data: MLE and profile-likelihood 95% interval.

    For a fixed shape ``k`` the scale's MLE is closed-form, ``λ^k = Σ t^k / d`` over all
    waits with ``d`` abandons, which leaves the one-dimensional profile
    ``ℓ(k) = d log k − d log(Σ t^k / d) + (k − 1) Σ_abandons log t − d``.
    """
    scale = float(np.mean(waits)) or 1.0
    t = waits / scale
    events = t[abandoned]
    positive = events[events > 0]
    floor = (positive.min() if len(positive) else 1.0) / 2
    log_events = np.log(np.maximum(events, floor)).sum()
    d = len(events)
    log_t = np.log(np.where(t > 0, t, 1.0))
    zero = t <= 0

    def profile(k: float) -> float:
        total = float(np.sum(np.where(zero, 0.0, np.exp(k * log_t))))
        return d * math.log(k) - d * math.log(total / d) + (k - 1) * log_events - d

    best = optimize.minimize_scalar(lambda k: -profile(k), bounds=(0.02, 50.0), method="bounded")
    k_hat, top = float(best.x), -float(best.fun)
    cut = top - stats.chi2.ppf(CONFIDENCE, 1) / 2

    def side(a: float, b: float) -> float:
        if (profile(a) - cut) * (profile(b) - cut) > 0:
            return a
        return float(optimize.brentq(lambda k: profile(k) - cut, a, b, xtol=1e-6))

    return k_hat, side(0.02, k_hat), side(50.0, k_hat)
