"""``ccsim erlang b|c|a``: the command line gives sim.analytic's figures, finds the least
headcount meeting a target, and refuses bad values with exit 2 and the option's name.

The reference values are the domain notes' published cases; ``--csv`` output is parsed so
that figures are compared at full precision.
"""

from __future__ import annotations

import csv
import io
import math
import subprocess
import sys

import pytest
from click.testing import CliRunner, Result

from sim import analytic
from sim.analytic import tables
from sim.cli import main


def ccsim(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def csv_rows(*args: str) -> list[dict[str, float]]:
    """Run ``ccsim erlang ARGS --csv`` (expecting success) and parse its rows as numbers."""
    result = ccsim("erlang", *args, "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows, result.stdout
    parsed = []
    for row in rows:
        parsed.append(
            {
                key: (value == "true") if value in ("true", "false") else float(value)
                for key, value in row.items()
            }
        )
    return parsed


def one_row(*args: str) -> dict[str, float]:
    rows = csv_rows(*args)
    assert len(rows) == 1
    return rows[0]


def assert_bad(result: Result, *expected: str) -> None:
    """Exit 2, no traceback, and the expected fragments (e.g. the option name) shown."""
    output = result.output
    assert result.exit_code == 2, output
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for fragment in expected:
        assert fragment in output, f"{fragment!r} not in:\n{output}"


# --- Erlang C -------------------------------------------------------------------------------

C_CASE = ("c", "--calls-per-hour", "96", "--aht", "5min")  # A = 8 Erlangs


def test_erlang_c_reference_case() -> None:
    """Domain notes: C(10, 8) = 0.409180; ASA = 0.204590 x AHT; SL(AHT/3) = 0.789920."""
    row = one_row(*C_CASE, "--agents", "10", "--within", "100s")
    assert row["agents"] == 10
    assert row["load_erlangs"] == pytest.approx(8.0)
    assert row["p_wait"] == pytest.approx(0.409180, abs=1e-6)
    assert row["asa_seconds"] == pytest.approx(0.204590 * 300, abs=1e-4)
    assert row["service_level"] == pytest.approx(0.789920, abs=1e-6)
    assert row["occupancy"] == pytest.approx(0.8)


def test_erlang_c_equals_analytic_over_a_range() -> None:
    """``--agents 8:14`` gives one row per headcount, each equal to sim.analytic's figures."""
    lam, aht, within = 96 / 3600, 300.0, 20.0
    rows = csv_rows(*C_CASE, "--agents", "8:14", "--within", "20s")
    assert [row["agents"] for row in rows] == list(range(8, 15))
    for row in rows:
        n = int(row["agents"])
        assert row["p_wait"] == pytest.approx(analytic.erlang_c(n, 8.0), rel=1e-12)
        assert row["asa_seconds"] == pytest.approx(analytic.erlang_c_asa(n, lam, aht), rel=1e-12)
        assert row["service_level"] == pytest.approx(
            analytic.erlang_c_service_level(n, lam, aht, within), rel=1e-12
        )
    unstable = rows[0]  # 8 agents for 8 Erlangs: the queue never settles
    assert unstable["p_wait"] == 1.0
    assert math.isinf(unstable["asa_seconds"])
    assert unstable["service_level"] == 0.0


def test_erlang_c_target_gives_the_least_headcount() -> None:
    """80% within 20s at 8 Erlangs: 11 agents give 79.9%, so the answer is 12."""
    lam, aht, within = 96 / 3600, 300.0, 20.0
    row = one_row(*C_CASE, "--within", "20s", "--target", "0.8")
    n = int(row["agents"])
    assert n == analytic.erlang_c_agents(lam, aht, within, 0.8) == 12
    assert row["meets_target"] is True
    assert row["service_level"] >= 0.8
    assert analytic.erlang_c_service_level(n - 1, lam, aht, within) < 0.8


def test_erlang_c_marks_rows_meeting_the_target() -> None:
    rows = csv_rows(*C_CASE, "--agents", "10:13", "--target", "0.8")
    assert [row["meets_target"] for row in rows] == [False, False, True, True]


def test_erlang_c_table() -> None:
    """Without --csv: a table with the load, the figures, and the least headcount."""
    result = ccsim("erlang", *C_CASE, "--agents", "10", "--within", "20s")
    assert result.exit_code == 0, result.output
    for fragment in ("8.00", "40.9%", "61.4 s", "64.2%", "80.0%", "within"):
        assert fragment in result.output
    result = ccsim("erlang", *C_CASE, "--target", "0.8")
    assert result.exit_code == 0, result.output
    assert "Least agents answering 80% within 20s: 12" in result.output


# --- Erlang A -------------------------------------------------------------------------------

A_CASE = ("a", "--calls-per-hour", "100", "--aht", "5min", "--patience", "3min")


def test_erlang_a_reference_case() -> None:
    """Domain notes: lambda 100/h, AHT 5 min, patience 3 min, n = 9."""
    row = one_row(*A_CASE, "--agents", "9", "--within", "20s")
    theory = analytic.erlang_a(9, 100 / 3600, 300.0, 180.0, within=20.0)
    assert row["p_wait"] == pytest.approx(0.407703, abs=1e-6)
    assert row["p_abandon"] == pytest.approx(0.117752, abs=1e-6)
    assert row["service_level"] == pytest.approx(0.668924, abs=1e-6)
    assert row["asa_seconds"] == pytest.approx(theory.asa_answered, rel=1e-12)
    assert row["occupancy"] == pytest.approx(theory.occupancy, rel=1e-12)
    assert row["load_erlangs"] == pytest.approx(100 * 5 / 60)


@pytest.mark.parametrize("target", [0.5, 0.8, 0.95])
def test_erlang_a_target_gives_the_least_headcount(target: float) -> None:
    lam, aht, patience, within = 100 / 3600, 300.0, 180.0, 20.0
    row = one_row(*A_CASE, "--target", str(target))
    n = int(row["agents"])
    assert n == analytic.erlang_a_agents(lam, aht, patience, within, target)
    assert row["service_level"] >= target
    below = analytic.erlang_a(n - 1, lam, aht, patience, within=within).service_level
    assert below is not None and below < target


def test_erlang_a_target_search_for_a_large_centre() -> None:
    """The search starts from the load (300 Erlangs here) and agrees with sim.analytic."""
    lam, aht, patience, within = 3600 / 3600, 300.0, 180.0, 20.0
    row = one_row(
        "a", "--calls-per-hour", "3600", "--aht", "5min", "--patience", "3min", "--target", "0.9"
    )
    assert int(row["agents"]) == analytic.erlang_a_agents(lam, aht, patience, within, 0.9)


# --- Erlang B -------------------------------------------------------------------------------


def test_erlang_b_reference_case() -> None:
    """Domain notes: B(10, 8) = 0.121661, from the load or from calls and AHT."""
    assert one_row("b", "--load", "8", "--agents", "10")["blocking"] == pytest.approx(
        0.121661, abs=1e-6
    )
    row = one_row("b", "--calls-per-hour", "96", "--aht", "5min", "--agents", "10")
    assert row["blocking"] == pytest.approx(analytic.erlang_b(10, 8.0), rel=1e-12)


def test_erlang_b_least_headcount() -> None:
    row = one_row("b", "--load", "8", "--max-blocking", "0.01")
    n = int(row["agents"])
    assert analytic.erlang_b(n, 8.0) <= 0.01 < analytic.erlang_b(n - 1, 8.0)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("c", "--calls-per-hour", "96", "--aht", "5", "--agents", "10"), "--aht"),
        (("c", *C_CASE[1:], "--agents", "10", "--within", "20"), "--within"),
        (
            ("a", "--calls-per-hour", "100", "--aht", "5min", "--patience", "3", "--agents", "9"),
            "--patience",
        ),
    ],
)
def test_bare_number_duration_exits_2_naming_the_option(args: tuple[str, ...], option: str) -> None:
    result = ccsim("erlang", *args)
    assert_bad(result, option, "needs a unit")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--agents", "14:8"), "--agents"),
        (("--agents", "0"), "--agents"),
        (("--agents", "ten"), "--agents"),
        (("--target", "1.2"), "--target"),
        (("--aht", "5parsecs", "--agents", "10"), "--aht"),
        ((), "--agents"),  # neither --agents nor --target
    ],
)
def test_bad_values_exit_2(args: tuple[str, ...], fragment: str) -> None:
    base = ["c", "--calls-per-hour", "96"]
    if "--aht" not in args:
        base += ["--aht", "5min"]
    assert_bad(ccsim("erlang", *base, *args), fragment)


