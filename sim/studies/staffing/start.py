"""Where the staffing search starts: Erlang A or C for the phone pool, the file elsewhere."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim import analytic
from sim.model.agents import productive_agents
from sim.scenario import Scenario
from sim.studies.staffing.slots import decision_slots, headcounts_of
from sim.studies.staffing.targets import Target


def _mean(spec: Any) -> float:
    if spec.dist == "deterministic":
        return float(spec.value)
    if spec.dist == "empirical":
        return float(np.mean(spec.values))
    return float(spec.mean)


def erlang_start(
    scenario: Scenario, targets: Sequence[Target] = ()
) -> tuple[tuple[int, ...], list[str]]:
    """Starting headcounts and a note per choice made.

    A flat pool that alone serves phone starts from Erlang A (exponential patience) or
    Erlang C for the phone service-level target (the ``phone.service_level>=`` target if
    given, else the scenario's own) on the mean phone arrival rate of first contacts, scaled
    up for shrinkage. Every other slot starts from the scenario's own value.
    """
    start = list(headcounts_of(scenario))
    slots = decision_slots(scenario)
    notes: list[str] = []
    phone_pools = [name for name, pool in scenario.pools.items() if "phone" in pool.skills]
    share = scenario.demand.first_channel.get("phone", 0.0)
    if len(phone_pools) != 1 or share <= 0:
        return tuple(start), notes
    name = phone_pools[0]
    pool = scenario.pools[name]
    if pool.schedule is not None:
        notes.append(f"{name}: scheduled pool, starting from the scenario's shifts")
        return tuple(start), notes
    phone = scenario.channels.phone
    goal = phone.service_level.target
    for target in targets:
        if target.key == ("phone", "service_level") and target.op == ">=":
            goal = target.value
    if not 0 < goal < 1:
        return tuple(start), notes
    rate = scenario.demand.issues_per_second * share
    aht = _mean(phone.handle_time) * pool.efficiency.get("phone", 1.0)
    if phone.after_contact is not None:  # agents stay busy through the wrap-up
        aht += _mean(phone.after_contact)
    within = phone.service_level.within
    patience = phone.patience
    try:
        if patience is not None and patience.dist == "exponential":
            productive = analytic.erlang_a_agents(rate, aht, _mean(patience), within, goal)
            method = "Erlang A"
        else:
            productive = analytic.erlang_c_agents(rate, aht, within, goal)
            method = "Erlang C"
    except ValueError as error:
        notes.append(f"{name}: no Erlang start ({error}); starting from the scenario")
        return tuple(start), notes
    shrink = pool.shrinkage
    scheduled = max(1, math.ceil(productive / (1.0 - shrink) - 1e-9))
    while productive_agents(scheduled, shrink) < productive:
        scheduled += 1
    index = next(i for i, slot in enumerate(slots) if slot.pool == name)
    scheduled = max(scheduled, slots[index].minimum)
    start[index] = scheduled
    extra = f" / (1 - shrinkage {shrink:g})" if shrink else ""
    notes.append(
        f"{name}: {method} start {productive} agents for {goal:g} of phone in "
        f"{within:g}s at {rate * 3600:.1f} first calls/h{extra} -> {scheduled}"
    )
    return tuple(start), notes
