"""Durations (handle times, retry and reply delays): exponential, lognormal or gamma.

A scenario states a duration as ``{dist: lognormal, mean: 6min, cv: 0.6}``, so each fit is
reported as a mean and a CV. The three families are fitted by maximum likelihood (SciPy,
location fixed at 0) and the one with the lowest AIC is chosen (exponential has one
parameter, the others two). The chosen family's Kolmogorov–Smirnov distance D is reported
as a goodness-of-fit statistic (no p-value: the parameters were estimated from the same data,
and with thousands of values any real-world misfit is "significant"; D is the largest gap
between the fitted and observed distribution functions).

Intervals follow each family's MLE: exponential, the exact χ² interval of the mean;
lognormal, the delta method for ``exp(μ + σ²/2)`` and the exact χ² interval of ``σ²`` for the
CV; gamma, the exact standard error of the mean (the MLE of the mean is the sample mean)
and the Fisher information of the shape for the CV. A ``sample_mean`` row (t interval,
no family assumed) is reported alongside, so a family that misrepresents the mean shows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special, stats

from sim.experiment.statistics import confidence_interval
from sim.scenario.registry import assisted_names
from sim.studies.fit.estimate import CONFIDENCE, Estimate, Fitted, Unfitted, z_value

FAMILIES = {"exponential": stats.expon, "lognormal": stats.lognorm, "gamma": stats.gamma}
PARAMETERS = {"exponential": 1, "lognormal": 2, "gamma": 2}
MIN_VALUES = 10
HISTOGRAM_BINS = 40


def fit_family(values: np.ndarray) -> tuple[str, dict[str, tuple[float, ...]], dict[str, float]]:
    """The family with the lowest AIC, every family's SciPy parameters, and their AICs."""
    params: dict[str, tuple[float, ...]] = {}
    aic: dict[str, float] = {}
    for name, family in FAMILIES.items():
        fitted = tuple(float(p) for p in family.fit(values, floc=0))
        loglik = float(np.sum(family.logpdf(values, *fitted)))
        params[name] = fitted
        aic[name] = 2 * PARAMETERS[name] - 2 * loglik if math.isfinite(loglik) else math.inf
    best = min(aic, key=lambda name: aic[name])
    return best, params, aic


def fit_duration(prefix: str, values: np.ndarray, what: str) -> tuple[list[Estimate], pd.DataFrame]:
    """``prefix.mean`` (and ``prefix.cv`` unless exponential) and ``prefix.sample_mean`` rows
    for positive durations in seconds, and a histogram against the fitted density."""
    x = np.asarray(values, float)
    x = x[np.isfinite(x) & (x > 0)]
    n = len(x)
    best, params, aic = fit_family(x)
    ks = float(stats.kstest(x, FAMILIES[best].cdf, args=params[best]).statistic)
    ranking = " < ".join(f"{name} {aic[name]:.6g}" for name in sorted(aic, key=aic.get))
    method = f"{best} by likelihood, KS D = {ks:.3g}; AIC {ranking}; {what}"
    rows = _family_rows(prefix, best, x, params[best], method)
    mean, low, high, _ = confidence_interval(x)
    rows.append(
        Estimate(f"{prefix}.sample_mean", mean, low, high, n, "sample mean, no family; t", unit="s")
    )
    return rows, _histogram(prefix, x, best, params[best])


def _family_rows(
    prefix: str, family: str, x: np.ndarray, params: tuple[float, ...], method: str
) -> list[Estimate]:
    n = len(x)
    z = z_value()
    alpha = 1.0 - CONFIDENCE
    if family == "exponential":
        mean = float(x.mean())
        low = 2 * n * mean / stats.chi2.ppf(1 - alpha / 2, 2 * n)
        high = 2 * n * mean / stats.chi2.ppf(alpha / 2, 2 * n)
        return [Estimate(f"{prefix}.mean", mean, low, high, n, method, "s", family)]
    if family == "lognormal":
        sigma, _, scale = params
        mu, s2 = math.log(scale), sigma * sigma
        log_mean = mu + s2 / 2
        se = math.sqrt(s2 / n + s2 * s2 / (2 * n))
        s2_low = n * s2 / stats.chi2.ppf(1 - alpha / 2, n - 1)
        s2_high = n * s2 / stats.chi2.ppf(alpha / 2, n - 1)

        def cv(v: float) -> float:
            return math.sqrt(math.expm1(v))

        mean = (math.exp(log_mean), math.exp(log_mean - z * se), math.exp(log_mean + z * se))
        spread = (cv(s2), cv(s2_low), cv(s2_high))
    else:
        shape, _, scale = params
        m = shape * scale
        se_log_mean = 1.0 / math.sqrt(shape * n)
        se_log_shape = 1.0 / math.sqrt(n * (shape * float(special.polygamma(1, shape)) - 1.0))
        se_log_shape /= math.sqrt(shape)
        mean = (m, m * math.exp(-z * se_log_mean), m * math.exp(z * se_log_mean))
        k_low, k_high = shape * math.exp(-z * se_log_shape), shape * math.exp(z * se_log_shape)
        spread = (1 / math.sqrt(shape), 1 / math.sqrt(k_high), 1 / math.sqrt(k_low))
    return [
        Estimate(f"{prefix}.mean", *mean, n, method, "s", family),
        Estimate(f"{prefix}.cv", *spread, n, method, "", family),
    ]


def _histogram(prefix: str, x: np.ndarray, family: str, params: tuple[float, ...]) -> pd.DataFrame:
    """Observed density in equal bins up to the 99th percentile, and the fitted density."""
    top = float(np.quantile(x, 0.99))
    edges = np.linspace(0.0, top if top > 0 else float(x.max()), HISTOGRAM_BINS + 1)
    counts, _ = np.histogram(x, edges)
    width = edges[1] - edges[0]
    middle = (edges[:-1] + edges[1:]) / 2
    return pd.DataFrame(
        {
            "parameter": prefix,
            "family": family,
            "left": edges[:-1],
            "right": edges[1:],
            "observed_density": counts / (len(x) * width),
            "fitted_density": FAMILIES[family].pdf(middle, *params),
        }
    )


def fit_handle_times(frame: pd.DataFrame) -> tuple[Fitted, pd.DataFrame]:
    """Handle time per assisted channel from answered contacts with a positive handle time."""
    estimates: list[Estimate] = []
    unfitted: list[Unfitted] = []
    histograms = []
    for channel in assisted_names():
        prefix = f"channels.{channel}.handle_time"
        if "handle" not in frame.columns:
            unfitted.append(Unfitted(prefix, "the log has no handle_seconds column"))
            continue
        values = frame.loc[frame["channel"] == channel, "handle"].to_numpy(float)
        values = values[np.isfinite(values)]
        if len(values) < MIN_VALUES:
            reason = f"only {len(values)} answered contacts with a handle time"
            unfitted.append(Unfitted(prefix, reason))
            continue
        what = "answered contacts" if channel != "social" else "first replies"
        rows, histogram = fit_duration(prefix, values, what)
        estimates += rows
        histograms.append(histogram)
    table = pd.concat(histograms, ignore_index=True) if histograms else pd.DataFrame()
    return (estimates, unfitted), table
