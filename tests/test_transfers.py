"""Transfers: a share of answered contacts becomes a new contact of the journey elsewhere.

Phone transfers a fifth of its answered calls to email, which nothing else reaches: the
emails offered are the transferred calls, a binomial count around 0.2 × calls answered,
every issue is still resolved, given up or found in the system, and the phone figures are
unchanged (transfers happen after the answer).
"""

from __future__ import annotations

import math

from builders import build, deep_update, mmc_data

from sim.experiment.replication import simulate, tabulate
from sim.model.centre import Centre


def data(transfers: dict | None) -> dict:
    base = deep_update(mmc_data(agents=10, per_hour=80.0), {"run": {"replications": 1}})
    base["channels"]["email"] = {"handle_time": {"dist": "exponential", "mean": "5min"}}
    base["pools"]["voice"]["skills"] = ["phone", "email"]
    if transfers is not None:
        base["channels"]["phone"]["transfers"] = transfers
    return base


def test_a_share_of_answered_calls_is_transferred() -> None:
    centre = Centre(build(data({"email": 0.2})), 0)
    m = tabulate(centre.scenario, centre.run()).metrics
    answered, emails = m[("phone", "answered")], m[("email", "offered")]
    se = math.sqrt(answered * 0.2 * 0.8)
    assert abs(emails - 0.2 * answered) < 3 * se + 5  # + 5: calls near the horizon's edges
    assert m[("email", "answered")] + m[("email", "waiting_end")] == emails
    still_open = {j for j in centre.census() if j.k >= 0}
    closed = m[("centre", "resolved")] + m[("centre", "gave_up")]
    assert m[("centre", "issues")] == closed + len(still_open)
    # each transfer is one more contact of its journey (counted by the interval)
    assert abs(m[("centre", "contacts")] - m[("phone", "offered")] - emails) <= 10


def test_no_transfers_draws_nothing() -> None:
    none = simulate(build(data(None)), 0).metrics
    zero = simulate(build(data({"email": 0.0})), 0).metrics
    assert none[("phone", "service_level")] == zero[("phone", "service_level")]
    assert none[("email", "offered")] == zero[("email", "offered")] == 0
