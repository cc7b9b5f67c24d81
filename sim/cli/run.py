"""``ccsim run``: simulate a scenario over its replications and write the results."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from sim.cli.errors import BadInput, bad_input, handles_errors
from sim.cli.options import load, overrides_option, parse_precision, precision_options
from sim.cli.output import Output, guarded_output, wait_option
from sim.experiment.errors import InputError
from sim.experiment.sampling import Precision
from sim.io.names import printable
from sim.scenario import Scenario


@click.command()
@click.argument("scenario", type=click.Path())
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(),
    help="Output folder (default: outputs/<scenario name>/, or "
    "outputs/<scenario name>--<each --set>/ with overrides).",
)
@click.option("--seed", type=int, help="Override run.seed.")
@click.option("--replications", type=int, help="Override run.replications.")
@overrides_option("Override a scenario field, e.g. --set pools.voice.agents=75 (repeatable).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Local processes for replications "
    "(default: one per core). Results are identical whatever the number.",
)
@click.option("--quiet", is_flag=True, help="No progress bar or summary table.")
@click.option("--no-plots", is_flag=True, help="Skip plots/ and report.html (faster).")
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace an output folder that holds another "
    "scenario's outputs or files ccsim did not write (a re-run of the same scenario replaces "
    "its own). Only ccsim's own files are replaced; other files are kept and listed.",
)
@wait_option
@click.option("--yes", is_flag=True, help="Run even if the run looks very large.")
@click.option(
    "--trace",
    is_flag=True,
    help="Also write trace/replication-NNN.parquet: one row per contact "
    "(arrival, channel, outcome, wait, pool), streamed in chunks. Needs pyarrow.",
)
@precision_options
@handles_errors
def run(
    scenario: str,
    output: str | None,
    seed: int | None,
    replications: int | None,
    overrides: tuple[str, ...],
    workers: int | None,
    quiet: bool,
    no_plots: bool,
    overwrite: bool,
    yes: bool,
    wait: bool = False,
    trace: bool = False,
    precision: float | None = None,
    max_replications: int | None = None,
    precision_metrics: tuple[str, ...] = (),
) -> None:
    """Simulate SCENARIO over its replications and write the results.

    Writes summary.csv, replications.csv, intervals.csv, scenario.yaml, run.json, plots/
    and report.html into the output folder and prints the key figures; with --trace, also
    the per-contact trace in trace/.
    """
    if trace:
        from sim.io.trace import TraceUnavailable, require_parquet

        try:
            require_parquet()
        except TraceUnavailable as error:
            raise BadInput(f"--trace: {error}") from None
    resolved = load(scenario, overrides, seed, replications)
    target = parse_precision(resolved, precision, max_replications, precision_metrics)
    with guarded_output(
        output,
        "run",
        name=resolved.name,
        default="run",
        owner=resolved.name,
        overwrite=overwrite,
        wait=wait,
        overrides=overrides,
    ) as out:
        check_run_size(resolved, workers, confirmed=yes)
        run_and_write(resolved, out, workers, quiet, not no_plots, target, trace)


def check_run_size(scenario: Scenario, workers: int | None, confirmed: bool) -> None:
    """Refuse, before simulating, an absurd run (naming the field that makes it so) or a
    merely large one unconfirmed (:func:`sim.experiment.estimate.check_size`)."""
    from sim.experiment.estimate import check_size

    count = workers or min(scenario.run.replications, os.cpu_count() or 1)
    try:
        check_size([scenario], count, confirmed)
    except InputError as reason:
        raise BadInput(f"{printable(scenario.name)}: {bad_input(reason)}") from None


def run_and_write(
    scenario: Scenario,
    out: Output,
    workers: int | None,
    quiet: bool,
    plots: bool = True,
    precision: Precision | None = None,
    trace: bool = False,
) -> None:
    """Run all replications with a progress bar, write the outputs, print the summary.

    Everything, the trace streamed during the run included, is written into a staging
    folder that replaces the guarded output only once complete (files ccsim did not write
    are kept there, and named).
    """
    from sim.experiment.replication import run_replications
    from sim.io.run_folder import TRACE_FOLDER, write_run

    with out.staged() as stage:  # all files complete, or the old folder stays
        with progress_callbacks(scenario.run.replications, scenario.name, quiet) as (done, more):
            result, status = run_replications(
                scenario,
                precision,
                workers,
                trace_dir=stage / TRACE_FOLDER if trace else None,
                on_replication=done,
                on_scheduled=more,
            )
        write_run(result, stage, status)
        if plots:  # drawn from the saved outputs, after the simulation
            from sim.present.plots.run import plot_run
            from sim.present.report.run import write_run_report

            plot_run(stage)
            write_run_report(stage)
    if not quiet:
        from sim.present.console import console, print_notes, summary_tables

        for table in summary_tables(scenario, result.summary_table()):
            console.print(table)
        print_notes(scenario)
    if status is not None:
        click.echo(status.describe())
    if out.kept_note():
        click.echo(out.kept_note())
    count = len(result.replications)
    rate = result.contacts_simulated / result.wall_seconds if result.wall_seconds else 0
    click.echo(
        f"{count} replication{'s' if count != 1 else ''}, {result.contacts_simulated:,} "
        f"contacts in {result.wall_seconds:.1f} s ({rate:,.0f} contacts/s, {result.workers} "
        f"worker{'s' if result.workers != 1 else ''}); results in {out.shown}/"
    )


@contextmanager
def progress_callbacks(
    total: int, label: str, quiet: bool
) -> Iterator[tuple[Callable[[Any], None] | None, Callable[[int], None] | None]]:
    """The progress bar's callbacks for :func:`run_replications` (one replication done, more
    scheduled); none when ``quiet``, so a quiet run does not import rich at all."""
    if quiet:
        yield None, None
        return
    from sim.present.progress import replication_progress

    with replication_progress(total, label) as progress:
        task = progress.tasks[0].id
        scheduled = 0

        def more(count: int) -> None:  # sequential sampling adds batches to the bar
            nonlocal scheduled
            scheduled += count
            progress.update(task, total=scheduled)

        yield (lambda _: progress.advance(task)), more
