"""``ccsim fit``: fit a scenario to a contact log (CSV, Parquet, or a ccsim trace folder)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from sim.cli.errors import BadInput, flag, handles_errors
from sim.cli.output import guarded_output, wait_option

if TYPE_CHECKING:
    from sim.studies.fit import FitResult

FIT_CSV = "fit.csv"
FIT_REPORT = "fit_report.html"
MARKS = {  # how each output of an earlier fit starts: it may be replaced
    "yaml": "# ccsim scenario fitted from a contact log",
    "csv": "parameter,estimate,ci_low,ci_high,n,method",
    "html": "<!DOCTYPE html>",
}


def spell(name: str) -> str:
    """The command line's spelling of a setting the fit library names."""
    return {"mapping": "--map", "base": "--base"}.get(name, flag(name))


def parse_map(pairs: tuple[str, ...]) -> dict[str, str]:
    """``("arrived_at=Start Time", ...)`` -> ``{"arrived_at": "Start Time"}``."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise BadInput(f"--map {pair!r}: give ours=theirs, e.g. --map arrived_at='Start Time'")
        mapping[ours.strip().lower()] = theirs.strip()
    return mapping


def check_outputs(paths: dict[str, Path], overwrite: bool) -> None:
    """Refuse to replace a file that is not an earlier fit's output (unless ``--overwrite``)."""
    if overwrite:
        return
    for kind, path in paths.items():
        if path.is_dir():
            raise BadInput(f"{path}: is a folder; -o names the fitted scenario's YAML file")
        if not path.exists():
            continue
        try:
            with path.open(encoding="utf-8", errors="replace") as handle:
                head = handle.read(len(MARKS[kind]))
        except OSError as error:
            raise BadInput(f"{path}: cannot be read to check it ({error})") from None
        if head != MARKS[kind]:
            raise BadInput(
                f"{path}: exists and is not the output of an earlier ccsim fit; "
                "choose another -o or pass --overwrite"
            )


@click.command()
@click.argument("log", type=click.Path())
@click.option(
    "-o",
    "--output",
    default="fitted.yaml",
    show_default=True,
    type=click.Path(),
    help="The fitted scenario; fit.csv and fit_report.html are written next to it.",
)
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="OURS=THEIRS",
    help="Rename an export's column to ours, e.g. --map arrived_at='Start Time' (repeatable).",
)
@click.option(
    "--base",
    type=click.Path(),
    help="Scenario to fit over: what the log cannot inform stays as it is (default: ccsim's "
    "defaults, with pools sized from the logged workload).",
)
@click.option(
    "--interval",
    help="Resolution of the fitted intraday profile; becomes run.interval "
    "(default: the base's run.interval, else 30min).",
)
@click.option(
    "--window",
    default="24h",
    show_default=True,
    help="How soon after a contact the customer's next one still belongs to the same issue.",
)
@click.option("--no-report", is_flag=True, help="Skip fit_report.html (faster).")
@click.option("--overwrite", is_flag=True, help="Replace files that are not an earlier fit's.")
@wait_option
@click.option("--quiet", is_flag=True, help="Print only the files written.")
@handles_errors
def fit(
    log: str,
    output: str,
    pairs: tuple[str, ...],
    base: str | None,
    interval: str | None,
    window: str,
    no_report: bool,
    overwrite: bool,
    quiet: bool,
    wait: bool = False,
) -> None:
    """Fit a scenario to LOG, a contact log: CSV or Parquet, one row per contact (a ccsim
    --trace folder works as it is).

    Required columns: arrived_at, channel, outcome, wait_seconds; optional: handle_seconds,
    after_contact_seconds, customer, pool, public, exchanges, reply_delay_seconds (see
    docs/fitting.md). Writes the fitted scenario (every fitted value commented with its
    estimate, 95% interval and sample size), fit.csv and fit_report.html. Bad rows are
    counted and reported with their row numbers; a log with no usable rows exits 2.
    """
    from sim.cli.options import load
    from sim.cli.output import check_path
    from sim.io.atomic import atomic_write_csv, atomic_write_text
    from sim.scenario.units import parse_duration
    from sim.studies.fit import LogError, fit_log

    target = check_path(output, "file")
    paths = {"yaml": target, "csv": target.with_name(FIT_CSV)}
    if not no_report:
        paths["html"] = target.with_name(FIT_REPORT)
    check_outputs(paths, overwrite)
    mapping = parse_map(pairs)
    scenario = load(base) if base else None
    step = interval or (scenario.run.interval if scenario is not None else "30min")
    for name, value in (("--interval", interval), ("--window", window)):
        if value is not None:
            try:
                parse_duration(value)
            except ValueError as error:
                raise BadInput(f"{name} {value!r}: {error}") from None
    try:
        result = fit_log(log, mapping, scenario, step, window=window)
    except LogError as error:
        raise BadInput(error.for_front_end(spell)) from None
    except ValueError as error:  # an interval that does not divide a day, say
        raise BadInput(str(error)) from None
    with guarded_output(output, "file", name="", default="staffed", overwrite=True, wait=wait):
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(target, result.yaml_text)
        atomic_write_csv(paths["csv"], result.frame())
        if "html" in paths:
            from sim.present.report.fit import write_fit_report

            write_fit_report(paths["html"], result, target.name)
    if not quiet:
        _describe(result)
    click.echo("wrote " + ", ".join(str(p) for p in paths.values()))


def _describe(result: FitResult) -> None:
    s = result.summary
    click.echo(
        f"{s['used']:,} of {s['rows']:,} rows used; {s['issues']:,} issues over "
        f"{s['days']} days ({s['complete_days']} complete), {s['first'][:16]} to {s['last'][:16]}"
    )
    for line in result.bad_rows.lines():
        click.echo(f"bad rows: {line}", err=True)
    for name in ("demand.issues_per_day", "channels.phone.handle_time.mean",
                 "channels.phone.patience.mean"):  # fmt: skip
        e = result.get(name)
        if e is not None:
            click.echo(
                f"  {name}: {e.estimate:.4g} (95% CI {e.ci_low:.4g}–{e.ci_high:.4g}), n = {e.n:,}"
            )
    click.echo(
        f"{len(result.estimates)} estimates; not fitted (left at the base or default): "
        + "; ".join(u.parameter for u in result.unfitted)
    )
    for note in result.notes:
        click.echo(f"note: {note}")
