"""A ccsim trace (``ccsim run --trace``) as a contact log, for round trips and what-ifs.

The trace has one row per contact with ``arrived_seconds`` since the Monday 00:00 that starts
the measured horizon; the adapter turns that into ``arrived_at`` timestamps from ``start`` (a
Monday), and each journey (``replication``, ``issue``) into a ``customer`` id, so one customer
is one issue. Replications are laid end to end, each starting a whole number of weeks after
the previous one (weekdays stay aligned) with at least two empty days between them, so their
days do not mix; the fit drops the partial days (warm-up, end of run) and treats the gaps as
the end of the log for follow-ups.

A trace is also a log as it is (``arrived_at``, ``customer``, ``handle_seconds``, ``public``,
``exchanges``, ``reply_delay_seconds`` are trace columns, and the log reader lays several
replications end to end the same way); this adapter is for a trace already in memory, and it
re-dates the trace from ``start``. Optional columns the trace has are kept; what a trace
cannot give is wrap-up (part of ccsim's handle time) and repeat contacts (a customer is a
single issue). Trace outcomes outside the log vocabulary (``open``, ``community_resolved``)
are kept as ``other`` and reported as such.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.scenario.units import DAY

WEEK = 7 * DAY
ISSUES_PER_REPLICATION = 10**12
"""Customer id = replication's position × this + issue number (issues are per replication)."""


def log_from_trace(trace: pd.DataFrame, start: str = "2026-01-05") -> pd.DataFrame:
    """The trace's rows as a contact log (``arrived_at, channel, outcome, wait_seconds,
    customer, pool`` and the trace's optional log columns), in the trace's row order."""
    monday = pd.Timestamp(start).normalize()
    if monday.weekday() != 0:
        raise ValueError(f"start must be a Monday, as the trace's clock is ({start} is not)")
    seconds = trace["arrived_seconds"].to_numpy(float)
    _, position = np.unique(trace["replication"].to_numpy(), return_inverse=True)
    span = float(seconds.max() - seconds.min()) if len(seconds) else 0.0
    weeks = math.ceil((span + 2 * DAY) / WEEK)
    offset = position * weeks * WEEK
    issue = trace["issue"].to_numpy(np.int64)
    optional = ("handle_seconds", "public", "exchanges", "reply_delay_seconds")
    return pd.DataFrame(
        {
            "arrived_at": monday + pd.to_timedelta(seconds + offset, unit="s"),
            "channel": trace["channel"].astype(str).to_numpy(object),
            "outcome": trace["outcome"].astype(str).to_numpy(object),
            "wait_seconds": trace["wait_seconds"].to_numpy(float),
            "customer": position.astype(np.int64) * ISSUES_PER_REPLICATION + issue,
            "pool": trace["pool"].astype(str).to_numpy(object),
            **{name: trace[name].to_numpy() for name in optional if name in trace.columns},
        }
    )
