"""Making "least" exact on small problems: every cheaper staffing is ruled out.

The greedy search (:mod:`~.search`) only ever removes agents, so with pools of different
costs sharing a channel it can stop at a point where trading agents between pools would be
cheaper. When the decision space is small (a few flat pools), :func:`polish` rules out every
cheaper candidate: it lists each staffing whose paid cost is below the best found, drops
those dominated by a candidate already seen to miss a target (with targets monotone in
staffing, fewer agents everywhere cannot meet what more agents missed), and simulates the
dearest remaining one — a miss prunes many, a hit lowers the bar — until none is left. The
answer is then the least-cost feasible staffing of the whole lattice under the same seeds,
as an exhaustive search would find, for a fraction of its evaluations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.studies.staffing.evaluate import Evaluator
from sim.studies.staffing.slots import Slot

MAX_POINTS = 50_000
"""Largest lattice :func:`polish` lists; a bigger decision space keeps the greedy answer."""


def paid_cost(slots: Sequence[Slot], headcounts: Sequence[int]) -> float:
    """Weekly paid cost of ``headcounts`` (agents x paid hours x cost per hour)."""
    return sum(s.weekly_cost_per_agent * h for s, h in zip(slots, headcounts, strict=True))


def lattice(
    slots: Sequence[Slot], best: Sequence[int], free: Sequence[bool], limit: int = MAX_POINTS
) -> np.ndarray | None:
    """Every staffing cheaper than ``best`` (frozen slots fixed), one row each; None when
    there would be more than ``limit`` rows or a slot's cost is not positive."""
    budget = paid_cost(slots, best)
    weekly = [s.weekly_cost_per_agent for s in slots]
    if any(w <= 0 for w, f in zip(weekly, free, strict=True) if f):
        return None
    fixed = sum(w * h for w, h, f in zip(weekly, best, free, strict=True) if not f)
    floor = fixed + sum(w * s.minimum for w, s, f in zip(weekly, slots, free, strict=True) if f)
    ranges: list[np.ndarray] = []
    size = 1
    for w, h, slot, f in zip(weekly, best, slots, free, strict=True):
        if not f:
            ranges.append(np.array([h]))
            continue
        top = slot.minimum + math.floor((budget - floor) / w + 1e-9)
        ranges.append(np.arange(slot.minimum, max(slot.minimum, top) + 1))
        size *= len(ranges[-1])
        if size > limit:
            return None
    grid = np.stack(np.meshgrid(*ranges, indexing="ij"), axis=-1).reshape(-1, len(slots))
    costs = grid @ np.asarray(weekly, dtype=float)
    return grid[costs < budget - 1e-9]


SHORTLIST = 256
"""The dearest candidates among which :func:`polish` picks the one to simulate next."""


def _most_telling(points: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """Of the dearest candidates, the one below which most others lie: a miss there rules
    out the most, a hit there lowers the bar furthest."""
    order = np.argsort(-costs, kind="stable")[:SHORTLIST]
    shortlist = points[order]
    below = (points[None, :, :] <= shortlist[:, None, :]).all(axis=2).sum(axis=1)
    return shortlist[int(np.argmax(below))]


def polish(
    evaluate: Evaluator, slots: Sequence[Slot], x: tuple[int, ...], free: Sequence[bool]
) -> tuple[int, ...]:
    """The least paid-cost staffing meeting every target, when the lattice is small.

    Starts from ``x`` (feasible); returns it unchanged when the lattice is too large.
    """
    evaluate.phase = "rule out cheaper"
    points = lattice(slots, x, free)
    if points is None:
        return x
    weekly = np.asarray([s.weekly_cost_per_agent for s in slots], dtype=float)
    best = x
    for key, seen in list(evaluate.cache.items()):
        if not evaluate.judged(seen).feasible:
            points = points[~np.all(points <= np.asarray(key), axis=1)]
    while len(points):
        costs = points @ weekly
        pick = _most_telling(points, costs)
        candidate = evaluate(pick)
        if candidate.feasible:
            best = tuple(int(h) for h in pick)
            points = points[costs < paid_cost(slots, best) - 1e-9]
        else:
            points = points[~np.all(points <= pick, axis=1)]
    return best
