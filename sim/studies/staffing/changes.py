"""What staffing changed: every channel's service and every pool, before against after.

The before and after runs share seeds (the search's common random numbers, or the
verification's fresh ones), so each figure's change is judged on the per-replication
differences: *clearly worse* when the paired 95% CI of after − before lies wholly on the
bad side of 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sim.experiment.catalogue import Key
from sim.experiment.statistics import Stat, paired
from sim.scenario import Scenario
from sim.studies.staffing.evaluate import Evaluation
from sim.studies.staffing.targets import Target

CHANNEL_FIGURES = {"service_level": 1, "asa_seconds": -1, "abandon_rate": -1}
"""Each channel's figures in the before/after table, with the good direction (+1 higher)."""
POOL_FIGURES = {"agents_on_duty": 0, "occupancy": 0, "cost": 0}
"""Each pool's figures: no direction (more agents or occupancy is neither good nor bad)."""
CENTRE_FIGURES = {"cost_total": 0, "cost_per_issue": 0}
NOISE = 1e-9
"""A change smaller than this share of the figure itself is floating-point rounding."""


@dataclass(frozen=True)
class Change:
    """One figure before and after, its paired change (after − before) with a 95% CI."""

    key: Key
    before: Stat | None
    after: Stat | None
    diff: float
    low: float
    high: float
    direction: int

    @property
    def noise(self) -> float:
        """A change this small is floating-point rounding, not a change (an unchanged
        pool's cost summed in another order): :data:`NOISE` of the figure's size."""
        means = [abs(s.mean) for s in (self.before, self.after) if s is not None]
        return NOISE * max([m for m in means if math.isfinite(m)] + [1.0])

    def denoised(self, value: float) -> float:
        """``value`` (the change or a bound of its CI), 0 when it is rounding noise."""
        return 0.0 if math.isfinite(value) and abs(value) <= self.noise else value

    @property
    def worse(self) -> bool:
        """The paired CI lies wholly on the bad side of 0 (never for figures without one,
        nor by rounding noise alone)."""
        if self.direction == 0 or not (math.isfinite(self.low) and math.isfinite(self.high)):
            return False
        low, high = self.denoised(self.low), self.denoised(self.high)
        return high < 0 if self.direction > 0 else low > 0


def _values(evaluation: Evaluation, key: Key) -> pd.Series | None:
    frame = evaluation.replications
    if frame is None:
        return None
    rows = frame[(frame["scope"] == key[0]) & (frame["metric"] == key[1])]
    return rows.set_index("replication")["value"].astype(float)


def change(key: Key, before: Evaluation, after: Evaluation, direction: int) -> Change:
    """``key``'s paired change from ``before`` to ``after`` (NaN CI without replications)."""
    a, b = _values(before, key), _values(after, key)
    diff = low = high = math.nan
    if a is not None and b is not None:
        diff, low, high = paired(a, b)
    return Change(key, before.stats.get(key), after.stats.get(key), diff, low, high, direction)


def changes(scenario: Scenario, before: Evaluation, after: Evaluation) -> list[Change]:
    """Every channel's service level, ASA and abandonment (those it reports), every pool's
    agents, occupancy and cost, and the centre's cost: before, after and paired change."""
    keys: list[tuple[Key, int]] = []
    for name, section in scenario.channels.sections().items():
        if getattr(section, "service_level", None) is not None:  # channels agents answer
            keys += [((name, m), d) for m, d in CHANNEL_FIGURES.items()]
    for pool in scenario.pools:
        keys += [((f"pool:{pool}", m), d) for m, d in POOL_FIGURES.items()]
    keys += [(("centre", m), d) for m, d in CENTRE_FIGURES.items()]
    found = [(key, d) for key, d in keys if key in before.stats or key in after.stats]
    return [change(key, before, after, d) for key, d in found if _reported(key, before, after)]


def _reported(key: Key, before: Evaluation, after: Evaluation) -> bool:
    """A figure with a value in either run (a channel nobody reaches has only NaN)."""
    stats = [e.stats.get(key) for e in (before, after)]
    return any(s is not None and math.isfinite(s.mean) for s in stats)


def clearly_worse(target: Target, before: Evaluation, after: Evaluation) -> bool:
    """``target``'s figure got clearly worse from ``before`` to ``after`` (paired CI)."""
    return change(target.key, before, after, 1 if target.op == ">=" else -1).worse


def held_now(target: Target, before: Evaluation, confidence: float) -> bool:
    """Whether ``target`` is judged "no worse than before": a held target, or a scenario
    target the original staffing misses too in ``before`` (a fresh-seed verification can
    find the file's own email target missed at the confidence bound by the file itself)."""
    if target.source == "hold":
        return True
    return target.source == "scenario" and not target.met(before.stats, confidence)


def missed_targets(
    targets: Sequence[Target], before: Evaluation, after: Evaluation, confidence: float
) -> list[Target]:
    """The targets ``after`` misses: one judged no worse than before (:func:`held_now`)
    when it got clearly worse than ``before`` (the same seeds), any other when its
    confidence bound misses the value."""
    return [
        t
        for t in targets
        if (
            clearly_worse(t, before, after)
            if held_now(t, before, confidence)
            else not t.met(after.stats, confidence)
        )
    ]
