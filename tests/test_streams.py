"""Random streams and samplers: batched draws give exactly the one-at-a-time sequence, and
samplers have the distribution the scenario states."""

from __future__ import annotations

import math
from itertools import islice

import numpy as np
import pytest
from scipy import stats

from sim.model.distributions import batch_function, constant, sampler
from sim.model.streams import BATCH, Uniforms, cumulative_shares, stream
from sim.scenario.types import Deterministic, Empirical, Exponential, Gamma, Lognormal


def test_uniforms_are_the_streams_values_in_order_across_batches() -> None:
    draws = list(islice(Uniforms(stream(7, 2, "behaviour")), 2 * BATCH + 5))
    expected = stream(7, 2, "behaviour").random(3 * BATCH)[: 2 * BATCH + 5]
    assert draws == expected.tolist()


def test_streams_differ_by_purpose_and_replication_and_repeat_exactly() -> None:
    def first(seed: int, rep: int, purpose: str) -> list[float]:
        return stream(seed, rep, purpose).random(3).tolist()

    assert first(1, 0, "arrivals") == first(1, 0, "arrivals")
    assert first(1, 0, "arrivals") != first(1, 0, "patience.phone")
    assert first(1, 0, "arrivals") != first(1, 1, "arrivals")


def test_a_single_option_draws_nothing() -> None:
    uniforms = Uniforms(stream(3, 0, "channel_choice"))
    bounds, options = cumulative_shares({"phone": 1.0, "email": 0.0})
    assert uniforms.choose(bounds, options) == "phone"
    assert next(uniforms) == stream(3, 0, "channel_choice").random()  # still the first value


def test_choose_follows_the_shares() -> None:
    uniforms = Uniforms(stream(3, 0, "channel_choice"))
    shares = {"phone": 0.5, "email": 0.3, "social": 0.2}
    n = 20_000
    picks = [uniforms.choose(*cumulative_shares(shares)) for _ in range(n)]
    for option, share in shares.items():
        p = picks.count(option) / n
        assert abs(p - share) < 4 * math.sqrt(share * (1 - share) / n)


@pytest.mark.parametrize(
    "spec",
    [Lognormal(dist="lognormal", mean=300.0, cv=0.8), Gamma(dist="gamma", mean=300.0, cv=1.5)],
)
def test_sampler_mean_and_cv_are_the_specs(spec: Lognormal | Gamma) -> None:
    draws = sampler(spec, stream(11, 0, "handle_time.phone"))
    assert draws.mean == 300.0
    x = np.fromiter(islice(draws, 50_000), float)
    half = stats.t.ppf(0.9995, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))  # 99.9% CI
    assert abs(x.mean() - 300.0) < half
    # the CV's sampling error is larger for heavy tails: compare with a loose but failing band
    assert x.std(ddof=1) / x.mean() == pytest.approx(spec.cv, rel=0.1)


def test_exponential_draws_have_the_specs_mean_and_a_cv_of_one() -> None:
    draws = sampler(Exponential(dist="exponential", mean=120.0), stream(11, 0, "patience"))
    assert draws.mean == 120.0
    x = np.fromiter(islice(draws, 50_000), float)
    assert x.mean() == pytest.approx(120.0, rel=0.03)
    assert x.std() / x.mean() == pytest.approx(1.0, rel=0.05)


@pytest.mark.parametrize(
    "spec",
    [
        Lognormal(dist="lognormal", mean=300.0, cv=0.0),
        Deterministic(dist="deterministic", value=300.0),
    ],
)
def test_a_distribution_without_spread_always_gives_its_mean(spec) -> None:
    draws = sampler(spec, stream(11, 0, "handle_time.phone"))
    assert draws.mean == 300.0
    assert set(islice(draws, 2 * BATCH + 1)) == {300.0}


def test_empirical_draws_are_the_given_values_equally_often() -> None:
    values = [60.0, 60.0, 180.0, 600.0]  # a value given twice is twice as likely
    draws = sampler(Empirical(dist="empirical", values=values), stream(11, 0, "reply_delay"))
    assert draws.mean == pytest.approx(225.0)
    x = np.fromiter(islice(draws, 40_000), float)
    assert set(x.tolist()) == {60.0, 180.0, 600.0}
    assert np.mean(x == 60.0) == pytest.approx(0.5, abs=0.02)
    assert np.mean(x == 600.0) == pytest.approx(0.25, abs=0.02)


def test_a_constant_needs_no_stream_and_never_varies() -> None:
    draws = constant(42.0)
    assert draws.mean == 42.0
    assert set(islice(draws, BATCH + 1)) == {42.0}


def test_anything_else_is_not_a_distribution() -> None:
    with pytest.raises(TypeError, match="not a distribution: 'uniform'"):
        batch_function("uniform")
