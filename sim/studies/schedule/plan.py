"""Plan a weekly schedule for a scenario: requirement, candidate shifts, integer program.

:func:`plan_schedule` ties the steps together for every pool:

1. the agents required on the floor per interval (:mod:`.requirement`, or a table the
   caller supplies), divided by (1 - shrinkage) to give the scheduled agents needed -- the
   pool's own ``shrinkage`` unless ``shrinkage=`` says otherwise (explicit breaks are now
   scheduled, so a shrinkage that still counts breaks would count them twice: pass the
   share for absence, training and meetings alone);
2. the candidate shifts of the templates the pool may use (:mod:`.candidates`; the
   defaults of :func:`.templates.default_templates` when none are given);
3. a check that every interval that needs agents can be covered by some template, so an
   impossible request is reported with the hours and what to change, not as a bare
   "infeasible";
4. the integer program (:mod:`.milp`), whose counts become rostered rows (:mod:`.result`).

:func:`scheduled_scenario` writes the answer back into the scenario, same structure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.scenario import Scenario, validate_data
from sim.studies.schedule.candidates import best_cover, coverage_columns, pool_candidates
from sim.studies.schedule.errors import CoverageError, ScheduleError
from sim.studies.schedule.grid import WeekGrid
from sim.studies.schedule.milp import (
    DEFAULT_MIP_GAP,
    DEFAULT_TIME_LIMIT,
    Method,
    solve_cover,
)
from sim.studies.schedule.requirement import DEFAULT_OCCUPANCY, weekly_requirement
from sim.studies.schedule.result import (
    PoolResult,
    Schedule,
    ShiftRow,
    coverage_table,
    shift_rows,
)
from sim.studies.schedule.templates import Templates, default_templates

MAX_VARIABLES = 50_000
"""Refuse more candidate shifts and break placements than this (before identical
placements are merged): building and solving the program would take minutes, not seconds.
The default templates make 8,064."""


def plan_schedule(
    scenario: Scenario,
    templates: Templates | None = None,
    *,
    occupancy: float = DEFAULT_OCCUPANCY,
    shrinkage: float | Mapping[str, float] | None = None,
    split: Mapping[str, Mapping[str, float]] | None = None,
    requirement: pd.DataFrame | None = None,
    pools: Sequence[str] | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_rel_gap: float = DEFAULT_MIP_GAP,
    method: Method = "auto",
) -> Schedule:
    """Least-cost shifts and breaks covering each pool's requirement in every interval.

    Args:
        scenario: the centre (demand, channels, pools with their costs and shrinkage).
        templates: shift templates; None uses :func:`default_templates`.
        occupancy: target occupancy of written work (email, social) in the requirement.
        shrinkage: one share for every pool, or ``{pool: share}``; pools not named keep
            their own ``shrinkage``.
        split: ``{channel: {pool: share}}`` for channels several pools serve.
        requirement: a table like :func:`.requirement.weekly_requirement` returns
            (``pool, interval, required``), used instead of computing one.
        pools: the pools to schedule (default: all).
        time_limit: seconds the solver may use per pool.
        mip_rel_gap: relative gap to the lower bound at which a pool's search may stop.
        method: ``auto``, ``exact`` or ``neighbourhood`` (see :mod:`.milp`).

    Raises :class:`ScheduleError` naming what to change when a pool cannot be scheduled.
    """
    if not time_limit > 0:
        raise ScheduleError(f"time_limit must be a positive number of seconds (got {time_limit})")
    templates = templates if templates is not None else default_templates()
    grid = WeekGrid(_interval(scenario))
    chosen = list(pools) if pools is not None else list(scenario.pools)
    if not chosen:
        raise ScheduleError("no pools to schedule; name at least one (or leave pools unset)")
    _check_names(scenario, templates, chosen, shrinkage)
    if requirement is None:
        requirement = weekly_requirement(scenario, occupancy=occupancy, split=split)
    rows = []
    coverage = []
    results: dict[str, PoolResult] = {}
    notes: list[str] = []
    for name in chosen:
        share = _shrinkage(scenario, name, shrinkage)
        required = _pool_requirement(requirement, name, grid)
        result, pool_rows = _schedule_pool(
            scenario, templates, name, required, share, grid, time_limit, mip_rel_gap, method
        )
        results[name] = result
        rows += pool_rows
        coverage.append(coverage_table(pool_rows, name, required, share, grid))
        if not pool_rows:
            notes.append(f"pool '{name}' needs nobody in the week: no shifts scheduled")
        elif result.solution.status != "optimal":
            notes.append(
                f"pool '{name}': the schedule costs at most {result.solution.gap:.1%} more "
                f"than the cheapest possible ({result.solution.status})"
            )
    return Schedule(grid, rows, pd.concat(coverage, ignore_index=True), results, notes)


def _schedule_pool(
    scenario: Scenario,
    templates: Templates,
    name: str,
    required: np.ndarray,
    shrinkage: float,
    grid: WeekGrid,
    time_limit: float,
    mip_rel_gap: float,
    method: Method,
) -> tuple[PoolResult, list[ShiftRow]]:
    """Solve one pool's program; raise :class:`ScheduleError` when it cannot be covered."""
    candidates = pool_candidates(templates, name, scenario.pools[name].cost_per_hour)
    if not candidates:
        raise ScheduleError(
            f"pool '{name}': no template may be used by it; add '{name}' to a template's "
            "'pools' list, or drop 'pools' from one to let every pool use it"
        )
    variables = sum(1 + sum(len(options) for options in c.breaks) for c in candidates)
    if variables > MAX_VARIABLES:
        raise ScheduleError(
            f"pool '{name}': {len(candidates):,} candidate shifts with their break placements "
            f"make {variables:,} variables, more than {MAX_VARIABLES:,} can be solved in "
            "reasonable time; use a coarser starts step or break_step, or narrower break windows"
        )
    columns = coverage_columns(candidates, grid)
    need = required / (1.0 - shrinkage)
    uncovered = np.flatnonzero((need > 1e-9) & (best_cover(columns) <= 1e-9))
    if uncovered.size:
        raise CoverageError(
            f"pool '{name}': no template puts an agent on the floor at "
            f"{grid.describe(uncovered)}, where up to {need[uncovered].max():.1f} agents are "
            "needed; widen a template's starts (earliest/latest), lengthen it, allow other "
            "days, move its breaks, or add a template covering those hours"
        )
    solution = solve_cover(
        columns, need, time_limit=time_limit, mip_rel_gap=mip_rel_gap, method=method
    )
    if not solution.found:
        hint = (
            f"raise the time limit (now {time_limit:g}s)"
            if solution.status == "no schedule found"
            else "check the templates cover every hour with demand"
        )
        raise CoverageError(f"pool '{name}': {solution.status}; {hint}")
    result = PoolResult(name, shrinkage, len(candidates), solution)
    return result, shift_rows(name, columns, solution)


