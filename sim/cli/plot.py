"""``ccsim plot``: redraw the plots and report of a run, sweep or compare folder."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.errors import BadInput, handles_errors


@click.command()
@click.argument("run_dir", metavar="DIR", type=click.Path())
@handles_errors
def plot(run_dir: str) -> None:
    """Redraw the plots and report.html of a run, sweep or compare folder from its outputs.

    DIR is a folder written by `ccsim run`, `ccsim sweep` or `ccsim compare`; nothing is
    simulated again.
    """
    from sim.io.run_folder import COMPARE_CSV, PLOTS_FOLDER, SWEEP_CSV
    from sim.present.plots.run import plot_run
    from sim.present.plots.run_data import RunFolderError
    from sim.present.report.compare import write_compare_report
    from sim.present.report.run import write_run_report
    from sim.present.report.sweep import write_sweep_report

    folder = Path(run_dir)
    try:
        if (folder / SWEEP_CSV).is_file():
            report = write_sweep_report(folder)
        elif (folder / COMPARE_CSV).is_file():
            report = write_compare_report(folder)
        else:
            plot_run(folder)
            report = write_run_report(folder)
    except RunFolderError as error:
        raise BadInput(str(error)) from None
    count = len(list((folder / PLOTS_FOLDER).glob("*.png")))
    click.echo(f"{count} plots in {folder / PLOTS_FOLDER}/; report in {report}")
