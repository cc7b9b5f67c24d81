"""The one error a schedule study raises for input it cannot plan with."""

from __future__ import annotations


class ScheduleError(ValueError):
    """A schedule cannot be made as asked; the message names what to change.

    Raised for coverage no template can give (the hours and the templates to widen), a
    solver that finds no schedule in its time limit, or options that do not fit the
    scenario (an unknown pool, a shrinkage of 1). Bad template files raise
    :class:`sim.scenario.ScenarioError` instead, like bad scenarios.
    """


class CoverageError(ScheduleError):
    """The requirement cannot be covered: hours no template reaches, or no schedule found
    by the solver. Not bad input as such: the templates or the demand must change."""
