"""The run report (design.md §4: ``report.html``): one self-contained page per run.

The page embeds its plots as base64 data URIs and carries its own CSS: no scripts, fonts,
style sheets or images are fetched from anywhere, so it opens offline and can be forwarded
as a single file. Like the plots, it is built only from the run folder's saved outputs.

Order: title and description; key findings (each service-level target met or missed, with
abandonment, ASA and cost); the summary tables (mean and 95% CI); every plot; the resolved
scenario; the run's facts (seed, replications, wall time, throughput).
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from sim import __version__
from sim.plots import (
    CAPTIONS,
    CHANNEL_COLOURS,
    CHANNEL_LABELS,
    PLOTS,
    RunOutputs,
    atomic_write_bytes,
    plot_path,
    plot_run,
    read_run,
    service_targets,
)
from sim.scenario import ASSISTED, CHANNELS
from sim.scenario.units import format_duration

REPORT_NAME = "report.html"
SHARE_METRICS = {
    "service_level",
    "abandon_rate",
    "p_wait",
    "occupancy",
    "resolved_rate",
    "social_first_share_end",
}
DURATION_METRICS = {"asa_seconds"}
METRIC_LABELS = {
    "offered": "offered",
    "answered": "answered",
    "abandoned": "abandoned",
    "waiting_end": "still waiting at the end",
    "abandon_rate": "abandonment rate",
    "p_wait": "waited at all",
    "asa_seconds": "average speed of answer",
    "service_level": "service level",
    "occupancy": "occupancy",
    "agents_on_duty": "agents on duty (mean)",
    "paid_hours": "paid hours",
    "cost": "cost",
    "issues": "issues",
    "resolved": "resolved",
    "gave_up": "gave up",
    "open_end": "open at the end",
    "resolved_rate": "resolved rate",
    "contacts": "contacts",
    "contacts_per_issue": "contacts per issue",
    "social_first_share_end": "social-first share at the end",
    "public_negative": "negative public impressions",
    "public_positive": "positive public impressions",
    "cost_agents": "cost: agents",
    "cost_contacts": "cost: contacts",
    "cost_abandoned": "cost: abandoned contacts",
    "cost_unresolved": "cost: unresolved issues",
    "cost_public": "cost: public impressions",
    "cost_total": "total cost",
    "cost_per_issue": "cost per issue",
}

CSS = """
:root { --ink: #1d1d1d; --muted: #5a5a5a; --rule: #d9d9d9; --band: #f5f5f5;
        --met: #009E73; --missed: #D55E00; --open: #E69F00; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial,
       sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px;
     border-bottom: 2px solid var(--rule); }
