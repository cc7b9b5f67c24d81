"""One Excel workbook of a run, sweep or compare folder, for planners who live in Excel.

Built from the folder's saved CSV files (nothing is simulated): a run gives the sheets
``summary`` (with each metric's meaning), ``intervals``, ``replications`` and ``scenario``
(the resolved YAML, a line per row); a sweep adds ``sweep``; a comparison adds ``compare``
and the summary of each compared run found in the folder. Numbers stay numbers — shares
carry a percent format, never text — so formulas and pivot tables work on them. The file is
written whole or not at all.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sim.experiment.catalogue import SHARE_METRICS
from sim.io.atomic import atomic_write_bytes
from sim.io.run_folder import (
    COMPARE_CSV,
    INTERVALS_CSV,
    REPLICATIONS_CSV,
    SCENARIO_YAML,
    SUMMARY_CSV,
    SWEEP_CSV,
)
from sim.present.format import metric_label

PERCENT = "0.0%"
WHOLE = "#,##0"
NUMBER = "#,##0.0###"
"""Up to four decimals, at least one: Excel shows a whole number under ``#,##0.####`` with
a trailing point (``12.``), so whole numbers get :data:`WHOLE`."""
MAX_SHEET_NAME = 31
SHARE_COLUMNS = ("service_level", "occupancy", "social_first_share")
VALUE_COLUMNS = ("mean", "ci_low", "ci_high", "value", "diff", "diff_ci_low", "diff_ci_high")
VALUE_COLUMNS += ("unpaired_ci_low", "unpaired_ci_high")


class NothingToExport(ValueError):
    """A folder with none of the files a workbook is made from."""


def sheets_of(folder: Path) -> dict[str, pd.DataFrame]:
    """Sheet name -> table for everything ``folder`` holds, in reading order."""
    folder = Path(folder)
    sheets: dict[str, pd.DataFrame] = {}
    if (folder / SWEEP_CSV).is_file():
        sheets["sweep"] = _labelled(pd.read_csv(folder / SWEEP_CSV))
    if (folder / COMPARE_CSV).is_file():
        sheets["compare"] = _labelled(pd.read_csv(folder / COMPARE_CSV))
        for run in sorted(p for p in folder.iterdir() if (p / SUMMARY_CSV).is_file()):
            sheets[_sheet_name(f"summary {run.name}", sheets)] = _labelled(
                pd.read_csv(run / SUMMARY_CSV)
            )
    if (folder / SUMMARY_CSV).is_file():
        sheets["summary"] = _labelled(pd.read_csv(folder / SUMMARY_CSV))
    if (folder / INTERVALS_CSV).is_file():
        sheets["intervals"] = pd.read_csv(folder / INTERVALS_CSV)
    if (folder / REPLICATIONS_CSV).is_file():
        sheets["replications"] = pd.read_csv(folder / REPLICATIONS_CSV)
    if (folder / SCENARIO_YAML).is_file():
        lines = (folder / SCENARIO_YAML).read_text(encoding="utf-8").splitlines()
        sheets["scenario"] = pd.DataFrame({"scenario.yaml": lines})
    if not sheets:
        raise NothingToExport(
            f"{folder}: no summary.csv, sweep.csv or compare.csv to export; give a folder "
            "written by run, sweep or compare"
        )
    return sheets


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``meaning`` column beside ``metric`` (a metric's name in words)."""
    if "metric" not in frame:
        return frame
    position = list(frame.columns).index("metric") + 1
    frame = frame.copy()
    frame.insert(position, "meaning", frame["metric"].map(metric_label))
    return frame


def _sheet_name(name: str, taken: dict[str, pd.DataFrame]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "_", name)[:MAX_SHEET_NAME]
    base, count = name, 2
    while name in taken:
        suffix = f" {count}"
        name, count = base[: MAX_SHEET_NAME - len(suffix)] + suffix, count + 1
    return name


def write_workbook(folder: Path, path: Path | None = None) -> Path:
    """Write the workbook of ``folder`` (default ``folder/<folder name>.xlsx``); returns
    its path."""
    folder = Path(folder)
    path = Path(path) if path is not None else folder / f"{folder.resolve().name}.xlsx"
    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets_of(folder).items():
        _fill(book.create_sheet(name), frame)
    buffer = io.BytesIO()
    book.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def _fill(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """The table with a frozen, filterable header, readable widths and number formats:
    percent for shares (by metric row, or by column in interval tables)."""
    columns = list(frame.columns)
    sheet.append(columns)
    metric_at = columns.index("metric") if "metric" in columns else None
    share_columns = {i for i, c in enumerate(columns) if c in SHARE_COLUMNS}
    value_columns = {i for i, c in enumerate(columns) if c in VALUE_COLUMNS}
    for row in frame.itertuples(index=False):
        values = [None if _missing(v) else _plain(v) for v in row]
        sheet.append(values)
        share_row = metric_at is not None and row[metric_at] in SHARE_METRICS
        for i, value in enumerate(values):
            if not isinstance(value, int | float) or isinstance(value, bool):
                continue
            cell = sheet.cell(row=sheet.max_row, column=i + 1)
            percent = i in share_columns or (share_row and i in value_columns)
            whole = float(value).is_integer()
            cell.number_format = PERCENT if percent else WHOLE if whole else NUMBER
    sheet.freeze_panes = "A2"
    if len(frame):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    for i, column in enumerate(columns, start=1):
        sample = [str(column), *(str(v) for v in frame.iloc[:200, i - 1])]
        width = min(max(len(text) for text in sample) + 2, 60)
        sheet.column_dimensions[get_column_letter(i)].width = width


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: object) -> object:
    """numpy scalars as Python numbers (openpyxl writes those)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value
