"""Shared fixtures."""

from __future__ import annotations

import pytest
from builders import build, multichannel_data

from sim.scenario import Scenario


@pytest.fixture
def small_scenario() -> Scenario:
    """The multichannel test centre."""
    return build(multichannel_data())
