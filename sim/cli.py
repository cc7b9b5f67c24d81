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
) -> None:
    """Simulate SCENARIO over its replications and write the results.

    Writes summary.csv, replications.csv, intervals.csv, scenario.yaml, run.json, plots/
    and report.html into the output folder and prints the key figures.
    """
    extra = list(overrides)
    if seed is not None:
        extra.append(f"run.seed={seed}")
    if replications is not None:
        extra.append(f"run.replications={replications}")
    resolved = load(scenario, tuple(extra))
    out_dir = Path(output) if output else Path("outputs") / resolved.name
    run_and_write(resolved, out_dir, workers=workers, quiet=quiet, plots=not no_plots)


@main.command()
@click.argument("run_dir", metavar="DIR", type=click.Path())
@handles_errors
def plot(run_dir: str) -> None:
    """Redraw the plots and report.html of a run folder from its saved outputs.

    DIR is a folder written by `ccsim run`; nothing is simulated again.
    """
    from sim.plots import RunFolderError, plot_run
    from sim.report import write_run_report

    folder = Path(run_dir)
    try:
        paths = plot_run(folder)
        report = write_run_report(folder)
    except RunFolderError as error:
        raise BadInput(str(error)) from None
    click.echo(f"{len(paths)} plots in {folder / 'plots'}/; report in {report}")


def run_and_write(
    scenario: Scenario, out_dir: Path, workers: int | None, quiet: bool, plots: bool = True
) -> None:
    """Run all replications with a progress bar, write the outputs, print the summary."""
    from sim.console import console, replication_progress, summary_tables
    from sim.experiment import run_scenario, write_run

    total = scenario.run.replications
    with replication_progress(total, scenario.name, enabled=not quiet) as progress:
        task = progress.tasks[0].id
        result = run_scenario(scenario, workers, lambda _: progress.advance(task))
    write_run(result, out_dir)
    if plots:  # drawn from the saved outputs, after the simulation
        from sim.plots import plot_run
        from sim.report import write_run_report

        plot_run(out_dir)
        write_run_report(out_dir)
    if not quiet:
        for table in summary_tables(scenario, result.summary()):
            console.print(table)
    rate = result.contacts_simulated / result.wall_seconds if result.wall_seconds else 0
    click.echo(
        f"{total} replications, {result.contacts_simulated:,} contacts in "
        f"{result.wall_seconds:.1f} s ({rate:,.0f} contacts/s, {result.workers} workers); "
        f"results in {out_dir}/"
    )


main.add_command(erlang)
