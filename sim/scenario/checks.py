"""Checks that span several sections of a valid-looking scenario.

Pydantic validates each field on its own; these rules need the whole picture (which channels
actually receive contacts, which pools exist, how long a day is) and return every problem
with its own field path rather than stopping at the first.
"""

from __future__ import annotations

from sim.scenario.registry import kind_of, public_names
from sim.scenario.schema import Scenario
from sim.scenario.units import DAY, format_duration

Issue = tuple[str, str]  # (field path, message)


def receiving_channels(scenario: Scenario) -> set[str]:
    """Channels that can receive contacts: first choices and everything they lead to."""
    receiving = {ch for ch, share in scenario.demand.first_channel.items() if share > 0}
    jump = scenario.behaviour.jump_the_line
    if jump.enabled and jump.max_social_first > 0:
        receiving.update(public_names())
    sections = scenario.channels.sections()
    frontier = set(receiving)
    while frontier:
        reached = set().union(*(sections[ch].leads_to(scenario) for ch in frontier))
        frontier = reached - receiving
        receiving |= frontier
    return receiving


def check_scenario(scenario: Scenario) -> list[Issue]:
    """Return ``(path, message)`` for every cross-section problem; empty when runnable."""
    issues: list[Issue] = []
    issues += _check_run(scenario)
    issues += _check_demand(scenario)
    issues += _check_pools(scenario)
    issues += _check_policy(scenario)
    return issues


def _check_run(scenario: Scenario) -> list[Issue]:
    interval = scenario.run.interval
    per_day = DAY / interval
    if abs(per_day - round(per_day)) > 1e-9:
        return [("run.interval", f"{format_duration(interval)} does not divide a day evenly")]
    return []


def _check_demand(scenario: Scenario) -> list[Issue]:
    profile = scenario.demand.profile
    if profile is None or _check_run(scenario):
        return []
    expected = scenario.intervals_per_day
    if len(profile) != expected:
        interval = format_duration(scenario.run.interval)
        return [
            (
                "demand.profile",
                f"needs one weight per {interval} interval of the day: {expected} values "
                f"(got {len(profile)})",
            )
        ]
    return []


def _check_pools(scenario: Scenario) -> list[Issue]:
    issues: list[Issue] = []
    for name, pool in scenario.pools.items():
        for channel in pool.concurrency:
            if channel not in pool.skills:
                issues.append(
                    (f"pools.{name}.concurrency.{channel}", f"pool '{name}' does not serve it")
                )
        for channel in pool.efficiency:
            if channel not in pool.skills:
                issues.append(
                    (f"pools.{name}.efficiency.{channel}", f"pool '{name}' does not serve it")
                )
        if pool.priority is not None and sorted(pool.priority) != sorted(pool.skills):
            issues.append(
                (f"pools.{name}.priority", "must list exactly the pool's skills, in order")
            )
    served = {ch for pool in scenario.pools.values() for ch in pool.skills}
    sections = scenario.channels.sections()
    served |= {ch for ch, section in sections.items() if not section.answered_by_agents(scenario)}
    for channel in sorted(receiving_channels(scenario) - served):
        if kind_of(channel).assisted:
            issues.append(
                (
                    "pools",
                    f"channel '{channel}' receives contacts but no pool has it in its skills",
                )
            )
    return issues


def _check_policy(scenario: Scenario) -> list[Issue]:
    issues: list[Issue] = []
    for pool_name, reserve in scenario.policy.reserve.items():
        pool = scenario.pools.get(pool_name)
        if pool is None:
            known = ", ".join(scenario.pools)
            issues.append((f"policy.reserve.{pool_name}", f"no pool of that name ({known})"))
            continue
        for channel, count in reserve.items():
            path = f"policy.reserve.{pool_name}.{channel}"
            if channel not in pool.skills:
                issues.append((path, f"pool '{pool_name}' does not serve {channel}"))
            elif pool.agents is not None and count >= pool.agents:
                issues.append((path, f"keeps {count} of {pool.agents} agents free: none left"))
    return issues
