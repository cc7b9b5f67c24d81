"""Back-test plots: per channel, the logged and the simulated service level, ASA and
abandonment per interval (one figure per channel, three stacked panels)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.present.plots.style import (
    NEUTRAL,
    STYLE,
    channel_colour,
    day_axis,
    legend,
    plot_path,
    save_figure,
    scope_label,
    share_axis,
    stacked_figure,
)
from sim.scenario.schema import WEEKDAYS
from sim.scenario.units import DAY

if TYPE_CHECKING:
    from sim.studies.backtest import BacktestResult

PANELS = (
    ("service_level", "service level (answered within threshold / offered)"),
    ("asa_seconds", "ASA (mean wait of answered contacts), minutes"),
    ("abandon_rate", "abandonment (abandoned / offered)"),
)


def plot_channel(table: pd.DataFrame, channel: str, interval: float, mae: float) -> Figure:
    """Logged (grey) against simulated (the channel's colour) for one channel."""
    rows = table[table["channel"] == channel]
    figure, axes = stacked_figure(len(PANELS), height=2.2)
    error = f"; MAE of interval service level {mae * 100:.1f} points" if np.isfinite(mae) else ""
    figure.suptitle(
        f"Back-test — {scope_label(channel)}: the log against the replay{error}",
        x=0.01,
        ha="left",
    )
    x = rows["interval"].to_numpy(float) * interval / DAY
    frame = pd.DataFrame({"x": x, "weekday": [WEEKDAYS[int(d) % 7] for d in x]})
    for ax, (measure, title) in zip(axes, PANELS, strict=True):
        logged = rows[f"{measure}_logged"].to_numpy(float)
        simulated = rows[f"{measure}_simulated"].to_numpy(float)
        if measure == "asa_seconds":
            logged, simulated = logged / 60.0, simulated / 60.0
        ax.plot(x, logged, ".", color=NEUTRAL, markersize=3, label="log")
        ax.plot(x, simulated, color=channel_colour(channel), linewidth=1.0, label="replay")
        ax.set_title(title)
        if measure == "service_level":
            ax.set_ylim(-0.02, 1.05)
        else:
            ax.set_ylim(bottom=0)
        if measure != "asa_seconds":
            share_axis(ax, "")
        legend(ax)
    if len(frame):
        day_axis(axes[-1], frame)
        axes[-1].set_xlabel("day (the log's first Monday is day 0; each point an interval)")
    return figure


def backtest_figures(result: BacktestResult) -> dict[str, Figure]:
    """``backtest_<channel>`` figures for the channels agents answer."""
    interval = result.scenario.run.interval
    errors = result.errors.set_index("channel")["service_level_mae"]
    figures = {}
    with matplotlib.rc_context(STYLE):
        for channel in errors.index:
            if channel != "all":
                mae = float(errors[channel])
                figures[f"backtest_{channel}"] = plot_channel(
                    result.intervals, channel, interval, mae
                )
    return figures


def plot_backtest(result: BacktestResult, folder: Path) -> list[Path]:
    """Draw every back-test figure into ``folder/plots/``; returns the paths."""
    paths = []
    for name, figure in backtest_figures(result).items():
        path = plot_path(folder, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_figure(figure, path)
        paths.append(path)
    return paths
