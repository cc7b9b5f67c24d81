"""The one output guard every writing command goes through.

A command that writes (``run``, ``sweep``, ``staff``, ``compare``, ``backtest``, ``fit``,
``plot``, ``export``) opens :func:`guarded_output` once it knows its scenario and before any
work. In one place, it:

- derives the default path from the *sanitised* scenario name (never outside ``outputs/``,
  never empty), with ``--set`` overrides in the name so a variant never lands on the plain
  scenario's results (:func:`default_name`);
- checks every path problem (:func:`sim.io.guard.check_output_target`: dangling or looping
  links, ``-o .``, a parent that is a file or read-only, a folder of another kind or
  scenario, files ccsim did not write) — exit 2 before anything runs;
- takes the target's lock (a second writer exits 2 naming the holder's PID, or waits with
  ``--wait``), and checks again under it, since the folder may have changed while waiting;
- cleans the staging and previous folders of dead ccsim processes beside (and, for a sweep,
  inside) the target;
- hands the command an :class:`Output` whose :meth:`Output.staged` folder replaces the target
  only once complete, keeping every file ccsim did not write (and saying so).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import click

from sim.cli.errors import BadInput
from sim.io.folders import staged_folder
from sim.io.guard import OutputPathError, check_output_target, listing
from sim.io.layout import Kind
from sim.io.lock import FolderBusy, folder_lock
from sim.io.names import DefaultKind, default_output, printable
from sim.io.stale import clean_stale

OVERRIDE_SEPARATOR = "--"
"""Between a scenario's name and its ``--set`` overrides in a default folder name."""


def default_name(name: str, overrides: Sequence[str] = ()) -> str:
    """The name a default output is derived from: the scenario's, then each ``--set``
    override (``baseline--policy.social_mode=deflect``); :func:`sim.io.names.folder_name`
    then sanitises it and, when long, cuts it and appends a short hash of the whole."""
    return OVERRIDE_SEPARATOR.join([name, *overrides])


@dataclass
class Output:
    """Where a guarded command writes: ``path`` is the real (link-resolved) target,
    ``shown`` the path as the user gave it (or the default), for messages."""

    path: Path
    shown: Path
    kind: Kind
    kept: list[str] = field(default_factory=list)

    @property
    def where(self) -> Path:
        """The path to write and show: as given when it names the target directly, else the
        real path (a symbolic link is written through, never replaced)."""
        direct = not os.path.islink(self.shown)
        return (
            self.shown if direct and os.path.realpath(self.shown) == str(self.path) else self.path
        )

    @contextmanager
    def staged(self) -> Iterator[Path]:
        """A fresh staging folder beside the target; on success it replaces the target
        (foreign files carried over, :attr:`kept`), on failure or Ctrl-C it is removed."""
        self.kept = []
        with staged_folder(self.path, self.kind, kept=self.kept) as stage:
            yield stage

    def kept_note(self) -> str | None:
        """One line naming the files ccsim did not write that were kept, if any."""
        if not self.kept:
            return None
        count = len(self.kept)
        return (
            f"kept {count} file{'s' if count != 1 else ''} ccsim did not write in "
            f"{printable(str(self.shown))}: {listing(self.kept)}"
        )


@contextmanager
def guarded_output(
    output: str | None,
    kind: Kind,
    *,
    name: str,
    default: DefaultKind,
    owner: str | None = None,
    overwrite: bool = False,
    wait: bool = False,
    overrides: Sequence[str] = (),
) -> Iterator[Output]:
    """Check, lock and clean the output of a command for the ``with`` block (see the module).

    ``output`` is ``-o`` (None: the default of ``default`` kind for ``name`` and
    ``overrides``); ``owner`` the scenario name a reused folder must record; ``overwrite``
    is ``--overwrite`` (``--force`` for sweeps). Every refusal is :class:`BadInput` (exit 2).
    """
    shown = Path(output) if output is not None else _default(default, name, overrides)
    try:
        real = check_output_target(shown, kind, owner, overwrite)
        with folder_lock(real, wait=wait):
            clean_stale(real.parent)
            if kind == "sweep" and real.is_dir():
                clean_stale(real)
            real = check_output_target(shown, kind, owner, overwrite)  # as it is now, locked
            yield Output(real, shown, kind)
    except FolderBusy as busy:  # named as the user gave it, not its resolved path
        raise BadInput(str(FolderBusy(busy.pid, Path(printable(str(shown)))))) from None
    except OutputPathError as error:
        raise BadInput(str(error)) from None


def check_path(output: str, kind: Kind) -> Path:
    """Only the path checks of :func:`guarded_output` (links, parents, ``-o .``), for a
    command that checks what it may replace itself; returns the path to write (a link to an
    existing target resolved). Refusals are :class:`BadInput` (exit 2)."""
    try:
        real = check_output_target(Path(output), kind, overwrite=True)
    except OutputPathError as error:
        raise BadInput(str(error)) from None
    return Output(real, Path(output), kind).where


@contextmanager
def locked(target: Path, wait: bool = False) -> Iterator[Path]:
    """Only the lock of :func:`guarded_output`, for commands that add files to a folder
    ccsim wrote (``plot``) or write one file beside others (``export``): no second writer
    while they write. A busy target is :class:`BadInput` (exit 2) naming the holder."""
    try:
        with folder_lock(target, wait=wait):
            yield target
    except (FolderBusy, ValueError) as error:
        raise BadInput(str(error)) from None


def _default(kind: DefaultKind, name: str, overrides: Sequence[str]) -> Path:
    try:
        return default_output(kind, default_name(name, overrides))
    except ValueError as error:
        raise BadInput(str(error)) from None


def wait_option(command):  # type: ignore[no-untyped-def]
    """``--wait``: wait for another ccsim process writing the same output to finish."""
    return click.option(
        "--wait",
        is_flag=True,
        help="If another ccsim process is writing the same output, wait for it to finish "
        "instead of stopping (exit 2).",
    )(command)
