"""``ccsim schedule``: shifts and breaks from the requirement, verified by simulation.

The requirement, the integer program, the fresh-seed check and the top-ups are
:mod:`sim.studies.schedule`'s; this command prints the steps and writes the files.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from sim.cli.errors import BadInput, handles_errors
from sim.cli.options import load, overrides_option

EXIT_NOT_MET = 3


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
    help="Folder for the files (default: outputs/<scenario name>_schedule).",
)
@overrides_option("Override a scenario field before scheduling (repeatable).")
@click.option("--workers", type=click.IntRange(min=1), help="Local processes per simulation.")
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
) -> None:
    """Shifts and breaks meeting every channel's own service-level target, at least pay.

    The agents required per interval and pool (Erlang A/C, written work at an occupancy),
    then shift counts from an integer program over the templates (HiGHS); the schedule is
    then simulated with fresh seeds next to the original staffing and topped up where it
    misses. Writes the scheduled scenario, schedule.csv, coverage.csv, coverage.png and
    report.html. Exit 2 for bad templates, 3 when the requirement cannot be covered or a
    target is still missed.
    """
    from sim.present.console import console
    from sim.studies.schedule import CoverageError, ScheduleError, load_templates
    from sim.studies.staffing import scenario_targets

    started = time.monotonic()
    resolved = load(scenario, overrides, seed)
    chosen = load_templates(templates) if templates else None
    targets = scenario_targets(resolved)
    if confidence > 0 and resolved.run.replications < 2:
        raise BadInput("a confidence bound needs run.replications >= 2, or use --confidence 0")
    folder = Path(output) if output else Path("outputs") / f"{resolved.name}_schedule"
    check_seed = resolved.run.seed + 1 if verify_seed is None else verify_seed
    console.print(
        f"[bold]Scheduling {resolved.name}[/bold] for "
        + (", ".join(str(t) for t in targets) or "no service-level target")
        + f"; check: {resolved.run.replications} replications, seed {check_seed}"
    )
    try:
        code = _plan_and_write(
            resolved, chosen, targets, confidence, check_seed, repairs, time_limit, workers, folder
        )
    except CoverageError as error:
        console.print(f"[red bold]cannot be covered:[/red bold] {error}")
        console.print("Nothing was written.")
        sys.exit(EXIT_NOT_MET)
    except ScheduleError as error:
        raise BadInput(str(error)) from None
    console.print(f"Wall time {time.monotonic() - started:.0f} s.")
    if code:
        sys.exit(code)


def _plan_and_write(
    scenario, templates, targets, confidence, seed, repairs, time_limit, workers, folder: Path
) -> int:
    """Plan, check and top up, print the tables, write the files; returns the exit code."""
    from sim.io.atomic import atomic_write_text
    from sim.present.console import console
    from sim.present.plots.schedule import plot_coverage
    from sim.present.report.schedule import write_schedule_report
    from sim.present.schedule import original_sizes, scheduled_sizes, sizes_table, verdicts
    from sim.present.staffing import changes_table
    from sim.scenario import scenario_to_yaml
    from sim.studies.schedule.verified import plan_and_check
    from sim.studies.staffing import changes

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
    folder.mkdir(parents=True, exist_ok=True)
    staffed = folder / f"{scenario.name}_scheduled.yaml"
    atomic_write_text(staffed, scenario_to_yaml(checked.scenario))
    checked.schedule.schedule_frame().to_csv(folder / "schedule.csv", index=False)
    coverage = checked.schedule.coverage_frame()
    coverage.to_csv(folder / "coverage.csv", index=False)
    png = plot_coverage(coverage, folder / "coverage.png", scenario.name)
    meta = f"fresh seed {seed}, {scenario.run.replications} replications, top-ups {checked.repairs}"
    notes = [
        *checked.schedule.notes,
        *(f"{t} held: missed by the original too; no worse than it" for t in checked.held),
    ]
    write_schedule_report(
        folder / "report.html", scenario.name, meta, (before, after), judged, table, png, notes
    )
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
