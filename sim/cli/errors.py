"""How the command line fails: bad input exits 2 with readable lines, crashes exit 1.

Exit codes: 0 success, 2 bad input (one line per problem naming the file, the field path and
what is wrong, never a traceback), 1 internal error, 130 interrupted (finished outputs kept).
Library errors name settings as the Python API spells them; here they get the command line's
spelling (``max_replications`` -> ``--max-replications``).
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TypeVar

import click

from sim.experiment.errors import InputError
from sim.scenario import ScenarioError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130
FLAGS = {"precision_metrics": "--precision-metric", "target": "--target", "output": "-o"}


class BadInput(Exception):
    """Input that is not a scenario problem (a missing folder, a wrong option value)."""


def flag(option: str) -> str:
    """The command line's spelling of a setting the library names ``option``."""
    return FLAGS.get(option, "--" + option.replace("_", "-"))


def bad_input(error: InputError) -> BadInput:
    """A library's :class:`InputError` as the command line says it."""
    return BadInput(error.for_front_end(flag))


def report_problems(error: ScenarioError) -> None:
    """Every problem of a scenario, one line each, then how many."""
    count = len(error.problems)
    for problem in error.problems:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing was run.", err=True)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while the block runs, so cleanup paths are the same."""

    def _raise(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, _raise)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def handles_errors(command: F) -> F:
    """Turn bad input into exit 2 with readable lines, and crashes into exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with sigterm_as_interrupt():  # SIGTERM cleans up exactly like Ctrl-C
                return command(*args, **kwargs)
        except ScenarioError as error:
            report_problems(error)
            sys.exit(EXIT_BAD_INPUT)
        except (InputError, BadInput) as error:
            text = str(bad_input(error)) if isinstance(error, InputError) else str(error)
            for line in text.splitlines():  # one ``error:`` line per problem
                click.echo(f"error: {line}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, or no Dask workers left
            why = str(stop) or "interrupted"
            click.echo(f"{why}; finished outputs were kept.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except Exception as error:  # an internal error: say so plainly, keep the trace on demand
            if os.environ.get("CCSIM_DEBUG"):
                traceback.print_exc()
            click.echo(
                f"internal error: {type(error).__name__}: {error}\n"
                "This is a bug in ccsim; set CCSIM_DEBUG=1 to see the traceback.",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]
