"""Checks that span several sections of a valid-looking scenario.

Pydantic validates each field on its own; these rules need the whole picture (which channels
actually receive contacts, which pools exist, how long a day is) and return every problem
with its own field path rather than stopping at the first.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sim.scenario.registry import kind_of, public_names
from sim.scenario.schema import Scenario
from sim.scenario.units import DAY, format_duration

Issue = tuple[str, str]  # (field path, message)


def receiving_channels(scenario: Scenario) -> set[str]:
    """Channels that can receive contacts: first choices and everything they lead to."""
    receiving = {ch for ch, share in scenario.demand.first_channel.items() if share > 0}
    if scenario.demand.volumes is not None:
        receiving |= {ch for ch, n in scenario.demand.volumes.counts.items() if sum(n) > 0}
    jump = scenario.behaviour.jump_the_line
    if jump.enabled and jump.max_social_first > 0:
        receiving.update(public_names())
    sections = scenario.channels.sections()
    frontier = set(receiving)
    while frontier:
        reached = set().union(
            *(sections[ch].leads_to(scenario) | transfer_targets(sections[ch]) for ch in frontier)
        )
        frontier = reached - receiving
        receiving |= frontier
    return receiving


def transfer_targets(section: object) -> set[str]:
    """Channels a section transfers answered contacts to."""
    return {ch for ch, share in getattr(section, "transfers", {}).items() if share > 0}


def _check_transfers(scenario: Scenario) -> list[Issue]:
    """A loop of transfers with no exit: channels that transfer every answered contact, only
    among themselves (a contact would be transferred for ever)."""
    sections = scenario.channels.sections()
    closed = {
        ch
        for ch, section in sections.items()
        if sum(getattr(section, "transfers", {}).values()) >= 1.0 - 1e-9
    }
    changed = True
    while changed:
        escaping = {ch for ch in closed if not transfer_targets(sections[ch]) <= closed}
        closed -= escaping
        changed = bool(escaping)
    return [
        (
            f"channels.{ch}.transfers",
            "transfers every answered contact in a loop with no exit "
            f"({' -> '.join(sorted(closed))}): let a share resolve",
        )
        for ch in sorted(closed)
    ]


def reported_channels(scenario: Scenario) -> list[str]:
    """Channels whose rows a run reports, in registry order: every kind, except that a kind
    not ``always_reported`` is left out when no contact can reach it."""
    sections = scenario.channels.sections()
    optional = [name for name in sections if not kind_of(name).always_reported]
    receiving = receiving_channels(scenario) if optional else set()
    return [name for name in sections if name not in optional or name in receiving]


def check_scenario(scenario: Scenario) -> list[Issue]:
    """Return ``(path, message)`` for every cross-section problem; empty when runnable."""
    issues: list[Issue] = []
    issues += _check_run(scenario)
    issues += _check_demand(scenario)
    issues += _check_magnitudes(scenario)
    issues += _check_pools(scenario)
    issues += _check_policy(scenario)
    issues += _check_transfers(scenario)
    return issues


MIN_INTERVAL = 1.0
"""The shortest reporting interval, in seconds: shorter ones report nothing a planner can
use, and their counters alone would not fit in memory."""
MAX_SIMULATED_DAYS = 36_500
"""The longest warm-up plus horizon, in days (a century): beyond it a duration is a typo."""
MAX_DAY_VARIABILITY = 10.0
"""The largest CV of the daily volume factor: at 10 nearly every day already has no issues
and a few have all of them; far beyond it the gamma factor's shape underflows to 0."""


def _check_run(scenario: Scenario) -> list[Issue]:
    run = scenario.run
    interval = run.interval
    if interval < MIN_INTERVAL:
        return [("run.interval", f"must be at least 1s (got {interval:g} s)")]
    if run.warmup + run.horizon > MAX_SIMULATED_DAYS * DAY:
        name = "warmup" if run.warmup > run.horizon else "horizon"
        days = getattr(run, name) / DAY
        return [
            (
                f"run.{name}",
                f"{days:,.3g} days is more than the {MAX_SIMULATED_DAYS:,} days (a century) "
                "ccsim simulates at most, warm-up included",
            )
        ]
    per_day = DAY / interval
    if abs(per_day - round(per_day)) > 1e-9:
        return [("run.interval", f"{format_duration(interval)} does not divide a day evenly")]
    return []


