"""What the keys of a planner's own demand mean (``demand.profiles``, ``weekdays``,
``special_days``, ``volumes``): entries of :data:`sim.scenario.descriptions.KEYS`, kept apart
so that file stays one readable page. Each entry is ``(meaning, unit, example)`` as there.
"""

from __future__ import annotations

from sim.scenario.descriptions_customers import entry

DEMAND_KEYS: dict[str, tuple[str, str, str]] = {
    "Demand.profiles": entry(
        "An intraday profile per first channel (same length as profile), for channels whose "
        "day has its own shape (email overnight, phone at 11:00); a channel not named follows "
        "the shared profile. Each is scaled to mean 1.",
        unit="relative weights",
        example="{email: [1.4, 1.3, ..., 0.8]}  # one per interval",
    ),
    "Demand.weekdays": entry(
        "Relative volume by weekday, applied as given (mon 1.15 means 15% more issues on "
        "Mondays than issues_per_day); a weekday not named has 1.",
        unit="factor per weekday",
        example="{mon: 1.15, sat: 0.7, sun: 0.6}",
    ),
    "Demand.special_days": entry(
        "Dated days with their own volume: a factor (0.5 = half the usual issues) or "
        "closed (no issues). Needs run.start.",
        example="{2026-12-24: 0.5, 2026-12-25: closed}",
    ),
    "Demand.volumes": entry(
        "A forecast file of counts per interval and channel (CSV, wide or long), made in any "
        "forecasting tool; counts are new issues first at that channel. Replaces the rate, "
        "profiles and factors for the intervals it covers. Needs run.start.",
        example="forecast.csv",
    ),
    "Volumes.file": entry(
        "The forecast file the counts were read from (relative to the scenario file).",
        example="forecast.csv",
    ),
    "Volumes.start": entry(
        "Date and time of the forecast's first interval.",
        example="2026-11-02T00:00",
    ),
    "Volumes.interval": entry(
        "Length of one forecast interval; must equal run.interval.",
        example="30min",
    ),
    "Volumes.counts": entry(
        "Expected new issues per interval, one list per first channel, all of one length.",
        unit="issues per interval",
        example="{phone: [12, 9, ...], email: [30, 28, ...]}",
    ),
}
