"""Shift templates: the shapes of shift the scheduler may choose from, as a YAML section.

A template says how long a shift lasts, when it may start, on which days of the week an agent
works it, and which breaks it holds. The scheduler (:mod:`.milp`) decides how many agents
work each start time, day pattern and break placement. The file looks like this (the
``schedule:`` wrapper is optional, so the same text can later become a scenario section)::

    schedule:
      break_step: 15min                 # breaks start on this grid (default 15min)
      templates:
        early:
          length: 8h                    # from the start of the shift to its end, at most 24h
          starts: {earliest: "06:00", latest: "10:00", step: 30min}   # or {at: ["06:00"]}
          days: {consecutive: 5}        # every block of 5 consecutive days (mon-fri, tue-sat, ...)
          # days: [mon-fri, sat-sun]    # or an explicit list of day patterns
          breaks:
            - {name: break 1, length: 15min, after: 1h, before: 3h}
            - {name: lunch, length: {min: 30min, max: 60min}, after: 3h, before: 5h, paid: false}
            - {name: break 2, length: 15min, after: 5h, before: 7h}
          cost_per_hour: 28             # optional; else the pool's cost_per_hour
          pools: [voice]                # optional; else every pool may use it

A break lies wholly inside its window: it starts at ``after`` or later and ends by
``before`` (both measured from the start of the shift; ``before`` defaults to the end of the
shift). Break windows of one template must not overlap, so that any choice of placements
for one break combines with any choice for another. Unpaid breaks (``paid: false``) are
deducted from paid hours; breaks are paid by default. Shifts whose end is past midnight run
into the next day (and from Sunday into Monday), as in a scenario's ``schedule``.

Like the scenario format, unknown keys are errors, durations need a unit and times of day
are quoted ``"HH:MM"``. Every problem is reported with its dotted field path.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.overrides import format_path
from sim.scenario.schema import parse_clock, parse_days
from sim.scenario.types import NonNegativeDuration, NonNegativeNumber, PositiveDuration, Section
from sim.scenario.units import DAY, format_duration, parse_duration
from sim.scenario.yaml_io import parse_yaml_value
from sim.studies.schedule.template_checks import check_templates

MAX_FILE_BYTES = 1_000_000
"""Template files are a few lines; refuse anything larger outright."""


class LengthRange(Section):
    """A break whose length the scheduler may choose: ``{min: 30min, max: 60min}``."""

    min: PositiveDuration
    max: PositiveDuration

    @model_validator(mode="after")
    def _ordered(self) -> LengthRange:
        if self.max < self.min:
            raise ValueError(
                f"max ({format_duration(self.max)}) is shorter than min "
                f"({format_duration(self.min)})"
            )
        return self


def _length_range(value: Any) -> Any:
    """A plain duration ``"15min"`` is a range of one length."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        seconds = parse_duration(value)
        if seconds <= 0:
            raise ValueError(f"must be longer than 0 (got {value!r})")
        return {"min": value, "max": value}
    return value


class Break(Section):
    """One break of a shift: its length and the window (from shift start) it must lie in."""

    name: str | None = None
    length: LengthRange
    after: NonNegativeDuration = 0.0
    before: PositiveDuration | None = None
    paid: bool = True

    @field_validator("length", mode="before")
    @classmethod
    def _one_length(cls, value: Any) -> Any:
        return _length_range(value)


