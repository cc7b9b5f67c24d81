"""Terminal tables at 80 columns: nothing cut, every figure whole, targets marked; plain
progress lines when the output is not a terminal; plurals; the notes a run prints once."""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from sim.experiment.catalogue import metric_keys
from sim.io.run_folder import COMPARE_COLUMNS, SUMMARY_CSV
from sim.io.table import Table
from sim.present import progress as progress_module
from sim.present.console import compare_table, summary_tables, sweep_table
from sim.present.explain import scenario_notes
from sim.present.format import format_metric, plural
from sim.scenario import load_scenario, scenario_to_yaml

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def _render(renderable: object, width: int = 80) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, highlight=False).print(renderable)
    return out.getvalue()


def _summary(scale: float, seed: int = 1) -> pd.DataFrame:
    """A summary of the baseline's metrics with large, awkward numbers (wide cells)."""
    rng = np.random.default_rng(seed)
    rows = []
    for scope, metric in metric_keys(load_scenario(BASELINE)):
        share = metric in {"service_level", "abandon_rate", "p_wait", "occupancy"}
        mean = rng.uniform(0.05, 0.95) if share else rng.uniform(1, 9) * scale
        if metric == "asa_seconds":
            mean = 218_516.6 if scope == "email" else rng.uniform(1, 90)
        half = mean * 0.11
        rows.append((scope, metric, mean, mean - half, mean + half, 10))
    columns = ["scope", "metric", "mean", "ci_low", "ci_high", "replications"]
    return pd.DataFrame(rows, columns=columns)


def _table(frame: pd.DataFrame) -> Table:
    """A summary DataFrame as the :class:`Table` a run hands the console."""
    text = ("scope", "metric")
    return Table({c: list(frame[c]) if c in text else frame[c].to_numpy() for c in frame})


def _assert_fits(text: str, figures: list[str], width: int = 80) -> None:
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width, max(lines, key=len)
    assert "…" not in text
    flat = " ".join(lines)
    for figure in figures:
        assert figure in flat, f"{figure} was cut or lost"


def test_run_tables_fit_80_columns_with_every_figure_whole() -> None:
    scenario = load_scenario(BASELINE)
    summary = _summary(1_000_000.0)
    text = "".join(_render(t) for t in summary_tables(scenario, _table(summary), width=80))
    rows = summary.set_index(["scope", "metric"])["mean"]
    figures = [format_metric("offered", rows[(c, "offered")]) for c in ("phone", "email")]
    figures += [format_metric("cost_total", rows[("centre", "cost_total")])]
    _assert_fits(text, figures)
    assert "60.7 h" in text  # email ASA of 218,516.6 s in hours, not seconds
    assert "218,516" not in text
    assert "negative public impressions" in text and "net public impressions" in text
    assert "10 replications" in text
    for channel, section in scenario.channels.sections().items():
        level = getattr(section, "service_level", None)
        if level is None or (channel, "service_level") not in rows:  # not reported (chat)
            continue
        mean = rows[(channel, "service_level")]
        word = "met" if mean >= level.target else "missed"
        line = next(i for i, line in enumerate(text.splitlines()) if line.startswith(channel))
        assert word in text.splitlines()[line + 1], (channel, mean, level.target)


def _sweep_folder(tmp_path: Path, paths: list[str], values: list[list[object]]) -> SimpleNamespace:
    scenario = load_scenario(BASELINE)
    points = []
    for index, point_values in enumerate(values):
        folder = tmp_path / f"p{index:03d}"
        folder.mkdir()
        _summary(1_000.0 * (index + 1), seed=index).to_csv(folder / SUMMARY_CSV, index=False)
        (folder / "scenario.yaml").write_text(scenario_to_yaml(scenario), encoding="utf-8")
        points.append(
            SimpleNamespace(folder=folder.name, values=dict(zip(paths, point_values, strict=True)))
        )
    return SimpleNamespace(out_dir=tmp_path, points=points, paths=paths)


def test_sweep_table_fits_80_columns_and_marks_targets(tmp_path: Path) -> None:
    paths = ["pools.voice.schedule[3].agents", "policy.social_mode", "pools.digital.shrinkage"]
    values = [[30 + 5 * i, mode, 0.25] for i in range(3) for mode in ("serve", "deflect")]
    outcome = _sweep_folder(tmp_path, paths, values)
    text = _render(sweep_table(outcome, width=80))
    costs = [
        format_metric(
            "cost_total",
            pd.read_csv(tmp_path / p.folder / SUMMARY_CSV)
            .set_index(["scope", "metric"])
            .loc[("centre", "cost_total"), "mean"],
        )
        for p in outcome.points
    ]
    _assert_fits(text, ["deflect", "serve", "p005", *costs])
    assert "✓" in text or "✗" in text
    assert "agents = pools.voice.schedule[3].agents" in text
    assert "6 points" in text and "10 replications each" in text


