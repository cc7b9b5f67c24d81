"""How a plot is drawn: laid out and drawn once, its minor ticks as one line of marks, its
panel titles placed without matplotlib's check for y offset texts.

All three are there for speed (the plots of a 28-day run), and all must leave the picture
as matplotlib draws it: the tests hold the pixels against matplotlib's own way of drawing,
or show that the check skipped has nothing to do.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator
from PIL import Image

from sim.present.plots.style import (
    OKABE_ITO,
    STYLE,
    MinorTicks,
    RunInfo,
    day_axis,
    draw_series,
    figure_title,
    hour_axis,
    legend,
    png_bytes,
    stacked_figure,
)


def figure_of(days: float) -> Figure:
    """Two panels of a line over ``days`` days (``0`` for a time-of-day axis), each with its
    legend beside it, as the run's plots are made."""
    with matplotlib.rc_context(STYLE):
        figure, axes = stacked_figure(2)
        figure_title(figure, RunInfo("test", 1800.0, 3), "A test plot")
        x = np.arange(round(max(days, 0.5) * 48)) / 48
        frame = pd.DataFrame({"x": x, "y": 1 + np.sin(x * 2 * np.pi), "weekday": "mon"})
        if not days:
            frame["x"] = x * 24
        for ax in axes:
            draw_series(ax, frame, OKABE_ITO["blue"], label="a series")
            ax.set_title("a panel's title")
            ax.set_ylabel("a quantity")
            legend(ax)
        if days:
            day_axis(axes[-1], frame)
        else:
            hour_axis(axes[-1])
    return figure


def pixels(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB"))


def test_a_plot_is_drawn_once_into_the_pixels_savefig_draws() -> None:
    """png_bytes runs the layout, then one draw (savefig draws twice): the same picture,
    without the alpha channel of an opaque one; the figure is left as it was."""
    figure = figure_of(28)
    before = figure.canvas, figure.dpi, figure.get_layout_engine()
    png = png_bytes(figure)
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "RGB"
    assert (figure.canvas, figure.dpi, figure.get_layout_engine()) == before
    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        figure_of(28).savefig(buffer, format="png")
    assert np.array_equal(pixels(png), pixels(buffer.getvalue()))


def six_hourly(figure: Figure) -> None:
    """As the fit's arrival plots do: major ticks every 6 h after :func:`hour_axis`."""
    figure.axes[-1].xaxis.set_major_locator(MultipleLocator(6))


def top_hidden(figure: Figure) -> None:
    figure.axes[0].set_visible(False)


def nothing(figure: Figure) -> None:
    pass


@pytest.mark.parametrize(
    ("days", "then"),
    [(28, nothing), (5, nothing), (1, nothing), (0, nothing), (0, six_hourly), (28, top_hidden)],
)
def test_minor_ticks_are_matplotlibs_pixel_for_pixel(days: int, then: Callable) -> None:
    ours, theirs = figure_of(days), figure_of(days)
    marks = list(theirs.artists)
    assert len(marks) == 2 and all(isinstance(mark, MinorTicks) for mark in marks)
    for mark in marks:
        mark.remove()
    theirs.axes[-1].xaxis.set_minor_locator(MultipleLocator(marks[0].step))
    then(ours)
    then(theirs)
    assert np.array_equal(pixels(png_bytes(ours)), pixels(png_bytes(theirs)))


@pytest.mark.parametrize(
    ("days", "then", "expected"),
    [
        (28, nothing, [day for day in range(29) if day % 7]),  # daily, not on the weeks
        (1, nothing, [hour / 24 for hour in range(25) if hour % 6]),  # hourly, not every 6 h
        (0, nothing, [hour for hour in range(25) if hour % 3]),  # time of day: not every 3 h
        (0, six_hourly, [hour for hour in range(25) if hour % 6]),  # the major ticks moved
    ],
)
def test_minor_ticks_fall_between_the_major_ones(
    days: int, then: Callable, expected: list[float]
) -> None:
    figure = figure_of(days)
    then(figure)
    png_bytes(figure)  # the marks are placed when drawn, across the axis's limits
    for mark in figure.artists:
        np.testing.assert_allclose(mark.get_xdata(), expected, rtol=0, atol=1e-12)
        assert set(mark.get_ydata()) == {0.0}  # on the axis, in axes coordinates


def test_an_axis_set_twice_has_one_set_of_minor_ticks() -> None:
    figure = figure_of(0)
    with matplotlib.rc_context(STYLE):
        hour_axis(figure.axes[-1])
    assert sorted(id(mark.ax) for mark in figure.artists) == sorted(map(id, figure.axes))


def test_panels_have_no_offset_text_for_a_title_to_clear() -> None:
    """Panel titles skip matplotlib's check that lifts them clear of a y offset text: the
    same picture as long as there is none. Large values with a small spread, where
    matplotlib would write ``1e6`` and an offset above the axis: tick labels in full."""
    with matplotlib.rc_context(STYLE):
        figure, (ax,) = stacked_figure(1)
        ax.plot([0, 1], [1_000_000.5, 1_000_000.7])
    png_bytes(figure)
    assert ax.yaxis.get_offset_text().get_text() == ""
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert "1000000.500" in labels, labels
