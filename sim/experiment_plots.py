"""Plots and reports of experiments: a sweep folder and a compare folder (design.md §4).

Like the run plots (:mod:`sim.plots`), every plot is built in two steps so what is drawn can
be checked against the saved CSV files:

1. :func:`sweep_plot_data` / :func:`compare_plot_data` read the folder into one small tidy
   DataFrame per plot;
2. one small function per plot draws exactly those rows.

A sweep folder (``ccsim sweep``) holds ``sweep.csv`` (one column per varied parameter, then
``scope, metric, mean, ci_low, ci_high, replications``), ``sweep.json`` and one run folder per
point; a compare folder (``ccsim compare``) holds ``compare.csv``. Plots go to
``<folder>/plots/`` and a self-contained ``report.html`` (base64 images, inline CSS) next to
them. Each channel keeps its one Okabe–Ito colour.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter, StrMethodFormatter

from sim import __version__
from sim.comparison import COMPARE_COLUMNS
from sim.plots import (
    CHANNEL_COLOURS,
    CHANNEL_LABELS,
    NEUTRAL,
    OKABE_ITO,
    PLOTS_FOLDER,
    STYLE,
    WIDTH,
    RunFolderError,
    _day_axis,
    _target_line,
    read_intervals,
    save_figure,
    service_targets,
)
from sim.report import (
    CSS,
    METRIC_LABELS,
    SHARE_METRICS,
    embedded_figures,
    format_ci,
    format_metric,
)
from sim.scenario import ASSISTED, CHANNELS, ScenarioError, load_scenario
from sim.scenario.units import format_duration

SWEEP_CSV = "sweep.csv"
SWEEP_JSON = "sweep.json"
COMPARE_CSV = "compare.csv"
REPORT_NAME = "report.html"
STAT_COLUMNS = ("scope", "metric", "mean", "ci_low", "ci_high", "replications")
COMPARE_NEEDED = tuple(COMPARE_COLUMNS[: COMPARE_COLUMNS.index("clear") + 1])
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">"]
LINESTYLES = ["-", (0, (6, 2, 1.5, 2)), ":", (0, (1, 1))]
DIFF_METRICS = [
    ("service_level", True),
    ("abandon_rate", True),
    ("asa_seconds", True),
    ("cost_total", False),
    ("cost_per_issue", False),
    ("social_first_share_end", False),
    ("public_negative", False),
]
"""The metrics of the paired-difference plot: ``(metric, per channel?)``, in panel order."""


class ExperimentFolderError(RunFolderError):
    """The folder is not a readable sweep or compare folder."""


def _read(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    if not path.is_file():
        raise ExperimentFolderError(f"{path}: missing")
    try:
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ExperimentFolderError(f"{path}: not a readable CSV file ({error})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ExperimentFolderError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def _label(name: str) -> str:
    return CHANNEL_LABELS.get(name, name)


def _colour(scope: str) -> str:
    return CHANNEL_COLOURS.get(scope, NEUTRAL)


def _metric_name(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric.replace("_", " "))


def _show(value: Any) -> str:
    """A parameter value as people read it: ``[phone, email]`` for a JSON list."""
    if isinstance(value, float) and value == round(value):
        return str(int(value))
    text = str(value)
    if text.startswith(("[", "{")):
        try:
            parsed = json.loads(text)
        except ValueError:
            return text
        if isinstance(parsed, list):
            return "[" + ", ".join(str(v) for v in parsed) + "]"
    return text


def _is_numeric(values: pd.Series) -> bool:
    return bool(pd.to_numeric(values, errors="coerce").notna().all())


# --- reading a sweep folder -------------------------------------------------------------------


@dataclass
class Sweep:
    """A sweep folder's results, read once: the tidy table and its points."""

    folder: Path
    frame: pd.DataFrame  # sweep.csv plus a ``point`` column (0, 1, ... in point order)
    params: list[str]
    points: pd.DataFrame  # one row per point: point, label, folder, and the parameter values
    targets: dict[str, tuple[float, float]] = field(default_factory=dict)
    name: str = ""

    @property
    def numeric(self) -> list[str]:
        return [p for p in self.params if _is_numeric(self.points[p])]

    @property
    def series_param(self) -> str | None:
        """The “policy-like” parameter: the first non-numeric one, else the second."""
        categorical = [p for p in self.params if p not in self.numeric]
        if categorical:
            return categorical[0]
        return self.params[1] if len(self.params) >= 2 else None

    def value(self, scope: str, metric: str, column: str = "mean") -> pd.Series:
        """Per point (indexed by point), ``column`` of ``scope``/``metric`` (NaN if absent)."""
        rows = self.frame[(self.frame["scope"] == scope) & (self.frame["metric"] == metric)]
        series = pd.Series(rows[column].to_numpy(dtype=float), index=rows["point"].to_numpy())
        return series.groupby(level=0).first().reindex(self.points["point"])

    def channels(self) -> list[str]:
        """Assisted channels offered any contact at some point, in the usual order."""
        return [c for c in ASSISTED if (self.value(c, "offered").fillna(0) > 0).any()]


