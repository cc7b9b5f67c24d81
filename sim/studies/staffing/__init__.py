"""Least-cost staffing that meets service targets, searched by simulation and verified.

:mod:`~.targets` reads targets, :mod:`~.slots` the headcounts that may change,
:mod:`~.start` the Erlang starting point, :mod:`~.evaluate` simulates candidates with common
random numbers, :mod:`~.search` finds the least-cost feasible one, :mod:`~.holds` holds
the scenario's unmeetable targets "no worse than before", :mod:`~.verify` re-runs the
answer with fresh seeds and :mod:`~.changes` says what changed for every channel and pool.
Functions return results and never print.
"""

from sim.studies.staffing.changes import Change, changes, missed_targets
from sim.studies.staffing.evaluate import Evaluation, evaluate
from sim.studies.staffing.holds import solve_holding
from sim.studies.staffing.search import StaffingResult, solve
from sim.studies.staffing.slots import decision_slots, headcounts_of, with_headcounts
from sim.studies.staffing.start import erlang_start
from sim.studies.staffing.targets import (
    Target,
    TargetError,
    check_targets,
    combine_targets,
    parse_targets,
    scenario_targets,
)
from sim.studies.staffing.verify import Verification, verify, verify_and_repair

__all__ = [
    "Change",
    "Evaluation",
    "StaffingResult",
    "Target",
    "TargetError",
    "Verification",
    "changes",
    "check_targets",
    "combine_targets",
    "decision_slots",
    "erlang_start",
    "evaluate",
    "headcounts_of",
    "missed_targets",
    "parse_targets",
    "scenario_targets",
    "solve",
    "solve_holding",
    "verify",
    "verify_and_repair",
    "with_headcounts",
]
