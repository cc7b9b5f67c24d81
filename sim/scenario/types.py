"""The building blocks of the scenario format: sections, durations, shares, distributions.

Each scenario section is a :class:`Section`: unknown keys are errors (``extra="forbid"``),
types are not coerced (``strict``), and a loaded scenario cannot be changed (``frozen``).
Durations need a unit (:mod:`sim.scenario.units`), shares are fractions in [0, 1], and a
distribution is a mapping told apart by its ``dist`` key.
"""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from sim.scenario.units import SECONDS_PER, format_duration, parse_duration

_UNITS = "|".join("".join(f"[{c.lower()}{c.upper()}]" for c in unit) for unit in SECONDS_PER)
DURATION_PATTERN = r"^\s*[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?\s*(" + _UNITS + r")\s*$"
"""What a duration looks like in a file (JSON Schema; :func:`parse_duration` is the rule, and
units are read in any case)."""


def _duration_schema(minimum: str) -> WithJsonSchema:
    """A duration in the JSON Schema: text with a unit (``6min``), not the seconds it becomes."""
    return WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "x-duration": minimum})


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration),
    _duration_schema(""),
]
PositiveDuration = Annotated[
    float,
    BeforeValidator(parse_duration),
    Field(gt=0),
    PlainSerializer(format_duration),
    _duration_schema("> 0"),
]
NonNegativeDuration = Annotated[
    float,
    BeforeValidator(parse_duration),
    Field(ge=0),
    PlainSerializer(format_duration),
    _duration_schema(">= 0"),
]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveNumber = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
NonNegativeNumber = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Money = Annotated[float, Field(allow_inf_nan=False)]
PositiveInt = Annotated[int, Field(gt=0)]

SUM_TOLERANCE = 1e-6


class Section(BaseModel):
    """Base of every scenario section: unknown keys are errors, types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def check_shares_sum_to_one(shares: dict[str, float]) -> dict[str, float]:
    """``shares`` unchanged if they sum to 1 (within :data:`SUM_TOLERANCE`), else ValueError."""
    total = sum(shares.values())
    if shares and abs(total - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"shares must sum to 1 (they sum to {total:g})")
    return shares


# --- distributions ---------------------------------------------------------------------------

V = TypeVar("V")


class Exponential(Section, Generic[V]):
    """Memoryless times: ``{dist: exponential, mean: 3min}``."""

    dist: Literal["exponential"]
    mean: V


class Lognormal(Section, Generic[V]):
    """Right-skewed times (phone handle times are close to lognormal; Brown et al. 2005)."""

    dist: Literal["lognormal"]
    mean: V
    cv: NonNegativeNumber


class Gamma(Section, Generic[V]):
    """Gamma times with a given mean and coefficient of variation."""

    dist: Literal["gamma"]
    mean: V
    cv: PositiveNumber


class Deterministic(Section, Generic[V]):
    """Always the same value."""

    dist: Literal["deterministic"]
    value: V


class Empirical(Section, Generic[V]):
    """Resample, with equal weights, from observed values (e.g. a planner's own AHT sample)."""

    dist: Literal["empirical"]
    values: Annotated[list[V], Field(min_length=1)]


TimeDistribution = Annotated[
    Exponential[PositiveDuration]
    | Lognormal[PositiveDuration]
    | Gamma[PositiveDuration]
    | Deterministic[NonNegativeDuration]
    | Empirical[NonNegativeDuration],
    Field(discriminator="dist"),
]
CountDistribution = Annotated[
    Exponential[PositiveNumber]
    | Lognormal[PositiveNumber]
    | Gamma[PositiveNumber]
    | Deterministic[NonNegativeNumber]
    | Empirical[NonNegativeNumber],
    Field(discriminator="dist"),
]

DISTRIBUTION_KINDS = ("exponential", "lognormal", "gamma", "deterministic", "empirical")


def exponential(mean: str) -> Exponential:
    """An exponential time distribution with this mean (a default value)."""
    return Exponential[PositiveDuration](dist="exponential", mean=mean)


def lognormal(mean: str, cv: float) -> Lognormal:
    """A lognormal time distribution with this mean and CV (a default value)."""
    return Lognormal[PositiveDuration](dist="lognormal", mean=mean, cv=cv)
