"""Erlang A service levels under the definitions planners use for abandoned calls.

In the M/M/n+M queue (Erlang A) with threshold t and "short abandon" s:

- abandons as misses: SL = P(answered within t) (over all arrivals);
- abandons excluded: SL = P(answered within t) / (1 - P(abandon));
- short abandons excluded: SL = P(answered within t) / (1 - P(abandon after a wait < s)).

P(abandon within s) comes from the same tagged-customer absorbing chain as the answered-
within-t figure of :func:`sim.analytic.erlang_a`, with the abandonment exit as the absorbing
state read: an arrival finding j ahead moves up the queue at rate n mu + j theta, is answered
from the head at rate n mu, and abandons at rate theta from every position.
"""

from __future__ import annotations

import math

import numpy as np

from sim.analytic.abandonment import _erlang_a_distribution, erlang_a
from sim.analytic.checks import check_nonnegative, check_positive, check_servers, probability


def abandoned_within(
    n: int, arrival_rate: float, aht: float, mean_patience: float, within: float
) -> float:
    """P(an arrival abandons after a wait shorter than ``within``) in Erlang A."""
    from scipy import sparse
    from scipy.sparse import linalg as sparse_linalg

    n = check_servers(n)
    lam = check_positive(arrival_rate, "arrival_rate")
    mu = 1.0 / check_positive(aht, "aht")
    theta = 1.0 / check_positive(mean_patience, "mean_patience")
    s = check_nonnegative(within, "within")
    if s == 0.0 or math.isinf(mean_patience):
        return 0.0
    queue_probs = _erlang_a_distribution(n, lam, mu, theta)[n:]
    size, n_mu = queue_probs.size, n * mu
    pos = np.arange(size, dtype=float)
    answered, abandoned = size, size + 1
    # generator transposed (G^T), so expm(G^T s) @ alpha is the row vector alpha expm(G s)
    rows = np.concatenate((pos, pos[:-1], [answered], np.full(size, abandoned))).astype(int)
    cols = np.concatenate((pos, pos[1:], [0], pos)).astype(int)
    vals = np.concatenate(
        (-(n_mu + (pos + 1.0) * theta), n_mu + pos[1:] * theta, [n_mu], np.full(size, theta))
    )
    gen_t = sparse.csr_matrix((vals * s, (rows, cols)), shape=(size + 2, size + 2))
    start = np.concatenate((queue_probs, [0.0, 0.0]))
    return probability(float(sparse_linalg.expm_multiply(gen_t, start)[abandoned]))


def service_level_definitions(
    n: int, arrival_rate: float, aht: float, mean_patience: float, within: float, short: float
) -> dict[str, float]:
    """Erlang A service level within ``within`` under each definition of
    ``service_level.abandons`` (``miss``, ``exclude``, ``exclude_short`` with ``short``)."""
    result = erlang_a(n, arrival_rate, aht, mean_patience, within)
    answered = result.service_level
    assert answered is not None
    short_abandons = abandoned_within(n, arrival_rate, aht, mean_patience, short)
    return {
        "miss": answered,
        "exclude": probability(answered / (1.0 - result.p_abandon)),
        "exclude_short": probability(answered / (1.0 - short_abandons)),
    }
