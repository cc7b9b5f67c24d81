"""How big a run is, before it starts: every dimension that costs time or memory.

A planner who types ``issues_per_day: 1000000000`` by mistake should hear "this would take
about 3 weeks" at once, not find a machine busy all night; and ``run.interval: 1ms``,
``agents: 1000000000`` or ``exchanges: 1e9`` must not end in the kernel killing the machine's
biggest process. The estimate is deliberately conservative (slow events per second,
generous contacts per issue) and covers:

- **events**: arrivals (``demand``), retries (``behaviour.after_abandon.retry`` up to
  ``behaviour.max_attempts``), back-and-forth (a channel's ``exchanges``), the follow-up
  after the horizon (the longest ``service_level.within``, capped at
  :data:`sim.model.kit.FOLLOW_UP_CAP`), and periodic timers
  (``behaviour.jump_the_line.period``);
- **memory**: per-interval counters (reporting intervals × scopes), agents (each pool's
  headcount) and capacity units per agent (the least common multiple of a pool's
  ``concurrency``), one day's arrival times.

:func:`check_size` refuses (exit 2) work that cannot fit or would take absurdly long,
naming the field that makes it so; merely large work needs ``--yes``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sim.experiment.errors import InputError, Setting
from sim.model.kit import follow_up
from sim.scenario import Scenario
from sim.scenario.checks import receiving_channels
from sim.scenario.units import DAY

CONTACTS_PER_SECOND_PER_WORKER = 40_000  # below what benchmarks/throughput.py measures
CONTACTS_PER_ISSUE = 1.3  # retries, switches and handoffs on top of the first contact
REFUSE_OVER_SECONDS = 2 * 3600.0  # longer runs need the user to confirm
ABSURD_OVER_SECONDS = 30 * DAY  # longer runs are refused even with --yes
MAX_ARRIVALS_PER_DAY = 20_000_000  # one day's arrival times are held in memory at once
MAX_COUNTER_CELLS = 40_000_000  # intervals × scopes × counters, 8 bytes each: 320 MB
COUNTERS_PER_SCOPE = 24  # per-interval counters of a channel or pool, rounded up
MAX_AGENTS = 1_000_000  # a pool's agents are list entries: 10^6 is 100 MB with its sets
MAX_CAPACITY_UNITS = 10_000  # an agent's capacity units (lcm of concurrency): a set each


@dataclass(frozen=True)
class RunSize:
    """The size of a run: contacts across replications and the expected wall time.

    ``drivers`` maps the field behind each source of events to its events per replication,
    so a refusal can name the biggest."""

    contacts: float
    seconds: float
    issues_per_day: float
    drivers: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        """``about 1.2e+09 contacts, roughly 3.4 days on 2 workers`` style text."""
        return f"about {self.contacts:,.0f} contacts and events, roughly {_duration(self.seconds)}"

    def biggest(self) -> str:
        """The field whose events dominate the run."""
        return max(self.drivers, key=self.drivers.__getitem__) if self.drivers else "run.horizon"


def run_size(scenario: Scenario, workers: int) -> RunSize:
    """Estimate contacts (events) and wall time of every replication of ``scenario``."""
    run = scenario.run
    issues_per_day = scenario.demand.issues_per_second * DAY
    simulated = run.warmup + run.horizon + follow_up(scenario)
    days = simulated / DAY
    issues = issues_per_day * days * CONTACTS_PER_ISSUE
    drivers = {_demand_field(scenario): issues}
    retry = scenario.behaviour.after_abandon.retry
    tries = sum(retry**k for k in range(1, min(scenario.behaviour.max_attempts, 64)))
    drivers["behaviour.after_abandon.retry"] = issues * tries
    for name, section in scenario.channels.sections().items():
        exchanges = float(getattr(section, "exchanges", 1.0))
        share = scenario.demand.first_channel.get(name, 0.0) or 0.1
        if exchanges > 1 and name in receiving_channels(scenario):
            drivers[f"channels.{name}.exchanges"] = issues * share * (exchanges - 1)
    jump = scenario.behaviour.jump_the_line
    if jump.enabled:
        drivers["behaviour.jump_the_line.period"] = simulated / jump.period * 10
    drivers["run.interval"] = simulated / run.interval * 10  # closing an interval
    contacts = sum(drivers.values()) * run.replications
    parallel = max(1, min(workers, run.replications))
    seconds = contacts / (CONTACTS_PER_SECOND_PER_WORKER * parallel)
    return RunSize(contacts, seconds, issues_per_day, drivers)


def _demand_field(scenario: Scenario) -> str:
    per_hour = scenario.demand.issues_per_hour is not None
    return "demand.issues_per_hour" if per_hour else "demand.issues_per_day"


def memory_refusal(scenario: Scenario) -> InputError | None:
    """Why ``scenario`` cannot fit in memory (None when it can), naming the field."""
    size = run_size(scenario, 1)
    if size.issues_per_day > MAX_ARRIVALS_PER_DAY:
        return InputError(
            f"{_demand_field(scenario)}: demand of {size.issues_per_day:,.0f} issues a day is "
            f"more than ccsim can hold in memory (at most {MAX_ARRIVALS_PER_DAY:,})"
        )
    run = scenario.run
    intervals = (run.warmup + run.horizon) / run.interval
    scopes = len(scenario.channels.sections()) + len(scenario.pools) + 1
    if intervals * scopes * COUNTERS_PER_SCOPE > MAX_COUNTER_CELLS:
        return InputError(
            f"run.interval: {intervals:,.0f} reporting intervals of {run.interval:g} s over "
            f"the warm-up and horizon, × {scopes} scopes, is more counters than fit in memory "
            f"(at most {MAX_COUNTER_CELLS // (scopes * COUNTERS_PER_SCOPE):,} intervals); "
            "use a longer interval (e.g. 15min) or a shorter horizon"
        )
    for name, pool in scenario.pools.items():
        agents = pool.agents or sum(shift.agents for shift in pool.schedule or ())
        where = "agents" if pool.agents else "schedule"
        if agents > MAX_AGENTS:
            return InputError(
                f"pools.{name}.{where}: {agents:,} agents is more than ccsim can hold in "
                f"memory (at most {MAX_AGENTS:,} in a pool)"
            )
        units = math.lcm(*pool.concurrency.values()) if pool.concurrency else 1
        if units > MAX_CAPACITY_UNITS:
            return InputError(
                f"pools.{name}.concurrency: an agent's capacity is counted in {units:,} units "
                f"(the least common multiple of its concurrency), at most "
                f"{MAX_CAPACITY_UNITS:,}; use smaller concurrency values"
            )
    return None


def refusal(
    size: RunSize, workers: int, confirmed: bool, what: str = "this run"
) -> InputError | None:
    """Why a run of ``size`` should not start (None when it may); ``confirmed``: the user
    said yes to a merely large run. Absurd work is refused even when confirmed. ``what``
    names the work in the message (``this sweep of 12 points``)."""
    on = f"on {workers} worker{'s' if workers != 1 else ''}"
    if size.issues_per_day > MAX_ARRIVALS_PER_DAY:
        return InputError(
            f"demand of {size.issues_per_day:,.0f} issues a day is more than ccsim can hold "
            f"in memory (at most {MAX_ARRIVALS_PER_DAY:,}); check demand.issues_per_day"
        )
    if size.seconds > ABSURD_OVER_SECONDS:
        return InputError(
            f"{size.biggest()}: {what} would take {size.describe()} {on} "
            f"(most of it from {size.biggest()}), over the {_duration(ABSURD_OVER_SECONDS)} "
            "ccsim accepts; check that value, the horizon and the replications"
        )
    if size.seconds > REFUSE_OVER_SECONDS and not confirmed:
        return InputError(
            [
                f"{what} is large: {size.describe()} {on} "
                f"(most events from {size.biggest()}); check the demand and horizon, or pass ",
                Setting("yes"),
                " to run it anyway",
            ],
            "yes",
        )
    return None


def check_size(scenarios: Sequence[Scenario], workers: int, confirmed: bool) -> None:
    """Raise :class:`InputError` if any of ``scenarios`` (a run, a sweep's points, a
    staffing search's evaluations) cannot fit in memory, or if together they would take
    absurdly long, or long without ``confirmed``. Each alone is judged on its memory and
    events; the total on time, so a 100-point sweep of modest points still asks."""
    sizes = []
    for scenario in scenarios:
        reason = memory_refusal(scenario)
        if reason is None:
            size = run_size(scenario, workers)
            reason = refusal(size, workers, confirmed=True)  # one point absurd on its own
            sizes.append(size)
        if reason is not None:
            raise reason
    if len(sizes) > 1:
        largest = max(sizes, key=lambda s: s.seconds)
        total = RunSize(
            sum(s.contacts for s in sizes),
            sum(s.seconds for s in sizes),
            max(s.issues_per_day for s in sizes),
            largest.drivers,
        )
        reason = refusal(total, workers, confirmed, f"this sweep of {len(sizes)} points")
    else:
        reason = refusal(sizes[0], workers, confirmed) if sizes else None
    if reason is not None:
        raise reason


def _duration(seconds: float) -> str:
    for unit, length in (("days", DAY), ("hours", 3600.0), ("minutes", 60.0)):
        if seconds >= length:
            return f"{seconds / length:,.1f} {unit}"
    return f"{seconds:.0f} seconds"
