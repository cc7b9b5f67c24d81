"""The schedule against its requirement: one panel per pool over the week.

Scheduled agents on the floor (on shift and not on a break) against those needed
(required on the floor / (1 - shrinkage)), with the net staffing (on floor - needed) shaded
below: green where the schedule covers the requirement, red where it falls short.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.present.plots.style import legend, pool_colour, save_figure, stacked_figure


def plot_coverage(coverage: pd.DataFrame, path: Path, name: str) -> Path:
    """Draw ``coverage`` (``Schedule.coverage_frame``) to ``path`` (PNG); returns the path."""
    pools = list(dict.fromkeys(coverage["pool"]))
    figure, axes = stacked_figure(len(pools), height=2.4)
    for ax, pool in zip(axes, pools, strict=True):
        rows = coverage[coverage["pool"] == pool].sort_values("interval")
        days = rows["interval"].to_numpy() / (len(rows) / 7)
        colour = pool_colour(pool, pools)
        ax.step(days, rows["on_floor"], where="post", color=colour, label="scheduled on floor")
        ax.step(days, rows["needed"], where="post", color="black", lw=0.9, label="needed")
        net = rows["net"].to_numpy()
        ax.fill_between(days, 0, net, where=net >= 0, step="post", color="#009E73", alpha=0.3)
        ax.fill_between(days, 0, net, where=net < 0, step="post", color="#D55E00", alpha=0.5)
        ax.set_ylabel(f"{pool}\nagents")
        ax.set_xlim(0, 7)
        ax.set_xticks(np.arange(7) + 0.5, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
        legend(ax)
    figure.suptitle(f"scheduled vs needed per interval, net shaded — {name}", x=0.01, ha="left")
    save_figure(figure, path)
    return path
