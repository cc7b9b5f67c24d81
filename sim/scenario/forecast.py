"""``demand.volumes``: a forecast of issues per interval and channel, made in any tool.

In a scenario file ``volumes: forecast.csv`` names a CSV file (relative to the scenario file
that names it); it is read when the scenario is validated and kept as plain data, so a
resolved scenario (``scenario.yaml`` in a run folder, or one sent to worker processes)
carries its counts and needs no file. The CSV has a header row and either

- *wide*: a ``start`` column and one column per channel (``start,phone,email``), or
- *long*: ``start``, ``channel`` and ``count`` (or ``volume``) columns, one row per interval
  and channel,

where ``start`` is the interval's start as an ISO date and time (``2026-01-05T08:30`` or
``2026-01-05 08:30``); separate ``date`` and ``time`` columns work too. Counts are expected
*new issues* whose first contact is at that channel (retries, switches and fallbacks are
added by the simulation) and may be fractional. The interval length is the smallest gap
between starts and must equal ``run.interval``; every start must lie on that grid. Within
the forecast's span an interval without a row has no arrivals (closed hours may be left out);
outside it, demand follows ``issues_per_day`` and the profiles.

Every problem is reported with its CSV row number (the header is row 1).
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from sim.scenario.dates import CalendarTime
from sim.scenario.registry import ChannelName, channel_names
from sim.scenario.types import NonNegativeNumber, PositiveDuration, Section

MAX_ROWS = 2_000_000
SHOWN = 5
"""How many row numbers a problem lists."""


class Volumes(Section):
    """Expected issues per interval and channel from ``start`` on, one count per interval."""

    file: str = ""
    start: CalendarTime
    interval: PositiveDuration
    counts: dict[ChannelName, list[NonNegativeNumber]] = Field(min_length=1)

    @model_validator(mode="after")
    def _same_length(self) -> Volumes:
        lengths = {len(values) for values in self.counts.values()}
        if len(lengths) != 1 or 0 in lengths:
            raise ValueError("every channel needs the same number of counts (at least one)")
        return self

    @property
    def length(self) -> int:
        """Intervals the forecast covers."""
        return len(next(iter(self.counts.values())))

    @property
    def end(self) -> datetime:
        """End of the forecast's last interval."""
        return self.start + timedelta(seconds=self.interval * self.length)


def volumes_from_file(value: Any) -> Any:
    """A file name becomes the forecast's data (anything else is validated as it is)."""
    if isinstance(value, str):
        return read_forecast(Path(value))
    return value


def read_forecast(path: Path) -> dict[str, Any]:
    """The forecast CSV at ``path`` as ``Volumes`` data; ValueError naming rows otherwise."""
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "not found"
        raise ValueError(f"forecast file '{path}' {what}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(_rows(csv.reader(handle)))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ValueError(f"forecast file '{path}' cannot be read: {error}") from None
    if not rows:
        raise ValueError(f"forecast file '{path}' is empty")
    header, body = [h.strip().lower() for h in rows[0]], rows[1:]
    if not body:
        raise ValueError(f"forecast file '{path}' has a header but no rows")
    entries = _entries(header, body, path)
    return _dense(entries, path)


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    for number, row in enumerate(reader, start=1):
        if number > MAX_ROWS + 1:
            raise ValueError(f"more than {MAX_ROWS:,} rows")
        yield row


def _label(text: str) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")


class _Problems:
    """Row numbers by reason, reported together."""

    def __init__(self) -> None:
        self.rows: dict[str, list[int]] = {}

    def add(self, reason: str, row: int) -> None:
        self.rows.setdefault(reason, []).append(row)

    def raise_if_any(self, path: Path) -> None:
        if not self.rows:
            return
        parts = []
        for reason, rows in self.rows.items():
            shown = ", ".join(map(str, rows[:SHOWN])) + (", ..." if len(rows) > SHOWN else "")
            parts.append(f"{reason} (row{'s' if len(rows) > 1 else ''} {shown})")
        raise ValueError(f"forecast file '{path}': " + "; ".join(parts))


def _entries(
    header: list[str], body: list[list[str]], path: Path
) -> list[tuple[datetime, str, float, int]]:
    """``(start, channel, count, row number)`` of every row (long) or cell (wide)."""
    known = channel_names()
    when = _time_columns(header, path)
    if "channel" in header:
        count = next((header.index(c) for c in ("count", "volume") if c in header), None)
        if count is None:
            raise ValueError(f"forecast file '{path}' has a channel column but no count column")
        columns = [(header.index("channel"), None)]
    else:
        count = None
        columns = [(i, _label(h)) for i, h in enumerate(header) if i not in when and h]
        unknown = [header[i] for i, name in columns if name not in known]
        if unknown or not columns:
            raise ValueError(
                f"forecast file '{path}': column(s) {', '.join(unknown) or '(none)'} are not "
                f"channels; give start and one column per channel ({', '.join(known)}), or "
                "start, channel and count"
            )
    problems = _Problems()
    entries = []
    for number, row in enumerate(body, start=2):
        if not any(cell.strip() for cell in row):
            continue
        start = _start(row, when)
        if start is None:
            problems.add("start is missing or not a date and time like 2026-01-05T08:30", number)
            continue
        for index, name in columns:
            channel = name if name is not None else _label(_cell(row, index))
            if channel not in known:
                problems.add(f"channel is not one of {', '.join(known)}", number)
                continue
            value = _number(_cell(row, count if count is not None else index))
            if value is None:
                problems.add("a count is not a number of zero or more", number)
                continue
            entries.append((start, channel, value, number))
    problems.raise_if_any(path)
    return entries


def _time_columns(header: list[str], path: Path) -> list[int]:
    if "start" in header:
        return [header.index("start")]
    if "date" in header and "time" in header:
        return [header.index("date"), header.index("time")]
    raise ValueError(
        f"forecast file '{path}' needs a start column (the interval's start, e.g. "
        "2026-01-05T08:30), or date and time columns"
    )


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _start(row: list[str], when: list[int]) -> datetime | None:
    text = " ".join(_cell(row, i) for i in when).strip()
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return None


def _number(text: str) -> float | None:
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _dense(entries: list[tuple[datetime, str, float, int]], path: Path) -> dict[str, Any]:
    """Counts on the forecast's grid of intervals, zero where no row gives one."""
    starts = sorted({start for start, *_ in entries})
    if len(starts) < 2:
        raise ValueError(
            f"forecast file '{path}' has a single interval start: at least two are needed "
            "to tell the interval's length"
        )
    first = starts[0]
    step = min((b - a).total_seconds() for a, b in itertools.pairwise(starts))
    length = round((starts[-1] - first).total_seconds() / step) + 1
    channels = [ch for ch in channel_names() if any(e[1] == ch for e in entries)]
    counts = {ch: [0.0] * length for ch in channels}
    seen: set[tuple[int, str]] = set()
    problems = _Problems()
    for start, channel, value, number in entries:
        offset = (start - first).total_seconds() / step
        index = round(offset)
        if abs(offset - index) > 1e-6:
            problems.add(f"start is not on the forecast's {_minutes(step)} grid", number)
        elif (index, channel) in seen:
            problems.add("a second count for the same interval and channel", number)
        else:
            seen.add((index, channel))
            counts[channel][index] = value
    problems.raise_if_any(path)
    return {
        "file": str(path),
        "start": first.isoformat(timespec="minutes"),
        "interval": f"{step:g}s",
        "counts": counts,
    }


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g}-minute"