def test_erlang_b_needs_one_way_to_give_the_load() -> None:
    assert_bad(ccsim("erlang", "b", "--agents", "10"), "--load")
    assert_bad(ccsim("erlang", "b", "--load", "8", "--aht", "5min", "--agents", "10"), "--load")


def test_bad_duration_in_a_real_process() -> None:
    """Through the installed entry point: exit 2, one error line naming the option."""
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "erlang", "c", "--calls-per-hour", "96", "--aht", "5"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "'--aht'" in errors[0], proc.stderr


def test_help_has_an_example() -> None:
    result = ccsim("erlang", "c", "--help")
    assert result.exit_code == 0
    assert "ccsim erlang c --calls-per-hour 96 --aht 5min" in result.output
    assert "erlang" in ccsim("--help").output


# --- the tables behind the command, row by row ------------------------------------------------


def test_erlang_b_rows_carry_blocking_and_the_carried_load_per_agent() -> None:
    rows = tables.erlang_b_rows(2.0, [1, 2, 3])
    assert [row["agents"] for row in rows] == [1, 2, 3]
    for row in rows:
        n = row["agents"]
        blocking = analytic.erlang_b(n, 2.0)
        assert row == {
            "agents": n,
            "load_erlangs": 2.0,
            "blocking": blocking,
            "occupancy": pytest.approx(2.0 * (1.0 - blocking) / n, rel=1e-15),
        }
    assert rows[0]["occupancy"] == pytest.approx(2.0 / 3.0)  # B(1, 2) = 2/3: 2 × 1/3 carried


