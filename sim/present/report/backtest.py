"""``backtest_report.html``: the back-test's errors, per channel and overall, and its plots."""

from __future__ import annotations

import math
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from sim.present.plots.backtest import backtest_figures
from sim.present.report.html import embedded_figures, page, scope_html, write_page

if TYPE_CHECKING:
    from sim.studies.backtest import BacktestResult


def _share(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:.1%}"


def _points(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value * 100:+.1f} pts"


def error_table(result: BacktestResult) -> str:
    """Per channel and overall: intervals judged, contacts, service level logged and
    replayed, the MAE and bias of interval service level, ASA and abandonment errors."""
    rows = []
    for row in result.errors.itertuples(index=False):
        name = "<b>all channels</b>" if row.channel == "all" else scope_html(row.channel)
        asa = "–" if not math.isfinite(row.asa_mae_seconds) else f"{row.asa_mae_seconds:.0f} s"
        rows.append(
            f"<tr><td>{name}</td><td class='num'>{row.intervals:,}</td>"
            f"<td class='num'>{row.contacts:,}</td>"
            f"<td class='num'>{_share(row.service_level_logged)}</td>"
            f"<td class='num'>{_share(row.service_level_simulated)}</td>"
            f"<td class='num'>{_points(row.service_level_mae).lstrip('+')}</td>"
            f"<td class='num'>{_points(row.service_level_bias)}</td>"
            f"<td class='num'>{asa}</td>"
            f"<td class='num'>{_points(row.abandon_rate_mae).lstrip('+')}</td></tr>"
        )
    return (
        "<table><tr><th>channel</th><th>intervals</th><th>contacts</th><th>SL logged</th>"
        "<th>SL replayed</th><th>MAE of interval SL</th><th>bias</th><th>ASA MAE</th>"
        f"<th>abandonment MAE</th></tr>{''.join(rows)}</table>"
    )


def write_backtest_report(folder: Path, result: BacktestResult, log_name: str) -> Path:
    """Write ``backtest_report.html`` into ``folder`` (plots already in ``folder/plots``)."""
    names = list(backtest_figures_names(result))
    captions = {
        name: f"{name.removeprefix('backtest_')}: log and replay per interval" for name in names
    }
    notes = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
    overall = result.mae_service_level
    summary = (
        f"<p>Mean absolute error of interval service level, over every channel and interval "
        f"with enough logged contacts: <b>{overall * 100:.1f} points</b>. "
        f"{result.replications} replication{'s' if result.replications != 1 else ''} of the "
        "replay; the table in backtest.csv has every interval.</p>"
        + (f"<ul>{notes}</ul>" if notes else "")
    )
    sections = [
        ("errors", "Errors", summary + error_table(result)),
        ("plots", "Per channel", embedded_figures(folder, names, captions)),
    ]
    html = page(
        f"Back-test of {result.scenario.name} on {log_name}",
        "ccsim backtest: the logged contacts replayed through the scenario",
        sections,
    )
    return write_page(folder / "backtest_report.html", html)


def backtest_figures_names(result: BacktestResult) -> list[str]:
    """Names of the per-channel plots (as :func:`backtest_figures` makes them)."""
    return [f"backtest_{c}" for c in result.errors["channel"] if c != "all"]


__all__ = ["backtest_figures", "error_table", "write_backtest_report"]
