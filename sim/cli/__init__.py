"""The ``ccsim`` command line: one module per command, each thin over the library.

Exit codes: 0 success, 2 bad input (one line per problem naming the file, the field path and
what is wrong, never a traceback), 1 internal error, 3 a staffing target cannot be met (or a
schedule's coverage), 130 interrupted. Command modules import what they need when they
run, so ``ccsim --help`` and ``ccsim validate`` start quickly.
"""

from __future__ import annotations

import click

from sim import __version__
from sim.cli.backtest import backtest
from sim.cli.compare import compare
from sim.cli.erlang import erlang
from sim.cli.export import export
from sim.cli.fit import fit
from sim.cli.plot import plot
from sim.cli.run import run
from sim.cli.schedule import schedule
from sim.cli.schema import schema
from sim.cli.staff import staff
from sim.cli.sweep import sweep
from sim.cli.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ccsim")
def main() -> None:
    """ccsim: simulate a multichannel contact centre from a YAML scenario.

    Start with `ccsim run scenarios/baseline.yaml`; `ccsim COMMAND --help` explains each
    command. Durations in scenarios carry units (20s, 6min, 4h, 2d).
    """


for _command in (
    validate,
    run,
    plot,
    staff,
    schedule,
    sweep,
    compare,
    erlang,
    fit,
    backtest,
    schema,
    export,
):
    main.add_command(_command)
