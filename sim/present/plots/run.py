"""Plots of one run, drawn from its saved outputs: ``plots/*.png`` of a run folder.

Plots are drawn after a simulation, never during it, and only from the saved outputs, so
``ccsim plot DIR`` can redraw them. One small function per plot draws exactly the rows of
its data frame (:mod:`sim.present.plots.run_data`): in each panel, one line per series in
the frame's order, then any target lines (dashed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import (
    PercentFormatter,
    StrMethodFormatter,
)

from sim.io.run_folder import (
    PLOTS_FOLDER,
)
from sim.present.plots.run_data import VOLUME_SERIES, read_run, run_plot_data
from sim.present.plots.style import (
    CHANNEL_COLOURS,
    NEUTRAL,
    OKABE_ITO,
    STYLE,
    RunInfo,
    channel_colour,
    day_axis,
    draw_series,
    figure_title,
    hour_axis,
    legend,
    no_data,
    panels_of,
    plot_path,
    pool_colour,
    save_figure,
    scope_label,
    share_axis,
    stacked_figure,
    target_line,
)
from sim.scenario.units import format_duration

# --- one function per plot --------------------------------------------------------------------


def plot_service_level(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Service level per interval and channel (one panel each); the target dashed."""
    panels = panels_of(frame)
    figure, axes = stacked_figure(len(panels))
    figure_title(figure, info, f"Service level per {info.interval_label} interval, by channel")
    if not panels:
        no_data(axes[0], "no assisted channel was offered any contact")
    for ax, channel in zip(axes[: len(panels)], panels, strict=True):
        rows = frame[frame["panel"] == channel]
        colour = channel_colour(channel)
        draw_series(ax, rows, colour, label="service level")
        target, within = rows["target"].iloc[0], rows["within_seconds"].iloc[0]
        title = f"{scope_label(channel)}: share of offered contacts answered"
        if np.isfinite(target):
            threshold = format_duration(within)
            target_line(ax, target, colour, f"target {target:.0%}")
            title += f" within {threshold}"
        ax.set_title(f"{title} (mean over replications)")
        ax.set_ylim(-0.02, 1.05)
        share_axis(ax, "service level")
        legend(ax)
    if panels:
        day_axis(axes[-1], frame)
    return figure


