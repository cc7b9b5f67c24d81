"""Demand: issues per day, day-to-day variability, weekday factors, intraday profiles, and
where issues start (first-channel shares).

The scenario's arrival model (see ``sim/model/arrivals.py``): each day ``d`` a gamma factor
``G_d`` (mean 1, CV ``day_variability``) scales a Poisson process whose rate follows the
intraday profile, so a day's count ``N_d`` has mean ``m`` and variance ``m + cv² m²``. With
weekday factors ``w`` (mean 1 over the week as fitted; the scenario applies them as given) the mean
is ``m w_{weekday(d)}`` (``demand.weekdays``). Estimators here follow that model:

- only *complete* days count (a log that starts at 18:00 has a partial first day): a day is
  complete unless its leading or trailing gap without arrivals would, at the day's own rate
  and the log's average intraday shape, have held ``PARTIAL_DAY_EXPECTED`` or more arrivals;
- ``issues_per_day`` is the mean daily count (the mean of the weekday means when there are
  at least two complete days of every weekday), with a t interval from the model variance;
- ``day_variability``: the pivot ``Q(c) = Σ_d (N_d − ȳ_g)² / (ȳ_g + c² ȳ_g²)`` is close to
  χ² with ``D − G`` degrees of freedom (``G`` weekday groups, or one); the estimate solves
  ``Q = D − G`` (0 when the counts are no more spread than Poisson) and the 95% interval
  inverts the χ² quantiles (normal approximation to the daily counts);
- weekday factors ``ȳ_g / m`` with a delta-method interval (needs two weeks of complete days);
- the intraday profile: each interval's share of the issues of complete days, times the
  number of intervals (mean 1). Given a day's total the day factor cancels and the counts
  are multinomial, so each share has a Wilson interval. The same per channel
  (``demand.profiles.<channel>``, issues whose first contact is there); whether the channels'
  shapes differ at all is a chi-square test of homogeneity of the channel × interval counts
  (:func:`profiles_differ`), and the scenario gets per-channel profiles only when it says so;
- first-channel shares: the channel of each issue's first contact (with ``customer``), else
  of every contact (flagged: retries and switches then count as new issues).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from sim.scenario.registry import channel_names
from sim.scenario.schema import WEEKDAYS
from sim.scenario.units import DAY
from sim.studies.fit.estimate import CONFIDENCE, Estimate, Fitted, Unfitted, share

PARTIAL_DAY_EXPECTED = 10.0
"""A day whose empty start or end should have held this many arrivals is partial."""


@dataclass
class Days:
    """The log's calendar days and which are complete."""

    day: np.ndarray  # day number of each row (days since the log's origin)
    numbers: np.ndarray  # day numbers with contacts
    complete: np.ndarray  # True for complete days (aligned with ``numbers``)
    weekday: np.ndarray  # 0 = Monday, aligned with ``numbers``

    @property
    def complete_numbers(self) -> np.ndarray:
        """Day numbers of the complete days."""
        return self.numbers[self.complete]


def find_days(arrived: np.ndarray, origin: pd.Timestamp, interval: float) -> Days:
    """Day numbers of sorted arrivals, and which days are complete (module docstring)."""
    day = np.floor(arrived / DAY).astype(np.int64)
    numbers, starts, counts = np.unique(day, return_index=True, return_counts=True)
    tod = arrived - day * DAY
    first, last = tod[starts], tod[starts + counts - 1]
    bins = round(DAY / interval)
    shape = np.bincount(np.minimum((tod / interval).astype(np.int64), bins - 1), minlength=bins)
    cumulative = np.r_[0.0, np.cumsum(shape)] / max(shape.sum(), 1)
    edges = np.arange(bins + 1) * interval
    before = np.interp(first, edges, cumulative)
    after = 1.0 - np.interp(last, edges, cumulative)
    covered = np.maximum(1.0 - before - after, 1e-12)
    lead, trail = counts * before / covered, counts * after / covered
    complete = (lead < PARTIAL_DAY_EXPECTED) & (trail < PARTIAL_DAY_EXPECTED)
    weekday = (origin.weekday() + numbers) % 7
    return Days(day, numbers, complete, weekday)


