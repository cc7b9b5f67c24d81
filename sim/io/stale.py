"""Debris of killed ccsim processes, cleaned up by the next one.

A process killed with ``kill -9`` (or by a power cut) runs no cleanup, and leaves behind the
temporary entries it named after its PID (:data:`sim.io.layout.DEBRIS`): a staging folder
``.NAME.staging-PID``, a moved-aside ``.NAME.previous-PID``, a sweep point being written
``.pNNN.tmp-PID``, a file being written ``.FILE.PID.tmp``, a probe ``.ccsim-probe-PID-*``, and
its lock file ``.NAME.lock``. :func:`clean_stale` removes them once their PID is certainly
not a live process (:func:`sim.io.pids.pid_alive`), and never touches live work.

A ``.NAME.previous-PID`` is not always rubbish: a swap cut short between its two renames
leaves ``NAME`` missing and the old outputs complete under that name, and one cut short
while moving foreign files back still holds some of the user's files. It is renamed back to
``NAME`` in the first case, and its foreign entries are moved into ``NAME`` before the rest is
deleted in the second.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

from sim.io.layout import DEBRIS, folder_kinds, is_ccsim_entry
from sim.io.lock import FolderBusy, folder_lock, held_here, try_remove_stale
from sim.io.pids import pid_alive

_TARGETED = ("staging", "previous")  # debris named after an output target beside it


def clean_stale(parent: Path) -> list[Path]:
    """Clean the debris of dead processes directly inside ``parent``; return what went.

    For an output target, call it on the target's parent (staging, previous and lock
    entries sit beside the target) and, for a sweep, on the sweep folder too (point and file
    temporaries sit inside it) while holding the sweep's lock. Debris named after a target
    ``NAME`` is handled only while ``NAME``'s lock is held — by this process already, or
    taken here for the moment (if another process holds it, that entry is skipped), so a
    cleaner never races a live swap. Lock files are removed only when stale
    (:func:`sim.io.lock.try_remove_stale`). Entries that are symbolic links, of the wrong
    type, or that cannot be removed are left. The list holds every path that no longer
    exists under its name: removed, or (a cut-short swap) renamed back to its target.
    """
    try:
        names = sorted(entry.name for entry in os.scandir(parent))
    except OSError:
        return []
    cleaned = []
    for name in names:
        path = parent / name
        for kind, pattern in DEBRIS.items():
            match = pattern.match(name)
            if match:
                dead = not pid_alive(int(match["pid"]))
                if dead and _clean(path, kind, match.groupdict().get("name")):
                    cleaned.append(path)
                break
        else:
            if name.startswith(".") and name.endswith(".lock") and try_remove_stale(path):
                cleaned.append(path)
    return cleaned


def _clean(path: Path, kind: str, name: str | None) -> bool:
    if kind not in _TARGETED:
        want = stat.S_ISDIR if kind == "point" else stat.S_ISREG
        return _remove(path, want)
    target = path.parent / (name or "")
    if held_here(target):
        return _clean_targeted(path, kind, target)
    try:
        with folder_lock(target):
            return _clean_targeted(path, kind, target)
    except (FolderBusy, OSError, ValueError):
        return False


def _clean_targeted(path: Path, kind: str, target: Path) -> bool:
    if kind == "staging":
        return _remove(path, stat.S_ISDIR)
    return _settle_previous(path, target)


def _settle_previous(previous: Path, target: Path) -> bool:
    """Undo or finish a swap that was cut short; True once ``previous`` is gone."""
    try:
        if not stat.S_ISDIR(os.lstat(previous).st_mode):
            return False
        if not os.path.lexists(target):
            os.replace(previous, target)  # the old outputs, complete: put them back
            return True
        if os.path.islink(target) or not target.is_dir():
            return False
        kinds: set[str] = {*folder_kinds(previous), *folder_kinds(target)}
        foreign = [
            entry
            for entry in sorted(os.listdir(previous))
            if not is_ccsim_entry(previous, entry, kinds)
        ]
        if any(os.path.lexists(target / entry) for entry in foreign):
            return False  # never choose between two versions of a user's file
        for entry in foreign:
            os.replace(previous / entry, target / entry)
    except OSError:
        return False
    return _remove(previous, stat.S_ISDIR)


def _remove(path: Path, want: Callable[[int], bool]) -> bool:
    """Remove ``path`` if it is (not a link to) what ``want`` tests for; True if it went."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    if not want(mode):
        return False
    if stat.S_ISDIR(mode):
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except OSError:
            return False
    return not os.path.lexists(path)
