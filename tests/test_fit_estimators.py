"""The estimators one at a time: against SciPy where it has the same estimate, and on small
hand-built logs where the right answer is known exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.scenario.units import DAY
from sim.studies.fit import clean_log, fit_frame
from sim.studies.fit.behaviour import fit_behaviour
from sim.studies.fit.demand import _volume, find_days
from sim.studies.fit.durations import FAMILIES, _family_rows, fit_duration, fit_family
from sim.studies.fit.estimate import poisson_rate_interval
from sim.studies.fit.journeys import find_journeys
from sim.studies.fit.patience import censored_exponential, weibull_shape


def censored_sample(seed: int, shape: float = 1.0, n: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """Weibull patience (mean about 180 s) censored by exponential offered waits."""
    rng = np.random.default_rng(seed)
    patience = stats.weibull_min.rvs(shape, scale=180.0, size=n, random_state=rng)
    offered = rng.exponential(120.0, n)
    return np.minimum(patience, offered), patience < offered


def test_censored_exponential_is_scipys_censored_mle() -> None:
    waits, abandoned = censored_sample(1)
    rows, _ = censored_exponential("p", waits, abandoned)
    data = stats.CensoredData(uncensored=waits[abandoned], right=waits[~abandoned])
    _, scale = stats.expon.fit(data, floc=0)
    assert rows[0].estimate == pytest.approx(scale, rel=1e-6)
    assert rows[0].ci_low < scale < rows[0].ci_high
    assert rows[0].n == len(waits)


@pytest.mark.parametrize("shape", [0.7, 1.0, 1.6])
def test_weibull_shape_is_scipys_censored_mle_and_flags_non_exponential_patience(
    shape: float,
) -> None:
    waits, abandoned = censored_sample(2, shape)
    k, low, high = weibull_shape(waits, abandoned)
    data = stats.CensoredData(uncensored=waits[abandoned], right=waits[~abandoned])
    k_scipy, _, _ = stats.weibull_min.fit(data, floc=0)
    assert k == pytest.approx(k_scipy, rel=2e-3)
    assert low < shape < high
    assert (low <= 1.0 <= high) == (shape == 1.0)


def test_interval_formulas_cover_95_percent_over_many_samples() -> None:
    """Many small samples, each estimator's 95% interval alone: coverage must be 0.92-0.98
    (for a true 95% the count is binomial; these bounds are about 2.8 standard deviations
    out for 400 samples), sharp enough to reject the 80% or half-width intervals that the
    whole-fit coverage test over 20 logs cannot tell from 95%."""
    rng = np.random.default_rng(8)
    reps = 400
    patience = rng.exponential(180.0, (reps, 300))
    offered = rng.exponential(120.0, (reps, 300))
    events = (patience < offered).sum(axis=1)
    exposure = np.minimum(patience, offered).sum(axis=1)
    rates = [poisson_rate_interval(int(k), float(t)) for k, t in zip(events, exposure, strict=True)]
    covered = {"patience": np.mean([lo <= 1 / 180.0 <= hi for lo, hi in rates])}
    s2 = np.log1p(0.6**2)  # mean 300, cv 0.6 in both families
    draws = {
        "lognormal": lambda n: rng.lognormal(np.log(300) - s2 / 2, np.sqrt(s2), n),
        "gamma": lambda n: rng.gamma(1 / 0.6**2, 300 * 0.6**2, n),
    }
    for family, draw in draws.items():
        hits = np.zeros(2)
        for _ in range(reps):
            x = draw(200)
            params = tuple(FAMILIES[family].fit(x, floc=0))
            mean, spread = _family_rows("x", family, x, params, "m")
            hits += [mean.covers(300.0), spread.covers(0.6)]
        covered[f"{family} mean"], covered[f"{family} cv"] = hits / reps
    assert all(0.92 <= share <= 0.98 for share in covered.values()), covered


def test_the_family_with_the_best_likelihood_is_chosen() -> None:
    rng = np.random.default_rng(3)
    samples = {
        "exponential": rng.exponential(300.0, 5000),
        "lognormal": rng.lognormal(5.5, 0.6, 5000),
        "gamma": rng.gamma(3.0, 100.0, 5000),
    }
    for family, values in samples.items():
        assert fit_family(values)[0] == family
    rows, histogram = fit_duration("x", samples["gamma"], "test")
    mean, cv = rows[0], rows[1]
    assert (mean.parameter, mean.dist, mean.unit) == ("x.mean", "gamma", "s")
    assert mean.ci_low < 300.0 < mean.ci_high
    assert cv.ci_low < 1 / np.sqrt(3.0) < cv.ci_high
    assert rows[2].parameter == "x.sample_mean"
    assert len(histogram) == 40


def log_frame(rows: list[tuple], **extra: list) -> pd.DataFrame:
    """A log from ``(minutes after Monday 00:00, channel, outcome, wait s, customer)``."""
    minutes, channel, outcome, wait, customer = zip(*rows, strict=True)
    start = pd.Timestamp("2026-01-05")
    return pd.DataFrame(
        {
            "arrived_at": start + pd.to_timedelta(np.asarray(minutes, float), unit="min"),
            "channel": channel,
            "outcome": outcome,
            "wait_seconds": wait,
            "customer": customer,
            **extra,
        }
    )


LAST = 5 * 24 * 60
FILLER = [(float(m), "email", "answered", 1.0, "z") for m in range(360, LAST + 1, 360)]
"""Another customer's contacts every six hours for five days: the log has no gap longer than
the 24 h window (a gap that long is taken as the log's end) and runs on past the windows."""


def test_follow_ups_follow_the_documented_rule() -> None:
    rows = [
        (0, "phone", "abandoned", 60.0, "a"),  # abandons at minute 1
        (0.5, "email", "answered", 7200.0, "a"),  # sent while waiting: not a follow-up
        (11, "phone", "answered", 5.0, "a"),  # the retry, 10 min after the abandon
        (100, "phone", "abandoned", 30.0, "b"),  # abandons at 100.5 min
        (100.5 - 0.5 / 60, "email", "answered", 10.0, "b"),  # the switch, rounded to the second
        (200, "phone", "abandoned", 30.0, "c"),  # nothing within 24 h: gives up
        (200 + 25 * 60, "phone", "answered", 3.0, "c"),  # 25 h later: a new issue
        *FILLER,
    ]
    frame = clean_log(log_frame(rows)).frame
    journeys = find_journeys(frame)
    abandoned = np.flatnonzero(frame["outcome"] == "abandoned")
    moment = frame["arrived"].to_numpy()[abandoned] + frame["wait"].to_numpy()[abandoned]
    follow, before = journeys.follow_up(abandoned, moment)
    minutes = frame["arrived"].to_numpy() / 60
    assert minutes[follow[0]] == 11 and minutes[follow[1]] == pytest.approx(100.5 - 0.5 / 60)
    assert follow[2] == -1
    assert before.tolist() == [2, 1, 1]  # a's email arrived before the abandon
    assert journeys.first.sum() == 5  # a, b, c's two issues, z (every 6 h: one issue)
    assert not journeys.censored(moment).any()
    assert journeys.censored(np.array([LAST * 60.0 - 3600])).all()


def test_after_abandon_shares_leave_out_journeys_at_max_attempts() -> None:
    """ccsim forces a give-up once a journey has made max_attempts contacts, so those
    abandons say nothing about the choice and must not count as giving up."""
    rows = [(10.0 * k, "phone", "abandoned", 30.0, "a") for k in range(4)]  # 4 retries, then
    rows += [(0, "phone", "abandoned", 30.0, "b"), (1, "email", "answered", 1.0, "b")]
    rows += FILLER
    frame = clean_log(log_frame(rows)).frame
    estimates, _ = fit_behaviour(frame, find_journeys(frame), max_attempts=4)
    found = {e.parameter: e for e in estimates}
    assert found["behaviour.after_abandon.retry"].n == 4  # a's 4th abandon is left out
    assert found["behaviour.after_abandon.retry"].estimate == pytest.approx(3 / 4)
    assert found["behaviour.after_abandon.switch.email"].estimate == pytest.approx(1 / 4)
    assert found["behaviour.after_abandon.give_up"].estimate == 0.0
    estimates, _ = fit_behaviour(frame, find_journeys(frame), max_attempts=10)
    assert {e.parameter: e for e in estimates}["behaviour.after_abandon.give_up"].n == 5


@pytest.mark.parametrize("cv", [0.0, 0.05])
def test_day_variability_removes_the_poisson_noise(cv: float) -> None:
    """At 300 issues a day Poisson noise alone has a CV of 0.058, as large as the day factor
    here: an estimator that forgot it would report about 0.058 and 0.076, outside the
    intervals. A year of days makes the intervals narrow enough to tell."""
    rng = np.random.default_rng(7)
    days = 364
    factor = rng.gamma(1 / cv**2, cv**2, days) if cv else np.ones(days)
    counts = rng.poisson(300.0 * factor).astype(float)
    weekday = np.arange(days) % 7
    rows, weekdays, _ = _volume(counts, weekday, "issues")
    variability = rows[1]
    assert variability.parameter == "demand.day_variability"
    assert variability.ci_low <= cv <= variability.ci_high
    assert variability.ci_high < 0.045 if cv == 0 else variability.ci_high < 0.07
    assert len(weekdays) == 7


def test_partial_days_at_the_ends_of_a_log_are_found() -> None:
    rng = np.random.default_rng(4)
    days = 5
    arrived = np.sort(rng.random(days * 2000) * days * DAY)
    arrived = arrived[(arrived > 0.75 * DAY) & (arrived < 4.5 * DAY)]  # starts 18:00, ends noon
    found = find_days(arrived, pd.Timestamp("2026-01-05"), 1800.0)
    assert found.numbers.tolist() == [0, 1, 2, 3, 4]
    assert found.complete.tolist() == [False, True, True, True, False]
    assert found.weekday.tolist() == [0, 1, 2, 3, 4]


def test_a_quiet_night_does_not_make_a_day_partial() -> None:
    """A centre with no contacts from 22:00 to 07:00 has complete days all the same."""
    rng = np.random.default_rng(5)
    day = rng.integers(0, 10, 5000)
    arrived = np.sort(day * DAY + rng.uniform(7 * 3600, 22 * 3600, 5000))
    assert find_days(arrived, pd.Timestamp("2026-01-05"), 1800.0).complete.all()


def test_without_customers_contacts_stand_for_issues_and_behaviour_is_unfitted() -> None:
    rng = np.random.default_rng(6)
    n = 6000
    minutes = np.sort(rng.random(n) * 14 * 24 * 60)
    channel = rng.choice(["phone", "email"], n)
    outcome = np.where(rng.random(n) < 0.2, "abandoned", "answered")
    waits = rng.exponential(30, n)
    log = log_frame(list(zip(minutes, channel, outcome, waits, range(n), strict=True)))
    result = fit_frame(log.drop(columns="customer"))
    phone = result.get("demand.first_channel.phone")
    assert "no customer column" in phone.method
    assert phone.covers(0.5)
    unfitted = {u.parameter for u in result.unfitted}
    assert {"behaviour.after_abandon", "behaviour.retry_delay"} <= unfitted
    assert result.get("demand.issues_per_day").covers(n / 14)


def test_what_the_log_cannot_show_is_unfitted_rather_than_a_blank_row() -> None:
    """Abandons, failed sessions and threads whose follow-up window runs past the log's end
    give no evidence: the parameter is named unfitted, never reported as NaN."""
    rows = [(m, "email", "answered", 1.0, "z") for m in (0.0, 300.0, 600.0)]
    rows += [(590.0, "phone", "abandoned", 10.0, "a"), (595.0, "self_service", "fell_back", 0, "b")]
    rows += [(596.0, "social", "answered", 10.0, "c")]
    result = fit_frame(log_frame(rows))
    assert result.frame()[["estimate", "ci_low", "ci_high"]].notna().all().all()
    unfitted = {u.parameter: u.reason for u in result.unfitted}
    assert "near the log's end" in unfitted["behaviour.after_abandon"]
    assert "channels.self_service.fallback" in unfitted
    assert "channels.social.handoff" in unfitted