def read_sweep(sweep_dir: Path) -> Sweep:
    """Read ``sweep.csv`` (and targets from a point's ``scenario.yaml``) in ``sweep_dir``."""
    sweep_dir = Path(sweep_dir)
    frame = _read(sweep_dir / SWEEP_CSV, STAT_COLUMNS)
    params = list(frame.columns[: list(frame.columns).index("scope")])
    if not params:
        raise ExperimentFolderError(f"{sweep_dir / SWEEP_CSV}: no parameter column")
    keys = frame[params].astype(str).agg("\x1f".join, axis=1)
    order = {key: i for i, key in enumerate(dict.fromkeys(keys))}
    frame = frame.assign(point=keys.map(order).to_numpy())
    points = frame.drop_duplicates("point")[["point", *params]].reset_index(drop=True)
    folders = _point_folders(sweep_dir, len(points))
    points["folder"] = folders
    points["label"] = [
        ", ".join(f"{_short(p)}={_show(row[p])}" for p in params) for _, row in points.iterrows()
    ]
    targets: dict[str, tuple[float, float]] = {}
    name = sweep_dir.resolve().name
    for folder in folders:
        path = sweep_dir / folder / "scenario.yaml"
        if folder and path.is_file():
            try:
                scenario = load_scenario(path)
            except ScenarioError:
                continue
            targets, name = service_targets(scenario), scenario.name
            break
    return Sweep(sweep_dir, frame, params, points, targets, name)


def _short(param: str) -> str:
    """The last part of a dotted path, for labels: ``pools.voice.agents`` → ``agents``."""
    parts = param.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else param


def _point_folders(sweep_dir: Path, count: int) -> list[str]:
    """Point folders in point order, from ``sweep.json`` (``""`` where unknown)."""
    try:
        manifest = json.loads((sweep_dir / SWEEP_JSON).read_text(encoding="utf-8"))
        folders = [str(p["folder"]) for p in manifest["points"]]
    except (OSError, ValueError, KeyError, TypeError):
        folders = []
    if len(folders) != count:
        folders = sorted(p.name for p in sweep_dir.glob("p[0-9]*") if (p / "summary.csv").is_file())
    return folders if len(folders) == count else [""] * count


def _cost_metric(sweep: Sweep) -> str:
    return "cost_total" if sweep.value("centre", "cost_total").notna().any() else "cost_per_issue"


def _frontier_channels(sweep: Sweep) -> list[str]:
    channels = sweep.channels()
    with_target = [c for c in channels if c in sweep.targets]
    if with_target:
        return with_target
    return ["phone"] if "phone" in channels else channels[:1]


