"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from builders import build, multichannel_data
from hypothesis import settings
from recorders import TimedPriority, timed_routing

from sim.scenario import Scenario

# Property tests are derandomised and keep no example database, so every run (and CI) tries
# exactly the same examples: deterministic, like the statistical tests' fixed seeds.
settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
settings.load_profile("deterministic")


@pytest.fixture
def small_scenario() -> Scenario:
    """The multichannel test centre."""
    return build(multichannel_data())


@pytest.fixture
def timed() -> Iterator[type[TimedPriority]]:
    """``policy.routing: timed_priority`` usable for one test (see ``recorders.py``)."""
    with timed_routing() as policy:
        yield policy
