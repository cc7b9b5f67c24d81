"""The pieces every ccsim report is made of: one self-contained HTML page, its style, its
tables' cells and its embedded figures.

A report embeds its plots as base64 data URIs and carries its own CSS: no scripts, fonts,
style sheets or images are fetched from anywhere, so it opens offline and can be forwarded
as a single file.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd

from sim import __version__
from sim.io.atomic import atomic_write_bytes
from sim.present.format import (
    format_ci,
    format_metric,
    metric_label,
)
from sim.present.plots.style import CHANNEL_COLOURS, CHANNEL_LABELS, plot_path

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
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 14px; max-width: 100%; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { text-align: left; background: var(--band); font-weight: 600; overflow-wrap: anywhere; }
td { overflow-wrap: anywhere; }
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


def page(title: str, meta: str, sections: list[tuple[str, str, str]], description: str = "") -> str:
    """A whole report page: title, meta line, navigation, then ``(id, heading, html)``
    sections."""
    nav = "".join(f'<a href="#{key}">{escape(t)}</a>' for key, t, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{escape(t)}</h2>{content}</section>'
        for key, t, content in sections
    )
    described = f'<p class="description">{escape(description)}</p>' if description else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} — ccsim report</title>"
        f"<style>{CSS}</style></head>\n"
        f"<body><main><header><h1>{escape(title)}</h1>{described}"
        f'<p class="meta">{escape(meta)}</p><nav>{nav}</nav></header>\n'
        f"{body}\n"
        f'<footer class="note"><p>Made by ccsim {escape(__version__)} from the files in this '
        "folder.</p></footer></main></body></html>\n"
    )


def write_page(path: Path, html: str) -> Path:
    """Write a report page atomically; returns its path."""
    atomic_write_bytes(path, html.encode("utf-8"))
    return path


def cell(metric: str, mean: float, low: float, high: float, css: str = "") -> str:
    """A table cell: the mean in the metric's format, its CI in small type below."""
    ci = format_ci(metric, low, high)
    ci_html = f'<span class="ci">{escape(ci)}</span>' if ci else ""
    cls = f"num {css}".strip()
    return f'<td class="{cls}">{escape(format_metric(metric, mean))}{ci_html}</td>'


def summary_cell(metric: str, row: pd.Series | None) -> str:
    """:func:`cell` of a ``summary.csv`` row (``–`` when there is none)."""
    if row is None:
        return '<td class="num">–</td>'
    return cell(metric, row["mean"], row["ci_low"], row["ci_high"])


def metric_html(metric: str) -> str:
    """A metric's name in words, with its column name in code type."""
    return f"{escape(metric_label(metric))} <code>{escape(metric)}</code>"


def scope_html(scope: str) -> str:
    """A scope as the reports show it: a channel with its colour swatch, a pool by name."""
    if scope.startswith("pool:"):
        return escape(scope[5:])
    colour = CHANNEL_COLOURS.get(scope)
    swatch = f'<span class="swatch" style="background:{colour}"></span>' if colour else ""
    return swatch + escape(CHANNEL_LABELS.get(scope, scope))


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
