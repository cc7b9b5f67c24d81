"""The Erlang calculators' tables: one row of figures per headcount, times in seconds.

What ``ccsim erlang b|c|a`` prints, computed from :mod:`sim.analytic` (the same code the
tests hold the simulator to). Rows are plain dicts, so they print as a table or as CSV.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sim.analytic.abandonment import erlang_a
from sim.analytic.erlang import (
    erlang_b,
    erlang_c,
    erlang_c_asa,
    erlang_c_service_level,
    least_meeting,
)

Row = dict[str, Any]

ERLANG_A_BUDGET = 2e7
"""Erlang A's exact answered-within-t figure exponentiates a chain with one state per queue
position; its cost grows like (queue positions) x (rate x threshold). Beyond this budget
(about two seconds) a headcount far below the load is refused rather than computed."""


class TooCostly(ValueError):
    """The exact figures at this headcount would take too long to compute."""


def erlang_b_rows(load: float, agents: Sequence[int]) -> list[Row]:
    """Erlang B: blocking probability and occupancy (carried load per agent) per headcount."""
    rows = []
    for n in agents:
        blocking = erlang_b(n, load)
        rows.append(
            {
                "agents": n,
                "load_erlangs": load,
                "blocking": blocking,
                "occupancy": load * (1.0 - blocking) / n,
            }
        )
    return rows


def least_agents_blocking(load: float, max_blocking: float) -> int:
    """Least n with Erlang B blocking <= ``max_blocking`` (blocking falls as n grows)."""
    n, blocking = 1, load / (1.0 + load)
    while blocking > max_blocking:
        n += 1
        blocking = load * blocking / (n + load * blocking)
    return n


def erlang_c_rows(per_hour: float, aht: float, within: float, agents: Sequence[int]) -> list[Row]:
    """Erlang C (M/M/n, nobody abandons) per headcount; times in seconds.

    When the load reaches the headcount the queue grows without bound: every caller waits,
    the ASA is infinite, nobody is answered within the threshold and agents are always busy.
    """
    lam = per_hour / 3600.0
    load = lam * aht
    rows = []
    for n in agents:
        stable = load < n
        rows.append(
            {
                "agents": n,
                "load_erlangs": load,
                "p_wait": erlang_c(n, load),
                "asa_seconds": erlang_c_asa(n, lam, aht),
                "service_level": erlang_c_service_level(n, lam, aht, within),
                "occupancy": load / n if stable else 1.0,
            }
        )
    return rows


def check_erlang_a_cost(n: int, lam: float, aht: float, patience: float, within: float) -> None:
    """Raise :class:`TooCostly` when the exact Erlang A figures at ``n`` agents would take
    too long.

    Far below the load the queue settles around (lambda - n mu) / theta callers; above a
    few hundred positions the answered-within-t figure needs a sparse matrix exponential whose
    cost grows like positions x (total rate x threshold) (see :mod:`sim.analytic.abandonment`).
    """
    mu, theta = 1.0 / aht, 1.0 / patience
    positions = 64.0 + max(0.0, (lam - n * mu) / theta)
    if positions <= 400:
        return
    if positions * (n * mu + positions * theta) * within > ERLANG_A_BUDGET:
        raise TooCostly(
            f"with {n} agents about {positions - 64:,.0f} callers would queue: too many for the "
            "exact Erlang A figures; choose a headcount closer to the load"
        )


def least_agents_erlang_a(
    per_hour: float, aht: float, patience: float, within: float, target: float
) -> int:
    """Least n whose Erlang A service level is >= ``target`` (it increases with n).

    The same answer as ``sim.analytic.erlang_a_agents``, which brackets upward from one
    agent; this search gallops outward from the offered load instead, where the answer
    usually lies, so that a large centre is never evaluated with a handful of agents and a
    queue of thousands.
    """
    lam = per_hour / 3600.0
    load = lam * aht

    def meets(n: int) -> bool:
        check_erlang_a_cost(n, lam, aht, patience, within)
        level = erlang_a(n, lam, aht, patience, within=within).service_level
        assert level is not None
        return level >= target

    return least_meeting(meets, start=max(1, math.ceil(load)))


def erlang_a_rows(
    per_hour: float, aht: float, patience: float, within: float, agents: Sequence[int]
) -> list[Row]:
    """Erlang A (M/M/n+M, exponential patience) per headcount; times in seconds."""
    lam = per_hour / 3600.0
    for n in agents:
        check_erlang_a_cost(n, lam, aht, patience, within)
    rows = []
    for n in agents:
        result = erlang_a(n, lam, aht, patience, within=within)
        rows.append(
            {
                "agents": n,
                "load_erlangs": lam * aht,
                "p_wait": result.p_wait,
                "p_abandon": result.p_abandon,
                "asa_seconds": result.asa_answered,
                "service_level": result.service_level,
                "occupancy": result.occupancy,
            }
        )
    return rows