def plot_asa(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Average speed of answer per interval and channel, each panel in its own unit."""
    panels = panels_of(frame)
    figure, axes = stacked_figure(len(panels))
    figure_title(figure, info, f"Average speed of answer (ASA) per {info.interval_label} interval")
    if not panels:
        no_data(axes[0], "no assisted channel was offered any contact")
    for ax, channel in zip(axes[: len(panels)], panels, strict=True):
        rows = frame[frame["panel"] == channel]
        unit = rows["unit"].iloc[0]
        draw_series(ax, rows, channel_colour(channel))
        ax.set_title(f"{scope_label(channel)}: mean wait of answered contacts, by arrival interval")
        ax.set_ylabel(f"ASA ({unit})")
        ax.set_ylim(bottom=0)
    if panels:
        day_axis(axes[-1], frame)
    return figure


def plot_workload(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Agents on duty per pool against busy agents (on duty × occupancy)."""
    panels = panels_of(frame)
    figure, axes = stacked_figure(len(panels))
    figure_title(figure, info, "Agents on duty and busy agents per pool")
    if not panels:
        no_data(axes[0], "no pool data")
    for ax, pool in zip(axes[: len(panels)], panels, strict=True):
        colour = pool_colour(pool, panels)
        on_duty = frame[(frame["panel"] == pool) & (frame["series"] == "on duty")]
        busy = frame[(frame["panel"] == pool) & (frame["series"] == "busy")]
        draw_series(ax, on_duty, colour, drawstyle="steps-post", label="on duty (productive)")
        draw_series(ax, busy, NEUTRAL, linewidth=0.9, label="busy (on duty × occupancy)")
        ax.fill_between(
            busy["x"].to_numpy(), busy["y"].to_numpy(), color=colour, alpha=0.18, linewidth=0
        )
        ax.set_title(f"{scope_label(pool)}: mean over replications")
        ax.set_ylabel("agents")
        ax.set_ylim(bottom=0)
        legend(ax)
    if panels:
        day_axis(axes[-1], frame)
    return figure


def plot_occupancy(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Occupancy (busy / on-duty agent time) per interval, one panel per pool."""
    panels = panels_of(frame)
    figure, axes = stacked_figure(len(panels), height=2.2)
    figure_title(figure, info, f"Agent occupancy per {info.interval_label} interval, by pool")
    if not panels:
        no_data(axes[0], "no pool data")
    for ax, pool in zip(axes[: len(panels)], panels, strict=True):
        draw_series(ax, frame[frame["panel"] == pool], pool_colour(pool, panels))
        ax.set_title(
            f"{scope_label(pool)}: busy agent time / on-duty agent time (mean over replications)"
        )
        ax.set_ylim(0, 1.05)
        share_axis(ax, "occupancy")
    if panels:
        day_axis(axes[-1], frame)
    return figure


VOLUME_STYLES = {
    "offered": {"linestyle": "-", "linewidth": 1.2},
    "answered": {"linestyle": "--", "linewidth": 0.9},
    "abandoned": {"linestyle": "-", "linewidth": 1.0},
}


def plot_volumes(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Offered, answered and abandoned contacts per interval, one panel per channel."""
    panels = panels_of(frame)
    figure, axes = stacked_figure(len(panels), height=2.1)
    figure_title(
        figure, info, f"Contacts offered, answered and abandoned per {info.interval_label} interval"
    )
    if not panels:
        no_data(axes[0], "no channel was offered any contact")
    for ax, channel in zip(axes[: len(panels)], panels, strict=True):
        for series in VOLUME_SERIES:
            rows = frame[(frame["panel"] == channel) & (frame["series"] == series)]
            colour = NEUTRAL if series == "abandoned" else channel_colour(channel)
            draw_series(ax, rows, colour, label=series, **VOLUME_STYLES[series])
        ax.set_title(f"{scope_label(channel)}: by arrival interval, mean over replications")
        ax.set_ylabel("contacts")
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.set_ylim(bottom=0)
        legend(ax)
    if panels:
        day_axis(axes[-1], frame)
    return figure


def plot_daily_profile(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Mean by time of day: contacts offered per channel, and service level per channel."""
    figure, (top, bottom) = stacked_figure(2, height=3.0)
    figure_title(figure, info, "Intraday profile: mean over all days by time of day")
    offered = frame[frame["panel"] == "offered"]
    levels = frame[frame["panel"] == "service_level"]
    for channel in dict.fromkeys(offered["series"]):
        draw_series(
            top,
            offered[offered["series"] == channel],
            channel_colour(channel),
            marker=".",
            markersize=3,
            label=scope_label(channel),
        )
    if offered.empty:
        no_data(top, "no channel was offered any contact")
    top.set_title(f"contacts offered per {info.interval_label} interval")
    top.set_ylabel("contacts")
    top.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    top.set_ylim(bottom=0)
    channels = list(dict.fromkeys(levels["series"]))
    for channel in channels:
        draw_series(
            bottom,
            levels[levels["series"] == channel],
            channel_colour(channel),
            marker=".",
            markersize=3,
            label=scope_label(channel),
        )
    targets = {c: levels.loc[levels["series"] == c, "target"].iloc[0] for c in channels}
    targets = {c: t for c, t in targets.items() if np.isfinite(t)}
    for channel, target in targets.items():
        same = [c for c, t in targets.items() if t == target]
        target_line(
            bottom,
            target,
            channel_colour(channel),
            f"{scope_label(channel)} target {target:.0%}",
            (same.index(channel), len(same)),
        )
    bottom.set_title("service level (answered within threshold / offered), dashed: targets")
    bottom.set_ylim(-0.02, 1.05)
    share_axis(bottom, "service level")
    for ax in (top, bottom):
        if ax.get_lines():
            legend(ax)
    hour_axis(bottom)
    return figure


def plot_social_first_share(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """Share of new issues that go to social first, per interval (jump the line)."""
    figure, axes = stacked_figure(1, height=3.2)
    ax = axes[0]
    figure_title(figure, info, "Share of new issues going to social first")
    if frame.empty:
        no_data(ax, "no centre data")
        return figure
    draw_series(ax, frame, CHANNEL_COLOURS["social"], drawstyle="steps-post", linewidth=1.4)
    ax.set_title(
        "it moves day by day toward a level set by how much faster social is answered "
        "(mean over replications)"
    )
    top = float(np.nanmax(frame["y"].to_numpy())) if frame["y"].notna().any() else 0.0
    ax.set_ylim(0, max(0.05, top * 1.2))
    share_axis(ax, "social-first share of new issues")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    day_axis(ax, frame)
    return figure


def plot_cost_breakdown(frame: pd.DataFrame, info: RunInfo) -> Figure:
    """The centre's cost over the horizon by component, with 95% CI error bars."""
    figure, axes = stacked_figure(1, height=3.6)
    ax = axes[0]
    figure_title(figure, info, "Cost over the measured horizon by component")
    if frame.empty:
        no_data(ax, "no cost data")
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
