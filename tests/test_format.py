"""Figures read the same everywhere, and a CI half-width never shows more than its mean."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.present.format import format_mean_ci


@pytest.mark.parametrize(
    ("metric", "mean", "low", "high", "shown"),
    [
        ("paid_hours", 34720.0, 34720.0 - 7.28e-12, 34720.0 + 7.28e-12, "34,720 ± 0"),
        ("agents_on_duty", 37.81, 37.80688, 37.81312, "37.81 ± 0.00"),
        ("cost", 972160.0, 970000.0, 974320.0, "972,160 ± 2,160"),
        ("service_level", 0.8, 0.79, 0.81, "80.0% ± 1.0 pp"),
        ("asa_seconds", 125.0, 100.0, 150.0, "2.1 min ± 0.4 min"),
        ("asa_seconds", 8000.0, 7000.0, 9000.0, "2.2 h ± 0.3 h"),
        ("offered", 12.0, float("nan"), float("nan"), "12"),
    ],
)
def test_mean_and_half_width(metric: str, mean: float, low: float, high: float, shown: str) -> None:
    assert format_mean_ci(metric, mean, low, high) == shown


def test_every_problem_of_a_bad_input_is_its_own_error_line(tmp_path: object) -> None:
    result = CliRunner().invoke(
        main,
        [
            "staff", "scenarios/baseline.yaml", "--target", "bad",
            "--target", "phone.service_level>=80%", "--quiet",
        ],
    )  # fmt: skip
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) >= 2 and all(line.startswith("error: ") for line in lines), lines
    assert "--target 'bad'" in result.output


def test_run_table_cells_give_the_half_width_in_the_mean_s_unit_and_precision() -> None:
    """The terminal's run tables write the half-width under the mean as
    :func:`format_mean_ci` does: an email ASA in hours is not followed by minutes."""
    from sim.present.console import mean_ci

    cell = mean_ci("asa_seconds", {"mean": 8000.0, "ci_low": 7000.0, "ci_high": 9000.0})
    assert cell == "2.2 h\n[dim]± 0.3 h[/dim]"
    cell = mean_ci("contacts_per_issue", {"mean": 1.1, "ci_low": 1.0977, "ci_high": 1.1023})
    assert cell == "1.10\n[dim]± 0.00[/dim]"
