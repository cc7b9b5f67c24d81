"""Plots of one run, drawn from its saved outputs (design.md §4: ``plots/*.png``).

Every plot is built in two steps so that what is drawn can be checked:

1. :func:`run_plot_data` reads the run folder's CSV files (and the targets in
   ``scenario.yaml``) into one small tidy DataFrame per plot, with the columns ``panel``,
   ``series``, ``x`` and ``y`` (plus a few plot-specific ones, e.g. ``target``);
2. one small function per plot draws exactly those series: in each panel, one line per
   series in the frame's order, then any target lines (dashed).

Plots are drawn after a simulation, never during it, and only from the saved outputs, so
``ccsim plot DIR`` can redraw them. Each channel has one colour (Okabe–Ito, colour-blind safe)
in every plot.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import (
    FuncFormatter,
    MultipleLocator,
    PercentFormatter,
    StrMethodFormatter,
)

from sim.outputs import atomic_write_bytes
from sim.scenario import ASSISTED, CHANNELS, Scenario, ScenarioError, load_scenario
from sim.scenario.schema import WEEKDAYS
from sim.scenario.units import format_duration

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common form of
# colour blindness. Channels keep one colour everywhere; pools take the remaining ones.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
CHANNEL_COLOURS = {
    "phone": OKABE_ITO["blue"],
    "email": OKABE_ITO["orange"],
    "self_service": OKABE_ITO["bluish_green"],
    "social": OKABE_ITO["vermillion"],
}
POOL_COLOURS = [OKABE_ITO[c] for c in ("reddish_purple", "sky_blue", "black", "yellow")]
NEUTRAL = "#555555"
CHANNEL_LABELS = {
    "phone": "phone",
    "email": "email",
    "self_service": "self-service",
    "social": "social",
}

STYLE: dict[str, Any] = {
    "font.size": 9.5,
    "axes.titlesize": 10,
    "axes.titlelocation": "left",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "lines.linewidth": 1.1,
    "figure.titlesize": 12,
    "figure.titleweight": "bold",
    "savefig.dpi": 110,
    "figure.facecolor": "white",
}
WIDTH = 11.0  # inches; at 110 dpi a figure is about 1200 px wide
PLOTS_FOLDER = "plots"
RUN_FILES = ("summary.csv", "intervals.csv", "scenario.yaml")
INTERVAL_COLUMNS = (
    "interval",
    "scope",
    "day",
    "weekday",
    "time",
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa_seconds",
    "agents_on_duty",
    "occupancy",
    "social_first_share",
)
SUMMARY_COLUMNS = ("scope", "metric", "mean", "ci_low", "ci_high", "replications")
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


@dataclass(frozen=True)
class RunInfo:
    """Facts about a run that label its plots, all read from the saved outputs."""

    name: str
    interval_seconds: float
    replications: int

    @property
    def interval_label(self) -> str:
        """E.g. ``30-min``: the reporting interval, for axis labels."""
        text = format_duration(self.interval_seconds)
        for unit in ("min", "h", "d", "s"):
            if text.endswith(unit) and text[: -len(unit)].isdigit():
                return f"{text[: -len(unit)]}-{unit}"
        return text


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
    for channel in ASSISTED:
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
    for channel in _channels(intervals, ASSISTED):
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
    for channel in _channels(intervals, ASSISTED):
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
    for channel in _channels(intervals, CHANNELS):
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
    for channel in _channels(intervals, CHANNELS):
        rows = _rows(intervals, channel)
        by_time = rows.groupby("hour", sort=True)
        offered = by_time["offered"].mean()
        part = pd.DataFrame({"x": offered.index.to_numpy(float), "y": offered.to_numpy(float)})
        part["panel"], part["series"] = "offered", channel
        parts.append(part)
    for channel in _channels(intervals, ASSISTED):
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


# --- drawing helpers --------------------------------------------------------------------------


def _colour(series: str) -> str:
    return CHANNEL_COLOURS.get(series, NEUTRAL)


def _pool_colour(pool: str, pools: list[str]) -> str:
    return POOL_COLOURS[pools.index(pool) % len(POOL_COLOURS)] if pool in pools else NEUTRAL


def _label(name: str) -> str:
    if name.startswith("pool:"):
        return f"pool {name[5:]}"
    return CHANNEL_LABELS.get(name, name)


def _figure(panels: int, height: float = 2.3, extra: float = 1.0) -> tuple[Figure, list[Axes]]:
    """A figure of ``panels`` stacked axes sharing x (pyplot is not used: nothing to close)."""
    rows = max(panels, 1)
    figure = Figure(figsize=(WIDTH, height * rows + extra), layout="constrained")
    axes = figure.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    return figure, list(axes)


def _title(figure: Figure, info: RunInfo, what: str) -> None:
    figure.suptitle(f"{what} — {info.name}", x=0.01, ha="left")


def _no_data(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=NEUTRAL)
    ax.set_xticks([])
    ax.set_yticks([])


def _day_axis(ax: Axes, frame: pd.DataFrame) -> None:
    """Days since the measured horizon began, ticks labelled with day number and weekday."""
    first = frame.iloc[0] if len(frame) else None
    known = first is not None and str(first["weekday"]).lower() in WEEKDAYS

    def weekday(day: int) -> str:
        if not known:
            return ""
        offset = WEEKDAYS.index(str(first["weekday"]).lower()) - math.floor(first["x"])
        return WEEKDAYS[(day + offset) % 7].capitalize()

    low, high = float(frame["x"].min()), float(frame["x"].max())
    span = max(high - low, 1e-9)
    if span > 21:
        major, minor = 7.0, 1.0
    elif span > 2.5:
        major, minor = 1.0, 0.25
    else:
        major, minor = 0.25, 1 / 24

    def label(x: float, _: int) -> str:
        day = math.floor(x + 1e-9)
        if abs(x - day) < 1e-6:
            return f"day {day}\n{weekday(day)}".rstrip()
        minutes = round((x - day) * 1440)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    ax.xaxis.set_major_locator(MultipleLocator(major))
    ax.xaxis.set_minor_locator(MultipleLocator(minor))
    ax.xaxis.set_major_formatter(FuncFormatter(label))
    ax.set_xlim(math.floor(low), max(math.ceil(high + 1e-9), math.floor(low) + 1))
    ax.set_xlabel("day of the measured horizon (each point at its interval's start)")


def _hour_axis(ax: Axes) -> None:
    ax.xaxis.set_major_locator(MultipleLocator(3))
    ax.xaxis.set_minor_locator(MultipleLocator(1))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{int(x) % 24:02d}:00"))
    ax.set_xlim(0, 24)
    ax.set_xlabel("time of day (interval start)")


def _share_axis(ax: Axes, label: str) -> None:
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(label)


def _panels(frame: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(frame["panel"]))


def _draw(ax: Axes, rows: pd.DataFrame, colour: str, **style: Any) -> None:
    ax.plot(rows["x"].to_numpy(), rows["y"].to_numpy(), color=colour, **style)


def _target_line(
    ax: Axes, target: float, colour: str, text: str, share: tuple[int, int] = (0, 1)
) -> None:
    """A dashed target line; the ``share[0]``-th of ``share[1]`` lines at the same height has
    its dashes shifted so that coinciding targets alternate colours instead of hiding."""
    index, count = share
    dashes = (index * 6.0, (6.0, 6.0 * count - 6.0 if count > 1 else 4.0))
    ax.axhline(target, color=colour, linestyle=dashes, linewidth=1.4, label=text)


def _legend(ax: Axes) -> None:
    """The panel's legend, right of the axes, where it cannot hide data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


