"""``ccsim erlang b|c|a``: closed-form staffing figures, no simulation.

Thin command-line wrappers around :mod:`sim.analytic`. Inputs are given the way a planner
states them (calls per hour, durations with units); internally every time is in seconds, so
the analytic functions get an arrival rate per second and return waits in seconds.

Each command prints one row per headcount: a single ``--agents 10``, a range ``--agents
8:14`` (inclusive; ``8:20:2`` steps by two; ``8,10,12`` lists), or, with ``--agents`` left
out, the least headcount meeting ``--target``. ``--csv`` prints the same rows as CSV with
full precision for scripting. Bad values exit 2 with one line naming the option.
"""

from __future__ import annotations

import click

from sim import analytic
from sim.analytic.tables import (
    Row,
    TooCostly,
    erlang_a_rows,
    erlang_b_rows,
    erlang_c_rows,
    least_agents_blocking,
    least_agents_erlang_a,
)
from sim.cli.erlang_params import (
    DURATION,
    DURATION_OR_ZERO,
    Fraction,
    Headcounts,
    PositiveNumber,
)
from sim.present.erlang import duration_text, emit, rate_title, share_text

MAX_LOAD = 100_000.0
"""Offered loads above this are refused (almost certainly a typo)."""

CONTEXT = {"help_option_names": ["-h", "--help"]}

_agents_option = click.option(
    "--agents",
    type=Headcounts(),
    help="Agents: 10, an inclusive range 8:14 (or 8:20:2), or a list 8,10,12 "
    "(one row each). Leave out with --target to find the least headcount.",
)
_csv_option = click.option(
    "--csv", "as_csv", is_flag=True, help="Print CSV (full precision) instead of a table."
)
_calls_option = click.option(
    "--calls-per-hour",
    type=PositiveNumber(),
    required=True,
    help="Offered calls per hour (Poisson arrivals).",
)
_aht_option = click.option(
    "--aht",
    type=DURATION,
    required=True,
    help="Average handling time with a unit, e.g. 5min or 300s (exponential).",
)
_within_option = click.option(
    "--within",
    type=DURATION_OR_ZERO,
    default="20s",
    show_default=True,
    help="Service-level threshold: answered within this time.",
)
_target_option = click.option(
    "--target",
    type=Fraction(),
    help="Service-level target, e.g. 0.8. Without --agents: report the least headcount "
    "meeting it; with --agents: mark the rows that meet it.",
)


def _need_headcounts(agents: tuple[int, ...] | None, target: float | None, flag: str) -> None:
    if agents is None and target is None:
        raise click.UsageError(f"give --agents (e.g. 10 or 8:14), or {flag} to find the least")


def _check_load(load: float, options: str) -> None:
    if load > MAX_LOAD:
        raise click.UsageError(
            f"{options}: an offered load of {load:,.4g} Erlangs is beyond this calculator "
            f"(at most {MAX_LOAD:,.0f})"
        )


def _least_note(what: str, least: int) -> str:
    return f"Least agents {what}: [bold]{least}[/bold]"


@click.group(context_settings=CONTEXT)
def erlang() -> None:
    """Closed-form Erlang B, C and A figures: quick staffing answers, no simulation.

    \b
    ccsim erlang b --load 8 --agents 8:14
    ccsim erlang c --calls-per-hour 96 --aht 5min --agents 10 --within 20s
    ccsim erlang c --calls-per-hour 96 --aht 5min --target 0.8
    ccsim erlang a --calls-per-hour 100 --aht 5min --patience 3min --agents 8:12

    Durations need a unit (20s, 5min, 1h), as in scenario files. Add --csv to any command
    for machine-readable output.
    """


@erlang.command("b", context_settings=CONTEXT)
@click.option(
    "--load",
    type=PositiveNumber(),
    help="Offered load in Erlangs (instead of --calls-per-hour and --aht).",
)
@click.option("--calls-per-hour", type=PositiveNumber(), help="Offered calls per hour.")
@click.option("--aht", type=DURATION, help="Average handling time with a unit, e.g. 5min.")
@_agents_option
@click.option(
    "--max-blocking",
    type=Fraction(allow_zero=False),
    help="Without --agents: report the least headcount blocking at most this share, "
    "e.g. 0.01. With --agents: mark the rows that meet it.",
)
@_csv_option
def erlang_b_command(
    load: float | None,
    calls_per_hour: float | None,
    aht: float | None,
    agents: tuple[int, ...] | None,
    max_blocking: float | None,
    as_csv: bool,
) -> None:
    """Erlang B (M/M/n/n): share of calls blocked when every line is busy.

    Blocked calls are lost, not queued (trunk lines, or a queue with no waiting room).
    Give the load in Erlangs, or calls per hour and the AHT.

    \b
    Examples:
      ccsim erlang b --load 8 --agents 10
      ccsim erlang b --calls-per-hour 96 --aht 5min --agents 8:16
      ccsim erlang b --load 8 --max-blocking 0.01
    """
    if load is not None and (calls_per_hour is not None or aht is not None):
        raise click.UsageError("give either --load or --calls-per-hour with --aht, not both")
    if load is None:
        if calls_per_hour is None or aht is None:
            raise click.UsageError("give --load, or both --calls-per-hour and --aht")
        load = calls_per_hour * aht / 3600.0
        _check_load(load, "--calls-per-hour x --aht")
        title = "Erlang B: " + rate_title(calls_per_hour, aht)
    else:
        _check_load(load, "--load")
        title = f"Erlang B: {load:g} Erl offered"
    _need_headcounts(agents, max_blocking, "--max-blocking")
    note = None
    if agents is None:
        assert max_blocking is not None
        least = least_agents_blocking(load, max_blocking)
        agents = (least,)
        note = _least_note(f"blocking at most {share_text(max_blocking)}", least)
    emit(
        "b",
        erlang_b_rows(load, agents),
        as_csv=as_csv,
        title=title,
        meets=None if max_blocking is None else (lambda row: row["blocking"] <= max_blocking),
        meets_label=f"≤{share_text(max_blocking)}" if max_blocking is not None else "",
        note=note,
    )


