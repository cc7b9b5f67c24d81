"""``ccsim sweep``: a scenario at every point of a grid of parameter values."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from sim.cli.errors import EXIT_INTERRUPTED, BadInput, bad_input, handles_errors
from sim.cli.options import load, overrides_option, parse_precision, precision_options
from sim.cli.output import guarded_output, wait_option
from sim.experiment.errors import InputError
from sim.io.names import printable

if TYPE_CHECKING:
    from sim.scenario import Scenario
    from sim.studies.sweep import SweepOutcome
    from sim.studies.sweep.grid import Axis


@click.command()
@click.argument("scenario", type=click.Path())
@click.option(
    "--vary",
    "vary",
    multiple=True,
    required=True,
    metavar="PATH=VALUES",
    help="A path and its values: a list (policy.social_mode=serve,deflect), an inclusive "
    "range start:end:step (pools.voice.agents=60:80:5), or both; values are read like "
    "--set values (repeatable; the grid is every combination).",
)
@click.option("--zip", "zipped", is_flag=True, help="Pair the --vary lists instead of a grid.")
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Sweep folder (default: outputs/<scenario name>-sweep/, with each --set in the "
    "name when given).",
)
@click.option("--seed", type=int, help="Override run.seed (shared by every point).")
@click.option("--replications", type=click.IntRange(min=1), help="Override run.replications.")
@overrides_option("Override a scenario field at every point (repeatable).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Local processes (default: one per core), or Dask workers with --dask local. "
    "Results are identical whatever the number.",
)
@click.option(
    "--dask",
    metavar="ADDRESS|local",
    help="Run on a Dask distributed cluster: a scheduler address (tcp://host:8786), or "
    "'local' for a local cluster of --workers processes.",
)
@click.option(
    "--dask-no-workers",
    "dask_no_workers",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="With --dask: stop (finished points kept) once the cluster has had no workers "
    "for this long.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Use the folder even if it holds a different sweep (its points are discarded), "
    "a run, or files ccsim did not write (kept, except ccsim's own names).",
)
@wait_option
@click.option("--yes", is_flag=True, help="Run even if the sweep looks very large.")
@precision_options
@click.option("--quiet", is_flag=True, help="No progress bar or table.")
@click.option("--no-plots", is_flag=True, help="Skip plots/ and report.html.")
@handles_errors
def sweep(
    scenario: str,
    vary: tuple[str, ...],
    zipped: bool,
    output: str | None,
    seed: int | None,
    replications: int | None,
    overrides: tuple[str, ...],
    workers: int | None,
    dask: str | None,
    dask_no_workers: float,
    force: bool,
    wait: bool,
    yes: bool,
    precision: float | None,
    max_replications: int | None,
    precision_metrics: tuple[str, ...],
    quiet: bool,
    no_plots: bool,
) -> None:
    """Run SCENARIO at every point of a grid of parameter values.

    Each point × replication is one task; replication r of every point sees the same
    customers (common random numbers). Writes sweep.csv (one column per varied path, then
    scope, metric, mean, ci_low, ci_high, replications), plots/, report.html and one run
    folder per point. Resumable: re-running the same command skips finished points;
    Ctrl-C keeps them.
    """
    from sim.present.progress import SweepProgress
    from sim.present.report.sweep import write_sweep_report
    from sim.studies.sweep import SweepInterrupted, parse_vary, run_sweep

    base = load(scenario, overrides, seed, replications)
    target = parse_precision(base, precision, max_replications, precision_metrics)
    axes = [parse_vary(text) for text in vary]
    check_sweep_size(base, axes, zipped, scenario, workers, yes)
    guard = guarded_output(
        output,
        "sweep",
        name=base.name,
        default="sweep",
        owner=base.name,
        overwrite=force,
        wait=wait,
        overrides=overrides,
    )
    with guard as out:
        try:
            with SweepProgress(base.name, enabled=not quiet) as progress:
                outcome = run_sweep(
                    base,
                    axes,
                    out.path,
                    zipped=zipped,
                    source=scenario,
                    workers=workers,
                    dask=dask,
                    precision=target,
                    force=force,
                    listener=progress,
                    dask_no_workers=dask_no_workers,
                )
        except SweepInterrupted as stop:
            click.echo(
                f"{stop.reason or 'interrupted'}: {stop.finished} of {stop.total} points "
                f"finished and kept in {out.shown}/; run the same command again to resume.",
                err=True,
            )
            sys.exit(EXIT_INTERRUPTED)
        if not no_plots:  # frontier, heat map / metric against parameter, and report.html
            write_sweep_report(out.path)
    outcome.out_dir = out.shown
    _print_outcome(outcome, quiet, reported=not no_plots)


def check_sweep_size(
    base: Scenario,
    axes: list[Axis],
    zipped: bool,
    source: str,
    workers: int | None,
    confirmed: bool,
) -> None:
    """Refuse, before anything runs, a sweep with an absurd point (naming its field) or one
    too large in total without ``--yes``."""
    from sim.experiment.estimate import check_size
    from sim.studies.sweep.grid import build_points

    points = build_points(base, axes, zipped, source)
    count = workers or os.cpu_count() or 1
    try:
        check_size([point.scenario for point in points], count, confirmed)
    except InputError as reason:
        raise BadInput(f"{printable(base.name)}: {bad_input(reason)}") from None


def _print_outcome(outcome: SweepOutcome, quiet: bool, reported: bool) -> None:
    from sim.present.console import console, sweep_table
    from sim.present.format import plural

    if not quiet:
        console.print(sweep_table(outcome))
    where = (
        f"{outcome.wall_seconds:.1f} s on {outcome.executor}" if outcome.computed else "nothing run"
    )
    click.echo(
        f"{plural(len(outcome.points), 'point')}: {len(outcome.computed)} computed, "
        f"{len(outcome.reused)} already finished; {where}; "
        f"results in {outcome.out_dir}/: sweep.csv"
        + (", report.html and plots/" if reported else "")
    )
    unmet = [folder for folder, status in outcome.statuses.items() if not status.met]
    if unmet:
        click.echo(
            f"precision not met at --max-replications for {plural(len(unmet), 'point')}: "
            f"{', '.join(unmet[:10])}{' ...' if len(unmet) > 10 else ''}",
            err=True,
        )
