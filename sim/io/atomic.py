"""Files that are never half-written: a reader sees the old file or the new one.

Every output file is written to a temporary name in the same folder, flushed to disk, then
renamed over the destination (a rename within one filesystem is atomic).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

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


def atomic_write_csv(path: Path, frame: pd.DataFrame) -> None:
    """Write a DataFrame as CSV atomically (full float precision, no index)."""
    atomic_write_text(path, frame.to_csv(index=False, float_format="%.10g"))
