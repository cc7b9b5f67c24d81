"""Erlang A (M/M/n+M, Palm's model with exponential patience), exactly.

Following Mandelbaum & Zeltyn, "The M/M/n+G queue: summary of performance measures" (2007
technical note), with the answered-within-t figure computed exactly from a tagged-customer
absorbing continuous-time Markov chain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.analytic.checks import (
    MAX_AGENTS,
    as_real,
    check_nonnegative,
    check_positive,
    check_servers,
    check_target,
    probability,
)
from sim.analytic.erlang import erlang_c, least_meeting

#: Stationary-distribution tail mass (and tail contribution to E[Q]) below which the
#: Erlang A birth-death chain is truncated.
ERLANG_A_TAIL_TOL = 1e-12

#: Above this many queue positions the tagged-customer chain is exponentiated with the
#: sparse ``expm_multiply`` (action of the exponential on one vector) instead of a dense
#: ``scipy.linalg.expm``; both are exact up to floating point.
_DENSE_EXPM_MAX = 400


@dataclass(frozen=True)
class ErlangAResult:
    """Steady-state figures of the Erlang A (M/M/n+M) queue.

    Attributes:
        p_wait: P(an arrival finds all agents busy and has to queue).
        p_abandon: P(an arrival abandons before being answered).
        mean_wait: E[Wq], mean time in queue over all arrivals (answered and abandoning).
        mean_queue: E[Q], time-average number of customers waiting.
        asa_answered: mean wait of answered customers, E[Wq | served].
        service_level: P(answered within ``within``) over all arrivals, or None if no
            threshold was given.
        occupancy: carried load / n = lambda (1 - p_abandon) aht / n.
    """

    p_wait: float
    p_abandon: float
    mean_wait: float
    mean_queue: float
    asa_answered: float
    service_level: float | None
    occupancy: float


def _erlang_a_distribution(n: int, lam: float, mu: float, theta: float) -> np.ndarray:
    """Stationary distribution pi_0..pi_K of the Erlang A birth-death chain.

    pi_k is proportional to prod_{j<=k} lambda / (min(j, n) mu + (j - n)^+ theta), computed
    as a cumulative sum of logs and normalised with logsumexp, so that large n or loads do
    not overflow.  K is grown (doubling) until a geometric bound on the neglected tail --
    both its probability mass and its contribution to E[Q] -- is below ERLANG_A_TAIL_TOL.
    Beyond n the birth/death ratios lambda / (n mu + j theta) decrease in j, so once the
    next ratio r < 1 the tail after K is at most pi_K r / (1 - r).
    """
    from scipy import special

    n_mu = n * mu
    # Start just past the queue length at which the ratio drops below 1 (at once if
    # lambda < n mu); doubling then finds how far the tail really reaches.
    extra = 64 + max(0, math.ceil((lam - n_mu) / theta))
    while True:
        k_max = n + extra
        j = np.arange(1, k_max + 1, dtype=float)
        death = np.minimum(j, n) * mu + np.maximum(j - n, 0.0) * theta
        log_pi = np.concatenate(([0.0], np.cumsum(math.log(lam) - np.log(death))))
        log_pi -= special.logsumexp(log_pi)
        pi = np.exp(log_pi)
        r = lam / (n_mu + (extra + 1) * theta)
        if r < 1.0:
            geo = r / (1.0 - r)
            tail_mass = pi[-1] * geo
            tail_queue = pi[-1] * (extra * geo + geo / (1.0 - r))
            if tail_mass < ERLANG_A_TAIL_TOL and tail_queue < ERLANG_A_TAIL_TOL:
                return pi
        extra *= 2


def _answered_within(n_mu: float, theta: float, queue_probs: np.ndarray, within: float) -> float:
    """P(an arrival that has to queue is answered within ``within``), unconditioned.

    Tagged-customer chain: the arrival that finds n + j in system starts at queue position
    j (j customers ahead).  From position j > 0 it moves to j - 1 at rate n mu + j theta
    (a service completion or an abandonment of someone ahead), from position 0 it is
    answered at rate n mu, and at any position it abandons at rate theta.  With transient
    generator T, answer-exit vector s and initial weights alpha_j = pi_{n+j},
    P(answered by t) = [alpha, 0] expm([[T, s], [0, 0]] t) e_answered.
    Returns sum_j pi_{n+j} P(answered by t | start at j).
    """
    from scipy import linalg, sparse
    from scipy.sparse import linalg as sparse_linalg

    size = queue_probs.size
    if within == 0.0 or size == 0:
        return 0.0
    pos = np.arange(size, dtype=float)
    diag = -(n_mu + (pos + 1.0) * theta)  # leave position j: progress + own abandonment
    down = n_mu + pos[1:] * theta  # j -> j - 1
    if size <= _DENSE_EXPM_MAX:
        gen = np.zeros((size + 1, size + 1))
        gen[np.arange(size), np.arange(size)] = diag
        gen[np.arange(1, size), np.arange(size - 1)] = down
        gen[0, size] = n_mu
        absorbed = linalg.expm(gen * within)[:size, size]
        return float(queue_probs @ absorbed)
    # Large queues: propagate the initial row vector, i.e. expm(G^T t) alpha.
    rows = np.concatenate((np.arange(size), np.arange(size - 1), [size]))
    cols = np.concatenate((np.arange(size), np.arange(1, size), [0]))
    vals = np.concatenate((diag, down, [n_mu]))
    gen_t = sparse.csr_matrix((vals * within, (rows, cols)), shape=(size + 1, size + 1))
    start = np.concatenate((queue_probs, [0.0]))
    return float(sparse_linalg.expm_multiply(gen_t, start)[size])


def erlang_a(
    n: int,
    arrival_rate: float,
    aht: float,
    mean_patience: float,
    within: float | None = None,
) -> ErlangAResult:
    """Erlang A (M/M/n+M, Palm 1943): Poisson arrivals, exponential service and patience.

    Method (Mandelbaum & Zeltyn 2007):

    * Stationary distribution pi of the number in system, a birth-death chain with birth
      rate lambda and death rate min(k, n) mu + (k - n)^+ theta, theta = 1/mean_patience
      (see ``_erlang_a_distribution``).  By PASTA, arrivals see pi.
    * P(wait) = sum_{k>=n} pi_k; E[Q] = sum_k (k - n)^+ pi_k; E[Wq] = E[Q] / lambda
      (Little); P(abandon) = theta E[Wq] (abandonment flow = theta x mean queue).
    * Answered customers: an arrival finding n + j in system needs j + 1 consecutive
      "progress" steps, at position m the competing rates being n mu + m theta (progress)
      and theta (abandon), so P(served | j) = prod_{m=0..j} (n mu + m theta) /
      (n mu + (m+1) theta) = n mu / (n mu + (j+1) theta).  Sojourn times in competing
      exponentials are independent of the exit taken, so E[W 1{served} | j] =
      P(served | j) sum_{m=0..j} 1/(n mu + (m+1) theta).  Then
      asa_answered = E[W 1{served}] / P(served); the remainder E[Wq] - E[W 1{served}] is
      the waiting time of abandoners.
    * service_level(t) = P(no wait) + P(queued and answered within t), the latter from
      the tagged-customer absorbing CTMC via a matrix exponential (``_answered_within``).

    ``mean_patience = math.inf`` gives the Erlang C limit (requires load < n).

    Args:
        n: number of agents, integer >= 1.
        arrival_rate: lambda > 0.
        aht: mean handling time 1/mu > 0.
        mean_patience: mean time a customer is willing to wait, 1/theta > 0 (or inf).
        within: service-level threshold t >= 0, or None to skip the service level.
    """
    n = check_servers(n)
    lam = check_positive(arrival_rate, "arrival_rate")
    aht = check_positive(aht, "aht")
    patience = as_real(mean_patience, "mean_patience")
    if not patience > 0.0:
        raise ValueError(f"mean_patience must be > 0, got {mean_patience!r}")
    t = None if within is None else check_nonnegative(within, "within")
    mu = 1.0 / aht
    n_mu = n * mu

    if math.isinf(patience):
        return _erlang_c_limit(n, lam, aht, t)

    theta = 1.0 / patience
    pi = _erlang_a_distribution(n, lam, mu, theta)
    queue_probs = pi[n:]  # arrival finds n + j in system: j customers ahead in the queue
    j = np.arange(queue_probs.size, dtype=float)

    p_no_wait = float(pi[:n].sum())
    p_wait = float(queue_probs.sum())
    mean_queue = float(j @ queue_probs)
    mean_wait = mean_queue / lam
    p_abandon = theta * mean_wait
    busy = float(np.arange(n) @ pi[:n]) + n * p_wait
    occupancy = busy / n

    asa_answered = _asa_answered(n_mu, theta, queue_probs, p_abandon)
    service_level = None
    if t is not None:
        service_level = probability(p_no_wait + _answered_within(n_mu, theta, queue_probs, t))

    return ErlangAResult(
        p_wait=probability(p_wait),
        p_abandon=probability(p_abandon),
        mean_wait=mean_wait,
        mean_queue=mean_queue,
        asa_answered=asa_answered,
        service_level=service_level,
        occupancy=probability(occupancy),
    )


def _asa_answered(n_mu: float, theta: float, queue_probs: np.ndarray, p_abandon: float) -> float:
    """Mean wait of the answered: an arrival finding j ahead is served with probability
    n mu / (n mu + (j+1) theta), after a sojourn independent of the exit taken."""
    j = np.arange(queue_probs.size, dtype=float)
    exit_rates = n_mu + (j + 1.0) * theta
    p_served_given_j = n_mu / exit_rates
    mean_sojourn_given_j = np.cumsum(1.0 / exit_rates)
    wait_served = float(queue_probs @ (p_served_given_j * mean_sojourn_given_j))
    return wait_served / (1.0 - p_abandon)


def _erlang_c_limit(n: int, lam: float, aht: float, t: float | None) -> ErlangAResult:
    """Erlang A with infinite patience: Erlang C (needs load < n)."""
    load = lam * aht
    if load >= n:
        raise ValueError(
            f"infinite patience needs load < n for a steady state (load={load}, n={n})"
        )
    n_mu = n * (1.0 / aht)
    c = erlang_c(n, load)
    wq = c / (n_mu - lam)
    return ErlangAResult(
        p_wait=c,
        p_abandon=0.0,
        mean_wait=wq,
        mean_queue=lam * wq,
        asa_answered=wq,
        service_level=None if t is None else 1.0 - c * math.exp(-(n_mu - lam) * t),
        occupancy=load / n,
    )


def erlang_a_agents(
    arrival_rate: float, aht: float, mean_patience: float, within: float, target: float
) -> int:
    """Least number of agents whose Erlang A service level (answered within t / all
    arrivals) is >= ``target``.

    Erlang A is stable for every n, so the search starts at 1.  The service level increases
    with n, so the answer is bracketed by doubling and then found by bisection; the result
    n satisfies SL(n) >= target > SL(n - 1).
    """
    lam = check_positive(arrival_rate, "arrival_rate")
    aht = check_positive(aht, "aht")
    t = check_nonnegative(within, "within")
    goal = check_target(target)

    def meets(n: int) -> bool:
        sl = erlang_a(n, lam, aht, mean_patience, t).service_level
        assert sl is not None
        return sl >= goal

    try:
        return least_meeting(meets, start=max(1, math.ceil(lam * aht)))
    except ValueError:
        raise ValueError(f"target {goal} not reachable with {MAX_AGENTS} agents") from None
