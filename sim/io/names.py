"""Folder names from scenario names, and scenario names made safe to echo.

A scenario's ``name`` is free text chosen by whoever wrote the file; the default output
folder is derived from it, so it must never be able to name a path outside ``outputs/``
(``../../x``, ``/etc``), the outputs folder itself (``""``, ``.``), a hidden file that could
collide with ccsim's own ``.NAME.staging-PID`` and ``.NAME.lock`` entries, or a name the file
system rejects (a NUL, 300 characters). And it must not reach a terminal as escape codes.

:func:`folder_name` keeps what is readable — letters of any script, digits, ``-``, ``_`` and
``.`` — and turns everything else into ``_``; it is deterministic (NFC-normalised first), so
the same scenario always lands in the same folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path
from typing import Literal

MAX_CHARS = 80
"""Longest folder name :func:`folder_name` returns, in characters."""
MAX_BYTES = 200
"""Longest folder name in UTF-8 bytes: leaves room under the usual 255-byte limit for the
``.NAME.previous-PID`` and ``.NAME.lock`` entries ccsim puts beside a folder."""
FALLBACK = "scenario"
"""The folder name when nothing usable is left (an empty or all-punctuation name)."""

DefaultKind = Literal["run", "sweep", "compare", "staffed", "backtest", "schedule"]

# ESC [ ... final byte (CSI), ESC ] ... BEL or ESC \ (OSC), ESC P/X/^/_ ... ESC \ (DCS, SOS,
# PM, APC), any other two-byte ESC sequence, and the 8-bit CSI (U+009B).
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
)
_KEEP_PUNCTUATION = frozenset("-_.")
_EDGE = "._- "
# Device names Windows refuses whatever the extension; harmless elsewhere, refused for the
# sake of folders copied between systems.
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
)
_SUFFIX = {
    "run": "",
    "sweep": "-sweep",
    "compare": "",
    "staffed": "_staffed.yaml",
    "backtest": "",
    "schedule": "_schedule",
}
_PREFIX = {
    "run": "",
    "sweep": "",
    "compare": "compare-",
    "staffed": "",
    "backtest": "backtest-",
    "schedule": "",
}


def strip_escapes(text: str) -> str:
    """``text`` without terminal escape sequences (colours, cursor moves, titles, links)."""
    return _ESCAPES.sub("", text)


def printable(text: str) -> str:
    """``text`` safe to echo to a terminal: escape sequences removed, and every other control
    or formatting character (newline, tab, NUL, DEL, bidirectional overrides, zero-width
    characters) shown as ``?``, so a name is one visible line that cannot restyle, move the
    cursor, retitle the window or reorder what is displayed around it."""
    hidden = ("Zl", "Zp")  # line and paragraph separators; other spaces show as spaces
    return "".join(
        "?" if unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in hidden else ch
        for ch in strip_escapes(text)
    )


def _keep(ch: str) -> bool:
    return ch in _KEEP_PUNCTUATION or unicodedata.category(ch)[0] in "LMN"


def folder_name(
    scenario_name: str, *, max_chars: int = MAX_CHARS, max_bytes: int = MAX_BYTES
) -> str:
    """A safe, non-empty single path component from any string.

    Escape sequences are dropped, the text NFC-normalised, and every run of characters that
    is not a letter (any script, with its combining marks), a digit, ``-``, ``_`` or ``.``
    becomes one ``_``, so separators, NUL, control characters and spaces never survive.
    Leading and trailing ``.``, ``_`` and ``-`` are stripped, so the result is never ``.`` or
    ``..``, never hidden, and never reads as a command-line option. Windows device names
    (``con``, ``nul``, ``com1``, ... with any extension) get a ``_`` after their stem.
    Nothing left means :data:`FALLBACK`. A name over ``max_chars`` characters or
    ``max_bytes`` UTF-8 bytes is cut and ends in ``-`` and 8 hex digits of the original's
    SHA-256, so two long names that differ only at the end still get different folders.
    """
    if max_chars < 16 or max_bytes < 64:
        raise ValueError("max_chars must be at least 16 and max_bytes at least 64")
    text = unicodedata.normalize("NFC", strip_escapes(scenario_name))
    mapped = "".join(ch if _keep(ch) else "\0" for ch in text)
    name = re.sub("\0+", "_", mapped).strip(_EDGE)
    stem, dot, rest = name.partition(".")
    if stem.lower() in _RESERVED:
        name = f"{stem}_{dot}{rest}"
    if len(name) > max_chars or len(name.encode("utf-8")) > max_bytes:
        digest = hashlib.sha256(scenario_name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        name = _cut(name, max_chars - 9, max_bytes - 9).rstrip(_EDGE) + "-" + digest
    return name or FALLBACK


def _cut(text: str, max_chars: int, max_bytes: int) -> str:
    """The longest prefix of ``text`` within both budgets."""
    text = text[:max_chars]
    while len(text.encode("utf-8")) > max_bytes:
        text = text[:-1]
    return text


def default_output(kind: DefaultKind, name: str, root: Path = Path("outputs")) -> Path:
    """The default output path of a command for scenario ``name``: always one entry inside
    ``root``.

    ``run`` → ``root/NAME``, ``sweep`` → ``root/NAME-sweep``, ``compare`` →
    ``root/compare-NAME`` (pass the compared names joined by ``-``), ``staffed`` →
    ``root/NAME_staffed.yaml``, where ``NAME`` is :func:`folder_name` of ``name`` cut so the
    whole entry stays within :data:`MAX_CHARS` and :data:`MAX_BYTES`. Raises
    :class:`ValueError` if, against every rule above, the entry would not lie directly inside
    the resolved ``root`` (a real check, not an ``assert``, which ``python -O`` removes). An
    entry that already exists as a symbolic link is left to :mod:`sim.io.guard` to judge.
    """
    prefix, suffix = _PREFIX[kind], _SUFFIX[kind]
    extra = len(prefix) + len(suffix)
    name = folder_name(name, max_chars=MAX_CHARS - extra, max_bytes=MAX_BYTES - extra)
    entry = prefix + name + suffix
    base = os.path.realpath(root)
    where = Path(os.path.normpath(os.path.join(base, entry)))
    one_entry = entry not in ("", ".", "..") and os.sep not in entry and "\0" not in entry
    if not one_entry or (os.altsep and os.altsep in entry) or where.parent != Path(base):
        raise ValueError(f"internal error: default output {entry!r} is not inside {root}")
    return root / entry