def scheduled_scenario(scenario: Scenario, schedule: Schedule) -> Scenario:
    """``scenario`` with each scheduled pool's ``schedule`` replaced by the planned shifts.

    Each shift keeps its breaks (``paid: false`` where unpaid), so a simulation of it takes
    agents off the floor as planned; identical shifts are merged. Pools left without shifts
    (nobody needed) keep their staffing. Everything else is unchanged.
    """
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for name in schedule.pools:
        shifts = schedule.to_pool_schedule(name)
        if not shifts:
            continue
        pool = data["pools"][name]
        pool.pop("agents", None)
        pool["schedule"] = shifts
    return validate_data(data, f"<{scenario.name} scheduled>")


def _interval(scenario: Scenario) -> int:
    seconds = round(scenario.run.interval)
    if abs(seconds - scenario.run.interval) > 1e-9:
        raise ScheduleError("run.interval must be a whole number of seconds to schedule")
    return seconds


def _check_names(
    scenario: Scenario,
    templates: Templates,
    pools: Sequence[str],
    shrinkage: float | Mapping[str, float] | None,
) -> None:
    known = ", ".join(scenario.pools)
    for name in pools:
        if name not in scenario.pools:
            raise ScheduleError(f"no pool '{name}' in the scenario (pools: {known})")
    for template_name, template in templates.templates.items():
        for i, name in enumerate(template.pools or []):
            if name not in scenario.pools:
                raise ScheduleError(
                    f"templates.{template_name}.pools[{i}]: no pool '{name}' in the "
                    f"scenario (pools: {known})"
                )
    if isinstance(shrinkage, Mapping):
        for name in shrinkage:
            if name not in scenario.pools:
                raise ScheduleError(f"shrinkage: no pool '{name}' in the scenario ({known})")


def _shrinkage(
    scenario: Scenario, pool: str, shrinkage: float | Mapping[str, float] | None
) -> float:
    if shrinkage is None:
        share = scenario.pools[pool].shrinkage
    elif isinstance(shrinkage, Mapping):
        share = shrinkage.get(pool, scenario.pools[pool].shrinkage)
    else:
        share = float(shrinkage)
    if not 0.0 <= share < 1.0:
        raise ScheduleError(f"shrinkage for pool '{pool}' must be in [0, 1) (got {share:g})")
    return share


def _pool_requirement(requirement: pd.DataFrame, pool: str, grid: WeekGrid) -> np.ndarray:
    """The pool's ``required`` per interval of the week, checked for shape and sign."""
    missing = {"pool", "interval", "required"} - set(requirement.columns)
    if missing:
        raise ScheduleError(f"requirement table lacks column(s) {', '.join(sorted(missing))}")
    rows = requirement[requirement["pool"] == pool]
    values = np.zeros(grid.count)
    if rows.empty:
        return values
    index = rows["interval"].to_numpy()
    if index.min() < 0 or index.max() >= grid.count or len(set(index)) != len(index):
        raise ScheduleError(
            f"requirement for pool '{pool}': intervals must be distinct and in "
            f"0..{grid.count - 1} (a week of {grid.interval // 60} min intervals)"
        )
    required = rows["required"].to_numpy(dtype=float)
    if not np.all(np.isfinite(required)) or required.min() < 0:
        raise ScheduleError(f"requirement for pool '{pool}': values must be finite and >= 0")
    values[index] = required
    return values