# --- one function per plot --------------------------------------------------------------------


def plot_service_level(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Service level per interval and channel (one panel each); the target dashed."""
    panels = _panels(frame)
    figure, axes = _figure(len(panels))
    _title(figure, info, f"Service level per {info.interval_label} interval, by channel")
    if not panels:
        _no_data(axes[0], "no assisted channel was offered any contact")
    for ax, channel in zip(axes[: len(panels)], panels, strict=True):
        rows = frame[frame["panel"] == channel]
        colour = _colour(channel)
        _draw(ax, rows, colour, label="service level")
        target, within = rows["target"].iloc[0], rows["within_seconds"].iloc[0]
        title = f"{_label(channel)}: share of offered contacts answered"
        if np.isfinite(target):
            threshold = format_duration(within)
            _target_line(ax, target, colour, f"target {target:.0%}")
            title += f" within {threshold}"
        ax.set_title(f"{title} (mean over replications)")
        ax.set_ylim(-0.02, 1.05)
        _share_axis(ax, "service level")
        _legend(ax)
    if panels:
        _day_axis(axes[-1], frame)
    return figure


def plot_asa(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Average speed of answer per interval and channel, each panel in its own unit."""
    panels = _panels(frame)
    figure, axes = _figure(len(panels))
    _title(figure, info, f"Average speed of answer (ASA) per {info.interval_label} interval")
    if not panels:
        _no_data(axes[0], "no assisted channel was offered any contact")
    for ax, channel in zip(axes[: len(panels)], panels, strict=True):
        rows = frame[frame["panel"] == channel]
        unit = rows["unit"].iloc[0]
        _draw(ax, rows, _colour(channel))
        ax.set_title(f"{_label(channel)}: mean wait of answered contacts, by arrival interval")
        ax.set_ylabel(f"ASA ({unit})")
        ax.set_ylim(bottom=0)
    if panels:
        _day_axis(axes[-1], frame)
    return figure


def plot_workload(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Agents on duty per pool against busy agents (on duty × occupancy)."""
    panels = _panels(frame)
    figure, axes = _figure(len(panels))
    _title(figure, info, "Agents on duty and busy agents per pool")
    if not panels:
        _no_data(axes[0], "no pool data")
    for ax, pool in zip(axes[: len(panels)], panels, strict=True):
        colour = _pool_colour(pool, panels)
        on_duty = frame[(frame["panel"] == pool) & (frame["series"] == "on duty")]
        busy = frame[(frame["panel"] == pool) & (frame["series"] == "busy")]
        _draw(ax, on_duty, colour, drawstyle="steps-post", label="on duty (productive)")
        _draw(ax, busy, NEUTRAL, linewidth=0.9, label="busy (on duty × occupancy)")
        ax.fill_between(
            busy["x"].to_numpy(), busy["y"].to_numpy(), color=colour, alpha=0.18, linewidth=0
        )
        ax.set_title(f"{_label(pool)}: mean over replications")
        ax.set_ylabel("agents")
        ax.set_ylim(bottom=0)
        _legend(ax)
    if panels:
        _day_axis(axes[-1], frame)
    return figure


def plot_occupancy(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Occupancy (busy / on-duty agent time) per interval, one panel per pool."""
    panels = _panels(frame)
    figure, axes = _figure(len(panels), height=2.2)
    _title(figure, info, f"Agent occupancy per {info.interval_label} interval, by pool")
    if not panels:
        _no_data(axes[0], "no pool data")
    for ax, pool in zip(axes[: len(panels)], panels, strict=True):
        _draw(ax, frame[frame["panel"] == pool], _pool_colour(pool, panels))
        ax.set_title(
            f"{_label(pool)}: busy agent time / on-duty agent time (mean over replications)"
        )
        ax.set_ylim(0, 1.05)
        _share_axis(ax, "occupancy")
    if panels:
        _day_axis(axes[-1], frame)
    return figure


VOLUME_STYLES = {
    "offered": {"linestyle": "-", "linewidth": 1.2},
    "answered": {"linestyle": "--", "linewidth": 0.9},
    "abandoned": {"linestyle": "-", "linewidth": 1.0},
}


def plot_volumes(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Offered, answered and abandoned contacts per interval, one panel per channel."""
    panels = _panels(frame)
    figure, axes = _figure(len(panels), height=2.1)
    _title(
        figure, info, f"Contacts offered, answered and abandoned per {info.interval_label} interval"
    )
    if not panels:
        _no_data(axes[0], "no channel was offered any contact")
    for ax, channel in zip(axes[: len(panels)], panels, strict=True):
        for series in VOLUME_SERIES:
            rows = frame[(frame["panel"] == channel) & (frame["series"] == series)]
            colour = NEUTRAL if series == "abandoned" else _colour(channel)
            _draw(ax, rows, colour, label=series, **VOLUME_STYLES[series])
        ax.set_title(f"{_label(channel)}: by arrival interval, mean over replications")
        ax.set_ylabel("contacts")
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.set_ylim(bottom=0)
        _legend(ax)
    if panels:
        _day_axis(axes[-1], frame)
    return figure


def plot_daily_profile(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Mean by time of day: contacts offered per channel, and service level per channel."""
    figure, (top, bottom) = _figure(2, height=3.0)
    _title(figure, info, "Intraday profile: mean over all days by time of day")
    offered = frame[frame["panel"] == "offered"]
    levels = frame[frame["panel"] == "service_level"]
    for channel in dict.fromkeys(offered["series"]):
        _draw(
            top,
            offered[offered["series"] == channel],
            _colour(channel),
            marker=".",
            markersize=3,
            label=_label(channel),
        )
    if offered.empty:
        _no_data(top, "no channel was offered any contact")
    top.set_title(f"contacts offered per {info.interval_label} interval")
    top.set_ylabel("contacts")
    top.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    top.set_ylim(bottom=0)
    channels = list(dict.fromkeys(levels["series"]))
    for channel in channels:
        _draw(
            bottom,
            levels[levels["series"] == channel],
            _colour(channel),
            marker=".",
            markersize=3,
            label=_label(channel),
        )
    targets = {c: levels.loc[levels["series"] == c, "target"].iloc[0] for c in channels}
    targets = {c: t for c, t in targets.items() if np.isfinite(t)}
    for channel, target in targets.items():
        same = [c for c, t in targets.items() if t == target]
        _target_line(
            bottom,
            target,
            _colour(channel),
            f"{_label(channel)} target {target:.0%}",
            (same.index(channel), len(same)),
        )
    bottom.set_title("service level (answered within threshold / offered), dashed: targets")
    bottom.set_ylim(-0.02, 1.05)
    _share_axis(bottom, "service level")
    for ax in (top, bottom):
        if ax.get_lines():
            _legend(ax)
    _hour_axis(bottom)
    return figure


def plot_social_first_share(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Share of new issues that go to social first, per interval (jump the line)."""
    figure, axes = _figure(1, height=3.2)
    ax = axes[0]
    _title(figure, info, "Share of new issues going to social first")
    if frame.empty:
        _no_data(ax, "no centre data")
        return figure
    _draw(ax, frame, CHANNEL_COLOURS["social"], drawstyle="steps-post", linewidth=1.4)
    ax.set_title(
        "it moves day by day toward a level set by how much faster social is answered "
        "(mean over replications)"
    )
    top = float(np.nanmax(frame["y"].to_numpy())) if frame["y"].notna().any() else 0.0
    ax.set_ylim(0, max(0.05, top * 1.2))
    _share_axis(ax, "social-first share of new issues")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    _day_axis(ax, frame)
    return figure


def plot_cost_breakdown(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """The centre's cost over the horizon by component, with 95% CI error bars."""
    figure, axes = _figure(1, height=3.6)
    ax = axes[0]
    _title(figure, info, "Cost over the measured horizon by component")
    if frame.empty:
        _no_data(ax, "no cost data")
        return figure
    means = frame["y"].to_numpy()
    low = np.clip(means - frame["ci_low"].to_numpy(), 0, None)
    high = np.clip(frame["ci_high"].to_numpy() - means, 0, None)
    errors = np.nan_to_num(np.vstack([low, high]), nan=0.0)
    ax.bar(
        frame["x"],
        means,
        color=NEUTRAL,
        width=0.6,
        yerr=errors,
        capsize=5,
        error_kw={"elinewidth": 1.0, "ecolor": OKABE_ITO["black"]},
    )
    for x, y in zip(frame["x"], means, strict=True):
        ax.annotate(
            f"{y:,.0f}",
            (x, y),
            xytext=(14, 3),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=8.5,
        )
    ax.set_xticks(frame["x"], frame["series"])
    ax.set_xlabel("cost component (error bars: 95% CI over replications)")
    ax.set_ylabel("cost (currency units)")
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.axhline(0, color=OKABE_ITO["black"], linewidth=0.8)
    ax.grid(axis="x", visible=False)
    ax.set_title(f"total {means.sum():,.0f}; mean over {info.replications} replications")
    return figure


PLOTS: dict[str, Callable[[pd.DataFrame, RunInfo], Figure]] = {
    "service_level": plot_service_level,
    "asa": plot_asa,
    "workload": plot_workload,
    "occupancy": plot_occupancy,
    "volumes": plot_volumes,
    "daily_profile": plot_daily_profile,
    "social_first_share": plot_social_first_share,
    "cost_breakdown": plot_cost_breakdown,
}
"""Every plot, in the order the report shows them; the file is ``plots/<name>.png``."""

CAPTIONS = {
    "service_level": "Service level per reporting interval for each assisted channel "
    "(share of contacts offered in the interval that were answered within the channel's "
    "threshold), with the target dashed.",
    "asa": "Average speed of answer: the mean wait of the contacts answered, by the interval "
    "in which they arrived.",
    "workload": "Productive agents on duty per pool, against busy agents (on duty × "
    "occupancy): the gap is idle capacity.",
    "occupancy": "Occupancy per pool: busy agent time over on-duty agent time.",
    "volumes": "Contacts offered, answered and abandoned per channel, by arrival interval.",
    "daily_profile": "The intraday picture: by time of day, mean contacts offered per "
    "interval and the service level over all days.",
    "social_first_share": "Share of new issues whose first contact is social (it grows when "
    "public complaints are answered faster than the other channels).",
    "cost_breakdown": "The centre's cost over the measured horizon by component, with 95% "
    "confidence intervals over replications.",
}


# --- writing ----------------------------------------------------------------------------------


def build_figures(run_dir: Path) -> dict[str, Figure]:
    """Every plot of the run as a matplotlib figure (for inspection; not saved)."""
    run = read_run(Path(run_dir))
    data = run_plot_data(run)
    with matplotlib.rc_context(STYLE):
        return {name: draw(data[name], run.info) for name, draw in PLOTS.items()}


def save_figure(figure: Figure, path: Path) -> None:
    """Save ``figure`` as a PNG at ``path`` atomically (figures made here are not kept by
    pyplot, so nothing needs closing: the figure is freed once unreferenced)."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="png", metadata={"Software": None})
    atomic_write_bytes(path, buffer.getvalue())


def plot_path(run_dir: Path, name: str) -> Path:
    """Where plot ``name`` of the run in ``run_dir`` is written."""
    return Path(run_dir) / PLOTS_FOLDER / f"{name}.png"


def plot_run(run_dir: Path) -> list[Path]:
    """Draw every plot of the run in ``run_dir`` into ``run_dir/plots/``; returns the paths.

    Reads only the saved outputs (``summary.csv``, ``intervals.csv``, ``scenario.yaml``).
    Raises :class:`RunFolderError` if ``run_dir`` is not a run folder.
    """
    run_dir = Path(run_dir)
    run = read_run(run_dir)
    data = run_plot_data(run)
    (run_dir / PLOTS_FOLDER).mkdir(exist_ok=True)
    paths = []
    for name, draw in PLOTS.items():
        with matplotlib.rc_context(STYLE):
            figure = draw(data[name], run.info)
        path = plot_path(run_dir, name)
        save_figure(figure, path)
        paths.append(path)
    return paths
