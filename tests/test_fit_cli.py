"""``ccsim fit`` on the command line: ``ccsim run --trace`` output fits as it is, a log made
outside ccsim fits with ``--map``, and bad input exits 2 with readable lines and no files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from fit_generator import Truth, generate

from sim.cli import main
from sim.scenario import load_scenario

SCENARIO = {
    "name": "small",
    "run": {"horizon": "3d", "warmup": "2h", "replications": 1, "interval": "1h", "seed": 8},
    "demand": {
        "issues_per_day": 1500,
        "first_channel": {"phone": 0.6, "email": 0.3, "social": 0.1},
    },
    "channels": {
        "phone": {"patience": {"dist": "exponential", "mean": "2min"}},
        "social": {"exchanges": 2.0},
    },
    "pools": {
        "voice": {"agents": 6, "skills": ["phone"]},
        "digital": {"agents": 5, "skills": ["email", "social"]},
    },
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(map(str, args)))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli")
    scenario = folder / "small.yaml"
    scenario.write_text(yaml.safe_dump(SCENARIO))
    code, output = run("run", scenario, "-o", folder / "run", "--trace", "--quiet", "--no-plots")
    assert code == 0, output
    return folder / "run" / "trace", scenario


def test_a_run_trace_fits_as_it_is(trace: tuple[Path, Path], tmp_path: Path) -> None:
    folder, scenario = trace
    out = tmp_path / "fit" / "fitted.yaml"
    code, output = run("fit", folder, "-o", out, "--base", scenario)
    assert code == 0, output
    assert f"wrote {out}, {out.with_name('fit.csv')}, {out.with_name('fit_report.html')}" in output
    fitted = load_scenario(out)  # a valid, runnable scenario
    assert fitted.run.interval == 3600.0  # the base's interval
    assert fitted.demand.issues_per_day == pytest.approx(1500, rel=0.15)
    assert fitted.channels.phone.handle_time.mean == pytest.approx(360, rel=0.1)
    table = pd.read_csv(out.with_name("fit.csv"))
    assert list(table.columns) == ["parameter", "estimate", "ci_low", "ci_high", "n", "method"]
    assert "channels.social.exchanges" in set(table["parameter"])
    html = out.with_name("fit_report.html").read_text()
    assert html.count("data:image/png;base64,") == 4
    for heading in ("Demand", "Handle times", "Patience", "Estimates", "Not fitted", "Bad rows"):
        assert f">{heading}</h2>" in html
    # a second fit replaces its own outputs
    code, output = run("fit", folder, "-o", out, "--base", scenario, "--no-report", "--quiet")
    assert code == 0, output


def test_a_log_from_elsewhere_fits_with_map(tmp_path: Path) -> None:
    log = generate(Truth(days=14, issues_per_day=400.0), seed=9)
    log = log.rename(columns={"arrived_at": "Start Time", "wait_seconds": "Queue Secs"})
    log.loc[[3, 7], "Queue Secs"] = -5.0  # two bad rows, reported by number
    path = tmp_path / "export.csv"
    log.to_csv(path, index=False)
    out = tmp_path / "fitted.yaml"
    args = ["fit", path, "-o", out, "--no-report"]
    code, output = run(*args, "--map", "arrived_at=Start Time", "--map", "wait_seconds=Queue Secs")
    assert code == 0, output
    assert "bad rows: 2 rows: wait_seconds is negative (rows 5, 9); dropped" in output
    assert "weekdays:" in out.read_text()
    code, output = run(*args)
    assert code == 2
    assert "missing required column(s) arrived_at, wait_seconds" in output
    assert "rename an export's columns with --map ours=theirs" in output
    code, output = run(*args, "--map", "arrived_at")
    assert code == 2 and "--map 'arrived_at': give ours=theirs" in output
    code, output = run(*args, "--map", "arrived=Start Time")
    assert code == 2 and "--map names unknown column(s) arrived" in output


def test_a_log_with_no_usable_rows_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("arrived_at,channel,outcome,wait_seconds\nlater,phone,answered,3\n")
    out = tmp_path / "fitted.yaml"
    code, output = run("fit", path, "-o", out)
    assert code == 2
    assert (
        "no usable rows (1 row: arrived_at is missing or not an ISO-8601 timestamp (row 2)"
        in output
    )
    assert not out.exists() and not (tmp_path / "fit.csv").exists()


def test_fit_never_replaces_a_file_that_is_not_its_own(
    trace: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, _ = trace
    out = tmp_path / "fitted.yaml"
    out.write_text("name: mine\n")
    code, output = run("fit", folder, "-o", out, "--no-report")
    assert code == 2 and "is not the output of an earlier ccsim fit" in output
    assert out.read_text() == "name: mine\n"
    code, output = run("fit", folder, "-o", out, "--no-report", "--overwrite", "--quiet")
    assert code == 0 and out.read_text().startswith("# ccsim scenario fitted from a contact log")
    code, output = run("fit", folder, "-o", out, "--interval", "7min", "--overwrite")
    assert code == 2 and "does not divide a day evenly" in output
