"""``ccsim export DIR --xlsx``: one workbook whose numbers are the CSVs' numbers."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from builders import mmc_data
from click.testing import CliRunner

from sim.cli import main
from sim.io.run_folder import COMPARE_COLUMNS


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    scenario = folder / "small.yaml"
    scenario.write_text(yaml.safe_dump(mmc_data(agents=4, per_hour=30.0, horizon="4h")))
    out = folder / "run"
    result = CliRunner().invoke(
        main, ["run", str(scenario), "-o", str(out), "--no-plots", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    return out


def _rows(sheet: openpyxl.worksheet.worksheet.Worksheet) -> pd.DataFrame:
    values = list(sheet.values)
    return pd.DataFrame(values[1:], columns=values[0])


def test_a_run_exports_its_tables_as_numbers(run_dir: Path) -> None:
    result = CliRunner().invoke(main, ["export", str(run_dir), "--xlsx"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(run_dir / "run.xlsx")
    assert book.sheetnames == ["summary", "intervals", "replications", "scenario"]
    summary = _rows(book["summary"])
    expected = pd.read_csv(run_dir / "summary.csv")
    assert list(summary["metric"]) == list(expected["metric"])
    assert summary.loc[summary["metric"] == "asa_seconds", "meaning"].iloc[0] == (
        "average speed of answer"
    )
    for got, want in zip(summary["mean"], expected["mean"], strict=True):
        assert (pd.isna(got) and math.isnan(want)) or got == pytest.approx(want, rel=1e-12)
    intervals = _rows(book["intervals"])
    assert len(intervals) == len(pd.read_csv(run_dir / "intervals.csv"))
    sheet = book["summary"]
    header = [c.value for c in sheet[1]]
    checked = False
    for row in sheet.iter_rows(min_row=2):
        metric, mean = row[header.index("metric")].value, row[header.index("mean")]
        if metric == "service_level" and mean.value is not None:
            assert mean.number_format == "0.0%" and isinstance(mean.value, float)
            checked = True
        if metric == "offered":
            assert mean.number_format != "0.0%"
        for cell in row:  # Excel shows 12 under "#,##0.####" as "12.": whole numbers get "#,##0"
            if isinstance(cell.value, float) and cell.number_format != "0.0%":
                want = "#,##0" if cell.value.is_integer() else "#,##0.0###"
                assert cell.number_format == want, (metric, cell.value, cell.number_format)
    assert checked
    assert book["summary"].freeze_panes == "A2"
    text = "\n".join(r[0] or "" for r in book["scenario"].iter_rows(min_row=2, values_only=True))
    assert yaml.safe_load(text)["name"] == "mmc"


def test_sweep_and_compare_folders_get_their_own_sheets(tmp_path: Path, run_dir: Path) -> None:
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    pd.DataFrame(
        {
            "pools.voice.agents": [4, 5],
            "scope": "phone",
            "metric": "service_level",
            "mean": [0.7, 0.8],
            "ci_low": 0.6,
            "ci_high": 0.9,
            "replications": 8,
        }
    ).to_csv(sweep / "sweep.csv", index=False)
    out = tmp_path / "sweep.xlsx"
    assert CliRunner().invoke(main, ["export", str(sweep), "--xlsx", "-o", str(out)]).exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames == ["sweep"]

    compare = tmp_path / "compare"
    compare.mkdir()
    row = dict.fromkeys(COMPARE_COLUMNS, 0.0) | {
        "scope": "centre",
        "metric": "cost_total",
        "scenario": "a",
        "clear": False,
        "method": "paired",
    }
    pd.DataFrame([row]).to_csv(compare / "compare.csv", index=False)
    long_name = "a_scenario_name_far_too_long_for_a_sheet"
    (compare / long_name).symlink_to(run_dir, target_is_directory=True)
    result = CliRunner().invoke(main, ["export", str(compare), "--xlsx"])
    assert result.exit_code == 0, result.output
    names = openpyxl.load_workbook(compare / "compare.xlsx").sheetnames
    assert names[0] == "compare" and len(names) == 2
    assert names[1].startswith("summary a_scenario") and len(names[1]) == 31


def test_a_folder_without_results_is_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", str(tmp_path), "--xlsx"])
    assert result.exit_code == 2
    assert "no summary.csv, sweep.csv or compare.csv" in result.output
    missing = CliRunner().invoke(main, ["export", str(tmp_path / "nope"), "--xlsx"])
    assert missing.exit_code == 2 and "no such folder" in missing.output