def pareto(level: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Which points are on the frontier: none other is at most as costly with a higher service
    level (least cost for a given service level)."""
    on = np.zeros(len(level), dtype=bool)
    best = -math.inf
    for i in sorted(range(len(level)), key=lambda i: (cost[i], -level[i])):
        if np.isfinite(level[i]) and np.isfinite(cost[i]) and level[i] > best:
            on[i], best = True, level[i]
    return on


def frontier_data(sweep: Sweep) -> pd.DataFrame:
    """One panel per channel (with a target, else phone): per point, ``x`` its service level
    and ``y`` the cost (means, with CIs); ``series`` the policy-like parameter's value;
    ``frontier`` whether it is on the panel's Pareto frontier."""
    cost = _cost_metric(sweep)
    series_param = sweep.series_param
    parts = []
    for channel in _frontier_channels(sweep):
        part = pd.DataFrame(
            {
                "panel": channel,
                "series": (
                    sweep.points[series_param].map(_show).to_numpy() if series_param else "points"
                ),
                "point": sweep.points["point"].to_numpy(),
                "label": sweep.points["label"].to_numpy(),
                "x": sweep.value(channel, "service_level").to_numpy(),
                "x_low": sweep.value(channel, "service_level", "ci_low").to_numpy(),
                "x_high": sweep.value(channel, "service_level", "ci_high").to_numpy(),
                "y": sweep.value("centre", cost).to_numpy(),
                "y_low": sweep.value("centre", cost, "ci_low").to_numpy(),
                "y_high": sweep.value("centre", cost, "ci_high").to_numpy(),
                "cost_metric": cost,
                "target": sweep.targets.get(channel, (math.nan, math.nan))[1],
            }
        )
        part["frontier"] = pareto(part["x"].to_numpy(), part["y"].to_numpy())
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def heatmap_data(sweep: Sweep, scope: str = "phone", metric: str = "service_level") -> pd.DataFrame:
    """For a two-parameter sweep: per point, ``column`` (first numeric parameter), ``row``
    (the other one), and ``value``: the mean of ``scope``/``metric``. Empty otherwise."""
    if len(sweep.params) != 2:
        return pd.DataFrame(columns=["row", "column", "value"])
    numeric = sweep.numeric
    x_param = numeric[0] if numeric else sweep.params[0]
    y_param = next(p for p in sweep.params if p != x_param)
    return pd.DataFrame(
        {
            "point": sweep.points["point"].to_numpy(),
            "column": sweep.points[x_param].map(_show).to_numpy(),
            "row": sweep.points[y_param].map(_show).to_numpy(),
            "column_param": x_param,
            "row_param": y_param,
            "scope": scope,
            "metric": metric,
            "value": sweep.value(scope, metric).to_numpy(),
            "target": sweep.targets.get(scope, (math.nan, math.nan))[1],
        }
    )


def metric_vs_parameter_data(sweep: Sweep) -> pd.DataFrame:
    """For a one-parameter numeric sweep: panels ``service_level`` and ``abandon_rate`` (one
    series per channel) and ``cost`` (the centre), ``x`` the parameter, ``y`` the mean."""
    columns = ["panel", "series", "x", "y", "ci_low", "ci_high", "target"]
    if len(sweep.params) != 1 or not sweep.numeric:
        return pd.DataFrame(columns=columns)
    x = pd.to_numeric(sweep.points[sweep.params[0]]).to_numpy(dtype=float)
    parts = []

    def add(panel: str, series: str, scope: str, metric: str, target: float = math.nan) -> None:
        y = sweep.value(scope, metric)
        if y.isna().all() or (panel == "abandon_rate" and not (y.fillna(0) > 0).any()):
            return  # e.g. email never abandons: a flat line at 0 only adds clutter
        low, high = sweep.value(scope, metric, "ci_low"), sweep.value(scope, metric, "ci_high")
        if panel != "cost":
            low, high = low.clip(0.0, 1.0), high.clip(0.0, 1.0)
        parts.append(
            pd.DataFrame(
                {
                    "panel": panel,
                    "series": series,
                    "x": x,
                    "y": y.to_numpy(),
                    "ci_low": low.to_numpy(),
                    "ci_high": high.to_numpy(),
                    "target": target,
                }
            ).sort_values("x")
        )

    for channel in sweep.channels():
        add(
            "service_level",
            channel,
            channel,
            "service_level",
            sweep.targets.get(channel, (0, math.nan))[1],
        )
    for channel in sweep.channels():
        add("abandon_rate", channel, channel, "abandon_rate")
    cost = _cost_metric(sweep)
    add("cost", cost, "centre", cost)
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def sweep_plot_data(sweep_dir: Path | Sweep) -> dict[str, pd.DataFrame]:
    """The exact data behind each sweep plot, keyed by plot name (empty: not drawn)."""
    sweep = sweep_dir if isinstance(sweep_dir, Sweep) else read_sweep(Path(sweep_dir))
    return {
        "frontier": frontier_data(sweep),
        "heatmap": heatmap_data(sweep),
        "metric_vs_parameter": metric_vs_parameter_data(sweep),
    }


# --- drawing the sweep plots ------------------------------------------------------------------


def _errors(mean: np.ndarray, low: np.ndarray, high: np.ndarray, share: bool = False) -> np.ndarray:
    """Error bar lengths below and above ``mean`` (a share's CI clipped to [0, 1])."""
    if share:
        low, high = np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
    return np.nan_to_num(np.vstack([np.clip(mean - low, 0, None), np.clip(high - mean, 0, None)]))


def _cost_axis(ax: Axes, metric: str) -> None:
    ax.set_ylabel(f"{_metric_name(metric)} (currency units)")
    fmt = "{x:,.0f}" if metric == "cost_total" else "{x:,.2f}"
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
        rows = frame[frame["panel"] == channel]
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
            on["x"],
            on["y"],
            s=170,
            facecolors="none",
            edgecolors=OKABE_ITO["black"],
            linewidths=1.2,
            zorder=4,
        )
        for index, name in enumerate(series):
            part = rows[rows["series"] == name]
            x, y = part["x"].to_numpy(float), part["y"].to_numpy(float)
            ax.errorbar(
                x,
                y,
                xerr=_errors(
                    x, part["x_low"].to_numpy(float), part["x_high"].to_numpy(float), True
                ),
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
            if labelled:
                for _, point in part.iterrows():
                    text = ", ".join(_show(sweep.points.loc[point["point"], p]) for p in labelled)
                    ax.annotate(
                        text,
                        (point["x"], point["y"]),
                        xytext=(5, 4) if index % 2 == 0 else (5, -10),
                        textcoords="offset points",
                        fontsize=7.5,
                        color=NEUTRAL,
                    )
        target = rows["target"].iloc[0]
        if np.isfinite(target):
            ax.axvline(
                target,
                color=colour,
                linestyle=(0, (6, 4)),
                linewidth=1.3,
                label=f"target {target:.0%}",
            )
            ax.axvspan(target, max(1.0, target), color=colour, alpha=0.06, linewidth=0)
        within = sweep.targets.get(channel, (math.nan, math.nan))[0]
        threshold = f" within {format_duration(within)}" if np.isfinite(within) else ""
        ax.set_title(f"{_label(channel)}: service level{threshold}")
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(f"{_label(channel)} service level (mean, 95% CI)")
        _cost_axis(ax, rows["cost_metric"].iloc[0])
    legend_title = _short(sweep.series_param) if sweep.series_param else None
    axes[-1].legend(
        loc="upper left", bbox_to_anchor=(1.01, 1.0), title=legend_title, borderaxespad=0.0
    )
    return figure


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
                _target_line(ax, target, colour, f"{_label(name)} target {target:.0%}")
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


# --- reading a compare folder -----------------------------------------------------------------


@dataclass
class Comparison:
    """A compare folder's ``compare.csv`` and (optionally) the compared run folders."""

    folder: Path
    frame: pd.DataFrame
    labels: list[str]
    run_dirs: dict[str, Path]

    @property
    def reference(self) -> str:
        return self.labels[0]


def read_compare(
    compare_dir: Path, run_dirs: Sequence[Path] | Mapping[str, Path] | None = None
) -> Comparison:
    """Read ``compare.csv``; ``run_dirs`` (a list in scenario order, or label → folder) says
    where the compared runs are; without it, run folders inside ``compare_dir`` named after
    the scenarios (as ``ccsim compare`` writes for scenario files) are used."""
    compare_dir = Path(compare_dir)
    frame = _read(compare_dir / COMPARE_CSV, COMPARE_NEEDED)
    frame["clear"] = frame["clear"].astype(str).str.lower().isin({"true", "1"})
    labels = [str(s) for s in dict.fromkeys(frame["scenario"])]
    frame["scenario"] = frame["scenario"].astype(str)
    found: dict[str, Path] = {}
    if isinstance(run_dirs, Mapping):
        found = {str(k): Path(v) for k, v in run_dirs.items()}
    elif run_dirs is not None:
        found = dict(zip(labels, map(Path, run_dirs), strict=False))
    else:
        from sim.comparison import safe_name

        for label in labels:
            folder = compare_dir / safe_name(label)
            if (folder / "intervals.csv").is_file():
                found[label] = folder
    return Comparison(compare_dir, frame, labels, found)


def _signed(metric: str, value: float) -> str:
    """A difference as the report shows it: ``+3.2 pp``, ``−4.1 s``, ``+1,250``."""
    if not (isinstance(value, int | float) and math.isfinite(value)):
        return "–"
    sign = "+" if value >= 0 else "−"
    if metric in SHARE_METRICS:
        return f"{sign}{abs(value) * 100:.1f} pp"
    return sign + format_metric(metric, abs(value))


def paired_differences_data(comparison: Comparison) -> pd.DataFrame:
    """Per key metric (a panel), per scope and compared scenario: the difference from the
    first scenario (``diff``) with its CI and whether it is clear."""
    frame = comparison.frame
    others = frame[frame["scenario"] != comparison.reference]
    offered = frame[frame["metric"] == "offered"].groupby("scope")["mean"].max()
    active = [c for c in CHANNELS if offered.get(c, 0) > 0]
    rows = []
    for metric, per_channel in DIFF_METRICS:
        scopes = [c for c in active if c != "self_service"] if per_channel else ["centre"]
        for scope in scopes:
            part = others[(others["scope"] == scope) & (others["metric"] == metric)]
            if part.empty or not part["diff"].notna().any():
                continue
            if not per_channel:
                values = frame.loc[(frame["scope"] == scope) & (frame["metric"] == metric), "mean"]
                if not (values.fillna(0) != 0).any():
                    continue  # e.g. no social: its share and impressions are 0 everywhere
            for _, row in part.iterrows():
                rows.append(
                    {
                        "panel": metric,
                        "scope": scope,
                        "series": row["scenario"],
                        "diff": float(row["diff"]),
                        "diff_ci_low": float(row["diff_ci_low"]),
                        "diff_ci_high": float(row["diff_ci_high"]),
                        "clear": bool(row["clear"]),
                    }
                )
    columns = ["panel", "scope", "series", "diff", "diff_ci_low", "diff_ci_high", "clear"]
    return pd.DataFrame(rows, columns=columns)


def intervals_overlay_data(comparison: Comparison) -> pd.DataFrame:
    """Per assisted channel with contacts (a panel) and scenario (a series): the service level
    by interval of the compared runs, ``x`` in days (empty without run folders)."""
    parts = []
    targets: dict[str, tuple[float, float]] = {}
    for label in comparison.labels:
        folder = comparison.run_dirs.get(label)
        if folder is None or not (folder / "intervals.csv").is_file():
            continue
        intervals = read_intervals(folder)
        if not targets and (folder / "scenario.yaml").is_file():
            with contextlib.suppress(ScenarioError):
                targets = service_targets(load_scenario(folder / "scenario.yaml"))
        for channel in ASSISTED:
            rows = intervals[intervals["scope"] == channel].sort_values("x")
            if rows.empty or not rows["offered"].fillna(0).sum() > 0:
                continue
            parts.append(
                pd.DataFrame(
                    {
                        "panel": channel,
                        "series": label,
                        "x": rows["x"].to_numpy(float),
                        "y": rows["service_level"].to_numpy(float),
                        "weekday": rows["weekday"].to_numpy(),
                    }
                )
            )
    columns = ["panel", "series", "x", "y", "weekday", "target"]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True)
    order = {c: i for i, c in enumerate(ASSISTED)}
    frame = frame.sort_values("panel", key=lambda s: s.map(order), kind="stable")
    frame["target"] = frame["panel"].map(lambda c: targets.get(c, (math.nan, math.nan))[1])
    return frame.reset_index(drop=True)[columns]