def fit_demand(
    frame: pd.DataFrame,
    first: np.ndarray,
    days: Days,
    interval: float,
    from_customers: bool,
) -> tuple[Fitted, dict, pd.DataFrame]:
    """Every demand estimate; also ``extra_demand`` (weekday factors, per-channel profiles,
    not yet in the scenario format) and the per-weekday arrivals table for the report."""
    estimates: list[Estimate] = []
    unfitted: list[Unfitted] = []
    extra: dict = {"weekdays": {}, "profiles": {}}
    complete_days = days.complete_numbers
    if len(complete_days) == 0:
        reason = "no complete day in the log"
        names = ("issues_per_day", "day_variability", "profile", "first_channel")
        unfitted += [Unfitted(f"demand.{name}", reason) for name in names]
        return (estimates, unfitted), extra, pd.DataFrame()
    on_complete = np.isin(days.day, complete_days)
    starts = first & on_complete
    what = "issues" if from_customers else "contacts (no customer column)"
    counts = _daily_counts(days.day[starts], complete_days)
    weekday = days.weekday[days.complete]
    volume, weekday_factors, notes = _volume(counts, weekday, what)
    estimates += volume
    unfitted += notes
    factors = {WEEKDAYS[g]: e.estimate for g, e in enumerate(weekday_factors)}
    if weekday_factors:
        estimates += weekday_factors
        extra["weekdays"] = factors
    bins = np.minimum(
        ((frame["arrived"].to_numpy(float) % DAY) / interval).astype(np.int64),
        round(DAY / interval) - 1,
    )
    profile = _profile("demand.profile", bins[starts], interval, what)
    estimates += profile
    channel = np.asarray(frame["channel"])
    for ch in channel_names():
        mask = starts & (channel == ch)
        if mask.any():
            rows = _profile(f"demand.profiles.{ch}", bins[mask], interval, what)
            estimates += rows
            extra["profiles"][ch] = [e.estimate for e in rows]
    count = round(DAY / interval)
    extra["written_profiles"], extra["profile_note"] = profiles_differ(
        bins[starts], channel[starts], count
    )
    estimates += _first_channel(channel[starts], from_customers)
    table = _arrivals_table(bins[starts], days, starts, volume, factors, profile, interval)
    return (estimates, unfitted), extra, table


def _daily_counts(day_of_issue: np.ndarray, complete_days: np.ndarray) -> np.ndarray:
    position = np.searchsorted(complete_days, day_of_issue)
    return np.bincount(position, minlength=len(complete_days)).astype(float)


def _volume(
    counts: np.ndarray, weekday: np.ndarray, what: str
) -> tuple[list[Estimate], list[Estimate], list[Unfitted]]:
    """``issues_per_day`` and ``day_variability``, and weekday factors when estimable."""
    days = len(counts)
    per_weekday = np.bincount(weekday, minlength=7)
    by_weekday = bool((per_weekday >= 2).all())
    groups = weekday if by_weekday else np.zeros(days, np.int64)
    size = np.bincount(groups).astype(float)
    present = size > 0
    means = np.bincount(groups, counts)[present] / size[present]
    size = size[present]
    fitted_mean = means[np.searchsorted(np.flatnonzero(present), groups)]
    df = days - len(means)
    unfitted: list[Unfitted] = []
    if not by_weekday:
        unfitted.append(
            Unfitted(
                "demand.weekdays",
                f"needs at least two complete days of every weekday (has {days} complete days)",
            )
        )
    if df < 1:
        m = float(counts.mean())
        low, high = (x * days for x in _poisson_mean_interval(counts.sum()))
        rows = [
            Estimate(
                "demand.issues_per_day",
                m,
                low / days,
                high / days,
                days,
                f"{what} on the single complete day: Poisson interval only",
            )
        ]
        unfitted.append(Unfitted("demand.day_variability", "needs at least two complete days"))
        return rows, [], unfitted
    cv2, cv2_low, cv2_high = _dispersion(counts, fitted_mean, df)
    variance = (means + cv2 * means**2) / size
    q = float(stats.t.ppf(0.5 + CONFIDENCE / 2, df))
    m = float(means.mean())
    half = q * math.sqrt(variance.sum()) / len(means)
    scheme = "mean of the weekday means" if by_weekday else "mean of daily counts"
    rows = [
        Estimate(
            "demand.issues_per_day",
            m,
            m - half,
            m + half,
            days,
            f"{what} per complete day, {scheme}; t interval (df {df})",
        ),
        Estimate(
            "demand.day_variability",
            math.sqrt(cv2),
            math.sqrt(cv2_low),
            math.sqrt(cv2_high),
            days,
            "CV of the gamma day factor: var = m + cv²m²"
            + (" within weekdays" if by_weekday else "")
            + f"; chi-square pivot (df {df})",
        ),
    ]
    factors = _weekday_factors(means, variance, q, size) if by_weekday else []
    return rows, factors, unfitted


def _poisson_mean_interval(total: float) -> tuple[float, float]:
    alpha = 1.0 - CONFIDENCE
    low = stats.chi2.ppf(alpha / 2, 2 * total) / 2 if total > 0 else 0.0
    return float(low), float(stats.chi2.ppf(1 - alpha / 2, 2 * total + 2) / 2)


def _dispersion(counts: np.ndarray, fitted: np.ndarray, df: int) -> tuple[float, float, float]:
    """``cv²`` and its 95% interval from the χ² pivot ``Q(cv²)`` (decreasing in ``cv²``)."""
    squares = (counts - fitted) ** 2

    def pivot(c2: float) -> float:
        return float(np.sum(squares / np.maximum(fitted + c2 * fitted**2, 1e-12)))

    def solve(target: float) -> float:
        if pivot(0.0) <= target:
            return 0.0
        high = 1.0
        while pivot(high) > target and high < 1e6:
            high *= 4.0
        return float(optimize.brentq(lambda c2: pivot(c2) - target, 0.0, high, xtol=1e-12))

    alpha = 1.0 - CONFIDENCE
    estimate = solve(float(df))
    low = solve(float(stats.chi2.ppf(1 - alpha / 2, df)))
    high = solve(float(stats.chi2.ppf(alpha / 2, df)))
    return estimate, low, high


