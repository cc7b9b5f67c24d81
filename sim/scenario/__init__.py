"""Scenario files: schema, loading (``extends``, ``--set`` overrides) and error reporting."""

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loading import load_scenario, validate_data
from sim.scenario.registry import assisted_names, channel_names
from sim.scenario.schema import Scenario
from sim.scenario.yaml_io import scenario_to_yaml

__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "assisted_names",
    "channel_names",
    "load_scenario",
    "scenario_to_yaml",
    "validate_data",
]
