"""The data behind each plot of a run, read from the run folder's saved outputs.

Every plot is built in two steps so that what is drawn can be checked: these functions read
the run folder's CSV files (and the targets in ``scenario.yaml``) into one small tidy
DataFrame per plot, with the columns ``panel``, ``series``, ``x`` and ``y`` (plus a few
plot-specific ones, e.g. ``target``); :mod:`sim.present.plots.run` draws exactly those rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd

from sim.io.run_folder import (
    INTERVAL_COLUMNS,
    INTERVALS_CSV,
    SCENARIO_YAML,
    SUMMARY_COLUMNS,
    SUMMARY_CSV,
)
from sim.present.plots.style import RunInfo
from sim.scenario import (
    Scenario,
    ScenarioError,
    assisted_names,
    channel_names,
    load_scenario,
)

RUN_FILES = (SUMMARY_CSV, INTERVALS_CSV, SCENARIO_YAML)
COST_COMPONENTS = {
    "cost_agents": "agents",
    "cost_contacts": "contacts",
    "cost_abandoned": "abandoned",
    "cost_unresolved": "unresolved",
    "cost_public": "public",
}
TIDY = ["panel", "series", "x", "y"]


class RunFolderError(Exception):
    """The folder is not a readable ``ccsim run`` output folder."""


# --- reading a run folder ---------------------------------------------------------------------


def check_run_folder(run_dir: Path) -> None:
    """Raise :class:`RunFolderError` unless ``run_dir`` holds a run's outputs."""
    if not run_dir.is_dir():
        raise RunFolderError(f"{run_dir}: not a folder")
    missing = [name for name in RUN_FILES if not (run_dir / name).is_file()]
    if missing:
        raise RunFolderError(
            f"{run_dir}: not a run folder (no {', '.join(missing)}); "
            "make one with `ccsim run SCENARIO -o DIR`"
        )


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise RunFolderError(f"{path}: not a readable CSV file ({error})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise RunFolderError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def read_intervals(run_dir: Path) -> pd.DataFrame:
    """``intervals.csv`` with ``x``: the interval's start in days since the horizon began."""
    frame = _read_csv(run_dir / "intervals.csv", INTERVAL_COLUMNS)
    try:
        minutes = frame["time"].map(lambda t: int(t[:2]) * 60 + int(t[3:5]))
        frame["x"] = frame["day"].astype(float) + minutes / 1440.0
    except (TypeError, ValueError) as error:
        raise RunFolderError(f"{run_dir / 'intervals.csv'}: bad day/time ({error})") from None
    frame["hour"] = minutes / 60.0
    return frame


def read_summary(run_dir: Path) -> pd.DataFrame:
    """``summary.csv`` as written by ``ccsim run``."""
    return _read_csv(run_dir / "summary.csv", SUMMARY_COLUMNS)


def _scenario(run_dir: Path) -> Scenario | None:
    """The saved scenario, or None if it cannot be read (e.g. another ccsim version wrote it):
    the plots are then drawn without target lines."""
    try:
        return load_scenario(run_dir / "scenario.yaml")
    except ScenarioError:
        return None


def service_targets(scenario: Scenario | None) -> dict[str, tuple[float, float]]:
    """Per assisted channel, ``(within seconds, target share)`` of its service level."""
    targets: dict[str, tuple[float, float]] = {}
    if scenario is None:
        return targets
    for channel in assisted_names():
        level = getattr(getattr(scenario.channels, channel, None), "service_level", None)
        if level is not None:
            targets[channel] = (float(level.within), float(level.target))
    return targets


def run_info(
    run_dir: Path, scenario: Scenario | None, intervals: pd.DataFrame, summary: pd.DataFrame
) -> RunInfo:
    """Name, reporting interval and replications of the run in ``run_dir``."""
    name = scenario.name if scenario is not None else Path(run_dir).resolve().name
    if scenario is not None:
        interval = float(scenario.run.interval)
    else:  # the smallest step between interval starts
        starts = np.unique(np.round(intervals["x"].to_numpy() * 86400.0))
        steps = np.diff(starts)
        interval = float(steps.min()) if len(steps) else 86400.0
    counts = summary["replications"].dropna()
    return RunInfo(name, interval, int(counts.max()) if len(counts) else 0)


@dataclass(frozen=True)
class RunOutputs:
    """A run folder's saved outputs, read once."""

    intervals: pd.DataFrame
    summary: pd.DataFrame
    scenario: Scenario | None
    info: RunInfo


def read_run(run_dir: Path) -> RunOutputs:
    """Read the outputs in ``run_dir``; :class:`RunFolderError` if it is not a run folder."""
    run_dir = Path(run_dir)
    check_run_folder(run_dir)
    intervals = read_intervals(run_dir)
    summary = read_summary(run_dir)
    scenario = _scenario(run_dir)
    return RunOutputs(intervals, summary, scenario, run_info(run_dir, scenario, intervals, summary))


def _channels(intervals: pd.DataFrame, among: tuple[str, ...] | list[str]) -> list[str]:
    """The channels among ``among`` that were offered any contact, in the usual order."""
    offered = intervals.groupby("scope")["offered"].sum(min_count=1)
    return [c for c in among if c in offered.index and offered[c] > 0]


def _pools(intervals: pd.DataFrame) -> list[str]:
    scopes = intervals["scope"].drop_duplicates()
    return [s for s in scopes if s.startswith("pool:")]


def _rows(intervals: pd.DataFrame, scope: str) -> pd.DataFrame:
    return intervals[intervals["scope"] == scope].sort_values("x")


def _tidy(parts: list[pd.DataFrame], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    columns = [*TIDY, "weekday", *extra]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def _series(rows: pd.DataFrame, panel: str, series: str, y: pd.Series | np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "panel": panel,
            "series": series,
            "x": rows["x"].to_numpy(),
            "y": np.asarray(y, dtype=float),
            "weekday": rows["weekday"].to_numpy(),
        }
    )


# --- the data behind each plot ----------------------------------------------------------------


def service_level_data(
    intervals: pd.DataFrame, targets: dict[str, tuple[float, float]]
) -> pd.DataFrame:
    """One panel per assisted channel: its ``service_level`` column; ``target`` per row."""
    parts = []
    for channel in _channels(intervals, assisted_names()):
        rows = _rows(intervals, channel)
        part = _series(rows, channel, channel, rows["service_level"])
        within, target = targets.get(channel, (math.nan, math.nan))
        part["within_seconds"], part["target"] = within, target
        parts.append(part)
    return _tidy(parts, ("within_seconds", "target"))


ASA_UNITS = [(120.0, "s", 1.0), (2 * 3600.0, "min", 60.0), (math.inf, "h", 3600.0)]


def _asa_unit(seconds: pd.Series) -> tuple[str, float]:
    largest = seconds.max(skipna=True)
    largest = 0.0 if not np.isfinite(largest) else largest
    for limit, unit, scale in ASA_UNITS:
        if largest < limit:
            return unit, scale
    return "h", 3600.0  # pragma: no cover - the last limit is infinite


def asa_data(intervals: pd.DataFrame) -> pd.DataFrame:
    """One panel per assisted channel: ``asa_seconds`` in a readable unit (``y`` × ``scale``
    = ``asa_seconds``)."""
    parts = []
    for channel in _channels(intervals, assisted_names()):
        rows = _rows(intervals, channel)
        unit, scale = _asa_unit(rows["asa_seconds"])
        part = _series(rows, channel, channel, rows["asa_seconds"] / scale)
        part["unit"], part["scale"] = unit, scale
        part["asa_seconds"] = rows["asa_seconds"].to_numpy()
        parts.append(part)
    return _tidy(parts, ("unit", "scale", "asa_seconds"))


def workload_data(intervals: pd.DataFrame) -> pd.DataFrame:
    """One panel per pool: agents on duty, and busy agents = on duty × occupancy."""
    parts = []
    for pool in _pools(intervals):
        rows = _rows(intervals, pool)
        on_duty = rows["agents_on_duty"]
        busy = on_duty * rows["occupancy"].fillna(0.0)
        parts.append(_series(rows, pool, "on duty", on_duty))
        parts.append(_series(rows, pool, "busy", busy.where(on_duty.notna())))
    return _tidy(parts)


def occupancy_data(intervals: pd.DataFrame) -> pd.DataFrame:
    """One panel per pool: its ``occupancy`` column (busy / on-duty agent time)."""
    parts = []
    for pool in _pools(intervals):
        rows = _rows(intervals, pool)
        parts.append(_series(rows, pool, pool, rows["occupancy"]))
    return _tidy(parts)


VOLUME_SERIES = ("offered", "answered", "abandoned")


def volumes_data(intervals: pd.DataFrame) -> pd.DataFrame:
    """One panel per channel: offered, answered and abandoned contacts per interval."""
    parts = []
    for channel in _channels(intervals, channel_names()):
        rows = _rows(intervals, channel)
        parts.extend(_series(rows, channel, column, rows[column]) for column in VOLUME_SERIES)
    return _tidy(parts)


def daily_profile_data(
    intervals: pd.DataFrame, targets: dict[str, tuple[float, float]]
) -> pd.DataFrame:
    """By time of day, the mean over days of offered (panel ``offered``, every channel) and the
    service level (panel ``service_level``, assisted channels: offered-weighted over days, i.e.
    answered within the threshold / offered at that time of day); ``x`` in hours."""
    parts = []
    for channel in _channels(intervals, channel_names()):
        rows = _rows(intervals, channel)
        by_time = rows.groupby("hour", sort=True)
        offered = by_time["offered"].mean()
        part = pd.DataFrame({"x": offered.index.to_numpy(float), "y": offered.to_numpy(float)})
        part["panel"], part["series"] = "offered", channel
        parts.append(part)
    for channel in _channels(intervals, assisted_names()):
        rows = _rows(intervals, channel).copy()
        rows["within"] = rows["service_level"] * rows["offered"]
        rows.loc[rows["service_level"].isna(), "offered"] = np.nan
        sums = rows.groupby("hour", sort=True)[["within", "offered"]].sum(min_count=1)
        level = sums["within"] / sums["offered"].where(sums["offered"] > 0)
        part = pd.DataFrame({"x": level.index.to_numpy(float), "y": level.to_numpy(float)})
        part["panel"], part["series"] = "service_level", channel
        part["target"] = targets.get(channel, (math.nan, math.nan))[1]
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[*TIDY, "target"])
    frame = pd.concat(parts, ignore_index=True)
    if "target" not in frame:
        frame["target"] = math.nan
    return frame[[*TIDY, "target"]]


