"""Whether compared scenarios can be compared: the same horizon, warm-up and interval.

Counts and costs in a run's outputs are totals over its measured horizon, and interval
tables follow its reporting interval, so a 28-day run against a 7-day one shows a
difference of three weeks of cost as if it were a policy's effect. A comparison of inputs
whose ``run.horizon``, ``run.warmup`` or ``run.interval`` differ is refused, naming what
differs, unless the caller forces it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.experiment.errors import InputError, Setting
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.units import format_duration

SETTINGS = ("horizon", "warmup", "interval")
"""The run settings that must match for totals and interval tables to compare."""


def _scenario(item: Any) -> Scenario | None:
    """The scenario of a :class:`sim.studies.compare.Input` (a run folder's ``scenario.yaml``)."""
    if item.scenario is not None:
        return item.scenario
    try:
        return load_scenario(item.folder / "scenario.yaml")
    except (ScenarioError, OSError):
        return None


def run_setting_differences(inputs: Sequence[Any]) -> list[str]:
    """One line per run setting that differs between the inputs, naming each input's value
    (empty when all match, or when a run folder's settings are unknown)."""
    known = [(item, _scenario(item)) for item in inputs]
    lines = []
    for setting in SETTINGS:
        values = {
            item.source: format_duration(getattr(scenario.run, setting))
            for item, scenario in known
            if scenario is not None
        }
        if len(set(values.values())) > 1:
            shown = ", ".join(f"{source}: {value}" for source, value in values.items())
            lines.append(f"run.{setting} differs ({shown})")
    return lines


def check_comparable(inputs: Sequence[Any], force: bool = False) -> list[str]:
    """Raise :class:`InputError` if the inputs' horizon, warm-up or interval differ, unless
    ``force``; returns the differences (to print as a warning when forced)."""
    differences = run_setting_differences(inputs)
    if differences and not force:
        raise InputError(
            [
                "these runs are not like for like: "
                + "; ".join(differences)
                + ". Totals and costs cover different periods, so their differences are not "
                "a policy's effect: give the scenarios the same run settings, or pass ",
                Setting("force"),
                " to compare anyway.",
            ]
        )
    return differences
