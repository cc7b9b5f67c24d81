"""One writer per output target: an advisory exclusive lock beside it.

Two ccsim commands writing the same folder would clobber each other (the last swap wins, or
one dies half-way with ``Directory not empty``). :func:`folder_lock` takes an exclusive
``flock`` on ``.NAME.lock`` in the target's parent folder (``NAME`` is the target's last
component, after resolving symbolic links, so two spellings of one folder share one lock).
The file holds the holder's PID, for the message a second writer gets.

Why ``flock`` and not "create the lock file exclusively": the kernel drops a ``flock`` when
its holder dies, even by ``kill -9``, so a lock can never go stale; the file left behind by a
killed holder is only a name, which the next holder reuses and :mod:`sim.io.stale` removes.

Protocol (safe against a holder unlinking the file while another process waits on it):
open (creating) the file, ``flock``, then check that the path still names the inode that was
locked; if not, retry. The holder writes its PID, and on release unlinks the file *while still
holding the lock*, then unlocks. File descriptors of a held lock are closed in forked
children (``os.register_at_fork``), so worker processes do not keep the lock alive.

Limits: the lock is advisory (only processes that take it are excluded), and on NFS
``flock`` may be emulated with byte-range locks or not shared between hosts at all, so two
machines writing one network folder may not exclude each other; the PID in the file is only
meaningful on the holder's host (and in its PID namespace).
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sim.io.pids import pid_alive

try:
    import fcntl
except ImportError:  # not POSIX: no locking, see folder_lock
    fcntl = None  # type: ignore[assignment]

POLL_SECONDS = 0.1
"""How often a waiting :func:`folder_lock` tries again."""

_held: dict[int, Path] = {}  # descriptor -> lock file, for the locks this process holds


class FolderBusy(Exception):
    """Another live process holds the lock on ``target``."""

    def __init__(self, pid: int | None, target: Path) -> None:
        self.pid = pid
        self.target = target
        holder = f"another ccsim process (PID {pid})" if pid else "another ccsim process"
        super().__init__(
            f"{target} is being written by {holder}; wait for it to finish (or pass --wait), "
            "or choose another folder with -o"
        )


def lock_path(target: Path) -> Path:
    """The lock file of ``target``: ``.NAME.lock`` beside the resolved target."""
    real = Path(os.path.realpath(target))
    if not real.name:
        raise ValueError(f"{target} has no name to lock (the file system root)")
    return real.parent / f".{real.name}.lock"


@contextmanager
def folder_lock(target: Path, wait: bool = False, timeout: float | None = None) -> Iterator[Path]:
    """Hold the exclusive lock on ``target`` for the ``with`` block; yields the lock file.

    Creates the target's parent folder if needed (not the target). If another live process
    holds the lock: raises :class:`FolderBusy` at once, or with ``wait`` tries again every
    :data:`POLL_SECONDS` until it is free (or ``timeout`` seconds have passed, then
    :class:`FolderBusy`; ``timeout`` is ignored without ``wait``). The lock is released when
    the block exits, whatever the reason, and by the kernel if this process dies. A second
    :func:`folder_lock` on the same target in the same process is refused like any other.
    Without ``fcntl`` (Windows) nothing is locked and the block just runs.
    """
    path = lock_path(target)
    if fcntl is None:
        yield path
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        fd = _try_lock(path)
        if fd is not None:
            break
        if not wait or (deadline is not None and time.monotonic() >= deadline):
            raise FolderBusy(holder_pid(path), target)
        time.sleep(POLL_SECONDS)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        release(fd, path)


def _try_lock(path: Path) -> int | None:
    """A descriptor holding the lock on ``path`` (the file as it is now), or None if busy."""
    assert fcntl is not None
    while True:
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(path, flags, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(fd)
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return None
            raise
        if _same_file(fd, path):
            _held[fd] = path
            return fd
        os.close(fd)  # unlinked (released) or replaced since we opened it: try the new one


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)


def release(fd: int, path: Path) -> None:
    """Unlink ``path`` while still holding the lock on ``fd``, then unlock and close.

    Does nothing for a descriptor this process does not hold (already released, or a forked
    child unwinding its parent's ``with`` block: the descriptor was closed at the fork).
    """
    assert fcntl is not None
    if fd not in _held:
        return
    del _held[fd]
    try:
        if _same_file(fd, path):
            os.unlink(path)
    except OSError:
        pass  # a lock file left behind is harmless: the next holder reuses it
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def try_remove_stale(path: Path) -> bool:
    """Remove the lock file ``path`` if it is a stale ccsim lock; True if it was removed.

    Stale means: a regular file holding only a PID, that PID not alive, and the ``flock``
    free (taken here with the same protocol, so a process waiting on it is never cut out).
    A lock file of another program (other contents) or of a live holder is left alone.
    """
    if fcntl is None or not os.path.isfile(path) or os.path.islink(path):
        return False
    pid = holder_pid(path)
    if pid is None or pid_alive(pid):
        return False
    try:
        fd = _try_lock(path)
    except OSError:
        return False
    if fd is None:
        return False
    release(fd, path)
    return not os.path.lexists(path)


def held_here(target: Path) -> bool:
    """Whether this process holds the lock on ``target``."""
    return lock_path(target) in _held.values()


def holder_pid(path: Path) -> int | None:
    """The PID written in the lock file ``path`` (None if unreadable: the holder may not have
    written it yet, or the file is not ours)."""
    for _ in range(3):
        try:
            with open(path, "rb") as handle:
                text = handle.read(32).decode("ascii", "replace").strip()
        except OSError:
            return None
        if text.isdigit():
            return int(text)
        time.sleep(0.02)  # taken but not yet written: give the holder a moment
    return None


def _close_in_child() -> None:
    """After fork: close the inherited lock descriptors (the parent keeps the lock)."""
    for fd in list(_held):
        with suppress(OSError):
            os.close(fd)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)
