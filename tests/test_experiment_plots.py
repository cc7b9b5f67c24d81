"""Plots and reports of a sweep folder and a compare folder.

Small sweeps and a comparison are made once for the module through the command line; every
plot is then checked against the CSV values it claims to show, and each report for holding
all its plots and nothing from outside itself.
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from PIL import Image

from sim.cli import main
from sim.present.plots.compare import (
    build_compare_figures,
    compare_plot_data,
    plot_compare,
    read_compare,
)
from sim.present.plots.sweep import build_sweep_figures, plot_sweep
from sim.present.plots.sweep_data import pareto, sweep_plot_data
from sim.present.report.compare import write_compare_report
from sim.present.report.sweep import write_sweep_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DATA_URI = "data:image/png;base64,"
PARAMS = ["pools.voice.agents", "policy.priority"]


def scenario_data(agents: int = 5, name: str = "exp-small") -> dict[str, Any]:
    """Two days of a phone and email centre with one shared pool."""
    return {
        "name": name,
        "run": {"horizon": "2d", "warmup": "1h", "replications": 2, "interval": "1h", "seed": 3},
        "demand": {"issues_per_hour": 60, "first_channel": {"phone": 0.7, "email": 0.3}},
        "channels": {
            "phone": {
                "patience": {"dist": "exponential", "mean": "3min"},
                "service_level": {"within": "20s", "target": 0.8},
            },
            "email": {"service_level": {"within": "4h", "target": 0.9}},
        },
        "pools": {"voice": {"agents": agents, "skills": ["phone", "email"], "cost_per_hour": 25}},
    }


def invoke(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("experiments")
    (path / "a.yaml").write_text(yaml.safe_dump(scenario_data(5, "five")))
    (path / "b.yaml").write_text(yaml.safe_dump(scenario_data(7, "seven")))
    return path


@pytest.fixture(scope="module")
def sweep2(folder: Path) -> Path:
    """Two parameters: agents (numeric) × priority (a list: policy-like)."""
    out = folder / "sweep2"
    invoke(
        "sweep", str(folder / "a.yaml"), "--vary", "pools.voice.agents=4:6:1",
        "--vary", "policy.priority=[phone,email],[email,phone]",
        "-o", str(out), "--quiet", "--workers", "1", "--no-plots",
    )  # fmt: skip
    paths = plot_sweep(out)
    assert [p.name for p in paths] == ["frontier.png", "heatmap.png"]
    assert write_sweep_report(out) == out / "report.html"
    return out


@pytest.fixture(scope="module")
def sweep1(folder: Path) -> Path:
    """One numeric parameter."""
    out = folder / "sweep1"
    invoke(
        "sweep", str(folder / "a.yaml"), "--vary", "pools.voice.agents=6:12:2",
        "-o", str(out), "--quiet", "--workers", "1", "--no-plots",
    )  # fmt: skip
    paths = plot_sweep(out)
    assert [p.name for p in paths] == ["frontier.png", "metric_vs_parameter.png"]
    write_sweep_report(out)
    return out


@pytest.fixture(scope="module")
def compared(folder: Path) -> Path:
    """Two scenario files compared: their runs are written inside the compare folder."""
    out = folder / "compare"
    invoke(
        "compare", str(folder / "a.yaml"), str(folder / "b.yaml"),
        "-o", str(out), "--quiet", "--workers", "1",
    )  # fmt: skip
    paths = plot_compare(out)
    assert [p.name for p in paths] == ["paired_differences.png", "intervals_overlay.png"]
    write_compare_report(out)
    return out


def means(sweep_dir: Path, scope: str, metric: str) -> pd.Series:
    """Per point (in sweep.csv order), the mean of ``scope``/``metric``."""
    frame = pd.read_csv(sweep_dir / "sweep.csv")
    rows = frame[(frame["scope"] == scope) & (frame["metric"] == metric)]
    return rows["mean"].reset_index(drop=True)


def assert_png(path: Path) -> None:
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.size[0] > 600 and image.size[1] > 200


# --- the sweep --------------------------------------------------------------------------------


def test_sweep_pngs_are_valid(sweep1: Path, sweep2: Path) -> None:
    for path in [*(sweep2 / "plots").glob("*.png"), *(sweep1 / "plots").glob("*.png")]:
        assert_png(path)
    assert not (sweep1 / "plots" / "heatmap.png").exists()  # one parameter: no grid
    assert not (sweep2 / "plots" / "metric_vs_parameter.png").exists()


def test_frontier_points_are_the_sweep_means(sweep2: Path) -> None:
    frame = sweep_plot_data(sweep2)["frontier"]
    assert list(dict.fromkeys(frame["panel"])) == ["phone", "email"]  # the targets
    cost = means(sweep2, "centre", "cost_total")
    for channel in ("phone", "email"):
        rows = frame[frame["panel"] == channel].reset_index(drop=True)
        assert len(rows) == 6
        assert rows["x"].to_numpy() == pytest.approx(means(sweep2, channel, "service_level"))
        assert rows["y"].to_numpy() == pytest.approx(cost.to_numpy())
        assert rows["target"].iloc[0] == {"phone": 0.8, "email": 0.9}[channel]
    # one series per value of the list-valued (policy-like) parameter
    assert set(frame["series"]) == {"[phone, email]", "[email, phone]"}
    # ... and what is drawn is that data: every marker at a (service level, cost) mean
    figure = build_sweep_figures(sweep2)["frontier"]
    for ax, channel in zip(figure.axes, ("phone", "email"), strict=False):
        drawn = set()
        for container in ax.containers:
            line = container.lines[0]
            drawn |= set(zip(line.get_xdata(), line.get_ydata(), strict=True))
        rows = frame[frame["panel"] == channel]
        assert drawn == set(zip(rows["x"], rows["y"], strict=True))


def test_frontier_is_least_cost_for_service_level(sweep2: Path) -> None:
    frame = sweep_plot_data(sweep2)["frontier"]
    for _, rows in frame.groupby("panel"):
        for _, point in rows.iterrows():
            dominated = (
                (rows["y"] <= point["y"])
                & (rows["x"] > point["x"])
                & ~((rows["y"] == point["y"]) & (rows["x"] == point["x"]))
            ).any()
            tie_cheaper = ((rows["y"] < point["y"]) & (rows["x"] >= point["x"])).any()
            assert point["frontier"] == (not dominated and not tie_cheaper)


def test_pareto() -> None:
    level = np.array([0.5, 0.7, 0.6, 0.9, 0.9])
    cost = np.array([10.0, 20.0, 25.0, 30.0, 40.0])
    assert pareto(level, cost).tolist() == [True, True, False, True, False]


def test_heatmap_cells_are_the_sweep_means(sweep2: Path) -> None:
    frame = sweep_plot_data(sweep2)["heatmap"]
    expected = means(sweep2, "phone", "service_level")
    assert frame["value"].to_numpy() == pytest.approx(expected.to_numpy())
    sweep = pd.read_csv(sweep2 / "sweep.csv")
    points = sweep.drop_duplicates(PARAMS)
    assert frame["column"].tolist() == [str(v) for v in points["pools.voice.agents"]]
    image = build_sweep_figures(sweep2)["heatmap"].axes[0].images[0]
    grid = np.asarray(image.get_array())
    rows = list(dict.fromkeys(frame["row"]))
    columns = list(dict.fromkeys(frame["column"]))
    assert grid.shape == (2, 3)
    for _, cell in frame.iterrows():
        assert grid[rows.index(cell["row"]), columns.index(cell["column"])] == pytest.approx(
            cell["value"]
        )


def test_metric_vs_parameter_lines_are_the_sweep_means(sweep1: Path) -> None:
    frame = sweep_plot_data(sweep1)["metric_vs_parameter"]
    assert frame["panel"].iloc[0] == "service_level"
    figure = build_sweep_figures(sweep1)["metric_vs_parameter"]
    level = frame[(frame["panel"] == "service_level") & (frame["series"] == "phone")]
    assert level["x"].tolist() == [6.0, 8.0, 10.0, 12.0]
    assert level["y"].to_numpy() == pytest.approx(means(sweep1, "phone", "service_level"))
    line = figure.axes[0].get_lines()[0]
    assert np.asarray(line.get_ydata(), float) == pytest.approx(level["y"].to_numpy())
    cost = frame[frame["panel"] == "cost"]
    assert cost["y"].to_numpy() == pytest.approx(means(sweep1, "centre", "cost_total"))


# --- the comparison ---------------------------------------------------------------------------


def test_compare_pngs_are_valid(compared: Path) -> None:
    for name in ("paired_differences", "intervals_overlay"):
        assert_png(compared / "plots" / f"{name}.png")


def test_paired_difference_bars_are_compare_diffs(compared: Path) -> None:
    csv = pd.read_csv(compared / "compare.csv")
    others = csv[csv["scenario"] == "seven"].set_index(["scope", "metric"])
    comparison = read_compare(compared)
    frame = compare_plot_data(comparison)["paired_differences"]
    assert {"service_level", "abandon_rate", "asa_seconds", "cost_total"} <= set(frame["panel"])
    for _, row in frame.iterrows():
        assert row["diff"] == pytest.approx(others.loc[(row["scope"], row["panel"]), "diff"])
        assert row["clear"] == others.loc[(row["scope"], row["panel"]), "clear"]
    figure = build_compare_figures(compared)["paired_differences"]
    panels = list(dict.fromkeys(frame["panel"]))
    assert len(figure.axes) == len(panels)
    for ax, panel in zip(figure.axes, panels, strict=True):
        widths = [bar.get_width() for bar in ax.patches]
        assert widths == pytest.approx(frame.loc[frame["panel"] == panel, "diff"].tolist())


def test_intervals_overlay_is_each_runs_service_level(compared: Path) -> None:
    runs = [compared / "five", compared / "seven"]
    found = read_compare(compared).run_dirs
    assert found == dict(zip(["five", "seven"], runs, strict=True))
    frame = compare_plot_data(read_compare(compared, runs))["intervals_overlay"]
    assert list(dict.fromkeys(frame["panel"])) == ["phone", "email"]
    for label, run in zip(["five", "seven"], runs, strict=True):
        intervals = pd.read_csv(run / "intervals.csv")
        for channel in ("phone", "email"):
            rows = frame[(frame["panel"] == channel) & (frame["series"] == label)]
            part = intervals[intervals["scope"] == channel]
            days = part["day"].nunique()
            assert days == 2 and len(rows) == len(part) // days  # a point per time of day
            for x, y in zip(rows["x"], rows["y"], strict=True):  # the offered-weighted mean day
                hour = part[part["time"] == f"{int(x):02d}:{round(x % 1 * 60):02d}"]
                answered_in_time = (hour["service_level"] * hour["offered"]).sum()
                offered = hour.loc[hour["service_level"].notna(), "offered"].sum()
                expected = answered_in_time / offered if offered else np.nan
                np.testing.assert_allclose(y, expected, equal_nan=True)


def test_compare_without_run_folders_draws_only_the_differences(compared: Path) -> None:
    figures = build_compare_figures(compared, run_dirs={})
    assert list(figures) == ["paired_differences"]


# --- the reports ------------------------------------------------------------------------------


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in {"src", "href", "srcset", "action", "poster", "data"} and value:
                self.urls.append(value)


def assert_self_contained(report: str, plots: Path) -> None:
    pngs = sorted(plots.glob("*.png"))
    assert pngs and report.count(DATA_URI) == len(pngs)
    for png in pngs:
        assert f"plots/{png.name}" in report
    lowered = report.lower()
    for forbidden in ('src="http', 'href="http', "<link", "@import", "<script", "url("):
        assert forbidden not in lowered, forbidden
    parser = _References()
    parser.feed(report)
    for url in parser.urls:
        assert url.startswith((DATA_URI, "#")), url[:60]


def test_sweep_reports_are_self_contained(sweep1: Path, sweep2: Path) -> None:
    for sweep in (sweep1, sweep2):
        report = (sweep / "report.html").read_text(encoding="utf-8")
        assert_self_contained(report, sweep / "plots")
        order = [report.index(f'id="{key}"') for key in ("findings", "table", "plots")]
        assert order == sorted(order)


def test_sweep_report_names_the_cheapest_point_meeting_targets(sweep1: Path) -> None:
    report = (sweep1 / "report.html").read_text(encoding="utf-8")
    frame = pd.read_csv(sweep1 / "sweep.csv")
    table = frame.pivot_table(
        index="pools.voice.agents", columns=["scope", "metric"], values="mean"
    )
    ok = (table[("phone", "service_level")] >= 0.8) & (table[("email", "service_level")] >= 0.9)
    findings = report[report.index('id="findings"') : report.index('id="table"')]
    assert f"{int(ok.sum())} of 4 points meet every service-level target" in findings
    assert ok.any() and not ok.all()  # the sweep spans the targets
    cheapest = table.loc[ok, ("centre", "cost_total")].idxmin()
    assert f"Cheapest point meeting every target: <strong>voice.agents={cheapest}</strong>" in (
        findings
    )


def test_compare_report_is_self_contained_and_lists_clear_differences(compared: Path) -> None:
    report = (compared / "report.html").read_text(encoding="utf-8")
    assert_self_contained(report, compared / "plots")
    findings = report[report.index('id="findings"') : report.index('id="table"')]
    csv = pd.read_csv(compared / "compare.csv")
    cost = csv[(csv["scenario"] == "seven") & (csv["metric"] == "cost_total")].iloc[0]
    assert bool(cost["clear"])  # two more agents cost clearly more
    assert "total cost" in findings and f"+{cost['diff']:,.0f}" in findings


def test_sweep_and_compare_commands_write_their_plots_and_reports(folder: Path) -> None:
    """Without --no-plots the commands themselves draw everything and write report.html."""
    out = folder / "sweep-cli"
    invoke(
        "sweep", str(folder / "a.yaml"), "--vary", "pools.voice.agents=6:8:2",
        "-o", str(out), "--quiet", "--workers", "1",
    )  # fmt: skip
    assert (out / "plots" / "frontier.png").is_file()
    assert (out / "plots" / "metric_vs_parameter.png").is_file()
    report = (out / "report.html").read_text(encoding="utf-8")
    assert DATA_URI in report
    assert "folder sweep-cli" in report and ".staging-" not in report  # not the staging name
    compare_out = folder / "compare-cli"
    invoke("compare", str(out / "p000"), str(out / "p001"), "-o", str(compare_out), "--quiet")
    assert (compare_out / "plots" / "paired_differences.png").is_file()
    assert (compare_out / "plots" / "intervals_overlay.png").is_file()
    assert DATA_URI in (compare_out / "report.html").read_text(encoding="utf-8")
    run_out = folder / "run-cli"
    invoke("run", str(folder / "a.yaml"), "-o", str(run_out), "--quiet", "--workers", "1")
    report = (run_out / "report.html").read_text(encoding="utf-8")
    assert "run folder run-cli" in report and ".staging-" not in report


def test_plot_command_redraws_sweep_and_compare_folders(sweep1: Path, compared: Path) -> None:
    for folder in (sweep1, compared):
        report = folder / "report.html"
        report.unlink()
        shutil.rmtree(folder / "plots")
        invoke("plot", str(folder))
        assert DATA_URI in report.read_text(encoding="utf-8")
        assert list((folder / "plots").glob("*.png"))
