"""Least-cost staffing that meets service targets (``ccsim staff``).

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

The answer is the cheapest candidate that met every target. :func:`verify` re-runs it with
the scenario's own run settings and fresh seeds.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from sim.experiment import run_scenario
from sim.scenario import CHANNELS, Scenario, validate_data
from sim.scenario.schema import parse_clock, parse_days

__all__ = [
    "Evaluation",
    "Slot",
    "StaffingResult",
    "Stat",
    "Target",
    "TargetError",
    "check_targets",
    "decision_slots",
    "erlang_start",
    "headcounts_of",
    "metric_stats",
    "parse_target",
    "parse_targets",
    "solve",
    "verify",
    "with_headcounts",
]

EXAMPLE = "e.g. phone.service_level>=0.8 or pool:voice.occupancy<=0.9"
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

Op = Literal[">=", "<="]
Key = tuple[str, str]


class TargetError(ValueError):
    """A ``--target`` that cannot be used; the message names it."""


class BudgetExhausted(Exception):
    """The search has used its evaluations."""


# --- statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stat:
    """One metric across replications: mean, standard deviation and count of finite values."""

    mean: float
    sd: float
    n: int

    def interval(self, confidence: float) -> tuple[float, float]:
        """Two-sided t interval; the mean twice at confidence 0; NaN when it is undefined."""
        if self.n == 0 or not math.isfinite(self.mean):
            return math.nan, math.nan
        if confidence <= 0.0:
            return self.mean, self.mean
        if self.n < 2:
            return math.nan, math.nan
        half = float(scipy_stats.t.ppf(0.5 + confidence / 2, self.n - 1)) * self.sd
        half /= math.sqrt(self.n)
        return self.mean - half, self.mean + half


Stats = dict[Key, Stat]


def metric_stats(replications: pd.DataFrame) -> Stats:
    """Per ``(scope, metric)`` statistics of a tidy ``replication, scope, metric, value`` table."""
    result: Stats = {}
    for (scope, metric), group in replications.groupby(["scope", "metric"], sort=False):
        values = group["value"].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        n = len(finite)
        mean = float(finite.mean()) if n else math.nan
        sd = float(finite.std(ddof=1)) if n > 1 else math.nan
        result[(str(scope), str(metric))] = Stat(mean, sd, n)
    return result


# --- targets ---------------------------------------------------------------------------------

_TARGET = re.compile(
    r"^(?P<left>[^<>=!]+?)\s*(?P<op>>=|<=|=>|=<|==|!=|>|<|=)\s*(?P<value>[^<>=]*)$"
)
_METRIC = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Target:
    """``scope.metric >= value`` (or ``<=``), met when the confidence bound meets it."""

    scope: str
    metric: str
    op: Op
    value: float

    @property
    def key(self) -> Key:
        return (self.scope, self.metric)

    @property
    def text(self) -> str:
        return f"{self.scope}.{self.metric}{self.op}{self.value:g}"

    def __str__(self) -> str:
        return self.text

    def bound(self, summary: Stats, confidence: float) -> float:
        """The end of the confidence interval that must meet the target (NaN if unknown)."""
        stat = summary.get(self.key)
        if stat is None:
            return math.nan
        low, high = stat.interval(confidence)
        return low if self.op == ">=" else high

    def slack(self, summary: Stats, confidence: float) -> float:
        """How far the bound is on the good side of the value (negative: missed; -inf: unknown)."""
        bound = self.bound(summary, confidence)
        if not math.isfinite(bound):
            return -math.inf
        return bound - self.value if self.op == ">=" else self.value - bound

    def met(self, summary: Stats, confidence: float) -> bool:
        """True when the confidence bound meets the target."""
        return self.slack(summary, confidence) >= -1e-12


def parse_target(text: str) -> Target:
    """``"phone.service_level>=0.8"`` -> :class:`Target`; :class:`TargetError` names ``text``."""

    def bad(reason: str) -> TargetError:
        return TargetError(f"--target '{text}': {reason}")

    if not isinstance(text, str) or not text.strip():
        raise bad(f"empty; write scope.metric>=value, {EXAMPLE}")
    match = _TARGET.match(text.strip())
    if not match:
        raise bad(f"not scope.metric>=value or scope.metric<=value; {EXAMPLE}")
    left, op, raw = match["left"].strip(), match["op"], match["value"].strip()
    if op in ("=>", "=<"):
        raise bad(f"write '{op[::-1]}', not '{op}'")
    if op not in (">=", "<="):
        raise bad(f"the comparison must be >= or <= (got '{op}'); {EXAMPLE}")
    if "." not in left:
        raise bad(f"'{left}' needs a scope and a metric, {EXAMPLE}")
    scope, metric = left.rsplit(".", 1)
    scope, metric = scope.strip(), metric.strip()
    _check_scope(scope, bad)
    if not _METRIC.match(metric):
        raise bad(f"'{metric}' is not a metric name like service_level")
    if not raw:
        raise bad(f"no value after '{op}'; {EXAMPLE}")
    if raw.endswith("%"):
        raise bad(f"write shares as fractions (0.8, not {raw})")
    try:
        value = float(raw)
    except ValueError:
        raise bad(f"'{raw}' is not a number") from None
    if not math.isfinite(value):
        raise bad(f"'{raw}' is not a finite number")
    return Target(scope, metric, op, value)  # type: ignore[arg-type]


def _check_scope(scope: str, bad: Callable[[str], TargetError]) -> None:
    if scope in CHANNELS or scope == "centre":
        return
    if scope.startswith("pool:"):
        if not scope[len("pool:") :].strip():
            raise bad("'pool:' needs a pool name, e.g. pool:voice")
        return
    choices = [*CHANNELS, "centre"]
    close = difflib.get_close_matches(scope, choices, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise bad(
        f"unknown scope '{scope}'{hint}; scopes are {', '.join(CHANNELS)}, pool:<name> and centre"
    )


def parse_targets(texts: Sequence[str]) -> list[Target]:
    """Parse every ``--target``; all problems in one :class:`TargetError`, one per line."""
    targets: list[Target] = []
    problems: list[str] = []
    for text in texts:
        try:
            target = parse_target(text)
        except TargetError as error:
            problems.append(str(error))
            continue
        if any(t.key == target.key and t.op == target.op for t in targets):
            problems.append(f"--target '{text}': {target.scope}.{target.metric} given twice")
            continue
        targets.append(target)
    if not texts:
        problems.append(f"give at least one --target, {EXAMPLE}")
    if problems:
        raise TargetError("\n".join(problems))
    return targets


def check_targets(targets: Sequence[Target], scenario: Scenario) -> None:
    """Check pool names and metric names against the scenario; :class:`TargetError` if bad.

    The metrics a scope has are read from a one-hour, one-replication simulation of the
    scenario, so every metric ``summary.csv`` can hold is accepted and nothing else.
    """
    problems: list[str] = []
    for target in targets:
        if target.scope.startswith("pool:"):
            name = target.scope[len("pool:") :]
            if name not in scenario.pools:
                close = difflib.get_close_matches(name, list(scenario.pools), n=1, cutoff=0.6)
                hint = f" (did you mean 'pool:{close[0]}'?)" if close else ""
                problems.append(
                    f"--target '{target}': no pool '{name}' in the scenario{hint}; "
                    f"pools are {', '.join(scenario.pools)}"
                )
    if problems:
        raise TargetError("\n".join(problems))
    available = available_metrics(scenario)
    for target in targets:
        if target.key in available:
            continue
        metrics = sorted(m for s, m in available if s == target.scope)
        if not metrics:
            problems.append(f"--target '{target}': the scenario has no figures for {target.scope}")
            continue
        close = difflib.get_close_matches(target.metric, metrics, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(
            f"--target '{target}': no metric '{target.metric}' for {target.scope}{hint}; "
            f"metrics are {', '.join(metrics)}"
        )
    if problems:
        raise TargetError("\n".join(problems))


def available_metrics(scenario: Scenario) -> set[Key]:
    """``(scope, metric)`` pairs a run of ``scenario`` reports (from a tiny simulation)."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["run"] = {**data["run"], "horizon": "1h", "warmup": "0s", "replications": 1}
    data["demand"] = {**data["demand"], "day_variability": 0.0}
    tiny = validate_data(data)
    result = run_scenario(tiny, workers=1)
    return set(result.replications[0].metrics)


