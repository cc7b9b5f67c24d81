"""How big a run is, before it starts: contacts to simulate and rough wall time.

A planner who types ``issues_per_day: 1000000000`` by mistake should hear "this would take
about 3 weeks" at once, not find a machine busy all night. The estimate is deliberately
conservative (slow contacts per second, generous contacts per issue).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.experiment.errors import InputError, Setting
from sim.scenario import Scenario
from sim.scenario.units import DAY

CONTACTS_PER_SECOND_PER_WORKER = 40_000  # below what benchmarks/throughput.py measures
CONTACTS_PER_ISSUE = 1.3  # retries, switches and handoffs on top of the first contact
REFUSE_OVER_SECONDS = 2 * 3600.0  # longer runs need the user to confirm
MAX_ARRIVALS_PER_DAY = 20_000_000  # one day's arrival times are held in memory at once


@dataclass(frozen=True)
class RunSize:
    """The size of a run: contacts across replications and the expected wall time."""

    contacts: float
    seconds: float
    issues_per_day: float

    def describe(self) -> str:
        """``about 1.2e+09 contacts, roughly 3.4 days on 2 workers`` style text."""
        return f"about {self.contacts:,.0f} contacts, roughly {_duration(self.seconds)}"


def run_size(scenario: Scenario, workers: int) -> RunSize:
    """Estimate contacts and wall time of running every replication of ``scenario``."""
    issues_per_day = scenario.demand.issues_per_second * DAY
    simulated_days = (scenario.run.warmup + scenario.run.horizon) / DAY + 1.0  # + follow-up
    contacts = issues_per_day * simulated_days * CONTACTS_PER_ISSUE * scenario.run.replications
    parallel = max(1, min(workers, scenario.run.replications))
    seconds = contacts / (CONTACTS_PER_SECOND_PER_WORKER * parallel)
    return RunSize(contacts, seconds, issues_per_day)


def refusal(size: RunSize, workers: int, confirmed: bool) -> InputError | None:
    """Why this run should not start (None when it may); ``confirmed``: the user said yes
    to a merely large run."""
    if size.issues_per_day > MAX_ARRIVALS_PER_DAY:
        return InputError(
            f"demand of {size.issues_per_day:,.0f} issues a day is more than ccsim can hold "
            f"in memory (at most {MAX_ARRIVALS_PER_DAY:,}); check demand.issues_per_day"
        )
    if size.seconds > REFUSE_OVER_SECONDS and not confirmed:
        return InputError(
            [
                f"this run is large: {size.describe()} on {workers} workers; "
                "check the demand and horizon, or pass ",
                Setting("yes"),
                " to run it anyway",
            ],
            "yes",
        )
    return None


def _duration(seconds: float) -> str:
    for unit, length in (("days", DAY), ("hours", 3600.0), ("minutes", 60.0)):
        if seconds >= length:
            return f"{seconds / length:,.1f} {unit}"
    return f"{seconds:.0f} seconds"
