"""Closed-form and exact numerical queueing figures for contact-centre staffing.

Every function here is pure: it takes numbers and returns numbers, with no simulation and
no randomness.  They serve two purposes in ccsim: quick staffing answers (how many agents
for a service-level target), and reference values that the discrete-event simulator can be
checked against.

Time units are whatever the caller uses consistently: if ``arrival_rate`` is per minute then
``aht`` (average handling time), ``mean_patience`` and ``within`` (the service-level
threshold) must be in minutes too, and the returned waits are in minutes.  ``load`` is the
offered load in Erlangs, ``A = arrival_rate * aht``.

Models
------
* Erlang B (M/M/n/n, blocked calls cleared) and Erlang C (M/M/n, infinite patience).
* Erlang A (M/M/n+M, Palm's model with exponential patience), following Mandelbaum &
  Zeltyn, "The M/M/n+G queue: summary of performance measures" (2007 technical note), with
  the answered-within-t figure computed exactly from a tagged-customer absorbing CTMC.
* Non-preemptive priority M/M/n with a common exponential service rate (Cobham 1954,
  Davis 1966).
* Halfin-Whitt square-root staffing (Halfin & Whitt 1981).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse, special, stats
from scipy.sparse import linalg as sparse_linalg

__all__ = [
    "ErlangAResult",
    "erlang_a",
    "erlang_a_agents",
    "erlang_b",
    "erlang_c",
    "erlang_c_agents",
    "erlang_c_asa",
    "erlang_c_service_level",
    "halfin_whitt_p_wait",
    "priority_waits",
    "square_root_staffing",
]

#: Stationary-distribution tail mass (and tail contribution to E[Q]) below which the
#: Erlang A birth-death chain is truncated.
ERLANG_A_TAIL_TOL = 1e-12

#: Above this many queue positions the tagged-customer chain is exponentiated with the
#: sparse ``expm_multiply`` (action of the exponential on one vector) instead of a dense
#: ``scipy.linalg.expm``; both are exact up to floating point.
_DENSE_EXPM_MAX = 400

#: Staffing searches give up (ValueError) beyond this many agents.
_MAX_AGENTS = 10_000_000


# --------------------------------------------------------------------------- validation


def _check_servers(n: object, name: str = "n") -> int:
    """Return ``n`` as an int, or raise ValueError unless it is an integer >= 1."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise ValueError(f"{name} must be an integer number of agents, got {n!r}")
    if n < 1:
        raise ValueError(f"{name} must be >= 1, got {n}")
    return int(n)


