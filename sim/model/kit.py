"""What the parts of one replication are made with: its clock, calendar and random streams.

Channels, pools and customers take their random numbers from named streams
(:mod:`sim.model.streams`); the kit hands them out by purpose, so every part draws from the
same stream in every variant of a scenario (common random numbers) and the order in which
parts are made does not matter.
"""

from __future__ import annotations

import numpy as np

from sim.model.business_hours import BusinessClock
from sim.model.clock import Calendar, Clock
from sim.model.distributions import Sampler, sampler
from sim.model.streams import Uniforms, stream
from sim.scenario.checks import receiving_channels
from sim.scenario.schema import Scenario


class Kit:
    """The clock, calendar and stream factory of replication ``replication`` of a scenario."""

    def __init__(self, scenario: Scenario, replication: int) -> None:
        self.scenario = scenario
        self.replication = replication
        run = scenario.run
        self.env = Clock()
        self.calendar = Calendar(run.warmup, run.horizon, run.interval, follow_up(scenario))
        self.n_intervals = scenario.interval_count

    def rng(self, purpose: str) -> np.random.Generator:
        """The numpy Generator for ``purpose`` in this replication."""
        return stream(self.scenario.run.seed, self.replication, purpose)

    def sampler(self, spec: object, purpose: str) -> Sampler:
        """Draws from distribution ``spec`` on the stream for ``purpose``."""
        return sampler(spec, self.rng(purpose))

    def uniforms(self, purpose: str) -> Uniforms:
        """Uniform(0, 1) draws on the stream for ``purpose``."""
        return Uniforms(self.rng(purpose))


FOLLOW_UP_CAP = 7 * 86400.0
"""The longest follow-up after the horizon, in seconds (7 days): a threshold beyond it (a
typo like ``within: 1000d``) would otherwise simulate years of arrivals to judge one day."""


def longest_threshold(scenario: Scenario) -> float:
    """The longest service-level threshold of a channel that receives contacts, in calendar
    time (a threshold in business hours takes as many calendar days as it needs)."""
    sections = scenario.channels.sections()
    return max(
        (
            level.within
            if level.business_hours is None  # in business hours: enough weeks to hold it
            else BusinessClock(level.business_hours, 0.0).calendar_span(level.within)
            for name in receiving_channels(scenario)
            if (level := getattr(sections[name], "service_level", None)) is not None
        ),
        default=0.0,
    )


def follow_up(scenario: Scenario) -> float:
    """How long to keep simulating after the horizon: the longest service-level threshold
    of a channel that receives contacts, so every measured contact's service level is known,
    but at most :data:`FOLLOW_UP_CAP` (a contact of the horizon still waiting then counts as
    not answered within its threshold)."""
    return min(longest_threshold(scenario), FOLLOW_UP_CAP)
