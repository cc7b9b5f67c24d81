"""``ccsim erlang b|c|a``: closed-form staffing figures, no simulation (design.md §3).

Thin command-line wrappers around :mod:`sim.analytic`. Inputs are given the way a planner
states them (calls per hour, durations with units); internally every time is in seconds, so
the analytic functions get an arrival rate per second and return waits in seconds.

Each command prints one row per headcount: a single ``--agents 10``, a range ``--agents
8:14`` (inclusive; ``8:20:2`` steps by two; ``8,10,12`` lists), or, with ``--agents`` left
out, the least headcount meeting ``--target``. ``--csv`` prints the same rows as CSV with
full precision for scripting. Bad values exit 2 with one line naming the option.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from sim.scenario.units import format_duration, parse_duration

#: Limits that keep a typo (``--agents 1:100000000``, ``--calls-per-hour 1e9``) from hanging the
#: terminal: more rows than this, headcounts or offered loads above these, are refused.
MAX_ROWS = 1_000
MAX_HEADCOUNT = 200_000
MAX_LOAD = 100_000.0

#: Erlang A's exact answered-within-t figure exponentiates a chain with one state per queue
#: position; its cost grows like (queue positions) x (rate x threshold).  Beyond this budget
#: (about two seconds) a headcount far below the load is refused rather than computed.
ERLANG_A_BUDGET = 2e7

Row = dict[str, Any]


# --------------------------------------------------------------------------- option types


class Duration(click.ParamType):
    """A duration with a unit (``20s``, ``5min``, ``1.5h``), converted to seconds."""

    name = "duration"

    def __init__(self, allow_zero: bool = False) -> None:
        self.allow_zero = allow_zero

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, float):  # already converted (a default, or a second pass)
            return value
        text = str(value).strip()
        try:
            # A bare number gets parse_duration's own message ("a duration needs a unit").
            seconds = parse_duration(_bare_number(text) if _is_number(text) else text)
        except ValueError as error:
            self.fail(str(error), param, ctx)
        if seconds < 0 or (seconds == 0 and not self.allow_zero):
            self.fail(f"'{text}' must be longer than 0", param, ctx)
        return seconds


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _bare_number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


class PositiveNumber(click.ParamType):
    """A finite number > 0 (click's FloatRange lets NaN and infinity through)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"'{value}' is not a number", param, ctx)
        if not (math.isfinite(number) and number > 0):
            self.fail(f"'{value}' must be a finite number > 0", param, ctx)
        return number


class Fraction(click.ParamType):
    """A fraction in [0, 1), or (0, 1) without ``allow_zero`` (1 is never met exactly)."""

    name = "fraction"

    def __init__(self, allow_zero: bool = True) -> None:
        self.allow_zero = allow_zero

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"'{value}' is not a number", param, ctx)
        low = 0.0 if self.allow_zero else math.nextafter(0.0, 1.0)
        if not low <= number < 1.0:  # also refuses NaN
            bounds = "[0, 1)" if self.allow_zero else "(0, 1)"
            self.fail(f"'{value}' must be a fraction in {bounds}, e.g. 0.8", param, ctx)
        return number


class Headcounts(click.ParamType):
    """``10``, an inclusive range ``8:14`` or ``8:20:2``, or a list ``8,10,12``."""

    name = "agents"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        counts: set[int] = set()
        for part in str(value).split(","):
            try:
                numbers = _headcount_part(part.strip())
            except ValueError as error:
                self.fail(str(error), param, ctx)
            if len(numbers) + len(counts) > MAX_ROWS:
                self.fail(f"'{value}' asks for more than {MAX_ROWS:,} rows", param, ctx)
            counts.update(numbers)
        return tuple(sorted(counts))


def _headcount_part(text: str) -> range:
    pieces = text.split(":")
    if len(pieces) > 3 or not all(pieces):
        raise ValueError(f"'{text}' is not a headcount or a range like 8:14 or 8:20:2")
    try:
        numbers = [int(p) for p in pieces]
    except ValueError:
        raise ValueError(
            f"'{text}' is not a whole number of agents (or a range like 8:14)"
        ) from None
    low, high = numbers[0], numbers[min(1, len(numbers) - 1)]
    step = numbers[2] if len(numbers) == 3 else 1
    if low < 1:
        raise ValueError(f"'{text}': the headcount must be at least 1")
    if high < low:
        raise ValueError(f"'{text}' is an empty range (the end is below the start)")
    if step < 1:
        raise ValueError(f"'{text}': the step must be at least 1")
    if high > MAX_HEADCOUNT:
        raise ValueError(f"'{text}': at most {MAX_HEADCOUNT:,} agents")
    return range(low, high + 1, step)


