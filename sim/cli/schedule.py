"""``ccsim schedule``: shifts and breaks from the requirement, verified by simulation.

The requirement, the integer program, the fresh-seed check and the top-ups are
:mod:`sim.studies.schedule`'s; this command prints the steps and writes the files.
"""

from __future__ import annotations

import sys
import time

import click

from sim.cli.errors import BadInput, handles_errors
from sim.cli.options import load, overrides_option
from sim.cli.output import Output, wait_option

EXIT_NOT_MET = 3
SCHEDULED_YAML = "scheduled.yaml"


@click.command()
@click.argument("scenario", type=click.Path())
@click.option(
    "--templates",
    type=click.Path(),
    help="Shift templates (YAML; see docs/commands.md). Default: 8 h shifts with a lunch and "
    "two 15-min breaks, starts every 30 min, 5 consecutive days.",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0.0, 1.0, max_open=True),
    default=0.95,
    show_default=True,
    help="A target is met when this CI's bound meets it; 0 compares the mean.",
)
@click.option(
    "--verify-seed",
    type=click.IntRange(min=0),
    help="Seed of the check with fresh seeds (default: run.seed + 1).",
)
@click.option(
    "--repairs",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Top-ups at most: where a target is missed, raise the requirement there and plan again.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(0.0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds the integer program may take per pool.",
)
@click.option("--seed", type=int, help="Override run.seed.")
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Folder for the files (default: outputs/<scenario name>_schedule/, with any --set "
    "overrides in the name).",
)
@overrides_option("Override a scenario field before scheduling (repeatable).")
@click.option("--workers", type=click.IntRange(min=1), help="Local processes per simulation.")
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace an output folder that is not this scenario's schedule or holds files ccsim "
    "did not write (those are kept and listed).",
)
@wait_option
@handles_errors
def schedule(
    scenario: str,
    templates: str | None,
    confidence: float,
    verify_seed: int | None,
    repairs: int,
    time_limit: float,
    seed: int | None,
    output: str | None,
    overrides: tuple[str, ...],
    workers: int | None,
    overwrite: bool = False,
    wait: bool = False,
) -> None:
    """Shifts and breaks meeting every channel's own service-level target, at least pay.

    The agents required per interval and pool (Erlang A/C, written work at an occupancy),
    then shift counts from an integer program over the templates (HiGHS); the schedule is
    then simulated with fresh seeds next to the original staffing and topped up where it
    misses. Writes the scheduled scenario, schedule.csv, coverage.csv, coverage.png and
    report.html. Exit 2 for bad templates, 3 when the requirement cannot be covered or a
    target is still missed.
    """
    from sim.cli.output import guarded_output
    from sim.cli.run import check_run_size
    from sim.present.console import console
    from sim.studies.schedule import CoverageError, ScheduleError, load_templates
    from sim.studies.staffing import scenario_targets

    started = time.monotonic()
    resolved = load(scenario, overrides, seed)
    chosen = load_templates(templates) if templates else None
    targets = scenario_targets(resolved)
    if confidence > 0 and resolved.run.replications < 2:
        raise BadInput("a confidence bound needs run.replications >= 2, or use --confidence 0")
    check_run_size(resolved, workers, confirmed=True)  # memory and absurd work, up front
    check_seed = resolved.run.seed + 1 if verify_seed is None else verify_seed
    console.print(
        f"[bold]Scheduling {resolved.name}[/bold] for "
        + (", ".join(str(t) for t in targets) or "no service-level target")
        + f"; check: {resolved.run.replications} replications, seed {check_seed}"
    )
    guard = guarded_output(
        output,
        "schedule",
        name=resolved.name,
        default="schedule",
        overwrite=overwrite,
        wait=wait,
        overrides=overrides,
    )
    try:
        with guard as out:
            settings = (confidence, check_seed, repairs, time_limit, workers)
            code = _plan_and_write(resolved, chosen, targets, settings, out)
    except CoverageError as error:
        console.print(f"[red bold]cannot be covered:[/red bold] {error}")
        console.print("Nothing was written.")
        sys.exit(EXIT_NOT_MET)
    except ScheduleError as error:
        raise BadInput(str(error)) from None
    console.print(f"Wall time {time.monotonic() - started:.0f} s.")
    if code:
        sys.exit(code)


def _plan_and_write(scenario, templates, targets, settings, out: Output) -> int:
    """Plan, check and top up, print the tables, write the files; returns the exit code."""
    from sim.io.atomic import atomic_write_csv, atomic_write_text
    from sim.present.console import console
    from sim.present.plots.schedule import plot_coverage
    from sim.present.report.schedule import write_schedule_report
    from sim.present.schedule import original_sizes, scheduled_sizes, sizes_table, verdicts
    from sim.present.staffing import changes_table
    from sim.scenario import scenario_to_yaml
    from sim.studies.schedule.verified import plan_and_check
    from sim.studies.staffing import changes

    confidence, seed, repairs, time_limit, workers = settings
    checked = plan_and_check(
        scenario,
        targets,
        confidence=confidence,
        seed=seed,
        repairs=repairs,
        workers=workers,
        plan={"templates": templates, "time_limit": time_limit},
        on_step=lambda text: console.print(f"  {text}", markup=False),
    )
    for note in checked.schedule.notes:
        console.print(f"  note: {note}", markup=False)
    before, after = original_sizes(scenario), scheduled_sizes(checked)
    console.print(sizes_table(before, after))
    table = changes(scenario, checked.before, checked.after)
    console.print(
        changes_table(
            table,
            f"original -> schedule, {scenario.run.replications} replications, "
            f"fresh seed {seed}; means, paired change",
        )
    )
    judged = verdicts(checked, targets)
    notes = [
        *checked.schedule.notes,
        *(f"{t} held: missed by the original too; no worse than it" for t in checked.held),
    ]
    meta = f"fresh seed {seed}, {scenario.run.replications} replications, top-ups {checked.repairs}"
    with out.staged() as stage:
        atomic_write_text(stage / SCHEDULED_YAML, scenario_to_yaml(checked.scenario))
        atomic_write_csv(stage / "schedule.csv", checked.schedule.schedule_frame())
        coverage = checked.schedule.coverage_frame()
        atomic_write_csv(stage / "coverage.csv", coverage)
        png = plot_coverage(coverage, stage / "coverage.png", scenario.name)
        write_schedule_report(
            stage / "report.html", scenario.name, meta, (before, after), judged, table, png, notes
        )
    folder = out.where
    staffed = folder / SCHEDULED_YAML
    if out.kept_note():
        console.print(out.kept_note(), markup=False)
    console.print(
        f"Written to {folder}/: {staffed.name} (run it: ccsim run {staffed}), "
        "schedule.csv, coverage.csv, coverage.png, report.html"
    )
    for target in checked.held:
        console.print(
            f"[yellow]held:[/yellow] {target} is missed by the original staffing too and "
            "the schedule is no worse there (it cannot be bought with agents, or the "
            "top-ups ran out: allow more --repairs)."
        )
    if checked.missed:
        for target in checked.missed:
            console.print(
                f"[red bold]missed:[/red bold] {target} with fresh seeds after "
                f"{checked.repairs} top-ups; allow more --repairs."
            )
        return EXIT_NOT_MET
    console.print(
        "[green]Every target met with fresh seeds"
        + (" (or held)." if checked.held else ".")
        + "[/green]"
    )
    return 0
