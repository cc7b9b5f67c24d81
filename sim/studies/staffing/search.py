"""Least-cost staffing that meets service targets .

A *target* is ``scope.metric>=value`` or ``scope.metric<=value`` on any figure of
``summary.csv`` (``phone.service_level>=0.8``, ``phone.abandon_rate<=0.05``,
``pool:voice.occupancy<=0.9``). A target is *met with confidence* when the relevant end of the
two-sided t confidence interval across replications meets it: ``ci_low`` for ``>=``,
``ci_high`` for ``<=`` (at ``confidence`` 0 the mean itself is compared).

The decision variables are the headcounts of the scenario: one per pool with a flat
``agents``, one per shift of a pool with a ``schedule``. The cost is the simulated
``centre.cost_total`` (paid hours x cost per hour, plus per-contact costs and penalties).
Every candidate is simulated with the same seed and replication indices, so neighbouring
candidates see the same customers (common random numbers) and their difference is the
staffing, not the luck of the draw. Evaluations are cached by headcount tuple.

The search, bounded by a number of fresh evaluations:

1. **Start**: the scenario's own headcounts, except that a flat pool which alone serves phone
   starts from Erlang A (exponential patience) or Erlang C on the mean phone arrival rate,
   divided by (1 - shrinkage). Fallback, retries and other channels add load the formula does
   not see; the simulation corrects it.
2. **Grow** while a target is missed: every slot of the pools serving the missed target's
   scope grows by 20% (at least one agent), up to ``max_factor`` x the start. A target whose
   gap shrinks by less than 5% over two growths in a row, or that is still missed at the cap,
   is reported *infeasible* and the search stops: staffing cannot buy it.
3. **Shrink pools**: each pool in turn is scaled down by a common factor (geometric steps,
   then bisection) while every target is still met.
4. **Refine slots**: a greedy coordinate search. Each round tries removing a step of agents
   from each slot; of the removals that still meet every target the cheapest is kept (and all
   of them at once, when that is feasible too). A kept removal doubles its slot's step, a
   failed one halves it; a failed one-agent removal closes the slot (under monotonicity it
   would fail from any smaller point too).
5. **Rule out cheaper** (small problems, :mod:`~.frontier`): every staffing whose paid cost
   is below the answer's is either dominated by a candidate seen to miss, or simulated; the
   answer is then the least-cost feasible staffing of the whole lattice.

The answer is the cheapest candidate that met every target. :func:`verify` re-runs it with
the scenario's own run settings and fresh seeds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sim.experiment.executors import Executor
from sim.experiment.replication import executor_in_use
from sim.scenario import Scenario
from sim.studies.staffing.evaluate import (
    BudgetExhausted,
    Evaluation,
    Evaluator,
)
from sim.studies.staffing.frontier import polish
from sim.studies.staffing.slots import (
    Slot,
    decision_slots,
    headcounts_of,
    relevant_slots,
    with_headcounts,
)
from sim.studies.staffing.start import erlang_start
from sim.studies.staffing.targets import Target

GROWTH = 1.2
"""Relative growth of the slots serving a missed target, per grow step."""
STALL_RATIO = 0.95
"""A grow step that leaves more than this share of a target's gap is a stall."""
STALLS_FOR_INFEASIBLE = 2
"""Consecutive stalls after which a target is reported infeasible."""
SHRINK = 0.85
"""Factor of the geometric steps down when shrinking a whole pool."""
FIRST_STEP = 0.08
"""Initial removal step of the slot refinement, as a share of the slot's agents."""


@dataclass(frozen=True)
class Infeasible:
    """A target staffing could not meet, with the best bound seen and where."""

    target: Target
    best_bound: float
    headcounts: tuple[int, ...]
    reason: str