def compare_plot_data(comparison: Comparison) -> dict[str, pd.DataFrame]:
    return {
        "paired_differences": paired_differences_data(comparison),
        "intervals_overlay": intervals_overlay_data(comparison),
    }


# --- drawing the compare plots ----------------------------------------------------------------


DIFF_TITLES = {
    "service_level": "service level",
    "abandon_rate": "abandonment rate",
    "asa_seconds": "average speed of answer",
    "cost_total": "total cost",
    "cost_per_issue": "cost per issue",
    "social_first_share_end": "social-first share at the end",
    "public_negative": "negative public impressions",
}


def _tick(value: float, text: str) -> str:
    return ("−" + text.lstrip("-")) if value < 0 else ("+" + text if value > 0 else text)


def _diff_axis(ax: Axes, metric: str, reach: float) -> None:
    """Signed tick labels in the metric's unit (percentage points, s/min/h, or as is)."""
    if metric in SHARE_METRICS:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v, f"{v * 100:.0f} pp")))
        ax.set_xlabel("difference (percentage points)")
    elif metric == "asa_seconds":
        unit, scale = (
            ("s", 1.0) if reach < 120 else ("min", 60.0) if reach < 7200 else ("h", 3600.0)
        )
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _: _tick(v, f"{v / scale:,.4g} {unit}"))
        )
        nice = MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10])
        ax.set_xticks(nice.tick_values(-reach * 1.45 / scale, reach * 1.45 / scale) * scale)
        ax.set_xlim(-reach * 1.45, reach * 1.45)
        ax.set_xlabel(f"difference ({ {'s': 'seconds', 'min': 'minutes', 'h': 'hours'}[unit] })")
    else:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v, f"{v:,.4g}")))
        ax.set_xlabel("difference")