# --- decision variables ----------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One decision variable: a flat pool's headcount, or one shift of a scheduled pool."""

    pool: str
    shift: int | None
    label: str
    paid_hours_per_week: float  # per agent
    cost_per_hour: float
    minimum: int = 1

    @property
    def weekly_cost_per_agent(self) -> float:
        return self.paid_hours_per_week * self.cost_per_hour


def _shift_hours(start: str, end: str) -> float:
    begin, finish = parse_clock(start), parse_clock(end)
    length = finish - begin if finish > begin else 86400.0 - begin + finish
    return length / 3600.0


def decision_slots(scenario: Scenario) -> list[Slot]:
    """The headcounts the search may change, in file order."""
    slots: list[Slot] = []
    reserved = {
        pool: max(counts.values(), default=0) for pool, counts in scenario.policy.reserve.items()
    }
    for name, pool in scenario.pools.items():
        if pool.schedule is None:
            slots.append(
                Slot(name, None, name, 168.0, pool.cost_per_hour, 1 + reserved.get(name, 0))
            )
            continue
        for i, shift in enumerate(pool.schedule):
            label = f"{name} #{i + 1} {shift.days} {shift.start}-{shift.end}"
            hours = _shift_hours(shift.start, shift.end) * len(parse_days(shift.days))
            slots.append(Slot(name, i, label, hours, pool.cost_per_hour))
    return slots


