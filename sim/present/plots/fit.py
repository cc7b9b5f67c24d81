"""The plots a planner checks a fit with, drawn from a :class:`~sim.studies.fit.FitResult`.

- ``fit_arrivals``: mean issues per interval on each weekday of the log (complete days)
  against the fitted demand (issues per day × weekday factor × intraday profile);
- ``fit_profiles``: each channel's intraday shape (its share of the day's issues per
  interval) against the shared fitted profile — whether channels need profiles of their own;
- ``fit_handle_times``: each channel's handle-time histogram against the fitted density;
- ``fit_patience``: the Kaplan–Meier survival of patience (95% band) against the fitted
  exponential, per channel with abandons.

Figures are made without pyplot and returned, or rendered to PNG bytes for a report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator, PercentFormatter, StrMethodFormatter

from sim.present.plots.style import (
    NEUTRAL,
    OKABE_ITO,
    STYLE,
    WIDTH,
    channel_colour,
    hour_axis,
    no_data,
    scope_label,
)
from sim.scenario.schema import WEEKDAYS

if TYPE_CHECKING:
    from sim.studies.fit import FitResult

FIT_PLOTS = ("fit_arrivals", "fit_profiles", "fit_handle_times", "fit_patience")
CAPTIONS = {
    "fit_arrivals": "Arrivals per interval by weekday: the log's mean over its complete days "
    "(dots) against the fitted demand (line).",
    "fit_profiles": "Intraday shape per channel (share of the day's issues per interval) "
    "against the shared fitted profile (black).",
    "fit_handle_times": "Handle times: the log's histogram against the fitted density.",
    "fit_patience": "Patience: Kaplan–Meier survival with its 95% band against the fitted "
    "exponential.",
}


def _grid(panels: int, columns: int, height: float) -> tuple[Figure, list[Axes]]:
    columns = max(1, min(columns, panels))
    rows = max(1, -(-panels // columns))
    figure = Figure(figsize=(WIDTH, height * rows + 0.8), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel().tolist()
    for ax in axes[panels:]:
        ax.set_visible(False)
    return figure, axes[: max(panels, 1)]


def _hours(table: pd.DataFrame) -> np.ndarray:
    count = int(table["interval"].max()) + 1 if len(table) else 1
    return (table["interval"].to_numpy(float) + 0.5) * 24.0 / count


def plot_arrivals(result: FitResult) -> Figure:
    """One panel per weekday in the log: observed mean per interval and the fitted line."""
    table = result.arrivals
    days = [d for d in WEEKDAYS if len(table) and (table["weekday"] == d).any()]
    figure, axes = _grid(len(days), 4, 2.4)
    figure.suptitle("Arrivals per interval by weekday — log against fit", x=0.01, ha="left")
    if not days:
        no_data(axes[0], "no complete day in the log")
        return figure
    top = float(max(table["observed"].max(), table["fitted"].max())) * 1.08
    for ax, day in zip(axes, days, strict=False):
        rows = table[table["weekday"] == day]
        x = _hours(rows)
        ax.plot(x, rows["observed"], ".", color=NEUTRAL, markersize=3, label="log (mean)")
        ax.plot(x, rows["fitted"], color=OKABE_ITO["blue"], label="fitted")
        count = int(rows["days"].iloc[0])
        ax.set_title(f"{day.capitalize()} ({count} day{'s' if count != 1 else ''})")
        ax.set_ylim(0, top or 1)
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        hour_axis(ax)
        ax.xaxis.set_major_locator(MultipleLocator(6))
        ax.set_xlabel("")
    axes[0].set_ylabel("issues per interval")
    axes[0].legend(loc="upper left")
    return figure


def plot_profiles(result: FitResult) -> Figure:
    """Each channel's share of the day's issues per interval against the shared profile."""
    profiles = result.extra_demand.get("profiles", {})
    shared = [e.estimate for e in result.estimates if e.parameter.startswith("demand.profile[")]
    figure, (ax,) = _grid(1, 1, 3.2)
    figure.suptitle("Intraday shape per channel — is one profile enough?", x=0.01, ha="left")
    if not shared:
        no_data(ax, "no intraday profile was fitted")
        return figure
    count = len(shared)
    x = (np.arange(count) + 0.5) * 24.0 / count
    for channel, weights in profiles.items():
        ax.plot(
            x,
            np.asarray(weights) / count,
            ".-",
            color=channel_colour(channel),
            markersize=3,
            linewidth=0.8,
            label=scope_label(channel),
        )
    ax.plot(x, np.asarray(shared) / count, color="black", linewidth=1.8, label="shared profile")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.set_ylabel("share of the day's issues")
    ax.set_ylim(bottom=0)
    hour_axis(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    written = result.scenario_data.get("demand", {}).get("profiles") or {}
    ax.set_title(
        "own profiles written for " + ", ".join(written)
        if written
        else "channels share demand.profile"
    )
    return figure


def plot_handle_times(result: FitResult) -> Figure:
    """A panel per channel: density histogram of handle times and the fitted density."""
    table = result.handle_times
    names = list(dict.fromkeys(table["parameter"])) if len(table) else []
    figure, axes = _grid(len(names), 3, 2.8)
    figure.suptitle("Handle times — log against fitted density", x=0.01, ha="left")
    if not names:
        no_data(axes[0], "the log has no handle times")
        return figure
    for ax, name in zip(axes, names, strict=False):
        rows = table[table["parameter"] == name]
        channel = name.split(".")[1]
        left, right = rows["left"].to_numpy(), rows["right"].to_numpy()
        minutes = 60.0
        ax.bar(
            left / minutes,
            rows["observed_density"] * minutes,
            width=(right - left) / minutes,
            align="edge",
            color=channel_colour(channel),
            alpha=0.45,
            label="log",
        )
        middle = (left + right) / 2 / minutes
        family = rows["family"].iloc[0]
        ax.plot(middle, rows["fitted_density"] * minutes, color="black", label=f"fitted {family}")
        ax.set_title(scope_label(channel))
        ax.set_xlabel("minutes (up to the 99th percentile)")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper right")
    axes[0].set_ylabel("density per minute")
    return figure


def plot_patience(result: FitResult) -> Figure:
    """A panel per channel with abandons: Kaplan–Meier with band, and the exponential."""
    table = result.patience_curves
    channels = list(dict.fromkeys(table["channel"])) if len(table) else []
    figure, axes = _grid(len(channels), 3, 2.8)
    figure.suptitle("Patience — Kaplan–Meier survival against the fit", x=0.01, ha="left")
    if not channels:
        no_data(axes[0], "no abandoned contacts in the log")
        return figure
    for ax, channel in zip(axes, channels, strict=False):
        rows = table[table["channel"] == channel]
        minutes = rows["seconds"].to_numpy() / 60.0
        colour = channel_colour(channel)
        ax.fill_between(minutes, rows["low"], rows["high"], step="post", color=colour, alpha=0.2)
        ax.step(minutes, rows["survival"], where="post", color=colour, label="Kaplan–Meier")
        ax.plot(minutes, rows["exponential"], color="black", linestyle="--", label="exponential")
        ax.set_title(scope_label(channel))
        ax.set_xlabel("minutes waited")
        ax.set_ylim(0, 1.02)
        ax.set_xlim(left=0)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.legend(loc="upper right")
    axes[0].set_ylabel("still waiting (patience left)")
    return figure


DRAW = {
    "fit_arrivals": plot_arrivals,
    "fit_profiles": plot_profiles,
    "fit_handle_times": plot_handle_times,
    "fit_patience": plot_patience,
}


def fit_figures(result: FitResult) -> dict[str, Figure]:
    """Every fit plot as a figure, in :data:`FIT_PLOTS` order."""
    with matplotlib.rc_context(STYLE):
        return {name: DRAW[name](result) for name in FIT_PLOTS}