def _weekday_factors(
    means: np.ndarray, variance: np.ndarray, q: float, size: np.ndarray
) -> list[Estimate]:
    """``ȳ_g / m`` for each weekday, with delta-method intervals (``m`` the mean of the 7)."""
    m = means.mean()
    rows = []
    for g, name in enumerate(WEEKDAYS):
        gradient = np.full(7, -means[g] / (7 * m * m))
        gradient[g] += 1.0 / m
        half = q * math.sqrt(float(np.sum(gradient**2 * variance)))
        factor = float(means[g] / m)
        method = "weekday mean / mean of the weekday means; delta method"
        low, high = factor - half, factor + half
        rows.append(Estimate(f"demand.weekdays.{name}", factor, low, high, int(size[g]), method))
    return rows


def _profile(prefix: str, bins: np.ndarray, interval: float, what: str) -> list[Estimate]:
    """Mean-1 weights per interval of the day, each with a Wilson interval."""
    count = round(DAY / interval)
    counts = np.bincount(bins, minlength=count)
    total = int(counts.sum())
    method = f"share of {what} of complete days in this interval × {count}; Wilson"
    rows = []
    for k in range(count):
        e = share(f"{prefix}[{k}]", int(counts[k]), total, method)
        low, high = e.ci_low * count, e.ci_high * count
        rows.append(Estimate(e.parameter, e.estimate * count, low, high, e.n, method))
    return rows


PROFILE_TEST_LEVEL = 0.001
"""Channels get profiles of their own when homogeneity is rejected at this level."""
MIN_PER_INTERVAL = 5.0
"""A channel with fewer issues than this per interval of the day keeps the shared profile."""


def profiles_differ(bins: np.ndarray, channel: np.ndarray, count: int) -> tuple[list[str], str]:
    """Channels whose own profile the scenario should get, and a note saying why.

    ``bins`` and ``channel`` are the interval of the day and the channel of each issue start
    (complete days). Pearson's chi-square test of homogeneity on their channel × interval
    table (intervals with no issue left out); when the channels' shapes do not differ at
    :data:`PROFILE_TEST_LEVEL`, none: one shared profile estimates each channel's better than
    its own fewer issues do.
    """
    names = [ch for ch in channel_names() if np.sum(channel == ch) >= MIN_PER_INTERVAL * count]
    if len(names) < 2:
        return [], "per-channel profiles not written: fewer than two channels with enough issues"
    table = np.array([np.bincount(bins[channel == ch], minlength=count) for ch in names], float)
    table = table[:, table.sum(axis=0) > 0]
    p = float(stats.chi2_contingency(table, correction=False).pvalue)
    if p >= PROFILE_TEST_LEVEL:
        return [], (
            "per-channel profiles not written: the channels' intraday shapes do not differ "
            f"(chi-square test of homogeneity, p = {p:.3g}); demand.profile is shared"
        )
    return names, (
        f"per-channel profiles written for {', '.join(names)}: their intraday shapes differ "
        f"(chi-square test of homogeneity, p = {p:.2g})"
    )


def _first_channel(channels: np.ndarray, from_customers: bool) -> list[Estimate]:
    if from_customers:
        method = "channel of each issue's first contact; Wilson"
    else:
        method = "channel of every contact (no customer column: retries count as issues); Wilson"
    total = len(channels)
    return [
        share(f"demand.first_channel.{ch}", int(np.sum(channels == ch)), total, method)
        for ch in channel_names()
    ]


def _arrivals_table(
    bins: np.ndarray,
    days: Days,
    starts: np.ndarray,
    volume: list[Estimate],
    factors: dict[str, float],
    profile: list[Estimate],
    interval: float,
) -> pd.DataFrame:
    """Mean issues per interval by weekday (complete days) against the fitted demand."""
    count = round(DAY / interval)
    weekday = (days.day[starts] + _origin_weekday(days)) % 7
    observed = np.bincount(weekday * count + bins, minlength=7 * count).reshape(7, count)
    day_count = np.bincount(days.weekday[days.complete], minlength=7)
    m = volume[0].estimate
    weights = np.array([e.estimate for e in profile]) / count
    rows = []
    for g, name in enumerate(WEEKDAYS):
        if day_count[g] == 0:
            continue
        factor = factors.get(name, 1.0)
        for k in range(count):
            minutes = round(k * interval / 60.0)
            rows.append(
                (
                    name,
                    k,
                    f"{minutes // 60:02d}:{minutes % 60:02d}",
                    int(day_count[g]),
                    observed[g, k] / day_count[g],
                    m * factor * weights[k],
                )
            )
    columns = ["weekday", "interval", "time", "days", "observed", "fitted"]
    return pd.DataFrame(rows, columns=columns)


def _origin_weekday(days: Days) -> int:
    """Weekday of day number 0 (recovered from any known day)."""
    return int((days.weekday[0] - days.numbers[0]) % 7)
