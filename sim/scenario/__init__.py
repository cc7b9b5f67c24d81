"""Scenario files: schema, loading (``extends``, ``--set`` overrides) and error reporting."""

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loading import load_scenario, scenario_to_yaml, validate_data
from sim.scenario.schema import ASSISTED, CHANNELS, Scenario

__all__ = [
    "ASSISTED",
    "CHANNELS",
    "Problem",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "scenario_to_yaml",
    "validate_data",
]