@dataclass
class StaffingResult:
    """What :func:`solve` found."""

    slots: list[Slot]
    targets: list[Target]
    confidence: float
    original: tuple[int, ...]
    start: tuple[int, ...]
    best: Evaluation | None
    status: Literal["met", "budget", "infeasible", "unmet"]
    evaluations: int
    notes: list[str]
    infeasible: list[Infeasible]
    cache: dict[tuple[int, ...], Evaluation]
    held: list[Infeasible] = field(default_factory=list)
    """Scenario targets no staffing could meet, held "no worse than before" instead."""

    @property
    def headcounts(self) -> tuple[int, ...] | None:
        return None if self.best is None else self.best.headcounts


def solve(
    scenario: Scenario,
    targets: Sequence[Target],
    confidence: float = 0.95,
    max_evaluations: int = 60,
    search_run: dict[str, Any] | None = None,
    workers: int | None = None,
    max_factor: float = 3.0,
    start: Sequence[int] | None = None,
    on_evaluation: Callable[[Evaluation, str], None] | None = None,
    cache: dict[tuple[int, ...], Evaluation] | None = None,
    executor: Executor | None = None,
) -> StaffingResult:
    """Least-cost headcounts meeting every target (see the module docstring for the method).

    Args:
        scenario: the scenario to staff (its run settings are used unless ``search_run``).
        targets: the service targets, all to be met.
        confidence: confidence level of the interval whose bound must meet each target.
        max_evaluations: fresh simulations allowed (cached candidates are free).
        search_run: run settings for the search, e.g. ``{"replications": 3, "horizon": "7d"}``.
        workers: local processes for the whole search (default one per core).
        max_factor: no slot grows beyond this multiple of its start.
        start: starting headcounts (default :func:`erlang_start`).
        on_evaluation: called with each fresh evaluation and the search phase.
        cache: candidates already simulated with the same search settings (shared between
            searches; their budget is shared too).
        executor: where candidates are simulated (default: ``workers`` local processes,
            started once for the whole search).

    A slot of a pool that serves no target's scope is never changed (:func:`free_slots`).
    """
    targets = list(targets)
    search_scenario = scenario_for_search(scenario, search_run)
    slots = decision_slots(scenario)
    original = headcounts_of(scenario)
    notes: list[str] = []
    if start is None:
        start, notes = erlang_start(scenario, targets)
    free = free_slots(scenario, targets, slots)
    start = tuple(
        max(slot.minimum, int(h)) if is_free else old
        for slot, h, old, is_free in zip(slots, start, original, free, strict=True)
    )
    with executor_in_use(executor, workers) as runner:
        evaluator = Evaluator(
            search_scenario,
            targets,
            confidence,
            max_evaluations,
            workers,
            on_evaluation,
            cache,
            runner,
        )
        infeasible: list[Infeasible] = []
        status: Literal["met", "budget", "infeasible", "unmet"]
        status = _search(evaluator, scenario, slots, start, max_factor, infeasible, free)
    best = evaluator.best()
    if best is None and status != "infeasible":
        status = "unmet"
    if status == "infeasible":
        best = None
    return StaffingResult(
        slots=slots,
        targets=targets,
        confidence=confidence,
        original=original,
        start=start,
        best=best,
        status=status,
        evaluations=evaluator.fresh,
        notes=notes,
        infeasible=infeasible,
        cache=evaluator.cache,
    )


def _search(
    evaluator: Evaluator,
    scenario: Scenario,
    slots: Sequence[Slot],
    start: tuple[int, ...],
    max_factor: float,
    infeasible: list[Infeasible],
    free: Sequence[bool],
) -> Literal["met", "budget", "infeasible"]:
    """Grow, shrink the pools, refine the slots and rule out cheaper staffing (the module
    docstring's steps 2-5); the status the search ended with."""
    try:
        x = _grow(evaluator, scenario, slots, start, max_factor, infeasible, free)
        if infeasible:
            return "infeasible"
        assert x is not None
        x = _shrink_pools(evaluator, slots, x, free)
        x = _refine(evaluator, slots, x, free)
        polish(evaluator, slots, x, free)
    except BudgetExhausted:
        return "budget"
    return "met"


