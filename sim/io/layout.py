"""What ccsim writes into its output folders, and what it did not write.

Five kinds of output folder, each recognised by a marker file that ccsim writes and a user
is unlikely to have made by hand:

- a **run** (``ccsim run``): ``run.json``, a JSON object whose ``ccsim_version`` is set;
- a **sweep** (``ccsim sweep``): ``sweep.json``, likewise;
- a **compare** (``ccsim compare``): ``compare.csv``, whose header starts ``scope,metric,``;
- a **backtest** (``ccsim backtest``): ``backtest_errors.csv``, whose header starts
  ``channel,intervals,``;
- a **schedule** (``ccsim schedule``): ``schedule.csv``, whose header starts
  ``pool,template,start,``.

A file or folder in an output folder is *ccsim's* if ccsim writes that name into a folder of
that kind (:func:`ccsim_files`, plus ``pNNN/`` point folders in a sweep and the compared run
folders in a compare), or is the debris of a killed ccsim process (hidden temporary names
ending in a PID). Everything else is *foreign* — the user's — and is never deleted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

from sim.io.reading import ReadRefused, read_head

Kind = Literal["run", "sweep", "compare", "backtest", "schedule", "file"]
FolderKind = Literal["run", "sweep", "compare", "backtest", "schedule"]
FOLDER_KINDS: tuple[FolderKind, ...] = ("run", "sweep", "compare", "backtest", "schedule")

_FILES: dict[Kind, frozenset[str]] = {
    "run": frozenset(
        {
            "summary.csv",
            "replications.csv",
            "intervals.csv",
            "scenario.yaml",
            "run.json",
            "plots",
            "report.html",
            "trace",
        }
    ),
    "sweep": frozenset({"sweep.json", "sweep.csv", "plots", "report.html"}),
    "compare": frozenset({"compare.csv", "plots", "report.html"}),
    "backtest": frozenset(
        {"backtest.csv", "backtest_errors.csv", "scenario.yaml", "plots", "backtest_report.html"}
    ),
    "schedule": frozenset(
        {"scheduled.yaml", "schedule.csv", "coverage.csv", "coverage.png", "report.html"}
    ),
    "file": frozenset(),
}
MARKERS: dict[FolderKind, str] = {
    "run": "run.json",
    "sweep": "sweep.json",
    "compare": "compare.csv",
    "backtest": "backtest_errors.csv",
    "schedule": "schedule.csv",
}
"""The file whose presence (and contents) makes a folder a ccsim folder of that kind."""

POINT_FOLDER = re.compile(r"^p\d+$")
_WRITTEN = sorted({*(name for names in _FILES.values() for name in names), "point.json", "done"})
DEBRIS = {
    "staging": re.compile(r"^\.(?P<name>.+)\.staging-(?P<pid>\d+)$"),
    "previous": re.compile(r"^\.(?P<name>.+)\.previous-(?P<pid>\d+)$"),
    "point": re.compile(r"^\.(?P<name>p\d+)\.tmp-(?P<pid>\d+)$"),
    "write": re.compile(rf"^\.(?P<name>{'|'.join(map(re.escape, _WRITTEN))})\.(?P<pid>\d+)\.tmp$"),
    "probe": re.compile(r"^\.ccsim-probe-(?P<pid>\d+)-"),
}
"""Hidden names of ccsim's temporary entries, each with the PID of the process that made it:
a staging folder and a moved-aside previous folder (beside an output folder), a sweep point
being written (inside a sweep folder), one of ccsim's files being written atomically
(``.summary.csv.PID.tmp``; only names ccsim writes, so a user's ``.notes.1.tmp`` is not
taken for debris), a writability probe."""
_TOP_LEVEL = re.compile(r'^ {2}"(ccsim_version|scenario)": (.*?),?\s*$')


_CSV_HEADERS = {
    "compare": "scope,metric,",
    "backtest": "channel,intervals,",
    "schedule": "pool,template,start,",
}


def ccsim_files(kind: Kind) -> set[str]:
    """The names ccsim itself writes at the top of a folder of ``kind`` (folders without a
    trailing ``/``). Not listed, because their names vary: a sweep's ``pNNN`` point folders,
    a compare's run folders (one per compared scenario), and temporary entries
    (:data:`DEBRIS`); :func:`is_ccsim_entry` knows them all."""
    return set(_FILES[kind])


def is_debris(name: str) -> bool:
    """Whether ``name`` is one of ccsim's temporary names (:data:`DEBRIS`)."""
    return any(pattern.match(name) for pattern in DEBRIS.values())


