"""Plots of a sweep: the cost/service frontier, a heat map, or a metric against a parameter."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import (
    PercentFormatter,
    StrMethodFormatter,
)

from sim.experiment.catalogue import SHARE_METRICS
from sim.io.run_folder import (
    PLOTS_FOLDER,
)
from sim.present.format import (
    format_metric,
)
from sim.present.plots.style import (
    CHANNEL_COLOURS,
    NEUTRAL,
    OKABE_ITO,
    STYLE,
    WIDTH,
    save_figure,
    target_line,
)
from sim.present.plots.sweep_data import (
    MARKERS,
    Sweep,
    _colour,
    _label,
    _metric_name,
    _short,
    _show,
    read_sweep,
    sweep_plot_data,
)
from sim.scenario.units import format_duration


def _errors(mean: np.ndarray, low: np.ndarray, high: np.ndarray, share: bool = False) -> np.ndarray:
    """Error bar lengths below and above ``mean`` (a share's CI clipped to [0, 1])."""
    if share:
        low, high = np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
    return np.nan_to_num(np.vstack([np.clip(mean - low, 0, None), np.clip(high - mean, 0, None)]))


def _cost_axis(ax: Axes, metric: str) -> None:
    ax.set_ylabel(f"{_metric_name(metric)} (currency units)")
    fmt = "{x:,.0f}" if metric in ("cost_total", "net_cost") else "{x:,.2f}"
    ax.yaxis.set_major_formatter(StrMethodFormatter(fmt))


def plot_frontier(frame: pd.DataFrame, sweep: Sweep) -> Figure:
    """Cost against service level per point (CI bars on both axes); frontier highlighted."""
    panels = list(dict.fromkeys(frame["panel"])) if len(frame) else []
    figure = Figure(figsize=(WIDTH, 5.2), layout="constrained")
    axes = figure.subplots(1, max(len(panels), 1), squeeze=False)[0]
    labelled = [p for p in sweep.params if p != sweep.series_param]
    note = f" (point labels: {', '.join(_short(p) for p in labelled)})" if labelled else ""
    figure.suptitle(
        f"Cost against service level at each sweep point — {sweep.name}{note}",
        x=0.01,
        ha="left",
    )
    if not panels:
        axes[0].text(0.5, 0.5, "no service level data", ha="center", transform=axes[0].transAxes)
        return figure
    series = list(dict.fromkeys(frame["series"]))
    for ax, channel in zip(axes, panels, strict=True):
        _frontier_panel(ax, frame[frame["panel"] == channel], channel, series, sweep, labelled)
    legend_title = _short(sweep.series_param) if sweep.series_param else None
    axes[-1].legend(
        loc="upper left", bbox_to_anchor=(1.01, 1.0), title=legend_title, borderaxespad=0.0
    )
    return figure


def _frontier_panel(
    ax: Axes, rows: pd.DataFrame, channel: str, series: list[str], sweep: Sweep, labelled: list
) -> None:
    """One channel's panel: every point with CI bars, the frontier ringed, the target."""
    colour = _colour(channel)
    on = rows[rows["frontier"]].sort_values("y")
    ax.plot(
        on["x"],
        on["y"],
        color=OKABE_ITO["black"],
        linewidth=1.3,
        zorder=1,
        label="Pareto frontier (least cost\nfor its service level)",
    )
    ax.scatter(
        on["x"], on["y"], s=170, facecolors="none", edgecolors=OKABE_ITO["black"],
        linewidths=1.2, zorder=4,
    )  # fmt: skip
    for index, name in enumerate(series):
        part = rows[rows["series"] == name]
        x, y = part["x"].to_numpy(float), part["y"].to_numpy(float)
        ax.errorbar(
            x,
            y,
            xerr=_errors(x, part["x_low"].to_numpy(float), part["x_high"].to_numpy(float), True),
            yerr=_errors(y, part["y_low"].to_numpy(float), part["y_high"].to_numpy(float)),
            fmt=MARKERS[index % len(MARKERS)],
            color=colour,
            markersize=6.5,
            markerfacecolor=colour if index % 2 == 0 else "white",
            markeredgewidth=1.3,
            elinewidth=0.8,
            capsize=2.5,
            zorder=3,
            label=name if sweep.series_param else "sweep point",
        )
        for _, point in part.iterrows() if labelled else ():
            text = ", ".join(_show(sweep.points.loc[point["point"], p]) for p in labelled)
            offset = (5, 4) if index % 2 == 0 else (5, -10)
            ax.annotate(
                text, (point["x"], point["y"]), xytext=offset, textcoords="offset points",
                fontsize=7.5, color=NEUTRAL,
            )  # fmt: skip
    target = rows["target"].iloc[0]
    if np.isfinite(target):
        ax.axvline(
            target, color=colour, linestyle=(0, (6, 4)), linewidth=1.3, label=f"target {target:.0%}"
        )
        ax.axvspan(target, max(1.0, target), color=colour, alpha=0.06, linewidth=0)
    within = sweep.targets.get(channel, (math.nan, math.nan))[0]
    threshold = f" within {format_duration(within)}" if np.isfinite(within) else ""
    ax.set_title(f"{_label(channel)}: service level{threshold}")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(f"{_label(channel)} service level (mean, 95% CI)")
    _cost_axis(ax, rows["cost_metric"].iloc[0])


def plot_heatmap(frame: pd.DataFrame, sweep: Sweep) -> Figure:
    """The mean of one metric over a two-parameter grid, each cell annotated."""
    columns = list(dict.fromkeys(frame["column"]))
    rows = list(dict.fromkeys(frame["row"]))
    grid = np.full((len(rows), len(columns)), np.nan)
    for _, cell in frame.iterrows():
        grid[rows.index(cell["row"]), columns.index(cell["column"])] = cell["value"]
    scope, metric = frame["scope"].iloc[0], frame["metric"].iloc[0]
    share = metric in SHARE_METRICS
    figure = Figure(figsize=(WIDTH, 1.6 + 0.62 * len(rows)), layout="constrained")
    ax = figure.subplots()
    figure.suptitle(
        f"{_label(scope)} {_metric_name(metric)} over the sweep grid — {sweep.name}",
        x=0.01,
        ha="left",
    )
    image = ax.imshow(
        grid, cmap="cividis", aspect="auto", vmin=0 if share else None, vmax=1 if share else None
    )
    finite = grid[np.isfinite(grid)]
    middle = (0.5 if share else float(np.mean(finite))) if len(finite) else 0.0
    for (r, c), value in np.ndenumerate(grid):
        text = format_metric(metric, value)
        ax.text(
            c,
            r,
            text,
            ha="center",
            va="center",
            fontsize=9,
            color="black" if np.isfinite(value) and value >= middle else "white",
        )
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel(frame["column_param"].iloc[0])
    ax.set_ylabel(frame["row_param"].iloc[0])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    target = frame["target"].iloc[0]
    note = f" (target {target:.0%})" if np.isfinite(target) else ""
    ax.set_title(f"mean over replications{note}")
    bar = figure.colorbar(image, ax=ax, fraction=0.04, pad=0.01)
    if share:
        bar.formatter = PercentFormatter(1.0, decimals=0)
        bar.update_ticks()
    return figure


PANEL_TITLES = {
    "service_level": "service level (answered within the threshold / offered)",
    "abandon_rate": "abandonment rate",
    "cost": "cost",
}


def plot_metric_vs_parameter(frame: pd.DataFrame, sweep: Sweep) -> Figure:
    """Key metrics against the one numeric parameter, with 95% CI bands."""
    panels = list(dict.fromkeys(frame["panel"]))
    figure = Figure(figsize=(WIDTH, 2.5 * max(len(panels), 1) + 0.8), layout="constrained")
    axes = figure.subplots(max(len(panels), 1), 1, sharex=True, squeeze=False)[:, 0]
    param = sweep.params[0]
    figure.suptitle(f"Key metrics against {param} — {sweep.name}", x=0.01, ha="left")
    for ax, panel in zip(axes, panels, strict=True):
        rows = frame[frame["panel"] == panel]
        for name in dict.fromkeys(rows["series"]):
            part = rows[rows["series"] == name]
            colour = _colour(name)
            label = _label(name) if name in CHANNEL_COLOURS else _metric_name(name)
            ax.plot(part["x"], part["y"], color=colour, marker="o", markersize=4, label=label)
            ax.fill_between(
                part["x"].to_numpy(float),
                part["ci_low"].to_numpy(float),
                part["ci_high"].to_numpy(float),
                color=colour,
                alpha=0.18,
                linewidth=0,
            )
            target = part["target"].iloc[0]
            if np.isfinite(target):
                target_line(ax, target, colour, f"{_label(name)} target {target:.0%}")
        ax.set_title(f"{PANEL_TITLES.get(panel, panel)} (mean, band: 95% CI)")
        if panel == "cost":
            _cost_axis(ax, rows["series"].iloc[0])
        else:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_ylabel(_metric_name(panel))
            ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    values = frame["x"].drop_duplicates().sort_values().to_numpy(float)
    if len(values) <= 15:
        axes[-1].set_xticks(values, [_show(v) for v in values])
    axes[-1].set_xlabel(param)
    return figure


SWEEP_PLOTS = {
    "frontier": plot_frontier,
    "heatmap": plot_heatmap,
    "metric_vs_parameter": plot_metric_vs_parameter,
}
SWEEP_CAPTIONS = {
    "frontier": "Cost against service level at every sweep point, with 95% CI bars on both "
    "axes. Ringed points joined by the black line form the Pareto frontier: no other point "
    "reaches a higher service level for the same or less cost.",
    "heatmap": "The mean service level over the two-parameter grid.",
    "metric_vs_parameter": "Service level, abandonment and cost against the varied "
    "parameter, with 95% confidence bands.",
}


def plot_sweep(sweep_dir: Path) -> list[Path]:
    """Draw the sweep plots of ``sweep_dir`` into ``sweep_dir/plots/``; returns the paths.

    ``frontier.png`` always; ``heatmap.png`` for a two-parameter sweep;
    ``metric_vs_parameter.png`` for a one-parameter numeric sweep.
    """
    sweep_dir = Path(sweep_dir)
    sweep = read_sweep(sweep_dir)
    data = sweep_plot_data(sweep)
    return _save_all(sweep_dir, data, SWEEP_PLOTS, sweep)


def build_sweep_figures(sweep_dir: Path) -> dict[str, Figure]:
    """The sweep plots as figures (not saved), for inspection and tests."""
    sweep = read_sweep(Path(sweep_dir))
    data = sweep_plot_data(sweep)
    with matplotlib.rc_context(STYLE):
        return {
            name: draw(data[name], sweep) for name, draw in SWEEP_PLOTS.items() if len(data[name])
        }


def _save_all(
    folder: Path, data: dict[str, pd.DataFrame], plots: dict[str, Any], source: Any
) -> list[Path]:
    (folder / PLOTS_FOLDER).mkdir(exist_ok=True)
    paths = []
    for name, draw in plots.items():
        path = folder / PLOTS_FOLDER / f"{name}.png"
        if not len(data[name]):
            path.unlink(missing_ok=True)  # stale from an earlier, different experiment
            continue
        with matplotlib.rc_context(STYLE):
            figure = draw(data[name], source)
        save_figure(figure, path)
        paths.append(path)
    return paths
