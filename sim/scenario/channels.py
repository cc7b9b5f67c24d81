"""The ``channels:`` sections: one per channel kind, and the container that holds them.

Each kind's settings are a :class:`ChannelSection` registered in
:mod:`sim.scenario.registry`. A section also says, from the whole scenario, how contacts at
its channel move on — whether they can be abandoned (then the behaviour rules send them on),
whether agents answer them under the policy, and which channels they lead to — so the
cross-section checks and the follow-up period need no rule per channel name.

:class:`Channels` validates each key against the registry when a scenario is validated, so
a kind registered after import is accepted, and fills in every kind not given with its
defaults (a scenario lists only what it changes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, InitErrorDetails

from sim.scenario.registry import (
    AssistedName,
    ChannelKind,
    PrivateName,
    channel_kinds,
    public_names,
    register_channel,
)
from sim.scenario.types import (
    SUM_TOLERANCE,
    CountDistribution,
    Lognormal,
    NonNegativeDuration,
    NonNegativeNumber,
    PositiveNumber,
    Section,
    Share,
    TimeDistribution,
    check_shares_sum_to_one,
    exponential,
    lognormal,
)
from sim.scenario.units import parse_duration
from sim.scenario.weekdays import parse_clock, parse_days

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario


class OpenHours(Section):
    """``{days: mon-fri, from: "08:00", to: "18:00"}``: when the service-level clock runs."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    days: str = Field(default="all", description="Days the window applies: mon-fri, sat,sun, all.")
    start: str = Field(alias="from", description="Opening time, e.g. 08:00.")
    end: str = Field(alias="to", description="Closing time (not after from: past midnight).")

    @model_validator(mode="after")
    def _times(self) -> OpenHours:
        parse_days(self.days)
        parse_clock(self.start)
        parse_clock(self.end)
        return self

    agents: ClassVar[int] = 1  # one "agent" of open time: a window is a shift of the week


class ServiceLevel(Section):
    """Target share of offered contacts answered within a threshold (e.g. 80% in 20 s)."""

    within: NonNegativeDuration
    target: Share = 0.8
    abandons: Literal["miss", "exclude", "exclude_short"] = "miss"
    short_abandon: NonNegativeDuration = Field(default=parse_duration("5s"))
    business_hours: Annotated[list[OpenHours], Field(min_length=1)] | None = Field(
        default=None,
        description="Weekly opening hours in which the service-level clock runs (e.g. for "
        "email): a contact's wait counts open time only. Without it, every hour counts.",
    )


def _at_most_one(shares: dict[str, float]) -> dict[str, float]:
    total = sum(shares.values())
    if total > 1.0 + SUM_TOLERANCE:
        raise ValueError(f"transfer shares must sum to at most 1 (they sum to {total:g})")
    return shares


Transfers = Annotated[dict[AssistedName, Share], AfterValidator(_at_most_one)]
"""Shares of answered contacts transferred to each channel's queue (summing to at most 1)."""


class ChannelSection(Section):
    """Settings of one channel kind; the hooks say how its contacts move on."""

    def abandons(self, scenario: Scenario) -> bool:
        """Whether contacts here can be abandoned (the behaviour rules then apply)."""
        return False

    def answered_by_agents(self, scenario: Scenario) -> bool:
        """Whether agents answer this channel under the scenario's policy."""
        return True

    def leads_to(self, scenario: Scenario) -> set[str]:
        """Channels a contact here can lead to (besides retrying here)."""
        if not self.abandons(scenario):
            return set()
        return {ch for ch, share in scenario.behaviour.after_abandon.switch.items() if share > 0}


class Ivr(Section):
    """An interactive voice response before the phone queue: some calls end there."""

    duration: TimeDistribution = Field(
        default_factory=lambda: exponential("1min"), description="Time a caller spends in it."
    )
    containment: Share = Field(default=0.0, description="Share of calls resolved in the IVR.")


class Phone(ChannelSection):
    """Synchronous: callers wait in a queue and hang up when their patience runs out."""

    handle_time: TimeDistribution = Field(default_factory=lambda: lognormal("6min", 0.6))
    after_contact: TimeDistribution | None = None
    transfers: Transfers = Field(default_factory=dict)
    patience: TimeDistribution | None = None
    service_level: ServiceLevel = Field(
        default_factory=lambda: ServiceLevel(within="20s", target=0.8)
    )
    ivr: Ivr | None = None

    def abandons(self, scenario: Scenario) -> bool:
        return self.patience is not None


class Email(ChannelSection):
    """Asynchronous backlog served in arrival order; nobody hangs up."""

    handle_time: TimeDistribution = Field(default_factory=lambda: lognormal("8min", 0.7))
    after_contact: TimeDistribution | None = None
    transfers: Transfers = Field(default_factory=dict)
    service_level: ServiceLevel = Field(
        default_factory=lambda: ServiceLevel(within="24h", target=0.9)
    )

    def leads_to(self, scenario: Scenario) -> set[str]:
        """An email unanswered for long enough can lead to a public post (venting)."""
        if scenario.behaviour.escalate_to_social.probability > 0:
            return set(public_names())
        return set()


class SelfService(ChannelSection):
    """Web self-service: no agents; resolves with a probability, else falls back."""

    duration: TimeDistribution = Field(default_factory=lambda: exponential("4min"))
    success: Share = 0.55
    fallback: dict[AssistedName, Share] = Field(
        default_factory=lambda: {"phone": 0.6, "email": 0.4}
    )

    @field_validator("fallback")
    @classmethod
    def _sum_to_one(cls, value: dict[str, float]) -> dict[str, float]:
        return check_shares_sum_to_one(value)

    def leads_to(self, scenario: Scenario) -> set[str]:
        if self.success >= 1:
            return set()
        return {ch for ch, share in self.fallback.items() if share > 0}


