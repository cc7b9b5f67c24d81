"""Back-test: replay a logged period through a scenario and compare service with the log.

Trace-driven simulation. The logged contacts — arrival times, channels and, for answered
contacts, handle times — are driven through the model as they happened
(:class:`sim.model.replay.Replay`), with the logged headcount per interval when a staffing
file is given; what the model adds is everything the log does not fix: who waits for whom,
patience (from the scenario), the handle times of contacts the log did not see answered,
routing and concurrency. The simulated service level, ASA and abandonment per interval and
channel are then compared with the logged ones.

The log already holds every retry, switch, fallback and handoff as a contact of its own, so
the replay scenario turns the model's own follow-ups off: after an abandon the customer gives
up, self-service succeeds, social threads are not handed off, emails do not escalate and the
jump-the-line habit is off (a ``deflect`` social policy is replayed as ``serve`` with one
reply: its private follow-ups are in the log). The horizon starts on the Monday on or before
the log's first day, with no warm-up (the centre starts empty, as the log's first contacts
found it, as far as the log can tell).

Interval measures follow ccsim's definitions, by the interval in which a contact arrived:
service level = answered within the channel's threshold / offered; ASA = mean wait of
answered contacts; abandonment = abandoned / offered. An interval is *judged* when it has at
least ``min_offered`` logged contacts and the log runs on for at least the channel's
service-level threshold after it ends (before that, whether its contacts will be answered in
time is not in the log: a ccsim trace ends with contacts still open). The overall error is
the mean absolute error of interval service level over every judged (channel, interval) of
the channels agents answer.

``staffing``: a CSV with ``start`` (ISO date and time), ``pool`` and ``agents`` columns (or
``start`` and one column per pool): agents on duty from ``start`` until the pool's next row;
before a pool's first row its first value holds. Pools it does not name keep the scenario's
headcount. Shrinkage does not apply to a logged headcount (it counts agents on duty).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiment.errors import InputError
from sim.experiment.replication import tabulate
from sim.model.centre import Centre
from sim.model.replay import Replay
from sim.scenario import Scenario, validate_data
from sim.scenario.registry import kind_of
from sim.scenario.units import DAY
from sim.studies.fit.log import ContactLog, read_log, read_table

COMPARED = ("service_level", "asa_seconds", "abandon_rate")
INTERVAL_COLUMNS = [
    "channel",
    "interval",
    "start",
    "offered_logged",
    "offered_simulated",
    *(f"{m}_{side}" for m in COMPARED for side in ("logged", "simulated")),
    "judged",
]
ERROR_COLUMNS = [
    "channel",
    "intervals",
    "contacts",
    "service_level_logged",
    "service_level_simulated",
    "service_level_mae",
    "service_level_bias",
    "asa_mae_seconds",
    "abandon_rate_mae",
]


@dataclass
class BacktestResult:
    """The comparison: ``intervals`` (one row per channel and interval with logged
    contacts), ``errors`` (per channel, then ``all``), and the overall error."""

    intervals: pd.DataFrame
    errors: pd.DataFrame
    mae_service_level: float
    scenario: Scenario
    notes: list[str] = field(default_factory=list)
    replications: int = 1


def backtest(
    log: str | Path | ContactLog,
    scenario: Scenario,
    staffing: str | Path | pd.DataFrame | None = None,
    mapping: dict[str, str] | None = None,
    replications: int | None = None,
    min_offered: int = 5,
) -> BacktestResult:
    """Replay ``log`` (a path or a checked log) through ``scenario``; see the module docstring.

    Raises :class:`~sim.studies.fit.log.LogError` for an unusable log and
    :class:`~sim.experiment.errors.InputError` for a staffing file or scenario that cannot
    replay it.
    """
    contacts = log if isinstance(log, ContactLog) else read_log(log, mapping)
    frame = contacts.frame
    monday = (contacts.origin - pd.Timedelta(days=contacts.origin.weekday())).normalize()
    times = frame["arrived"].to_numpy(float) + (contacts.origin - monday).total_seconds()
    days = max(1, math.ceil((float(times.max()) + 1.0) / DAY))
    count = replications or scenario.run.replications
    notes: list[str] = []
    given = _staffing(staffing, monday, scenario) if staffing is not None else {}
    replay_scenario = replay_scenario_for(scenario, monday.date(), days, count, given, notes)
    _check_served(replay_scenario, set(frame["channel"].astype(str)))
    handles = frame["handle"].to_numpy(float) if "handle" in frame.columns else np.nan
    replay = Replay(
        times,
        frame["channel"].astype(str).to_numpy(object),
        np.broadcast_to(np.asarray(handles, float), times.shape).copy(),
        given,
    )
    frames = [
        tabulate(replay_scenario, Centre(replay_scenario, r, replay=replay).run()).intervals
        for r in range(count)
    ]
    simulated = _simulated(frames)
    logged = _logged(frame, times, replay_scenario)
    table = _compare(logged, simulated, replay_scenario, monday)
    table["judged"] = _judged(table, replay_scenario, float(times.max()), min_offered)
    errors, overall = _errors(table)
    return BacktestResult(table, errors, overall, replay_scenario, notes, count)


def replay_scenario_for(
    scenario: Scenario,
    monday: date,
    days: int,
    replications: int,
    staffing: dict[str, tuple[np.ndarray, np.ndarray]],
    notes: list[str],
) -> Scenario:
    """``scenario`` made to replay a log: dated, no warm-up, the model's follow-ups off,
    pools with a logged headcount sized to it (module docstring)."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["run"].update(
        start=monday.isoformat(), warmup="0s", horizon=f"{days}d", replications=replications
    )
    for key in ("special_days", "volumes"):  # the log says what arrived
        data["demand"].pop(key, None)
    behaviour = data["behaviour"]
    behaviour["after_abandon"] = {"retry": 0.0, "switch": {}, "give_up": 1.0}
    behaviour["escalate_to_social"]["probability"] = 0.0
    behaviour["jump_the_line"]["enabled"] = False
    channels = data["channels"]
    channels["self_service"]["success"] = 1.0
    channels["social"]["handoff"]["probability"] = 0.0
    if data["policy"].get("social_mode") == "deflect":
        data["policy"]["social_mode"] = "serve"
        channels["social"]["exchanges"] = 1.0
        notes.append("social_mode deflect replayed as serve with one reply (the log holds the ")
        notes[-1] += "private follow-ups)"
    for name, (_, agents) in staffing.items():
        pool = data["pools"][name]
        pool.pop("schedule", None)
        pool.update(agents=max(1, int(np.max(agents))), shrinkage=0.0)
    return validate_data(data, "<back-test scenario>")


