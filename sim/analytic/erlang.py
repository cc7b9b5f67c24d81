"""Erlang B and C: blocking, waiting and service level of M/M/n, and the least headcount.

Erlang B (M/M/n/n, blocked calls cleared) by the stable recursion; Erlang C (M/M/n, infinite
patience) from it. ``load`` is the offered load in Erlangs, ``A = arrival_rate * aht``; times
are in whatever unit the caller uses consistently.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from sim.analytic.checks import (
    MAX_AGENTS,
    check_nonnegative,
    check_positive,
    check_servers,
    check_target,
)


def erlang_b(n: int, load: float) -> float:
    """Erlang B: blocking probability of an M/M/n/n loss system with offered load ``load``.

    Uses the numerically stable recursion B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)),
    which avoids the factorials of the textbook formula B = (A^n/n!) / sum_k A^k/k!.
    Erlang B is also the building block of Erlang C.

    Args:
        n: number of servers (agents), an integer >= 1.
        load: offered load A = arrival rate x mean service time, in Erlangs (>= 0).
    """
    n = check_servers(n)
    a = check_nonnegative(load, "load")
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
    n = check_servers(n)
    a = check_nonnegative(load, "load")
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
    n = check_servers(n)
    lam = check_positive(arrival_rate, "arrival_rate")
    aht = check_positive(aht, "aht")
    load = lam * aht
    if load >= n:
        return math.inf
    return erlang_c(n, load) / (n / aht - lam)


def erlang_c_service_level(n: int, arrival_rate: float, aht: float, within: float) -> float:
    """Service level of M/M/n: fraction of all arrivals answered within ``within``.

    SL(t) = 1 - C exp(-(n mu - lambda) t): the conditional wait of delayed customers is
    exponential with rate n mu - lambda.  Returns 0.0 when the queue is unstable.
    """
    n = check_servers(n)
    lam = check_positive(arrival_rate, "arrival_rate")
    aht = check_positive(aht, "aht")
    t = check_nonnegative(within, "within")
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
    lam = check_positive(arrival_rate, "arrival_rate")
    aht = check_positive(aht, "aht")
    t = check_nonnegative(within, "within")
    goal = check_target(target)
    load = lam * aht
    mu = 1.0 / aht
    n = math.floor(load) + 1
    b = erlang_b(n, load)
    while n <= MAX_AGENTS:
        if load < n:
            c = n * b / (n - load * (1.0 - b))
            if 1.0 - c * math.exp(-(n * mu - lam) * t) >= goal:
                return n
        n += 1
        b = load * b / (n + load * b)
    raise ValueError(f"target {goal} not reachable with {MAX_AGENTS} agents")


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
            if hi > MAX_AGENTS:
                raise ValueError(f"not reachable with {MAX_AGENTS} agents")
    while hi - lo > 1:  # invariant: not meets(lo) (or lo == 0), meets(hi)
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return hi
