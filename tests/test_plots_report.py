"""Plots and the HTML report of a run: ``plots/*.png`` and ``report.html``.

One small run (1 day, 2 replications, phone/email/social, two pools) is simulated once for
the module; every plot is then checked against the CSV column it claims to show, and the
report for being complete and self-contained.
"""

from __future__ import annotations

import math
import shutil
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result
from matplotlib.figure import Figure
from PIL import Image

from sim.cli import main
from sim.experiment.replication import run_scenario
from sim.io.run_folder import write_run
from sim.present.format import format_ci, format_metric
from sim.present.plots.run import PLOTS, build_figures, plot_run
from sim.present.plots.run_data import run_plot_data
from sim.present.plots.style import plot_path
from sim.present.report.run import write_run_report
from sim.scenario import load_scenario, validate_data

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DATA_URI = "data:image/png;base64,"
DESCRIPTION = "Plots & report <test> centre"


def scenario_data() -> dict[str, Any]:
    """A day of a small centre: three assisted channels (self-service unused), two pools."""
    return {
        "name": "plots-small",
        "description": DESCRIPTION,
        "run": {
            "horizon": "1d",
            "warmup": "2h",
            "replications": 2,
            "interval": "1h",
            "seed": 7,
        },
        "demand": {
            "issues_per_day": 1500,
            "first_channel": {"phone": 0.6, "email": 0.3, "social": 0.1},
        },
        "channels": {
            "phone": {
                "handle_time": {"dist": "exponential", "mean": "4min"},
                "patience": {"dist": "exponential", "mean": "2min"},
                "service_level": {"within": "20s", "target": 0.8},
            },
            "email": {"service_level": {"within": "4h", "target": 0.9}},
        },
        "behaviour": {"after_abandon": {"retry": 0.3, "switch": {"email": 0.2}, "give_up": 0.5}},
        "pools": {
            "voice": {
                "schedule": [
                    {"days": "all", "from": "07:00", "to": "19:00", "agents": 6},
                    {"days": "all", "from": "19:00", "to": "07:00", "agents": 2},
                ],
                "skills": ["phone"],
                "cost_per_hour": 25,
            },
            "digital": {
                "agents": 4,
                "skills": ["email", "social"],
                "concurrency": {"social": 2},
                "cost_per_hour": 30,
            },
        },
        "costs": {"abandoned_contact": 2.0},
    }


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plots") / "run"
    result = run_scenario(validate_data(scenario_data()), workers=1)
    write_run(result, out)
    assert plot_run(out) == [plot_path(out, name) for name in PLOTS]
    assert write_run_report(out) == out / "report.html"
    return out


@pytest.fixture(scope="module")
def intervals(run_dir: Path) -> pd.DataFrame:
    return pd.read_csv(run_dir / "intervals.csv")


@pytest.fixture(scope="module")
def figures(run_dir: Path) -> dict[str, Figure]:
    return build_figures(run_dir)


@pytest.fixture(scope="module")
def report(run_dir: Path) -> str:
    return (run_dir / "report.html").read_text(encoding="utf-8")


def column(intervals: pd.DataFrame, scope: str, name: str) -> np.ndarray:
    rows = intervals[intervals["scope"] == scope].sort_values("interval")
    return rows[name].to_numpy(dtype=float)


def days(intervals: pd.DataFrame, scope: str) -> np.ndarray:
    """Interval starts in days since the horizon began, from the day and time columns."""
    rows = intervals[intervals["scope"] == scope].sort_values("interval")
    hours = rows["time"].str.slice(0, 2).astype(int) + rows["time"].str.slice(3, 5).astype(int) / 60
    return rows["day"].to_numpy(dtype=float) + hours.to_numpy() / 24


def ydata(figure: Figure, panel: int, line: int) -> np.ndarray:
    return np.asarray(figure.axes[panel].get_lines()[line].get_ydata(), dtype=float)


