"""Output folders that are never half-written, and never someone else's overwritten.

The command line goes through :mod:`sim.cli.output` (one guard, with a lock); the Python API
uses :func:`staged_folder`. A run's files are written into a staging folder beside the
destination and swapped in only when every file is complete, so a run stopped by Ctrl-C or
SIGTERM leaves either the previous complete outputs or none. A folder holding another
scenario's outputs (or anything that is not a ccsim run) is not overwritten unless the user
says so.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from sim.experiment.errors import InputError, Setting
from sim.io.layout import Kind


class OutputConflict(InputError):
    """The output folder holds something this run must not replace."""


def check_output_folder(out_dir: Path, scenario_name: str, overwrite: bool) -> None:
    """Refuse to replace a non-empty folder that is not an earlier run of this scenario."""
    if overwrite or not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise OutputConflict(f"{out_dir} exists and is not a folder")
    if not any(out_dir.iterdir()):
        return
    owner = _scenario_name_of(out_dir)
    if owner == scenario_name:
        return
    what = f"outputs of scenario '{owner}'" if owner else "files that are not a ccsim run"
    raise OutputConflict(
        [
            f"{out_dir} holds {what}; choose another folder with ",
            Setting("output"),
            ", or pass ",
            Setting("overwrite"),
        ],
        "overwrite",
    )


def _scenario_name_of(out_dir: Path) -> str | None:
    try:
        data = yaml.safe_load((out_dir / "scenario.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    return data.get("name") if isinstance(data, dict) else None


@contextmanager
def staged_folder(
    out_dir: Path, kind: Kind = "run", kept: list[str] | None = None
) -> Iterator[Path]:
    """Yield a fresh staging folder; on success it replaces ``out_dir``, on failure it goes.

    The swap is :func:`sim.io.swap.replace_folder` for a folder of ``kind``: ccsim's own
    files are replaced, every other file in ``out_dir`` is carried over (a user's
    ``notes.txt`` survives, and its name is added to ``kept``), and at no point is a
    half-written folder in place. A symbolic link ``out_dir`` is written through.
    """
    from sim.io.swap import replace_folder

    real = Path(os.path.realpath(out_dir))
    real.parent.mkdir(parents=True, exist_ok=True)
    stage = real.parent / f".{real.name}.staging-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)  # ours: this PID's
    stage.mkdir()
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    carried = replace_folder(stage, real, kind)
    if kept is not None:
        kept.extend(carried)
