"""The scenario format as pydantic models: one class per section of a scenario file.

Field names are a contract with users: add to them, never rename them. Unknown keys are
errors, durations need a unit, shares are fractions in [0, 1] (:mod:`sim.scenario.types`).
The ``channels:`` sections live in :mod:`sim.scenario.channels`, one per channel kind; names
of channels and routing policies are checked against :mod:`sim.scenario.registry`. Checks
that span several sections (a channel that receives contacts but no pool serves, a profile of
the wrong length) live in :mod:`sim.scenario.checks` so each problem names its own field path.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field, field_validator, model_validator

from sim.scenario.channels import Channels
from sim.scenario.choice import Choice
from sim.scenario.customers import Customers
from sim.scenario.dates import CalendarDate, SpecialDays, check_monday
from sim.scenario.forecast import Volumes, volumes_from_file
from sim.scenario.registry import AssistedName, ChannelName, RoutingName, register_routing
from sim.scenario.types import (
    SUM_TOLERANCE,
    Money,
    NonNegativeDuration,
    NonNegativeNumber,
    PositiveDuration,
    PositiveInt,
    PositiveNumber,
    Section,
    Share,
    TimeDistribution,
    check_shares_sum_to_one,
    exponential,
)
from sim.scenario.units import DAY, parse_duration
from sim.scenario.value import Value
from sim.scenario.weekdays import WEEKDAYS, parse_clock, parse_days  # noqa: F401 (re-exported)

register_routing(
    "priority",
    "queues in priority order, pools in file order, best-fit agents, reservations kept",
)


# --- run and demand ---------------------------------------------------------------------------


class Run(Section):
    """How long to simulate, how often, and from which seed."""

    horizon: PositiveDuration = Field(default=parse_duration("7d"))
    warmup: NonNegativeDuration = Field(default=parse_duration("1d"))
    replications: PositiveInt = 10
    seed: Annotated[int, Field(ge=0)] = 20130220
    interval: PositiveDuration = Field(default=parse_duration("30min"))
    start: CalendarDate | None = None
    """Date of the Monday the measured horizon starts (None: a Monday with no date)."""

    @field_validator("start")
    @classmethod
    def _monday(cls, value: date | None) -> date | None:
        return None if value is None else check_monday(value)


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Demand(Section):
    """Issues arriving: a Poisson rate, intraday profiles, weekday factors, special days, an
    optional forecast, and channel choice (see ``sim/model/arrivals.py`` for the model)."""

    issues_per_day: PositiveNumber | None = None
    issues_per_hour: PositiveNumber | None = None
    profile: list[NonNegativeNumber] | None = None
    first_channel: dict[ChannelName, Share] = Field(
        default_factory=lambda: {"phone": 0.5, "email": 0.3, "self_service": 0.18, "social": 0.02}
    )
    day_variability: NonNegativeNumber = 0.0
    profiles: dict[ChannelName, list[NonNegativeNumber]] | None = None
    """Intraday profile of issues first at a channel; channels not named use ``profile``."""
    weekdays: dict[Weekday, NonNegativeNumber] | None = None
    """Factor on a weekday's issues, as given (a weekday not named has 1)."""
    special_days: SpecialDays | None = None
    """Dated factors on a day's issues, or ``closed`` (no issues); needs ``run.start``."""
    volumes: Annotated[Volumes, BeforeValidator(volumes_from_file)] | None = None
    """A forecast of issues per interval and channel (a CSV file in a scenario file)."""
    choice: Choice = Field(default_factory=Choice)
    """First channels that respond to perceived waits (sim/scenario/choice.py)."""
    customers: Customers | None = None
    """Issues that belong to customers with a history (sim/scenario/customers.py)."""

    @field_validator("first_channel")
    @classmethod
    def _sum_to_one(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("name at least one channel")
        return check_shares_sum_to_one(value)

    @field_validator("profile")
    @classmethod
    def _some_weight(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and (not value or sum(value) <= 0):
            raise ValueError("the profile needs at least one positive weight")
        return value

    @field_validator("profiles")
    @classmethod
    def _some_weights(cls, value: dict[str, list[float]] | None) -> dict[str, list[float]] | None:
        for channel, weights in (value or {}).items():
            if not weights or sum(weights) <= 0:
                raise ValueError(f"the profile of {channel} needs at least one positive weight")
        return value

    @field_validator("weekdays")
    @classmethod
    def _some_day(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is not None and len(value) == 7 and sum(value.values()) <= 0:
            raise ValueError("at least one weekday needs a positive factor")
        return value

    def profile_of(self, channel: str) -> list[float] | None:
        """The intraday profile of issues first at ``channel`` (None: flat)."""
        return (self.profiles or {}).get(channel, self.profile)

    @property
    def by_channel(self) -> bool:
        """Whether each channel's issues follow their own timing (per-channel profiles or a
        forecast): then arrivals are drawn per channel and carry their first channel."""
        return bool(self.profiles) or self.volumes is not None

    @model_validator(mode="after")
    def _one_rate(self) -> Demand:
        if (self.issues_per_day is None) == (self.issues_per_hour is None):
            raise ValueError("give exactly one of issues_per_day or issues_per_hour")
        if self.by_channel and (self.customers is not None or self.choice.active):
            raise ValueError(
                "customers and choice need issues that choose their first channel "
                "(first_channel), not per-channel profiles or volumes"
            )
        return self

    @property
    def issues_per_second(self) -> float:
        """Mean arrival rate over a whole day, in issues per second."""
        if self.issues_per_day is not None:
            return self.issues_per_day / 86400.0
        assert self.issues_per_hour is not None
        return self.issues_per_hour / 3600.0


# --- behaviour --------------------------------------------------------------------------------


class AfterAbandon(Section):
    """What a caller does after hanging up: retry, switch channel, or give up."""

    retry: Share = 0.3
    switch: dict[AssistedName, Share] = Field(default_factory=dict)
    give_up: Share = 0.7

    @model_validator(mode="after")
    def _sum_to_one(self) -> AfterAbandon:
        total = self.retry + sum(self.switch.values()) + self.give_up
        if abs(total - 1.0) > SUM_TOLERANCE:
            raise ValueError(f"retry + switch + give_up must sum to 1 (they sum to {total:g})")
        return self


class EscalateToSocial(Section):
    """An email unanswered after ``after`` leads, with ``probability``, to a public post."""

    after: NonNegativeDuration = Field(default=parse_duration("48h"))
    probability: Share = 0.0


class JumpTheLine(Section):
    """The learned habit of complaining in public because it is answered faster."""

    enabled: bool = False
    period: PositiveDuration = Field(default=parse_duration("1d"))
    rate: Share = 0.05
    max_social_first: Share = 0.25


class Behaviour(Section):
    """How customers react when service fails."""

    after_abandon: AfterAbandon = Field(default_factory=AfterAbandon)
    retry_delay: TimeDistribution = Field(default_factory=lambda: exponential("10min"))
    max_attempts: PositiveInt = 4
    escalate_to_social: EscalateToSocial = Field(default_factory=EscalateToSocial)
    jump_the_line: JumpTheLine = Field(default_factory=JumpTheLine)


# --- pools ------------------------------------------------------------------------------------


class Break(Section):
    """``{from: "12:00", to: "12:30", paid: false}``: a shift's agents off the floor."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    start: str = Field(alias="from")
    end: str = Field(alias="to")
    paid: bool = True

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value


def _span(start: str, end: str) -> float:
    """Seconds from ``start`` to ``end`` (past midnight when ``end`` is not after it)."""
    begin, finish = parse_clock(start), parse_clock(end)
    return finish - begin if finish > begin else finish + DAY - begin


def break_offsets(shift: Shift) -> list[tuple[float, float, bool]]:
    """Each break of ``shift`` as ``(start, end, paid)`` in seconds from the shift's start."""
    offsets = []
    for item in shift.breaks or []:
        begin = (parse_clock(item.start) - parse_clock(shift.start)) % DAY
        offsets.append((begin, begin + _span(item.start, item.end), item.paid))
    return offsets


class Shift(Section):
    """``{days: mon-fri, from: "08:00", to: "16:00", agents: 40}``: agents on duty in a window."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    days: str = "all"
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    agents: PositiveInt
    breaks: list[Break] | None = None

    @model_validator(mode="after")
    def _breaks_inside(self) -> Shift:
        length = _span(self.start, self.end)
        spans = sorted(zip(break_offsets(self), range(len(self.breaks or [])), strict=True))
        last_end, last = 0.0, None
        for (begin, end, _), i in spans:
            item = (self.breaks or [])[i]
            if end > length + 1e-9:
                raise ValueError(
                    f"breaks[{i}] ({item.start}-{item.end}) is not inside the shift "
                    f"{self.start}-{self.end}; move it or lengthen the shift"
                )
            if last is not None and begin < last_end - 1e-9:
                raise ValueError(
                    f"breaks[{i}] overlaps breaks[{last}]; breaks of a shift cannot overlap"
                )
            last_end, last = end, i
        return self

    @field_validator("days")
    @classmethod
    def _days(cls, value: str) -> str:
        parse_days(value)
        return value

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value


class Pool(Section):
    """A named group of agents: headcount (flat or scheduled), skills, concurrency, cost."""

    agents: PositiveInt | None = None
    schedule: Annotated[list[Shift], Field(min_length=1)] | None = None
    skills: Annotated[list[AssistedName], Field(min_length=1)]
    concurrency: dict[AssistedName, PositiveInt] = Field(default_factory=dict)
    cost_per_hour: NonNegativeNumber = 29.0
    shrinkage: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    efficiency: dict[AssistedName, PositiveNumber] = Field(default_factory=dict)
    priority: list[AssistedName] | None = None
    overflow_after: dict[AssistedName, NonNegativeDuration] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _headcount(self) -> Pool:
        if (self.agents is None) == (self.schedule is None):
            raise ValueError("give exactly one of agents or schedule")
        if len(set(self.skills)) != len(self.skills):
            raise ValueError("skills lists a channel twice")
        return self


# --- policy and costs -------------------------------------------------------------------------


class Callback(Section):
    """Offer phone callers a callback when the expected wait is long."""

    offer_when_wait_over: NonNegativeDuration
    accept: Share = 0.6


class Policy(Section):
    """The what-if lever: routing priority, reservations and how social is handled."""

    name: str = "fifo"
    priority: list[AssistedName] = Field(default_factory=lambda: ["phone", "social", "email"])
    routing: RoutingName = "priority"
    social_mode: Literal["serve", "deflect", "ignore"] = "serve"
    reserve: dict[str, dict[AssistedName, Annotated[int, Field(ge=0)]]] = Field(
        default_factory=dict
    )
    callback: Callback | None = None

    @field_validator("priority")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("priority lists a channel twice")
        return value


class PublicImpression(Section):
    """Cost of one person seeing a negative or a positive public exchange (a benefit is a
    negative cost, as ``positive: -0.01``)."""

    negative: Money = 0.0
    positive: Money = 0.0


class Costs(Section):
    """Per-contact channel costs and optional penalties; agent pay is on the pools."""

    per_contact: dict[ChannelName, NonNegativeNumber] = Field(default_factory=dict)
    abandoned_contact: NonNegativeNumber = 0.0
    unresolved_issue: NonNegativeNumber = 0.0
    public_impression: PublicImpression = Field(default_factory=PublicImpression)


# --- the scenario -----------------------------------------------------------------------------


class Scenario(Section):
    """A whole contact centre and how to simulate it."""

    name: str = "scenario"
    description: str = ""
    run: Run = Field(default_factory=Run)
    demand: Demand
    channels: Channels = Field(default_factory=Channels)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    pools: Annotated[dict[str, Pool], Field(min_length=1)]
    policy: Policy = Field(default_factory=Policy)
    costs: Costs = Field(default_factory=Costs)
    value: Value | None = None

    @property
    def intervals_per_day(self) -> int:
        """Reporting intervals in a day (the interval must divide the day)."""
        return round(86400.0 / self.run.interval)

    @property
    def interval_count(self) -> int:
        """Reporting intervals in the measured horizon (the last may be partial)."""
        return math.ceil(self.run.horizon / self.run.interval - 1e-9)