def _check_served(scenario: Scenario, channels: set[str]) -> None:
    served = {ch for pool in scenario.pools.values() for ch in pool.skills}
    sections = scenario.channels.sections()
    for channel in sorted(channels - served):
        if kind_of(channel).assisted and sections[channel].answered_by_agents(scenario):
            raise InputError(
                f"the log has {channel} contacts but no pool of the scenario serves {channel}"
            )


# --- staffing ---------------------------------------------------------------------------------


def _staffing(
    source: str | Path | pd.DataFrame, monday: pd.Timestamp, scenario: Scenario
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Pool -> (simulation seconds, agents) of each logged change."""
    name = "staffing" if isinstance(source, pd.DataFrame) else str(source)
    try:
        table = source if isinstance(source, pd.DataFrame) else read_table(source)
    except ValueError as error:
        raise InputError(str(error)) from None
    table = table.rename(columns=lambda c: str(c).strip().lower())
    if "start" not in table.columns:
        raise InputError(f"{name}: needs a start column (when each headcount begins)")
    if "pool" in table.columns and "agents" in table.columns:
        long = table[["start", "pool", "agents"]].astype({"pool": str})
    else:
        pools = [c for c in table.columns if c != "start"]
        long = table.melt(id_vars="start", value_vars=pools, var_name="pool", value_name="agents")
    long["pool"] = long["pool"].str.strip()
    unknown = sorted(set(long["pool"]) - set(scenario.pools))
    if unknown:
        raise InputError(
            f"{name}: pool(s) {', '.join(unknown)} not in the scenario "
            f"({', '.join(scenario.pools)})"
        )
    start = pd.to_datetime(long["start"].astype(str).str.strip(), errors="coerce", format="ISO8601")
    agents = pd.to_numeric(long["agents"], errors="coerce")
    bad = start.isna() | agents.isna() | (agents < 0) | (agents != np.floor(agents))
    if bad.any():
        rows = ", ".join(str(i + 2) for i in np.flatnonzero(bad.to_numpy())[:5])
        raise InputError(
            f"{name}: start is not a date and time, or agents not a whole number of zero or "
            f"more (row {rows}{', ...' if bad.sum() > 5 else ''})"
        )
    seconds = ((start - monday) / pd.Timedelta(seconds=1)).to_numpy(float)
    given = {}
    for pool in dict.fromkeys(long["pool"]):
        mine = (long["pool"] == pool).to_numpy()
        order = np.argsort(seconds[mine], kind="stable")
        given[pool] = (seconds[mine][order], agents.to_numpy(float)[mine][order].astype(int))
    return given


# --- measures ---------------------------------------------------------------------------------


def _simulated(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Counts summed over replications, per interval and channel."""
    table = pd.concat(frames, ignore_index=True)
    table = table[~table["scope"].str.contains(":|centre", regex=True)].copy()
    table["within"] = (table["service_level"] * table["offered"]).fillna(0.0)
    table["wait_sum"] = (table["asa_seconds"] * table["answered"]).fillna(0.0)
    columns = ["offered", "answered", "abandoned", "within", "wait_sum"]
    summed = table.groupby(["scope", "interval"])[columns].sum()
    summed.index = summed.index.set_names(["channel", "interval"])
    return summed / len(frames)


def _logged(frame: pd.DataFrame, times: np.ndarray, scenario: Scenario) -> pd.DataFrame:
    """The log's counts per channel and interval of arrival."""
    sections = scenario.channels.sections()
    channel = frame["channel"].astype(str).to_numpy(object)
    outcome = frame["outcome"].astype(str).to_numpy(object)
    wait = frame["wait"].to_numpy(float)
    answered = outcome == "answered"
    threshold = np.array(
        [getattr(getattr(sections[c], "service_level", None), "within", math.nan) for c in channel]
    )
    table = pd.DataFrame(
        {
            "channel": channel,
            "interval": (times // scenario.run.interval).astype(np.int64),
            "offered": 1.0,
            "answered": answered.astype(float),
            "abandoned": (outcome == "abandoned").astype(float),
            "within": (answered & (wait <= threshold)).astype(float),
            "wait_sum": np.where(answered, wait, 0.0),
        }
    )
    return table.groupby(["channel", "interval"]).sum()


def _measures(counts: pd.DataFrame) -> pd.DataFrame:
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "service_level": counts["within"] / counts["offered"],
                "asa_seconds": counts["wait_sum"] / counts["answered"],
                "abandon_rate": counts["abandoned"] / counts["offered"],
            },
            index=counts.index,
        )


