"""Reading files named by users: bounded, regular files only, contents never leaked.

``st_size`` is no bound: ``/dev/zero`` and ``/proc`` files report 0 and never end, and a FIFO
blocks the reader until someone writes. :func:`read_bounded` refuses anything that is not a
regular file before opening it, opens without blocking, checks again on the open descriptor
(a FIFO swapped in between is caught), and counts the bytes it actually reads.

A scenario can name any file (``extends: /etc/shadow``); an error message that quotes a bad
value, an unknown key or the start of the file would then print the contents of a file that is
not a scenario. :func:`looks_like_scenario` is the rule for when quoting is allowed.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

CHUNK = 1 << 16

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)

SCENARIO_SECTIONS = frozenset(
    {
        "name",
        "description",
        "extends",
        "run",
        "demand",
        "channels",
        "behaviour",
        "pools",
        "policy",
        "costs",
        "value",
    }
)
"""The top-level keys a scenario file may have (``Scenario``'s fields plus ``extends``)."""

# A top-level mapping key: at column 0, plain or quoted, followed by ':' and then a space or
# the end of the line (YAML's rule; 'root:$6$...' is a plain scalar, not a key).
_TOP_KEY = re.compile(
    r"""^(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#'"{}\[\],&*!|>%@`:-][^:\n]*?))"""
    r"\s*:(?:\s|$)"
)
_FLOW_KEY = re.compile(r"""["']?([A-Za-z_][\w-]*)["']?\s*:""")
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ReadRefused(Exception):
    """A file that will not be read. The message is a reason phrase without the path (e.g.
    ``is a named pipe (FIFO), not a regular file``), ready for ``Problem(file, "", reason)``."""


def read_bounded(path: Path, limit: int) -> bytes:
    """The contents of the regular file ``path`` if it holds at most ``limit`` bytes.

    Raises :class:`ReadRefused` for a missing or unreadable file, anything that is not a
    regular file (checked with ``stat`` before opening and ``fstat`` after, the file opened
    with ``O_NONBLOCK`` so a FIFO swapped in between cannot hang the open), and a file with
    more than ``limit`` bytes — counted while reading (at most ``limit + 1`` bytes are read),
    not taken from ``st_size``. Symbolic links are followed; what they point at is judged.
    """
    fd = _open_regular(path)
    chunks: list[bytes] = []
    total = 0
    try:
        while total <= limit:
            chunk = os.read(fd, min(CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise ReadRefused(_reason(error)) from None
    finally:
        os.close(fd)
    if total > limit:
        raise ReadRefused(f"is larger than {_size(limit)}")
    return b"".join(chunks)


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes (or fewer) of the regular file ``path``, with the refusals of
    :func:`read_bounded` but no size limit: to peek at a header or a marker of a file that may
    be large."""
    fd = _open_regular(path)
    try:
        return os.read(fd, size)
    except OSError as error:
        raise ReadRefused(_reason(error)) from None
    finally:
        os.close(fd)


def _open_regular(path: Path) -> int:
    """A read-only descriptor of ``path``, which is and stays a regular file."""
    try:
        _require_regular(os.stat(path).st_mode)
        flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
        fd = os.open(path, flags)
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        raise ReadRefused(_reason(error)) from None
    try:
        _require_regular(os.fstat(fd).st_mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _require_regular(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    what = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise ReadRefused(f"is {what}, not a regular file" if what[0] == "a" else f"is {what}")


def _reason(error: OSError | ValueError) -> str:
    if isinstance(error, FileNotFoundError):
        return "file not found"
    strerror = getattr(error, "strerror", None)
    return f"cannot read the file: {strerror or error}"


def _size(limit: int) -> str:
    for unit, size in (("MB", 1_000_000), ("kB", 1_000)):
        if limit >= size and limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit} bytes"


def top_level_keys(text: str) -> list[str]:
    """The keys of a YAML document's top-level block mapping, found line by line (no YAML
    parser: this must be safe and cheap on any text). A document that opens with a flow
    mapping (``{...}``, as JSON) gives the keys that look like ``name:`` inside it."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    lines = [line for line in lines if not line.startswith(("---", "%", "..."))]
    if lines and lines[0].lstrip().startswith("{"):
        return _FLOW_KEY.findall(text)
    keys = []
    for line in lines:
        match = _TOP_KEY.match(line)
        if match:
            keys.append(next(group for group in match.groups() if group is not None).strip())
    return keys


def looks_like_scenario(text: str) -> bool:
    """Whether an error about ``text`` may quote its contents.

    The rule: text qualifies only if it has no control characters other than tab, newline and
    carriage return, at least one top-level key is a scenario section
    (:data:`SCENARIO_SECTIONS`), and at least half of its top-level keys are. A scenario with
    a misspelt section still qualifies (``pols:`` next to ``demand:`` and ``pools:``);
    ``/etc/shadow`` (``root:$6$...`` lines are no keys), ``/etc/passwd``, ``.env`` files,
    private keys, binaries and other programs' YAML do not.

    For the loader: when a file fails to read, parse or validate and this is False, report the
    problem with the file name, the line number and a generic reason only — e.g. "does not
    look like a ccsim scenario (no top-level demand:, pools: ... sections); its contents are
    not shown" — never a key, a value or a snippet; YAML parser messages, which quote the
    offending line, must be reduced to their position.
    """
    if _BAD_CONTROL.search(text):
        return False
    keys = top_level_keys(text)
    known = sum(key in SCENARIO_SECTIONS for key in keys)
    return known >= 1 and 2 * known >= len(keys)