class Starts(Section):
    """When a shift may start: every ``step`` from ``earliest`` to ``latest``, or ``at`` times."""

    earliest: str = "00:00"
    latest: str | None = None  # None: as late as the day allows
    step: PositiveDuration = Field(default=parse_duration("30min"))
    at: Annotated[list[str], Field(min_length=1)] | None = None

    @field_validator("earliest", "latest")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is not None and parse_clock(value) >= DAY:
            raise ValueError(f"'{value}' is the end of the day; a shift starts before 24:00")
        return value

    @field_validator("at")
    @classmethod
    def _clocks(cls, value: list[str] | None) -> list[str] | None:
        for text in value or []:
            cls._clock(text)
        return value

    @model_validator(mode="after")
    def _one_way(self) -> Starts:
        if self.at is not None and self.model_fields_set & {"earliest", "latest", "step"}:
            raise ValueError("give either 'at' or 'earliest/latest/step', not both")
        if self.latest is not None and parse_clock(self.latest) < parse_clock(self.earliest):
            raise ValueError(
                f"latest ({self.latest}) is before earliest ({self.earliest}); "
                "starts run from earliest to latest within one day"
            )
        return self

    def seconds(self) -> list[int]:
        """The start times, in seconds after midnight, ascending and distinct."""
        if self.at is not None:
            return sorted({round(parse_clock(t)) for t in self.at})
        first = round(parse_clock(self.earliest))
        last = round(parse_clock(self.latest)) if self.latest is not None else round(DAY) - 1
        step = round(self.step)
        return list(range(first, last + 1, step))


class Days(Section):
    """Which days an agent works a shift: every ``consecutive``-day block, or listed patterns."""

    consecutive: Annotated[int, Field(ge=1, le=7)] | None = None
    patterns: Annotated[list[str], Field(min_length=1)] | None = None

    @field_validator("patterns")
    @classmethod
    def _patterns(cls, value: list[str] | None) -> list[str] | None:
        for text in value or []:
            parse_days(text)
        return value

    @model_validator(mode="after")
    def _one_way(self) -> Days:
        if (self.consecutive is None) == (self.patterns is None):
            raise ValueError("give exactly one of consecutive or patterns")
        return self

    def blocks(self) -> list[tuple[int, ...]]:
        """The distinct sets of weekdays (Monday is 0) a shift may be worked on."""
        if self.consecutive is not None:
            found = {
                tuple(sorted((first + k) % 7 for k in range(self.consecutive)))
                for first in range(7)
            }
        else:
            found = {parse_days(text) for text in self.patterns or []}
        return sorted(found)


def _days_shorthand(value: Any) -> Any:
    """``days: mon-fri`` or ``days: [mon-fri, sat-sun]`` mean ``{patterns: [...]}``."""
    if isinstance(value, str):
        return {"patterns": [value]}
    if isinstance(value, list):
        return {"patterns": value}
    return value


class Template(Section):
    """One shape of shift: length, start times, day patterns, breaks and optional cost."""

    length: PositiveDuration
    starts: Starts = Field(default_factory=Starts)
    days: Days = Field(default_factory=lambda: Days(consecutive=5))
    breaks: list[Break] = Field(default_factory=list)
    cost_per_hour: NonNegativeNumber | None = None
    pools: Annotated[list[str], Field(min_length=1)] | None = None

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        return _days_shorthand(value)


class Templates(Section):
    """The ``schedule:`` section: the templates and the grid breaks are placed on."""

    templates: Annotated[dict[str, Template], Field(min_length=1)]
    break_step: PositiveDuration = Field(default=parse_duration("15min"))


def default_templates() -> Templates:
    """8 h shifts starting every 30 min, 5 consecutive days, a 30 min lunch and two 15 min breaks.

    The lunch lies 3-5 h into the shift, a 15 min break in each half (1-3 h and 5-7 h in),
    all paid: the common full-time pattern of contact centres, usable when a planner has
    no template file.
    """
    return Templates.model_validate(
        {
            "templates": {
                "8h": {
                    "length": "8h",
                    "starts": {"earliest": "00:00", "step": "30min"},
                    "days": {"consecutive": 5},
                    "breaks": [
                        {"name": "break 1", "length": "15min", "after": "1h", "before": "3h"},
                        {"name": "lunch", "length": "30min", "after": "3h", "before": "5h"},
                        {"name": "break 2", "length": "15min", "after": "5h", "before": "7h"},
                    ],
                }
            }
        }
    )


# --- reading a file --------------------------------------------------------------------------


