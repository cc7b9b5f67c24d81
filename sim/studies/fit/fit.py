"""``ccsim fit`` as a library: a contact log in, estimates and a runnable scenario out.

:func:`fit_log` reads and checks the log (:mod:`~sim.studies.fit.log`), groups contacts into
issues (:mod:`~sim.studies.fit.journeys`), runs every estimator the columns allow, and writes
the fitted scenario over the base (:mod:`~sim.studies.fit.scenario`). It returns a
:class:`FitResult`; it prints nothing and never exits, so the command line, a notebook or a
test can decide what to show. No plotting: the small report tables (arrivals by weekday
against the fitted demand, handle-time histograms against fitted densities, Kaplan–Meier
curves against the fitted exponential) are DataFrames for the presentation layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario import Scenario
from sim.scenario.registry import assisted_names, channel_names
from sim.scenario.units import DAY, parse_duration
from sim.studies.fit.behaviour import DEFAULT_MAX_ATTEMPTS, fit_behaviour, fit_self_service
from sim.studies.fit.demand import Days, find_days, fit_demand
from sim.studies.fit.durations import fit_handle_times
from sim.studies.fit.estimate import ESTIMATE_COLUMNS, Estimate, Unfitted
from sim.studies.fit.journeys import DEFAULT_WINDOW, find_journeys
from sim.studies.fit.log import BadRows, ContactLog, clean_log, read_log
from sim.studies.fit.patience import fit_patience
from sim.studies.fit.scenario import OCCUPANCY, default_base, fitted_scenario, fitted_yaml
from sim.studies.fit.social import fit_social

NOT_IN_A_LOG = [
    Unfitted("run", "horizon, warm-up, replications and seed are simulation choices"),
    Unfitted("channels.*.service_level", "service-level targets are policy, not data"),
    Unfitted("channels.self_service.duration", "session lengths are not in the log contract"),
    Unfitted("channels.social.community_resolves, misrouted, audience", "not in the log contract"),
    Unfitted("behaviour.max_attempts, escalate_to_social, jump_the_line", "not estimated"),
    Unfitted("policy, costs", "not in a contact log"),
    Unfitted(
        "demand.special_days, demand.volumes",
        "not estimated (holidays in the log raise day_variability; left as in the base)",
    ),
]


@dataclass
class FitResult:
    """Everything a fit produced; :meth:`frame` is ``fit.csv``."""

    source: str
    estimates: list[Estimate]
    unfitted: list[Unfitted]
    notes: list[str]
    bad_rows: BadRows
    scenario_data: dict
    yaml_text: str
    extra_demand: dict = field(default_factory=dict)
    arrivals: pd.DataFrame = field(default_factory=pd.DataFrame)
    handle_times: pd.DataFrame = field(default_factory=pd.DataFrame)
    patience_curves: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: dict = field(default_factory=dict)
    """The log at a glance: rows, rows used, first and last arrival, days, issues, contacts
    per channel."""

    def frame(self) -> pd.DataFrame:
        """Tidy: ``parameter, estimate, ci_low, ci_high, n, method`` (``fit.csv``)."""
        return pd.DataFrame([e.row() for e in self.estimates], columns=ESTIMATE_COLUMNS)

    def get(self, parameter: str) -> Estimate | None:
        """The estimate of ``parameter`` (None if it was not fitted)."""
        return next((e for e in self.estimates if e.parameter == parameter), None)

    def scenario(self) -> Scenario:
        """The fitted scenario, validated."""
        from sim.scenario import validate_data

        return validate_data(self.scenario_data, "<fitted scenario>")


def fit_log(
    path: str | Path,
    mapping: dict[str, str] | None = None,
    base: dict | Scenario | None = None,
    interval: str | float = "30min",
    *,
    window: str | float = DEFAULT_WINDOW,
) -> FitResult:
    """Fit a scenario to the CSV or Parquet log at ``path``.

    ``mapping`` renames the log's columns (``{"ours": "theirs"}``); ``base`` is the scenario
    (data or :class:`Scenario`) to fit over, or None for a minimal default; ``interval`` the
    intraday profile's resolution (it becomes ``run.interval``); ``window`` how long after a
    contact the customer's next one still belongs to the same issue (24 h by default).
    Raises :class:`~sim.studies.fit.log.LogError` for a log that cannot be fitted and
    :class:`sim.scenario.ScenarioError` when the base cannot carry the fit.
    """
    return fit_contacts(read_log(path, mapping), base, interval, window=window)


def fit_frame(
    table: pd.DataFrame,
    mapping: dict[str, str] | None = None,
    base: dict | Scenario | None = None,
    interval: str | float = "30min",
    *,
    window: str | float = DEFAULT_WINDOW,
    source: str = "<table>",
) -> FitResult:
    """As :func:`fit_log`, for a log already in memory (e.g. from ``log_from_trace``)."""
    return fit_contacts(clean_log(table, mapping, source), base, interval, window=window)


def _seconds(value: str | float, name: str) -> float:
    seconds = parse_duration(value) if isinstance(value, str) else float(value)
    if not seconds > 0:
        raise ValueError(f"{name} must be a positive duration (got {value!r})")
    return seconds


def _base_data(base: dict | Scenario | None) -> dict | None:
    if isinstance(base, Scenario):
        return base.model_dump(mode="json", by_alias=True, exclude_none=True)
    return base


def fit_contacts(
    log: ContactLog,
    base: dict | Scenario | None = None,
    interval: str | float = "30min",
    *,
    window: str | float = DEFAULT_WINDOW,
) -> FitResult:
    """Run every estimator on a checked log and write the fitted scenario."""
    step = _seconds(interval, "interval")
    if abs(DAY / step - round(DAY / step)) > 1e-9:
        raise ValueError(f"interval {interval!r} does not divide a day evenly")
    base_data = _base_data(base)
    frame = log.frame
    journeys = find_journeys(frame, _seconds(window, "window"))
    days = find_days(frame["arrived"].to_numpy(float), log.origin, step)
    parts = []
    demand, extra, arrivals = fit_demand(frame, journeys.first, days, step, journeys.from_customers)
    own_profiles = extra.pop("written_profiles", [])
    profile_note = extra.pop("profile_note", None)
    parts.append(demand)
    handle, histograms = fit_handle_times(frame)
    patience, curves = fit_patience(frame)
    parts += [handle, patience]
    parts.append(fit_behaviour(frame, journeys, _max_attempts(base_data)))
    parts.append(fit_self_service(frame, journeys))
    parts.append(fit_social(frame, journeys))
    estimates = [e for rows, _ in parts for e in rows]
    unfitted = [u for _, missing in parts for u in missing] + NOT_IN_A_LOG
    notes = [*log.notes, *_log_notes(log, days), *_estimate_notes(estimates)]
    if profile_note:
        notes.append(profile_note)
    if base_data is None:
        pools = _pools_from_log(frame, estimates, notes)
        base_data = default_base(estimates, pools)
        reason = f"sized at {OCCUPANCY:.0%} occupancy of the logged workload as a starting point"
        unfitted.append(Unfitted("pools", f"{reason}, not fitted: staff them with ccsim staff"))
    else:
        unfitted.append(Unfitted("pools", "left as in the base scenario"))
    data, written = fitted_scenario(estimates, base_data, own_profiles)
    notes += written
    text = fitted_yaml(data, estimates, unfitted, notes, source=Path(log.source).name)
    return FitResult(
        log.source,
        estimates,
        unfitted,
        notes,
        log.bad_rows,
        data,
        text,
        extra,
        arrivals,
        histograms,
        curves,
        _summary(log, days, journeys.first),
    )


def _summary(log: ContactLog, days: Days, first: np.ndarray) -> dict:
    arrived = log.frame["arrived"].to_numpy(float)
    channel = log.frame["channel"].astype(str).value_counts()
    return {
        "rows": log.bad_rows.total_rows,
        "used": log.bad_rows.usable_rows,
        "first": (log.origin + pd.Timedelta(seconds=float(arrived.min()))).isoformat(),
        "last": (log.origin + pd.Timedelta(seconds=float(arrived.max()))).isoformat(),
        "days": len(days.numbers),
        "complete_days": int(days.complete.sum()),
        "issues": int(np.sum(first)),
        "contacts": {ch: int(channel.get(ch, 0)) for ch in channel_names() if channel.get(ch, 0)},
    }


def _max_attempts(base: dict | None) -> int:
    value = ((base or {}).get("behaviour") or {}).get("max_attempts")
    return int(value) if isinstance(value, int) and value > 0 else DEFAULT_MAX_ATTEMPTS


def _log_notes(log: ContactLog, days: Days) -> list[str]:
    notes = []
    bad = log.bad_rows
    if bad.reasons:
        kept = sum(r.count for r in bad.reasons if not r.dropped)
        notes.append(
            f"{bad.dropped:,} of {bad.total_rows:,} log rows dropped as unusable, "
            f"{kept:,} problems in rows kept (see the bad-rows report)"
        )
    partial = int((~days.complete).sum())
    if partial:
        notes.append(
            f"{partial} of {len(days.numbers)} days with contacts look partial (an empty start "
            "or end); day-level demand uses the complete days only"
        )
    return notes


def _estimate_notes(estimates: list[Estimate]) -> list[str]:
    """Warnings an estimate's own rows reveal: a family that misses the sample mean,
    patience that is not exponential, patience on channels the format cannot express."""
    found = {e.parameter: e for e in estimates}
    notes = []
    for e in estimates:
        if e.parameter.endswith(".sample_mean"):
            fitted = found.get(e.parameter.replace(".sample_mean", ".mean"))
            if fitted and (fitted.estimate < e.ci_low or fitted.estimate > e.ci_high):
                notes.append(
                    f"{fitted.parameter}: the {fitted.dist} mean {fitted.estimate:.4g} s lies "
                    f"outside the sample mean's interval ({e.ci_low:.4g}–{e.ci_high:.4g} s)"
                )
        if e.parameter.endswith(".weibull_shape") and not e.covers(1.0):
            notes.append(
                f"{e.parameter.removesuffix('.weibull_shape')}: patience is not exponential "
                f"(Weibull shape {e.estimate:.3g}, 95% CI {e.ci_low:.3g}–{e.ci_high:.3g})"
            )
    for channel in ("email", "social"):
        if f"channels.{channel}.patience.mean" in found:
            notes.append(
                f"channels.{channel}.patience: estimated (fit.csv) but the scenario format has "
                "patience for phone only"
            )
    return notes


def _pools_from_log(
    frame: pd.DataFrame, estimates: list[Estimate], notes: list[str]
) -> dict[str, Any] | None:
    """Pools named in the log with the channels each answered, sized from their workload."""
    if "pool" not in frame.columns:
        return None
    pool = np.asarray(frame["pool"])
    answered = (np.asarray(frame["outcome"]) == "answered") & (pool != "")
    if not answered.any():
        return None
    found = {e.parameter: e.estimate for e in estimates}
    channel = np.asarray(frame["channel"])[answered]
    mean = np.array([found.get(f"channels.{c}.handle_time.mean", 300.0) for c in channel_names()])
    handle = frame["handle"].to_numpy(float)[answered] if "handle" in frame else np.nan
    codes = np.asarray(frame["channel"].cat.codes)[answered]  # positions in channel_names()
    work = np.where(np.isfinite(handle), handle, mean[codes])
    span = max(float(frame["arrived"].max() - frame["arrived"].min()), DAY)
    table = pd.DataFrame({"pool": pool[answered], "channel": channel, "work": work})
    totals = table.groupby(["pool", "channel"], sort=True)["work"].sum()
    pools: dict[str, Any] = {}
    for name in totals.index.get_level_values(0).unique():
        busy = totals.loc[name].sum() / span
        skills = [c for c in assisted_names() if c in totals.loc[name].index]
        pools[str(name)] = {"agents": max(1, math.ceil(busy / OCCUPANCY)), "skills": skills}
    served = {c for pool in pools.values() for c in pool["skills"]}
    missing = [c for c in assisted_names() if c not in served]
    if missing:
        first = next(iter(pools))
        pools[first]["skills"] += missing
        notes.append(f"pool {first} also serves {', '.join(missing)} (no pool answered them)")
    return pools
