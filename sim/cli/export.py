"""``ccsim export``: a run, sweep or compare folder as one Excel workbook."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.errors import BadInput, handles_errors
from sim.cli.output import locked, wait_option


@click.command()
@click.argument("folder", metavar="DIR", type=click.Path())
@click.option(
    "--xlsx",
    "xlsx",
    is_flag=True,
    required=True,
    help="Write an Excel workbook (the one format there is, for now).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="The workbook's path (default: DIR/<folder name>.xlsx).",
)
@wait_option
@handles_errors
def export(folder: str, xlsx: bool, output: str | None, wait: bool = False) -> None:
    """Write the results in DIR (a run, sweep or compare folder) as one Excel workbook.

    Sheets: summary (with each metric's meaning), intervals, replications and the resolved
    scenario of a run; sweep.csv of a sweep; compare.csv of a comparison and the summary of
    each compared run. Shares are numbers in percent format, ready for formulas.
    """
    from sim.present.workbook import NothingToExport, write_workbook

    if not Path(folder).is_dir():
        raise BadInput(f"{folder}: no such folder; give a folder written by run, sweep or compare")
    try:
        with locked(Path(folder), wait):  # nobody rewrites the folder while it is read
            path = write_workbook(Path(folder), Path(output) if output else None)
    except NothingToExport as error:
        raise BadInput(str(error)) from None
    click.echo(f"workbook written to {path}")
