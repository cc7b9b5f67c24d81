"""The ``ccsim`` command line (design.md §3).

Exit codes: 0 success, 2 bad input (one line per problem naming the file, the field path and
what is wrong, never a traceback), 1 internal error.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from sim import __version__
from sim.erlang_cli import erlang
from sim.outputs import sigterm_as_interrupt
from sim.scenario import Scenario, ScenarioError, load_scenario

F = TypeVar("F", bound=Callable[..., Any])

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1

err_console = Console(stderr=True, highlight=False)


class BadInput(Exception):
    """Input that is not a scenario problem (a missing folder, a wrong option value)."""


def _report_problems(error: ScenarioError) -> None:
    count = len(error.problems)
    for problem in error.problems:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing was run.", err=True)


def handles_errors(command: F) -> F:
    """Turn bad input into exit 2 with readable lines, and crashes into exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with sigterm_as_interrupt():  # SIGTERM cleans up exactly like Ctrl-C
                return command(*args, **kwargs)
        except ScenarioError as error:
            _report_problems(error)
            sys.exit(EXIT_BAD_INPUT)
        except BadInput as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            click.echo("interrupted; finished outputs were kept.", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except Exception as error:  # an internal error: say so plainly, keep the trace on demand
            if os.environ.get("CCSIM_DEBUG"):
                traceback.print_exc()
            click.echo(
                f"internal error: {type(error).__name__}: {error}\n"
                "This is a bug in ccsim; set CCSIM_DEBUG=1 to see the traceback.",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def load(path: str, overrides: tuple[str, ...] = ()) -> Scenario:
    """Load and validate one scenario file, raising :class:`ScenarioError` on bad input."""
    return load_scenario(path, overrides)


def precision_options(command: F) -> F:
    """``--precision``, ``--max-replications``, ``--precision-metric`` (run and sweep)."""
    options = [
        click.option(
            "--precision",
            type=click.FloatRange(min=0, min_open=True),
            metavar="FRACTION",
            help="Sequential sampling: add replications until each target metric's 95% CI "
            "half-width is within FRACTION of its mean, e.g. 0.02 (the scenario's "
            "replications are the first batch).",
        ),
        click.option(
            "--max-replications",
            type=click.IntRange(min=2),
            help="Cap on replications with --precision (default 100).",
        ),
        click.option(
            "--precision-metric",
            "precision_metrics",
            multiple=True,
            metavar="SCOPE.METRIC",
            help="Target metric for --precision, e.g. phone.service_level (repeatable; "
            "default: each channel's service_level and asa_seconds, centre.cost_total).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def parse_precision(
    scenario: Scenario,
    precision: float | None,
    max_replications: int | None,
    metrics: tuple[str, ...],
) -> Any:
    """The sequential-sampling settings (None without --precision); bad ones are exit 2."""
    if precision is None and max_replications is None and not metrics:
        return None
    from sim.sweeps import Job, SweepInputError, check_precision_metrics, make_precision

    try:
        target = make_precision(precision, max_replications, metrics)
        Job("check", scenario, target)  # the cap is not below the first batch
        check_precision_metrics(scenario, target)
    except SweepInputError as error:
        raise BadInput(str(error)) from None
    return target


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ccsim")
def main() -> None:
    """ccsim: simulate a multichannel contact centre from a YAML scenario.

    Start with `ccsim run scenarios/baseline.yaml`; `ccsim COMMAND --help` explains each
    command. Durations in scenarios carry units (20s, 6min, 4h, 2d).
    """


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path())
@handles_errors
def validate(scenarios: tuple[str, ...]) -> None:
    """Check scenario files without running them.

    Every problem in every file is reported, one line each; exit 2 if any file is bad.
    """
    problems = []
    for path in scenarios:
        try:
            scenario = load(path)
        except ScenarioError as error:
            problems.extend(error.problems)
            continue
        click.echo(f"ok: {path} ({scenario.name})")
    if problems:
        raise ScenarioError(problems)


@main.command()
@click.argument("scenario", type=click.Path())
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(),
    help="Output folder (default: outputs/<scenario name>/).",
)
@click.option("--seed", type=int, help="Override run.seed.")
@click.option("--replications", type=int, help="Override run.replications.")
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a scenario field, e.g. --set pools.voice.agents=75 (repeatable).",
)
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
    "scenario's outputs (a re-run of the same scenario replaces its own).",
)
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
        from sim.model.trace import TraceUnavailable, require_parquet

        if precision is not None:
            raise BadInput("--trace cannot be combined with --precision yet; run a fixed count")
        try:
            require_parquet()
        except TraceUnavailable as error:
            raise BadInput(str(error)) from None
    extra = list(overrides)
    if seed is not None:
        extra.append(f"run.seed={seed}")
    if replications is not None:
        extra.append(f"run.replications={replications}")
    resolved = load(scenario, tuple(extra))
    out_dir = Path(output) if output else Path("outputs") / resolved.name
    check_run_can_start(resolved, out_dir, workers, overwrite=overwrite, confirmed=yes)
    target = parse_precision(resolved, precision, max_replications, precision_metrics)
    run_and_write(
        resolved,
        out_dir,
        workers=workers,
        quiet=quiet,
        plots=not no_plots,
        precision=target,
        trace=trace,
    )


