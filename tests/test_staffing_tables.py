"""The before/after tables of ``ccsim staff`` and ``ccsim schedule`` in an 80-column log.

A planner pipes these commands into a log file: there the terminal is 80 columns wide and
a number cut across two lines (``1,897,28`` / ``5``) or cropped at the edge is misread. A
change that is floating-point noise (an untouched pool's cost summed in another order) must
read as no change, not ``+1.16e-10``.
"""

from __future__ import annotations

import io
import re

from rich.console import Console

from sim.experiment.statistics import Stat
from sim.present.staffing import changes_table
from sim.studies.staffing.changes import Change


def render(table) -> str:
    out = io.StringIO()
    Console(file=out, width=80, highlight=False, color_system=None).print(table)
    return out.getvalue()


def change(scope, metric, before, after, diff, low, high, direction=1) -> Change:
    return Change(
        (scope, metric), Stat(before, 1.0, 10), Stat(after, 1.0, 10), diff, low, high, direction
    )


ROWS = [
    change("social", "asa_seconds", 2082.0, 2117.0, 34.8, -1026.0, 1182.0, -1),
    change("pool:digital", "agents_on_duty", 25.75, 25.76, 0.00835, 0.00312, 0.0136, 0),
    change("pool:digital", "cost", 725_760.0, 725_760.0, 1.16e-10, -1.58e-10, 3.91e-10, -1),
    change("centre", "cost_total", 1_897_285.0, 1_800_355.0, -96_930.0, -97_151.0, -96_709.0, -1),
    change("phone", "service_level", 0.913, 0.838, -0.075, -0.082, -0.069, 1),
]


def test_every_figure_is_whole_on_one_line_within_80_columns() -> None:
    text = render(changes_table(ROWS, "every channel and pool"))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    for figure in ("1,897,285", "1,800,355", "725,760", "−96,930", "(−97,151 to −96,709)"):
        assert any(figure in line for line in lines), figure
    assert lines[-1].startswith("└") and lines[-1].endswith("┘")  # not cropped at the edge


def test_noise_reads_as_no_change_and_a_real_tiny_change_is_kept() -> None:
    text = render(changes_table(ROWS, "every channel and pool"))
    assert "e-1" not in text
    assert "(±0 to ±0)" in text
    assert "+0.00835" in text  # small but real: 8 thousandths of an agent


def test_rounding_noise_is_never_clearly_worse() -> None:
    # an unchanged cost whose replications all differ by the same rounding: a CI of one
    # positive value, on the bad side of 0 for a cost
    noise = change("centre", "cost_total", 725_760.0, 725_760.0, 1.16e-10, 1.16e-10, 1.16e-10, -1)
    assert not noise.worse
    assert "clearly worse" not in render(changes_table([noise], "cost"))
    real = change("centre", "cost_total", 725_760.0, 725_770.0, 10.0, 9.0, 11.0, -1)
    assert real.worse  # ten units more is a change, however large the figure


def test_worse_is_marked_and_share_changes_are_in_points() -> None:
    text = render(changes_table(ROWS, "every channel and pool"))
    assert text.count("clearly worse") == 1  # the phone service level; lower cost is better
    assert "−7.5 pp" in text and "(−8.2 pp to −6.9 pp)" in text
    assert re.search(r"social[^\n]*\n[^\n]*asa_seconds[^\n]*\+34\.8 s", text)
