"""Files that are never half-written: a reader sees the old file or the new one.

Every output file is written to a temporary name in the same folder, flushed to disk, then
renamed over the destination (a rename within one filesystem is atomic).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sim.io.table import FLOAT_FORMAT, Table

if TYPE_CHECKING:
    import pandas as pd


def atomic_write_bytes(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` via a temporary file in the same folder and a rename,
    flushed to disk first: a reader sees the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_text(path: Path, text: str) -> None:
    """:func:`atomic_write_bytes` for UTF-8 text (newlines written as given)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_csv(path: Path, table: Table | pd.DataFrame) -> None:
    """Write a table as CSV atomically, floats at :data:`sim.io.table.FLOAT_FORMAT`: a
    :class:`~sim.io.table.Table` (a run's tables) by its own writer, without pandas; a
    DataFrame (the studies' tables) by pandas, in the same format, without its index."""
    if isinstance(table, Table):
        atomic_write_text(path, table.csv())
    else:
        atomic_write_text(path, table.to_csv(index=False, float_format=FLOAT_FORMAT))
