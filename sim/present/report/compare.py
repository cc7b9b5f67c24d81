"""The comparison report: ``report.html`` of a compare folder, key findings first."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd

from sim import __version__
from sim.io.layout import folder_label
from sim.io.run_folder import (
    REPORT_HTML,
)
from sim.present.plots.compare import (
    COMPARE_CAPTIONS,
    COMPARE_PLOTS,
    Comparison,
    _signed,
    paired_differences_data,
    plot_compare,
    read_compare,
)
from sim.present.plots.sweep_data import _label, _metric_name
from sim.present.report.html import (
    cell,
    embedded_figures,
    page,
    scope_html,
    write_page,
)
from sim.scenario import (
    channel_names,
)


def _diff_text(metric: str, row: pd.Series) -> str:
    text = _signed(metric, row["diff"])
    if math.isfinite(row["diff_ci_low"]) and math.isfinite(row["diff_ci_high"]):
        low, high = _signed(metric, row["diff_ci_low"]), _signed(metric, row["diff_ci_high"])
        text += f" (95% CI {low} to {high})"
    return text


def _compare_findings(comparison: Comparison, diffs: pd.DataFrame) -> str:
    if diffs.empty:
        return '<p class="note">No differences to show.</p>'
    parts = []
    method = comparison.frame.get("method")
    methods = set(method.dropna()) if method is not None else set()
    how = (
        "paired replication by replication (common random numbers)"
        if methods == {"paired"}
        else ("Welch (unpaired)" if methods == {"welch"} else "paired where possible, else Welch")
    )
    for label in comparison.labels[1:]:
        rows = diffs[diffs["series"] == label]
        clear = rows[rows["clear"]]
        unclear = rows[~rows["clear"]]
        items = []
        for _, row in clear.iterrows():
            scope = "centre" if row["scope"] == "centre" else _label(row["scope"])
            items.append(
                f"<li>{escape(scope)} {escape(_metric_name(row['panel']))}: "
                f"<strong>{escape(_diff_text(row['panel'], row))}</strong></li>"
            )
        if not unclear.empty:
            names = ", ".join(
                ("" if r["scope"] == "centre" else _label(r["scope"]) + " ")
                + _metric_name(r["panel"])
                for _, r in unclear.iterrows()
            )
            items.append(f"<li>Not clear (the 95% CI includes 0): {escape(names)}.</li>")
        parts.append(
            f"<h3>{escape(label)} against {escape(comparison.reference)}: "
            f"{len(clear)} of {len(rows)} key differences clear</h3>"
            f'<ul class="headline">{"".join(items)}</ul>'
        )
    parts.append(
        f'<p class="note">Differences are {escape(how)}; a difference is clear when its '
        "95% CI excludes 0.</p>"
    )
    return "".join(parts)


def _compare_table(comparison: Comparison) -> str:
    frame = comparison.frame.set_index(["scope", "metric", "scenario"])
    keys = list(
        dict.fromkeys(zip(comparison.frame["scope"], comparison.frame["metric"], strict=True))
    )
    offered = (
        comparison.frame[comparison.frame["metric"] == "offered"].groupby("scope")["mean"].max()
    )
    keys = [k for k in keys if not (k[0] in channel_names() and not offered.get(k[0], 0) > 0)]
    head = "".join(f"<th>{escape(label)}</th>" for label in comparison.labels)
    head += "".join(f"<th>Δ {escape(label)}</th>" for label in comparison.labels[1:])
    body = []
    for scope, metric in keys:
        cells = ""
        for label in comparison.labels:
            row = (
                frame.loc[(scope, metric, label)] if (scope, metric, label) in frame.index else None
            )
            cells += (
                '<td class="num">–</td>'
                if row is None
                else cell(metric, row["mean"], row["ci_low"], row["ci_high"])
            )
        for label in comparison.labels[1:]:
            row = (
                frame.loc[(scope, metric, label)] if (scope, metric, label) in frame.index else None
            )
            if row is None or not math.isfinite(row["diff"]):
                cells += '<td class="num">–</td>'
                continue
            ci = ""
            if math.isfinite(row["diff_ci_low"]):
                low, high = (
                    _signed(metric, row["diff_ci_low"]),
                    _signed(metric, row["diff_ci_high"]),
                )
                ci = f"{low} to {high}"
            star = " *" if row["clear"] else ""
            css = ' class="num clear"' if row["clear"] else ' class="num"'
            value = (
                f"<strong>{escape(_signed(metric, row['diff']) + star)}</strong>"
                if row["clear"]
                else escape(_signed(metric, row["diff"]))
            )
            cells += f'<td{css}>{value}<span class="ci">{escape(ci)}</span></td>'
        body.append(
            f"<tr><th>{scope_html(scope)}</th><th>{escape(_metric_name(metric))} "
            f"<code>{escape(metric)}</code></th>{cells}</tr>"
        )
    return (
        '<p class="note">Each scenario: mean over replications, 95% CI below. Δ: difference from '
        f"{escape(comparison.reference)}, 95% CI below; * and bold: clear (the CI excludes 0).</p>"
        f"<table><thead><tr><th>scope</th><th>metric</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def compare_report_html(
    compare_dir: Path, run_dirs: Sequence[Path] | Mapping[str, Path] | None = None
) -> str:
    compare_dir = Path(compare_dir)
    comparison = read_compare(compare_dir, run_dirs)
    diffs = paired_differences_data(comparison)
    meta = (
        f"{len(comparison.labels)} scenarios: {', '.join(comparison.labels)} · "
        f"ccsim {__version__} · folder {folder_label(compare_dir)}"
    )
    sections = [
        ("findings", "Key findings", _compare_findings(comparison, diffs)),
        ("table", "Comparison table", _compare_table(comparison)),
        ("plots", "Plots", embedded_figures(compare_dir, COMPARE_PLOTS, COMPARE_CAPTIONS)),
    ]
    return page(f"Comparison: {' vs '.join(comparison.labels)}", meta, sections)


def write_compare_report(
    compare_dir: Path, run_dirs: Sequence[Path] | Mapping[str, Path] | None = None
) -> Path:
    """Write ``compare_dir/report.html`` (drawing the plots first): key findings, the table
    and every plot, all in one file."""
    compare_dir = Path(compare_dir)
    plot_compare(compare_dir, run_dirs)
    return write_page(compare_dir / REPORT_HTML, compare_report_html(compare_dir, run_dirs))