def _check_magnitudes(scenario: Scenario) -> list[Issue]:
    """Values that pass their type's bounds but overflow what is computed from them."""
    demand = scenario.demand
    issues: list[Issue] = []
    if demand.day_variability > MAX_DAY_VARIABILITY:
        issues.append(
            (
                "demand.day_variability",
                f"at most {MAX_DAY_VARIABILITY:g} (got {demand.day_variability:g}); it is the "
                "coefficient of variation of daily volumes, typically 0.05 to 0.3",
            )
        )
    profiles = {"demand.profile": demand.profile}
    profiles |= {f"demand.profiles.{ch}": p for ch, p in (demand.profiles or {}).items()}
    for path, profile in profiles.items():
        if profile is not None and not math.isfinite(sum(profile)):
            issues.append(
                (path, "the weights are too large to add up (they overflow); scale them down")
            )
    return issues


def _check_demand(scenario: Scenario) -> list[Issue]:
    if _check_run(scenario):
        return []
    demand = scenario.demand
    expected = scenario.intervals_per_day
    interval = format_duration(scenario.run.interval)
    profiles = {"demand.profile": demand.profile}
    profiles |= {f"demand.profiles.{ch}": p for ch, p in (demand.profiles or {}).items()}
    issues: list[Issue] = [
        (
            path,
            f"needs one weight per {interval} interval of the day: {expected} values "
            f"(got {len(profile)})",
        )
        for path, profile in profiles.items()
        if profile is not None and len(profile) != expected
    ]
    dated = [name for name in ("special_days", "volumes") if getattr(demand, name)]
    if dated and scenario.run.start is None:
        return issues + [
            (f"demand.{name}", "needs run.start: the date of the Monday the horizon starts")
            for name in dated
        ]
    return issues + check_forecast(scenario)


def check_forecast(scenario: Scenario) -> list[Issue]:
    """A forecast on the run's grid, overlapping the simulated days, with no special day
    inside it (the forecast's counts are what happens on its days)."""
    volumes, start = scenario.demand.volumes, scenario.run.start
    if volumes is None or start is None:
        return []
    origin = datetime(start.year, start.month, start.day)
    path, step = "demand.volumes", scenario.run.interval
    source = f"the forecast{f' ({volumes.file})' if volumes.file else ''}"
    if abs(volumes.interval - step) > 1e-9:
        return [
            (
                path,
                f"{source} counts per {format_duration(volumes.interval)}, but run.interval "
                f"is {format_duration(step)}: make them agree",
            )
        ]
    offset = (volumes.start - origin).total_seconds() / step
    if abs(offset - round(offset)) > 1e-6:
        return [(path, f"{source} starts at {volumes.start}, between two run intervals")]
    first = origin - timedelta(seconds=scenario.run.warmup)
    last = origin + timedelta(seconds=scenario.run.horizon)
    if volumes.end <= first or volumes.start >= last:
        return [
            (
                path,
                f"{source} covers {volumes.start:%Y-%m-%d %H:%M} to {volumes.end:%Y-%m-%d %H:%M}, "
                f"none of the simulated {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}",
            )
        ]
    return [
        (
            f"demand.special_days.{day.isoformat()}",
            f"falls within {source}, whose counts already say what happens that day",
        )
        for day in (scenario.demand.special_days or {})
        if volumes.start < datetime(day.year, day.month, day.day) + timedelta(days=1)
        and datetime(day.year, day.month, day.day) < volumes.end
    ]


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
        for channel in pool.overflow_after:
            if channel not in pool.skills:
                issues.append(
                    (
                        f"pools.{name}.overflow_after.{channel}",
                        f"pool '{name}' does not have {channel} in its skills: add it there",
                    )
                )
            elif scenario.policy.routing != "priority":
                issues.append(
                    (f"pools.{name}.overflow_after.{channel}", "needs policy.routing: priority")
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
