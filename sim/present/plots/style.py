"""The look of every plot: one colour per channel, one figure style, shared axes helpers.

Each channel kind has one colour (Okabe–Ito, colour-blind safe) in every plot of every
command; a new channel kind adds its colour to :data:`CHANNEL_COLOURS` (a kind without one is
drawn in neutral grey). Figures are made without pyplot, so nothing needs closing.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import TICKDOWN, TICKUP, Line2D
from matplotlib.ticker import (
    FuncFormatter,
    MultipleLocator,
    PercentFormatter,
)
from PIL import Image

from sim.io.atomic import atomic_write_bytes
from sim.io.run_folder import (
    PLOTS_FOLDER,
)
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
    "chat": OKABE_ITO["reddish_purple"],
}
POOL_COLOURS = [OKABE_ITO[c] for c in ("reddish_purple", "sky_blue", "black", "yellow")]
NEUTRAL = "#555555"
CHANNEL_LABELS = {
    "phone": "phone",
    "email": "email",
    "self_service": "self-service",
    "social": "social",
    "chat": "chat",
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
PANEL_STYLE = {
    "axes.titley": 1.0,
    "axes.formatter.useoffset": False,
    "axes.formatter.limits": (-20, 20),
}
"""The panels of :func:`stacked_figure`: titles placed, no offset text (see there)."""
WIDTH = 11.0  # inches; at 110 dpi a figure is about 1200 px wide


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


# --- drawing helpers --------------------------------------------------------------------------


def channel_colour(series: str) -> str:
    return CHANNEL_COLOURS.get(series, NEUTRAL)


def pool_colour(pool: str, pools: list[str]) -> str:
    return POOL_COLOURS[pools.index(pool) % len(POOL_COLOURS)] if pool in pools else NEUTRAL


def scope_label(name: str) -> str:
    if name.startswith("pool:"):
        return f"pool {name[5:]}"
    return CHANNEL_LABELS.get(name, name)


def stacked_figure(
    panels: int, height: float = 2.3, extra: float = 1.0
) -> tuple[Figure, list[Axes]]:
    """A figure of ``panels`` stacked axes sharing x (pyplot is not used: nothing to close).

    Each panel's title sits just above it, where matplotlib puts it, without the check that
    would lift it clear of a y-axis offset text (``+1e6``): that check re-lays out the y
    axis at every layout and draw, a tenth of the time to draw a run's plots, and these
    panels have no offset text to clear: tick labels are written out in full (no offset,
    no ×10ⁿ).
    """
    rows = max(panels, 1)
    figure = Figure(figsize=(WIDTH, height * rows + extra), layout="constrained")
    with matplotlib.rc_context(PANEL_STYLE):
        axes = figure.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    return figure, list(axes)


def figure_title(figure: Figure, info: RunInfo, what: str) -> None:
    figure.suptitle(f"{what} — {info.name}", x=0.01, ha="left")


def no_data(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=NEUTRAL)
    ax.set_xticks([])
    ax.set_yticks([])


def day_axis(ax: Axes, frame: pd.DataFrame) -> None:
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
    minor_ticks(ax, minor)
    ax.xaxis.set_major_formatter(FuncFormatter(label))
    ax.set_xlim(math.floor(low), max(math.ceil(high + 1e-9), math.floor(low) + 1))
    ax.set_xlabel("day of the measured horizon (each point at its interval's start)")


class MinorTicks(Line2D):
    """The minor tick marks of an x axis drawn as one line of tick-shaped markers.

    They look exactly like matplotlib's minor ticks (same marker, size, width and colour,
    the same pixels), but matplotlib makes each minor tick an object of five artists and
    moves every one of them each time a figure is laid out or drawn: a day axis over four
    weeks has 28 of them in every panel, which cost a fifth of the time to draw a run's
    plots. The marks are placed when drawn, every ``step`` across the axis's limits, but
    not where the axis has a major tick, as matplotlib does.
    """

    def __init__(self, ax: Axes, step: float) -> None:
        colour = matplotlib.rcParams["xtick.color"]
        marker = {"out": TICKDOWN, "in": TICKUP}.get(matplotlib.rcParams["xtick.direction"], "|")
        super().__init__(
            [],
            [],
            transform=ax.get_xaxis_transform("tick1"),
            color=colour,
            markeredgecolor=colour,
            linestyle="none",
            marker=marker,
            markersize=matplotlib.rcParams["xtick.minor.size"],
            markeredgewidth=matplotlib.rcParams["xtick.minor.width"],
            clip_on=False,
            zorder=-1,  # under the axes (their spines), as an axis's own ticks are
        )
        self.ax, self.step = ax, step

    def draw(self, renderer: Any) -> None:
        if not (self.ax.get_visible() and self.ax.xaxis.get_visible()):
            return
        low, high = sorted(self.ax.get_xlim())
        ticks = np.round(np.arange(math.ceil(low / self.step - 1e-9), high / self.step + 1e-9))
        ticks = ticks * self.step
        majors = np.asarray(self.ax.xaxis.get_majorticklocs(), dtype=float)
        close = (high - low) * 1e-5  # matplotlib's test for a minor tick on a major one
        on_major = np.isclose(ticks[:, None], majors[None, :], rtol=0, atol=close).any(axis=1)
        self.set_data(ticks[~on_major], np.zeros(int((~on_major).sum())))
        super().draw(renderer)


def minor_ticks(ax: Axes, step: float) -> None:
    """Minor tick marks every ``step`` on the x axis of ``ax`` and of the axes sharing it
    (see :class:`MinorTicks`), in place of any it had. They are figure artists, so each
    panel's lines are its data."""
    figure = ax.get_figure()
    for axes in ax.get_shared_x_axes().get_siblings(ax):
        for old in [a for a in figure.artists if isinstance(a, MinorTicks) and a.ax is axes]:
            old.remove()
        figure.add_artist(MinorTicks(axes, step))


