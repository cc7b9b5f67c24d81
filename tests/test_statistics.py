"""Intervals across replications against exact t-intervals on known data.

The figures users read (``ci_low``, ``ci_high``, compare's differences) must be the textbook
intervals: a mean ± t(0.975, n − 1) · s / √n, Welch's unpaired interval with its fractional
degrees of freedom, and the paired one. Each is checked against a value worked by hand or
against SciPy's own implementation, so a wrong √n, a wrong degrees of freedom, a z in place
of a t, or a lopsided interval fails here.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.experiment.statistics import (
    Stat,
    confidence_interval,
    metric_arrays,
    metric_stats,
    paired,
    summarise,
    t_quantile,
    welch,
)
from sim.experiment.t_table import T975
from sim.io.table import FLOAT_FORMAT

ONE_TO_FIVE = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
# mean 3, s = √2.5, t(0.975, 4) = 2.7764451051977934: half-width 2.776445 · 1.581139 / √5
HALF_ONE_TO_FIVE = 1.9632431614775573


def test_the_interval_of_one_to_five_is_the_worked_t_interval() -> None:
    mean, low, high, n = confidence_interval(ONE_TO_FIVE)
    assert (mean, n) == (3.0, 5)
    assert low == pytest.approx(3.0 - HALF_ONE_TO_FIVE, rel=1e-14)
    assert high == pytest.approx(3.0 + HALF_ONE_TO_FIVE, rel=1e-14)


@pytest.mark.parametrize("n", [2, 3, 7, 30, 1001, 1500])
def test_the_interval_is_scipys_t_interval(n: int) -> None:
    values = np.random.default_rng(n).gamma(2.0, 3.0, n)  # skewed data, any n
    mean, low, high, count = confidence_interval(values)
    expected = stats.t.interval(0.95, n - 1, loc=values.mean(), scale=stats.sem(values))
    assert count == n
    assert mean == pytest.approx(values.mean(), rel=1e-13)
    assert (low, high) == pytest.approx(expected, rel=1e-12)
    # symmetric about the mean, to the last bits
    assert mean - low == pytest.approx(high - mean, rel=1e-12)


@pytest.mark.parametrize("confidence", [0.5, 0.8, 0.9, 0.99])
def test_other_confidences_use_their_own_quantile(confidence: float) -> None:
    stat = Stat.of(ONE_TO_FIVE)
    expected = stats.t.interval(confidence, 4, loc=3.0, scale=stats.sem(ONE_TO_FIVE))
    assert stat.interval(confidence) == pytest.approx(expected, rel=1e-12)


def test_non_finite_values_are_left_out() -> None:
    with_gaps = np.array([np.nan, 1.0, 2.0, np.inf, 3.0, 4.0, -np.inf, 5.0])
    assert confidence_interval(with_gaps) == pytest.approx(confidence_interval(ONE_TO_FIVE))
    assert confidence_interval(with_gaps)[3] == 5


def test_undefined_intervals_are_nan() -> None:
    mean, low, high, n = confidence_interval(np.array([4.0, np.nan]))
    assert (mean, n) == (4.0, 1) and math.isnan(low) and math.isnan(high)
    mean, low, high, n = confidence_interval(np.array([np.nan]))
    assert n == 0 and all(math.isnan(v) for v in (mean, low, high))
    assert Stat.of(ONE_TO_FIVE).interval(0.0) == (3.0, 3.0)
    assert Stat.of(np.array([4.0])).sd != Stat.of(np.array([4.0])).sd  # NaN with one value
    assert all(math.isnan(v) for v in Stat(math.nan, 1.0, 3).interval())


def test_edge_cases_raise_no_numpy_warning() -> None:
    """Undefined figures are NaN by decision, not by numpy's mean of nothing (a warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(confidence_interval(np.array([]))[0])
        assert math.isnan(Stat.of(np.array([np.nan, 2.0])).sd)
        assert math.isnan(welch(np.array([]), np.array([1.0, 2.0]))[0])
        assert math.isnan(welch(np.array([1.0, 2.0]), np.array([]))[0])


def test_interval_guards() -> None:
    assert all(math.isnan(v) for v in Stat(math.inf, 1.0, 3).interval())  # an overflowed mean
    assert Stat.of(np.array([4.0])).interval(0.0) == (4.0, 4.0)  # one value, confidence 0
    # one replication on either side: the difference, without an interval
    diff, low, high = welch(np.array([1.0, 3.0]), np.array([1.0]))
    assert diff == -1.0 and math.isnan(low) and math.isnan(high)


def test_the_tabled_quantile_is_used_for_whole_df_up_to_the_table_end() -> None:
    """At 95% and a whole df in 1..1000 the quantile is the table's own (no SciPy call)."""
    for df in (1, 2, 4, 999, 1000):
        assert t_quantile(0.975, df) is T975[df]
        assert t_quantile(0.975, float(df)) is T975[df]
    assert t_quantile(0.975, 1001) is not T975[1000]


def test_identical_values_give_a_zero_width_interval() -> None:
    assert confidence_interval(np.full(6, 2.5)) == (2.5, 2.5, 2.5, 6)