def plot_paired_differences(frame: pd.DataFrame, comparison: Comparison) -> Figure:
    """Horizontal bars: each scenario's difference from the first, per key metric, with 95%
    CI bars; clear differences (CI excludes 0) solid and starred, the others hollow."""
    panels = list(dict.fromkeys(frame["panel"]))
    several = len(comparison.labels) > 2
    sizes = [len(frame[frame["panel"] == p]) for p in panels]
    figure = Figure(
        figsize=(WIDTH, 0.9 * len(panels) + 0.32 * sum(sizes) + 1.0), layout="constrained"
    )
    axes = figure.subplots(
        len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": [s + 1.2 for s in sizes]}
    )[:, 0]
    figure.suptitle(
        f"Differences from {comparison.reference} (mean, 95% CI; solid and *: clear, "
        "the CI excludes 0; hollow: not clear)",
        x=0.01,
        ha="left",
    )
    for ax, metric in zip(axes, panels, strict=True):
        rows = frame[frame["panel"] == metric].reset_index(drop=True)
        y = np.arange(len(rows))[::-1].astype(float)
        colours = [_colour(s) for s in rows["scope"]]
        diff = rows["diff"].to_numpy(float)
        errors = _errors(
            diff, rows["diff_ci_low"].to_numpy(float), rows["diff_ci_high"].to_numpy(float)
        )
        clear = rows["clear"].to_numpy(bool)
        ax.barh(
            y,
            diff,
            height=0.6,
            color=[c if k else "white" for c, k in zip(colours, clear, strict=True)],
            edgecolor=colours,
            linewidth=1.4,
            xerr=errors,
            capsize=4,
            error_kw={"elinewidth": 1.0, "ecolor": OKABE_ITO["black"]},
        )
        ax.axvline(0, color=OKABE_ITO["black"], linewidth=0.8)
        labels = []
        for _, row in rows.iterrows():
            scope = "centre" if row["scope"] == "centre" else _label(row["scope"])
            labels.append(f"{scope} · {row['series']}" if several else scope)
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        reach = (
            np.nanmax(np.abs(np.concatenate([rows["diff_ci_low"], rows["diff_ci_high"], diff])))
            if len(rows)
            else 1
        )
        reach = reach if np.isfinite(reach) and reach > 0 else 1.0
        ax.set_xlim(-reach * 1.45, reach * 1.45)
        for yy, d, high, low, k in zip(
            y, diff, rows["diff_ci_high"], rows["diff_ci_low"], clear, strict=True
        ):
            edge = high if d >= 0 else low
            edge = float(np.clip(edge if np.isfinite(edge) else d, -reach * 1.05, reach * 1.05))
            ax.annotate(
                _signed(metric, d) + (" *" if k else ""),
                (edge, yy),
                xytext=(6 if d >= 0 else -6, 0),
                textcoords="offset points",
                ha="left" if d >= 0 else "right",
                va="center",
                fontsize=8.5,
                fontweight="bold" if k else "normal",
            )
        ax.set_title(DIFF_TITLES.get(metric, _metric_name(metric)) + f"  ({metric})")
        ax.grid(axis="y", visible=False)
        _diff_axis(ax, metric, reach)
    return figure


def plot_intervals_overlay(frame: pd.DataFrame, comparison: Comparison) -> Figure:
    """Service level by interval per channel, one line per scenario (the first in grey)."""
    panels = list(dict.fromkeys(frame["panel"]))
    figure = Figure(figsize=(WIDTH, 2.5 * len(panels) + 1.0), layout="constrained")
    axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    figure.suptitle(
        "Service level per interval, by scenario (mean over replications)", x=0.01, ha="left"
    )
    for ax, channel in zip(axes, panels, strict=True):
        rows = frame[frame["panel"] == channel]
        colour = _colour(channel)
        for index, label in enumerate(dict.fromkeys(rows["series"])):
            part = rows[rows["series"] == label]
            first = label == comparison.reference
            style = LINESTYLES[(index - 1) % len(LINESTYLES)] if not first else "-"
            ax.plot(
                part["x"],
                part["y"],
                color=NEUTRAL if first else colour,
                linestyle=style,
                linewidth=1.0 if first else 1.3,
                label=label + (" (reference)" if first else ""),
            )
        target = rows["target"].iloc[0]
        if np.isfinite(target):
            ax.axhline(
                target,
                color=OKABE_ITO["black"],
                linestyle=(0, (2, 3)),
                linewidth=0.9,
                label=f"target {target:.0%}",
            )
        ax.set_title(f"{_label(channel)}: share of offered contacts answered within the threshold")
        ax.set_ylim(-0.02, 1.05)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylabel("service level")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    _day_axis(axes[-1], frame)
    return figure