def _compare(
    logged: pd.DataFrame, simulated: pd.DataFrame, scenario: Scenario, monday: pd.Timestamp
) -> pd.DataFrame:
    """One row per channel and interval with logged contacts (module docstring)."""
    simulated = simulated.reindex(logged.index, fill_value=0.0)
    left, right = _measures(logged), _measures(simulated)
    table = pd.DataFrame(index=logged.index)
    table["offered_logged"] = logged["offered"]
    table["offered_simulated"] = simulated["offered"]
    for measure in COMPARED:
        table[f"{measure}_logged"] = left[measure]
        table[f"{measure}_simulated"] = right[measure]
    table = table.reset_index()
    sections = scenario.channels.sections()
    no_target = [c for c in table["channel"] if getattr(sections[c], "service_level", None) is None]
    table.loc[table["channel"].isin(no_target), ["service_level_logged"]] = np.nan
    starts = monday + pd.to_timedelta(table["interval"] * scenario.run.interval, unit="s")
    table.insert(2, "start", starts.dt.strftime("%Y-%m-%dT%H:%M"))
    return table[INTERVAL_COLUMNS[:-1]]


def _judged(table: pd.DataFrame, scenario: Scenario, last: float, min_offered: int) -> pd.Series:
    """Intervals of assisted channels with enough logged contacts whose service level the
    log can tell (module docstring)."""
    sections = scenario.channels.sections()
    threshold = table["channel"].map(
        lambda c: getattr(getattr(sections[c], "service_level", None), "within", 0.0)
    )
    ends = (table["interval"] + 1) * scenario.run.interval
    assisted = table["channel"].map(lambda c: kind_of(c).assisted)
    return (table["offered_logged"] >= min_offered) & (ends + threshold <= last) & assisted


def _errors(table: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Per channel, then over every channel: mean absolute errors over the judged intervals;
    and the overall MAE of interval service level."""
    judged = table[table["judged"]]
    rows = []
    for channel, part in [*judged.groupby("channel", sort=False), ("all", judged)]:
        sl = part["service_level_simulated"] - part["service_level_logged"]
        asa = part["asa_seconds_simulated"] - part["asa_seconds_logged"]
        abandon = part["abandon_rate_simulated"] - part["abandon_rate_logged"]
        weight = part["offered_logged"]
        rows.append(
            (
                channel,
                len(part),
                int(weight.sum()),
                _weighted(part["service_level_logged"], weight),
                _weighted(part["service_level_simulated"], weight),
                float(sl.abs().mean()),
                float(sl.mean()),
                float(asa.abs().mean()),
                float(abandon.abs().mean()),
            )
        )
    errors = pd.DataFrame(rows, columns=ERROR_COLUMNS)
    overall = errors.loc[errors["channel"] == "all", "service_level_mae"]
    return errors, float(overall.iloc[0]) if len(overall) else math.nan


def _weighted(values: pd.Series, weight: pd.Series) -> float:
    known = values.notna()
    total = float(weight[known].sum())
    return float((values[known] * weight[known]).sum() / total) if total else math.nan
