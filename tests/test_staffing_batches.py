"""Candidates simulated together are simulated exactly as they would be alone.

A staffing search keeps one set of worker processes and simulates a refinement round's
candidates together (:meth:`Evaluator.many`). That is only a speed-up if each candidate
still gets its own seeds and replications, the budget is spent in the same order as one by
one, and the search's answer does not depend on how its candidates were grouped.
"""

from __future__ import annotations

import pytest
from builders import build, deep_update, mmc_data

import sim.studies.staffing.holds as holds_module
import sim.studies.staffing.search as search_module
from sim.experiment.executors import make_executor
from sim.experiment.replication import simulate_data
from sim.studies.staffing import combine_targets, evaluate, parse_targets, solve, solve_holding
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


class OneByOne(Evaluator):
    """The search's evaluator as it was before rounds were batched: each candidate simulated
    alone, in turn, the budget checked before each."""

    def many(self, candidates):
        out = []
        for headcounts in candidates:
            key = tuple(int(h) for h in headcounts)
            if key not in self.cache:
                if self.fresh >= self.budget:
                    raise BudgetExhausted
                alone = evaluate(self.scenario, key, self.targets, self.confidence, workers=1)
                self._fresh(key, alone)
            out.append(self.judged(self.cache[key]))
        return out


def three_shifts():
    """:func:`two_pools` with the phone team in three 8-hour shifts: four decision slots,
    so a refinement round tries three removals at once."""
    data = two_pools().model_dump(mode="json", by_alias=True)
    data["run"] = {"horizon": "1d", "warmup": "2h", "replications": 2, "interval": "1h"}
    del data["pools"]["voice"]["agents"]
    data["pools"]["voice"]["schedule"] = [
        {"from": start, "to": end, "agents": 10}
        for start, end in (("00:00", "08:00"), ("08:00", "16:00"), ("16:00", "24:00"))
    ]
    return build(data)


def search_log(budget: int, evaluator: type[Evaluator], monkeypatch) -> tuple:
    """A whole search's answer, status and every fresh evaluation (headcounts, phase)."""
    monkeypatch.setattr(search_module, "Evaluator", evaluator)
    monkeypatch.setattr(holds_module, "Evaluator", evaluator)
    scenario = three_shifts()
    seen = []
    result = solve_holding(
        scenario,
        combine_targets(scenario, []),
        max_evaluations=budget,
        workers=1,
        on_evaluation=lambda e, phase: seen.append((e.headcounts, phase)),
    )
    return result.status, result.headcounts, seen


@pytest.mark.parametrize("budget", [8, 40])  # 8: the budget runs out inside a round
def test_batched_rounds_try_what_one_by_one_tried(budget: int, monkeypatch) -> None:
    batched = search_log(budget, Evaluator, monkeypatch)
    one_by_one = search_log(budget, OneByOne, monkeypatch)
    assert batched == one_by_one
    refined = [headcounts for headcounts, phase in batched[2] if phase == "refine shifts"]
    assert len(refined) >= (1 if budget == 8 else 3)  # a round of several was tried
    assert batched[0] == ("budget" if budget == 8 else "met")
