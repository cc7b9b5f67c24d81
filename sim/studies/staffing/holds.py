"""Keeping every channel whole: a scenario target no staffing can meet is held instead.

``ccsim staff`` searches for every channel's own service-level target by default. Some of
those cannot be bought with agents (the baseline's social 80% within an hour is capped near
79% by posts that reach the team two hours late). Such a target is not dropped — dropping
it would let the search empty the team that serves it — but *held*: the answer must keep
that figure no worse than the original staffing did under the same seeds (not clearly
worse by the paired CI: :func:`~sim.studies.staffing.targets.held`). A target given on the
command line that cannot be met stays infeasible: the user asked for it by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sim.experiment.executors import Executor
from sim.experiment.replication import executor_in_use
from sim.scenario import Scenario
from sim.studies.staffing.evaluate import (
    BudgetExhausted,
    Evaluation,
    Evaluator,
    replication_values,
)
from sim.studies.staffing.search import Infeasible, StaffingResult, scenario_for_search, solve
from sim.studies.staffing.targets import Target, held


def solve_holding(
    scenario: Scenario,
    targets: Sequence[Target],
    confidence: float = 0.95,
    max_evaluations: int = 60,
    search_run: dict[str, Any] | None = None,
    workers: int | None = None,
    max_factor: float = 3.0,
    start: Sequence[int] | None = None,
    on_evaluation: Callable[[Evaluation, str], None] | None = None,
    executor: Executor | None = None,
) -> StaffingResult:
    """:func:`~sim.studies.staffing.search.solve`, holding the scenario's infeasible targets.

    When the search finds only scenario targets infeasible, they are replaced by their
    "no worse than before" versions and the search runs again, sharing the candidates
    already simulated (and the budget) and the worker processes. The result's ``held``
    lists what was held and why.
    """
    with executor_in_use(executor, workers) as runner:
        cache: dict[tuple[int, ...], Evaluation] = {}
        current = list(targets)
        holding: list[Infeasible] = []
        while True:
            result = solve(
                scenario,
                current,
                confidence=confidence,
                max_evaluations=max_evaluations,
                search_run=search_run,
                workers=workers,
                max_factor=max_factor,
                start=start,
                on_evaluation=on_evaluation,
                cache=cache,
                executor=runner,
            )
            stuck = result.infeasible
            if result.status != "infeasible" or any(i.target.source != "scenario" for i in stuck):
                break
            evaluator = Evaluator(
                scenario_for_search(scenario, search_run),
                current,
                confidence,
                max_evaluations,
                workers,
                on_evaluation,
                cache,
                runner,
            )
            evaluator.phase = "original"
            try:
                before = evaluator(result.original)
            except BudgetExhausted:
                break
            names = {item.target for item in stuck}
            current = [
                held(t, before.stats, replication_values(before, t)) if t in names else t
                for t in current
            ]
            holding += stuck
    result.held = holding
    result.targets = current
    return result
