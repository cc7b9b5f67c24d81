"""The sweep report: ``report.html`` of a sweep folder, key findings first."""

from __future__ import annotations

from html import escape
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd

from sim import __version__
from sim.io.layout import folder_label
from sim.io.run_folder import (
    PLOTS_FOLDER,
    REPORT_HTML,
)
from sim.present.format import (
    format_ci,
    format_metric,
)
from sim.present.plots.sweep import SWEEP_CAPTIONS, SWEEP_PLOTS, plot_sweep
from sim.present.plots.sweep_data import (
    Sweep,
    _cost_metric,
    _label,
    _metric_name,
    _show,
    frontier_data,
    read_sweep,
)
from sim.present.report.html import (
    cell,
    embedded_figures,
    page,
    scope_html,
    write_page,
)
from sim.scenario.units import format_duration


def sweep_key_metrics(sweep: Sweep) -> list[tuple[str, str]]:
    channels = sweep.channels()
    keys = [(c, "service_level") for c in channels]
    keys += [(c, "abandon_rate") for c in channels]
    keys += [(c, "asa_seconds") for c in channels]
    keys += [("centre", m) for m in ("cost_total", "cost_per_issue", "net_cost")]
    return [k for k in keys if sweep.value(*k).notna().any()]


def meets_targets(sweep: Sweep) -> pd.Series:
    """Per point: whether every channel with a target and contacts meets it (mean ≥ target)."""
    ok = pd.Series(True, index=sweep.points["point"])
    for channel in sweep.channels():
        if channel in sweep.targets:
            level = sweep.value(channel, "service_level")
            ok &= level.fillna(-1) >= sweep.targets[channel][1]
    return ok


def _point_text(sweep: Sweep, point: int) -> str:
    row = sweep.points.loc[point]
    where = f" (folder {row['folder']})" if row["folder"] else ""
    return f"<strong>{escape(row['label'])}</strong>{escape(where)}"


def _sweep_findings(sweep: Sweep) -> str:
    cost_metric = _cost_metric(sweep)
    cost = sweep.value("centre", cost_metric)
    items = []
    channels = [c for c in sweep.channels() if c in sweep.targets]
    if channels:
        ok = meets_targets(sweep)
        targets = ", ".join(
            f"{_label(c)} {sweep.targets[c][1]:.0%} within {format_duration(sweep.targets[c][0])}"
            for c in channels
        )
        items.append(
            f"<li>{int(ok.sum())} of {len(ok)} points meet every service-level target "
            f"({escape(targets)}; mean over replications).</li>"
        )
        if ok.any():
            best = int(cost[ok].idxmin())
            cost_ci = format_ci(cost_metric, *_ci(sweep, "centre", cost_metric, best))
            unsure = [
                _label(c)
                for c in channels
                if sweep.value(c, "service_level", "ci_low")[best] < sweep.targets[c][1]
            ]
            note = (
                f" The 95% CI of {', '.join(unsure)} service level includes its target: "
                "run more replications to be sure."
                if unsure
                else ""
            )
            items.append(
                f"<li>Cheapest point meeting every target: {_point_text(sweep, best)}, "
                f"{escape(_metric_name(cost_metric))} "
                f"<strong>{escape(format_metric(cost_metric, cost[best]))}</strong> "
                f"(95% CI {escape(cost_ci)})"
                f"; {escape(_levels(sweep, best))}.{escape(note)}</li>"
            )
        else:
            gap = sum(
                (sweep.value(c, "service_level") - sweep.targets[c][1]).clip(upper=0)
                for c in channels
            )
            best = int(gap.idxmax())
            items.append(
                f"<li>No point meets every target; the closest is {_point_text(sweep, best)}: "
                f"{escape(_levels(sweep, best))}.</li>"
            )
    else:
        channel = "phone" if "phone" in sweep.channels() else (sweep.channels() or ["phone"])[0]
        level = sweep.value(channel, "service_level")
        if level.notna().any():
            best = int(level.idxmax())
            items.append(
                "<li>No service-level targets are known; best "
                f"{escape(_label(channel))} service level at {_point_text(sweep, best)}: "
                f"{escape(_levels(sweep, best))}.</li>"
            )
    if cost.notna().any():
        cheap, dear = int(cost.idxmin()), int(cost.idxmax())
        items.append(
            f"<li>{escape(_metric_name(cost_metric).capitalize())} ranges from "
            f"{escape(format_metric(cost_metric, cost[cheap]))} "
            f"({escape(sweep.points.loc[cheap, 'label'])}) "
            f"to {escape(format_metric(cost_metric, cost[dear]))} "
            f"({escape(sweep.points.loc[dear, 'label'])}).</li>"
        )
    return f'<ul class="headline">{"".join(items)}</ul>'


