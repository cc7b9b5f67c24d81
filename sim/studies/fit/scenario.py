"""The fitted scenario: estimates written over a base scenario, as data and as commented YAML.

:func:`fitted_scenario` starts from the base (the ``--base`` scenario's data, or a minimal
default), resolves every default so the output shows all the numbers a run will use, writes
each fitted value at its scenario path (durations with units, ``"6.2min"``; shares rounded
so that shares which split a whole still sum to 1) and validates the result with
:func:`sim.scenario.validate_data`. :func:`fitted_yaml` writes it with a trailing comment on
every fitted number — ``# fitted: 372 s (95% CI 365–379), n = 12,345, lognormal by
likelihood`` — and a header naming what could not be fitted and was left at the base value.

Weekday factors are written when the log has two complete weeks; per-channel intraday
profiles (``demand.profiles``) only for the channels whose shapes differ (a chi-square test,
:func:`sim.studies.fit.demand.profiles_differ`), the others sharing ``demand.profile``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Sequence
from typing import Any

from sim.scenario import validate_data
from sim.scenario.registry import assisted_names, channel_names, kind_of
from sim.scenario.schema import WEEKDAYS
from sim.scenario.units import DAY, format_duration, parse_duration
from sim.studies.fit.estimate import Estimate, Unfitted
from sim.studies.fit.yamltext import commented_yaml

SHARE_DIGITS = 4
OCCUPANCY = 0.85
"""Occupancy at which default pools are sized from the fitted workload (a starting point)."""


def format_seconds(seconds: float) -> str:
    """A duration with a unit and four significant figures: ``37.4s``, ``6.2min``, ``2.5h``."""
    for limit, unit, size in ((600.0, "s", 1.0), (36000.0, "min", 60.0), (4 * DAY, "h", 3600.0)):
        if seconds < limit:
            return f"{seconds / size:.4g}{unit}"
    return f"{seconds / DAY:.4g}d"


def rounded_shares(shares: dict[str, float], digits: int = SHARE_DIGITS) -> dict[str, float]:
    """Shares scaled to sum to 1 and rounded to ``digits``, the largest adjusted so that the
    rounded shares still sum to 1 (a scenario's ``first_channel`` or ``fallback`` must)."""
    total = sum(shares.values())
    rounded = {key: round(value / total, digits) for key, value in shares.items()}
    if rounded:
        largest = max(rounded, key=lambda key: rounded[key])
        rest = sum(v for key, v in rounded.items() if key != largest)
        rounded[largest] = round(1.0 - rest, digits + 6)
    return rounded


def default_base(estimates: Sequence[Estimate], pools: dict[str, Any] | None = None) -> dict:
    """A minimal valid scenario to fit over when there is no ``--base``.

    ``pools`` (from the log's ``pool`` column) is used when given; otherwise one pool serving
    every assisted channel, sized at 85% occupancy of the workload the estimates imply. Pool
    sizes are not fitted: a planner should staff the result with ``ccsim staff``.
    """
    if pools is None:
        pools = {"agents": {"agents": agents_for(estimates), "skills": list(assisted_names())}}
    return {
        "name": "fitted",
        "description": "Fitted from a contact log by ccsim fit.",
        "demand": {"issues_per_day": 1000.0},
        "pools": pools,
    }


def agents_for(estimates: Sequence[Estimate]) -> int:
    """Agents busy ``OCCUPANCY`` of the time on first contacts' handle time (no retries)."""
    found = _finite(estimates)
    per_day = found.get("demand.issues_per_day", 1000.0)
    workload = 0.0
    for channel in assisted_names():
        first = found.get(f"demand.first_channel.{channel}", 1.0 / len(channel_names()))
        mean = found.get(f"channels.{channel}.handle_time.mean", _default_handle(channel))
        replies = found.get(f"channels.{channel}.exchanges", 1.0)
        workload += per_day * first * mean * replies
    return max(1, math.ceil(workload / DAY / OCCUPANCY))


def _default_handle(channel: str) -> float:
    """The handle-time mean a channel kind's section defaults to (300 s without one)."""
    handle = getattr(kind_of(channel).section(), "handle_time", None)
    return float(getattr(handle, "mean", 300.0))


def _finite(estimates: Iterable[Estimate]) -> dict[str, float]:
    return {e.parameter: e.estimate for e in estimates if math.isfinite(e.estimate)}


def fitted_scenario(
    estimates: Sequence[Estimate], base: dict | None = None, profiles: Sequence[str] = ()
) -> tuple[dict, list[str]]:
    """Scenario data with every fitted value written over ``base``, validated; and notes on
    adjustments (a changed reporting interval, switches that the format cannot express).
    ``profiles``: the channels that get their own fitted intraday profile.

    Raises :class:`sim.scenario.ScenarioError` when the base cannot carry the fit (say a
    fitted channel that no pool of the base serves).
    """
    start = copy.deepcopy(base) if base is not None else default_base(estimates)
    resolved = validate_data(start, "<base scenario>")
    data = resolved.model_dump(mode="json", by_alias=True, exclude_none=True)
    found = {e.parameter: e for e in estimates if math.isfinite(e.estimate)}
    notes: list[str] = []
    _demand(data, found, notes)
    _weekly(data["demand"], found, profiles)
    for channel in assisted_names():
        _set_distribution(data["channels"][channel], "handle_time", found, f"channels.{channel}")
    patience = found.get("channels.phone.patience.mean")
    if patience is not None:
        mean = format_seconds(patience.estimate)
        data["channels"]["phone"]["patience"] = {"dist": "exponential", "mean": mean}
    _set_distribution(data["behaviour"], "retry_delay", found, "behaviour")
    _after_abandon(data, found, notes)
    _self_service(data, found)
    _social(data, found)
    validate_data(data, "<fitted scenario>")
    return data, notes


def _shares(found: dict[str, Estimate], prefix: str, keys: Iterable[str]) -> dict[str, float]:
    values = {k: found[f"{prefix}.{k}"].estimate for k in keys if f"{prefix}.{k}" in found}
    return values if sum(values.values()) > 0 else {}


def _demand(data: dict, found: dict[str, Estimate], notes: list[str]) -> None:
    demand = data["demand"]
    if "demand.issues_per_day" in found:
        demand.pop("issues_per_hour", None)
        demand["issues_per_day"] = round(found["demand.issues_per_day"].estimate, 1)
    if "demand.day_variability" in found:
        demand["day_variability"] = round(found["demand.day_variability"].estimate, 4)
    first = _shares(found, "demand.first_channel", channel_names())
    if first:
        demand["first_channel"] = rounded_shares(first)
    profile = _weights(found, "demand.profile")
    if profile and sum(profile) > 0:
        demand["profile"] = profile
        interval = DAY / len(profile)
        if abs(parse_duration(data["run"]["interval"]) - interval) > 1e-9:
            was = data["run"]["interval"]
            data["run"]["interval"] = format_duration(interval)
            notes.append(
                f"run.interval changed from {was} to {data['run']['interval']} to match "
                "the fitted intraday profile"
            )


def _weights(found: dict[str, Estimate], prefix: str) -> list[float]:
    weights: list[float] = []
    while f"{prefix}[{len(weights)}]" in found:
        weights.append(round(found[f"{prefix}[{len(weights)}]"].estimate, SHARE_DIGITS))
    return weights


def _weekly(demand: dict, found: dict[str, Estimate], profiles: Sequence[str]) -> None:
    """Weekday factors (all seven or none) and the channels' own profiles; when the shared
    profile was fitted, a base's per-channel profiles would override it, so they go."""
    weekdays = {
        d: round(found[f"demand.weekdays.{d}"].estimate, 4)
        for d in WEEKDAYS
        if f"demand.weekdays.{d}" in found
    }
    if len(weekdays) == len(WEEKDAYS):
        demand["weekdays"] = weekdays
    own = {ch: _weights(found, f"demand.profiles.{ch}") for ch in profiles}
    own = {ch: weights for ch, weights in own.items() if sum(weights) > 0}
    if own:
        demand["profiles"] = own
    elif "demand.profile[0]" in found:
        demand.pop("profiles", None)


def _set_distribution(section: dict, key: str, found: dict[str, Estimate], prefix: str) -> None:
    mean = found.get(f"{prefix}.{key}.mean")
    if mean is None or mean.estimate <= 0:
        return
    spec: dict[str, Any] = {"dist": mean.dist or "exponential"}
    spec["mean"] = format_seconds(mean.estimate)
    cv = found.get(f"{prefix}.{key}.cv")
    if spec["dist"] != "exponential" and cv is not None and cv.estimate > 0:
        spec["cv"] = round(cv.estimate, 3)
    elif spec["dist"] != "exponential":
        spec["dist"] = "exponential"
    section[key] = spec


def _after_abandon(data: dict, found: dict[str, Estimate], notes: list[str]) -> None:
    keys = ["retry", "give_up", *(f"switch.{ch}" for ch in channel_names())]
    shares = _shares(found, "behaviour.after_abandon", keys)
    if not shares:
        return
    elsewhere = shares.pop("switch.self_service", 0.0)
    if elsewhere > 0:
        shares["give_up"] = shares.get("give_up", 0.0) + elsewhere
        notes.append(
            f"behaviour.after_abandon: switches to self-service ({elsewhere:.4f}) are not in "
            "the scenario format; counted as give_up"
        )
    shares = {k: v for k, v in shares.items() if v > 0 or not k.startswith("switch.")}
    rounded = rounded_shares(shares)
    switch = {k.removeprefix("switch."): v for k, v in rounded.items() if k.startswith("switch.")}
    data["behaviour"]["after_abandon"] = {
        "retry": rounded.get("retry", 0.0),
        "switch": switch,
        "give_up": rounded.get("give_up", 0.0),
    }


def _self_service(data: dict, found: dict[str, Estimate]) -> None:
    section = data["channels"]["self_service"]
    if "channels.self_service.success" in found:
        section["success"] = round(found["channels.self_service.success"].estimate, SHARE_DIGITS)
    fallback = _shares(found, "channels.self_service.fallback", assisted_names())
    if fallback:
        section["fallback"] = rounded_shares({k: v for k, v in fallback.items() if v > 0})


def _social(data: dict, found: dict[str, Estimate]) -> None:
    section = data["channels"]["social"]
    if "channels.social.public_share" in found:
        section["public_share"] = round(found["channels.social.public_share"].estimate, 4)
    if "channels.social.exchanges" in found:
        section["exchanges"] = max(1.0, round(found["channels.social.exchanges"].estimate, 3))
    _set_distribution(section, "reply_delay", found, "channels.social")
    if "channels.social.handoff.probability" in found:
        handoff = section["handoff"]
        handoff["probability"] = round(found["channels.social.handoff.probability"].estimate, 4)
        to = _shares(found, "channels.social.handoff.to", ("email", "phone"))
        if to:
            handoff["to"] = max(to, key=lambda k: to[k])


# --- YAML with comments -----------------------------------------------------------------------


def _number(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    size = abs(x)
    if size >= 1000:
        return f"{x:,.0f}"
    if size >= 100:
        return f"{x:.0f}"
    if size >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def comment(estimate: Estimate) -> str:
    """``fitted: 372 s (95% CI 365–379), n = 12,345, lognormal by likelihood``."""
    unit = " s" if estimate.unit == "s" else ""
    if math.isfinite(estimate.ci_low) and math.isfinite(estimate.ci_high):
        interval = f" (95% CI {_number(estimate.ci_low)}–{_number(estimate.ci_high)})"
    else:
        interval = " (no interval)"
    short = estimate.method.split(";")[0]
    return f"fitted: {_number(estimate.estimate)}{unit}{interval}, n = {estimate.n:,}, {short}"


def _agrees(value: Any, estimate: Estimate) -> bool:
    """Whether the written ``value`` is the estimate (up to the rounding used in writing)."""
    try:
        number = parse_duration(value) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return False
    return abs(number - estimate.estimate) <= 1e-3 * abs(estimate.estimate) + 2e-4


def _comments(data: dict, estimates: Sequence[Estimate]) -> dict[str, str]:
    """A comment for each path of ``data`` that holds a fitted value."""
    comments: dict[str, str] = {}
    found = {e.parameter: e for e in estimates if math.isfinite(e.estimate)}
    step = parse_duration(data["run"]["interval"])
    for path, value in _leaves(data, ""):
        estimate = found.get(path)
        if estimate is not None:
            text = comment(estimate)
            if not _agrees(value, estimate):
                text = text.replace("fitted:", "fitted (adjusted, see the header):", 1)
            if path.startswith("demand.profile") and path.endswith("]"):
                minutes = round(int(path.rsplit("[", 1)[1][:-1]) * step / 60)
                text = f"{minutes // 60:02d}:{minutes % 60:02d} {text}"
            comments[path] = text
        elif path.endswith(".dist") and f"{path[:-5]}.mean" in found:
            comments[path] = f"fitted: {found[f'{path[:-5]}.mean'].method.split(';')[0]}"
        elif path == "channels.social.handoff.to" and f"{path}.{value}" in found:
            comments[path] = comment(found[f"{path}.{value}"]).replace(
                "fitted:", f"fitted: {value}, the more common; share", 1
            )
    return comments


def _leaves(node: Any, path: str) -> Iterable[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{path}[{i}]")
    else:
        yield path, node


def fitted_yaml(
    data: dict,
    estimates: Sequence[Estimate],
    unfitted: Sequence[Unfitted],
    notes: Sequence[str] = (),
    source: str | None = None,
) -> str:
    """The fitted scenario as YAML: a header naming what was not fitted (left at the base or
    default) and any notes, and a comment on every fitted value."""
    header = [
        "ccsim scenario fitted from a contact log" + (f" ({source})" if source else "") + ".",
        "Each fitted value says: fitted: estimate (95% CI low–high), n = sample size, method.",
        "Every other value is the base scenario's, or ccsim's default.",
    ]
    if unfitted:
        header += ["", "Not fitted (left at the base scenario's value, or the default):"]
        header += [f"  - {item}" for item in unfitted]
    if notes:
        header += ["", "Notes:"]
        header += [f"  - {note}" for note in notes]
    return commented_yaml(data, _comments(data, estimates), [*header, ""])