DURATION = Duration()
DURATION_OR_ZERO = Duration(allow_zero=True)


# --------------------------------------------------------------------------- figures


def erlang_b_rows(load: float, agents: Sequence[int]) -> list[Row]:
    """Erlang B: blocking probability and occupancy (carried load per agent) per headcount."""
    from sim import analytic

    rows = []
    for n in agents:
        blocking = analytic.erlang_b(n, load)
        rows.append(
            {
                "agents": n,
                "load_erlangs": load,
                "blocking": blocking,
                "occupancy": load * (1.0 - blocking) / n,
            }
        )
    return rows


def least_agents_blocking(load: float, max_blocking: float) -> int:
    """Least n with Erlang B blocking <= ``max_blocking`` (blocking falls as n grows)."""
    n, blocking = 1, load / (1.0 + load)
    while blocking > max_blocking:
        n += 1
        blocking = load * blocking / (n + load * blocking)
    return n


def erlang_c_rows(per_hour: float, aht: float, within: float, agents: Sequence[int]) -> list[Row]:
    """Erlang C (M/M/n, nobody abandons) per headcount; times in seconds.

    When the load reaches the headcount the queue grows without bound: every caller waits,
    the ASA is infinite, nobody is answered within the threshold and agents are always busy.
    """
    from sim import analytic

    lam = per_hour / 3600.0
    load = lam * aht
    rows = []
    for n in agents:
        stable = load < n
        rows.append(
            {
                "agents": n,
                "load_erlangs": load,
                "p_wait": analytic.erlang_c(n, load),
                "asa_seconds": analytic.erlang_c_asa(n, lam, aht),
                "service_level": analytic.erlang_c_service_level(n, lam, aht, within),
                "occupancy": load / n if stable else 1.0,
            }
        )
    return rows


def check_erlang_a_cost(n: int, lam: float, aht: float, patience: float, within: float) -> None:
    """Raise UsageError when the exact Erlang A figures at ``n`` agents would take too long.

    Far below the load the queue settles around (lambda - n mu) / theta callers; above a
    few hundred positions the answered-within-t figure needs a sparse matrix exponential whose
    cost grows like positions x (total rate x threshold) (see ``sim.analytic``).
    """
    mu, theta = 1.0 / aht, 1.0 / patience
    positions = 64.0 + max(0.0, (lam - n * mu) / theta)
    if positions <= 400:
        return
    if positions * (n * mu + positions * theta) * within > ERLANG_A_BUDGET:
        raise click.UsageError(
            f"with {n} agents about {positions - 64:,.0f} callers would queue: too many for the "
            "exact Erlang A figures; give --agents closer to the load"
        )


def least_agents_erlang_a(
    per_hour: float, aht: float, patience: float, within: float, target: float
) -> int:
    """Least n whose Erlang A service level is >= ``target`` (it increases with n).

    The same answer as ``sim.analytic.erlang_a_agents``, which brackets upward from one
    agent; this search gallops outward from the offered load instead, where the answer
    usually lies, so that a large centre is never evaluated with a handful of agents and a
    queue of thousands.
    """
    from sim import analytic

    lam = per_hour / 3600.0
    load = lam * aht

    def meets(n: int) -> bool:
        check_erlang_a_cost(n, lam, aht, patience, within)
        level = analytic.erlang_a(n, lam, aht, patience, within=within).service_level
        assert level is not None
        return level >= target

    return analytic.least_meeting(meets, start=max(1, math.ceil(load)))


def erlang_a_rows(
    per_hour: float, aht: float, patience: float, within: float, agents: Sequence[int]
) -> list[Row]:
    """Erlang A (M/M/n+M, exponential patience) per headcount; times in seconds."""
    from sim import analytic

    lam = per_hour / 3600.0
    for n in agents:
        check_erlang_a_cost(n, lam, aht, patience, within)
    rows = []
    for n in agents:
        result = analytic.erlang_a(n, lam, aht, patience, within=within)
        rows.append(
            {
                "agents": n,
                "load_erlangs": lam * aht,
                "p_wait": result.p_wait,
                "p_abandon": result.p_abandon,
                "asa_seconds": result.asa_answered,
                "service_level": result.service_level,
                "occupancy": result.occupancy,
            }
        )
    return rows


# --------------------------------------------------------------------------- output


def _percent(x: float) -> str:
    return f"{x:.1%}"


def _share(x: float) -> str:
    """A target as the user wrote it: 0.8 -> 80%, 0.805 -> 80.5%."""
    return f"{x * 100:g}%"


def _seconds(x: float) -> str:
    """A wait for people: seconds below 100 s, then minutes, then hours."""
    if math.isinf(x):
        return "∞"
    if x < 100:
        return f"{x:.1f} s"
    if x < 6000:
        return f"{x / 60:.1f} min"
    return f"{x / 3600:.1f} h"


