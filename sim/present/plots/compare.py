"""Plots of a comparison: paired differences with their CIs, and service level overlaid."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import (
    FuncFormatter,
    MaxNLocator,
    PercentFormatter,
)

from sim.experiment.catalogue import SHARE_METRICS
from sim.io.run_folder import (
    COMPARE_CSV,
    INTERVALS_CSV,
    safe_name,
)
from sim.present.format import (
    format_metric,
)
from sim.present.plots.run_data import read_intervals, service_targets
from sim.present.plots.style import (
    NEUTRAL,
    OKABE_ITO,
    STYLE,
    WIDTH,
    hour_axis,
)
from sim.present.plots.sweep import _errors, _save_all
from sim.present.plots.sweep_data import (
    COMPARE_NEEDED,
    DIFF_METRICS,
    LINESTYLES,
    _colour,
    _label,
    _metric_name,
    _read,
)
from sim.scenario import (
    ScenarioError,
    assisted_names,
    channel_names,
    load_scenario,
)


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
        for label in labels:
            folder = compare_dir / safe_name(label)
            if (folder / INTERVALS_CSV).is_file():
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
    active = [c for c in channel_names() if offered.get(c, 0) > 0]
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
    """Per assisted channel with contacts (a panel) and scenario (a series): the mean day —
    the service level by time of day over every day of the run, offered-weighted (answered
    within the threshold / offered at that time of day) — ``x`` in hours (empty without run
    folders). One line per scenario a planner can read, not every day stacked."""
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
        for channel in assisted_names():
            rows = intervals[intervals["scope"] == channel]
            if rows.empty or not rows["offered"].fillna(0).sum() > 0:
                continue
            offered = rows["offered"].where(rows["service_level"].notna())
            sums = (
                pd.DataFrame(
                    {"hour": rows["hour"], "w": rows["service_level"] * offered, "n": offered}
                )
                .groupby("hour", sort=True)[["w", "n"]]
                .sum(min_count=1)
            )
            level = sums["w"] / sums["n"].where(sums["n"] > 0)
            parts.append(
                pd.DataFrame(
                    {
                        "panel": channel,
                        "series": label,
                        "x": level.index.to_numpy(float),
                        "y": level.to_numpy(float),
                        "days": int(rows["day"].nunique()),
                    }
                )
            )
    columns = ["panel", "series", "x", "y", "days", "target"]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True)
    order = {c: i for i, c in enumerate(assisted_names())}
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
    "net_cost": "net cost (cost + value lost)",
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
    days = int(frame["days"].max()) if len(frame) else 0
    figure.suptitle(
        f"Service level by time of day, the mean day of each scenario (over {days} "
        f"day{'s' if days != 1 else ''} and every replication)",
        x=0.01,
        ha="left",
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
    hour_axis(axes[-1])
    return figure


COMPARE_PLOTS = {
    "paired_differences": plot_paired_differences,
    "intervals_overlay": plot_intervals_overlay,
}
COMPARE_CAPTIONS = {
    "paired_differences": "Each scenario's difference from the first, per key metric: the "
    "mean of the per-replication differences with its 95% CI. Solid, starred bars are clear "
    "(the CI excludes 0).",
    "intervals_overlay": "The mean day: service level by time of day over every day of the "
    "run (answered within the threshold / offered at that time), one line per scenario; the "
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