def social_first_share_data(intervals: pd.DataFrame) -> pd.DataFrame:
    """The centre's ``social_first_share`` per interval."""
    rows = _rows(intervals, "centre")
    return _tidy([_series(rows, "", "social first", rows["social_first_share"])])


def cost_breakdown_data(summary: pd.DataFrame) -> pd.DataFrame:
    """The centre's cost components over the horizon, with their 95% CIs."""
    centre = summary[summary["scope"] == "centre"].set_index("metric")
    rows = []
    for position, (metric, label) in enumerate(COST_COMPONENTS.items()):
        if metric not in centre.index:
            continue
        row = centre.loc[metric]
        rows.append(("", label, float(position), row["mean"], row["ci_low"], row["ci_high"]))
    return pd.DataFrame(rows, columns=[*TIDY, "ci_low", "ci_high"]).astype(
        {"x": float, "y": float, "ci_low": float, "ci_high": float}
    )


def run_plot_data(run_dir: Path | RunOutputs) -> dict[str, pd.DataFrame]:
    """The exact series behind every plot of the run in ``run_dir``, keyed by plot name."""
    run = run_dir if isinstance(run_dir, RunOutputs) else read_run(Path(run_dir))
    intervals, summary = run.intervals, run.summary
    targets = service_targets(run.scenario)
    return {
        "service_level": service_level_data(intervals, targets),
        "asa": asa_data(intervals),
        "workload": workload_data(intervals),
        "occupancy": occupancy_data(intervals),
        "volumes": volumes_data(intervals),
        "daily_profile": daily_profile_data(intervals, targets),
        "social_first_share": social_first_share_data(intervals),
        "cost_breakdown": cost_breakdown_data(summary),
    }
