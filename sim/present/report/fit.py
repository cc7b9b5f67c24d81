"""``fit_report.html``: one self-contained page a planner checks a fitted scenario with.

The page shows the log at a glance, the plots of :mod:`sim.present.plots.fit` (arrivals by
weekday against the fitted demand, channel shapes against the shared profile, handle-time
histograms against the fitted densities, Kaplan–Meier patience against the exponential),
every estimate with its 95% interval, sample size and method (intraday profile weights are
summarised; ``fit.csv`` has each), what was not fitted and why, the notes, and the bad rows.
"""

from __future__ import annotations

import base64
import math
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from sim.present.plots.fit import CAPTIONS, fit_figures
from sim.present.plots.style import png_bytes
from sim.present.report.html import page, scope_html, write_page

if TYPE_CHECKING:
    from sim.studies.fit import Estimate, FitResult


def _number(value: float, unit: str = "") -> str:
    if not math.isfinite(value):
        return "–"
    if unit == "s":
        return f"{value / 60:.3g} min" if value >= 120 else f"{value:.3g} s"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _is_profile(parameter: str) -> bool:
    return parameter.startswith(("demand.profile[", "demand.profiles."))


def _estimate_rows(estimates: list[Estimate]) -> str:
    rows = []
    for e in estimates:
        if _is_profile(e.parameter):
            continue
        interval = f"{_number(e.ci_low, e.unit)} – {_number(e.ci_high, e.unit)}"
        rows.append(
            f"<tr><td><code>{escape(e.parameter)}</code></td>"
            f'<td class="num">{escape(_number(e.estimate, e.unit))}</td>'
            f'<td class="num">{escape(interval)}</td><td class="num">{e.n:,}</td>'
            f"<td>{escape(e.method)}</td></tr>"
        )
    profiles = sum(1 for e in estimates if _is_profile(e.parameter))
    note = (
        f'<p class="note">{profiles} intraday profile weights (each with its Wilson interval) '
        "are in fit.csv and plotted above.</p>"
        if profiles
        else ""
    )
    return (
        "<table><tr><th>parameter</th><th>estimate</th><th>95% interval</th><th>n</th>"
        f"<th>method</th></tr>{''.join(rows)}</table>{note}"
    )


def _summary(result: FitResult, yaml_name: str) -> str:
    s = result.summary
    contacts = "".join(
        f"<li>{scope_html(ch)}: {count:,} contacts</li>"
        for ch, count in s.get("contacts", {}).items()
    )
    bad = result.bad_rows
    return (
        '<ul class="headline">'
        f"<li>{s.get('rows', 0):,} log rows, {s.get('used', 0):,} used "
        f"({bad.dropped:,} dropped)</li>"
        f"<li>{escape(str(s.get('first', '')))} to {escape(str(s.get('last', '')))}: "
        f"{s.get('days', 0)} days with contacts, {s.get('complete_days', 0)} complete</li>"
        f"<li>{s.get('issues', 0):,} issues (first contacts)</li>{contacts}"
        f"<li>{len(result.estimates)} estimates; {len(result.unfitted)} parameters not "
        f"fitted (left at the base or default); fitted scenario: "
        f"<code>{escape(yaml_name)}</code></li></ul>"
    )


def _items(lines: list[str], empty: str) -> str:
    if not lines:
        return f'<p class="note">{escape(empty)}</p>'
    return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"


def _figure(name: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    caption = CAPTIONS.get(name, name)
    return (
        f'<figure id="plot-{escape(name)}"><img alt="{escape(caption)}" '
        f'src="data:image/png;base64,{data}"><figcaption>{escape(caption)}</figcaption></figure>'
    )


def fit_report_html(result: FitResult, yaml_name: str = "fitted.yaml") -> str:
    """The whole page as text (figures drawn and embedded)."""
    figures = {name: png_bytes(figure) for name, figure in fit_figures(result).items()}

    def plots(*names: str) -> str:
        return "".join(_figure(name, figures[name]) for name in names)

    sections = [
        ("log", "The log", _summary(result, yaml_name)),
        ("demand", "Demand", plots("fit_arrivals", "fit_profiles")),
        ("handle", "Handle times", plots("fit_handle_times")),
        ("patience", "Patience", plots("fit_patience")),
        ("estimates", "Estimates", _estimate_rows(result.estimates)),
        ("unfitted", "Not fitted", _items([str(u) for u in result.unfitted], "Everything.")),
        ("notes", "Notes", _items(result.notes, "No notes.")),
        ("bad", "Bad rows", _items(result.bad_rows.lines(), "Every row was usable.")),
    ]
    return page(
        f"Fit of {Path(result.source).name}",
        f"ccsim fit of {result.source}",
        sections,
        "A scenario fitted from a contact log: check each plot before trusting the numbers.",
    )


def write_fit_report(path: Path, result: FitResult, yaml_name: str = "fitted.yaml") -> Path:
    """Write ``fit_report.html`` atomically; returns its path."""
    return write_page(Path(path), fit_report_html(result, yaml_name))