def headcounts_of(scenario: Scenario) -> tuple[int, ...]:
    """The scenario's own headcounts, one per slot of :func:`decision_slots`."""
    counts: list[int] = []
    for pool in scenario.pools.values():
        if pool.schedule is None:
            assert pool.agents is not None
            counts.append(pool.agents)
        else:
            counts.extend(shift.agents for shift in pool.schedule)
    return tuple(counts)


def with_headcounts(
    scenario: Scenario,
    headcounts: Sequence[int],
    run: dict[str, Any] | None = None,
    description: str | None = None,
) -> Scenario:
    """``scenario`` with these headcounts (and optionally other run settings or description).

    The structure is kept: a flat pool keeps ``agents``, a scheduled pool its shifts.
    """
    slots = decision_slots(scenario)
    if len(headcounts) != len(slots):
        raise ValueError(f"expected {len(slots)} headcounts, got {len(headcounts)}")
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for slot, count in zip(slots, headcounts, strict=True):
        pool = data["pools"][slot.pool]
        if slot.shift is None:
            pool["agents"] = int(count)
        else:
            pool["schedule"][slot.shift]["agents"] = int(count)
    if run:
        data["run"] = {**data["run"], **run}
    if description is not None:
        data["description"] = description
    return validate_data(data, f"<{scenario.name} staffed>")


# --- starting point --------------------------------------------------------------------------


def _mean(spec: Any) -> float:
    if spec.dist == "deterministic":
        return float(spec.value)
    if spec.dist == "empirical":
        return float(np.mean(spec.values))
    return float(spec.mean)


def erlang_start(
    scenario: Scenario, targets: Sequence[Target] = ()
) -> tuple[tuple[int, ...], list[str]]:
    """Starting headcounts and a note per choice made.

    A flat pool that alone serves phone starts from Erlang A (exponential patience) or
    Erlang C for the phone service-level target (the ``phone.service_level>=`` target if
    given, else the scenario's own) on the mean phone arrival rate of first contacts, scaled
    up for shrinkage. Every other slot starts from the scenario's own value.
    """
    from sim import analytic

    start = list(headcounts_of(scenario))
    slots = decision_slots(scenario)
    notes: list[str] = []
    phone_pools = [name for name, pool in scenario.pools.items() if "phone" in pool.skills]
    share = scenario.demand.first_channel.get("phone", 0.0)
    if len(phone_pools) != 1 or share <= 0:
        return tuple(start), notes
    name = phone_pools[0]
    pool = scenario.pools[name]
    if pool.schedule is not None:
        notes.append(f"{name}: scheduled pool, starting from the scenario's shifts")
        return tuple(start), notes
    phone = scenario.channels.phone
    goal = phone.service_level.target
    for target in targets:
        if target.key == ("phone", "service_level") and target.op == ">=":
            goal = target.value
    if not 0 < goal < 1:
        return tuple(start), notes
    rate = scenario.demand.issues_per_second * share
    aht = _mean(phone.handle_time) * pool.efficiency.get("phone", 1.0)
    within = phone.service_level.within
    patience = phone.patience
    try:
        if patience is not None and patience.dist == "exponential":
            productive = analytic.erlang_a_agents(rate, aht, _mean(patience), within, goal)
            method = "Erlang A"
        else:
            productive = analytic.erlang_c_agents(rate, aht, within, goal)
            method = "Erlang C"
    except ValueError as error:
        notes.append(f"{name}: no Erlang start ({error}); starting from the scenario")
        return tuple(start), notes
    shrink = pool.shrinkage
    scheduled = max(1, math.ceil(productive / (1.0 - shrink) - 1e-9))
    while round(scheduled * (1.0 - shrink)) < productive:
        scheduled += 1
    index = next(i for i, slot in enumerate(slots) if slot.pool == name)
    scheduled = max(scheduled, slots[index].minimum)
    start[index] = scheduled
    extra = f" / (1 - shrinkage {shrink:g})" if shrink else ""
    notes.append(
        f"{name}: {method} start {productive} agents for {goal:g} of phone in "
        f"{within:g}s at {rate * 3600:.1f} first calls/h{extra} -> {scheduled}"
    )
    return tuple(start), notes


