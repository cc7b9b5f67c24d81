"""Channel policies against queueing theory: non-preemptive priority and reservations.

Tolerances come from the simulation's own spread, as in test_erlang_validation.py: a
metric's mean over replications must lie within three standard errors (std / sqrt(R)) of
theory. Seeds are fixed, so the tests are deterministic.

* Priority: one pool serving phone before email, equal exponential handle times and no
  abandonment, is the non-preemptive priority M/M/n queue (Cobham 1954, Davis 1966):
  ``sim.analytic.priority_waits`` gives each class's mean wait.
* Reservation: ``reserve: {pool: {phone: R}}`` starts email only if R agents stay idle.
  With exponential times that is a continuous-time Markov chain on (busy agents, phone
  queue, email queue), solved numerically below for the share of each channel that waits.
  Across R = 0..3, with common random numbers, phone service rises and email's falls.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from builders import build
from scipy import sparse
from scipy.sparse import linalg as sparse_linalg

from sim import analytic
from sim.experiment.replication import run_scenario
from sim.experiment.results import RunResult


def per_replication(result: RunResult, scope: str, metric: str) -> np.ndarray:
    return np.array([r.metrics[(scope, metric)] for r in result.replications])


def mean_se(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values)))


def assert_within_3se(result: RunResult, scope: str, metric: str, theory: float) -> None:
    mean, se = mean_se(per_replication(result, scope, metric))
    assert se > 0, f"{scope} {metric}: no spread across replications"
    assert abs(mean - theory) <= 3 * se, (
        f"{scope} {metric}: simulated {mean:.5f} ± {se:.5f} (SE) vs theory {theory:.5f}"
    )


def two_class_centre(
    name: str,
    agents: int,
    per_hour: float,
    phone_share: float,
    handle: dict[str, str],
    run: dict[str, Any],
    policy: dict[str, Any],
    within: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Phone and email at one blended pool: exponential handle times, nobody abandons."""
    within = within or {}
    channels: dict[str, Any] = {}
    for channel in ("phone", "email"):
        channels[channel] = {"handle_time": {"dist": "exponential", "mean": handle[channel]}}
        if channel in within:
            channels[channel]["service_level"] = {"within": within[channel]}
    return {
        "name": name,
        "run": run,
        "demand": {
            "issues_per_hour": per_hour,
            "first_channel": {"phone": phone_share, "email": 1.0 - phone_share},
        },
        "channels": channels,
        "behaviour": {"escalate_to_social": {"probability": 0.0}},
        "pools": {"blend": {"agents": agents, "skills": ["phone", "email"]}},
        "policy": policy,
    }


# --- non-preemptive priority ----------------------------------------------------------------

# n = 5, mu = 1/min, lambda = (1, 3)/min: the domain notes' reference case.
PRIORITY = {"n": 5, "mu": 1.0, "rates": [1.0, 3.0]}


@pytest.fixture(scope="module")
def priority_run() -> RunResult:
    data = two_class_centre(
        "priority",
        agents=5,
        per_hour=240.0,  # 4 issues a minute: phone 1/min, email 3/min
        phone_share=0.25,
        handle={"phone": "1min", "email": "1min"},
        run={"horizon": "2d", "warmup": "1h", "replications": 10, "interval": "1h", "seed": 3},
        policy={"priority": ["phone", "email"]},
    )
    return run_scenario(build(data), workers=1)


def test_priority_reference_values() -> None:
    """The oracle itself, against the domain notes (minutes)."""
    phone, email = analytic.priority_waits(PRIORITY["n"], PRIORITY["mu"], PRIORITY["rates"])
    assert phone == pytest.approx(0.138528, abs=1e-6)
    assert email == pytest.approx(0.692641, abs=1e-6)


