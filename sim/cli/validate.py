"""``ccsim validate``: check scenario files without running them, and show their defaults."""

from __future__ import annotations

import click

from sim.cli.errors import handles_errors
from sim.cli.options import load, overrides_option
from sim.scenario import ScenarioError


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path())
@click.option(
    "--explain",
    is_flag=True,
    help="Print each resolved scenario with '# default' beside every value that no file "
    "gave, and the list of those defaults.",
)
@overrides_option("Override a scenario field, as `ccsim run` does (repeatable).")
@handles_errors
def validate(scenarios: tuple[str, ...], explain: bool, overrides: tuple[str, ...]) -> None:
    """Check scenario files without running them.

    Every problem in every file is reported, one line each; exit 2 if any file is bad.
    With --explain, each good file is printed resolved (extends merged, --set applied),
    defaults marked, and for a file that extends another, the values it sets itself.
    """
    problems = []
    for path in scenarios:
        try:
            scenario = load(path, overrides)
        except ScenarioError as error:
            problems.extend(error.problems)
            continue
        if explain:
            from sim.present.explain import explain as explained
            from sim.scenario.loading import value_origins

            click.echo(explained(scenario, path, value_origins(path, overrides)))
        else:
            click.echo(f"ok: {path} ({scenario.name})")
    if problems:
        raise ScenarioError(problems)
