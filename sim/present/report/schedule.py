"""``report.html`` of ``ccsim schedule``: the plan's size and cost, the service it gives with
fresh seeds next to the original staffing, and its coverage of the requirement."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from sim.present.format import format_metric
from sim.present.report.html import page, write_page
from sim.present.schedule import PoolSize
from sim.present.staffing import format_stat
from sim.studies.staffing.changes import Change
from sim.studies.staffing.targets import Target


def _sizes(before: Sequence[PoolSize], after: Sequence[PoolSize]) -> str:
    planned = {size.pool: size for size in after}
    rows = "".join(
        f"<tr><td>{escape(old.pool)}</td>"
        f'<td class="num">{old.agents}</td><td class="num">{planned[old.pool].agents}</td>'
        f'<td class="num">{old.paid_hours:,.0f}</td>'
        f'<td class="num">{planned[old.pool].paid_hours:,.0f}</td>'
        f'<td class="num">{old.cost:,.0f}</td><td class="num">{planned[old.pool].cost:,.0f}</td>'
        "</tr>"
        for old in before
        if old.pool in planned
    )
    head = (
        "<tr><th>pool</th><th>agents before</th><th>agents after</th><th>paid h/wk before</th>"
        "<th>paid h/wk after</th><th>pay/wk before</th><th>pay/wk after</th></tr>"
    )
    return f"<table>{head}{rows}</table>"


def _targets(verdicts: Mapping[Target, str], changes: Sequence[Change]) -> str:
    by_key = {c.key: c for c in changes}
    rows = []
    for target, verdict in verdicts.items():
        change = by_key.get(target.key)
        before = format_stat(target.metric, change.before if change else None, 0.95)
        after = format_stat(target.metric, change.after if change else None, 0.95)
        rows.append(
            f"<tr><td><code>{escape(str(target))}</code></td><td class='num'>{escape(before)}</td>"
            f"<td class='num'>{escape(after)}</td><td>{escape(verdict)}</td></tr>"
        )
    head = "<tr><th>target</th><th>original</th><th>schedule</th><th>verdict</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _changes(changes: Sequence[Change]) -> str:
    rows = []
    for c in changes:
        metric = c.key[1]
        diff = format_metric(metric, c.diff) if c.diff == c.diff else "–"
        flag = "clearly worse" if c.worse else ""
        rows.append(
            f"<tr><td>{escape(c.key[0])}.{escape(metric)}</td>"
            f"<td class='num'>{escape(format_stat(metric, c.before, 0.0))}</td>"
            f"<td class='num'>{escape(format_stat(metric, c.after, 0.0))}</td>"
            f"<td class='num'>{escape(diff)}</td><td>{flag}</td></tr>"
        )
    head = "<tr><th>figure</th><th>original</th><th>schedule</th><th>change</th><th></th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def write_schedule_report(
    path: Path,
    name: str,
    meta: str,
    sizes: tuple[Sequence[PoolSize], Sequence[PoolSize]],
    verdicts: Mapping[Target, str],
    changes: Sequence[Change],
    coverage_png: Path,
    notes: Sequence[str],
) -> Path:
    """Write the page (the coverage plot embedded) and return its path."""
    image = base64.b64encode(coverage_png.read_bytes()).decode("ascii")
    figure = (
        f'<figure><img alt="scheduled vs needed" src="data:image/png;base64,{image}">'
        "<figcaption>Scheduled agents on the floor against those needed, per interval of "
        "the week; net staffing shaded (red: short).</figcaption></figure>"
    )
    listed = "".join(f"<li>{escape(n)}</li>" for n in notes)
    sections = [
        ("size", "Agents, paid hours and pay per week", _sizes(*sizes)),
        ("targets", "Targets with fresh seeds (mean, 95% CI)", _targets(verdicts, changes)),
        ("channels", "Every channel and pool (same seeds)", _changes(changes)),
        ("coverage", "Coverage of the requirement", figure),
        ("notes", "Notes", f'<ul class="headline">{listed}</ul>' if listed else "<p>None.</p>"),
    ]
    return write_page(path, page(f"Schedule — {name}", meta, sections))