h3 { font-size: 16px; margin: 22px 0 8px; }
p.description { font-size: 16px; margin: 4px 0 8px; }
p.meta, .note, figcaption { color: var(--muted); font-size: 13px; }
nav a { margin-right: 14px; font-size: 14px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 14px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { text-align: left; background: var(--band); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td .ci { display: block; color: var(--muted); font-size: 12px; }
code { font-size: 12px; color: var(--muted); }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px;
          border-radius: 2px; vertical-align: baseline; }
.verdict { font-weight: 700; white-space: nowrap; }
.verdict.met { color: var(--met); }
.verdict.missed { color: var(--missed); }
.verdict .why { display: block; font-weight: 400; color: var(--muted); font-size: 12px;
                white-space: normal; }
ul.headline { padding-left: 20px; }
ul.headline li { margin: 3px 0; }
figure { margin: 18px 0 28px; }
figure img { width: 100%; height: auto; border: 1px solid var(--rule); }
pre { background: var(--band); padding: 12px 14px; overflow-x: auto; font-size: 12.5px;
      line-height: 1.35; border: 1px solid var(--rule); }
@media print { h2 { break-after: avoid; } figure { break-inside: avoid; } }
"""


# --- formatting -------------------------------------------------------------------------------


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def format_number(value: float) -> str:
    """A count, cost or ratio with sensible precision: ``185,580``, ``37.8``, ``1.09``."""
    if not _finite(value):
        return "–"
    value = float(value)
    if value == round(value) and abs(value) < 1e15:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def format_seconds(seconds: float) -> str:
    """A duration in a readable unit: ``3.2 s``, ``54.1 min``, ``2.3 h``."""
    if not _finite(seconds):
        return "–"
    seconds = float(seconds)
    if abs(seconds) < 120:
        return f"{seconds:.1f} s"
    if abs(seconds) < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def format_metric(metric: str, value: float) -> str:
    """``value`` of ``metric`` as the report shows it (shares in %, waits as durations)."""
    if not _finite(value):
        return "–"
    if metric in SHARE_METRICS:
        return f"{float(value):.1%}"
    if metric in DURATION_METRICS:
        return format_seconds(value)
    return format_number(value)


def _bounded(metric: str, low: float, high: float) -> tuple[float, float]:
    """Clip a t-interval to the metric's possible range (shares in [0, 1], counts ≥ 0)."""
    if metric.startswith("cost"):
        return low, high
    low, high = max(low, 0.0), max(high, 0.0)
    if metric in SHARE_METRICS:
        low, high = min(low, 1.0), min(high, 1.0)
    return low, high


def format_ci(metric: str, low: float, high: float) -> str:
    """The 95% CI as ``low – high`` in the metric's format, or ``""`` if there is none."""
    if not (_finite(low) and _finite(high)):
        return ""
    low, high = _bounded(metric, float(low), float(high))
    return f"{format_metric(metric, low)} – {format_metric(metric, high)}"


def _cell(metric: str, row: pd.Series | None) -> str:
    if row is None:
        return '<td class="num">–</td>'
    ci = format_ci(metric, row["ci_low"], row["ci_high"])
    ci_html = f'<span class="ci">{escape(ci)}</span>' if ci else ""
    return f'<td class="num">{escape(format_metric(metric, row["mean"]))}{ci_html}</td>'


def _metric_label(metric: str) -> str:
    label = METRIC_LABELS.get(metric, metric.replace("_", " "))
    return f"{escape(label)} <code>{escape(metric)}</code>"


def _scope_label(scope: str) -> str:
    if scope.startswith("pool:"):
        return escape(scope[5:])
    colour = CHANNEL_COLOURS.get(scope)
    swatch = f'<span class="swatch" style="background:{colour}"></span>' if colour else ""
    return swatch + escape(CHANNEL_LABELS.get(scope, scope))


# --- reading ----------------------------------------------------------------------------------


class _Summary:
    """Lookup of ``summary.csv`` rows by scope and metric."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.rows = {(r["scope"], r["metric"]): r for _, r in frame.iterrows()}

    def get(self, scope: str, metric: str) -> pd.Series | None:
        return self.rows.get((scope, metric))

    def mean(self, scope: str, metric: str) -> float:
        row = self.get(scope, metric)
        return float(row["mean"]) if row is not None and _finite(row["mean"]) else math.nan

    def metrics(self, scope: str) -> list[str]:
        return list(dict.fromkeys(self.frame.loc[self.frame["scope"] == scope, "metric"]))

    def scopes(self) -> list[str]:
        return list(dict.fromkeys(self.frame["scope"]))

    def channels(self) -> list[str]:
        """Channels in the summary that were offered any contact, in the usual order."""
        return [c for c in CHANNELS if self.mean(c, "offered") > 0]


def _run_facts(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "run.json"
    try:
        facts = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return facts if isinstance(facts, dict) else {}


# --- sections ---------------------------------------------------------------------------------


def _verdict(level: pd.Series, target: float) -> tuple[str, str, str]:
    """``(css class, word, why)`` for a service level against its target."""
    mean, low, high = (float(level[k]) for k in ("mean", "ci_low", "ci_high"))
    met = mean >= target
    word = "met" if met else "missed"
    why = ""
    if _finite(low) and _finite(high) and low < target <= high:
        why = "not conclusive: the 95% CI includes the target; run more replications"
    elif not (_finite(low) and _finite(high)):
        why = "no CI: a single replication"
    return ("met" if met else "missed"), word, why


def _findings(summary: _Summary, targets: dict[str, tuple[float, float]]) -> str:
    """Key findings: service-level verdicts per channel, then cost."""
    rows = []
    verdicts = []
    for channel in summary.channels():
        if channel not in ASSISTED or channel not in targets:
            continue
        level = summary.get(channel, "service_level")
        if level is None or not _finite(level["mean"]):
            continue
        within, target = targets[channel]
        css, word, why = _verdict(level, target)
        verdicts.append(word)
        why_html = f'<span class="why">{escape(why)}</span>' if why else ""
        rows.append(
            "<tr>"
            f"<td>{_scope_label(channel)}</td>"
            f'<td><span class="verdict {css}">{escape(word)}</span>{why_html}</td>'
            f"{_cell('service_level', level)}"
            f'<td class="num">{escape(f"{target:.0%}")} within '
            f"{escape(format_duration(within))}</td>"
            f"{_cell('abandon_rate', summary.get(channel, 'abandon_rate'))}"
            f"{_cell('asa_seconds', summary.get(channel, 'asa_seconds'))}"
            "</tr>"
        )
    parts = []
    if verdicts:
        met = verdicts.count("met")
        parts.append(
            f"<p><strong>{met} of {len(verdicts)} service-level target"
            f"{'s' if len(verdicts) != 1 else ''} met</strong> (mean over replications "
            "against the target; 95% CI below each figure).</p>"
        )
        parts.append(
            "<table><thead><tr><th>channel</th><th>target met?</th><th>service level</th>"
            "<th>target</th><th>abandoned</th><th>average speed of answer</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    else:
        parts.append('<p class="note">No channel with a service-level target had contacts.</p>')
    items = []
    for metric in ("cost_total", "cost_per_issue"):
        row = summary.get("centre", metric)
        if row is None:
            continue
        ci = format_ci(metric, row["ci_low"], row["ci_high"])
        ci_text = f" (95% CI {ci})" if ci else ""
        items.append(
            f"<li>{escape(METRIC_LABELS[metric].capitalize())}: "
            f"<strong>{escape(format_metric(metric, row['mean']))}</strong>{escape(ci_text)}</li>"
        )
    occupancy = [
        escape(f"{scope[5:]} {format_metric('occupancy', summary.mean(scope, 'occupancy'))}")
        for scope in summary.scopes()
        if scope.startswith("pool:")
    ]
    if occupancy:
        items.append(f"<li>Occupancy: {', '.join(occupancy)}</li>")
    resolved = summary.get("centre", "resolved_rate")
    if resolved is not None:
        items.append(
            f"<li>Issues resolved: {escape(format_metric('resolved_rate', resolved['mean']))}</li>"
        )
    if items:
        parts.append(f'<ul class="headline">{"".join(items)}</ul>')
    return "".join(parts)


def _table(summary: _Summary, scopes: list[str], heading: str) -> str:
    """Metrics as rows, scopes as columns: mean over the 95% CI in each cell."""
    if not scopes:
        return ""
    metrics = list(dict.fromkeys(m for scope in scopes for m in summary.metrics(scope)))
    head = "".join(f"<th>{_scope_label(scope)}</th>" for scope in scopes)
    body = "".join(
        f"<tr><th>{_metric_label(metric)}</th>"
        + "".join(_cell(metric, summary.get(scope, metric)) for scope in scopes)
        + "</tr>"
        for metric in metrics
    )
    return (
        f"<h3>{escape(heading)}</h3>"
        f"<table><thead><tr><th>metric</th>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _summary_tables(summary: _Summary) -> str:
    channels = summary.channels()
    quiet = [c for c in CHANNELS if c in summary.scopes() and c not in channels]
    pools = [s for s in summary.scopes() if s.startswith("pool:")]
    centre = ["centre"] if "centre" in summary.scopes() else []
    left_out = ", ".join(map(_scope_label, quiet))
    note = f'<p class="note">Channels with no contacts are left out: {left_out}.</p>'
    note = note if quiet else ""
    return (
        _table(summary, channels, "Channels")
        + note
        + _table(summary, pools, "Pools")
        + _table(summary, centre, "Centre")
    )


def embedded_figures(folder: Path, names: Iterable[str], captions: Mapping[str, str]) -> str:
    """The folder's ``plots/<name>.png`` files as ``<figure>``s with base64 data URIs, so the
    page needs nothing outside itself; plots that were not drawn are left out."""
    figures = []
    for name in names:
        path = plot_path(folder, name)
        if not path.is_file():
            continue
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        caption = captions.get(name, name)
        figures.append(
            f'<figure id="plot-{escape(name)}">'
            f'<img alt="{escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{escape(caption)} <code>plots/{escape(name)}.png</code>"
            "</figcaption></figure>"
        )
    return "".join(figures) or '<p class="note">No plots were drawn.</p>'


RUN_FACTS = [
    ("seed", "seed", str),
    ("replications", "replications", str),
    ("wall_seconds", "wall time", lambda v: f"{float(v):,.1f} s"),
    ("contacts_simulated", "contacts simulated", lambda v: f"{int(v):,}"),
    ("contacts_per_second", "contacts per second", lambda v: f"{float(v):,.0f}"),
    ("workers", "worker processes", str),
    ("started_at", "started at", str),
    ("ccsim_version", "ccsim version", str),
    ("streams", "random streams", str),
]


def _facts(facts: dict[str, Any]) -> str:
    if not facts:
        return '<p class="note">run.json is missing or unreadable.</p>'
    rows = []
    shown = set()
    for key, label, fmt in RUN_FACTS:
        if key in facts and facts[key] is not None:
            try:
                text = fmt(facts[key])
            except (TypeError, ValueError):
                text = str(facts[key])
            rows.append(f"<tr><th>{escape(label)}</th><td>{escape(text)}</td></tr>")
            shown.add(key)
    for key, value in facts.items():
        if key not in shown and key != "scenario":
            rows.append(f"<tr><th>{escape(str(key))}</th><td>{escape(str(value))}</td></tr>")
    return f"<table><tbody>{''.join(rows)}</tbody></table>"


# --- the page ---------------------------------------------------------------------------------


def run_report_html(run_dir: Path, run: RunOutputs | None = None) -> str:
    """The report page for the run in ``run_dir`` (plots are embedded if drawn)."""
    run_dir = Path(run_dir)
    run = run if run is not None else read_run(run_dir)
    summary = _Summary(run.summary)
    facts = _run_facts(run_dir)
    scenario = run.scenario
    name = scenario.name if scenario is not None else str(facts.get("scenario", run.info.name))
    description = scenario.description if scenario is not None else ""
    yaml_text = (run_dir / "scenario.yaml").read_text(encoding="utf-8", errors="replace")
    replications = facts.get("replications", run.info.replications)
    meta = (
        f"{replications} replications · seed {facts.get('seed', '–')} · "
        f"ccsim {facts.get('ccsim_version', __version__)} · run folder {run_dir.resolve().name}"
    )
    description_html = f'<p class="description">{escape(description)}</p>' if description else ""
    sections = [
        ("findings", "Key findings", _findings(summary, service_targets(scenario))),
        (
            "summary",
            "Summary",
            '<p class="note">Mean over replications, with the t-based 95% confidence '
            "interval below it (clipped to the metric's possible range). Counts and costs "
            "are totals over the measured horizon.</p>" + _summary_tables(summary),
        ),
        ("plots", "Plots", embedded_figures(run_dir, PLOTS, CAPTIONS)),
        ("scenario", "Resolved scenario", f"<pre>{escape(yaml_text)}</pre>"),
        ("run", "Run", _facts(facts)),
    ]
    nav = "".join(f'<a href="#{key}">{escape(title)}</a>' for key, title, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{escape(title)}</h2>{content}</section>'
        for key, title, content in sections
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(name)} — ccsim report</title>"
        f"<style>{CSS}</style></head>\n"
        f"<body><main><header><h1>{escape(name)}</h1>{description_html}"
        f'<p class="meta">{escape(meta)}</p><nav>{nav}</nav></header>\n'
        f"{body}\n"
        f'<footer class="note"><p>Made by ccsim {escape(__version__)} from the files in this '
        "run folder.</p></footer></main></body></html>\n"
    )


def write_run_report(run_dir: Path) -> Path:
    """Write ``run_dir/report.html`` (drawing the plots first if any is missing)."""
    run_dir = Path(run_dir)
    run = read_run(run_dir)
    if not all(plot_path(run_dir, name).is_file() for name in PLOTS):
        plot_run(run_dir)
    path = run_dir / REPORT_NAME
    atomic_write_bytes(path, run_report_html(run_dir, run).encode("utf-8"))
    return path
