"""A sweep folder read for plotting: its tidy table, its points, and the data behind each plot.

A sweep folder (``ccsim sweep``) holds ``sweep.csv`` (one column per varied parameter, then
``scope, metric, mean, ci_low, ci_high, replications``), ``sweep.json`` and one run folder
per point. As for runs, each plot is drawn from one small tidy DataFrame built here, so what
is drawn can be checked against the saved CSV files.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd

from sim.io.run_folder import (
    COMPARE_COLUMNS,
    SUMMARY_COLUMNS,
    SWEEP_CSV,
    SWEEP_JSON,
)
from sim.present.format import (
    METRIC_LABELS,
)
from sim.present.plots.run_data import RunFolderError, service_targets
from sim.present.plots.style import CHANNEL_COLOURS, CHANNEL_LABELS, NEUTRAL
from sim.scenario import (
    ScenarioError,
    assisted_names,
    load_scenario,
)

COMPARE_NEEDED = tuple(COMPARE_COLUMNS[: COMPARE_COLUMNS.index("clear") + 1])
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">"]
LINESTYLES = ["-", (0, (6, 2, 1.5, 2)), ":", (0, (1, 1))]
DIFF_METRICS = [
    ("service_level", True),
    ("abandon_rate", True),
    ("asa_seconds", True),
    ("cost_total", False),
    ("cost_per_issue", False),
    ("net_cost", False),
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
        return [c for c in assisted_names() if (self.value(c, "offered").fillna(0) > 0).any()]


def read_sweep(sweep_dir: Path) -> Sweep:
    """Read ``sweep.csv`` (and targets from a point's ``scenario.yaml``) in ``sweep_dir``."""
    sweep_dir = Path(sweep_dir)
    frame = _read(sweep_dir / SWEEP_CSV, SUMMARY_COLUMNS)
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
    """The cost the frontier is drawn on: net cost when the scenario prices outcomes (a
    ``value:`` section), else agent and contact cost, else cost per issue."""
    for metric in ("net_cost", "cost_total"):
        if sweep.value("centre", metric).notna().any():
            return metric
    return "cost_per_issue"


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
