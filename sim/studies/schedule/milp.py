"""The integer program that chooses how many agents work each candidate shift.

Shift scheduling with flexible breaks in the *implicit* form (Bechtold & Jacobs 1990;
Aykin 1996): one integer variable per candidate shift and one per placement of each of its
breaks, tied together by an equality, instead of one column per combination of placements::

    minimise    sum_j cost_j x_j  -  sum_b saving_b y_b
    subject to  sum_j a_ij x_j  -  sum_b d_ib y_b  >=  need_i     for every interval i
                sum_{b in g} y_b  =  x_{shift(g)}                   for every break group g
                x, y  integer >= 0

``x_j`` agents work candidate ``j``; ``y_b`` of them take their break at placement ``b``.
``a_ij`` is the share of interval ``i`` that candidate ``j`` is on shift and ``d_ib`` the
share that placement ``b`` takes off the floor, so the left side is the average number of
agents on the floor in the interval. ``cost_j`` is paid hours x cost per hour, ``saving_b``
the pay of an unpaid break. Because the break windows of a template do not overlap, any
split of a shift's agents among the placements of each break combines into agents with one
placement per break (see :mod:`.result`), so this has the optimum of the explicit form.

Solved with SciPy's interface to HiGHS (``scipy.optimize.milp``). Small programs are solved
as they are. Large ones -- a week of 30 min intervals with starts every 30 min, five-day
blocks and three breaks is about 5,400 integer variables -- are hard for branch and bound
(the daily symmetry of a week leaves thousands of equivalent optima), so they are solved in
two steps: the LP relaxation, then the integer program restricted to the box
``floor(x_LP) <= x <= ceil(x_LP)`` around it (relaxation-enforced neighbourhood search,
Berthold 2014), which HiGHS solves in seconds; if that box holds no schedule, the full
program gets the time left. The reported ``gap`` compares the schedule's cost with a true
lower bound: the LP value (rounded up to the costs' common unit), or HiGHS's own bound when
the full program was solved -- so it is the most the schedule can be above the optimum.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize, sparse

from sim.studies.schedule.candidates import CoverColumns

DEFAULT_TIME_LIMIT = 10.0
"""Seconds HiGHS may search per pool before the best schedule found is returned."""
DEFAULT_MIP_GAP = 0.02
"""Relative gap at which HiGHS may stop searching (for the neighbourhood search, the gap to
the box's own bound; the reported ``gap`` is always against a bound of the full program)."""
EXACT_MAX_VARIABLES = 2000
"""Programs up to this many variables are solved whole; larger ones around their LP first."""

Method = Literal["auto", "exact", "neighbourhood"]


@dataclass(frozen=True)
class CoverSolution:
    """What the solver returned: whole counts per shift and per break placement, and quality.

    ``status`` is ``optimal`` (proven: the cost equals the lower bound), ``within gap``
    (within ``mip_rel_gap`` of it), ``feasible`` (a schedule, further from the bound:
    the time limit, or the neighbourhood's own bound, stopped the search), ``infeasible``
    or ``no schedule found`` (none in the time allowed). ``gap`` = (cost - bound) / cost;
    ``method`` is ``exact`` or ``neighbourhood`` (see the module docstring).
    """

    status: str
    method: str
    shifts: np.ndarray | None
    breaks: np.ndarray | None
    objective: float
    bound: float
    gap: float
    seconds: float
    variables: int
    constraints: int

    @property
    def found(self) -> bool:
        """True when a schedule meeting every constraint came back."""
        return self.shifts is not None


@dataclass(frozen=True)
class _Program:
    cost: np.ndarray
    cover: sparse.csr_array  # rows: intervals that need agents
    need: np.ndarray
    tie: sparse.csr_array
    n_shift: int
    group_of_break: np.ndarray  # shift index of each break column

    @property
    def constraints(self) -> list[optimize.LinearConstraint]:
        found = [optimize.LinearConstraint(self.cover, self.need, np.inf)]
        if self.tie.shape[0]:
            found.append(optimize.LinearConstraint(self.tie, 0.0, 0.0))
        return found


def _program(columns: CoverColumns, need: np.ndarray) -> _Program:
    n_shift, n_break = len(columns.shift_cost), len(columns.break_cost)
    needed = np.flatnonzero(np.asarray(need, dtype=float) > 1e-9)
    cover = sparse.hstack([columns.shift_cover, -columns.break_cover], format="csr")[needed]
    groups = len(columns.group_shift)
    rows = np.concatenate([np.arange(groups), columns.break_group])
    cols = np.concatenate([columns.group_shift, n_shift + np.arange(n_break)])
    values = np.concatenate([-np.ones(groups), np.ones(n_break)])
    tie = sparse.csr_array((values, (rows, cols)), shape=(groups, n_shift + n_break))
    return _Program(
        cost=np.concatenate([columns.shift_cost, columns.break_cost]),
        cover=cover,
        need=np.asarray(need, dtype=float)[needed],
        tie=tie,
        n_shift=n_shift,
        group_of_break=columns.group_shift[columns.break_group],
    )


def solve_cover(
    columns: CoverColumns,
    need: np.ndarray,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_rel_gap: float = DEFAULT_MIP_GAP,
    method: Method = "auto",
) -> CoverSolution:
    """Least-cost whole numbers of agents per shift and break placement covering ``need``.

    ``need[i]`` is the average number of agents required on the floor in interval ``i``
    (already scaled for shrinkage). Intervals that need nobody are left out of the program:
    on-floor agents are never negative, so they are met anyway. ``method`` ``auto`` solves
    programs of up to :data:`EXACT_MAX_VARIABLES` whole and larger ones by neighbourhood.
    """
    began = time.perf_counter()
    program = _program(columns, need)
    size = len(program.cost)
    if method == "auto":
        method = "exact" if size <= EXACT_MAX_VARIABLES else "neighbourhood"
    lower = np.zeros(size)
    upper = np.full(size, np.inf)
    bound = -np.inf
    used = "exact"
    if method == "neighbourhood":
        relaxed = _run(program, lower, upper, time_limit, mip_rel_gap, integral=False)
        if relaxed.status == 2:
            return _answer(program, "infeasible", "exact", None, math.nan, began)
        if relaxed.x is not None:
            bound = _rounded_bound(program.cost, float(relaxed.fun))
            lower, upper = _box(program, relaxed.x)
            used = "neighbourhood"
    left = max(time_limit - (time.perf_counter() - began), 0.1)
    result = _run(program, lower, upper, left, mip_rel_gap, integral=True)
    if result.x is None and used == "neighbourhood":  # the box held no schedule
        left = max(time_limit - (time.perf_counter() - began), 0.1)
        used = "exact"
        result = _run(program, np.zeros(size), np.full(size, np.inf), left, mip_rel_gap, True)
    if result.status == 2:
        return _answer(program, "infeasible", used, None, math.nan, began)
    if used == "exact" and result.x is not None:
        dual = getattr(result, "mip_dual_bound", None)
        bound = max(bound, _rounded_bound(program.cost, float(dual))) if dual is not None else bound
    return _answer(program, _status(result, bound, mip_rel_gap), used, result, bound, began)


def _run(
    program: _Program,
    lower: np.ndarray,
    upper: np.ndarray,
    time_limit: float,
    gap: float,
    integral: bool,
) -> optimize.OptimizeResult:
    return optimize.milp(
        program.cost,
        integrality=np.full(len(program.cost), 1 if integral else 0),
        bounds=optimize.Bounds(lower, upper),
        constraints=program.constraints,
        options={"time_limit": float(time_limit), "mip_rel_gap": float(gap)},
    )


def _box(program: _Program, relaxed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds ``floor(x_LP) <= x <= ceil(x_LP)`` on shifts; breaks up to their shift's bound."""
    shifts = relaxed[: program.n_shift]
    low = np.floor(shifts + 1e-9)
    high = np.ceil(shifts - 1e-9)
    lower = np.concatenate([low, np.zeros(len(program.group_of_break))])
    upper = np.concatenate([high, high[program.group_of_break]])
    return lower, upper


def _rounded_bound(cost: np.ndarray, value: float) -> float:
    """A lower bound ``value`` raised to the next multiple of the costs' common unit.

    Any schedule's cost is a whole combination of the coefficients, so when they are all
    whole numbers it is a multiple of their greatest common divisor.
    """
    if not math.isfinite(value):
        return value
    whole = np.rint(cost)
    if np.any(np.abs(cost - whole) > 1e-9) or not np.any(whole):
        return value
    unit = math.gcd(*(int(abs(c)) for c in whole if c))
    return math.ceil(value / unit - 1e-6) * unit  # a bound a hair above k units is k units


def _status(result: optimize.OptimizeResult, bound: float, mip_rel_gap: float) -> str:
    if result.x is None:
        return "no schedule found"
    gap = _gap(float(result.fun), bound)
    if gap <= 1e-9:
        return "optimal"
    return "within gap" if gap <= mip_rel_gap + 1e-9 else "feasible"


def _gap(objective: float, bound: float) -> float:
    if not math.isfinite(bound):
        return math.nan
    if objective <= 0:
        return 0.0
    return max(0.0, (objective - bound) / objective)


def _answer(
    program: _Program,
    status: str,
    method: str,
    result: optimize.OptimizeResult | None,
    bound: float,
    began: float,
) -> CoverSolution:
    x = None if result is None or result.x is None else np.rint(result.x).astype(np.int64)
    objective = float(result.fun) if x is not None and result is not None else math.nan
    return CoverSolution(
        status=status,
        method=method,
        shifts=None if x is None else x[: program.n_shift],
        breaks=None if x is None else x[program.n_shift :],
        objective=objective,
        bound=bound,
        gap=_gap(objective, bound) if x is not None else math.nan,
        seconds=time.perf_counter() - began,
        variables=len(program.cost),
        constraints=program.cover.shape[0] + program.tie.shape[0],
    )


def on_floor(columns: CoverColumns, shifts: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """Average agents on the floor per interval for these counts (the left side above)."""
    return columns.shift_cover @ shifts - columns.break_cover @ breaks
