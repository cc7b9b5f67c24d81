"""The staging swap: a complete new output folder in place, the user's files kept.

A run is written into a staging folder beside its target and swapped in only when complete.
The swap used to move the old folder aside and delete it whole, taking with it anything the
user had put there (``notes.txt``). :func:`replace_folder` carries every foreign entry
(:func:`sim.io.layout.foreign_files`) over into the new folder and deletes only ccsim's own
files.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sim.io.guard import OutputPathError, listing
from sim.io.layout import Kind, foreign_files
from sim.io.names import printable


def replace_folder(stage: Path, target: Path, kind: Kind) -> list[str]:
    """Swap the complete folder ``stage`` in as ``target``, keeping ``target``'s foreign files.

    ``target`` must be the real path :func:`check_output_target` returned, with ``stage``
    beside it. Without a ``target``, ``stage`` is renamed into place. Otherwise: ``target``
    is renamed to ``.NAME.previous-PID``, ``stage`` to ``target``, each foreign entry of the
    old folder is renamed into the new one, and the rest of the old folder (ccsim's files,
    of any kind it held) is deleted; the new folder takes the old one's permission bits.
    Ctrl-C and SIGTERM are held back during the renames (and delivered after), so at every
    moment ``target`` holds the old ccsim files or the new ones; a ``kill -9`` between the
    two renames leaves ``target`` missing and the old folder complete under its
    ``.previous`` name, which :func:`sim.io.stale.clean_stale` renames back. Returns the
    names of the foreign entries kept. Raises :class:`OutputPathError` if a foreign entry
    would clash with a new file, or could not be moved (it is then left, with the old
    folder, under the ``.previous`` name the message gives; the new outputs are in place).
    """
    if os.path.islink(target) or not os.path.isdir(stage):
        raise OutputPathError(f"internal error: {target} is a link or {stage} no folder")
    if not os.path.lexists(target):
        with _signals_held():
            os.replace(stage, target)
        _fsync_dir(target.parent)
        return []
    if not target.is_dir():
        raise OutputPathError(f"{printable(str(target))} exists and is not a folder")
    keep = foreign_files(target, kind)
    clash = sorted(set(keep) & set(os.listdir(stage)))
    previous = target.parent / f".{target.name}.previous-{os.getpid()}"
    if clash or os.path.lexists(previous):
        what = f"{listing(clash)} would be both kept and replaced" if clash else "in the way"
        raise OutputPathError(f"cannot replace {printable(str(target))}: {what}")
    with suppress(OSError):
        os.chmod(stage, stat.S_IMODE(os.stat(target).st_mode))
    failed = []
    with _signals_held():
        os.replace(target, previous)
        try:
            os.replace(stage, target)
        except BaseException:
            os.replace(previous, target)
            raise
        for name in keep:
            try:
                os.replace(previous / name, target / name)
            except OSError:
                failed.append(name)
    _fsync_dir(target.parent)
    if failed:
        raise OutputPathError(
            f"new outputs are in {printable(str(target))}, but {listing(failed)} could not "
            f"be moved over; they are in {printable(str(previous))}"
        )
    shutil.rmtree(previous, ignore_errors=True)
    return keep


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM for the block, then deliver them (main thread only;
    elsewhere Python signal handlers cannot run anyway)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not None:  # None: a handler not set from Python
            previous[signum] = signal.signal(signum, lambda number, _: held.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(held):
            signal.raise_signal(signum)


def _fsync_dir(path: Path) -> None:
    """Make renames in ``path`` durable (best effort: not every system can fsync a folder)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