COMPARE_PLOTS = {
    "paired_differences": plot_paired_differences,
    "intervals_overlay": plot_intervals_overlay,
}
COMPARE_CAPTIONS = {
    "paired_differences": "Each scenario's difference from the first, per key metric: the "
    "mean of the per-replication differences with its 95% CI. Solid, starred bars are clear "
    "(the CI excludes 0).",
    "intervals_overlay": "Service level by reporting interval, one line per scenario; the "
    "first scenario in grey.",
}


def plot_compare(
    compare_dir: Path, run_dirs: Sequence[Path] | Mapping[str, Path] | None = None
) -> list[Path]:
    """Draw ``paired_differences.png`` (and ``intervals_overlay.png`` when the compared run
    folders are known) into ``compare_dir/plots/``; returns the paths."""
    compare_dir = Path(compare_dir)
    comparison = read_compare(compare_dir, run_dirs)
    return _save_all(compare_dir, compare_plot_data(comparison), COMPARE_PLOTS, comparison)


def build_compare_figures(
    compare_dir: Path, run_dirs: Sequence[Path] | Mapping[str, Path] | None = None
) -> dict[str, Figure]:
    comparison = read_compare(Path(compare_dir), run_dirs)
    data = compare_plot_data(comparison)
    with matplotlib.rc_context(STYLE):
        return {n: draw(data[n], comparison) for n, draw in COMPARE_PLOTS.items() if len(data[n])}


# --- reports ----------------------------------------------------------------------------------


def _page(title: str, meta: str, sections: list[tuple[str, str, str]]) -> str:
    nav = "".join(f'<a href="#{key}">{escape(t)}</a>' for key, t, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{escape(t)}</h2>{content}</section>'
        for key, t, content in sections
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} — ccsim report</title>"
        f"<style>{CSS}</style></head>\n"
        f"<body><main><header><h1>{escape(title)}</h1>"
        f'<p class="meta">{escape(meta)}</p><nav>{nav}</nav></header>\n'
        f"{body}\n"
        f'<footer class="note"><p>Made by ccsim {escape(__version__)} from the files in this '
        "folder.</p></footer></main></body></html>\n"
    )


def _cell(metric: str, mean: float, low: float, high: float, css: str = "") -> str:
    ci = format_ci(metric, low, high)
    ci_html = f'<span class="ci">{escape(ci)}</span>' if ci else ""
    cls = f"num {css}".strip()
    return f'<td class="{cls}">{escape(format_metric(metric, mean))}{ci_html}</td>'


def _scope_html(scope: str) -> str:
    colour = CHANNEL_COLOURS.get(scope)
    swatch = f'<span class="swatch" style="background:{colour}"></span>' if colour else ""
    return swatch + escape(_label(scope))


def sweep_key_metrics(sweep: Sweep) -> list[tuple[str, str]]:
    channels = sweep.channels()
    keys = [(c, "service_level") for c in channels]
    keys += [(c, "abandon_rate") for c in channels]
    keys += [(c, "asa_seconds") for c in channels]
    keys += [("centre", m) for m in ("cost_total", "cost_per_issue")]
    return [k for k in keys if sweep.value(*k).notna().any()]


def meets_targets(sweep: Sweep) -> pd.Series:
    """Per point: whether every channel with a target and contacts meets it (mean ≥ target)."""
    ok = pd.Series(True, index=sweep.points["point"])
    for channel in sweep.channels():
        if channel in sweep.targets:
            level = sweep.value(channel, "service_level")
            ok &= level.fillna(-1) >= sweep.targets[channel][1]
    return ok


def _point_text(sweep: Sweep, point: int) -> str:
    row = sweep.points.loc[point]
    where = f" (folder {row['folder']})" if row["folder"] else ""
    return f"<strong>{escape(row['label'])}</strong>{escape(where)}"


def _sweep_findings(sweep: Sweep) -> str:
    cost_metric = _cost_metric(sweep)
    cost = sweep.value("centre", cost_metric)
    items = []
    channels = [c for c in sweep.channels() if c in sweep.targets]
    if channels:
        ok = meets_targets(sweep)
        targets = ", ".join(
            f"{_label(c)} {sweep.targets[c][1]:.0%} within {format_duration(sweep.targets[c][0])}"
            for c in channels
        )
        items.append(
            f"<li>{int(ok.sum())} of {len(ok)} points meet every service-level target "
            f"({escape(targets)}; mean over replications).</li>"
        )
        if ok.any():
            best = int(cost[ok].idxmin())
            cost_ci = format_ci(cost_metric, *_ci(sweep, "centre", cost_metric, best))
            unsure = [
                _label(c)
                for c in channels
                if sweep.value(c, "service_level", "ci_low")[best] < sweep.targets[c][1]
            ]
            note = (
                f" The 95% CI of {', '.join(unsure)} service level includes its target: "
                "run more replications to be sure."
                if unsure
                else ""
            )
            items.append(
                f"<li>Cheapest point meeting every target: {_point_text(sweep, best)}, "
                f"{escape(_metric_name(cost_metric))} "
                f"<strong>{escape(format_metric(cost_metric, cost[best]))}</strong> "
                f"(95% CI {escape(cost_ci)})"
                f"; {escape(_levels(sweep, best))}.{escape(note)}</li>"
            )
        else:
            gap = sum(
                (sweep.value(c, "service_level") - sweep.targets[c][1]).clip(upper=0)
                for c in channels
            )
            best = int(gap.idxmax())
            items.append(
                f"<li>No point meets every target; the closest is {_point_text(sweep, best)}: "
                f"{escape(_levels(sweep, best))}.</li>"
            )
    else:
        channel = "phone" if "phone" in sweep.channels() else (sweep.channels() or ["phone"])[0]
        level = sweep.value(channel, "service_level")
        if level.notna().any():
            best = int(level.idxmax())
            items.append(
                "<li>No service-level targets are known; best "
                f"{escape(_label(channel))} service level at {_point_text(sweep, best)}: "
                f"{escape(_levels(sweep, best))}.</li>"
            )
    if cost.notna().any():
        cheap, dear = int(cost.idxmin()), int(cost.idxmax())
        items.append(
            f"<li>{escape(_metric_name(cost_metric).capitalize())} ranges from "
            f"{escape(format_metric(cost_metric, cost[cheap]))} "
            f"({escape(sweep.points.loc[cheap, 'label'])}) "
            f"to {escape(format_metric(cost_metric, cost[dear]))} "
            f"({escape(sweep.points.loc[dear, 'label'])}).</li>"
        )
    return f'<ul class="headline">{"".join(items)}</ul>'