def _ci(sweep: Sweep, scope: str, metric: str, point: int) -> tuple[float, float]:
    return (
        float(sweep.value(scope, metric, "ci_low")[point]),
        float(sweep.value(scope, metric, "ci_high")[point]),
    )


def _levels(sweep: Sweep, point: int) -> str:
    return ", ".join(
        f"{_label(c)} service level "
        + format_metric("service_level", sweep.value(c, "service_level")[point])
        for c in sweep.channels()
    )


TABLE_COLUMNS = 9
"""Metric columns per sweep table: more go to a further table, so each fits a 1280 px page."""


def _sweep_table(sweep: Sweep) -> str:
    """The points with their key metrics, in tables of at most :data:`TABLE_COLUMNS` metric
    columns (service levels and cost first, with the verdicts; then abandonment and waits)."""
    keys = sweep_key_metrics(sweep)
    ok = meets_targets(sweep) if sweep.targets else None
    on = set()
    frontier = frontier_data(sweep)
    if len(frontier):
        on = set(frontier.loc[frontier["frontier"], "point"])
    first = [k for k in keys if k[1] in ("service_level", "cost_total", "cost_per_issue")]
    rest = [k for k in keys if k not in first]
    groups = [first[i : i + TABLE_COLUMNS] for i in range(0, len(first), TABLE_COLUMNS)]
    groups += [rest[i : i + TABLE_COLUMNS] for i in range(0, len(rest), TABLE_COLUMNS)]
    tables = [
        _points_table(sweep, group, ok if i == 0 else None, on if i == 0 else None)
        for i, group in enumerate(groups)
    ]
    return (
        '<p class="note">Mean over replications, 95% CI below. Counts and costs are totals over '
        "the measured horizon; “on frontier”: on the Pareto frontier of the first frontier "
        "panel.</p>" + "".join(tables)
    )


def _points_table(
    sweep: Sweep, keys: list[tuple[str, str]], ok: pd.Series | None, on: set[int] | None
) -> str:
    head = "".join(f"<th>{escape(p)}</th>" for p in sweep.params)
    head += "".join(
        f"<th>{scope_html(s) if s != 'centre' else 'centre'}<br>{escape(_metric_name(m))}</th>"
        for s, m in keys
    )
    head += "<th>meets targets</th>" if ok is not None else ""
    head += "<th>on frontier</th>" if on is not None else ""
    body = []
    for _, point in sweep.points.iterrows():
        index = point["point"]
        cells = "".join(f"<td>{escape(_show(point[p]))}</td>" for p in sweep.params)
        for scope, metric in keys:
            mean = sweep.value(scope, metric)[index]
            low, high = _ci(sweep, scope, metric, index)
            cells += cell(metric, mean, low, high)
        if ok is not None:
            met = bool(ok[index])
            css, word = ("met", "yes") if met else ("missed", "no")
            cells += f'<td><span class="verdict {css}">{word}</span></td>'
        if on is not None:
            cells += f"<td>{'yes' if index in on else ''}</td>"
        folder = escape(point["folder"]) if point["folder"] else str(index)
        body.append(f"<tr><th>{folder}</th>{cells}</tr>")
    return (
        f"<table><thead><tr><th>point</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def sweep_report_html(sweep_dir: Path) -> str:
    sweep_dir = Path(sweep_dir)
    sweep = read_sweep(sweep_dir)
    replications = int(sweep.frame["replications"].max()) if len(sweep.frame) else 0
    meta = (
        f"sweep of {len(sweep.points)} points over {', '.join(sweep.params)} · "
        f"{replications} replications per point · ccsim {__version__} · "
        f"folder {folder_label(sweep_dir)}"
    )
    sections = [
        ("findings", "Key findings", _sweep_findings(sweep)),
        ("table", "Sweep table", _sweep_table(sweep)),
        ("plots", "Plots", embedded_figures(sweep_dir, SWEEP_PLOTS, SWEEP_CAPTIONS)),
    ]
    return page(f"{sweep.name}: sweep", meta, sections)


def write_sweep_report(sweep_dir: Path) -> Path:
    """Write ``sweep_dir/report.html`` (drawing the plots first if ``frontier.png`` is
    missing): key findings, the sweep table and every plot, all in one file."""
    sweep_dir = Path(sweep_dir)
    if not (sweep_dir / PLOTS_FOLDER / "frontier.png").is_file():
        plot_sweep(sweep_dir)
    return write_page(sweep_dir / REPORT_HTML, sweep_report_html(sweep_dir))
