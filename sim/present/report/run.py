"""The run report: ``report.html`` of a run folder, one self-contained page.

Built only from the run folder's saved outputs. Order: title and description; key findings
(each service-level target met or missed, with abandonment, ASA and cost); the summary
tables (mean and 95% CI); every plot; the resolved scenario; the run's facts (seed,
replications, wall time, throughput).
"""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pandas as pd

from sim import __version__
from sim.experiment.service_levels import definition_metric, describe
from sim.io.layout import folder_label
from sim.io.run_folder import (
    REPORT_HTML,
    RUN_JSON,
    SCENARIO_YAML,
)
from sim.present.format import (
    METRIC_LABELS,
    finite,
    format_ci,
    format_metric,
    inconclusive,
)
from sim.present.plots.run import CAPTIONS, PLOTS, plot_run
from sim.present.plots.run_data import RunOutputs, read_run, service_targets
from sim.present.plots.style import plot_path
from sim.present.report.html import (
    embedded_figures,
    metric_html,
    page,
    scope_html,
    summary_cell,
    write_page,
)
from sim.scenario import (
    Scenario,
    assisted_names,
    channel_names,
)
from sim.scenario.units import format_duration

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
        return float(row["mean"]) if row is not None and finite(row["mean"]) else math.nan

    def metrics(self, scope: str) -> list[str]:
        return list(dict.fromkeys(self.frame.loc[self.frame["scope"] == scope, "metric"]))

    def scopes(self) -> list[str]:
        return list(dict.fromkeys(self.frame["scope"]))

    def channels(self) -> list[str]:
        """Channels in the summary that were offered any contact, in the usual order."""
        return [c for c in channel_names() if self.mean(c, "offered") > 0]


def _run_facts(run_dir: Path) -> dict[str, Any]:
    path = run_dir / RUN_JSON
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
    if inconclusive(target, low, high):
        why = "not conclusive: the 95% CI includes the target; run more replications"
    elif not (finite(low) and finite(high)):
        why = "no CI: a single replication"
    return ("met" if met else "missed"), word, why


def _findings(
    summary: _Summary, targets: dict[str, tuple[float, float]], scenario: Scenario | None = None
) -> str:
    """Key findings: service-level verdicts per channel (on the definition each channel
    names, said beside its target), then cost."""
    rows = []
    verdicts = []
    for channel in summary.channels():
        if channel not in assisted_names() or channel not in targets:
            continue
        section = getattr(scenario.channels, channel, None) if scenario is not None else None
        spec = getattr(section, "service_level", None)
        metric = definition_metric(spec)
        defined = f" ({describe(spec)})" if metric != "service_level" else ""
        level = summary.get(channel, metric)
        if level is None or not finite(level["mean"]):
            continue
        within, target = targets[channel]
        css, word, why = _verdict(level, target)
        verdicts.append(word)
        why_html = f'<span class="why">{escape(why)}</span>' if why else ""
        rows.append(
            "<tr>"
            f"<td>{scope_html(channel)}</td>"
            f'<td><span class="verdict {css}">{escape(word)}</span>{why_html}</td>'
            f"{summary_cell(metric, level)}"
            f'<td class="num">{escape(f"{target:.0%}")} within '
            f"{escape(format_duration(within))}{escape(defined)}</td>"
            f"{summary_cell('abandon_rate', summary.get(channel, 'abandon_rate'))}"
            f"{summary_cell('asa_seconds', summary.get(channel, 'asa_seconds'))}"
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
    for metric in ("cost_total", "cost_per_issue", "revenue_at_risk", "net_cost"):
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
    head = "".join(f"<th>{scope_html(scope)}</th>" for scope in scopes)
    body = "".join(
        f"<tr><th>{metric_html(metric)}</th>"
        + "".join(summary_cell(metric, summary.get(scope, metric)) for scope in scopes)
        + "</tr>"
        for metric in metrics
    )
    return (
        f"<h3>{escape(heading)}</h3>"
        f"<table><thead><tr><th>metric</th>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _summary_tables(summary: _Summary) -> str:
    channels = summary.channels()
    quiet = [c for c in channel_names() if c in summary.scopes() and c not in channels]
    pools = [s for s in summary.scopes() if s.startswith("pool:")]
    centre = ["centre"] if "centre" in summary.scopes() else []
    left_out = ", ".join(map(scope_html, quiet))
    note = f'<p class="note">Channels with no contacts are left out: {left_out}.</p>'
    note = note if quiet else ""
    return (
        _table(summary, channels, "Channels")
        + note
        + _table(summary, pools, "Pools")
        + _table(summary, centre, "Centre")
    )


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


def _notes(scenario: Any) -> str:
    """What the scenario's settings leave out (jump the line off, impressions unpriced)."""
    if scenario is None:
        return ""
    from sim.present.explain import scenario_notes

    return "".join(f'<p class="note">Note: {escape(note)}</p>' for note in scenario_notes(scenario))


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
    yaml_text = (run_dir / SCENARIO_YAML).read_text(encoding="utf-8", errors="replace")
    replications = facts.get("replications", run.info.replications)
    meta = (
        f"{replications} replications · seed {facts.get('seed', '–')} · "
        f"ccsim {facts.get('ccsim_version', __version__)} · run folder {folder_label(run_dir)}"
    )
    sections = [
        (
            "findings",
            "Key findings",
            _findings(summary, service_targets(scenario), scenario) + _notes(scenario),
        ),
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
    return page(name, meta, sections, description)


def write_run_report(run_dir: Path) -> Path:
    """Write ``run_dir/report.html`` (drawing the plots first if any is missing)."""
    run_dir = Path(run_dir)
    run = read_run(run_dir)
    if not all(plot_path(run_dir, name).is_file() for name in PLOTS):
        plot_run(run_dir)
    return write_page(run_dir / REPORT_HTML, run_report_html(run_dir, run))
