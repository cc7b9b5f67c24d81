"""``ccsim staff``: least-cost staffing that meets the targets, verified with fresh seeds.

The search, the verification and the repairs are :mod:`sim.studies.staffing`'s; this
command prints what happens and writes the staffed scenario.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from sim.cli.errors import BadInput, handles_errors
from sim.cli.options import load, overrides_option
from sim.experiment.executors import Executor
from sim.scenario import Scenario
from sim.studies.staffing import Evaluation, StaffingResult, Target

EXIT_NOT_MET = 3


@click.command()
@click.argument("scenario", type=click.Path())
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="SCOPE.METRIC>=VALUE",
    help='A target to meet, quoted: "phone.service_level>=0.8", '
    '"phone.abandon_rate<=0.05", "pool:voice.occupancy<=0.9" (repeatable; all must be '
    "met). Every channel's own service_level.target is a target too; a --target on the same "
    "scope.metric replaces it.",
)
@click.option(
    "--only-targets",
    is_flag=True,
    help="Staff for the --target ones alone, not the channels' own service levels (pools "
    "serving no targeted channel are left as they are).",
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
@click.option(
    "--replications",
    type=click.IntRange(min=1),
    help="Replications per candidate in the search (default 3, or the file's if fewer).",
)
@click.option(
    "--horizon",
    metavar="DURATION",
    help="Horizon in the search, e.g. 14d (default 7d, or the file's if shorter).",
)
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
@overrides_option("Override a scenario field before staffing (repeatable).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Local processes for the whole search and its verification (default: one per core).",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@click.option("-v", "--verbose", is_flag=True, help="Print every candidate simulated.")
@handles_errors
def staff(
    scenario: str,
    targets: tuple[str, ...],
    only_targets: bool,
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
    """Least-cost headcount per pool (per shift where scheduled) meeting every target.

    The targets are every channel's own service_level.target plus each --target (or the
    --target ones alone with --only-targets); a scenario target no staffing can meet is
    held no worse than before. Starts from Erlang staffing (phone) or the scenario's own
    headcounts, then searches by simulation with common random numbers; verifies the answer
    with the scenario's own run settings and fresh seeds, prints before/after tables (every
    channel and pool) and writes the staffed scenario.
    Exit 3 when a --target cannot be met (or the verification misses a target).
    """
    from sim.scenario.units import parse_duration
    from sim.studies.staffing import check_targets, combine_targets, parse_targets
    from sim.studies.staffing.search import default_search_run

    given = parse_targets(targets)
    resolved = load(scenario, overrides, seed)
    wanted = combine_targets(resolved, given, only_targets)
    search_run: dict[str, Any] = {}
    if horizon is not None:
        try:
            parse_duration(horizon)
        except ValueError as error:
            raise BadInput(f"--horizon: {error}") from None
        search_run["horizon"] = horizon
    if replications is not None:
        search_run["replications"] = replications
    search_run = default_search_run(resolved, search_run)
    search_reps = search_run.get("replications", resolved.run.replications)
    if confidence > 0 and (search_reps < 2 or (resolved.run.replications < 2 and not no_verify)):
        raise BadInput(
            "a confidence bound needs at least 2 replications (--replications, "
            "run.replications); or use --confidence 0 to compare means"
        )
    check_targets(wanted, resolved)
    settings = StaffSettings(
        confidence=confidence,
        max_evaluations=max_evaluations,
        search_run=search_run,
        verify_seed=None if no_verify else verify_seed,
        verify_run=not no_verify,
        max_factor=max_factor,
        max_repairs=repairs,
        workers=workers,
        quiet=quiet,
        verbose=verbose,
    )
    from sim.cli.output import guarded_output
    from sim.cli.run import check_run_size

    check_run_size(resolved, workers, confirmed=True)  # memory and absurd work, up front

    with guarded_output(
        output, "file", name=resolved.name, default="staffed", overrides=overrides
    ) as out:
        code = staff_and_report(resolved, wanted, settings, out.where)
    if code:
        sys.exit(code)


@dataclass(frozen=True)
class StaffSettings:
    """What ``ccsim staff`` was asked to do, beyond the scenario and its targets."""

    confidence: float
    max_evaluations: int
    search_run: dict[str, Any]
    verify_seed: int | None
    verify_run: bool
    max_factor: float
    max_repairs: int
    workers: int | None
    quiet: bool
    verbose: bool


def staff_and_report(
    scenario: Scenario, targets: Sequence[Target], settings: StaffSettings, output: Path
) -> int:
    """Search, verify, print the tables, write the staffed file; returns the exit code."""
    from sim.experiment.replication import executor_in_use
    from sim.io.atomic import atomic_write_text
    from sim.present.console import console
    from sim.present.staffing import changes_table, headcount_table, targets_table
    from sim.scenario import scenario_to_yaml
    from sim.studies.staffing import changes, erlang_start, with_headcounts
    from sim.studies.staffing.verify import staffed_description

    _announce(console, scenario, targets, settings)
    start, notes = erlang_start(scenario, targets)
    for note in notes:
        console.print(f"  start: {note}")
    # one set of workers for the search and the verification, no more processes than
    # check_run_size allowed for (the larger of the two runs' replications)
    searched = int(settings.search_run.get("replications", scenario.run.replications))
    tasks = max(scenario.run.replications, searched)
    with executor_in_use(None, settings.workers, tasks=tasks) as executor:
        result = _search(console, scenario, targets, settings, start, executor)
        console.print(f"  {result.evaluations} candidates simulated ({result.status}).")
        if not _answer_found(console, result, settings):
            return EXIT_NOT_MET
        before, after, answer, missed, search, title = _judged_answer(
            console, scenario, targets, settings, result, executor
        )
    conf = settings.confidence
    console.print(headcount_table(result, answer))
    console.print(targets_table(result, before, after, title, search=search))
    every = "every channel and pool, " + title.split(", ", 1)[1].replace(f"({conf:.0%} CI)", "")
    console.print(changes_table(changes(scenario, before, after), every.strip("; ")))
    staffed = with_headcounts(
        scenario, answer, description=staffed_description(scenario, result.targets, conf)
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, scenario_to_yaml(staffed))
    console.print(f"Staffed scenario written to {output} (run it: ccsim run {output}).")
    return _conclude(console, missed, after, answer != result.best.headcounts, settings)


def _judged_answer(
    console: Any,
    scenario: Scenario,
    targets: Sequence[Target],
    settings: StaffSettings,
    result: StaffingResult,
    executor: Executor,
) -> tuple[Evaluation, Evaluation, tuple[int, ...], list[Target], Evaluation | None, str]:
    """The original and the answer side by side: verified with fresh seeds (and repaired),
    or with --no-verify the search's own evaluation beside the original's under the same
    settings; with the targets still missed, the search's evaluation and the table title."""
    from sim.present.staffing import settings_text
    from sim.studies.staffing import evaluate

    assert result.best is not None
    conf = settings.confidence
    if settings.verify_run:
        verification, seed = _verify(console, scenario, targets, settings, result, executor)
        title = (
            f"targets and cost, verification run with fresh seeds "
            f"({settings_text(scenario, {'seed': seed})}); mean ({conf:.0%} CI)"
        )
        return (
            verification.before,
            verification.after,
            verification.answer,
            verification.missed,
            result.best,
            title,
        )
    run = settings.search_run or None
    before = evaluate(
        scenario, result.original, targets, conf, settings.workers, run=run, executor=executor
    )
    title = f"targets and cost, search settings ({settings_text(scenario, settings.search_run)})"
    return before, result.best, result.best.headcounts, [], None, title