def hour_axis(ax: Axes) -> None:
    ax.xaxis.set_major_locator(MultipleLocator(3))
    minor_ticks(ax, 1.0)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{int(x) % 24:02d}:00"))
    ax.set_xlim(0, 24)
    ax.set_xlabel("time of day (interval start)")


def share_axis(ax: Axes, label: str) -> None:
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(label)


def panels_of(frame: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(frame["panel"]))


def draw_series(ax: Axes, rows: pd.DataFrame, colour: str, **style: Any) -> None:
    ax.plot(rows["x"].to_numpy(), rows["y"].to_numpy(), color=colour, **style)


def target_line(
    ax: Axes, target: float, colour: str, text: str, share: tuple[int, int] = (0, 1)
) -> None:
    """A dashed target line; the ``share[0]``-th of ``share[1]`` lines at the same height has
    its dashes shifted so that coinciding targets alternate colours instead of hiding."""
    index, count = share
    dashes = (index * 6.0, (6.0, 6.0 * count - 6.0 if count > 1 else 4.0))
    ax.axhline(target, color=colour, linestyle=dashes, linewidth=1.4, label=text)


def legend(ax: Axes) -> None:
    """The panel's legend, right of the axes, where it cannot hide data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def png_bytes(figure: Figure) -> bytes:
    """``figure`` as PNG bytes in the house style, drawn once.

    ``Figure.savefig`` draws a figure that has a layout engine twice: a dry draw that runs
    the layout, then the real one. Here the layout engine runs on its own, then one draw:
    the same pixels, a tenth to a fifth less time for a run's plots. An opaque picture
    (every one in the house style: white figures) is written without its alpha channel:
    the same pixels in a smaller file. The figure is left as it was found (canvas, dpi,
    layout engine); the axes keep the positions the layout gave them, as after ``savefig``.
    """
    canvas, dpi, engine = figure.canvas, figure.dpi, figure.get_layout_engine()
    try:
        with matplotlib.rc_context(STYLE):
            figure.set_dpi(STYLE["savefig.dpi"])
            agg = FigureCanvasAgg(figure)
            if engine is not None:
                engine.execute(figure)
                figure.set_layout_engine("none")
            agg.draw()
        rgba = np.asarray(agg.buffer_rgba())
        image = Image.fromarray(rgba[..., :3] if (rgba[..., 3] == 255).all() else rgba)
        buffer = io.BytesIO()
        image.save(buffer, format="png", dpi=(figure.dpi, figure.dpi))
    finally:
        figure.set_canvas(canvas)
        figure.set_dpi(dpi)
        if engine is not None:
            figure.set_layout_engine(engine)
    return buffer.getvalue()


def save_figure(figure: Figure, path: Path) -> None:
    """Save ``figure`` as a PNG at ``path`` atomically (figures made here are not kept by
    pyplot, so nothing needs closing: the figure is freed once unreferenced)."""
    atomic_write_bytes(path, png_bytes(figure))


def plot_path(run_dir: Path, name: str) -> Path:
    """Where plot ``name`` of the run in ``run_dir`` is written."""
    return Path(run_dir) / PLOTS_FOLDER / f"{name}.png"
