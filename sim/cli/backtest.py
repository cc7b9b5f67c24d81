"""``ccsim backtest``: replay a logged period through a scenario and compare service."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.errors import BadInput, bad_input, handles_errors
from sim.cli.fit import parse_map, spell
from sim.cli.output import wait_option

BACKTEST_CSV = "backtest.csv"
ERRORS_CSV = "backtest_errors.csv"


@click.command()
@click.argument("log", type=click.Path())
@click.option(
    "--scenario",
    "scenario_path",
    required=True,
    type=click.Path(),
    help="The scenario to replay the log through (e.g. the output of ccsim fit).",
)
@click.option(
    "--staffing",
    type=click.Path(),
    help="CSV of logged headcount: start, pool, agents (or start and one column per pool).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Output folder (default: outputs/backtest-<log name>/).",
)
@click.option("--map", "pairs", multiple=True, metavar="OURS=THEIRS", help="As for ccsim fit.")
@click.option("--replications", type=click.IntRange(min=1), help="Override run.replications.")
@click.option(
    "--min-offered",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Judge only intervals with at least this many logged contacts.",
)
@click.option("--no-plots", is_flag=True, help="Skip plots/ and backtest_report.html.")
@click.option(
    "--overwrite",
    is_flag=True,
    help="Write into a folder that is not a back-test's (ccsim's own files replaced, others kept).",
)
@wait_option
@handles_errors
def backtest(
    log: str,
    scenario_path: str,
    staffing: str | None,
    output: str | None,
    pairs: tuple[str, ...],
    replications: int | None,
    min_offered: int,
    no_plots: bool,
    overwrite: bool,
    wait: bool = False,
) -> None:
    """Replay LOG (a contact log, as for ccsim fit) through a scenario: the logged arrival
    times, channels and handle times drive the model, with the logged staffing when given,
    and the simulated service level, ASA and abandonment per interval are compared with the
    logged ones.

    Writes backtest.csv (every channel and interval), backtest_errors.csv (per channel and
    overall: mean absolute error of interval service level, its bias, ASA and abandonment
    errors), the replayed scenario.yaml, plots/ and backtest_report.html.
    """
    from sim.cli.options import load
    from sim.cli.output import guarded_output
    from sim.experiment.errors import InputError
    from sim.io.atomic import atomic_write_csv, atomic_write_text
    from sim.scenario import scenario_to_yaml
    from sim.studies.backtest import backtest as run_backtest
    from sim.studies.fit import LogError

    scenario = load(scenario_path)
    mapping = parse_map(pairs)
    guard = guarded_output(
        output, "backtest", name=Path(log).stem, default="backtest", overwrite=overwrite, wait=wait
    )
    with guard as out:
        try:
            result = run_backtest(log, scenario, staffing, mapping, replications, min_offered)
        except LogError as error:
            raise BadInput(error.for_front_end(spell)) from None
        except InputError as error:
            raise bad_input(error) from None
        with out.staged() as stage:
            atomic_write_csv(stage / BACKTEST_CSV, result.intervals)
            atomic_write_csv(stage / ERRORS_CSV, result.errors)
            atomic_write_text(stage / "scenario.yaml", scenario_to_yaml(result.scenario))
            if not no_plots:
                from sim.present.plots.backtest import plot_backtest
                from sim.present.report.backtest import write_backtest_report

                plot_backtest(result, stage)
                write_backtest_report(stage, result, Path(log).name)
    for row in result.errors.itertuples(index=False):
        name = "all channels" if row.channel == "all" else row.channel
        click.echo(
            f"{name}: {row.intervals:,} intervals, service level logged "
            f"{row.service_level_logged:.1%}, replayed {row.service_level_simulated:.1%}; "
            f"MAE of interval service level {row.service_level_mae * 100:.1f} points"
        )
    for note in result.notes:
        click.echo(f"note: {note}")
    if out.kept_note():
        click.echo(out.kept_note())
    click.echo(f"results in {out.shown}/")