def _announce(
    console: Any, scenario: Scenario, targets: Sequence[Target], s: StaffSettings
) -> None:
    from sim.present.staffing import settings_text

    bound = (
        "mean"
        if s.confidence <= 0
        else f"bound of the {s.confidence:.0%} CI (ci_low for >=, ci_high for <=)"
    )
    console.print(
        f"[bold]Staffing {scenario.name}[/bold] for "
        + ", ".join(str(t) for t in targets)
        + f"\n  met when the {bound} meets the target; search: "
        + f"{settings_text(scenario, s.search_run)}, at most {s.max_evaluations} candidates"
    )


def _search(
    console: Any,
    scenario: Scenario,
    targets: Sequence[Target],
    s: StaffSettings,
    start: Sequence[int],
    executor: Executor,
) -> StaffingResult:
    """The search, with a progress bar over candidates (and a line each with -v)."""
    from rich.console import Console

    from sim.present.progress import progress_bar
    from sim.present.staffing import held_text
    from sim.studies.staffing import solve_holding

    progress = progress_bar("candidates · {task.fields[best]}", enabled=not s.quiet)
    log = Console(stderr=True, highlight=False)
    best_cost, count = math.inf, 0

    def advance(evaluation: Evaluation, phase: str) -> None:
        nonlocal best_cost, count
        count += 1
        if evaluation.feasible:
            best_cost = min(best_cost, evaluation.cost)
        if s.verbose:
            missed = [str(t) for t, v in zip(targets, evaluation.slacks, strict=True) if v < 0]
            verdict = "meets every target" if not missed else "misses " + ", ".join(missed)
            heads = " ".join(str(h) for h in evaluation.headcounts)
            line = f"  {count:3d} {phase}: [{heads}] cost {evaluation.cost:,.0f}, {verdict}"
            log.print(line, markup=False)
        best = f"best cost {best_cost:,.0f}" if math.isfinite(best_cost) else "no candidate yet"
        progress.update(task, advance=1, description=phase, best=best)

    with progress:
        task = progress.add_task("start", total=s.max_evaluations, best="")
        result = solve_holding(
            scenario,
            targets,
            confidence=s.confidence,
            max_evaluations=s.max_evaluations,
            search_run=s.search_run,
            workers=s.workers,
            max_factor=s.max_factor,
            start=start,
            on_evaluation=advance,
            executor=executor,
        )
    for item in result.held:
        console.print(held_text(item))
    return result


