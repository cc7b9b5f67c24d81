"""``ccsim validate``: check scenario files without running them."""

from __future__ import annotations

import click

from sim.cli.errors import handles_errors
from sim.cli.options import load
from sim.scenario import ScenarioError


@click.command()
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
