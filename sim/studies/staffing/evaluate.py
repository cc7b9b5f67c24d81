"""Evaluating a staffing candidate: simulate it with common random numbers, judge targets.

Every candidate is simulated with the same seed and replication indices, so neighbouring
candidates see the same customers and their difference is the staffing, not the luck of the
draw. Evaluations are cached by headcount tuple, within a budget of fresh simulations.

A search keeps one executor (its worker processes) for all its candidates, and simulates
the candidates it already knows it will try — a refinement round's removals — together, so
within a round no worker waits for one candidate's last replication (the other phases
try one candidate at a time: each depends on the last).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from sim.experiment.executors import Executor
from sim.experiment.replication import Job, executor_in_use, replicate
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
    executor: Executor | None = None,
) -> Evaluation:
    """Simulate ``scenario`` with ``headcounts`` (and ``run`` settings) and judge the targets
    (on ``executor`` when given, else on ``workers`` local processes started for it)."""
    tasks = int((run or {}).get("replications", scenario.run.replications))
    with executor_in_use(executor, workers, tasks=tasks) as runner:
        [evaluation] = evaluate_many(
            scenario, [headcounts], targets, confidence, runner, on_replication, run
        )
    return evaluation


def evaluate_many(
    scenario: Scenario,
    candidates: Sequence[Sequence[int]],
    targets: Sequence[Target],
    confidence: float,
    executor: Executor,
    on_replication: Callable[[Any], None] | None = None,
    run: dict[str, Any] | None = None,
    on_evaluated: Callable[[int, Evaluation], None] | None = None,
) -> list[Evaluation]:
    """:func:`evaluate` of several candidates at once, their replications sharing
    ``executor``; each candidate's results are those it would get alone (the same seeds).
    ``on_evaluated(i, evaluation)`` is told of each candidate in order, as soon as it and
    those before it are done (so progress moves while the rest still run)."""
    jobs = [
        Job(i, with_headcounts(scenario, headcounts, run=run))
        for i, headcounts in enumerate(candidates)
    ]
    done: list[Evaluation | None] = [None] * len(jobs)
    reported = 0

    def finished(job: Job) -> None:
        nonlocal reported
        frame = job.run_result(executor.workers).replications_frame()
        done[job.key] = evaluation_of(candidates[job.key], frame, targets, confidence)
        while reported < len(done) and done[reported] is not None:
            if on_evaluated is not None:
                on_evaluated(reported, done[reported])  # type: ignore[arg-type]
            reported += 1

    replicate(
        jobs,
        executor,
        (lambda _, r: on_replication(r)) if on_replication else None,
        on_done=finished,
    )
    return [evaluation for evaluation in done if evaluation is not None]


def evaluation_of(
    headcounts: Sequence[int], frame: pd.DataFrame, targets: Sequence[Target], confidence: float
) -> Evaluation:
    """A candidate's evaluation from its replications' figures (``replications_frame``):
    the statistics, the mean total cost and each target's slack."""
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
        executor: Executor | None = None,
    ) -> None:
        self.scenario = scenario
        self.executor = executor
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
        """The evaluation of ``headcounts``, simulated unless already in the cache."""
        return self.many([headcounts])[0]

    def many(self, candidates: Sequence[Sequence[int]]) -> list[Evaluation]:
        """Evaluations of ``candidates``, the ones not yet cached simulated together.

        As if evaluated one by one in order: when the budget runs out, the candidates
        within it are simulated and cached (and reported), then :class:`BudgetExhausted`.
        """
        keys = [tuple(int(h) for h in headcounts) for headcounts in candidates]
        fresh = [key for key in dict.fromkeys(keys) if key not in self.cache]
        allowed = fresh[: max(0, self.budget - self.fresh)]
        if allowed:
            tasks = len(allowed) * self.scenario.run.replications
            with executor_in_use(self.executor, self.workers, tasks=tasks) as executor:
                evaluate_many(
                    self.scenario,
                    allowed,
                    self.targets,
                    self.confidence,
                    executor,
                    on_evaluated=lambda i, evaluation: self._fresh(allowed[i], evaluation),
                )
        if len(allowed) < len(fresh):
            raise BudgetExhausted
        return [self.judged(self.cache[key]) for key in keys]

    def _fresh(self, key: tuple[int, ...], evaluation: Evaluation) -> None:
        """A candidate just simulated: cache it and report it."""
        self.cache[key] = evaluation
        if self.on_evaluation is not None:
            self.on_evaluation(evaluation, self.phase)

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