def _answer_found(console: Any, result: StaffingResult, s: StaffSettings) -> bool:
    """Say why there is no answer (infeasible, or none within the budget); False then."""
    from sim.present.format import format_metric

    if result.status == "infeasible":
        for item in result.infeasible:
            target = item.target
            reached = format_metric(target.metric, item.best_bound)
            heads = ", ".join(
                f"{slot.label}: {h}" for slot, h in zip(result.slots, item.headcounts, strict=True)
            )
            console.print(
                f"[red bold]infeasible:[/red bold] {target} cannot be met by adding agents: "
                f"{item.reason}; the best bound reached was {reached} (with {heads}). "
                "Lower the target, or change what limits it (policy, misrouting, hours)."
            )
        console.print("Nothing was written.")
        return False
    if result.best is None:
        console.print(
            f"[red bold]not met:[/red bold] no candidate met every target within "
            f"{s.max_evaluations} candidates; raise --max-evaluations or --max-factor."
        )
        console.print("Nothing was written.")
        return False
    if result.status == "budget":
        console.print(
            "[yellow]The search stopped at --max-evaluations: the answer meets every target "
            "but may not be the least cost.[/yellow]"
        )
    return True


def _verify(
    console: Any,
    scenario: Scenario,
    targets: Sequence[Target],
    s: StaffSettings,
    result: StaffingResult,
    executor: Executor,
) -> tuple[Any, int]:
    """The original and the answer re-run with fresh seeds, repaired where they miss."""
    from sim.present.progress import replication_progress
    from sim.present.staffing import missed_text
    from sim.studies.staffing import verify, verify_and_repair
    from sim.studies.staffing.verify import REPAIR_GROWTH

    seed = scenario.run.seed + 1 if s.verify_seed is None else s.verify_seed
    reps = scenario.run.replications

    def check(headcounts: Sequence[int], label: str) -> Evaluation:
        with replication_progress(reps, label, enabled=not s.quiet) as bar:
            task = bar.tasks[0].id
            advance = lambda _: bar.advance(task)  # noqa: E731
            return verify(
                scenario, headcounts, targets, s.confidence, seed, s.workers, advance, executor
            )

    def on_missed(attempt: int, missed: list[Target], after: Evaluation) -> None:
        for target in missed:
            console.print(missed_text(target, after, s.confidence))
        console.print(
            f"  repair {attempt}/{s.max_repairs}: the pools serving "
            f"{', '.join(str(t) for t in missed)} grow by "
            f"{REPAIR_GROWTH - 1:.0%}; verifying again"
        )

    assert result.best is not None
    verification = verify_and_repair(
        scenario,
        result.original,
        result.best.headcounts,
        result.targets,
        s.confidence,
        check,
        s.max_repairs,
        on_missed,
    )
    return verification, seed


def _conclude(
    console: Any, missed: list[Target], after: Evaluation, repaired: bool, s: StaffSettings
) -> int:
    from sim.present.staffing import missed_text

    if missed:
        for target in missed:
            console.print(missed_text(target, after, s.confidence))
        console.print(
            "The search's settings flattered the answer: search again with more "
            "--replications or the full --horizon, or allow more --repairs."
        )
        return EXIT_NOT_MET
    if s.verify_run:
        repairs = " after repairs" if repaired else ""
        level = "on average" if s.confidence <= 0 else f"at the {s.confidence:.0%} confidence bound"
        console.print(
            f"[green]Verification with fresh seeds{repairs}: every target met {level}"
            " (a held one: no worse than before, same seeds).[/green]"
        )
    return 0