# (key in the row, column heading; {within} is filled in, formatter)
Column = tuple[str, str, Callable[[Any], str]]

COLUMNS: dict[str, list[Column]] = {
    "b": [
        ("agents", "agents", str),
        ("load_erlangs", "load\n(Erl)", "{:.2f}".format),
        ("blocking", "blocked", _percent),
        ("occupancy", "occupancy", _percent),
    ],
    "c": [
        ("agents", "agents", str),
        ("load_erlangs", "load\n(Erl)", "{:.2f}".format),
        ("p_wait", "waited", _percent),
        ("asa_seconds", "ASA", _seconds),
        ("service_level", "within\n{within}", _percent),
        ("occupancy", "occupancy", _percent),
    ],
    "a": [
        ("agents", "agents", str),
        ("load_erlangs", "load\n(Erl)", "{:.2f}".format),
        ("p_wait", "waited", _percent),
        ("p_abandon", "abandoned", _percent),
        ("asa_seconds", "ASA\nanswered", _seconds),
        ("service_level", "within\n{within}", _percent),
        ("occupancy", "occupancy", _percent),
    ],
}


def emit(
    model: str,
    rows: list[Row],
    *,
    as_csv: bool,
    title: str,
    within: float | None = None,
    meets: Callable[[Row], bool] | None = None,
    meets_label: str = "",
    note: str | None = None,
) -> None:
    """Print ``rows`` as a rich table (with ``title`` and ``note``) or as CSV."""
    if meets is not None:
        for row in rows:
            row["meets_target"] = meets(row)
    if as_csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_value(v) for k, v in row.items()})
        click.echo(buffer.getvalue(), nl=False)
        return
    table = Table(title=title, title_justify="left")
    threshold = _duration(within) if within is not None else ""
    columns = COLUMNS[model]
    for _, heading, _ in columns:
        table.add_column(heading.format(within=threshold), justify="right")
    if meets is not None:
        table.add_column(meets_label, justify="center")
    for row in rows:
        cells = [fmt(row[key]) for key, _, fmt in columns]
        if meets is not None:
            cells.append("yes" if row["meets_target"] else "no")
        table.add_row(*cells)
    console = Console(highlight=False)
    console.print(table)
    if note:
        console.print(note)


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _duration(seconds: float) -> str:
    return format_duration(seconds) if seconds > 0 else "0s"


def _rate_title(per_hour: float, aht: float) -> str:
    return f"{per_hour:g} calls/h × AHT {_duration(aht)} = {per_hour * aht / 3600:.2f} Erl"


# --------------------------------------------------------------------------- commands

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
        title = "Erlang B: " + _rate_title(calls_per_hour, aht)
    else:
        _check_load(load, "--load")
        title = f"Erlang B: {load:g} Erl offered"
    _need_headcounts(agents, max_blocking, "--max-blocking")
    note = None
    if agents is None:
        assert max_blocking is not None
        least = least_agents_blocking(load, max_blocking)
        agents = (least,)
        note = _least_note(f"blocking at most {_share(max_blocking)}", least)
    emit(
        "b",
        erlang_b_rows(load, agents),
        as_csv=as_csv,
        title=title,
        meets=None if max_blocking is None else (lambda row: row["blocking"] <= max_blocking),
        meets_label=f"≤{_share(max_blocking)}" if max_blocking is not None else "",
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
    from sim import analytic

    _check_load(calls_per_hour * aht / 3600.0, "--calls-per-hour x --aht")
    _need_headcounts(agents, target, "--target")
    note = None
    if agents is None:
        assert target is not None
        least = analytic.erlang_c_agents(calls_per_hour / 3600.0, aht, within, target)
        agents = (least,)
        note = _least_note(f"answering {_share(target)} within {_duration(within)}", least)
    rows = erlang_c_rows(calls_per_hour, aht, within, agents)
    if any(row["load_erlangs"] >= row["agents"] for row in rows):
        note = "Rows with agents ≤ load are unstable: the queue grows without bound."
    title = "Erlang C: " + _rate_title(calls_per_hour, aht)
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
    if agents is None:
        assert target is not None
        least = least_agents_erlang_a(calls_per_hour, aht, patience, within, target)
        agents = (least,)
        note = _least_note(f"answering {_share(target)} within {_duration(within)}", least)
    rows = erlang_a_rows(calls_per_hour, aht, patience, within, agents)
    title = f"Erlang A: {_rate_title(calls_per_hour, aht)}, patience {_duration(patience)}"
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
        meets_label=f"≥{_share(target)}" if target is not None else "",
        note=note,
    )