@pytest.mark.parametrize(("channel", "klass"), [("phone", 0), ("email", 1)])
def test_priority_mean_waits_match_cobham_davis(
    priority_run: RunResult, channel: str, klass: int
) -> None:
    """Nobody abandons, so the ASA of answered contacts is the class's mean wait."""
    waits = analytic.priority_waits(PRIORITY["n"], PRIORITY["mu"], PRIORITY["rates"])
    assert_within_3se(priority_run, channel, "asa_seconds", waits[klass] * 60.0)


@pytest.mark.parametrize("channel", ["phone", "email"])
def test_priority_p_wait_is_erlang_c_for_each_class(priority_run: RunResult, channel: str) -> None:
    """Non-preemptive: a contact of either class waits exactly when every agent is busy."""
    assert_within_3se(priority_run, channel, "p_wait", analytic.erlang_c(5, 4.0))


def test_priority_low_class_waits_clearly_longer(priority_run: RunResult) -> None:
    """Email waits about five times as long as phone; the paired gap is far beyond noise."""
    phone = per_replication(priority_run, "phone", "asa_seconds")
    email = per_replication(priority_run, "email", "asa_seconds")
    gap, se = mean_se(email - phone)
    assert gap > 10 * se
    assert (email > 3 * phone).all()


def test_priority_nobody_abandons(priority_run: RunResult) -> None:
    for channel in ("phone", "email"):
        offered = per_replication(priority_run, channel, "offered")
        answered = per_replication(priority_run, channel, "answered")
        waiting = per_replication(priority_run, channel, "waiting_end")
        assert (per_replication(priority_run, channel, "abandoned") == 0).all()
        assert (answered + waiting == offered).all()


# --- reservation ----------------------------------------------------------------------------

# 10 agents; phone 48/h and email 36/h, both exponential 5 min: 4 + 3 Erlangs. Email comes
# first in the priority order, so only the reservation protects phone.
RESERVE = {"n": 10, "phone_per_min": 48 / 60, "email_per_min": 36 / 60, "mu": 1 / 5}
RESERVATIONS = (0, 1, 2, 3)


def reserve_p_wait(
    n: int, reserve: int, lam_phone: float, lam_email: float, mu: float
) -> tuple[float, float]:
    """P(wait) of phone and email under ``reserve`` (email first), from the exact CTMC.

    State (k busy agents, phone queue, email queue). A phone arrival takes an idle agent if
    there is one; an email arrival only if more than ``reserve`` are idle. A finishing agent
    (n - k + 1 idle counting itself) takes queued email if more than ``reserve`` are idle,
    else queued phone, else goes idle. The phone queue is non-empty only when k = n, and the
    email queue only when n - k <= reserve. Queues are truncated where the neglected mass is
    negligible (checked). By PASTA, phone waits with P(k = n), email with P(n - k <= reserve).
    """
    max_phone, max_email = 60, 300
    states = []
    for k in range(n + 1):
        phone_queues = range(max_phone + 1) if k == n else [0]
        email_queues = range(max_email + 1) if n - k <= reserve else [0]
        states += [(k, qp, qe) for qp in phone_queues for qe in email_queues]
    index = {state: i for i, state in enumerate(states)}
    rows, cols, rates = [], [], []

    def move(i: int, to: tuple[int, int, int], rate: float) -> None:
        j = index.get(to)  # beyond the truncation: the transition is dropped
        if j is not None:
            rows.append(i)
            cols.append(j)
            rates.append(rate)

    for i, (k, qp, qe) in enumerate(states):
        move(i, (k + 1, qp, qe) if k < n else (k, qp + 1, qe), lam_phone)
        move(i, (k + 1, qp, qe) if n - k > reserve else (k, qp, qe + 1), lam_email)
        if k:
            if qe and n - k + 1 > reserve:
                move(i, (k, qp, qe - 1), k * mu)
            elif qp:
                move(i, (k, qp - 1, qe), k * mu)
            else:
                move(i, (k - 1, qp, qe), k * mu)
    size = len(states)
    gen = sparse.coo_matrix((rates, (rows, cols)), shape=(size, size)).tocsr()
    gen = gen - sparse.diags(np.asarray(gen.sum(axis=1)).ravel())
    # Solve pi Q = 0 with sum(pi) = 1: the first balance equation is replaced by the sum.
    system = gen.T.tolil()
    system[0, :] = np.ones(size)
    rhs = np.zeros(size)
    rhs[0] = 1.0
    pi = sparse_linalg.spsolve(system.tocsr(), rhs)
    busy = np.array([k for k, _, _ in states])
    edge = np.array([qp == max_phone or qe == max_email for _, qp, qe in states])
    assert pi[edge].sum() < 1e-9, "truncation too tight"
    return float(pi[busy == n].sum()), float(pi[n - busy <= reserve].sum())


