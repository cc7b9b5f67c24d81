"""The per-contact trace: one row per contact, streamed to a Parquet file in chunks.

Off by default (``ccsim run --trace`` turns it on), so the model's counters stay the only
per-contact work. This is the model's observer (:mod:`sim.model.observer`): the model calls
it and never writes a file itself. When on, each contact adds one row when its outcome is
known — first answered, abandoned, resolved by the community, a self-service session's
outcome — and contacts still unanswered when the run ends are written as ``open``. Rows
are collected in plain lists and written as a Parquet row group every ``CHUNK`` rows, so
memory stays flat however long the run; the file appears under its final name only once
complete (written to a temporary name, then renamed).

Columns: ``replication``, ``issue`` (the journey's number within the replication),
``first_channel``, ``channel``, ``arrived_seconds`` (since the Monday 00:00 that starts the
measured horizon; negative in the warm-up), ``interval`` (reporting interval of arrival;
-1 outside the horizon, where contacts are simulated but not counted), ``outcome``,
``wait_seconds`` (to the first answer, or until abandoning; NaN otherwise) and ``pool``
(the pool that answered; empty otherwise). Rows with ``interval >= 0`` add up exactly to
the channel counts of ``summary.csv`` for the replication.

Then the columns that make a trace a contact log for ``ccsim fit`` and ``ccsim backtest``
column for column (see ``docs/fitting.md``): ``arrived_at`` (the arrival as a timestamp:
``run.start``, or the nominal Monday 2024-01-01 when the scenario gives no date, plus
``arrived_seconds``), ``customer`` (the journey's number: in ccsim a customer is one issue),
``handle_seconds`` (agent time of an answered contact's first piece of work: its handle time
scaled by the answering pool's efficiency; for social, the first reply), and for social
threads ``public``, ``exchanges`` (agent replies the thread was to get, known when it was
first answered) and ``reply_delay_seconds`` (the customer's time to answer the first reply);
NaN or null where they do not apply. Wrap-up is part of the handle time in ccsim, so there
is no ``after_contact_seconds``.
"""

from __future__ import annotations

import math
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.model.observer import Outcome
from sim.scenario.dates import NOMINAL_MONDAY

if TYPE_CHECKING:
    from sim.model.contacts import Contact, Journey

CHUNK = 65_536
NAN = math.nan


class TraceUnavailable(RuntimeError):
    """``--trace`` was asked for but the Parquet writer (pyarrow) is not installed."""


def require_parquet() -> None:
    """Raise :class:`TraceUnavailable` with the fix if pyarrow cannot be imported."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise TraceUnavailable(
            "the per-contact trace is written as Parquet and needs pyarrow: "
            "pip install 'ccsim[trace]'"
        ) from None


class ContactTrace:
    """Rows of one replication's contacts, written to ``path`` a chunk at a time."""

    def __init__(
        self,
        path: Path,
        replication: int,
        warmup: float,
        chunk: int = CHUNK,
        start: date | None = None,
    ) -> None:
        require_parquet()
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.path = path
        self.replication = replication
        self.warmup = warmup
        self.chunk = chunk
        self._start = np.datetime64(start or NOMINAL_MONDAY, "ms")
        self._pa = pa
        self._schema = pa.schema(
            [
                ("replication", pa.int32()),
                ("issue", pa.int64()),
                ("first_channel", pa.dictionary(pa.int8(), pa.string())),
                ("channel", pa.dictionary(pa.int8(), pa.string())),
                ("arrived_seconds", pa.float64()),
                ("interval", pa.int32()),
                ("outcome", pa.dictionary(pa.int8(), pa.string())),
                ("wait_seconds", pa.float64()),
                ("pool", pa.dictionary(pa.int16(), pa.string())),
                ("arrived_at", pa.timestamp("ms")),
                ("customer", pa.int64()),
                ("handle_seconds", pa.float64()),
                ("public", pa.bool_()),
                ("exchanges", pa.float64()),
                ("reply_delay_seconds", pa.float64()),
            ]
        )
        # columns given row by row: issue ... pool, then handle ... reply delay
        self._columns: list[list] = [[] for _ in range(len(self._schema) - 3)]
        path.parent.mkdir(parents=True, exist_ok=True)
        self._partial = path.with_name(path.name + ".partial")
        self._writer = pq.ParquetWriter(self._partial, self._schema, compression="zstd")

    def contact(self, contact: Contact, outcome: str, wait: float = math.nan) -> None:
        """Record an assisted-channel contact's outcome."""
        answered = outcome == Outcome.ANSWERED
        pool = contact.pool.name if answered else ""
        handle = contact.handle * contact.pool.efficiency[contact.channel] if answered else NAN
        public = getattr(contact, "public", None)  # social threads only
        exchanges = delay = NAN
        if public is not None and answered:
            later = contact.later  # replies still to come; the next one is taken from the end
            exchanges = 1.0 + len(later)
            delay = later[-1][0] if later else NAN
        self.row(
            contact.journey,
            contact.channel,
            contact.arrived,
            contact.k,
            outcome,
            wait,
            pool,
            (handle, public, exchanges, delay),
        )

    def row(
        self,
        journey: Journey,
        channel: str,
        arrived: float,
        k: int,
        outcome: str,
        wait: float = math.nan,
        pool: str = "",
        extra: tuple[float, bool | None, float, float] = (NAN, None, NAN, NAN),
    ) -> None:
        """Record one contact (self-service sessions have no :class:`Contact` object);
        ``extra``: handle time, public, exchanges and reply delay."""
        issue, first, chan, at, interval, out, waits, pools, handle, public, exchanges, delay = (
            self._columns
        )
        issue.append(journey.number)
        first.append(journey.first_channel)
        chan.append(channel)
        at.append(arrived - self.warmup)
        interval.append(k)
        out.append(outcome)
        waits.append(wait)
        pools.append(pool)
        handle.append(extra[0])
        public.append(extra[1])
        exchanges.append(extra[2])
        delay.append(extra[3])
        if len(issue) >= self.chunk:
            self._flush()

    def _flush(self) -> None:
        pa = self._pa
        count = len(self._columns[0])
        if not count:
            return
        arrays = [pa.array([self.replication] * count, pa.int32())]
        fields = list(self._schema)
        given = fields[1:9] + fields[11:]
        for values, field in zip(self._columns, given, strict=True):
            if pa.types.is_dictionary(field.type):
                arrays.append(pa.array(values, pa.string()).dictionary_encode().cast(field.type))
            else:
                arrays.append(pa.array(values, field.type))
        seconds = np.asarray(self._columns[3], float)
        arrays[9:9] = [
            pa.array(self._start + np.round(seconds * 1000).astype("timedelta64[ms]")),
            pa.array(self._columns[0], pa.int64()),
        ]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        for values in self._columns:
            values.clear()

    def close(self) -> None:
        """Write the last chunk and put the file in place under its final name."""
        self._flush()
        self._writer.close()
        os.replace(self._partial, self.path)

    def abort(self) -> None:
        """Drop the partial file (the replication did not finish)."""
        self._writer.close()
        self._partial.unlink(missing_ok=True)