def assert_same(actual: np.ndarray, expected: np.ndarray) -> None:
    """Equal element by element, NaN where the CSV is empty."""
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=0, equal_nan=True)


def offered_channels(intervals: pd.DataFrame, among: tuple[str, ...]) -> list[str]:
    totals = intervals.groupby("scope")["offered"].sum()
    return [c for c in among if c in totals.index and totals[c] > 0]


ASSISTED = ("phone", "email", "social")
ALL = ("phone", "email", "self_service", "social")


# --- the plot files -----------------------------------------------------------------------------


def test_every_plot_is_written_as_a_valid_png(run_dir: Path) -> None:
    written = sorted(p.name for p in (run_dir / "plots").iterdir())
    assert written == sorted(f"{name}.png" for name in PLOTS)  # and no temporary files left
    assert len(PLOTS) == 8
    for name in PLOTS:
        path = plot_path(run_dir, name)
        assert path.read_bytes()[:8] == PNG_SIGNATURE, name
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            width, height = image.size
        assert width >= 800 and height >= 300, (name, image.size)


def test_the_unused_channel_is_skipped(intervals: pd.DataFrame, run_dir: Path) -> None:
    assert column(intervals, "self_service", "offered").sum() == 0
    data = run_plot_data(run_dir)
    assert set(data["volumes"]["panel"]) == {"phone", "email", "social"}
    assert set(data["daily_profile"]["series"]) == {"phone", "email", "social"}


# --- each plot shows exactly its CSV column ---------------------------------------------------


def test_service_level_lines_are_the_intervals_column(
    figures: dict[str, Figure], intervals: pd.DataFrame
) -> None:
    figure = figures["service_level"]
    channels = offered_channels(intervals, ASSISTED)
    assert channels == ["phone", "email", "social"]
    assert len(figure.axes) == len(channels)
    scenario = validate_data(scenario_data())
    for panel, channel in enumerate(channels):
        assert_same(ydata(figure, panel, 0), column(intervals, channel, "service_level"))
        line = figure.axes[panel].get_lines()[0]
        assert_same(np.asarray(line.get_xdata(), dtype=float), days(intervals, channel))
        target = getattr(scenario.channels, channel).service_level.target
        assert set(ydata(figure, panel, 1)) == {target}  # the dashed target line
        assert figure.axes[panel].get_lines()[1].get_linestyle() != "-"


def test_asa_lines_are_the_intervals_column_in_the_labelled_unit(
    figures: dict[str, Figure], intervals: pd.DataFrame, run_dir: Path
) -> None:
    figure = figures["asa"]
    data = run_plot_data(run_dir)["asa"]
    for panel, channel in enumerate(offered_channels(intervals, ASSISTED)):
        rows = data[data["panel"] == channel]
        scale, unit = rows["scale"].iloc[0], rows["unit"].iloc[0]
        assert {"s": 1.0, "min": 60.0, "h": 3600.0}[unit] == scale
        assert f"({unit})" in figure.axes[panel].get_ylabel()
        assert_same(ydata(figure, panel, 0) * scale, column(intervals, channel, "asa_seconds"))


def test_workload_lines_are_on_duty_and_busy_agents(
    figures: dict[str, Figure], intervals: pd.DataFrame
) -> None:
    figure = figures["workload"]
    pools = ["pool:voice", "pool:digital"]
    assert len(figure.axes) == len(pools)
    for panel, pool in enumerate(pools):
        on_duty = column(intervals, pool, "agents_on_duty")
        occupancy = np.nan_to_num(column(intervals, pool, "occupancy"), nan=0.0)
        assert_same(ydata(figure, panel, 0), on_duty)
        assert_same(ydata(figure, panel, 1), on_duty * occupancy)
        assert np.all(ydata(figure, panel, 1) <= on_duty + 1e-9)