def _check_positive(value: object, name: str) -> float:
    """Return ``value`` as a float, or raise ValueError unless it is finite and > 0."""
    x = _as_real(value, name)
    if not (math.isfinite(x) and x > 0.0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return x


def _check_nonnegative(value: object, name: str) -> float:
    """Return ``value`` as a float, or raise ValueError unless it is finite and >= 0."""
    x = _as_real(value, name)
    if not (math.isfinite(x) and x >= 0.0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return x


def _check_target(value: object) -> float:
    """Return a service-level target as a float, or raise ValueError unless 0 <= t < 1."""
    x = _as_real(value, "target")
    if not (0.0 <= x < 1.0):
        raise ValueError(f"target must be a fraction in [0, 1), got {value!r}")
    return x


def _as_real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    x = float(value)
    if math.isnan(x):
        raise ValueError(f"{name} must not be NaN")
    return x


# --------------------------------------------------------------------------- Erlang B / C


def erlang_b(n: int, load: float) -> float:
    """Erlang B: blocking probability of an M/M/n/n loss system with offered load ``load``.

    Uses the numerically stable recursion B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)),
    which avoids the factorials of the textbook formula B = (A^n/n!) / sum_k A^k/k!.
    Erlang B is also the building block of Erlang C.

    Args:
        n: number of servers (agents), an integer >= 1.
        load: offered load A = arrival rate x mean service time, in Erlangs (>= 0).
    """
    n = _check_servers(n)
    a = _check_nonnegative(load, "load")
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(n: int, load: float) -> float:
    """Erlang C: probability that an arrival has to wait in an M/M/n queue.

    C = n B / (n - A (1 - B)) with B = erlang_b(n, A) (Erlang's relation between his two
    formulas).  Customers are infinitely patient, so when A >= n the queue is unstable and
    every arrival eventually waits: 1.0 is returned.

    Args:
        n: number of agents, an integer >= 1.
        load: offered load in Erlangs (>= 0).
    """
    n = _check_servers(n)
    a = _check_nonnegative(load, "load")
    if a >= n:
        return 1.0
    b = erlang_b(n, a)
    return n * b / (n - a * (1.0 - b))


def erlang_c_asa(n: int, arrival_rate: float, aht: float) -> float:
    """Average speed of answer of M/M/n: mean wait in queue over *all* arrivals.

    E[Wq] = C / (n mu - lambda), mu = 1/aht (waits are exponential with rate n mu - lambda
    given that a customer waits, and a fraction C waits).  Returns ``math.inf`` when the
    queue is unstable (lambda * aht >= n).
    """
    n = _check_servers(n)
    lam = _check_positive(arrival_rate, "arrival_rate")
    aht = _check_positive(aht, "aht")
    load = lam * aht
    if load >= n:
        return math.inf
    return erlang_c(n, load) / (n / aht - lam)


def erlang_c_service_level(n: int, arrival_rate: float, aht: float, within: float) -> float:
    """Service level of M/M/n: fraction of all arrivals answered within ``within``.

    SL(t) = 1 - C exp(-(n mu - lambda) t): the conditional wait of delayed customers is
    exponential with rate n mu - lambda.  Returns 0.0 when the queue is unstable.
    """
    n = _check_servers(n)
    lam = _check_positive(arrival_rate, "arrival_rate")
    aht = _check_positive(aht, "aht")
    t = _check_nonnegative(within, "within")
    load = lam * aht
    if load >= n:
        return 0.0
    return 1.0 - erlang_c(n, load) * math.exp(-(n / aht - lam) * t)


def erlang_c_agents(arrival_rate: float, aht: float, within: float, target: float) -> int:
    """Least number of agents n with load < n and Erlang C service level >= ``target``.

    The service level 1 - C(n) exp(-(n mu - lambda) t) increases with n, so the search walks
    upward from the smallest stable staffing floor(A) + 1.  Erlang B is advanced
    incrementally (one recursion step per extra agent), so the search costs O(n).

    Args:
        arrival_rate: lambda > 0.
        aht: mean handling time > 0 (same time unit as 1/arrival_rate).
        within: service-level threshold t >= 0.
        target: required fraction answered within t, in [0, 1).
    """
    lam = _check_positive(arrival_rate, "arrival_rate")
    aht = _check_positive(aht, "aht")
    t = _check_nonnegative(within, "within")
    goal = _check_target(target)
    load = lam * aht
    mu = 1.0 / aht
    n = math.floor(load) + 1
    b = erlang_b(n, load)
    while n <= _MAX_AGENTS:
        if load < n:
            c = n * b / (n - load * (1.0 - b))
            if 1.0 - c * math.exp(-(n * mu - lam) * t) >= goal:
                return n
        n += 1
        b = load * b / (n + load * b)
    raise ValueError(f"target {goal} not reachable with {_MAX_AGENTS} agents")


# --------------------------------------------------------------------------- Erlang A


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
    n = _check_servers(n)
    lam = _check_positive(arrival_rate, "arrival_rate")
    aht = _check_positive(aht, "aht")
    patience = _as_real(mean_patience, "mean_patience")
    if not patience > 0.0:
        raise ValueError(f"mean_patience must be > 0, got {mean_patience!r}")
    t = None if within is None else _check_nonnegative(within, "within")
    mu = 1.0 / aht
    n_mu = n * mu

    if math.isinf(patience):
        load = lam * aht
        if load >= n:
            raise ValueError(
                f"infinite patience needs load < n for a steady state (load={load}, n={n})"
            )
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

    exit_rates = n_mu + (j + 1.0) * theta
    p_served_given_j = n_mu / exit_rates
    mean_sojourn_given_j = np.cumsum(1.0 / exit_rates)
    wait_served = float(queue_probs @ (p_served_given_j * mean_sojourn_given_j))
    p_served = 1.0 - p_abandon
    asa_answered = wait_served / p_served

    service_level = None
    if t is not None:
        service_level = _probability(p_no_wait + _answered_within(n_mu, theta, queue_probs, t))

    return ErlangAResult(
        p_wait=_probability(p_wait),
        p_abandon=_probability(p_abandon),
        mean_wait=mean_wait,
        mean_queue=mean_queue,
        asa_answered=asa_answered,
        service_level=service_level,
        occupancy=_probability(occupancy),
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
    lam = _check_positive(arrival_rate, "arrival_rate")
    aht = _check_positive(aht, "aht")
    t = _check_nonnegative(within, "within")
    goal = _check_target(target)

    def meets(n: int) -> bool:
        sl = erlang_a(n, lam, aht, mean_patience, t).service_level
        assert sl is not None
        return sl >= goal

    try:
        return least_meeting(meets, start=max(1, math.ceil(lam * aht)))
    except ValueError:
        raise ValueError(f"target {goal} not reachable with {_MAX_AGENTS} agents") from None


def least_meeting(meets: Callable[[int], bool], start: int = 1) -> int:
    """Least ``n >= 1`` with ``meets(n)``, for a ``meets`` that stays true once true.

    Brackets the answer around ``start`` (a good guess, e.g. the offered load, keeps large
    centres fast): down by doubling gaps if ``start`` meets, up by growing steps if not; then
    bisects. Raises ``ValueError`` past the agent limit.
    """
    hi = max(1, start)
    if meets(hi):
        lo, gap = 0, 1  # lo == 0 stands for "no smaller n meets"
        while hi - gap >= 1:
            if not meets(hi - gap):
                lo = hi - gap
                break
            hi, gap = hi - gap, 2 * gap
    else:
        lo, step = hi, max(1, math.ceil(math.sqrt(hi)))
        hi += step
        while not meets(hi):
            lo, hi, step = hi, hi + step, 2 * step
            if hi > _MAX_AGENTS:
                raise ValueError(f"not reachable with {_MAX_AGENTS} agents")
    while hi - lo > 1:  # invariant: not meets(lo) (or lo == 0), meets(hi)
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return hi


# --------------------------------------------------------------------------- priorities


def priority_waits(n: int, service_rate: float, arrival_rates: Sequence[float]) -> list[float]:
    """Mean queue waits per class in a non-preemptive priority M/M/n queue.

    All classes share one exponential service rate mu; class 1 has the highest priority.
    Cobham (1954), extended to n servers by Davis (1966):

        Wq_k = C / (n mu (1 - sigma_{k-1}) (1 - sigma_k)),  sigma_k = sum_{i<=k} lambda_i/(n mu)

    with C the Erlang C probability at the total load.  The arrival-weighted average of the
    Wq_k equals the FIFO Erlang C wait (work conservation).  Classes may have zero arrival
    rate (their wait is still defined); the total must be positive and below n mu.

    Returns:
        One mean wait per class, in the order given.
    """
    n = _check_servers(n)
    mu = _check_positive(service_rate, "service_rate")
    rates = [_check_nonnegative(x, f"arrival_rates[{i}]") for i, x in enumerate(arrival_rates)]
    if not rates:
        raise ValueError("arrival_rates must contain at least one class")
    total = math.fsum(rates)
    if total <= 0.0:
        raise ValueError("the total arrival rate must be > 0")
    capacity = n * mu
    if total >= capacity:
        raise ValueError(f"unstable: total arrival rate {total} >= n * service_rate = {capacity}")
    c = erlang_c(n, total / mu)
    waits = []
    sigma_prev = 0.0
    cumulative = 0.0
    for lam in rates:
        cumulative += lam
        sigma = cumulative / capacity
        waits.append(c / (capacity * (1.0 - sigma_prev) * (1.0 - sigma)))
        sigma_prev = sigma
    return waits


# --------------------------------------------------------------------------- Halfin-Whitt


def square_root_staffing(load: float, beta: float) -> int:
    """Square-root staffing rule n = ceil(A + beta sqrt(A)) (Halfin & Whitt 1981).

    ``beta`` is the quality-of-service parameter: in the QED regime P(wait) tends to
    ``halfin_whitt_p_wait(beta)``.  A relative slack of 1e-12 keeps values that are integers
    up to rounding error from being pushed up by one.  At least one agent is returned
    (beta may be negative, e.g. for Erlang A staffing).
    """
    a = _check_positive(load, "load")
    b = _as_real(beta, "beta")
    if not math.isfinite(b):
        raise ValueError(f"beta must be finite, got {beta!r}")
    x = a + b * math.sqrt(a)
    return max(1, math.ceil(x - 1e-12 * max(1.0, abs(x))))


def halfin_whitt_p_wait(beta: float) -> float:
    """Halfin-Whitt limit of the Erlang C delay probability, [1 + beta Phi(beta)/phi(beta)]^-1.

    It is the limit of C(n, A) as A -> inf with (n - A)/sqrt(A) -> beta (Halfin & Whitt
    1981).  The ratio is evaluated in logs so that large beta does not overflow.  For
    beta <= 0 the system is critically loaded or unstable and 1.0 is returned.
    """
    b = _as_real(beta, "beta")
    if b <= 0.0:
        return 1.0
    if math.isinf(b):
        return 0.0
    # 1 / (1 + e^y) with y = log(beta Phi(beta) / phi(beta)) is expit(-y).
    y = math.log(b) + float(special.log_ndtr(b)) - float(stats.norm.logpdf(b))
    return float(special.expit(-y))


def _probability(value: float) -> float:
    """Clamp a probability computed as a sum of terms to [0, 1] (last-ulp rounding)."""
    return min(1.0, max(0.0, value))