def validate_templates(data: Any, file: str = "<templates>") -> Templates:
    """Validate a mapping (a ``schedule:`` section or its content) into :class:`Templates`.

    Raises :class:`ScenarioError` with one :class:`Problem` per mistake, naming ``file``
    and the field path (``schedule.templates.early.breaks[1].before``).
    """
    prefix: list[str | int] = []
    if isinstance(data, dict) and set(data) == {"schedule"}:
        data, prefix = data["schedule"], ["schedule"]
    if not isinstance(data, dict):
        raise ScenarioError(
            [Problem(file, format_path(prefix), "must be a mapping with a 'templates:' key")]
        )
    try:
        templates = Templates.model_validate(data)
    except ValidationError as error:
        problems = [
            Problem(file, format_path([*prefix, *_segments(d, data)]), _message(d))
            for d in error.errors()
        ]
        raise ScenarioError(problems) from None
    issues = check_templates(templates)
    if issues:
        head = format_path(prefix)
        raise ScenarioError(
            [Problem(file, f"{head}.{path}" if head else path, msg) for path, msg in issues]
        )
    return templates


def load_templates(path: str | Path) -> Templates:
    """Read and validate a template file; :class:`ScenarioError` names file, path and reason."""
    file = str(path)
    path = Path(path)
    try:
        if not path.is_file():
            reason = "is a directory, not a template file" if path.is_dir() else "file not found"
            raise ScenarioError([Problem(file, "", reason)])
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError([Problem(file, "", "file is larger than 1 MB")])
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ScenarioError([Problem(file, "", f"cannot read the file: {reason}")]) from None
    try:
        data = parse_yaml_value(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        reason = getattr(error, "problem", None) or "YAML syntax error"
        raise ScenarioError([Problem(file, "", f"{where}YAML error: {reason}")]) from None
    except ValueError as error:
        raise ScenarioError([Problem(file, "", f"cannot read the YAML: {error}")]) from None
    if data is None:
        raise ScenarioError([Problem(file, "", "the file is empty; it needs 'templates:'")])
    return validate_templates(data, file)


_KNOWN_KEYS = sorted(
    {
        key
        for model in (Templates, Template, Starts, Days, Break, LengthRange)
        for key in model.model_fields
    }
)


def _segments(details: ErrorDetails, data: Any = None) -> list[str | int]:
    """Pydantic's location as the user wrote it.

    Drops the ``[key]`` markers pydantic adds for dictionary keys, and the ``patterns`` key
    that the ``days: mon-fri`` shorthand stands for when the file used the shorthand.
    """
    segments: list[str | int] = []
    node = data
    for item in details["loc"]:
        if item == "[key]":
            continue
        if item == "patterns" and segments[-1:] == ["days"] and not isinstance(node, dict):
            continue
        segments.append(item)
        if isinstance(node, dict):
            node = node.get(item)
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            node = node[item]
        else:
            node = None
    return segments


def _message(details: ErrorDetails) -> str:
    """One pydantic error as a plain sentence, in the scenario loader's style."""
    kind = details["type"]
    value = details.get("input")
    loc = _segments(details)
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        close = difflib.get_close_matches(key, _KNOWN_KEYS, n=1, cutoff=0.6)
        return f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else "")
    if kind == "missing":
        return "required, but not given"
    if kind == "too_short":
        return "needs at least one entry"
    if kind == "string_type" and isinstance(value, int) and not isinstance(value, bool):
        hours, minutes = divmod(value, 60)
        return (
            f'write times of day in quotes, e.g. "{hours:02d}:{minutes:02d}" '
            f"(got {value!r}: YAML may have read an unquoted time as a number)"
        )
    if kind in ("value_error", "assertion_error"):
        error = (details.get("ctx") or {}).get("error")
        return str(error) if error is not None else details["msg"]
    message = details["msg"]
    if message.startswith("Input should be"):
        message = "must be" + message[len("Input should be") :]
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    return f"{message} (got {shown[:40]})"