# --- evaluating candidates -------------------------------------------------------------------


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
    slacks = tuple(t.slack(summary, confidence) for t in targets)
    return Evaluation(tuple(int(h) for h in headcounts), summary, cost, slacks, frame)


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
    ) -> None:
        self.scenario = scenario
        self.targets = list(targets)
        self.confidence = confidence
        self.budget = budget
        self.workers = workers
        self.on_evaluation = on_evaluation
        self.cache: dict[tuple[int, ...], Evaluation] = {}
        self.phase = "start"

    @property
    def fresh(self) -> int:
        return len(self.cache)

    def __call__(self, headcounts: Sequence[int]) -> Evaluation:
        key = tuple(int(h) for h in headcounts)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        if self.fresh >= self.budget:
            raise BudgetExhausted
        evaluation = evaluate(self.scenario, key, self.targets, self.confidence, self.workers)
        evaluation.replications = None  # keep the cache small
        self.cache[key] = evaluation
        if self.on_evaluation is not None:
            self.on_evaluation(evaluation, self.phase)
        return evaluation

    def best(self) -> Evaluation | None:
        """The cheapest candidate that met every target."""
        feasible = [e for e in self.cache.values() if e.feasible]
        return min(feasible, key=lambda e: (e.cost, sum(e.headcounts))) if feasible else None


# --- the search ------------------------------------------------------------------------------


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

    @property
    def headcounts(self) -> tuple[int, ...] | None:
        return None if self.best is None else self.best.headcounts


def relevant_slots(target: Target, scenario: Scenario, slots: Sequence[Slot]) -> list[int]:
    """Slots whose staffing moves ``target`` most directly (all slots when unclear)."""
    if target.scope.startswith("pool:"):
        pools = {target.scope[len("pool:") :]}
    elif target.scope in CHANNELS:
        pools = {name for name, p in scenario.pools.items() if target.scope in p.skills}
    else:
        pools = set()
    chosen = [i for i, slot in enumerate(slots) if slot.pool in pools]
    return chosen or list(range(len(slots)))


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
) -> StaffingResult:
    """Least-cost headcounts meeting every target (see the module docstring for the method).

    Args:
        scenario: the scenario to staff (its run settings are used unless ``search_run``).
        targets: the service targets, all to be met.
        confidence: confidence level of the interval whose bound must meet each target.
        max_evaluations: fresh simulations allowed (cached candidates are free).
        search_run: run settings for the search, e.g. ``{"replications": 3, "horizon": "7d"}``.
        workers: local processes per evaluation (default one per core).
        max_factor: no slot grows beyond this multiple of its start.
        start: starting headcounts (default :func:`erlang_start`).
        on_evaluation: called with each fresh evaluation and the search phase.
    """
    targets = list(targets)
    search_scenario = scenario
    if search_run:
        search_scenario = with_headcounts(scenario, headcounts_of(scenario), run=search_run)
    slots = decision_slots(scenario)
    original = headcounts_of(scenario)
    notes: list[str] = []
    if start is None:
        start, notes = erlang_start(scenario, targets)
    start = tuple(max(slot.minimum, int(h)) for slot, h in zip(slots, start, strict=True))
    evaluator = Evaluator(
        search_scenario, targets, confidence, max_evaluations, workers, on_evaluation
    )
    infeasible: list[Infeasible] = []
    status: Literal["met", "budget", "infeasible", "unmet"] = "met"
    try:
        x = _grow(evaluator, scenario, slots, start, max_factor, infeasible)
        if infeasible:
            status = "infeasible"
        else:
            assert x is not None
            x = _shrink_pools(evaluator, slots, x)
            _refine(evaluator, slots, x)
    except BudgetExhausted:
        status = "budget"
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


