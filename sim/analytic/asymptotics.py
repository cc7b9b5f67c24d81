"""Priority queues and asymptotic staffing: non-preemptive priority M/M/n (Cobham 1954,
Davis 1966) and Halfin-Whitt square-root staffing (Halfin & Whitt 1981)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from sim.analytic.checks import as_real, check_nonnegative, check_positive, check_servers
from sim.analytic.erlang import erlang_c


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
    n = check_servers(n)
    mu = check_positive(service_rate, "service_rate")
    rates = [check_nonnegative(x, f"arrival_rates[{i}]") for i, x in enumerate(arrival_rates)]
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


def square_root_staffing(load: float, beta: float) -> int:
    """Square-root staffing rule n = ceil(A + beta sqrt(A)) (Halfin & Whitt 1981).

    ``beta`` is the quality-of-service parameter: in the QED regime P(wait) tends to
    ``halfin_whitt_p_wait(beta)``.  A relative slack of 1e-12 keeps values that are integers
    up to rounding error from being pushed up by one.  At least one agent is returned
    (beta may be negative, e.g. for Erlang A staffing).
    """
    a = check_positive(load, "load")
    b = as_real(beta, "beta")
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
    b = as_real(beta, "beta")
    if b <= 0.0:
        return 1.0
    if math.isinf(b):
        return 0.0
    from scipy import special, stats

    # 1 / (1 + e^y) with y = log(beta Phi(beta) / phi(beta)) is expit(-y).
    y = math.log(b) + float(special.log_ndtr(b)) - float(stats.norm.logpdf(b))
    return float(special.expit(-y))
