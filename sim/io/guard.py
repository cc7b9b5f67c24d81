"""Every output-path problem found before any simulation starts.

:func:`check_output_target` is called once the output path is known and before any work:
it returns the real path to write (symbolic links resolved) or raises
:class:`OutputPathError` with a message that says what to do. Nothing is created except a
probe file, removed at once.

Symbolic links: **written through**. An output path that is (or passes through) a symbolic
link to an existing folder is resolved, and the real folder is the target: staging, lock and
swap all happen beside the real folder (same file system), and the link is never replaced by
a folder of its own. A link that dangles or loops is refused.

The swap that then puts a staging folder in place, keeping foreign files, is
:func:`sim.io.swap.replace_folder`.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path

from sim.io.layout import (
    MARKERS,
    FolderKind,
    Kind,
    ccsim_files,
    folder_kinds,
    folder_owner,
    foreign_files,
    is_ccsim_entry,
    visible_entries,
)
from sim.io.names import MAX_BYTES, printable
from sim.io.reading import ReadRefused, looks_like_scenario, read_head

__all__ = ["OutputPathError", "ccsim_files", "check_output_target", "foreign_files"]

_FLAG = {
    "run": "--overwrite",
    "sweep": "--force",
    "compare": "--overwrite",
    "backtest": "--overwrite",
    "schedule": "--overwrite",
    "file": "--overwrite",
}


class OutputPathError(Exception):
    """An output path that cannot or must not be written; the message says what to do."""


def check_output_target(
    path: Path,
    kind: Kind,
    owner: str | None = None,
    overwrite: bool = False,
    *,
    root: Path = Path("outputs"),
) -> Path:
    """Check that ``path`` can take the outputs of a ``kind`` command; return its real path.

    Refused always: an empty path, a NUL, a last component that is ``.``, ``..`` or longer
    than 200 bytes; a symbolic link anywhere in it that dangles or loops; the current folder
    or one containing it, ``root`` (the outputs folder) or one containing it, the home
    folder or one containing it, and mount points; a parent that is a file, or one this
    process cannot write in (``os.access`` and a real probe file); for a folder kind, an
    existing file, a read-only folder (it is not replaced behind the user's back), a folder
    owned by someone else under a sticky parent, and foreign sub-folders that could not be
    moved over to the new folder; for ``file``, an existing folder or non-regular file.

    Refused unless ``overwrite`` (``--force`` for sweeps): a non-empty folder without the
    marker of ``kind`` (files ccsim did not write, or another kind of ccsim folder), a folder
    of two kinds, a folder whose recorded scenario is not ``owner`` (checked only when
    ``owner`` is given; compare folders record none); for ``file``, an existing file that
    does not look like a scenario (:func:`sim.io.reading.looks_like_scenario`).
    """
    shown = printable(os.fspath(path))
    _check_spelling(os.fspath(path), shown)
    real = _resolve(path, shown)
    _check_not_special(real, shown, root)
    _check_parent(real, shown)
    if os.path.lexists(real):
        _check_sticky(real, shown)
        if kind == "file":
            _check_existing_file(real, shown, overwrite)
        else:
            _check_existing_folder(real, shown, kind, owner, overwrite)
    return real


def _check_spelling(text: str, shown: str) -> None:
    if not text:
        raise OutputPathError("the output path is empty; give a folder with -o")
    if "\0" in text:
        raise OutputPathError(f"the output path {shown} contains a NUL character")
    name = Path(text).name
    if name in ("", ".", ".."):
        raise OutputPathError(
            f"{shown} names no folder of its own; ccsim replaces its output folder as a whole, "
            f"so give a new folder inside it, e.g. -o {os.path.join(text, 'results')}"
        )
    if len(os.fsencode(name)) > MAX_BYTES:
        raise OutputPathError(f"{shown}: the last name is over {MAX_BYTES} bytes; shorten it")


def _resolve(path: Path, shown: str) -> Path:
    """The real path, after refusing any dangling or looping link on the way to it."""
    absolute = Path(os.getcwd()) / path
    prefix = Path(absolute.anchor)
    for part in absolute.parts[1:]:
        prefix = prefix / part
        if os.path.islink(prefix):
            try:
                os.path.realpath(prefix, strict=True)
            except OSError as error:
                if error.errno == errno.ELOOP:
                    raise OutputPathError(
                        f"{shown}: the symbolic link {printable(str(prefix))} loops; "
                        "remove or fix it, or choose another folder with -o"
                    ) from None
                target = printable(os.readlink(prefix))
                raise OutputPathError(
                    f"{shown}: the symbolic link {printable(str(prefix))} points to {target}, "
                    "which does not exist; create it, fix the link, or choose another folder"
                ) from None
        elif not os.path.lexists(prefix):
            break
    return Path(os.path.realpath(absolute))


def _check_not_special(real: Path, shown: str, root: Path) -> None:
    special = [(Path(os.getcwd()), "the current folder"), (Path(root), "the outputs folder")]
    with suppress(RuntimeError, KeyError):  # no home folder known
        special.append((Path.home(), "your home folder"))
    for place, what in special:
        place = Path(os.path.realpath(place))
        if real == place or real in place.parents:
            which = what if real == place else f"a folder containing {what}"
            raise OutputPathError(
                f"{shown} is {which}; ccsim replaces its output folder as a whole, so give a "
                "folder of its own, e.g. -o outputs/NAME"
            )
    if os.path.ismount(real):
        raise OutputPathError(
            f"{shown} is a mount point, which cannot be swapped for a new folder; "
            "give a folder inside it"
        )


def _check_parent(real: Path, shown: str) -> None:
    ancestor = real.parent
    while not os.path.lexists(ancestor):
        ancestor = ancestor.parent
    where = printable(str(ancestor))
    if not ancestor.is_dir():
        raise OutputPathError(f"cannot create {shown}: {where} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputPathError(
            f"cannot write in {where} (permission denied); choose a folder you can write to"
        )
    try:
        fd, probe = tempfile.mkstemp(prefix=f".ccsim-probe-{os.getpid()}-", dir=ancestor)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise OutputPathError(f"cannot write in {where}: {error.strerror or error}") from None


def _check_sticky(real: Path, shown: str) -> None:
    """Under a sticky parent (like /tmp) only the owner may rename an entry away."""
    parent, mine, uid = os.stat(real.parent), os.lstat(real), os.geteuid()
    if parent.st_mode & stat.S_ISVTX and uid not in (0, mine.st_uid, parent.st_uid):
        raise OutputPathError(f"{shown} belongs to another user; choose another folder with -o")


def _check_existing_file(real: Path, shown: str, overwrite: bool) -> None:
    mode = os.stat(real).st_mode
    if stat.S_ISDIR(mode):
        raise OutputPathError(
            f"{shown} is a folder, but this command writes a file; give a file name, "
            f"e.g. {printable(os.path.join(shown, 'staffed.yaml'))}"
        )
    if not stat.S_ISREG(mode):
        raise OutputPathError(f"{shown} is not a regular file; choose another file name")
    if overwrite:
        return
    try:
        ours = looks_like_scenario(read_head(real, 1 << 16).decode("utf-8", "replace"))
    except ReadRefused:
        ours = False
    if not ours:
        raise OutputPathError(
            f"{shown} exists and is not a ccsim scenario; choose another file name, "
            "or pass --overwrite to replace it"
        )


def _check_existing_folder(
    real: Path, shown: str, kind: FolderKind, owner: str | None, overwrite: bool
) -> None:
    mode = os.stat(real).st_mode
    if not stat.S_ISDIR(mode):
        raise OutputPathError(f"{shown} exists and is not a folder; choose another folder with -o")
    no_write_bits = not mode & 0o222  # read-only even for root, who could write anyway
    if no_write_bits or not os.access(real, os.R_OK | os.W_OK | os.X_OK):
        raise OutputPathError(
            f"{shown} is read-only; make it writable (chmod u+rwx) or choose another folder"
        )
    if kind != "sweep":  # a run or compare folder is swapped: foreign entries must move
        stuck = unmovable(real, foreign_files(real, kind))
        if stuck:
            raise OutputPathError(
                f"{shown} holds read-only folders ccsim did not write ({listing(stuck)}) "
                "that could not be kept in the new outputs; make them writable or move them"
            )
    if not overwrite:
        _check_contents(real, shown, kind, owner)


def _check_contents(real: Path, shown: str, kind: FolderKind, owner: str | None) -> None:
    """A non-empty folder must already be this kind's, and of ``owner`` if given."""
    entries = visible_entries(real)
    if not entries:
        return
    kinds, flag = folder_kinds(real), _FLAG[kind]
    if kinds == {kind}:
        checked = owner is not None and kind in ("run", "sweep")  # others name no owner
        found = folder_owner(real, kind) if checked else owner
        if found == owner:
            return
        what = f"scenario '{printable(found)}'" if found else "a scenario it does not name"
        raise OutputPathError(
            f"{shown} holds the {kind} outputs of {what}, not of '{printable(owner or '')}'; "
            f"choose another folder with -o, or pass {flag} to replace them"
        )
    if kinds:
        held = " and ".join(f"a ccsim {k} ({MARKERS[k]})" for k in sorted(kinds))
        instead = "" if kind in kinds else f", not a {kind}"
        raise OutputPathError(
            f"{shown} holds {held}{instead}; choose another folder with -o, "
            f"or pass {flag} to replace it"
        )
    named = [name for name in entries if is_ccsim_entry(real, name, {kind})]
    consequence = f"{listing(named)} would be replaced, the rest kept" if named else "all kept"
    raise OutputPathError(
        f"{shown} holds files ccsim did not write ({listing(entries)}); choose another folder "
        f"with -o, or pass {flag} to write there anyway ({consequence})"
    )


def listing(names: list[str], most: int = 5) -> str:
    """Up to ``most`` names, printable, comma-separated, then how many more."""
    shown = ", ".join(printable(name) for name in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def unmovable(folder: Path, names: list[str]) -> list[str]:
    """Foreign sub-folders that rename(2) cannot move to another folder (it must rewrite
    their ``..`` entry, which needs write permission on them)."""
    return [
        name
        for name in names
        if (folder / name).is_dir()
        and not (folder / name).is_symlink()
        and not os.access(folder / name, os.W_OK)
    ]