def _grow(
    evaluate: Evaluator,
    scenario: Scenario,
    slots: Sequence[Slot],
    start: tuple[int, ...],
    max_factor: float,
    infeasible: list[Infeasible],
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
                if x[j] < caps[j]
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
    evaluate: Evaluator, slots: Sequence[Slot], x: tuple[int, ...]
) -> tuple[int, ...]:
    """Scale each pool down by a common factor while every target is still met."""
    evaluate.phase = "shrink pools"
    for pool in dict.fromkeys(slot.pool for slot in slots):
        members = [i for i, slot in enumerate(slots) if slot.pool == pool]
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


def _refine(evaluate: Evaluator, slots: Sequence[Slot], x: tuple[int, ...]) -> tuple[int, ...]:
    """Greedy coordinate descent on the slots.

    Each round tries removing ``steps[i]`` agents from every slot still open. Of the removals
    that still meet every target the cheapest is kept, or all of them together when that
    also meets every target and costs no more. A kept removal doubles its slot's step (the
    slot has room to spare); a failed one halves it, and a failed one-agent removal closes
    the slot: with targets monotone in staffing it would fail from any smaller point too.
    """
    evaluate.phase = "refine shifts"
    steps = [max(1, round(h * FIRST_STEP)) for h in x]
    done = [h <= slot.minimum for h, slot in zip(x, slots, strict=True)]
    while not all(done):
        feasible: list[tuple[float, int, tuple[int, ...]]] = []
        for i, slot in enumerate(slots):
            if done[i]:
                continue
            y = list(x)
            y[i] = max(slot.minimum, x[i] - steps[i])
            candidate = evaluate(y)
            if candidate.feasible:
                feasible.append((candidate.cost, i, tuple(y)))
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


# --- verification ----------------------------------------------------------------------------


