"""A schedule checked by simulation with fresh seeds, and topped up where it misses.

The integer program covers an analytic requirement (Erlang per interval, written work at an
occupancy); the simulated centre has retries, switching, misrouted posts and breaks in
their places, so the schedule is run — with seeds the plan never saw, next to the original
staffing under the same seeds — and judged on the scenario's own targets. Where a target is
missed, the requirement of the pools serving its channel is raised by :data:`TOP_UP` (at
least one agent) in the intervals of the week whose simulated service level misses it (every
interval the pool works, when none does on its own), and the schedule is planned again, at
most ``repairs`` times. A target still missed that the original staffing misses too and
that is not clearly worse than before — one a top-up barely moves (staffing cannot buy it:
the baseline's social within an hour), or one the top-ups ran out on — is *held*, as
``ccsim staff`` holds it, and reported as such.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.executors import Executor
from sim.experiment.replication import executor_in_use, run_scenario
from sim.scenario import Scenario
from sim.studies.schedule.plan import plan_schedule, scheduled_scenario
from sim.studies.schedule.requirement import weekly_requirement
from sim.studies.schedule.result import Schedule
from sim.studies.staffing.changes import clearly_worse
from sim.studies.staffing.evaluate import Evaluation, evaluation_of
from sim.studies.staffing.targets import Target

TOP_UP = 1.10
"""Factor on the requirement of an interval that misses, per top-up (at least +1 agent)."""
STALL_RATIO = 0.95
"""A top-up that leaves more than this share of a target's gap has not moved it."""


@dataclass
class Checked:
    """A schedule and its simulation with fresh seeds, the original's beside it."""

    schedule: Schedule
    scenario: Scenario
    requirement: pd.DataFrame
    after: Evaluation
    intervals: pd.DataFrame
    before: Evaluation
    missed: list[Target] = field(default_factory=list)
    held: list[Target] = field(default_factory=list)
    repairs: int = 0


def _simulate(
    scenario: Scenario,
    targets: Sequence[Target],
    confidence: float,
    seed: int,
    executor: Executor,
    on_replication: Callable[[Any], None] | None = None,
) -> tuple[Evaluation, pd.DataFrame]:
    """``scenario`` run with seed ``seed`` on ``executor``: its evaluation and its
    per-interval table."""
    from sim.scenario import validate_data

    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["run"] = {**data["run"], "seed": seed}
    result = run_scenario(
        validate_data(data, f"<{scenario.name}>"), on_replication=on_replication, executor=executor
    )
    evaluation = evaluation_of((), result.replications_frame(), targets, confidence)
    return evaluation, result.intervals()


def top_up(
    requirement: pd.DataFrame,
    intervals: pd.DataFrame,
    scenario: Scenario,
    missed: Sequence[Target],
) -> pd.DataFrame:
    """``requirement`` raised where the simulated schedule misses ``missed`` (see module)."""
    raised = requirement.copy()
    per_week = 7 * scenario.intervals_per_day
    for target in missed:
        pools = [n for n, p in scenario.pools.items() if target.scope in p.skills]
        if not pools:
            pools = list(scenario.pools)
        rows = intervals[intervals["scope"] == target.scope]
        short: set[int] = set()
        if target.metric in rows.columns:
            values = rows[target.metric].to_numpy(dtype=float)
            week = rows["interval"].to_numpy() % per_week
            bad = values < target.value if target.op == ">=" else values > target.value
            short = {int(i) for i in week[np.isfinite(values) & bad]}
        for pool in pools:
            mask = (raised["pool"] == pool) & (raised["required"] > 0)
            if short:
                mask &= raised["interval"].isin(short)
            old = raised.loc[mask, "required"].to_numpy(dtype=float)
            raised.loc[mask, "required"] = np.maximum(old * TOP_UP, old + 1.0)
    return raised


def plan_and_check(
    scenario: Scenario,
    targets: Sequence[Target],
    *,
    confidence: float,
    seed: int,
    repairs: int = 2,
    workers: int | None = None,
    plan: dict[str, Any] | None = None,
    on_step: Callable[[str], None] | None = None,
    on_replication: Callable[[str], Callable[[Any], None] | None] | None = None,
) -> Checked:
    """Plan the schedule, simulate it with ``seed`` next to the original, top up, repeat.

    ``plan`` holds keyword arguments of :func:`plan_schedule` (templates, shrinkage, ...).
    ``on_step`` is told of each step; ``on_replication(label)`` may give a per-replication
    callback for each simulation.
    """
    say = on_step or (lambda _: None)
    progress = on_replication or (lambda _: None)
    options = dict(plan or {})
    requirement = weekly_requirement(scenario, **_requirement_options(options))
    say("planning shifts and breaks (integer program)")
    schedule = plan_schedule(scenario, requirement=requirement, **options)
    staffed = scheduled_scenario(scenario, schedule)

    def run(candidate: Scenario, label: str) -> tuple[Evaluation, pd.DataFrame]:
        return _simulate(candidate, targets, confidence, seed, executor, progress(label))

    # one set of workers for every run, no more processes than one run's replications
    with executor_in_use(None, workers, tasks=scenario.run.replications) as executor:
        say("simulating the original staffing with fresh seeds")
        before, _ = run(scenario, "original")
        say("simulating the schedule with fresh seeds")
        after, intervals = run(staffed, "schedule")
        checked = Checked(schedule, staffed, requirement, after, intervals, before)
        stalled: set[Target] = set()
        while True:
            missed = [t for t in targets if not _met(t, checked, confidence)]
            active = [t for t in missed if t not in stalled]
            if not active or checked.repairs >= repairs:
                break
            repair = checked.repairs + 1
            say(f"top-up {repair}/{repairs} for " + ", ".join(str(t) for t in active))
            raised = top_up(checked.requirement, checked.intervals, scenario, active)
            schedule = plan_schedule(scenario, requirement=raised, **options)
            staffed = scheduled_scenario(scenario, schedule)
            after, intervals = run(staffed, f"top-up {repair}")
            for target in active:
                if _gap(target, after, confidence) > STALL_RATIO * _gap(
                    target, checked.after, confidence
                ):
                    stalled.add(target)
            checked = Checked(schedule, staffed, raised, after, intervals, before, repairs=repair)
    out_of_repairs = checked.repairs >= repairs
    for target in missed:
        if (
            (target in stalled or out_of_repairs)
            and not target.met(before.stats, confidence)
            and not clearly_worse(target, before, checked.after)
        ):
            checked.held.append(target)
        else:
            checked.missed.append(target)
    return checked


def _met(target: Target, checked: Checked, confidence: float) -> bool:
    return target.met(checked.after.stats, confidence)


def _gap(target: Target, evaluation: Evaluation, confidence: float) -> float:
    slack = target.slack(evaluation.stats, confidence)
    return max(0.0, -slack) if math.isfinite(slack) else math.inf


def _requirement_options(options: dict[str, Any]) -> dict[str, Any]:
    """The options of :func:`plan_schedule` that shape the requirement (moved there)."""
    taken = {}
    for key in ("occupancy", "split"):
        if key in options:
            taken[key] = options.pop(key)
    return taken
