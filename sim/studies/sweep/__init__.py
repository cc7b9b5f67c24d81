"""Sweeps: one scenario at every point of a grid of parameter values.

:mod:`~sim.studies.sweep.grid` reads the grid and builds every point's scenario,
:mod:`~sim.studies.sweep.store` owns the sweep folder, and :mod:`~sim.studies.sweep.run`
runs (or resumes) the points. Functions return results and never print.
"""

from sim.studies.sweep.grid import Axis, Point, make_axis, parse_vary
from sim.studies.sweep.run import SweepInterrupted, SweepListener, SweepOutcome, run_sweep

__all__ = [
    "Axis",
    "Point",
    "SweepInterrupted",
    "SweepListener",
    "SweepOutcome",
    "make_axis",
    "parse_vary",
    "run_sweep",
]