def check_run_can_start(
    scenario: Scenario, out_dir: Path, workers: int | None, overwrite: bool, confirmed: bool
) -> None:
    """Refuse, before simulating, to clobber another run's folder or to start an absurd run."""
    from sim.estimate import refusal, run_size
    from sim.experiment import default_workers
    from sim.outputs import OutputConflict, check_output_folder

    try:
        check_output_folder(out_dir, scenario.name, overwrite)
    except OutputConflict as error:
        raise BadInput(str(error)) from None
    count = workers or default_workers(scenario.run.replications)
    reason = refusal(run_size(scenario, count), count, confirmed)
    if reason is not None:
        raise BadInput(f"{scenario.name}: {reason}")


@main.command()
@click.argument("run_dir", metavar="DIR", type=click.Path())
@handles_errors
def plot(run_dir: str) -> None:
    """Redraw the plots and report.html of a run, sweep or compare folder from its outputs.

    DIR is a folder written by `ccsim run`, `ccsim sweep` or `ccsim compare`; nothing is
    simulated again.
    """
    from sim.experiment_plots import write_compare_report, write_sweep_report
    from sim.plots import RunFolderError, plot_run
    from sim.report import write_run_report

    folder = Path(run_dir)
    try:
        if (folder / "sweep.csv").is_file():
            report = write_sweep_report(folder)
        elif (folder / "compare.csv").is_file():
            report = write_compare_report(folder)
        else:
            plot_run(folder)
            report = write_run_report(folder)
    except RunFolderError as error:
        raise BadInput(str(error)) from None
    count = len(list((folder / "plots").glob("*.png")))
    click.echo(f"{count} plots in {folder / 'plots'}/; report in {report}")


def run_and_write(
    scenario: Scenario,
    out_dir: Path,
    workers: int | None,
    quiet: bool,
    plots: bool = True,
    precision: Any = None,
    trace: bool = False,
) -> None:
    """Run all replications with a progress bar, write the outputs, print the summary.

    Everything, the trace streamed during the run included, is written into a staging
    folder that replaces ``out_dir`` only once complete.
    """
    from sim.console import console, replication_progress, summary_tables
    from sim.experiment import write_run
    from sim.outputs import staged_folder
    from sim.sweeps import add_precision_to_run_json, run_with_progress

    total = scenario.run.replications
    with staged_folder(out_dir) as stage:  # all files complete, or the old folder stays
        with replication_progress(total, scenario.name, enabled=not quiet) as progress:
            task = progress.tasks[0].id
            trace_dir = stage / "trace" if trace else None
            result, status = run_with_progress(
                scenario, workers, progress, task, precision, trace_dir
            )
        write_run(result, stage)
        add_precision_to_run_json(stage, status)
        if plots:  # drawn from the saved outputs, after the simulation
            from sim.plots import plot_run
            from sim.report import write_run_report

            plot_run(stage)
            write_run_report(stage)
    if not quiet:
        for table in summary_tables(scenario, result.summary()):
            console.print(table)
    rate = result.contacts_simulated / result.wall_seconds if result.wall_seconds else 0
    if status is not None:
        total = len(result.replications)
        click.echo(status.describe())
    click.echo(
        f"{total} replications, {result.contacts_simulated:,} contacts in "
        f"{result.wall_seconds:.1f} s ({rate:,.0f} contacts/s, {result.workers} workers); "
        f"results in {out_dir}/"
    )