def test_occupancy_lines_are_the_intervals_column(
    figures: dict[str, Figure], intervals: pd.DataFrame
) -> None:
    figure = figures["occupancy"]
    for panel, pool in enumerate(["pool:voice", "pool:digital"]):
        assert_same(ydata(figure, panel, 0), column(intervals, pool, "occupancy"))


def test_volume_lines_are_offered_answered_abandoned(
    figures: dict[str, Figure], intervals: pd.DataFrame
) -> None:
    figure = figures["volumes"]
    channels = offered_channels(intervals, ALL)
    assert len(figure.axes) == len(channels)
    for panel, channel in enumerate(channels):
        for line, name in enumerate(["offered", "answered", "abandoned"]):
            assert_same(ydata(figure, panel, line), column(intervals, channel, name))


def test_daily_profile_is_the_mean_by_time_of_day(
    figures: dict[str, Figure], intervals: pd.DataFrame
) -> None:
    figure = figures["daily_profile"]
    top, bottom = figure.axes
    for line, channel in enumerate(offered_channels(intervals, ALL)):
        rows = intervals[intervals["scope"] == channel]
        expected = rows.groupby("time")["offered"].mean().sort_index()
        assert_same(np.asarray(top.get_lines()[line].get_ydata()), expected.to_numpy())
    for line, channel in enumerate(offered_channels(intervals, ASSISTED)):
        rows = intervals[(intervals["scope"] == channel) & intervals["service_level"].notna()]
        within = (rows["service_level"] * rows["offered"]).groupby(rows["time"]).sum()
        expected = (within / rows.groupby("time")["offered"].sum()).sort_index()
        actual = np.asarray(bottom.get_lines()[line].get_ydata(), dtype=float)
        hours = np.asarray(bottom.get_lines()[line].get_xdata(), dtype=float)
        by_hour = dict(zip(hours, actual, strict=True))
        for time, value in expected.items():
            hour = int(time[:2]) + int(time[3:5]) / 60
            assert by_hour[hour] == pytest.approx(value, rel=1e-12), (channel, time)


def test_social_first_share_line_is_the_centre_column(
    figures: dict[str, Figure], intervals: pd.DataFrame
) -> None:
    assert_same(
        ydata(figures["social_first_share"], 0, 0),
        column(intervals, "centre", "social_first_share"),
    )


def test_cost_bars_are_the_summary_means_with_their_ci(
    figures: dict[str, Figure], run_dir: Path
) -> None:
    summary = pd.read_csv(run_dir / "summary.csv")
    centre = summary[summary["scope"] == "centre"].set_index("metric")
    metrics = ["cost_agents", "cost_contacts", "cost_abandoned", "cost_unresolved", "cost_public"]
    ax = figures["cost_breakdown"].axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == pytest.approx(centre.loc[metrics, "mean"].to_list(), rel=1e-12)
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    assert labels == ["agents", "contacts", "abandoned", "unresolved", "public"]
    data = run_plot_data(run_dir)["cost_breakdown"]
    assert data["ci_low"].to_list() == pytest.approx(centre.loc[metrics, "ci_low"].to_list())
    assert data["ci_high"].to_list() == pytest.approx(centre.loc[metrics, "ci_high"].to_list())


def test_every_figure_draws_exactly_its_plot_data(
    figures: dict[str, Figure], run_dir: Path
) -> None:
    """For the line plots, panel by panel the lines are the data frame's series in order."""
    data = run_plot_data(run_dir)
    for name in PLOTS:
        if name == "cost_breakdown":
            continue
        frame = data[name]
        panels = list(dict.fromkeys(frame["panel"]))
        axes = figures[name].axes
        assert len(axes) == len(panels), name
        for ax, panel in zip(axes, panels, strict=True):
            rows = frame[frame["panel"] == panel]
            lines = ax.get_lines()
            for index, series in enumerate(dict.fromkeys(rows["series"])):
                expected = rows[rows["series"] == series]
                assert_same(np.asarray(lines[index].get_xdata(), float), expected["x"].to_numpy())
                assert_same(np.asarray(lines[index].get_ydata(), float), expected["y"].to_numpy())


