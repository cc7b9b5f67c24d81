"""``ccsim schema``: the JSON Schema of the scenario format, or the reference made from it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sim.cli.errors import handles_errors


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write to FILE instead of printing (e.g. docs/scenario.schema.json).",
)
@click.option(
    "--markdown",
    is_flag=True,
    help="Write the scenario reference (Markdown) made from the schema instead.",
)
@handles_errors
def schema(output: str | None, markdown: bool) -> None:
    """Print the JSON Schema of scenario files, for editors that complete and check YAML.

    Point an editor at it with a first line in the scenario file such as
    `# yaml-language-server: $schema=docs/scenario.schema.json` (a path relative to the
    file, or a URL). Channel kinds and routing policies are those registered now.
    """
    from sim.present.reference import reference_markdown
    from sim.scenario.json_schema import scenario_json_schema

    document = scenario_json_schema()
    if markdown:
        text = reference_markdown(document)
    else:
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    from sim.io.atomic import atomic_write_bytes

    Path(output).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(Path(output), text.encode("utf-8"))
    click.echo(f"{'reference' if markdown else 'schema'} written to {output}", err=True)
