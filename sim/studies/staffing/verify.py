"""Verifying a staffing answer with fresh seeds and the scenario's own run settings.

A short search horizon can flatter an answer (an email backlog that grows slowly looks fine
for a week and fails over four); when the verification misses a target, the pools serving
it grow by 5% and are verified again, a bounded number of times.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sim.experiment.executors import Executor
from sim.scenario import Scenario
from sim.studies.staffing.changes import missed_targets
from sim.studies.staffing.evaluate import Evaluation, evaluate
from sim.studies.staffing.slots import decision_slots, relevant_slots
from sim.studies.staffing.targets import Target


def verify(
    scenario: Scenario,
    headcounts: Sequence[int],
    targets: Sequence[Target],
    confidence: float,
    seed: int,
    workers: int | None = None,
    on_replication: Callable[[Any], None] | None = None,
    executor: Executor | None = None,
) -> Evaluation:
    """Run ``headcounts`` with the scenario's own run settings but seed ``seed`` (on
    ``executor`` when given: a search's worker processes)."""
    run = {"seed": seed}
    return evaluate(
        scenario, headcounts, targets, confidence, workers, on_replication, run, executor
    )


REPAIR_GROWTH = 1.05
"""Growth of the slots serving a target missed in verification, per repair."""


def repaired(
    scenario: Scenario, headcounts: Sequence[int], missed: Sequence[Target]
) -> tuple[int, ...]:
    """``headcounts`` with the slots serving the ``missed`` targets grown by 5% (at least one)."""
    slots = decision_slots(scenario)
    grow = {j for target in missed for j in relevant_slots(target, scenario, slots)}
    return tuple(
        max(h + 1, math.ceil(h * REPAIR_GROWTH - 1e-9)) if j in grow else int(h)
        for j, h in enumerate(headcounts)
    )


def staffed_description(scenario: Scenario, targets: Sequence[Target], confidence: float) -> str:
    """The description written into the staffed scenario file."""
    wanted = ", ".join(str(t) for t in targets)
    note = f"Staffed by ccsim staff for {wanted} (bound of the {confidence:.0%} CI)."
    return f"{scenario.description.strip()} {note}".strip()


@dataclass
class Verification:
    """The original staffing and the answer re-run with fresh seeds, after any repairs."""

    before: Evaluation
    after: Evaluation
    answer: tuple[int, ...]
    missed: list[Target]
    repairs: int


def verify_and_repair(
    scenario: Scenario,
    original: Sequence[int],
    answer: Sequence[int],
    targets: Sequence[Target],
    confidence: float,
    check: Callable[[Sequence[int], str], Evaluation],
    max_repairs: int = 2,
    on_missed: Callable[[int, list[Target], Evaluation], None] | None = None,
) -> Verification:
    """Verify ``original`` and ``answer`` with ``check(headcounts, label)`` (a run with fresh
    seeds); while the answer misses targets (a held one: clearly worse than the original),
    grow the pools serving them and verify again, at most ``max_repairs`` times.
    ``on_missed(attempt, missed, evaluation)`` is told of each miss before its repair."""
    before = check(original, "verifying the original")
    answer = tuple(int(h) for h in answer)
    after = check(answer, "verifying the answer")
    missed = missed_targets(targets, before, after, confidence)
    repairs = 0
    while missed and repairs < max_repairs:
        repairs += 1
        if on_missed is not None:
            on_missed(repairs, missed, after)
        answer = repaired(scenario, answer, missed)
        after = check(answer, f"verifying repair {repairs}")
        missed = missed_targets(targets, before, after, confidence)
    return Verification(before, after, answer, missed, repairs)