def is_ccsim_entry(folder: Path, name: str, kinds: set[str]) -> bool:
    """Whether ccsim writes the entry ``name`` of ``folder`` in a folder of any of ``kinds``."""
    if is_debris(name) or any(name in _FILES[kind] for kind in kinds):
        return True
    path = folder / name
    if "sweep" in kinds and POINT_FOLDER.match(name) and path.is_dir() and not path.is_symlink():
        return True
    return "compare" in kinds and not path.is_symlink() and folder_kinds(path) == {"run"}


def folder_kinds(folder: Path) -> set[FolderKind]:
    """The kinds of ccsim folder ``folder`` is, by marker (usually one; none for a folder
    ccsim did not write; more than one for a folder two commands have written into)."""
    found: set[FolderKind] = set()
    for kind in FOLDER_KINDS:
        head = _head(folder / MARKERS[kind])
        if head is None:
            continue
        if kind in _CSV_HEADERS:
            if head.startswith(_CSV_HEADERS[kind]):
                found.add(kind)
        elif "ccsim_version" in _top_level(head):
            found.add(kind)
    return found


def folder_owner(folder: Path, kind: FolderKind) -> str | None:
    """The scenario name a run or sweep folder records (``scenario`` in ``run.json`` or
    ``sweep.json``); None for a compare or backtest folder, or when it cannot be read."""
    if kind in _CSV_HEADERS:
        return None
    head = _head(folder / MARKERS[kind])
    owner = _top_level(head).get("scenario") if head is not None else None
    return owner if isinstance(owner, str) else None


def foreign_files(folder: Path, kind: Kind) -> list[str]:
    """The entries of ``folder`` that ccsim did not write, sorted: every name that is not
    ccsim's for ``kind`` nor for any kind of ccsim folder ``folder`` already is (so a sweep
    replaced by a run with ``--overwrite`` is not foreign, but ``notes.txt`` always is).
    A missing folder has none; an unreadable one raises :class:`OSError` (an empty answer
    would let a swap delete what it could not see)."""
    kinds: set[str] = {kind, *folder_kinds(folder)}
    try:
        names = sorted(entry.name for entry in folder.iterdir())
    except FileNotFoundError:
        return []
    return [name for name in names if not is_ccsim_entry(folder, name, kinds)]


def visible_entries(folder: Path) -> list[str]:
    """The entries of ``folder`` other than ccsim's temporary ones, sorted."""
    try:
        return sorted(entry.name for entry in folder.iterdir() if not is_debris(entry.name))
    except OSError:
        return []


def _head(path: Path) -> str | None:
    try:
        return read_head(path, 4096).decode("utf-8", "replace")
    except ReadRefused:
        return None


def _top_level(head: str) -> dict[str, object]:
    """``ccsim_version`` and ``scenario`` from the start of a JSON file ccsim wrote (two-space
    indent, those keys near the top), without reading a possibly large manifest whole."""
    if not head.startswith("{"):
        return {}
    found: dict[str, object] = {}
    for line in head.splitlines()[1:]:
        match = _TOP_LEVEL.match(line)
        if match:
            try:
                found[match.group(1)] = json.loads(match.group(2))
            except ValueError:
                continue
    return found


def folder_label(folder: Path) -> str:
    """The name a reader knows ``folder`` by: its own, or for a staging folder being written
    (``.baseline.staging-123``) the name it will have once complete (``baseline``)."""
    name = Path(folder).resolve().name
    staging = DEBRIS["staging"].match(name)
    return staging["name"] if staging else name
