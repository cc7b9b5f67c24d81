"""Social threads, where the log has the columns: public share, exchanges, reply delay and
handoff, following ``sim/model/social.py``.

- ``public_share``: the share of social contacts marked public (Wilson).
- ``exchanges``: a thread has ``1 + Poisson(exchanges − 1)`` agent replies, so the replies
  beyond the first, summed over ``n`` answered threads, are Poisson with mean
  ``n (exchanges − 1)``: the estimate is the mean number of replies and the interval the
  exact (Garwood) Poisson interval of the extra replies, plus one.
- ``reply_delay``: the customer's time to answer the agent's first reply, fitted like a
  handle time (one delay per thread: ccsim draws every reply delay from one distribution).
- ``handoff.probability``: the share of answered threads whose customer's next contact after
  the first reply is private (phone or email) within the window; ``handoff.to``: the more
  common of the two (shares reported). Threads whose window runs past the log's end are left
  out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.studies.fit.durations import MIN_VALUES, fit_duration
from sim.studies.fit.estimate import Estimate, Fitted, Unfitted, poisson_rate_interval, share
from sim.studies.fit.journeys import Journeys


def fit_social(frame: pd.DataFrame, journeys: Journeys) -> Fitted:
    """Every social estimate the columns allow."""
    social = np.asarray(frame["channel"]) == "social"
    if not social.any():
        reason = "no social contacts in the log"
        names = ("public_share", "exchanges", "reply_delay", "handoff")
        return [], [Unfitted(f"channels.social.{name}", reason) for name in names]
    answered = social & (np.asarray(frame["outcome"]) == "answered")
    estimates: list[Estimate] = []
    unfitted: list[Unfitted] = []
    for part in (_public_share, _exchanges, _reply_delay):
        rows, missing = part(frame, social, answered)
        estimates += rows
        unfitted += missing
    rows, missing = _handoff(frame, answered, journeys)
    return estimates + rows, unfitted + missing


def _public_share(frame: pd.DataFrame, social: np.ndarray, answered: np.ndarray) -> Fitted:
    if "public" not in frame.columns:
        return [], [Unfitted("channels.social.public_share", "the log has no public column")]
    public = frame["public"].to_numpy(float)[social]
    known = public[np.isfinite(public)]
    if len(known) == 0:
        return [], [Unfitted("channels.social.public_share", "no social contact marked public")]
    method = "social contacts marked public; Wilson"
    return [share("channels.social.public_share", int(known.sum()), len(known), method)], []


def _exchanges(frame: pd.DataFrame, social: np.ndarray, answered: np.ndarray) -> Fitted:
    if "exchanges" not in frame.columns:
        return [], [Unfitted("channels.social.exchanges", "the log has no exchanges column")]
    values = frame["exchanges"].to_numpy(float)[answered]
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return [], [Unfitted("channels.social.exchanges", "no answered thread with exchanges")]
    n = len(values)
    extra = float(np.sum(values - 1.0))
    low, high = poisson_rate_interval(round(extra), n)
    method = "mean agent replies per answered thread; 1 + exact Poisson interval of the extra"
    row = Estimate("channels.social.exchanges", 1 + extra / n, 1 + low, 1 + high, n, method)
    return [row], []


def _reply_delay(frame: pd.DataFrame, social: np.ndarray, answered: np.ndarray) -> Fitted:
    if "reply_delay" not in frame.columns:
        reason = "the log has no reply_delay_seconds column"
        return [], [Unfitted("channels.social.reply_delay", reason)]
    values = frame["reply_delay"].to_numpy(float)[social]
    values = values[np.isfinite(values) & (values > 0)]
    if len(values) < MIN_VALUES:
        return [], [Unfitted("channels.social.reply_delay", f"only {len(values)} reply delays")]
    rows, _ = fit_duration("channels.social.reply_delay", values, "customers' reply delays")
    return rows, []


def _handoff(frame: pd.DataFrame, answered: np.ndarray, journeys: Journeys) -> Fitted:
    if not journeys.from_customers:
        reason = "the log has no customer column to follow a thread to a private contact"
        return [], [Unfitted("channels.social.handoff", reason)]
    rows = np.flatnonzero(answered)
    if len(rows) == 0:
        return [], [Unfitted("channels.social.handoff", "no answered social threads")]
    moment = frame["arrived"].to_numpy(float)[rows] + frame["wait"].to_numpy(float)[rows]
    follow, _ = journeys.follow_up(rows, moment)
    keep = ~journeys.censored(moment)
    follow = follow[keep]
    if len(follow) == 0:
        reason = "every answered thread is too near the log's end to see a handoff"
        return [], [Unfitted("channels.social.handoff", reason)]
    channel = np.asarray(frame["channel"]).astype(object)
    nxt = np.where(follow >= 0, channel[np.maximum(follow, 0)], "")
    private = {ch: int(np.sum(nxt == ch)) for ch in ("phone", "email")}
    handed = sum(private.values())
    window = f"{journeys.window / 3600:g} h"
    method = f"answered threads followed by a private contact within {window}; Wilson"
    estimates = [share("channels.social.handoff.probability", handed, len(follow), method)]
    if handed:
        method = "channel of the private contact after a handoff; Wilson"
        estimates += [
            share(f"channels.social.handoff.to.{ch}", k, handed, method)
            for ch, k in private.items()
        ]
    return estimates, []
