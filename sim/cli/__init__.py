"""The ``ccsim`` command line: one module per command, each thin over the library.

Exit codes: 0 success, 2 bad input (one line per problem naming the file, the field path and
what is wrong, never a traceback), 1 internal error, 3 a staffing target cannot be met (or a
schedule's coverage), 130 interrupted.

Start-up is part of the product: ``ccsim --help`` imports no command module (the listing
comes from :data:`COMMANDS`), and ``ccsim COMMAND`` imports that command's module alone, which
in turn imports what it needs when it runs. A new command is a module here and a line in
:data:`COMMANDS` (``tests/test_cli_startup.py`` checks that every line loads and that the
listing imports nothing heavy).
"""

from __future__ import annotations

import gc
import importlib
import os

import click

from sim import __version__

# ccsim uses no pydantic plugins; looking for them scans every installed package's entry points
# when the scenario models are built (~40 ms of every command). A value the user set is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

#: name -> (module under sim.cli, one-line summary for ``ccsim --help``), in workflow order.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate", "Check scenario files without running them."),
    "run": ("run", "Simulate a scenario over its replications and write the results."),
    "plot": ("plot", "Redraw the plots and report of a run, sweep or compare folder."),
    "compare": ("compare", "Compare runs or scenarios side by side, with paired differences."),
    "sweep": ("sweep", "Run a scenario at every point of a grid of parameter values."),
    "staff": ("staff", "Least-cost headcount per pool that meets the service targets."),
    "schedule": ("schedule", "Shifts and breaks that cover the requirement, at least cost."),
    "erlang": ("erlang", "Closed-form Erlang B, C and A figures, no simulation."),
    "fit": ("fit", "Fit a scenario to a contact log exported from an ACD or CRM."),
    "backtest": ("backtest", "Replay a contact log through a scenario and score the match."),
    "export": ("export", "Write a run, sweep or compare folder as one Excel workbook."),
    "schema": ("schema", "Print the JSON Schema (or the reference) of scenario files."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported only when one is run (or asked for its help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"sim.cli.{COMMANDS[cmd_name][0]}")
        return getattr(module, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The listing from :data:`COMMANDS`, so ``ccsim --help`` loads no command module."""
        rows = [(name, summary) for name, (_, summary) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ccsim")
def main() -> None:
    """ccsim: simulate a multichannel contact centre from a YAML scenario.

    Start with `ccsim run scenarios/baseline.yaml`; `ccsim COMMAND --help` explains each
    command. Durations in scenarios carry units (20s, 6min, 4h, 2d).
    """


def entry() -> None:
    """The ``ccsim`` program (and ``python -m sim``): :func:`main`, then a quicker exit.

    When a command is done, everything it built (the scenario models, numpy, the modules) is
    about to go back to the operating system, yet on the way out CPython first walks all of it
    in several full garbage collections: about 50 ms of CPU at the end of every command, a
    tenth of a short run's whole process. Freezing what exists
    (:func:`gc.freeze`) leaves those collections nothing to walk. Exit itself is unchanged:
    atexit handlers run, modules are torn down, objects freed by reference counting are
    finalized, and standard output is flushed; only cycles still alive at exit are left to the
    operating system, as Python allows (it never promised ``__del__`` at exit). Output files
    are closed (and synced) by the commands themselves, long before.
    """
    try:
        main()
    finally:
        gc.freeze()