def _ci(sweep: Sweep, scope: str, metric: str, point: int) -> tuple[float, float]:
    return (
        float(sweep.value(scope, metric, "ci_low")[point]),
        float(sweep.value(scope, metric, "ci_high")[point]),
    )


def _levels(sweep: Sweep, point: int) -> str:
    return ", ".join(
        f"{_label(c)} service level "
        + format_metric("service_level", sweep.value(c, "service_level")[point])
        for c in sweep.channels()
    )


def _sweep_table(sweep: Sweep) -> str:
    keys = sweep_key_metrics(sweep)
    ok = meets_targets(sweep) if sweep.targets else None
    on = set()
    frontier = frontier_data(sweep)
    if len(frontier):
        on = set(frontier.loc[frontier["frontier"], "point"])
    head = "".join(f"<th>{escape(p)}</th>" for p in sweep.params)
    head += "".join(
        f"<th>{_scope_html(s) if s != 'centre' else 'centre'}<br>{escape(_metric_name(m))}</th>"
        for s, m in keys
    )
    head += "<th>meets targets</th>" if ok is not None else ""
    head += "<th>on frontier</th>"
    body = []
    for _, point in sweep.points.iterrows():
        index = point["point"]
        cells = "".join(f"<td>{escape(_show(point[p]))}</td>" for p in sweep.params)
        for scope, metric in keys:
            mean = sweep.value(scope, metric)[index]
            low, high = _ci(sweep, scope, metric, index)
            cells += _cell(metric, mean, low, high)
        if ok is not None:
            met = bool(ok[index])
            css, word = ("met", "yes") if met else ("missed", "no")
            cells += f'<td><span class="verdict {css}">{word}</span></td>'
        cells += f"<td>{'yes' if index in on else ''}</td>"
        folder = escape(point["folder"]) if point["folder"] else str(index)
        body.append(f"<tr><th>{folder}</th>{cells}</tr>")
    return (
        '<p class="note">Mean over replications, 95% CI below. Counts and costs are totals over '
        "the measured horizon; “on frontier”: on the Pareto frontier of the first frontier "
        "panel.</p>"
        f"<table><thead><tr><th>point</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def sweep_report_html(sweep_dir: Path) -> str:
    sweep_dir = Path(sweep_dir)
    sweep = read_sweep(sweep_dir)
    replications = int(sweep.frame["replications"].max()) if len(sweep.frame) else 0
    meta = (
        f"sweep of {len(sweep.points)} points over {', '.join(sweep.params)} · "
        f"{replications} replications per point · ccsim {__version__} · "
        f"folder {sweep_dir.resolve().name}"
    )
    sections = [
        ("findings", "Key findings", _sweep_findings(sweep)),
        ("table", "Sweep table", _sweep_table(sweep)),
        ("plots", "Plots", embedded_figures(sweep_dir, SWEEP_PLOTS, SWEEP_CAPTIONS)),
    ]
    return _page(f"{sweep.name}: sweep", meta, sections)


def write_sweep_report(sweep_dir: Path) -> Path:
    """Write ``sweep_dir/report.html`` (drawing the plots first if ``frontier.png`` is
    missing): key findings, the sweep table and every plot, all in one file."""
    sweep_dir = Path(sweep_dir)
    if not (sweep_dir / PLOTS_FOLDER / "frontier.png").is_file():
        plot_sweep(sweep_dir)
    return _write(sweep_dir / REPORT_NAME, sweep_report_html(sweep_dir))


def _write(path: Path, html: str) -> Path:
    from sim.outputs import atomic_write_bytes

    atomic_write_bytes(path, html.encode("utf-8"))
    return path


def _diff_text(metric: str, row: pd.Series) -> str:
    text = _signed(metric, row["diff"])
    if math.isfinite(row["diff_ci_low"]) and math.isfinite(row["diff_ci_high"]):
        low, high = _signed(metric, row["diff_ci_low"]), _signed(metric, row["diff_ci_high"])
        text += f" (95% CI {low} to {high})"
    return text


def _compare_findings(comparison: Comparison, diffs: pd.DataFrame) -> str:
    if diffs.empty:
        return '<p class="note">No differences to show.</p>'
    parts = []
    method = comparison.frame.get("method")
    methods = set(method.dropna()) if method is not None else set()
    how = (
        "paired replication by replication (common random numbers)"
        if methods == {"paired"}
        else ("Welch (unpaired)" if methods == {"welch"} else "paired where possible, else Welch")
    )
    for label in comparison.labels[1:]:
        rows = diffs[diffs["series"] == label]
        clear = rows[rows["clear"]]
        unclear = rows[~rows["clear"]]
        items = []
        for _, row in clear.iterrows():
            scope = "centre" if row["scope"] == "centre" else _label(row["scope"])
            items.append(
                f"<li>{escape(scope)} {escape(_metric_name(row['panel']))}: "
                f"<strong>{escape(_diff_text(row['panel'], row))}</strong></li>"
            )
        if not unclear.empty:
            names = ", ".join(
                ("" if r["scope"] == "centre" else _label(r["scope"]) + " ")
                + _metric_name(r["panel"])
                for _, r in unclear.iterrows()
            )
            items.append(f"<li>Not clear (the 95% CI includes 0): {escape(names)}.</li>")
        parts.append(
            f"<h3>{escape(label)} against {escape(comparison.reference)}: "
            f"{len(clear)} of {len(rows)} key differences clear</h3>"
            f'<ul class="headline">{"".join(items)}</ul>'
        )
    parts.append(
        f'<p class="note">Differences are {escape(how)}; a difference is clear when its '
        "95% CI excludes 0.</p>"
    )
    return "".join(parts)


def _compare_table(comparison: Comparison) -> str:
    frame = comparison.frame.set_index(["scope", "metric", "scenario"])
    keys = list(
        dict.fromkeys(zip(comparison.frame["scope"], comparison.frame["metric"], strict=True))
    )
    offered = (
        comparison.frame[comparison.frame["metric"] == "offered"].groupby("scope")["mean"].max()
    )
    keys = [k for k in keys if not (k[0] in CHANNELS and not offered.get(k[0], 0) > 0)]
    head = "".join(f"<th>{escape(label)}</th>" for label in comparison.labels)
    head += "".join(f"<th>Δ {escape(label)}</th>" for label in comparison.labels[1:])
    body = []
    for scope, metric in keys:
        cells = ""
        for label in comparison.labels:
            row = (
                frame.loc[(scope, metric, label)] if (scope, metric, label) in frame.index else None
            )
            cells += (
                '<td class="num">–</td>'
                if row is None
                else _cell(metric, row["mean"], row["ci_low"], row["ci_high"])
            )
        for label in comparison.labels[1:]:
            row = (
                frame.loc[(scope, metric, label)] if (scope, metric, label) in frame.index else None
            )
            if row is None or not math.isfinite(row["diff"]):
                cells += '<td class="num">–</td>'
                continue
            ci = ""
            if math.isfinite(row["diff_ci_low"]):
                low, high = (
                    _signed(metric, row["diff_ci_low"]),
                    _signed(metric, row["diff_ci_high"]),
                )
                ci = f"{low} to {high}"
            star = " *" if row["clear"] else ""
            css = ' class="num clear"' if row["clear"] else ' class="num"'
            value = (
                f"<strong>{escape(_signed(metric, row['diff']) + star)}</strong>"
                if row["clear"]
                else escape(_signed(metric, row["diff"]))
            )
            cells += f'<td{css}>{value}<span class="ci">{escape(ci)}</span></td>'
        scope_html = (
            "centre"
            if scope == "centre"
            else (escape(scope[5:]) if scope.startswith("pool:") else _scope_html(scope))
        )
        body.append(
            f"<tr><th>{scope_html}</th><th>{escape(_metric_name(metric))} "
            f"<code>{escape(metric)}</code></th>{cells}</tr>"
        )
    return (
        '<p class="note">Each scenario: mean over replications, 95% CI below. Δ: difference from '
        f"{escape(comparison.reference)}, 95% CI below; * and bold: clear (the CI excludes 0).</p>"
        f"<table><thead><tr><th>scope</th><th>metric</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def compare_report_html(
    compare_dir: Path, run_dirs: Sequence[Path] | Mapping[str, Path] | None = None
) -> str:
    compare_dir = Path(compare_dir)
    comparison = read_compare(compare_dir, run_dirs)
    diffs = paired_differences_data(comparison)
    meta = (
        f"{len(comparison.labels)} scenarios: {', '.join(comparison.labels)} · "
        f"ccsim {__version__} · folder {compare_dir.resolve().name}"
    )
    sections = [
        ("findings", "Key findings", _compare_findings(comparison, diffs)),
        ("table", "Comparison table", _compare_table(comparison)),
        ("plots", "Plots", embedded_figures(compare_dir, COMPARE_PLOTS, COMPARE_CAPTIONS)),
    ]
    return _page(f"Comparison: {' vs '.join(comparison.labels)}", meta, sections)


def write_compare_report(
    compare_dir: Path, run_dirs: Sequence[Path] | Mapping[str, Path] | None = None
) -> Path:
    """Write ``compare_dir/report.html`` (drawing the plots first): key findings, the table
    and every plot, all in one file."""
    compare_dir = Path(compare_dir)
    plot_compare(compare_dir, run_dirs)
    return _write(compare_dir / REPORT_NAME, compare_report_html(compare_dir, run_dirs))
