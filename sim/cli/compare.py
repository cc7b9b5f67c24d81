"""``ccsim compare``: run folders or scenario files side by side, with paired differences."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.errors import BadInput, handles_errors
from sim.cli.output import guarded_output, wait_option


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="DIR_OR_SCENARIO...")
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Folder for compare.csv and the runs of scenario files "
    "(default: outputs/compare-<names>/).",
)
@click.option(
    "--replications",
    type=click.IntRange(min=1),
    help="Replications for scenario files (default: the first input's).",
)
@click.option("--seed", type=int, help="Seed for scenario files (default: the first input's).")
@click.option(
    "--workers", type=click.IntRange(min=1), help="Local processes (default: one per core)."
)
@click.option("--dask", metavar="ADDRESS|local", help="Run scenario files on a Dask cluster.")
@click.option("--quiet", is_flag=True, help="No progress bar or table.")
@click.option("--no-plots", is_flag=True, help="Skip plots/ and report.html.")
@click.option(
    "--force",
    is_flag=True,
    help="Compare even if the inputs' horizon, warm-up or interval differ (totals then "
    "cover different periods).",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Write into a folder that holds files ccsim did not write, or a run or sweep "
    "(nothing of yours is deleted).",
)
@wait_option
@handles_errors
def compare(
    inputs: tuple[str, ...],
    output: str | None,
    replications: int | None,
    seed: int | None,
    workers: int | None,
    dask: str | None,
    quiet: bool,
    no_plots: bool,
    force: bool = False,
    overwrite: bool = False,
    wait: bool = False,
) -> None:
    """Compare run folders or scenario files side by side, with paired differences.

    Scenario files are run with common random numbers (the first input's seed and
    replications unless given). For every metric: each scenario's mean and 95% CI and the
    difference from the first, paired replication by replication when seeds and
    replications match (else Welch); * marks differences whose CI excludes 0. Writes
    compare.csv.
    """
    from sim.present.console import compare_table, console
    from sim.present.progress import replication_progress
    from sim.present.report.compare import write_compare_report
    from sim.studies.comparable import check_comparable
    from sim.studies.compare import compare_arms, resolve_inputs, run_inputs, write_compare

    if len(inputs) < 2:
        raise BadInput("compare needs at least two run folders or scenario files")
    resolved = resolve_inputs(inputs, replications, seed)
    unlike = check_comparable(resolved, force)  # horizon, warm-up, interval (exit 2 unless forced)
    names = [item.scenario.name if item.scenario else Path(item.source).name for item in resolved]
    tasks = sum(i.scenario.run.replications for i in resolved if i.scenario and not i.folder)
    guard = guarded_output(
        output, "compare", name="-".join(names), default="compare", overwrite=overwrite, wait=wait
    )
    with guard as out:
        with replication_progress(tasks, "compare", enabled=not quiet and tasks > 0) as progress:
            task = progress.tasks[0].id
            arms = run_inputs(
                resolved, out.where, workers, dask, on_replication=lambda: progress.advance(task)
            )
        frame, notes = compare_arms(arms)
        path = write_compare(out.where, frame)
        if not no_plots:  # paired differences and overlaid intervals, and report.html
            write_compare_report(out.where, [arm.folder for arm in arms])
    if not quiet:
        console.print(compare_table(frame, [arm.label for arm in arms]))
    for note in [*notes, *(f"warning: {d} (compared anyway)" for d in unlike)]:
        click.echo(note)
    written = ", report.html and plots/" if not no_plots else ""
    click.echo(f"comparison in {out.shown}/: {path.name}{written}")