class Handoff(Section):
    """Social threads that move to a private channel to collect personal details."""

    probability: Share = 0.35
    to: PrivateName = "email"


class Misrouted(Section):
    """Public posts that land on the marketing account and reach service late."""

    share: Share = 0.0
    delay: NonNegativeDuration = Field(default=parse_duration("2h"))


class Social(ChannelSection):
    """Public posts and private messages, with back-and-forth and an audience."""

    handle_time: TimeDistribution = Field(default_factory=lambda: lognormal("5min", 0.8))
    after_contact: TimeDistribution | None = None
    transfers: Transfers = Field(default_factory=dict)
    service_level: ServiceLevel = Field(
        default_factory=lambda: ServiceLevel(within="1h", target=0.8)
    )
    public_share: Share = 0.7
    exchanges: float = Field(default=1.0, ge=1.0, allow_inf_nan=False)
    reply_delay: TimeDistribution = Field(default_factory=lambda: exponential("20min"))
    handoff: Handoff = Field(default_factory=lambda: Handoff(probability=0.0))
    community_resolves: Share = 0.0
    misrouted: Misrouted = Field(default_factory=Misrouted)
    audience: CountDistribution = Field(
        default_factory=lambda: Lognormal[PositiveNumber](dist="lognormal", mean=150.0, cv=3.0)
    )

    def abandons(self, scenario: Scenario) -> bool:
        """Ignored posts count as abandoned once their threshold passes."""
        return scenario.policy.social_mode == "ignore"

    def answered_by_agents(self, scenario: Scenario) -> bool:
        return scenario.policy.social_mode != "ignore"

    def leads_to(self, scenario: Scenario) -> set[str]:
        mode = scenario.policy.social_mode
        handed_off = mode == "deflect" or (mode != "ignore" and self.handoff.probability > 0)
        return super().leads_to(scenario) | ({self.handoff.to} if handed_off else set())


class Chat(ChannelSection):
    """Live chat and messaging: agents hold several conversations at once (the pool's
    ``concurrency``), each extra one slowing the others; customers wait and may leave."""

    handle_time: TimeDistribution = Field(default_factory=lambda: lognormal("6min", 0.7))
    after_contact: TimeDistribution | None = None
    transfers: Transfers = Field(default_factory=dict)
    patience: TimeDistribution | None = None
    think_time: TimeDistribution | None = None
    inflation: NonNegativeNumber = 0.0
    service_level: ServiceLevel = Field(
        default_factory=lambda: ServiceLevel(within="1min", target=0.8)
    )

    def abandons(self, scenario: Scenario) -> bool:
        return self.patience is not None


register_channel(ChannelKind("phone", Phone))
register_channel(ChannelKind("email", Email))
register_channel(ChannelKind("self_service", SelfService, assisted=False, private=False))
register_channel(ChannelKind("social", Social, private=False, public=True))
register_channel(ChannelKind("chat", Chat, always_reported=False))


class Channels(Section):
    """Every channel kind's section, by name, in registry order.

    Attribute access reads a section (``scenario.channels.phone``); kinds not given in the
    file take their defaults. Keys are checked against the registry at validation time.
    """

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)

    @model_validator(mode="wrap")
    @classmethod
    def _by_kind(cls, data: Any, handler: Any) -> Any:
        if isinstance(data, Channels) or not isinstance(data, dict):
            return handler(data)
        kinds = channel_kinds()
        errors: list[InitErrorDetails] = []
        for name in data:
            if name not in kinds:
                errors.append({"type": "extra_forbidden", "loc": (name,), "input": data[name]})
        sections: dict[str, ChannelSection] = {}
        for name, kind in kinds.items():
            raw = data.get(name, {})
            try:
                section = kind.section
                sections[name] = raw if isinstance(raw, section) else section.model_validate(raw)
            except ValidationError as error:
                errors.extend(_nested(error, name))
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return handler(sections)

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any, info: Any) -> dict[str, Any]:
        dumped = {
            name: section.model_dump(
                mode=info.mode,
                by_alias=info.by_alias,
                exclude_none=info.exclude_none,
                exclude_defaults=info.exclude_defaults,
                exclude_unset=info.exclude_unset,
            )
            for name, section in self.sections().items()
        }
        if info.exclude_defaults or info.exclude_unset:  # a kind at its defaults says nothing
            dumped = {name: section for name, section in dumped.items() if section}
        return dumped

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """One property per registered kind (so editors complete ``channels.<kind>``), no
        others; the keys are only known from the registry, at schema time."""
        properties = {
            name: handler(section.__pydantic_core_schema__)
            for name, section in cls.section_types().items()
        }
        return {
            "type": "object",
            "title": "Channels",
            "description": (cls.__doc__ or "").strip().splitlines()[0],
            "properties": properties,
            "additionalProperties": False,
        }

    def sections(self) -> dict[str, ChannelSection]:
        """Name -> section, in registry order."""
        return dict(self.__pydantic_extra__ or {})

    @classmethod
    def section_types(cls) -> dict[str, type[ChannelSection]]:
        """Name -> section class of every registered kind (the keys this section accepts)."""
        return {name: kind.section for name, kind in channel_kinds().items()}


def _nested(error: ValidationError, name: str) -> list[InitErrorDetails]:
    """``error``'s line errors with ``name`` in front of each location."""
    nested: list[InitErrorDetails] = []
    for details in error.errors():
        item: InitErrorDetails = {
            "type": details["type"],
            "loc": (name, *details["loc"]),
            "input": details["input"],
        }
        if details.get("ctx"):
            item["ctx"] = details["ctx"]
        nested.append(item)
    return nested