def test_welch_is_scipys_unpaired_interval() -> None:
    a = np.array([3.1, 2.4, 5.6, 4.4, 3.9])
    b = np.array([6.2, 5.1, 4.8, 7.7, 5.5, 6.0, 6.9])
    diff, low, high = welch(a, b)
    expected = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert diff == pytest.approx(b.mean() - a.mean(), rel=1e-13)
    assert (low, high) == pytest.approx((expected.low, expected.high), rel=1e-12)
    # the worked figures, should SciPy ever change: df = 9.9996, t = 2.2282
    assert (low, high) == pytest.approx((0.59027561709625, 3.7068672400466056), rel=1e-9)


def test_welch_edge_cases() -> None:
    one, two = np.array([1.0]), np.array([1.0, 3.0])
    assert welch(np.array([np.nan]), two)[0] != welch(np.array([np.nan]), two)[0]  # NaN
    diff, low, high = welch(one, two)
    assert diff == 1.0 and math.isnan(low) and math.isnan(high)
    assert welch(np.array([2.0, 2.0]), np.array([5.0, 5.0])) == (3.0, 3.0, 3.0)
    with_nan = welch(np.array([3.1, np.nan, 2.4, 5.6]), np.array([6.2, 5.1, np.inf, 4.8]))
    assert with_nan == pytest.approx(welch(np.array([3.1, 2.4, 5.6]), np.array([6.2, 5.1, 4.8])))


def test_paired_is_scipys_paired_interval_matched_by_replication() -> None:
    a = pd.Series([10.0, 12.0, 9.0, 14.0, 11.0], index=[0, 1, 2, 3, 4])
    b = pd.Series([11.5, 12.5, 10.0, 15.5, 11.0, 99.0], index=[0, 1, 2, 3, 4, 5])
    b_shuffled = b.iloc[::-1]  # matched by index, not by position; 5 has no partner
    mean, low, high = paired(a, b_shuffled)
    expected = stats.ttest_rel(b.iloc[:5], a).confidence_interval(0.95)
    assert mean == pytest.approx(0.9, rel=1e-13)
    assert (low, high) == pytest.approx((expected.low, expected.high), rel=1e-12)


def metric_values(rows: list[tuple[int, str, str, float]]) -> dict[tuple[str, str], list[float]]:
    """Per ``(scope, metric)``, the values of tidy rows in order of appearance."""
    values: dict[tuple[str, str], list[float]] = {}
    for _, scope, metric, value in rows:
        values.setdefault((scope, metric), []).append(value)
    return values


def test_summarise_gives_each_metric_its_own_interval() -> None:
    rows = [(r, "phone", "asa", v) for r, v in enumerate(ONE_TO_FIVE)]
    rows += [(r, "email", "asa", 10.0 * v) for r, v in enumerate(ONE_TO_FIVE)]
    frame = pd.DataFrame(rows, columns=["replication", "scope", "metric", "value"])
    values = {key: np.asarray(v, float) for key, v in metric_values(rows).items()}
    assert list(summarise(values).columns["scope"]) == ["phone", "email"]  # as given
    summary = summarise(values).frame().set_index(["scope", "metric"])
    assert list(summary.columns) == ["mean", "ci_low", "ci_high", "replications"]
    phone, email = summary.loc[("phone", "asa")], summary.loc[("email", "asa")]
    assert (phone["ci_low"], phone["ci_high"]) == pytest.approx(
        (3.0 - HALF_ONE_TO_FIVE, 3.0 + HALF_ONE_TO_FIVE), rel=1e-14
    )
    assert (email["mean"], email["ci_high"]) == pytest.approx(
        (30.0, 30.0 + 10 * HALF_ONE_TO_FIVE), rel=1e-14
    )
    assert phone["replications"] == 5
    first = summarise(values).csv().splitlines()[1]  # written as summary.csv writes numbers
    low, high = 3.0 - HALF_ONE_TO_FIVE, 3.0 + HALF_ONE_TO_FIVE
    assert first == f"phone,asa,3,{FLOAT_FORMAT % low},{FLOAT_FORMAT % high},5"
    stats_of = metric_stats(frame)
    assert list(stats_of) == [("phone", "asa"), ("email", "asa")]
    email_stat = stats_of[("email", "asa")]
    assert (email_stat.mean, email_stat.n) == (30.0, 5)
    assert email_stat.sd == pytest.approx(10 * math.sqrt(2.5), rel=1e-14)


def test_metric_arrays_keep_the_order_of_the_results() -> None:
    class Result:  # only ``metrics`` is read
        def __init__(self, value: float) -> None:
            self.metrics = {("phone", "asa"): value}

    arrays = metric_arrays([Result(3.0), Result(1.0), Result(2.0)])
    assert arrays[("phone", "asa")].tolist() == [3.0, 1.0, 2.0]
    counts = metric_arrays([Result(3), Result(1)])[("phone", "asa")]  # counts are ints
    assert counts.dtype == np.float64  # float arrays, so a missing value can be NaN


@pytest.mark.parametrize(("probability", "df"), [(0.975, 1), (0.975, 4), (0.975, 1000)])
def test_the_tabled_quantiles_are_t_not_z(probability: float, df: int) -> None:
    assert t_quantile(probability, df) == stats.t.ppf(probability, df)
    assert t_quantile(probability, df) > stats.norm.ppf(probability)