def verify(
    scenario: Scenario,
    headcounts: Sequence[int],
    targets: Sequence[Target],
    confidence: float,
    seed: int,
    workers: int | None = None,
    on_replication: Callable[[Any], None] | None = None,
) -> Evaluation:
    """Run ``headcounts`` with the scenario's own run settings but seed ``seed``."""
    return evaluate(
        scenario, headcounts, targets, confidence, workers, on_replication, run={"seed": seed}
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


# --- reporting -------------------------------------------------------------------------------

_PERCENT_SUFFIXES = ("level", "rate", "occupancy", "p_wait", "share", "share_end")


def format_value(metric: str, value: float) -> str:
    """A metric value as the tables show it (shares as percentages)."""
    if not math.isfinite(value):
        return "–"
    if metric.endswith(_PERCENT_SUFFIXES):
        return f"{value:.1%}"
    return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"


def format_stat(metric: str, stat: Stat | None, confidence: float) -> str:
    """``mean (low–high)`` at ``confidence`` (just the mean at confidence 0)."""
    if stat is None:
        return "–"
    text = format_value(metric, stat.mean)
    low, high = stat.interval(confidence)
    if confidence > 0 and math.isfinite(low):
        text += f" ({format_value(metric, low)}–{format_value(metric, high)})"
    return text


def _mark(ok: bool) -> str:
    return "[green]✓[/green]" if ok else "[red]✗ missed[/red]"


def headcount_table(result: StaffingResult, answer: Sequence[int] | None = None) -> Any:
    """Rich table: each slot's agents and weekly paid cost, before and after."""
    from rich.table import Table

    after = answer or result.headcounts or result.original
    table = Table(title="headcount (agents; paid cost per week)", title_justify="left")
    for label in ("pool / shift", "before", "after", "change", "cost/wk before", "cost/wk after"):
        table.add_column(label, justify="left" if label == "pool / shift" else "right")
    total_before = total_after = 0.0
    for slot, old, new in zip(result.slots, result.original, after, strict=True):
        cost_old, cost_new = old * slot.weekly_cost_per_agent, new * slot.weekly_cost_per_agent
        total_before, total_after = total_before + cost_old, total_after + cost_new
        change = f"{new - old:+d}"
        table.add_row(
            slot.label, str(old), str(new), change, f"{cost_old:,.0f}", f"{cost_new:,.0f}"
        )
    table.add_section()
    table.add_row(
        "[bold]all pools[/bold]",
        str(sum(result.original)),
        str(sum(after)),
        f"{sum(after) - sum(result.original):+d}",
        f"{total_before:,.0f}",
        f"{total_after:,.0f}",
    )
    return table


def targets_table(
    result: StaffingResult,
    before: Evaluation | None,
    after: Evaluation | None,
    title: str,
    search: Evaluation | None = None,
) -> Any:
    """Rich table: each target's mean (CI) before and after, met or missed, and the cost."""
    from rich.table import Table

    conf = result.confidence
    table = Table(title=title, title_justify="left")
    table.add_column("figure", no_wrap=True)
    table.add_column("before", justify="right", overflow="fold")
    table.add_column("after", justify="right", overflow="fold")
    if search is not None:
        table.add_column("search answer, search settings", justify="right", overflow="fold")
    for target in result.targets:
        cells = [str(target)]
        for evaluation in (before, after):
            if evaluation is None:
                cells.append("–")
                continue
            stat = format_stat(target.metric, evaluation.stats.get(target.key), conf)
            cells.append(f"{stat} {_mark(target.met(evaluation.stats, conf))}")
        if search is not None:
            cells.append(format_stat(target.metric, search.stats.get(target.key), conf))
        table.add_row(*cells)
    table.add_section()
    for key in (("centre", "cost_total"), ("centre", "cost_per_issue")):
        cells = [f"{key[0]}.{key[1]}"]
        for evaluation in (before, after):
            stat = None if evaluation is None else evaluation.stats.get(key)
            cells.append(format_stat(key[1], stat, conf))
        if search is not None:
            cells.append(format_stat(key[1], search.stats.get(key), conf))
        table.add_row(*cells)
    return table


# --- the command -----------------------------------------------------------------------------

EXIT_NOT_MET = 3


def _settings(scenario: Scenario, run: dict[str, Any] | None = None) -> str:
    from sim.scenario.units import format_duration

    settings = {**scenario.run.model_dump(), **(run or {})}
    horizon = settings["horizon"]
    horizon = horizon if isinstance(horizon, str) else format_duration(horizon)
    return f"{settings['replications']} replications x {horizon}, seed {settings['seed']}"


def run_staff_command(
    scenario: Scenario,
    targets: Sequence[Target],
    *,
    confidence: float,
    max_evaluations: int,
    search_run: dict[str, Any],
    verify_seed: int | None,
    verify_run: bool,
    max_factor: float,
    max_repairs: int = 2,
    output: Any,
    workers: int | None,
    quiet: bool,
    verbose: bool = False,
) -> int:
    """``ccsim staff``: search, verify, print the tables, write the file; the exit code."""
    from pathlib import Path

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from sim.console import console, replication_progress
    from sim.experiment import atomic_write_text
    from sim.scenario import scenario_to_yaml

    bound = (
        "mean"
        if confidence <= 0
        else f"bound of the {confidence:.0%} CI (ci_low for >=, ci_high for <=)"
    )
    console.print(
        f"[bold]Staffing {scenario.name}[/bold] for "
        + ", ".join(str(t) for t in targets)
        + f"\n  met when the {bound} meets the target; search: {_settings(scenario, search_run)}"
        + f", at most {max_evaluations} candidates"
    )
    start, notes = erlang_start(scenario, targets)
    for note in notes:
        console.print(f"  start: {note}")

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("candidates"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[best]}"),
        console=Console(stderr=True),
        transient=True,
        disable=quiet,
    )
    best_cost = math.inf
    log = Console(stderr=True, highlight=False)
    count = 0

    def advance(evaluation: Evaluation, phase: str) -> None:
        nonlocal best_cost, count
        count += 1
        if evaluation.feasible:
            best_cost = min(best_cost, evaluation.cost)
        if verbose:
            missed = [str(t) for t, s in zip(targets, evaluation.slacks, strict=True) if s < 0]
            verdict = "meets every target" if not missed else "misses " + ", ".join(missed)
            heads = " ".join(str(h) for h in evaluation.headcounts)
            log.print(
                f"  {count:3d} {phase}: [{heads}] cost {evaluation.cost:,.0f}, {verdict}",
                markup=False,
            )
        best = f"best cost {best_cost:,.0f}" if math.isfinite(best_cost) else "no candidate yet"
        progress.update(task, advance=1, description=phase, best=best)

    with progress:
        task = progress.add_task("start", total=max_evaluations, best="")
        result = solve(
            scenario,
            targets,
            confidence=confidence,
            max_evaluations=max_evaluations,
            search_run=search_run,
            workers=workers,
            max_factor=max_factor,
            start=start,
            on_evaluation=advance,
        )
    console.print(f"  {result.evaluations} candidates simulated ({result.status}).")

    if result.status == "infeasible":
        for item in result.infeasible:
            target = item.target
            reached = format_value(target.metric, item.best_bound)
            heads = ", ".join(
                f"{slot.label}: {h}" for slot, h in zip(result.slots, item.headcounts, strict=True)
            )
            console.print(
                f"[red bold]infeasible:[/red bold] {target} cannot be met by adding agents: "
                f"{item.reason}; the best bound reached was {reached} (with {heads}). "
                "Lower the target, or change what limits it (policy, misrouting, hours)."
            )
        console.print("Nothing was written.")
        return EXIT_NOT_MET
    if result.best is None:
        console.print(
            f"[red bold]not met:[/red bold] no candidate met every target within "
            f"{max_evaluations} candidates; raise --max-evaluations or --max-factor."
        )
        console.print("Nothing was written.")
        return EXIT_NOT_MET
    if result.status == "budget":
        console.print(
            "[yellow]The search stopped at --max-evaluations: the answer meets every target "
            "but may not be the least cost.[/yellow]"
        )

    answer = result.best.headcounts
    missed: list[Target] = []
    if verify_run:
        seed = scenario.run.seed + 1 if verify_seed is None else verify_seed
        reps = scenario.run.replications

        def check(headcounts: Sequence[int], label: str) -> Evaluation:
            with replication_progress(reps, label, enabled=not quiet) as bar:
                bar_task = bar.tasks[0].id
                return verify(
                    scenario,
                    headcounts,
                    targets,
                    confidence,
                    seed,
                    workers,
                    lambda _: bar.advance(bar_task),
                )

        before = check(result.original, "verifying the original")
        after = check(answer, "verifying the answer")
        missed = [t for t in targets if not t.met(after.stats, confidence)]
        for attempt in range(1, max_repairs + 1):
            if not missed:
                break
            _report_missed(console, missed, after, confidence)
            answer = repaired(scenario, answer, missed)
            console.print(
                f"  repair {attempt}/{max_repairs}: the pools serving "
                f"{', '.join(str(t) for t in missed)} grow by "
                f"{REPAIR_GROWTH - 1:.0%}; verifying again"
            )
            after = check(answer, f"verifying repair {attempt}")
            missed = [t for t in targets if not t.met(after.stats, confidence)]
        title = (
            f"targets and cost, verification run with fresh seeds "
            f"({_settings(scenario, {'seed': seed})}); mean ({confidence:.0%} CI)"
        )
        search = result.best
    else:
        before = evaluate(
            scenario, result.original, targets, confidence, workers, run=search_run or None
        )
        after, search = result.best, None
        title = f"targets and cost, search settings ({_settings(scenario, search_run)})"

    console.print(headcount_table(result, answer))
    console.print(targets_table(result, before, after, title, search=search))

    staffed = with_headcounts(
        scenario, answer, description=staffed_description(scenario, targets, confidence)
    )
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, scenario_to_yaml(staffed))
    console.print(f"Staffed scenario written to {path} (run it: ccsim run {path}).")
    if missed:
        _report_missed(console, missed, after, confidence)
        console.print(
            "The search's settings flattered the answer: search again with more "
            "--replications or the full --horizon, or allow more --repairs."
        )
        return EXIT_NOT_MET
    if verify_run:
        repairs = "" if answer == result.best.headcounts else " after repairs"
        level = "on average" if confidence <= 0 else f"at the {confidence:.0%} confidence bound"
        console.print(
            f"[green]Verification with fresh seeds{repairs}: every target met {level}.[/green]"
        )
    return 0


def _report_missed(
    console: Any, missed: Sequence[Target], after: Evaluation, confidence: float
) -> None:
    for target in missed:
        stat = format_stat(target.metric, after.stats.get(target.key), confidence)
        on_average = target.met(after.stats, 0.0)
        how = "met on average but not at the confidence bound" if on_average else "missed"
        console.print(
            f"[red bold]verification:[/red bold] {target} is {how} with fresh seeds and "
            f"the scenario's own settings: {stat}."
        )
