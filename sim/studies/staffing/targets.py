"""Staffing targets: ``scope.metric>=value`` or ``<=`` on any figure a run reports.

A target is *met with confidence* when the relevant end of the two-sided t confidence
interval across replications meets it: ``ci_low`` for ``>=``, ``ci_high`` for ``<=`` (at
``confidence`` 0 the mean itself is compared).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from sim.experiment.catalogue import Key, metric_keys
from sim.experiment.errors import InputError, Setting
from sim.experiment.statistics import Stat
from sim.scenario import Scenario, channel_names

EXAMPLE = "e.g. phone.service_level>=0.8 or pool:voice.occupancy<=0.9"

Op = Literal[">=", "<="]
Source = Literal["given", "scenario", "hold"]
Stats = dict[Key, Stat]


class TargetError(InputError):
    """A target that cannot be used; the message names it (one line per problem)."""

    def __init__(self, message: str | Sequence[str]) -> None:
        super().__init__(message, "target")


_TARGET = re.compile(
    r"^(?P<left>[^<>=!]+?)\s*(?P<op>>=|<=|=>|=<|==|!=|>|<|=)\s*(?P<value>[^<>=]*)$"
)
_METRIC = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SWALLOWED = re.compile(r"^[A-Za-z_][\w:]*\.[A-Za-z_]\w*$")
"""``scope.metric`` and nothing else: what is left of an unquoted ``scope.metric>=0.8``."""


@dataclass(frozen=True)
class Target:
    """``scope.metric >= value`` (or ``<=``), met when the confidence bound meets it.

    ``source`` says where it came from: ``given`` on the command line, ``scenario`` (a
    channel's own ``service_level.target``), or ``hold``: a scenario target no staffing can
    meet, kept "no worse than before". A held target's ``value`` is the original staffing's
    mean and ``reference`` its value in each replication under the search's seeds; a
    candidate meets it unless the paired 95% CI of its difference lies wholly on the bad
    side of 0 (:func:`hold_slack`), so the original itself meets it exactly.
    """

    scope: str
    metric: str
    op: Op
    value: float
    source: Source = "given"
    reference: tuple[float, ...] = ()

    @property
    def key(self) -> Key:
        return (self.scope, self.metric)

    @property
    def text(self) -> str:
        if self.source == "hold":
            return f"{self.scope}.{self.metric} no worse than before"
        return f"{self.scope}.{self.metric}{self.op}{self.value:g}"

    def __str__(self) -> str:
        return self.text

    def bound(self, summary: Stats, confidence: float) -> float:
        """The end of the confidence interval that must meet the target (NaN if unknown)."""
        stat = summary.get(self.key)
        if stat is None:
            return math.nan
        if self.source == "hold":
            return stat.mean
        low, high = stat.interval(confidence)
        return low if self.op == ">=" else high

    def slack(self, summary: Stats, confidence: float) -> float:
        """How far the bound is on the good side of the value (negative: missed; -inf: unknown)."""
        bound = self.bound(summary, confidence)
        if self.source == "hold" and math.isnan(self.value) and math.isnan(bound):
            return 0.0  # no figure before, none after: nothing got worse
        if not math.isfinite(bound):
            return -math.inf
        return bound - self.value if self.op == ">=" else self.value - bound

    def met(self, summary: Stats, confidence: float) -> bool:
        """True when the confidence bound meets the target."""
        return self.slack(summary, confidence) >= -1e-12


def parse_target(text: str) -> Target:
    """``"phone.service_level>=0.8"`` -> :class:`Target`; :class:`TargetError` names ``text``."""

    def bad(reason: str) -> TargetError:
        return TargetError(f"target '{text}': {reason}")

    if not isinstance(text, str) or not text.strip():
        raise bad(f"empty; write scope.metric>=value, {EXAMPLE}")
    match = _TARGET.match(text.strip())
    if not match:
        if _SWALLOWED.match(text.strip()):
            raise bad(
                "no comparison: the shell probably read '>=VALUE' as a redirect to a file "
                "named '=VALUE'; quote the target, e.g. --target \"phone.service_level>=0.8\""
            )
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
    channels = channel_names()
    if scope in channels or scope == "centre":
        return
    if scope.startswith("pool:"):
        if not scope[len("pool:") :].strip():
            raise bad("'pool:' needs a pool name, e.g. pool:voice")
        return
    close = difflib.get_close_matches(scope, [*channels, "centre"], n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise bad(
        f"unknown scope '{scope}'{hint}; scopes are {', '.join(channels)}, pool:<name> and centre"
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
            problems.append(f"target '{text}': {target.scope}.{target.metric} given twice")
            continue
        targets.append(target)
    if problems:
        raise TargetError("\n".join(problems))
    return targets


def check_targets(targets: Sequence[Target], scenario: Scenario) -> None:
    """Check pool names and metric names against the scenario; :class:`TargetError` if bad.

    The metrics are the catalogue's for this scenario (:mod:`sim.experiment.catalogue`):
    every metric ``summary.csv`` can hold is accepted and nothing else.
    """
    problems: list[str] = []
    for target in targets:
        if target.scope.startswith("pool:"):
            name = target.scope[len("pool:") :]
            if name not in scenario.pools:
                close = difflib.get_close_matches(name, list(scenario.pools), n=1, cutoff=0.6)
                hint = f" (did you mean 'pool:{close[0]}'?)" if close else ""
                problems.append(
                    f"target '{target}': no pool '{name}' in the scenario{hint}; "
                    f"pools are {', '.join(scenario.pools)}"
                )
    if problems:
        raise TargetError("\n".join(problems))
    available = set(metric_keys(scenario))
    for target in targets:
        if target.key in available:
            continue
        metrics = sorted(m for s, m in available if s == target.scope)
        if not metrics:
            problems.append(f"target '{target}': the scenario has no figures for {target.scope}")
            continue
        close = difflib.get_close_matches(target.metric, metrics, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(
            f"target '{target}': no metric '{target.metric}' for {target.scope}{hint}; "
            f"metrics are {', '.join(metrics)}"
        )
    if problems:
        raise TargetError("\n".join(problems))


def scenario_targets(scenario: Scenario) -> list[Target]:
    """Every channel's own ``service_level.target``, for the channels that receive contacts
    and that a pool answers.

    These are the targets of ``ccsim staff`` by default, so a search never buys one
    channel's service with another's.
    """
    from sim.scenario.checks import receiving_channels

    receiving = receiving_channels(scenario)
    served = {skill for pool in scenario.pools.values() for skill in pool.skills}
    targets: list[Target] = []
    for name, section in scenario.channels.sections().items():
        level = getattr(section, "service_level", None)
        if level is None or name not in receiving or name not in served:
            continue
        if not section.answered_by_agents(scenario):
            continue
        targets.append(Target(name, "service_level", ">=", float(level.target), "scenario"))
    return targets


def combine_targets(
    scenario: Scenario, given: Sequence[Target], only: bool = False
) -> list[Target]:
    """The targets of a search: the scenario's own, each replaced by a given target on the
    same ``scope.metric``, plus the other given ones; with ``only``, the given ones alone.

    :class:`TargetError` when there is nothing to staff for.
    """
    if only and not given:
        raise TargetError(
            [Setting("only_targets"), " needs at least one ", Setting("target"), f", {EXAMPLE}"]
        )
    given_keys = {t.key for t in given}
    own = [] if only else [t for t in scenario_targets(scenario) if t.key not in given_keys]
    targets = [*own, *given]
    if not targets:
        raise TargetError(
            ["the scenario sets no service_level target; give at least one ", Setting("target")]
        )
    return targets


def held(target: Target, before: Stats, reference: Sequence[float] = ()) -> Target:
    """``target`` held "no worse than before": the original staffing's mean, and its values
    per replication (``reference``) under the same seeds."""
    stat = before.get(target.key)
    value = stat.mean if stat is not None else math.nan
    return replace(target, value=value, source="hold", reference=tuple(float(v) for v in reference))


def hold_slack(target: Target, values: Sequence[float]) -> float:
    """How far a held target's paired 95% CI (candidate − reference, per replication) reaches
    onto the good side of 0: negative only when the candidate is clearly worse. NaN values
    on both sides (nothing to serve) count as no change."""
    import numpy as np

    from sim.experiment.statistics import confidence_interval

    a = np.asarray(target.reference, dtype=float)
    b = np.asarray(values, dtype=float)
    if len(a) != len(b) or not len(a):
        return -math.inf
    both_nan = np.isnan(a) & np.isnan(b)
    diff = np.where(both_nan, 0.0, b - a)
    if np.isnan(diff).any():
        return -math.inf
    mean, low, high, _ = confidence_interval(diff)
    if not math.isfinite(low):
        low = high = mean
    return high if target.op == ">=" else -low