def test_compare_table_fits_80_columns_and_keeps_every_difference() -> None:
    rng = np.random.default_rng(3)
    labels = ["baseline", "dedicated_social_team", "social_priority"]
    keys = [(s, m) for s, m in metric_keys(load_scenario(BASELINE)) if not s.startswith("pool")]
    rows = []
    for scope, metric in keys:
        for i, label in enumerate(labels):
            mean = rng.uniform(0.1, 0.9) if metric == "service_level" else rng.uniform(1e5, 2e6)
            diff = (
                (rng.normal() * 1e5, -2e5, 3e5, True, "paired")
                if i
                else (np.nan,) * 3
                + (
                    False,
                    "",
                )
            )
            rows.append((scope, metric, label, mean, mean * 0.9, mean * 1.1, *diff, np.nan, np.nan))
    frame = pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))
    text = _render(compare_table(frame, labels, width=80))
    totals = frame[(frame["metric"] == "cost_total")]
    figures = [format_metric("cost_total", m) for m in totals["mean"]]
    _assert_fits(text, [*figures, "Δ dedicated_social_team", "[-200,000, +300,000]"])


def test_plurals() -> None:
    assert plural(1, "replication") == "1 replication"
    assert plural(2, "worker") == "2 workers"
    assert plural(1234, "point") == "1,234 points"


def test_progress_is_plain_lines_when_not_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_module, "PLAIN_EVERY", 0.0)
    with progress_module.replication_progress(3, "baseline") as bar:
        assert isinstance(bar, progress_module.PlainLines)
        bar.every = 0.0
        for _ in range(3):
            bar.advance(bar.tasks[0].id)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("baseline: 1/3 replications")
    assert re.match(r"baseline: 3/3 replications, [\d.]+ s elapsed$", lines[-1])


def test_progress_lines_are_spaced_out(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_module.replication_progress(50, "baseline") as bar:
        for _ in range(50):
            bar.advance(bar.tasks[0].id)
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["baseline: 50/50 replications, " + lines[-1].split(", ", 1)[1]]


def test_notes_on_public_social_without_the_habit_or_a_price() -> None:
    assert scenario_notes(load_scenario(BASELINE)) == []  # customers' habit, impressions valued
    bare = ["demand.customers=null", "value=null"]
    notes = scenario_notes(load_scenario(BASELINE, bare))
    assert len(notes) == 2 and "public impressions are worth nothing" in notes[1]
    assert "jump-the-line habit is off" in notes[0]
    on = load_scenario(BASELINE, [*bare, "behaviour.jump_the_line.enabled=true"])
    assert len(scenario_notes(on)) == 1
    priced = load_scenario(
        BASELINE,
        [*bare, "behaviour.jump_the_line.enabled=true", "costs.public_impression.negative=0.05"],
    )
    assert scenario_notes(priced) == []
    no_social = load_scenario(ROOT / "scenarios" / "no_social.yaml")
    assert scenario_notes(no_social) == []


def test_run_prints_each_note_once(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sim.cli import main

    result = CliRunner().invoke(
        main,
        [
            "run",
            str(BASELINE),
            "-o",
            str(tmp_path / "out"),
            "--no-plots",
            "--workers",
            "1",
            "--replications",
            "1",
            "--set",
            "run.horizon=2h",
            "--set",
            "run.warmup=0s",
            "--set",
            "demand.issues_per_day=500",
            "--set",
            "value=null",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("public impressions are worth nothing") == 1
    assert "1 replication," in result.output and "1 worker)" in result.output


def _with_phone_level(summary: pd.DataFrame, mean: float, low: float, high: float) -> None:
    at = (summary["scope"] == "phone") & (summary["metric"] == "service_level")
    summary.loc[at, ["mean", "ci_low", "ci_high"]] = [mean, low, high]


@pytest.mark.parametrize(
    ("mean", "low", "high", "word"),
    [
        (0.83, 0.81, 0.85, "met"),  # the whole CI above the 80% target
        (0.81, 0.78, 0.84, "met?"),  # the mean meets it, the CI does not settle it
        (0.79, 0.76, 0.82, "missed?"),
        (0.75, 0.73, 0.77, "missed"),
    ],
)
def test_a_verdict_the_ci_does_not_settle_is_marked(mean, low, high, word) -> None:
    scenario = load_scenario(BASELINE)  # phone: 80% answered within 20 s
    summary = _summary(1_000.0)
    _with_phone_level(summary, mean, low, high)
    text = "".join(_render(t) for t in summary_tables(scenario, _table(summary), width=80))
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("phone"))
    assert re.search(rf"\b{re.escape(word)}(\s|$)", lines[at + 1]), lines[at + 1]
    assert ("not conclusive" in text) == word.endswith("?")


def test_sweep_marks_a_point_whose_ci_includes_the_target(tmp_path: Path) -> None:
    outcome = _sweep_folder(tmp_path, ["pools.digital.shrinkage"], [[0.2], [0.3]])
    for point, (mean, low, high) in zip(
        outcome.points, [(0.83, 0.81, 0.85), (0.81, 0.78, 0.84)], strict=True
    ):
        summary = pd.read_csv(tmp_path / point.folder / SUMMARY_CSV)
        others = summary["metric"] == "service_level"  # every other channel clearly met
        summary.loc[others, ["mean", "ci_low", "ci_high"]] = [0.99, 0.985, 0.995]
        _with_phone_level(summary, mean, low, high)
        summary.to_csv(tmp_path / point.folder / SUMMARY_CSV, index=False)
    text = _render(sweep_table(outcome, width=80))
    rows = [line for line in text.splitlines() if line.lstrip("│ ").startswith("p00")]
    assert "✓?" not in rows[0] and "✓" in rows[0]
    assert "✓?" in rows[1]
    assert "not conclusive" in text
