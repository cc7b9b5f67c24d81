"""``ccsim plot``: redraw the plots and report of a run, sweep or compare folder."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.errors import BadInput, handles_errors
from sim.cli.output import locked, wait_option


@click.command()
@click.argument("run_dir", metavar="DIR", type=click.Path())
@wait_option
@handles_errors
def plot(run_dir: str, wait: bool = False) -> None:
    """Redraw the plots and report.html of a run, sweep or compare folder from its outputs.

    DIR is a folder written by `ccsim run`, `ccsim sweep` or `ccsim compare`; nothing is
    simulated again.
    """
    from sim.io.run_folder import PLOTS_FOLDER
    from sim.present.plots.run_data import RunFolderError

    folder = Path(run_dir)
    try:
        if folder.is_dir():  # no second writer while the plots are redrawn
            with locked(folder, wait):
                report = _redraw(folder)
        else:
            report = _redraw(folder)  # says what is wrong with the folder
    except RunFolderError as error:
        raise BadInput(str(error)) from None
    count = len(list((folder / PLOTS_FOLDER).glob("*.png")))
    click.echo(f"{count} plots in {folder / PLOTS_FOLDER}/; report in {report}")


def _redraw(folder: Path) -> Path:
    """Draw the plots and report of whichever kind of folder ``folder`` is (importing only
    that kind's drawing code: a run folder needs none of the sweep's or comparison's)."""
    from sim.io.run_folder import COMPARE_CSV, SWEEP_CSV

    if (folder / SWEEP_CSV).is_file():
        from sim.present.report.sweep import write_sweep_report

        return write_sweep_report(folder)
    if (folder / COMPARE_CSV).is_file():
        from sim.present.report.compare import write_compare_report

        return write_compare_report(folder)
    from sim.present.plots.run import plot_run
    from sim.present.report.run import write_run_report

    plot_run(folder)
    return write_run_report(folder)
