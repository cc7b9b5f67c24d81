"""Tests of sim.analytic against published reference values and exact identities."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg

from sim.analytic import (
    ErlangAResult,
    abandonment,
    erlang_a,
    erlang_a_agents,
    erlang_b,
    erlang_c,
    erlang_c_agents,
    erlang_c_asa,
    erlang_c_service_level,
    halfin_whitt_p_wait,
    least_meeting,
    priority_waits,
    square_root_staffing,
)
from sim.analytic.checks import MAX_AGENTS

# Reference values are published to 6 decimals.
REF = 1e-6

PROPERTY = settings(max_examples=60, derandomize=True, deadline=None)

# Erlang A reference case, in minutes: 100 calls/h, AHT 5 min, patience 3 min, 9 agents.
EA_RATE = 100 / 60
EA_AHT = 5.0
EA_PATIENCE = 3.0
EA_N = 9
EA_WITHIN = 20 / 60


# --------------------------------------------------------------------------- reference values


def test_erlang_b_reference() -> None:
    assert erlang_b(10, 8.0) == pytest.approx(0.121661, abs=REF)


def test_erlang_c_reference() -> None:
    assert erlang_c(10, 8.0) == pytest.approx(0.409180, abs=REF)


@pytest.mark.parametrize("aht", [1.0, 3.0, 180.0])
def test_erlang_c_asa_and_service_level_reference(aht: float) -> None:
    rate = 8.0 / aht  # load 8 Erlangs whatever the time unit
    assert erlang_c_asa(10, rate, aht) / aht == pytest.approx(0.204590, abs=REF)
    assert erlang_c_service_level(10, rate, aht, aht / 3) == pytest.approx(0.789920, abs=REF)


def test_erlang_a_reference() -> None:
    res = erlang_a(EA_N, EA_RATE, EA_AHT, EA_PATIENCE, within=EA_WITHIN)
    assert isinstance(res, ErlangAResult)
    assert res.p_wait == pytest.approx(0.407703, abs=REF)
    assert res.p_abandon == pytest.approx(0.117752, abs=REF)
    assert res.mean_wait == pytest.approx(0.353257, abs=REF)
    assert res.mean_queue == pytest.approx(0.588762, abs=REF)
    assert res.service_level == pytest.approx(0.668924, abs=REF)


def test_priority_reference() -> None:
    w1, w2 = priority_waits(5, 1.0, [1.0, 3.0])
    assert w1 == pytest.approx(0.138528, abs=REF)
    assert w2 == pytest.approx(0.692641, abs=REF)
    assert erlang_c_asa(5, 4.0, 1.0) == pytest.approx(0.554113, abs=REF)


# --------------------------------------------------------------------------- Erlang B / C


def test_erlang_c_unstable_and_edge_cases() -> None:
    assert erlang_c(10, 10.0) == 1.0
    assert erlang_c(10, 12.5) == 1.0
    assert erlang_c_asa(10, 12.0, 1.0) == math.inf
    assert erlang_c_service_level(10, 12.0, 1.0, 0.5) == 0.0
    assert erlang_b(3, 0.0) == 0.0
    assert erlang_c(3, 0.0) == 0.0
    # One server: C = rho, and the M/M/1 wait is rho / (mu - lambda).
    assert erlang_c(1, 0.6) == pytest.approx(0.6)
    assert erlang_c_asa(1, 0.6, 1.0) == pytest.approx(0.6 / 0.4)


def test_erlang_b_matches_direct_formula() -> None:
    for n, a in [(1, 0.5), (7, 3.2), (20, 25.0)]:
        terms = [a**k / math.factorial(k) for k in range(n + 1)]
        assert erlang_b(n, a) == pytest.approx(terms[-1] / sum(terms), rel=1e-12)


def test_erlang_c_service_level_at_zero_is_one_minus_c() -> None:
    assert erlang_c_service_level(10, 8.0, 1.0, 0.0) == pytest.approx(1 - erlang_c(10, 8.0))


@pytest.mark.parametrize(
    ("rate", "aht", "within", "target"),
    [
        (8.0 / 3, 3.0, 1.0, 0.8),
        (100 / 60, 5.0, 20 / 60, 0.8),
        (2.0, 4.0, 0.5, 0.95),
        (50.0, 0.3, 0.05, 0.9),
        (0.5, 1.0, 0.0, 0.0),
    ],
)
def test_erlang_c_agents_is_least(rate: float, aht: float, within: float, target: float) -> None:
    n = erlang_c_agents(rate, aht, within, target)
    assert n > rate * aht
    assert erlang_c_service_level(n, rate, aht, within) >= target
    if n > 1:
        below = erlang_c_service_level(n - 1, rate, aht, within)
        assert n - 1 <= rate * aht or below < target


def test_erlang_c_agents_reference_case() -> None:
    # Load 8, t = AHT/3: SL(10) = 0.789920 < 0.8, so 11 agents are needed for 80 %.
    assert erlang_c_agents(8.0 / 3, 3.0, 1.0, 0.78) == 10
    assert erlang_c_agents(8.0 / 3, 3.0, 1.0, 0.80) == 11


@PROPERTY
@given(
    n=st.integers(min_value=1, max_value=200),
    load=st.floats(min_value=0.0, max_value=300.0, allow_nan=False),
)
def test_erlang_b_c_are_probabilities_and_c_dominates_b(n: int, load: float) -> None:
    b = erlang_b(n, load)
    c = erlang_c(n, load)
    assert 0.0 <= b <= 1.0
    assert 0.0 <= c <= 1.0
    assert c >= b - 1e-15


@PROPERTY
@given(
    load=st.floats(min_value=0.05, max_value=150.0, allow_nan=False),
    aht=st.floats(min_value=0.01, max_value=100.0, allow_nan=False),
    within_frac=st.floats(min_value=0.0, max_value=3.0, allow_nan=False),
    n=st.integers(min_value=1, max_value=250),
)
def test_erlang_c_service_level_rises_with_n(
    load: float, aht: float, within_frac: float, n: int
) -> None:
    rate = load / aht
    within = within_frac * aht
    sl_n = erlang_c_service_level(n, rate, aht, within)
    sl_next = erlang_c_service_level(n + 1, rate, aht, within)
    assert 0.0 <= sl_n <= 1.0
    assert sl_next >= sl_n - 1e-12


# --------------------------------------------------------------------------- Erlang A


def _brute_force_erlang_a(
    n: int, rate: float, aht: float, patience: float, within: float, k_max: int = 250
) -> dict[str, float]:
    """Independent Erlang A: direct products for pi, linear solves on the tagged chain.

    For the absorbing chain with transient generator T (queue positions), exit vectors
    s (answered) and a (abandoned) and start vector alpha: P(served) = alpha (-T)^-1 s,
    E[W 1{served}] = alpha (-T)^-2 s, E[W 1{abandoned}] = alpha (-T)^-2 a, and
    P(served by t) = alpha (-T)^-1 (I - e^{Tt}) s.
    """
    mu, theta = 1 / aht, 1 / patience
    weights = [1.0]
    for k in range(1, k_max + 1):
        weights.append(weights[-1] * rate / (min(k, n) * mu + max(k - n, 0) * theta))
    pi = np.array(weights) / sum(weights)
    assert pi[-1] < 1e-18, "k_max too small for this case"
    alpha = pi[n:]
    size = alpha.size
    t_gen = np.zeros((size, size))
    for j in range(size):
        t_gen[j, j] = -(n * mu + (j + 1) * theta)
        if j > 0:
            t_gen[j, j - 1] = n * mu + j * theta
    s = np.zeros(size)
    s[0] = n * mu
    a = np.full(size, theta)
    neg_inv_s = linalg.solve(-t_gen, s)
    neg_inv_a = linalg.solve(-t_gen, a)
    p_served_chain = alpha @ neg_inv_s
    wait_served = alpha @ linalg.solve(-t_gen, neg_inv_s)
    wait_abandon = alpha @ linalg.solve(-t_gen, neg_inv_a)
    served_by_t = alpha @ (neg_inv_s - linalg.expm(t_gen * within) @ neg_inv_s)
    return {
        "p_no_wait": float(pi[:n].sum()),
        "p_served_chain": float(pi[:n].sum() + p_served_chain),
        "wait_served": float(wait_served),
        "wait_abandon": float(wait_abandon),
        "service_level": float(pi[:n].sum() + served_by_t),
        "mean_queue": float(np.maximum(np.arange(k_max + 1) - n, 0) @ pi),
    }


@pytest.mark.parametrize(
    ("n", "rate", "aht", "patience", "within"),
    [
        (EA_N, EA_RATE, EA_AHT, EA_PATIENCE, EA_WITHIN),
        (4, 1.0, 5.0, 2.0, 1.0),  # overloaded: load 5 on 4 agents
        (12, 3.0, 3.0, 10.0, 0.5),
        (2, 0.5, 1.0, 0.25, 0.1),  # impatient customers
    ],
)
def test_erlang_a_consistency(
    n: int, rate: float, aht: float, patience: float, within: float
) -> None:
    res = erlang_a(n, rate, aht, patience, within=within)
    ref = _brute_force_erlang_a(n, rate, aht, patience, within)
    theta = 1 / patience
    assert res.mean_queue == pytest.approx(ref["mean_queue"], rel=1e-9, abs=1e-12)
    assert res.mean_wait == pytest.approx(res.mean_queue / rate, rel=1e-12)
    assert res.p_abandon == pytest.approx(theta * res.mean_wait, rel=1e-12)
    assert res.p_wait == pytest.approx(1 - ref["p_no_wait"], rel=1e-9)
    # Abandonment from Little's law agrees with abandonment from the tagged-customer chain.
    assert 1 - res.p_abandon == pytest.approx(ref["p_served_chain"], rel=1e-9)
    # Total wait splits into the waits of answered and of abandoning customers.
    assert ref["wait_served"] + ref["wait_abandon"] == pytest.approx(res.mean_wait, rel=1e-9)
    assert res.asa_answered == pytest.approx(ref["wait_served"] / (1 - res.p_abandon), rel=1e-9)
    assert res.asa_answered == pytest.approx(
        (res.mean_wait - ref["wait_abandon"]) / (1 - res.p_abandon), rel=1e-9
    )
    assert res.service_level == pytest.approx(ref["service_level"], rel=1e-9, abs=1e-12)
    assert res.occupancy == pytest.approx(rate * (1 - res.p_abandon) * aht / n, rel=1e-9)


def test_erlang_a_service_level_limits() -> None:
    base = erlang_a(EA_N, EA_RATE, EA_AHT, EA_PATIENCE)
    assert base.service_level is None
    at_zero = erlang_a(EA_N, EA_RATE, EA_AHT, EA_PATIENCE, within=0.0)
    assert at_zero.service_level == pytest.approx(1 - at_zero.p_wait, rel=1e-12)
    forever = erlang_a(EA_N, EA_RATE, EA_AHT, EA_PATIENCE, within=1e4)
    assert forever.service_level == pytest.approx(1 - forever.p_abandon, rel=1e-9)
    levels = [
        erlang_a(EA_N, EA_RATE, EA_AHT, EA_PATIENCE, within=t).service_level
        for t in (0.0, 0.1, 0.5, 2.0)
    ]
    assert levels == sorted(levels)


def test_erlang_a_dense_and_sparse_expm_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    args = (20, 10.0, 2.5, 1.0)  # overloaded enough for a queue of ~hundred positions
    dense = erlang_a(*args, within=0.3)
    monkeypatch.setattr(abandonment, "_DENSE_EXPM_MAX", 0)
    sparse = erlang_a(*args, within=0.3)
    assert sparse.service_level == pytest.approx(dense.service_level, rel=1e-9, abs=1e-13)


@pytest.mark.parametrize(("n", "rate", "aht"), [(10, 8.0 / 3, 3.0), (EA_N, EA_RATE, EA_AHT)])
def test_erlang_a_converges_to_erlang_c(n: int, rate: float, aht: float) -> None:
    load = rate * aht
    within = aht / 3
    c = erlang_c(n, load)
    asa = erlang_c_asa(n, rate, aht)
    sl = erlang_c_service_level(n, rate, aht, within)
    # The gap to Erlang C shrinks linearly in 1/patience (about 2e-7 relative here).
    patient = erlang_a(n, rate, aht, 1e9, within=within)
    assert patient.p_wait == pytest.approx(c, rel=1e-6)
    assert patient.mean_wait == pytest.approx(asa, rel=1e-6)
    assert patient.asa_answered == pytest.approx(asa, rel=1e-6)
    assert patient.mean_queue == pytest.approx(rate * asa, rel=1e-6)
    assert patient.service_level == pytest.approx(sl, rel=1e-6)
    assert patient.occupancy == pytest.approx(load / n, rel=1e-6)
    assert patient.p_abandon < 1e-7
    infinite = erlang_a(n, rate, aht, math.inf, within=within)
    expected = {
        "p_wait": c,
        "p_abandon": 0.0,
        "mean_wait": asa,
        "mean_queue": rate * asa,
        "asa_answered": asa,
        "service_level": sl,
        "occupancy": load / n,
    }
    for field, value in expected.items():
        assert getattr(infinite, field) == pytest.approx(value, rel=1e-12), field


def test_erlang_a_infinite_patience_needs_stability() -> None:
    with pytest.raises(ValueError, match="load < n"):
        erlang_a(4, 2.0, 3.0, math.inf)


@pytest.mark.parametrize(
    ("rate", "aht", "patience", "within", "target"),
    [
        (EA_RATE, EA_AHT, EA_PATIENCE, EA_WITHIN, 0.8),
        (EA_RATE, EA_AHT, EA_PATIENCE, EA_WITHIN, 0.6),
        (10.0, 1.0, 0.5, 0.2, 0.9),
        (0.1, 1.0, 1.0, 0.0, 0.5),
    ],
)
def test_erlang_a_agents_is_least(
    rate: float, aht: float, patience: float, within: float, target: float
) -> None:
    n = erlang_a_agents(rate, aht, patience, within, target)
    sl = erlang_a(n, rate, aht, patience, within=within).service_level
    assert sl is not None and sl >= target
    if n > 1:
        below = erlang_a(n - 1, rate, aht, patience, within=within).service_level
        assert below is not None and below < target


def test_erlang_a_agents_reference_case() -> None:
    # SL(9) = 0.668924 in the reference case, so a 0.66 target is met by 9 and not by 8.
    assert erlang_a_agents(EA_RATE, EA_AHT, EA_PATIENCE, EA_WITHIN, 0.66) == 9
    assert erlang_a_agents(EA_RATE, EA_AHT, EA_PATIENCE, EA_WITHIN, 0.67) == 10


@settings(max_examples=25, derandomize=True, deadline=None)
@given(
    load=st.floats(min_value=0.1, max_value=30.0, allow_nan=False),
    patience_frac=st.floats(min_value=0.05, max_value=20.0, allow_nan=False),
    within_frac=st.floats(min_value=0.0, max_value=2.0, allow_nan=False),
    n=st.integers(min_value=1, max_value=40),
)
def test_erlang_a_service_level_rises_with_n(
    load: float, patience_frac: float, within_frac: float, n: int
) -> None:
    aht = 1.0
    first = erlang_a(n, load, aht, patience_frac * aht, within=within_frac * aht)
    second = erlang_a(n + 1, load, aht, patience_frac * aht, within=within_frac * aht)
    assert first.service_level is not None and second.service_level is not None
    assert 0.0 <= first.service_level <= 1.0
    assert second.service_level >= first.service_level - 1e-12
    for res in (first, second):
        assert 0.0 <= res.p_abandon <= res.p_wait <= 1.0
        assert 0.0 <= res.occupancy <= 1.0 + 1e-12


# --------------------------------------------------------------------------- priorities


@pytest.mark.parametrize(
    ("n", "mu", "rates"),
    [(5, 1.0, [1.0, 3.0]), (3, 0.5, [0.2, 0.4, 0.6]), (1, 2.0, [1.5]), (8, 1.0, [2.0, 0.0, 5.0])],
)
def test_priority_conservation_law(n: int, mu: float, rates: list[float]) -> None:
    waits = priority_waits(n, mu, rates)
    total = sum(rates)
    average = sum(lam * w for lam, w in zip(rates, waits, strict=True)) / total
    assert average == pytest.approx(erlang_c_asa(n, total, 1 / mu), rel=1e-12)
    assert waits == sorted(waits)


def test_priority_single_class_is_fifo() -> None:
    assert priority_waits(10, 1 / 3, [8 / 3]) == [pytest.approx(erlang_c_asa(10, 8 / 3, 3.0))]


# --------------------------------------------------------------------------- Halfin-Whitt


def test_square_root_staffing() -> None:
    assert square_root_staffing(100.0, 0.5) == 105
    assert square_root_staffing(100.0, 1.0) == 110  # exact integer is not pushed to 111
    assert square_root_staffing(8.0, 1.0) == math.ceil(8 + math.sqrt(8))
    assert square_root_staffing(4.0, -5.0) == 1


def test_halfin_whitt_p_wait() -> None:
    assert halfin_whitt_p_wait(0.0) == 1.0
    assert halfin_whitt_p_wait(-1.0) == 1.0
    assert halfin_whitt_p_wait(40.0) == pytest.approx(0.0, abs=1e-300)
    betas = [0.1, 0.5, 1.0, 2.0, 3.0]
    values = [halfin_whitt_p_wait(b) for b in betas]
    assert values == sorted(values, reverse=True)
    # Known value: beta = 1 gives [1 + Phi(1)/phi(1)]^-1 = 0.217... (Halfin & Whitt 1981).
    assert halfin_whitt_p_wait(1.0) == pytest.approx(1 / (1 + 0.841344746 / 0.241970725), rel=1e-8)


def test_halfin_whitt_is_the_erlang_c_limit() -> None:
    beta = 0.5
    gaps = []
    for load in (100.0, 10_000.0):
        n = round(load + beta * math.sqrt(load))  # exact here
        gaps.append(abs(erlang_c(n, load) - halfin_whitt_p_wait(beta)))
    assert gaps[1] < gaps[0] < 0.02
    assert gaps[1] < 0.002


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "call",
    [
        lambda: erlang_b(0, 1.0),
        lambda: erlang_b(2.5, 1.0),
        lambda: erlang_b(True, 1.0),
        lambda: erlang_b(3, -1.0),
        lambda: erlang_c(3, math.nan),
        lambda: erlang_c(3, math.inf),
        lambda: erlang_c_asa(3, 0.0, 1.0),
        lambda: erlang_c_asa(3, 1.0, -1.0),
        lambda: erlang_c_service_level(3, 1.0, 1.0, -0.1),
        lambda: erlang_c_agents(1.0, 1.0, 0.5, 1.0),
        lambda: erlang_c_agents(1.0, 1.0, 0.5, -0.1),
        lambda: erlang_a(3, 1.0, 1.0, 0.0),
        lambda: erlang_a(3, 1.0, 1.0, -2.0),
        lambda: erlang_a(3, 1.0, 1.0, 1.0, within=-1.0),
        lambda: erlang_a_agents(1.0, 1.0, 1.0, 0.5, 1.5),
        lambda: priority_waits(2, 1.0, []),
        lambda: priority_waits(2, 1.0, [1.0, -0.5]),
        lambda: priority_waits(2, 1.0, [0.0, 0.0]),
        lambda: priority_waits(2, 1.0, [1.0, 1.0]),
        lambda: priority_waits(2, 0.0, [1.0]),
        lambda: square_root_staffing(0.0, 1.0),
        lambda: square_root_staffing(10.0, math.inf),
        lambda: halfin_whitt_p_wait(math.nan),
    ],
)
def test_invalid_arguments_raise_value_error(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        call()


MESSAGES = [  # each bad argument is named, with the rule it breaks and the value given
    (lambda: erlang_b(0, 1.0), "n must be >= 1, got 0"),
    (lambda: erlang_b(2.5, 1.0), "n must be an integer number of agents, got 2.5"),
    (lambda: erlang_b(3, -1.0), "load must be a finite number >= 0, got -1.0"),
    (lambda: erlang_c(3, "2"), "load must be a real number, got '2'"),
    (lambda: erlang_c(3, math.nan), "load must not be NaN"),
    (lambda: erlang_c_asa(3, 0.0, 1.0), "arrival_rate must be a finite number > 0, got 0.0"),
    (lambda: erlang_c_asa(3, 1.0, -1.0), "aht must be a finite number > 0, got -1.0"),
    (lambda: erlang_c_service_level(3, 0.0, 1.0, 0.1), "arrival_rate must be a finite"),
    (lambda: erlang_c_service_level(3, 1.0, 0.0, 0.1), "aht must be a finite number > 0"),
    (lambda: erlang_c_service_level(3, 1.0, 1.0, -0.1), "within must be a finite number >= 0"),
    (lambda: erlang_c_agents(0.0, 1.0, 0.5, 0.8), "arrival_rate must be a finite number > 0"),
    (lambda: erlang_c_agents(1.0, 0.0, 0.5, 0.8), "aht must be a finite number > 0"),
    (lambda: erlang_c_agents(1.0, 1.0, -0.5, 0.8), "within must be a finite number >= 0"),
    (lambda: erlang_c_agents(1.0, 1.0, 0.5, 1.0), "target must be a fraction in [0, 1), got 1.0"),
    (lambda: erlang_c_agents(1.0, 1.0, 0.5, True), "target must be a real number, got True"),
    (lambda: erlang_a(0, 1.0, 1.0, 1.0), "n must be >= 1, got 0"),
    (lambda: erlang_a(3, 0.0, 1.0, 1.0), "arrival_rate must be a finite number > 0"),
    (lambda: erlang_a(3, 1.0, 0.0, 1.0), "aht must be a finite number > 0"),
    (lambda: erlang_a(3, 1.0, 1.0, "x"), "mean_patience must be a real number, got 'x'"),
    (lambda: erlang_a(3, 1.0, 1.0, -2.0), "mean_patience must be > 0, got -2.0"),
    (lambda: erlang_a(3, 1.0, 1.0, 1.0, within=-1.0), "within must be a finite number >= 0"),
    (
        lambda: erlang_a(2, 1.0, 2.0, math.inf),
        "infinite patience needs load < n for a steady state (load=2.0, n=2)",
    ),
    (lambda: erlang_a_agents(0.0, 1.0, 1.0, 0.5, 0.5), "arrival_rate must be a finite"),
    (lambda: erlang_a_agents(1.0, 0.0, 1.0, 0.5, 0.5), "aht must be a finite number > 0"),
    (lambda: erlang_a_agents(1.0, 1.0, 1.0, -0.5, 0.5), "within must be a finite number >= 0"),
    (lambda: erlang_a_agents(1.0, 1.0, 1.0, 0.5, 1.5), "target must be a fraction in [0, 1)"),
    (lambda: priority_waits(0, 1.0, [1.0]), "n must be >= 1, got 0"),
    (lambda: priority_waits(2, 0.0, [1.0]), "service_rate must be a finite number > 0, got 0.0"),
    (lambda: priority_waits(2, 1.0, [1.0, -0.5]), "arrival_rates[1] must be a finite number >= 0"),
    (lambda: priority_waits(2, 1.0, []), "arrival_rates must contain at least one class"),
    (lambda: priority_waits(2, 1.0, [0.0, 0.0]), "the total arrival rate must be > 0"),
    (
        lambda: priority_waits(2, 1.0, [1.0, 1.0]),
        "unstable: total arrival rate 2.0 >= n * service_rate = 2.0",
    ),
    (lambda: square_root_staffing(0.0, 1.0), "load must be a finite number > 0, got 0.0"),
    (lambda: square_root_staffing(10.0, "1"), "beta must be a real number, got '1'"),
    (lambda: square_root_staffing(10.0, math.inf), "beta must be finite, got inf"),
    (lambda: halfin_whitt_p_wait(math.nan), "beta must not be NaN"),
]


@pytest.mark.parametrize(("call", "message"), MESSAGES)
def test_invalid_arguments_are_named_in_the_message(call: Callable[[], object], message: str):
    with pytest.raises(ValueError) as raised:
        call()
    assert str(raised.value).startswith(message)


def test_unstable_and_boundary_loads() -> None:
    """At load = n exactly the queue is already unstable: every formula says so."""
    assert erlang_c(10, 10.0) == 1.0
    assert erlang_c(10, 9.999) < 1.0
    assert erlang_c_asa(10, 10.0, 1.0) == math.inf
    assert erlang_c_service_level(10, 10.0, 1.0, 0.5) == 0.0
    limit = erlang_a(4, 3.0, 1.0, math.inf, within=0.5)  # the Erlang C limit, with its SL
    assert limit.service_level == pytest.approx(erlang_c_service_level(4, 3.0, 1.0, 0.5))
    assert limit.asa_answered == pytest.approx(erlang_c_asa(4, 3.0, 1.0))
    assert limit.occupancy == 0.75 and limit.p_abandon == 0.0
    assert limit.mean_queue == pytest.approx(3.0 * erlang_c_asa(4, 3.0, 1.0))
    assert erlang_a(4, 3.0, 1.0, math.inf).service_level is None


def test_square_root_staffing_slack_is_relative_with_an_absolute_floor() -> None:
    """1e-12 × max(1, |x|): float noise above a whole number is ignored, nothing more."""
    assert square_root_staffing(1e6, 1e-10) == 1_000_000  # x = 1e6 + 1e-7: noise
    assert square_root_staffing(1e6, 1e-8) == 1_000_001  # x = 1e6 + 1e-5: a real excess
    assert square_root_staffing(1.0, 1.5e-12) == 2  # below 1 the slack is 1e-12, not more
    assert square_root_staffing(1.0, 0.5e-12) == 1
    assert square_root_staffing(4.0, 1.0) == 6
    assert square_root_staffing(4.0, -3.0) == 1  # at least one agent


def test_halfin_whitt_limits() -> None:
    assert halfin_whitt_p_wait(math.inf) == 0.0
    assert halfin_whitt_p_wait(0.0) == 1.0
    assert halfin_whitt_p_wait(-1.0) == 1.0


@pytest.mark.parametrize("k", [1, 2, 3, 5, 17, 64, 100, 150])
def test_least_meeting_finds_the_threshold_from_any_start_in_few_steps(k: int) -> None:
    for start in sorted({0, 1, 2, 3, 7, k - 1, k, k + 1, 2 * k, 149, 500}):
        asked: list[int] = []

        def meets(n: int, asked: list[int] = asked) -> bool:
            asked.append(n)
            return n >= k

        found = least_meeting(meets, start)
        assert found == k and isinstance(found, int), (k, start)
        assert min(asked) >= 1 and all(isinstance(n, int) for n in asked)
        # bracketing by doubling, then bisection: O(log) evaluations, never a linear walk
        assert len(asked) <= 4 * math.log2(max(k, start, 2)) + 4, (k, start, asked)


def test_least_meeting_reaches_the_agent_limit_and_no_further() -> None:
    limit = MAX_AGENTS
    # from here the second step lands exactly on the limit, which is still allowed
    start = 9_993_676
    assert start + 2 * math.ceil(math.sqrt(start)) == limit
    assert least_meeting(lambda n: n >= limit, start) == limit
    with pytest.raises(ValueError, match=f"^not reachable with {limit} agents$"):
        least_meeting(lambda n: False, start)


def test_erlang_a_far_overloaded_keeps_its_flow_balance() -> None:
    """Queue of about (λ − nμ)/θ = 160 callers, beyond the chain's first 64 positions: the
    answered flow λ(1 − P(abandon)) still equals what the agents serve, n μ occupancy."""
    res = erlang_a(2, 20.0, 0.5, 10.0, within=0.1)
    assert res.mean_queue == pytest.approx(160.0, rel=0.05)
    assert 20.0 * (1.0 - res.p_abandon) == pytest.approx(2 * 2.0 * res.occupancy, rel=1e-9)
    assert res.p_abandon == pytest.approx(0.8, abs=0.01)  # 16 of 20 a unit of time leave


def test_priority_waits_with_a_small_total_rate() -> None:
    waits = priority_waits(2, 1.0, [0.25, 0.25])  # a total under one is still a load
    assert waits[0] < waits[1]
    assert 0.5 * waits[0] + 0.5 * waits[1] == pytest.approx(erlang_c_asa(2, 0.5, 1.0))


def test_numpy_integers_are_accepted() -> None:
    assert erlang_c(np.int64(10), np.float64(8.0)) == pytest.approx(erlang_c(10, 8.0))
