"""Evaluating a staffing candidate: simulate it with common random numbers, judge targets.

Every candidate is simulated with the same seed and replication indices, so neighbouring
candidates see the same customers and their difference is the staffing, not the luck of the
draw. Evaluations are cached by headcount tuple, within a budget of fresh simulations.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from sim.experiment.replication import run_scenario
from sim.experiment.statistics import Stat, metric_stats
from sim.scenario import Scenario
from sim.studies.staffing.slots import with_headcounts
from sim.studies.staffing.targets import Stats, Target, hold_slack


class BudgetExhausted(Exception):
    """The search has used its evaluations."""


@dataclass
class Evaluation:
    """One candidate simulated: its headcounts, figures, mean cost and per-target slack."""

    headcounts: tuple[int, ...]
    stats: Stats
    cost: float
    slacks: tuple[float, ...]
    replications: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def feasible(self) -> bool:
        return all(s >= -1e-12 for s in self.slacks)


def evaluate(
    scenario: Scenario,
    headcounts: Sequence[int],
    targets: Sequence[Target],
    confidence: float,
    workers: int | None = None,
    on_replication: Callable[[Any], None] | None = None,
    run: dict[str, Any] | None = None,
) -> Evaluation:
    """Simulate ``scenario`` with ``headcounts`` (and ``run`` settings) and judge the targets."""
    candidate = with_headcounts(scenario, headcounts, run=run)
    result = run_scenario(candidate, workers, on_replication)
    frame = result.replications_frame()
    summary = metric_stats(frame)
    cost = summary.get(("centre", "cost_total"), Stat(math.nan, math.nan, 0)).mean
    slacks = judge(targets, summary, frame, confidence)
    return Evaluation(tuple(int(h) for h in headcounts), summary, cost, slacks, frame)


def judge(
    targets: Sequence[Target], stats: Stats, frame: pd.DataFrame | None, confidence: float
) -> tuple[float, ...]:
    """Each target's slack: its confidence bound against its value, or for a held target
    the paired comparison with the original's replications (:func:`hold_slack`)."""
    slacks = []
    for target in targets:
        if target.source == "hold" and target.reference and frame is not None:
            rows = frame[(frame["scope"] == target.scope) & (frame["metric"] == target.metric)]
            values = rows.sort_values("replication")["value"].to_numpy(dtype=float)
            slacks.append(hold_slack(target, values))
        else:
            slacks.append(target.slack(stats, confidence))
    return tuple(slacks)


def replication_values(evaluation: Evaluation, target: Target) -> list[float]:
    """``target``'s figure in each replication of ``evaluation``, by replication index."""
    frame = evaluation.replications
    if frame is None:
        return []
    rows = frame[(frame["scope"] == target.scope) & (frame["metric"] == target.metric)]
    return rows.sort_values("replication")["value"].astype(float).tolist()


class Evaluator:
    """Cached candidate evaluation with a budget of fresh simulations."""

    def __init__(
        self,
        scenario: Scenario,
        targets: Sequence[Target],
        confidence: float,
        budget: int,
        workers: int | None = None,
        on_evaluation: Callable[[Evaluation, str], None] | None = None,
        cache: dict[tuple[int, ...], Evaluation] | None = None,
    ) -> None:
        self.scenario = scenario
        self.targets = list(targets)
        self.confidence = confidence
        self.budget = budget
        self.workers = workers
        self.on_evaluation = on_evaluation
        self.cache: dict[tuple[int, ...], Evaluation] = {} if cache is None else cache
        self.phase = "start"

    @property
    def fresh(self) -> int:
        return len(self.cache)

    def __call__(self, headcounts: Sequence[int]) -> Evaluation:
        key = tuple(int(h) for h in headcounts)
        cached = self.cache.get(key)
        if cached is not None:
            return self.judged(cached)
        if self.fresh >= self.budget:
            raise BudgetExhausted
        evaluation = evaluate(self.scenario, key, self.targets, self.confidence, self.workers)
        self.cache[key] = evaluation
        if self.on_evaluation is not None:
            self.on_evaluation(evaluation, self.phase)
        return evaluation

    def judged(self, evaluation: Evaluation) -> Evaluation:
        """``evaluation`` with its slacks against this evaluator's targets (a shared cache
        may hold candidates judged against other targets)."""
        slacks = judge(self.targets, evaluation.stats, evaluation.replications, self.confidence)
        if slacks == evaluation.slacks:
            return evaluation
        return replace(evaluation, slacks=slacks)

    def best(self) -> Evaluation | None:
        """The cheapest candidate that met every target."""
        judged = [self.judged(e) for e in self.cache.values()]
        feasible = [e for e in judged if e.feasible]
        return min(feasible, key=lambda e: (e.cost, sum(e.headcounts))) if feasible else None
