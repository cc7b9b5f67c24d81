"""Shifts and breaks from the requirement: the library behind ``ccsim schedule``.

Per pool and reporting interval of the week, the agents required on the floor (Erlang A/C
for phone, workload / occupancy for written channels); then an integer program over shift
templates (start times, lengths, day patterns, breaks) choosing how many agents work each
shift at least paid cost so that the agents on the floor cover the requirement in every
interval. Functions here return results; they never print or exit.

    from sim.scenario import load_scenario
    from sim.studies.schedule import plan_schedule, scheduled_scenario

    scenario = load_scenario("scenarios/baseline.yaml")
    schedule = plan_schedule(scenario)                    # default templates
    schedule.schedule_frame().to_csv("schedule.csv", index=False)
    schedule.coverage_frame()                             # required vs scheduled per interval
    scheduled_scenario(scenario, schedule)                # runnable scenario, same structure
"""

from __future__ import annotations

from sim.studies.schedule.errors import CoverageError, ScheduleError
from sim.studies.schedule.milp import CoverSolution, solve_cover
from sim.studies.schedule.plan import plan_schedule, scheduled_scenario
from sim.studies.schedule.requirement import DEFAULT_OCCUPANCY, weekly_requirement
from sim.studies.schedule.result import PoolResult, Schedule, ShiftRow
from sim.studies.schedule.templates import (
    Templates,
    check_templates,
    default_templates,
    load_templates,
    validate_templates,
)

__all__ = [
    "DEFAULT_OCCUPANCY",
    "CoverSolution",
    "CoverageError",
    "PoolResult",
    "Schedule",
    "ScheduleError",
    "ShiftRow",
    "Templates",
    "check_templates",
    "default_templates",
    "load_templates",
    "plan_schedule",
    "scheduled_scenario",
    "solve_cover",
    "validate_templates",
    "weekly_requirement",
]