@main.command()
@click.argument("scenario", type=click.Path())
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="SCOPE.METRIC>=VALUE",
    help="A target to meet, e.g. phone.service_level>=0.8, phone.abandon_rate<=0.05, "
    "pool:voice.occupancy<=0.9 (repeatable; all must be met).",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0.0, 1.0, max_open=True),
    default=0.95,
    show_default=True,
    help="A target is met when this two-sided CI's bound meets it (ci_low for >=, ci_high "
    "for <=); 0 compares the mean.",
)
@click.option(
    "--max-evaluations",
    type=click.IntRange(min=1),
    default=60,
    show_default=True,
    help="Candidates simulated at most in the search (repeats are cached).",
)
@click.option("--replications", type=click.IntRange(min=1), help="Replications in the search.")
@click.option("--horizon", metavar="DURATION", help="Horizon in the search, e.g. 7d.")
@click.option("--seed", type=int, help="Override run.seed (the search's common random numbers).")
@click.option(
    "--verify-seed",
    type=click.IntRange(min=0),
    help="Seed of the verification run with the scenario's own settings (default: seed + 1).",
)
@click.option("--no-verify", is_flag=True, help="Skip the verification run.")
@click.option(
    "--repairs",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="When verification misses a target, grow the pools serving it by 5% and verify "
    "again, at most this many times.",
)
@click.option(
    "--max-factor",
    type=click.FloatRange(1.0, min_open=True),
    default=3.0,
    show_default=True,
    help="No headcount grows beyond this multiple of its start (infeasible beyond).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Staffed scenario file (default: outputs/<scenario name>_staffed.yaml).",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a scenario field before staffing (repeatable).",
)
@click.option("--workers", type=click.IntRange(min=1), help="Local processes per evaluation.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
@click.option("-v", "--verbose", is_flag=True, help="Print every candidate simulated.")
@handles_errors
def staff(
    scenario: str,
    targets: tuple[str, ...],
    confidence: float,
    max_evaluations: int,
    replications: int | None,
    horizon: str | None,
    seed: int | None,
    verify_seed: int | None,
    no_verify: bool,
    repairs: int,
    max_factor: float,
    output: str | None,
    overrides: tuple[str, ...],
    workers: int | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Least-cost headcount per pool (per shift where scheduled) meeting every --target.

    Starts from Erlang staffing (phone) or the scenario's own headcounts, then searches by
    simulation with common random numbers; verifies the answer with the scenario's own run
    settings and fresh seeds, prints before/after tables and writes the staffed scenario.
    Exit 3 when a target cannot be met (or the verification misses one).
    """
    from sim import staffing
    from sim.scenario.units import parse_duration

    try:
        wanted = staffing.parse_targets(targets)
    except staffing.TargetError as error:
        raise BadInput(str(error).replace("\n", "\nerror: ")) from None
    extra = [*overrides, *([f"run.seed={seed}"] if seed is not None else [])]
    resolved = load(scenario, tuple(extra))
    search_run: dict[str, Any] = {}
    if horizon is not None:
        try:
            parse_duration(horizon)
        except ValueError as error:
            raise BadInput(f"--horizon: {error}") from None
        search_run["horizon"] = horizon
    if replications is not None:
        search_run["replications"] = replications
    search_reps = replications or resolved.run.replications
    if confidence > 0 and (search_reps < 2 or (resolved.run.replications < 2 and not no_verify)):
        raise BadInput(
            "a confidence bound needs at least 2 replications (--replications, "
            "run.replications); or use --confidence 0 to compare means"
        )
    try:
        staffing.check_targets(wanted, resolved)
    except staffing.TargetError as error:
        raise BadInput(str(error).replace("\n", "\nerror: ")) from None
    code = staffing.run_staff_command(
        resolved,
        wanted,
        confidence=confidence,
        max_evaluations=max_evaluations,
        search_run=search_run,
        verify_seed=None if no_verify else verify_seed,
        verify_run=not no_verify,
        max_factor=max_factor,
        max_repairs=repairs,
        output=Path(output) if output else Path("outputs") / f"{resolved.name}_staffed.yaml",
        workers=workers,
        quiet=quiet,
        verbose=verbose,
    )
    if code:
        sys.exit(code)


@main.command()
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
    help="Sweep folder (default: outputs/<scenario name>-sweep/).",
)
@click.option("--seed", type=int, help="Override run.seed (shared by every point).")
@click.option("--replications", type=click.IntRange(min=1), help="Override run.replications.")
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a scenario field at every point (repeatable).",
)
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
    "--force",
    is_flag=True,
    help="Use the folder even if it holds a different sweep (its points are discarded).",
)
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
    force: bool,
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
    from sim.console import console
    from sim.sweeps import (
        SweepInputError,
        SweepInterrupted,
        SweepProgress,
        parse_vary,
        run_sweep,
        sweep_table,
    )

    extra = list(overrides)
    if seed is not None:
        extra.append(f"run.seed={seed}")
    if replications is not None:
        extra.append(f"run.replications={replications}")
    base = load(scenario, tuple(extra))
    target = parse_precision(base, precision, max_replications, precision_metrics)
    out_dir = Path(output) if output else Path("outputs") / f"{base.name}-sweep"
    try:
        axes = [parse_vary(text) for text in vary]
        with SweepProgress(base.name, enabled=not quiet) as progress:
            outcome = run_sweep(
                base,
                axes,
                out_dir,
                zipped=zipped,
                source=scenario,
                workers=workers,
                dask=dask,
                precision=target,
                force=force,
                plots=not no_plots,
                progress=progress,
            )
    except SweepInputError as error:
        raise BadInput(str(error)) from None
    except SweepInterrupted as stop:
        click.echo(
            f"interrupted: {stop.finished} of {stop.total} points finished and kept in "
            f"{stop.out_dir}/; run the same command again to resume.",
            err=True,
        )
        sys.exit(130)
    if not quiet:
        console.print(sweep_table(outcome))
    where = (
        f"{outcome.wall_seconds:.1f} s on {outcome.executor}" if outcome.computed else "nothing run"
    )
    click.echo(
        f"{len(outcome.points)} points: {len(outcome.computed)} computed, "
        f"{len(outcome.reused)} already finished; {where}; results in {out_dir}/sweep.csv"
    )
    unmet = [folder for folder, status in outcome.statuses.items() if not status.met]
    if unmet:
        click.echo(
            f"precision not met at --max-replications for {len(unmet)} point(s): "
            f"{', '.join(unmet[:10])}{' ...' if len(unmet) > 10 else ''}",
            err=True,
        )


@main.command()
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
) -> None:
    """Compare run folders or scenario files side by side, with paired differences.

    Scenario files are run with common random numbers (the first input's seed and
    replications unless given). For every metric: each scenario's mean and 95% CI and the
    difference from the first, paired replication by replication when seeds and
    replications match (else Welch); * marks differences whose CI excludes 0. Writes
    compare.csv.
    """
    from sim.comparison import (
        compare_arms,
        compare_table,
        resolve_inputs,
        run_inputs,
        safe_name,
        write_compare,
    )
    from sim.console import console, replication_progress
    from sim.sweeps import SweepInputError

    if len(inputs) < 2:
        raise BadInput("compare needs at least two run folders or scenario files")
    try:
        resolved = resolve_inputs(inputs, replications, seed)
        names = [
            item.scenario.name if item.scenario else Path(item.source).name for item in resolved
        ]
        default = Path("outputs") / safe_name("compare-" + "-".join(names))
        out_dir = Path(output) if output else default
        tasks = sum(i.scenario.run.replications for i in resolved if i.scenario and not i.folder)
        with replication_progress(tasks, "compare", enabled=not quiet and tasks > 0) as progress:
            task = progress.tasks[0].id
            arms = run_inputs(
                resolved, out_dir, workers, dask, on_replication=lambda: progress.advance(task)
            )
        frame, notes = compare_arms(arms)
    except SweepInputError as error:
        raise BadInput(str(error)) from None
    path = write_compare(out_dir, frame)
    if not no_plots:  # paired differences and overlaid intervals, and report.html
        from sim.experiment_plots import write_compare_report

        write_compare_report(out_dir, [arm.folder for arm in arms])
    if not quiet:
        console.print(compare_table(frame, [arm.label for arm in arms]))
    for note in notes:
        click.echo(note)
    click.echo(f"comparison in {path}")


main.add_command(erlang)