SEARCH_REPLICATIONS = 3
"""Replications per candidate in the search, unless asked otherwise (or the file has fewer)."""
SEARCH_HORIZON = 7 * 86400.0
"""Horizon of the search, unless asked otherwise (or the file's is shorter): a week sees
every weekday; the verification then runs the file's own horizon with fresh seeds."""


def default_search_run(scenario: Scenario, given: dict[str, Any]) -> dict[str, Any]:
    """The search's run settings: ``given`` ones, else 3 replications of 7 days (each no
    more than the scenario's own) — candidates are compared with common random numbers, so
    a short search ranks them well; the verification checks the answer at full length."""
    run = dict(given)
    if "replications" not in run and scenario.run.replications > SEARCH_REPLICATIONS:
        run["replications"] = SEARCH_REPLICATIONS
    if "horizon" not in run and scenario.run.horizon > SEARCH_HORIZON:
        run["horizon"] = "7d"
    return run


def scenario_for_search(scenario: Scenario, search_run: dict[str, Any] | None) -> Scenario:
    """``scenario`` with the search's run settings (itself when there are none)."""
    if not search_run:
        return scenario
    return with_headcounts(scenario, headcounts_of(scenario), run=search_run)


def free_slots(scenario: Scenario, targets: Sequence[Target], slots: Sequence[Slot]) -> list[bool]:
    """Which slots the search may change: those of the pools serving some target's scope.

    A pool that serves no targeted channel is left exactly as it is: nobody asked about it,
    and cutting it would buy savings with service nobody is watching.
    """
    chosen = {j for target in targets for j in relevant_slots(target, scenario, slots)}
    return [j in chosen for j in range(len(slots))]


def _grow(
    evaluate: Evaluator,
    scenario: Scenario,
    slots: Sequence[Slot],
    start: tuple[int, ...],
    max_factor: float,
    infeasible: list[Infeasible],
    free: Sequence[bool],
) -> tuple[int, ...] | None:
    """Grow the slots serving missed targets until all are met; None if one is infeasible."""
    evaluate.phase = "start"
    caps = [
        max(math.ceil(h * max_factor), h + 1, slot.minimum)
        for h, slot in zip(start, slots, strict=True)
    ]
    x = start
    current = evaluate(x)
    stalls = [0] * len(evaluate.targets)
    best_bound = [t.bound(current.stats, evaluate.confidence) for t in evaluate.targets]
    best_at = [x] * len(evaluate.targets)
    evaluate.phase = "grow"
    while not current.feasible:
        missed = [i for i, s in enumerate(current.slacks) if s < -1e-12]
        growable = sorted(
            {
                j
                for i in missed
                for j in relevant_slots(evaluate.targets[i], scenario, slots)
                if x[j] < caps[j] and free[j]
            }
        )
        if not growable:
            for i in missed:
                infeasible.append(
                    Infeasible(
                        evaluate.targets[i],
                        best_bound[i],
                        best_at[i],
                        f"still missed with the slots serving it at {max_factor:g}x the start",
                    )
                )
            return None
        y = list(x)
        for j in growable:
            y[j] = min(caps[j], max(x[j] + 1, math.ceil(x[j] * GROWTH - 1e-9)))
        grown = evaluate(y)
        for i, target in enumerate(evaluate.targets):
            bound = target.bound(grown.stats, evaluate.confidence)
            better = (bound > best_bound[i]) if target.op == ">=" else (bound < best_bound[i])
            if math.isfinite(bound) and (not math.isfinite(best_bound[i]) or better):
                best_bound[i], best_at[i] = bound, tuple(y)
        for i in missed:
            gap_before, gap_after = -current.slacks[i], -grown.slacks[i]
            stalled = gap_after > 0 and (
                not math.isfinite(gap_after) or gap_after > STALL_RATIO * gap_before
            )
            stalls[i] = stalls[i] + 1 if stalled else 0
        for i in range(len(stalls)):
            if i not in missed:
                stalls[i] = 0
        x, current = tuple(y), grown
        stuck = [i for i in missed if stalls[i] >= STALLS_FOR_INFEASIBLE]
        if stuck:
            for i in stuck:
                infeasible.append(
                    Infeasible(
                        evaluate.targets[i],
                        best_bound[i],
                        best_at[i],
                        f"no real improvement from {STALLS_FOR_INFEASIBLE} growths of "
                        f"{GROWTH - 1:.0%} in the pools serving it",
                    )
                )
            return None
    return x