@pytest.fixture(scope="module")
def reservation_runs() -> dict[int, RunResult]:
    """The same customers (seed) under each reservation level."""
    runs = {}
    for reserve in RESERVATIONS:
        data = two_class_centre(
            f"reserve-{reserve}",
            agents=RESERVE["n"],
            per_hour=84.0,
            phone_share=48 / 84,
            handle={"phone": "5min", "email": "5min"},
            run={"horizon": "2d", "warmup": "2h", "replications": 8, "interval": "1h", "seed": 5},
            policy={"priority": ["email", "phone"], "reserve": {"blend": {"phone": reserve}}},
            within={"phone": "20s", "email": "2min"},
        )
        runs[reserve] = run_scenario(build(data), workers=1)
    return runs


@pytest.mark.parametrize("reserve", RESERVATIONS)
def test_reservation_p_wait_matches_the_markov_chain(
    reservation_runs: dict[int, RunResult], reserve: int
) -> None:
    phone, email = reserve_p_wait(
        RESERVE["n"], reserve, RESERVE["phone_per_min"], RESERVE["email_per_min"], RESERVE["mu"]
    )
    result = reservation_runs[reserve]
    assert_within_3se(result, "phone", "p_wait", phone)
    assert_within_3se(result, "email", "p_wait", email)


def test_no_reservation_is_plain_priority(reservation_runs: dict[int, RunResult]) -> None:
    """R = 0 is non-preemptive priority with email as the high class (equal service rates)."""
    mu_per_s = RESERVE["mu"] / 60
    email, phone = analytic.priority_waits(
        RESERVE["n"], mu_per_s, [RESERVE["email_per_min"] / 60, RESERVE["phone_per_min"] / 60]
    )
    assert_within_3se(reservation_runs[0], "email", "asa_seconds", email)
    assert_within_3se(reservation_runs[0], "phone", "asa_seconds", phone)


def test_reservation_trades_email_service_for_phone(
    reservation_runs: dict[int, RunResult],
) -> None:
    """Each extra reserved agent raises phone's service level and lowers email's, and with
    common random numbers each step's paired difference is beyond three standard errors."""
    levels = {
        channel: {
            r: per_replication(reservation_runs[r], channel, "service_level") for r in RESERVATIONS
        }
        for channel in ("phone", "email")
    }
    for lower, higher in pairwise(RESERVATIONS):
        phone_gain, phone_se = mean_se(levels["phone"][higher] - levels["phone"][lower])
        email_loss, email_se = mean_se(levels["email"][lower] - levels["email"][higher])
        assert phone_gain > 3 * phone_se, f"phone, R {lower} -> {higher}"
        assert email_loss > 3 * email_se, f"email, R {lower} -> {higher}"


def test_reservation_keeps_the_work(reservation_runs: dict[int, RunResult]) -> None:
    """Reserving agents delays email but serves it all: occupancy stays at the load, 7/10."""
    for reserve in RESERVATIONS:
        assert_within_3se(reservation_runs[reserve], "pool:blend", "occupancy", 0.7)
