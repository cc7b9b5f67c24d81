"""Issues and follow-ups from customer ids: which contacts belong together, and what came next.

ccsim follows an *issue* (a journey) across its contacts: a retry or a switch after an
abandon, a fallback after failed self-service, a private contact after a social handoff. A
log only has customer ids, so contacts are grouped by a documented rule:

- a customer's contacts, in arrival order, belong to one issue while each arrives within
  ``window`` (24 h by default) of the latest end (arrival + wait + handle time) of the
  customer's earlier contacts; a longer gap starts a new issue (a repeat contact);
- the *follow-up* of a contact after time ``t`` (an abandon's moment, a thread's answer) is
  the customer's next contact arriving at or after ``t`` (less a one-second tolerance, for
  logs rounded to whole seconds), if it comes within ``window`` of ``t``;
- a follow-up that may lie beyond the end of the log is unknowable: a moment ``t`` is
  *censored* when the log's stretch of time that holds it (stretches are split at gaps in
  all arrivals longer than ``window``) ends before ``t + window``. Estimators skip censored
  contacts rather than count them as "nothing followed".

Without a ``customer`` column every contact is its own issue and nothing has a follow-up.
Everything is vectorised over a sort by (customer, arrival).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_WINDOW = 24 * 3600.0
TOLERANCE = 1.0
"""Seconds a follow-up may precede the moment it follows (timestamps rounded to seconds)."""


@dataclass
class Journeys:
    """Issue membership of every contact of a log frame (rows in the frame's order)."""

    window: float
    from_customers: bool
    issue: np.ndarray  # issue number of each row
    first: np.ndarray  # True for the first contact of its issue
    _order: np.ndarray  # frame rows sorted by (customer, arrival)
    _rank: np.ndarray  # position of each frame row in that order
    _keys: np.ndarray  # int64 sort keys: customer * span + arrival in ms
    _span: int
    _customer: np.ndarray  # customer code of each sorted position
    _arrived: np.ndarray  # arrival of each sorted position
    _issue_start: np.ndarray  # sorted position of the first contact of each row's issue
    _issue_end: np.ndarray  # one past the sorted position of the last contact of the issue
    _stretch_starts: np.ndarray  # arrival times sorted, for censoring
    _stretch_end: np.ndarray  # end of the stretch each sorted arrival belongs to

    def follow_up(self, rows: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each contact ``rows[i]``, its customer's next contact at or after ``after[i]``.

        Returns ``(follow, before)``: the frame row of the follow-up, or -1 if none came
        within the window; and how many contacts of the issue arrived before ``after[i]`` (the
        ``contacts so far`` of ccsim's ``max_attempts`` rule).
        """
        rows = np.asarray(rows, np.int64)
        after = np.asarray(after, float)
        if not self.from_customers or len(rows) == 0:
            return np.full(len(rows), -1, np.int64), np.ones(len(rows), np.int64)
        rank = self._rank[rows]
        code = self._customer[rank]
        target = code * self._span + _milliseconds(np.maximum(after - TOLERANCE, 0.0))
        q = np.maximum(np.searchsorted(self._keys, target, side="left"), rank + 1)
        inside = q < len(self._keys)
        qc = np.minimum(q, len(self._keys) - 1)
        found = inside & (self._customer[qc] == code)
        found &= self._arrived[qc] - after <= self.window
        follow = np.where(found, self._order[qc], -1)
        same_issue = inside & (self._issue_start[qc] == self._issue_start[rank])
        end = np.where(same_issue, qc, self._issue_end[rank])
        return follow, end - self._issue_start[rank]

    def censored(self, moments: np.ndarray) -> np.ndarray:
        """True where the log may end before a follow-up window after the moment closes."""
        moments = np.asarray(moments, float)
        if len(self._stretch_starts) == 0:
            return np.ones(len(moments), bool)
        at = np.searchsorted(self._stretch_starts, moments, side="right") - 1
        at = np.clip(at, 0, len(self._stretch_starts) - 1)
        return self._stretch_end[at] < moments + self.window


def _milliseconds(seconds: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(seconds, float) * 1000.0).astype(np.int64)


def find_journeys(frame: pd.DataFrame, window: float = DEFAULT_WINDOW) -> Journeys:
    """Group a checked log's contacts into issues (see the module docstring)."""
    n = len(frame)
    arrived = frame["arrived"].to_numpy(float)
    from_customers = "customer" in frame.columns
    customer = frame["customer"].to_numpy(np.int64) if from_customers else np.arange(n)
    wait = np.nan_to_num(frame["wait"].to_numpy(float))
    handle = frame["handle"].to_numpy(float) if "handle" in frame.columns else np.zeros(n)
    end = arrived + wait + np.nan_to_num(handle)
    order = np.lexsort((arrived, customer))
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n)
    c, t = customer[order], arrived[order]
    latest = pd.Series(end[order]).groupby(c).cummax().to_numpy()
    new_customer = np.r_[True, c[1:] != c[:-1]]
    gap = t - np.r_[-np.inf, latest[:-1]]
    new_issue = new_customer | (gap > window)
    positions = np.arange(n)
    issue_start = np.maximum.accumulate(np.where(new_issue, positions, 0))
    issue_sorted = np.cumsum(new_issue) - 1
    issue_end = np.r_[np.flatnonzero(new_issue)[1:], n][issue_sorted]
    issue = np.empty(n, np.int64)
    issue[order] = issue_sorted
    first = np.empty(n, bool)
    first[order] = new_issue
    span = int(np.ceil((max(end.max(initial=0.0), arrived.max(initial=0.0)) + 2.0) * 1000.0))
    if customer.max(initial=0) * float(span) > 2**62:
        raise OverflowError("log too long or too many customers for millisecond sort keys")
    keys = c.astype(np.int64) * span + _milliseconds(t)
    stretch_starts, stretch_end = _stretches(np.sort(arrived), window)
    return Journeys(
        window,
        from_customers,
        issue,
        first,
        order,
        rank,
        keys,
        span,
        c,
        t,
        issue_start,
        issue_end,
        stretch_starts,
        stretch_end,
    )


def _stretches(times: np.ndarray, window: float) -> tuple[np.ndarray, np.ndarray]:
    """Sorted arrival times and, for each, the last arrival of its gap-free stretch."""
    if len(times) == 0:
        return times, times
    breaks = np.r_[np.diff(times) > window, True]
    ends = times[breaks]
    stretch = np.r_[0, np.cumsum(breaks[:-1])]
    return times, ends[stretch]