def _shrink_pools(
    evaluate: Evaluator, slots: Sequence[Slot], x: tuple[int, ...], free: Sequence[bool]
) -> tuple[int, ...]:
    """Scale each pool down by a common factor while every target is still met."""
    evaluate.phase = "shrink pools"
    for pool in dict.fromkeys(slot.pool for slot, f in zip(slots, free, strict=True) if f):
        members = [i for i, slot in enumerate(slots) if slot.pool == pool and free[i]]
        base = x

        def scaled(factor: float, base: tuple[int, ...] = base, members: list[int] = members):
            y = list(base)
            for i in members:
                y[i] = max(slots[i].minimum, round(base[i] * factor))
            return tuple(y)

        high, low = 1.0, None
        factor = SHRINK
        while True:
            y = scaled(factor)
            if y == scaled(high):
                break
            if evaluate(y).feasible:
                high, x = factor, y
                factor *= SHRINK
            else:
                low = factor
                break
        while low is not None:
            middle = (low + high) / 2
            y = scaled(middle)
            if y in (scaled(low), scaled(high)):
                break
            if evaluate(y).feasible:
                high, x = middle, y
            else:
                low = middle
    return x


def _refine(
    evaluate: Evaluator, slots: Sequence[Slot], x: tuple[int, ...], free: Sequence[bool]
) -> tuple[int, ...]:
    """Greedy coordinate descent on the slots.

    Each round tries removing ``steps[i]`` agents from every slot still open. Of the removals
    that still meet every target the cheapest is kept, or all of them together when that
    also meets every target and costs no more. A kept removal doubles its slot's step (the
    slot has room to spare); a failed one halves it, and a failed one-agent removal closes
    the slot: with targets monotone in staffing it would fail from any smaller point too.
    A round's removals are simulated together (:meth:`Evaluator.many`).
    """
    evaluate.phase = "refine shifts"
    steps = [max(1, round(h * FIRST_STEP)) for h in x]
    done = [h <= slot.minimum or not f for h, slot, f in zip(x, slots, free, strict=True)]
    while not all(done):
        feasible: list[tuple[float, int, tuple[int, ...]]] = []
        tried = [i for i in range(len(slots)) if not done[i]]
        removals = [_removed(x, i, steps[i], slots[i].minimum) for i in tried]
        for i, y, candidate in zip(tried, removals, evaluate.many(removals), strict=True):
            if candidate.feasible:
                feasible.append((candidate.cost, i, y))
            elif steps[i] > 1:
                steps[i] = max(1, steps[i] // 2)
            else:
                done[i] = True
        if not feasible:
            continue
        feasible.sort()
        cost, chosen, y = feasible[0]
        moved = [chosen]
        if len(feasible) > 1:
            together = list(x)
            for _, i, single in feasible:
                together[i] = single[i]
            combined = evaluate(together)
            if combined.feasible and combined.cost <= cost:
                y, moved = tuple(together), [i for _, i, _ in feasible]
        x = y
        for i in moved:
            steps[i] *= 2
        done = [d or h <= slot.minimum for d, h, slot in zip(done, x, slots, strict=True)]
    return x


def _removed(x: tuple[int, ...], i: int, step: int, minimum: int) -> tuple[int, ...]:
    """``x`` with ``step`` agents fewer in slot ``i`` (never below ``minimum``)."""
    y = list(x)
    y[i] = max(minimum, x[i] - step)
    return tuple(y)
