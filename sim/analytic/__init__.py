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

from sim.analytic.abandonment import ErlangAResult, erlang_a, erlang_a_agents
from sim.analytic.asymptotics import halfin_whitt_p_wait, priority_waits, square_root_staffing
from sim.analytic.erlang import (
    erlang_b,
    erlang_c,
    erlang_c_agents,
    erlang_c_asa,
    erlang_c_service_level,
    least_meeting,
)

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
    "least_meeting",
    "priority_waits",
    "square_root_staffing",
]