def test_each_channel_has_one_colour_in_every_plot(figures: dict[str, Figure]) -> None:
    colours = {
        "phone": figures["service_level"].axes[0].get_lines()[0].get_color(),
        "email": figures["service_level"].axes[1].get_lines()[0].get_color(),
        "social": figures["service_level"].axes[2].get_lines()[0].get_color(),
    }
    assert len(set(colours.values())) == 3
    for name in ("asa", "volumes"):
        for panel, channel in enumerate(["phone", "email", "social"]):
            colour = figures[name].axes[panel].get_lines()[0].get_color()
            assert colour == colours[channel], (name, channel)
    top = figures["daily_profile"].axes[0]
    assert [line.get_color() for line in top.get_lines()] == list(colours.values())


def test_axes_are_labelled_and_titled(figures: dict[str, Figure]) -> None:
    for name, figure in figures.items():
        assert figure.get_suptitle(), name
        assert "plots-small" in figure.get_suptitle()
        for ax in figure.axes:
            assert ax.get_ylabel(), name
        assert figure.axes[-1].get_xlabel(), name


# --- the report ------------------------------------------------------------------------------


class _References(HTMLParser):
    """Every URL-bearing attribute and every tag in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for key, value in attrs:
            if key in {"src", "href", "srcset", "action", "poster", "data"} and value:
                self.urls.append(value)


def test_report_embeds_every_plot_as_a_data_uri(report: str, run_dir: Path) -> None:
    pngs = list((run_dir / "plots").glob("*.png"))
    assert report.count(DATA_URI) == len(pngs) == len(PLOTS)


def test_report_references_nothing_outside_itself(report: str) -> None:
    lowered = report.lower()
    for forbidden in ('src="http', 'href="http', "<link", "@import", "<script", "url(", "//cdn"):
        assert forbidden not in lowered, forbidden
    parser = _References()
    parser.feed(report)
    assert parser.urls, "the plots should be referenced"
    for url in parser.urls:
        assert url.startswith((DATA_URI, "#")), url[:60]
    assert "script" not in parser.tags and "iframe" not in parser.tags


def test_report_leads_with_the_scenario_and_key_findings(report: str) -> None:
    assert "<h1>plots-small</h1>" in report
    assert escape(DESCRIPTION) in report and DESCRIPTION not in report  # escaped
    sections = ['id="findings"', 'id="summary"', 'id="plots"', 'id="scenario"', 'id="run"']
    order = [report.index("<h1>"), *(report.index(section) for section in sections)]
    assert report.index("<h3>Channels</h3>") > report.index('id="summary"')
    assert report.index(DATA_URI) > report.index('id="plots"')
    assert order == sorted(order)


def test_report_findings_say_met_or_missed_per_target(report: str, run_dir: Path) -> None:
    summary = pd.read_csv(run_dir / "summary.csv").set_index(["scope", "metric"])
    findings = report[report.index('id="findings"') : report.index('id="summary"')]
    targets = {"phone": 0.8, "email": 0.9, "social": 0.8}
    met = 0
    for channel, target in targets.items():
        level = summary.loc[(channel, "service_level"), "mean"]
        met += level >= target
        row = findings[findings.index(f"</span>{channel}</td>") :]
        row = row[: row.index("</tr>")]
        assert ("verdict met" in row) == (level >= target), (channel, level, row)
        assert format_metric("service_level", level) in row
        assert format_metric("abandon_rate", summary.loc[(channel, "abandon_rate"), "mean"]) in row
        assert format_metric("asa_seconds", summary.loc[(channel, "asa_seconds"), "mean"]) in row
    assert f"{met} of 3 service-level targets met" in findings
    for metric in ("cost_total", "cost_per_issue"):
        row = summary.loc[("centre", metric)]
        assert format_metric(metric, row["mean"]) in findings
        assert escape(format_ci(metric, row["ci_low"], row["ci_high"])) in findings


def test_report_holds_the_summary_table_values(report: str, run_dir: Path) -> None:
    summary = pd.read_csv(run_dir / "summary.csv")
    tables = report[report.index("<h3>Channels</h3>") : report.index('id="plots"')]
    shown = summary[summary["scope"] != "self_service"]  # no contacts: left out
    assert "self-service" in tables  # ... and said so
    for row in shown.itertuples(index=False):
        cell = escape(format_metric(row.metric, row.mean))
        ci = format_ci(row.metric, row.ci_low, row.ci_high)
        expected = f'<td class="num">{cell}'
        if ci:
            expected += f'<span class="ci">{escape(ci)}</span>'
        assert expected in tables, (row.scope, row.metric, expected)


def test_report_shows_the_resolved_scenario_and_run_facts(report: str, run_dir: Path) -> None:
    yaml_text = (run_dir / "scenario.yaml").read_text(encoding="utf-8")
    assert f"<pre>{escape(yaml_text)}</pre>" in report
    facts = report[report.index('id="run"') :]
    for text in ("seed", "replications", "wall time", "contacts per second"):
        assert text in facts
    assert ">7<" in facts  # the seed


def test_formats() -> None:
    assert format_metric("service_level", 0.9217) == "92.2%"
    assert format_metric("asa_seconds", 3.2) == "3.2 s"
    assert format_metric("asa_seconds", 3247.6) == "54.1 min"
    assert format_metric("asa_seconds", 9000) == "2.5 h"
    assert format_metric("offered", 185580.0) == "185,580"
    assert format_metric("cost_per_issue", 5.826) == "5.83"
    assert format_metric("offered", math.nan) == "–"
    assert format_ci("service_level", 0.78, 1.06) == "78.0% – 100.0%"  # clipped to [0, 1]
    assert format_ci("abandoned", -3642.9, 11070.9) == "0 – 11,071"
    assert format_ci("offered", math.nan, math.nan) == ""


# --- the command line ------------------------------------------------------------------------


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_bad(result: Result, fragment: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert fragment in result.output, result.output


def test_ccsim_plot_redraws_plots_and_report(run_dir: Path, tmp_path: Path) -> None:
    """From the saved files alone (a copy of the folder), the same plots, byte for byte."""
    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    shutil.rmtree(copy / "plots")
    (copy / "report.html").unlink()
    result = invoke("plot", str(copy))
    assert result.exit_code == 0, result.output
    for name in PLOTS:
        assert plot_path(copy, name).read_bytes() == plot_path(run_dir, name).read_bytes()
    assert (copy / "report.html").read_text(encoding="utf-8").count(DATA_URI) == len(PLOTS)


def test_ccsim_plot_on_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    assert_bad(invoke("plot", str(tmp_path)), "not a run folder")
    assert not (tmp_path / "plots").exists()
    assert_bad(invoke("plot", str(tmp_path / "missing")), "not a folder")
    scenario = tmp_path / "file.yaml"
    scenario.write_text("name: x\n")
    assert_bad(invoke("plot", str(scenario)), "not a folder")


def test_ccsim_plot_on_damaged_outputs(run_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    (copy / "intervals.csv").write_text("interval,scope\n0,phone\n")
    assert_bad(invoke("plot", str(copy)), "missing column(s)")


def test_run_no_plots_writes_no_plots(tmp_path: Path) -> None:
    data = scenario_data()
    data["run"].update({"replications": 1, "horizon": "6h"})
    scenario = tmp_path / "small.yaml"
    scenario.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    result = invoke("run", str(scenario), "-o", str(out), "--quiet", "--workers", "1", "--no-plots")
    assert result.exit_code == 0, result.output
    assert (out / "summary.csv").is_file()
    assert not (out / "plots").exists() and not (out / "report.html").exists()
    assert load_scenario(out / "scenario.yaml").name == "plots-small"