@erlang.command("c", context_settings=CONTEXT)
@_calls_option
@_aht_option
@_agents_option
@_within_option
@_target_option
@_csv_option
def erlang_c_command(
    calls_per_hour: float,
    aht: float,
    agents: tuple[int, ...] | None,
    within: float,
    target: float | None,
    as_csv: bool,
) -> None:
    """Erlang C (M/M/n): callers queue and never hang up.

    Prints the offered load, P(wait) (share of callers who queue), ASA (mean wait over all
    callers), the service level (share answered within --within) and occupancy. A
    headcount at or below the load cannot keep up: the queue grows without bound.

    \b
    Examples:
      ccsim erlang c --calls-per-hour 96 --aht 5min --agents 10 --within 20s
      ccsim erlang c --calls-per-hour 96 --aht 5min --agents 8:14
      ccsim erlang c --calls-per-hour 96 --aht 5min --within 20s --target 0.8
    """

    _check_load(calls_per_hour * aht / 3600.0, "--calls-per-hour x --aht")
    _need_headcounts(agents, target, "--target")
    note = None
    if agents is None:
        assert target is not None
        least = analytic.erlang_c_agents(calls_per_hour / 3600.0, aht, within, target)
        agents = (least,)
        goal = f"answering {share_text(target)} within {duration_text(within)}"
        note = _least_note(goal, least)
    rows = erlang_c_rows(calls_per_hour, aht, within, agents)
    if any(row["load_erlangs"] >= row["agents"] for row in rows):
        note = "Rows with agents ≤ load are unstable: the queue grows without bound."
    title = "Erlang C: " + rate_title(calls_per_hour, aht)
    _emit_service_level("c", rows, as_csv, title, within, target, note)


@erlang.command("a", context_settings=CONTEXT)
@_calls_option
@_aht_option
@click.option(
    "--patience",
    type=DURATION,
    required=True,
    help="Mean patience with a unit, e.g. 3min (exponential): callers hang up after it.",
)
@_agents_option
@_within_option
@_target_option
@_csv_option
def erlang_a_command(
    calls_per_hour: float,
    aht: float,
    patience: float,
    agents: tuple[int, ...] | None,
    within: float,
    target: float | None,
    as_csv: bool,
) -> None:
    """Erlang A (M/M/n+M): callers queue and hang up when their patience runs out.

    Prints P(wait), P(abandon), ASA of answered callers, the service level (answered within
    --within over all callers, abandoners included) and occupancy. Stable at any headcount.

    \b
    Examples:
      ccsim erlang a --calls-per-hour 100 --aht 5min --patience 3min --agents 9
      ccsim erlang a --calls-per-hour 100 --aht 5min --patience 3min --agents 7:12
      ccsim erlang a --calls-per-hour 100 --aht 5min --patience 3min --target 0.8
    """
    _check_load(calls_per_hour * aht / 3600.0, "--calls-per-hour x --aht")
    _need_headcounts(agents, target, "--target")
    note = None
    try:
        if agents is None:
            assert target is not None
            least = least_agents_erlang_a(calls_per_hour, aht, patience, within, target)
            agents = (least,)
            goal = f"answering {share_text(target)} within {duration_text(within)}"
            note = _least_note(goal, least)
        rows = erlang_a_rows(calls_per_hour, aht, patience, within, agents)
    except TooCostly as error:
        raise click.UsageError(str(error).replace("choose a headcount", "give --agents")) from None
    title = f"Erlang A: {rate_title(calls_per_hour, aht)}, patience {duration_text(patience)}"
    _emit_service_level("a", rows, as_csv, title, within, target, note)


def _emit_service_level(
    model: str,
    rows: list[Row],
    as_csv: bool,
    title: str,
    within: float,
    target: float | None,
    note: str | None,
) -> None:
    emit(
        model,
        rows,
        as_csv=as_csv,
        title=title,
        within=within,
        meets=None if target is None else (lambda row: row["service_level"] >= target),
        meets_label=f"≥{share_text(target)}" if target is not None else "",
        note=note,
    )
