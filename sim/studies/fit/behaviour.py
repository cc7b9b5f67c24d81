"""What customers do next: after an abandon (retry, switch, give up), after failed
self-service (fallback), following the scenario's definitions (``sim/model/behaviour.py``).

- After an abandon at moment ``a`` (arrival + wait), the customer's follow-up (see
  :mod:`sim.studies.fit.journeys`) on the same channel is a *retry*, on another a *switch*,
  and no follow-up within the window is *give up*. ccsim forces a give-up once a journey has
  made ``max_attempts`` contacts, so abandons at or past that count (the base scenario's, or
  the default 4) are left out: the shares estimate the choice below the cap, as the scenario
  means them. Abandons whose window runs past the end of the log are left out too.
- The retry delay is the time from the abandon to the retry, fitted like a handle time.
- Self-service ``success`` is self_served / (self_served + fell_back); a failed session's
  follow-up channel gives the ``fallback`` shares (sessions with no follow-up are reported
  as ``no_fallback``, which the scenario cannot express: there, every failure falls back to
  an assisted channel).

Shares carry Wilson intervals; each contact is treated as an independent choice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.scenario.registry import assisted_names, channel_names
from sim.studies.fit.durations import MIN_VALUES, fit_duration
from sim.studies.fit.estimate import Fitted, Unfitted, share
from sim.studies.fit.journeys import Journeys

DEFAULT_MAX_ATTEMPTS = 4


def fit_behaviour(frame: pd.DataFrame, journeys: Journeys, max_attempts: int) -> Fitted:
    """After-abandon shares and the retry delay (needs ``customer``)."""
    if not journeys.from_customers:
        reason = "the log has no customer column to follow customers across contacts"
        names = ("behaviour.after_abandon", "behaviour.retry_delay")
        return [], [Unfitted(name, reason) for name in names]
    channel = np.asarray(frame["channel"]).astype(object)
    arrived = frame["arrived"].to_numpy(float)
    wait = frame["wait"].to_numpy(float)
    rows = np.flatnonzero((np.asarray(frame["outcome"]) == "abandoned") & np.isfinite(wait))
    if len(rows) == 0:
        reason = "no abandoned contacts in the log"
        names = ("behaviour.after_abandon", "behaviour.retry_delay")
        return [], [Unfitted(name, reason) for name in names]
    moment = arrived[rows] + wait[rows]
    follow, before = journeys.follow_up(rows, moment)
    censored = journeys.censored(moment)
    capped = before >= max_attempts
    keep = ~censored & ~capped
    follow, rows, moment = follow[keep], rows[keep], moment[keep]
    next_channel = np.where(follow >= 0, channel[np.maximum(follow, 0)], "")
    retry = (follow >= 0) & (next_channel == channel[rows])
    counts = {"retry": int(retry.sum())}
    for ch in channel_names():
        counts[f"switch.{ch}"] = int(((follow >= 0) & ~retry & (next_channel == ch)).sum())
    counts["give_up"] = int((follow < 0).sum())
    method = (
        f"the customer's next contact within {journeys.window / 3600:g} h of the abandon "
        f"(same channel: retry, another: switch, none: give up); left out "
        f"{int(censored.sum()):,} near the log's end and {int((capped & ~censored).sum()):,} "
        f"at max_attempts {max_attempts}; Wilson"
    )
    total = int(keep.sum())
    if total == 0:
        reason = f"all {len(keep)} abandons are near the log's end or at max_attempts"
        names = ("behaviour.after_abandon", "behaviour.retry_delay")
        return [], [Unfitted(name, reason) for name in names]
    estimates = [
        share(f"behaviour.after_abandon.{key}", k, total, method)
        for key, k in counts.items()
        if k > 0 or key in ("retry", "give_up") or key.removeprefix("switch.") in assisted_names()
    ]
    unfitted: list[Unfitted] = []
    delays = arrived[follow[retry]] - moment[retry]
    if np.sum(delays > 0) >= MIN_VALUES:
        delay_rows, _ = fit_duration("behaviour.retry_delay", delays, "abandon to retry")
        estimates += delay_rows
    else:
        unfitted.append(Unfitted("behaviour.retry_delay", f"only {len(delays)} retries"))
    return estimates, unfitted


def fit_self_service(frame: pd.DataFrame, journeys: Journeys) -> Fitted:
    """Self-service success, and fallback channels (needs ``customer``)."""
    outcome = np.asarray(frame["outcome"])
    served = int(np.sum(outcome == "self_served"))
    failed_rows = np.flatnonzero(outcome == "fell_back")
    if served + len(failed_rows) == 0:
        reason = "no self-service sessions in the log"
        names = ("channels.self_service.success", "channels.self_service.fallback")
        return [], [Unfitted(name, reason) for name in names]
    method = "self_served / (self_served + fell_back); Wilson"
    estimates = [share("channels.self_service.success", served, served + len(failed_rows), method)]
    if not journeys.from_customers or len(failed_rows) == 0:
        reason = "no customer column" if len(failed_rows) else "no failed sessions"
        return estimates, [Unfitted("channels.self_service.fallback", reason)]
    arrived = frame["arrived"].to_numpy(float)[failed_rows]
    follow, _ = journeys.follow_up(failed_rows, arrived)
    keep = ~journeys.censored(arrived)
    follow = follow[keep]
    channel = np.asarray(frame["channel"]).astype(object)
    nxt = channel[follow[follow >= 0]]
    nxt = nxt[np.isin(nxt, assisted_names())]  # a second self-service session is not a fallback
    if len(nxt) == 0:
        reason = "no failed session was followed by another contact (or all are near the end)"
        return estimates, [Unfitted("channels.self_service.fallback", reason)]
    method = (
        f"channel of the customer's next contact within {journeys.window / 3600:g} h "
        "of a failed session; Wilson"
    )
    counts = {ch: int(np.sum(nxt == ch)) for ch in assisted_names()}
    estimates += [
        share(f"channels.self_service.fallback.{ch}", k, len(nxt), method)
        for ch, k in counts.items()
    ]
    estimates.append(
        share(
            "channels.self_service.no_fallback",
            len(follow) - len(nxt),
            len(follow),
            "failed sessions followed by nothing, or by self-service again (not in the "
            "scenario format); Wilson",
        )
    )
    return estimates, []
