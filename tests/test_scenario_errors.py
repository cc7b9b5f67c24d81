"""Scenario errors keep their problems when they cross a process boundary, and a channel
kind without a default for every field is refused when it is registered."""

from __future__ import annotations

import pickle

import pytest

from sim.scenario import Problem, ScenarioError
from sim.scenario.channels import ChannelSection
from sim.scenario.registry import ChannelKind, channel_names, register_channel


def test_a_scenario_error_pickles_with_its_problems() -> None:
    error = ScenarioError([Problem("a.yaml", "pools.x", "bad"), Problem("a.yaml", "", "worse")])
    back = pickle.loads(pickle.dumps(error))
    assert back.problems == error.problems and str(back) == str(error)


class NeedsAValue(ChannelSection):
    """A section with a field a scenario cannot do without."""

    capacity: int


def test_a_kind_whose_section_has_no_defaults_is_refused_at_registration() -> None:
    with pytest.raises(ValueError, match="needs a default for every field"):
        register_channel(ChannelKind("needy", NeedsAValue))
    assert "needy" not in channel_names()