@pytest.mark.parametrize(("load", "max_blocking"), [(1.0, 0.5), (2.0, 0.01), (30.0, 0.02)])
def test_least_agents_blocking_is_the_least_headcount_at_or_under_the_limit(
    load: float, max_blocking: float
) -> None:
    n = tables.least_agents_blocking(load, max_blocking)
    assert analytic.erlang_b(n, load) <= max_blocking
    assert n == 1 or analytic.erlang_b(n - 1, load) > max_blocking
    assert tables.least_agents_blocking(1.0, 0.5) == 1  # B(1, 1) = 1/2 exactly: at the limit
    assert tables.least_agents_blocking(1.0, 0.4) == 2  # B(2, 1) = 1/5


def test_erlang_c_rows_at_and_beyond_the_load() -> None:
    rows = {row["agents"]: row for row in tables.erlang_c_rows(360.0, 60.0, 20.0, [4, 6, 8])}
    assert rows[6]["load_erlangs"] == 6.0  # 360 an hour × 60 s
    for n in (4, 6):  # the load reaches the headcount: all wait, never answered in time
        assert rows[n]["p_wait"] == 1.0 and rows[n]["asa_seconds"] == math.inf
        assert rows[n]["service_level"] == 0.0 and rows[n]["occupancy"] == 1.0
    assert rows[8]["occupancy"] == 0.75
    assert rows[8]["asa_seconds"] == pytest.approx(analytic.erlang_c_asa(8, 0.1, 60.0))
    assert rows[8]["service_level"] == pytest.approx(
        analytic.erlang_c_service_level(8, 0.1, 60.0, 20.0)
    )


def test_erlang_a_cost_check_counts_the_queue_it_would_hold() -> None:
    # 3 agents at 2 s each (1.5 a second) against 100 a second, patience 4 s: about
    # (100 − 1.5) × 4 = 394 callers queue, 458 positions with the margin of 64
    with pytest.raises(tables.TooCostly, match=r"^with 3 agents about 394 callers would queue"):
        tables.check_erlang_a_cost(3, 100.0, 2.0, 4.0, 1000.0)
    tables.check_erlang_a_cost(3, 100.0, 2.0, 4.0, 1.0)  # a short threshold is cheap
    # 336 queued + 64 = 400 positions exactly: computed whatever the threshold
    tables.check_erlang_a_cost(1, 337.0, 1.0, 1.0, 1e12)
    with pytest.raises(tables.TooCostly, match="about 337 callers"):
        tables.check_erlang_a_cost(1, 338.0, 1.0, 1.0, 1e12)
