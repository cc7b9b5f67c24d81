"""Candidates simulated together are simulated exactly as they would be alone.

A staffing search keeps one set of worker processes and simulates a refinement round's
candidates together (:meth:`Evaluator.many`). That is only a speed-up if each candidate
still gets its own seeds and replications, the budget is spent in the same order as one by
one, and the search's answer does not depend on how its candidates were grouped.
"""

from __future__ import annotations

import pytest
from builders import build, deep_update, mmc_data

from sim.experiment.executors import make_executor
from sim.experiment.replication import simulate_data
from sim.studies.staffing import combine_targets, parse_targets, solve
from sim.studies.staffing.evaluate import BudgetExhausted, Evaluator

RUN = {"horizon": "6h", "warmup": "1h", "replications": 3, "interval": "1h"}


def two_pools():
    """Phone on ``voice`` and email on ``desk``: two decision slots, a few seconds a search."""
    return build(
        deep_update(
            mmc_data(agents=10, per_hour=90.0, aht="5min"),
            {
                "run": RUN,
                "demand": {"first_channel": {"phone": 0.6, "email": 0.4}},
                "channels": {
                    "email": {
                        "handle_time": {"dist": "exponential", "mean": "6min"},
                        "service_level": {"within": "30min", "target": 0.8},
                    }
                },
                "pools": {"desk": {"agents": 6, "skills": ["email"], "cost_per_hour": 20}},
            },
        )
    )


CANDIDATES = [(8, 5), (9, 4), (7, 6), (8, 5)]


def figures(evaluation):
    return evaluation.cost, evaluation.slacks, {k: s.mean for k, s in evaluation.stats.items()}


def test_together_on_two_processes_equals_one_by_one_in_this_process() -> None:
    scenario = two_pools()
    targets = parse_targets(["phone.service_level>=0.8"])
    alone = Evaluator(scenario, targets, 0.95, 100, workers=1)
    expected = [figures(alone(c)) for c in CANDIDATES]
    with make_executor(simulate_data, workers=2) as executor:
        together = Evaluator(scenario, targets, 0.95, 100, executor=executor)
        got = [figures(e) for e in together.many(CANDIDATES)]
    assert got == expected
    assert got[0] != got[1]  # the candidates differ: the comparison could fail
    assert together.fresh == 3  # the repeated candidate is simulated once


def test_the_budget_is_spent_in_order_then_exhausted() -> None:
    scenario = two_pools()
    targets = parse_targets(["phone.service_level>=0.8"])
    seen = []
    evaluator = Evaluator(
        scenario, targets, 0.95, 2, workers=1, on_evaluation=lambda e, _: seen.append(e)
    )
    with pytest.raises(BudgetExhausted):
        evaluator.many(CANDIDATES)
    assert list(evaluator.cache) == CANDIDATES[:2]
    assert [e.headcounts for e in seen] == CANDIDATES[:2]
    assert [e.headcounts for e in evaluator.many(CANDIDATES[:2])] == CANDIDATES[:2]


def test_the_answer_does_not_depend_on_the_workers() -> None:
    scenario = two_pools()
    targets = combine_targets(scenario, [])
    serial = solve(scenario, targets, workers=1, max_evaluations=40)
    with make_executor(simulate_data, workers=2) as executor:
        shared = solve(scenario, targets, max_evaluations=40, executor=executor)
    assert serial.status == shared.status == "met"
    assert serial.headcounts == shared.headcounts
    assert list(serial.cache) == list(shared.cache)  # the same candidates, in the same order
