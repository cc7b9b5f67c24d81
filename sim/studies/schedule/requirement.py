"""Agents required on the floor, per reporting interval of the week and per pool.

This is the planner's classic requirement: for every interval, how many productive agents
must be logged in and available (not on a break, not absent) to meet the targets, if the
interval were a steady state of its own (the stationary independent-period approach). It
is the starting point of a schedule; the simulation, which sees retries, backlogs carried
between intervals and blended pools as they really behave, verifies it afterwards.

Arrivals per channel (first-order flows, mean over days: ``day_variability`` is ignored)::

    rate(ch, i) = issues/s x profile weight(i) x share(ch)
    share(ch)   = first_channel[ch] + first_channel[self_service] x (1 - success) x fallback[ch]

The fallback term is the allowance for customers whom web self-service did not help.
Retries and channel switches after abandoning, email escalations to social, social handoffs
and the jump-the-line habit are not included (they add load the simulation will show).

Per channel, for the share of it a pool serves:

* **phone** -- the least agents meeting the phone ``service_level`` (share answered within
  the threshold) by Erlang A when phone patience is exponential, else Erlang C, with the
  handle time multiplied by the pool's ``efficiency`` for phone (an integer count);
* **email, social** -- written work, answered later rather than waited for on the line:
  workload in agents (arrivals x agent time per contact) divided by a target ``occupancy``
  (default 0.85: agents are not busy every minute even with a backlog). Agent time is the
  mean handle time x efficiency; for social it is x mean ``exchanges`` (one piece of work
  per reply) and / the pool's ``concurrency`` for social (replies worked at once). Under
  ``social_mode: deflect`` a thread gets one reply; under ``ignore``, none.

A pool serving several channels needs the sum: an approximation that ignores the pooling
gain of blending (and priority effects), to be checked by simulation. A channel served by
several pools is split between them equally unless ``split`` says otherwise; splitting phone
loses pooling too, so the split requirement is on the safe side.

Shrinkage stays out of this requirement: it counts agents *on the floor*. The scheduler
(:func:`sim.studies.schedule.plan.plan_schedule`) turns it into scheduled agents by dividing
by (1 - shrinkage), which is exact under the simulator's rule productive =
floor(scheduled x (1 - shrinkage)): floor(n (1 - s)) >= r  <=>  n >= r / (1 - s) for a whole
requirement r.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sim import analytic
from sim.scenario.registry import assisted_names
from sim.scenario.schema import Pool, Scenario
from sim.studies.schedule.errors import ScheduleError
from sim.studies.schedule.grid import WeekGrid

DEFAULT_OCCUPANCY = 0.85
"""Target occupancy of agents on written channels (email, social)."""

REQUIREMENT_COLUMNS = ["pool", "weekday", "interval", "time", "required"]


def mean_of(spec: Any) -> float:
    """Mean of a scenario distribution (handle time, patience), in its own unit."""
    if spec.dist == "deterministic":
        return float(spec.value)
    if spec.dist == "empirical":
        return float(np.mean(spec.values))
    return float(spec.mean)


def channel_shares(scenario: Scenario) -> dict[str, float]:
    """Share of issues that reach each assisted channel: first choice plus self-service fallback."""
    first = scenario.demand.first_channel
    portal = scenario.channels.self_service
    failed = first.get("self_service", 0.0) * (1.0 - portal.success)
    return {
        channel: first.get(channel, 0.0) + failed * portal.fallback.get(channel, 0.0)
        for channel in assisted_names()
    }


def profile_weights(scenario: Scenario) -> np.ndarray:
    """The intraday profile per reporting interval, scaled to mean 1 (flat when absent)."""
    per_day = scenario.intervals_per_day
    profile = scenario.demand.profile
    if profile is None:
        return np.ones(per_day)
    weights = np.asarray(profile, dtype=float)
    return weights / weights.mean()


def pool_split(
    scenario: Scenario, split: Mapping[str, Mapping[str, float]] | None = None
) -> dict[str, dict[str, float]]:
    """``{channel: {pool: share}}``: who serves which part of each channel's work.

    Equal shares among the pools whose skills include the channel, unless ``split`` gives
    a channel's shares explicitly (they must name serving pools and sum to 1).
    """
    result: dict[str, dict[str, float]] = {}
    for channel in assisted_names():
        serving = [name for name, pool in scenario.pools.items() if channel in pool.skills]
        if not serving:
            continue
        given = (split or {}).get(channel)
        if given is None:
            result[channel] = {name: 1.0 / len(serving) for name in serving}
            continue
        strangers = sorted(set(given) - set(serving))
        if strangers:
            raise ScheduleError(
                f"split.{channel}: {', '.join(strangers)} do not serve {channel} "
                f"(pools serving it: {', '.join(serving)})"
            )
        if abs(sum(given.values()) - 1.0) > 1e-6 or min(given.values()) < 0:
            raise ScheduleError(f"split.{channel}: shares must be >= 0 and sum to 1")
        result[channel] = dict(given)
    return result


@lru_cache(maxsize=4096)
def phone_agents(
    rate: float, aht: float, patience: float | None, within: float, target: float
) -> int:
    """Least agents for the phone target at a steady ``rate`` (per s): Erlang A or C.

    ``patience`` is the mean of an exponential patience (Erlang A), or None (Erlang C).
    No calls need no agents.
    """
    if rate <= 0.0:
        return 0
    if not target < 1.0:
        raise ScheduleError(
            "channels.phone.service_level.target: a target of 1 cannot be met by any "
            "number of agents; use a share below 1 (e.g. 0.8)"
        )
    if patience is not None:
        return analytic.erlang_a_agents(rate, aht, patience, within, target)
    return analytic.erlang_c_agents(rate, aht, within, target)


def written_agents(
    rate: float, channel: str, scenario: Scenario, pool: Pool, occupancy: float
) -> float:
    """Agents busy on written work ``channel`` at ``rate`` (per s), divided by occupancy."""
    spec = getattr(scenario.channels, channel)
    work = mean_of(spec.handle_time) * pool.efficiency.get(channel, 1.0)
    if channel == "social":
        mode = scenario.policy.social_mode
        replies = {"serve": spec.exchanges, "deflect": 1.0, "ignore": 0.0}[mode]
        work *= replies / pool.concurrency.get("social", 1)
    return rate * work / occupancy


def pool_requirement(
    scenario: Scenario,
    name: str,
    rates: Mapping[str, np.ndarray],
    occupancy: float = DEFAULT_OCCUPANCY,
) -> np.ndarray:
    """Agents on the floor needed by pool ``name`` per interval, given its arrival rates.

    ``rates[channel]`` holds, per interval, the arrivals per second of the part of the
    channel this pool serves.
    """
    pool = scenario.pools[name]
    size = len(next(iter(rates.values()))) if rates else 0
    total = np.zeros(size)
    for channel, rate in rates.items():
        if channel == "phone":
            phone = scenario.channels.phone
            aht = mean_of(phone.handle_time) * pool.efficiency.get("phone", 1.0)
            patience = phone.patience
            mean_patience = (
                mean_of(patience)
                if patience is not None and patience.dist == "exponential"
                else None
            )
            level = phone.service_level
            total += [
                phone_agents(float(r), aht, mean_patience, level.within, level.target) for r in rate
            ]
        else:
            total += written_agents(rate, channel, scenario, pool, occupancy)
    return total


def weekly_requirement(
    scenario: Scenario,
    occupancy: float = DEFAULT_OCCUPANCY,
    split: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """Agents required on the floor per pool and interval of the week (before shrinkage).

    Returns a tidy frame: ``pool, weekday, interval, time, required`` with ``interval`` the
    index within the week (0 is Monday 00:00) and ``time`` its start ``HH:MM``; rows are
    ordered by pool (file order) then interval.
    """
    if not 0.0 < occupancy <= 1.0:
        raise ScheduleError(f"occupancy must be in (0, 1] (got {occupancy:g})")
    grid = WeekGrid(_whole_seconds(scenario.run.interval))
    weekly = np.tile(profile_weights(scenario), 7) * scenario.demand.issues_per_second
    shares = channel_shares(scenario)
    frames = []
    by_pool = _by_pool(pool_split(scenario, split))
    for name in scenario.pools:
        pool_shares = by_pool.get(name, {})
        rates = {
            channel: weekly * shares[channel] * share
            for channel, share in pool_shares.items()
            if shares[channel] * share > 0.0
        }
        required = (
            pool_requirement(scenario, name, rates, occupancy) if rates else np.zeros(grid.count)
        )
        frames.append(_frame(name, required, grid))
    return pd.concat(frames, ignore_index=True)


def _by_pool(split: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    pools: dict[str, dict[str, float]] = {}
    for channel, shares in split.items():
        for pool, share in shares.items():
            pools.setdefault(pool, {})[channel] = share
    return pools


def _frame(pool: str, required: np.ndarray, grid: WeekGrid) -> pd.DataFrame:
    indices = range(grid.count)
    return pd.DataFrame(
        {
            "pool": pool,
            "weekday": [grid.weekday(i) for i in indices],
            "interval": list(indices),
            "time": [grid.time(i) for i in indices],
            "required": required.astype(float),
        },
        columns=REQUIREMENT_COLUMNS,
    )


def _whole_seconds(interval: float) -> int:
    seconds = round(interval)
    if abs(seconds - interval) > 1e-9:
        raise ScheduleError(f"run.interval must be whole seconds to schedule (got {interval}s)")
    return seconds
