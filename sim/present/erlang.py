"""The Erlang calculators' output: a table for people, or CSV for scripts."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from sim.analytic.tables import Row
from sim.present.format import format_seconds
from sim.scenario.units import format_duration


def _percent(x: float) -> str:
    return f"{x:.1%}"


def share_text(x: float) -> str:
    """A target as the user wrote it: 0.8 -> 80%, 0.805 -> 80.5%."""
    return f"{x * 100:g}%"


def _seconds(x: float) -> str:
    """A wait for people (∞ when the queue grows without bound)."""
    return "∞" if math.isinf(x) else format_seconds(x)


# (key in the row, column heading; {within} is filled in, formatter)
Column = tuple[str, str, Callable[[Any], str]]

COLUMNS: dict[str, list[Column]] = {
    "b": [
        ("agents", "agents", str),
        ("load_erlangs", "load\n(Erl)", "{:.2f}".format),
        ("blocking", "blocked", _percent),
        ("occupancy", "occupancy", _percent),
    ],
    "c": [
        ("agents", "agents", str),
        ("load_erlangs", "load\n(Erl)", "{:.2f}".format),
        ("p_wait", "waited", _percent),
        ("asa_seconds", "ASA", _seconds),
        ("service_level", "within\n{within}", _percent),
        ("occupancy", "occupancy", _percent),
    ],
    "a": [
        ("agents", "agents", str),
        ("load_erlangs", "load\n(Erl)", "{:.2f}".format),
        ("p_wait", "waited", _percent),
        ("p_abandon", "abandoned", _percent),
        ("asa_seconds", "ASA\nanswered", _seconds),
        ("service_level", "within\n{within}", _percent),
        ("occupancy", "occupancy", _percent),
    ],
}


def emit(
    model: str,
    rows: list[Row],
    *,
    as_csv: bool,
    title: str,
    within: float | None = None,
    meets: Callable[[Row], bool] | None = None,
    meets_label: str = "",
    note: str | None = None,
) -> None:
    """Print ``rows`` as a rich table (with ``title`` and ``note``) or as CSV."""
    if meets is not None:
        for row in rows:
            row["meets_target"] = meets(row)
    if as_csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_value(v) for k, v in row.items()})
        click.echo(buffer.getvalue(), nl=False)
        return
    table = Table(title=title, title_justify="left")
    threshold = duration_text(within) if within is not None else ""
    columns = COLUMNS[model]
    for _, heading, _ in columns:
        table.add_column(heading.format(within=threshold), justify="right")
    if meets is not None:
        table.add_column(meets_label, justify="center")
    for row in rows:
        cells = [fmt(row[key]) for key, _, fmt in columns]
        if meets is not None:
            cells.append("yes" if row["meets_target"] else "no")
        table.add_row(*cells)
    console = Console(highlight=False)
    console.print(table)
    if note:
        console.print(note)


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def duration_text(seconds: float) -> str:
    return format_duration(seconds) if seconds > 0 else "0s"


def rate_title(per_hour: float, aht: float) -> str:
    return f"{per_hour:g} calls/h × AHT {duration_text(aht)} = {per_hour * aht / 3600:.2f} Erl"
