"""Paid hours of ccsim's shift scheduler against pyworkforce's MinRequiredResources.

    pip install pyworkforce                                  # not a ccsim dependency
    python benchmarks/schedule_vs_pyworkforce.py             # a week of the baseline's voice pool
    python benchmarks/schedule_vs_pyworkforce.py --days 1    # Monday only, quicker

Both get the same requirement: the baseline voice pool's agents per half hour (Erlang A on
each interval's phone rate, from ``weekly_requirement``), divided by (1 - shrinkage) and
rounded up to whole agents, since pyworkforce takes whole numbers. Both get the same shifts,
written in each tool's terms: 8 h shifts starting every 30 min from 00:00 to 16:00 (its
model has no shift past midnight), chosen afresh each day (it has no multi-day patterns),
in three variants -- no break; a 30 min lunch fixed 4 h in; a 30 min lunch anywhere 3-5 h
in on the half hour (for pyworkforce, one shift per lunch placement). pyworkforce solves
with OR-Tools CP-SAT (``--pw-seconds``, 2 workers), ccsim with HiGHS (``--ccsim-seconds``).

Last (for a whole week), for information only, ccsim with its default templates: five
consecutive days, starts all day round (shifts may run past midnight), three breaks --
rosters pyworkforce cannot express. A benchmark, not a test: times depend on the machine.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.scenario import load_scenario
from sim.studies.schedule import plan_schedule, validate_templates, weekly_requirement

ROOT = Path(__file__).resolve().parents[1]
POOL = "voice"
PERIODS = 48  # half hours in a day
SHIFT = 16  # periods in an 8 h shift
LATEST = PERIODS - SHIFT  # last start that ends by midnight (16:00)
LUNCH_AT = {"none": [], "fixed": [8], "flexible": [6, 7, 8, 9]}  # periods into the shift


def whole_needs(days: int) -> np.ndarray:
    """Scheduled agents needed per day and half hour: ceil(required / (1 - shrinkage))."""
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    table = weekly_requirement(scenario)
    required = table[table["pool"] == POOL]["required"].to_numpy()
    needed = np.ceil(required / (1.0 - scenario.pools[POOL].shrinkage) - 1e-9)
    return needed.reshape(7, PERIODS)[:days].astype(int)


def pyworkforce_hours(needs: np.ndarray, lunch: str, seconds: float) -> tuple[float, str, float]:
    """Paid hours, status and wall time of pyworkforce's MinRequiredResources."""
    from pyworkforce.scheduling import MinRequiredResources

    shifts: dict[str, list[int]] = {}
    for start in range(LATEST + 1):
        for offset in LUNCH_AT[lunch] or [None]:
            cover = [0] * PERIODS
            for p in range(start, start + SHIFT):
                cover[p] = 1
            if offset is not None:
                cover[start + offset] = 0
            shifts[f"s{start:02d}" + (f"l{offset}" if offset is not None else "")] = cover
    model = MinRequiredResources(
        num_days=len(needs),
        periods=PERIODS,
        shifts_coverage=shifts,
        required_resources=needs.tolist(),
        max_period_concurrency=int(needs.max()) * 10,
        max_shift_concurrency=int(needs.max()) * 10,
        max_search_time=float(seconds),
        num_search_workers=2,
    )
    began = time.perf_counter()
    solution = model.solve()
    wall = time.perf_counter() - began
    agents = sum(row["resources"] for row in solution["resources_shifts"])
    return agents * SHIFT / 2.0, str(solution["status"]), wall


def ccsim_templates(lunch: str) -> dict:
    """The same shifts as a ccsim template section."""
    template: dict = {
        "length": "8h",
        "starts": {"earliest": "00:00", "latest": "16:00", "step": "30min"},
        "days": {"consecutive": 1},
    }
    if lunch == "fixed":
        template["breaks"] = [{"length": "30min", "after": "4h", "before": "270min"}]
    if lunch == "flexible":
        template["breaks"] = [{"length": "30min", "after": "3h", "before": "5h"}]
    return {"break_step": "30min", "templates": {"8h": template}}


def ccsim_hours(
    needs: np.ndarray, templates: dict | None, seconds: float
) -> tuple[float, str, float, float]:
    """Paid hours, status, gap and wall time of ccsim's plan_schedule on ``needs``."""
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    week = np.zeros(7 * PERIODS)
    week[: needs.size] = needs.ravel()
    requirement = pd.DataFrame({"pool": POOL, "interval": np.arange(7 * PERIODS), "required": week})
    began = time.perf_counter()
    schedule = plan_schedule(
        scenario,
        validate_templates(templates) if templates is not None else None,
        requirement=requirement,
        shrinkage=0.0,
        pools=[POOL],
        time_limit=seconds,
        mip_rel_gap=1e-4,
    )
    wall = time.perf_counter() - began
    solution = schedule.pools[POOL].solution
    return schedule.paid_hours, solution.status, solution.gap, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, choices=range(1, 8), default=7)
    parser.add_argument("--pw-seconds", type=float, default=60.0)
    parser.add_argument("--ccsim-seconds", type=float, default=30.0)
    args = parser.parse_args()
    needs = whole_needs(args.days)
    floor_hours = needs.sum() / 2.0
    print(
        f"baseline voice pool, {args.days} day(s): {int(needs.sum())} agent-half-hours needed "
        f"({floor_hours:.0f} agent-hours on the floor), peak {int(needs.max())} agents"
    )
    print(f"{'shifts':<34}{'pyworkforce':>22}{'ccsim':>34}")
    for lunch in ("none", "fixed", "flexible"):
        pw_hours, pw_status, pw_wall = pyworkforce_hours(needs, lunch, args.pw_seconds)
        cc_hours, cc_status, cc_gap, cc_wall = ccsim_hours(
            needs, ccsim_templates(lunch), args.ccsim_seconds
        )
        label = f"8h daily, lunch {lunch}"
        gap = "" if math.isnan(cc_gap) else f" gap {cc_gap:.2%}"
        print(
            f"{label:<34}{pw_hours:>8.0f} h {pw_status:<8}{pw_wall:>4.0f} s"
            f"{cc_hours:>10.0f} h {cc_status:<10}{gap:<12}{cc_wall:>4.0f} s"
        )
    if args.days == 7:  # five-day blocks only make sense over the whole week
        cc_hours, cc_status, cc_gap, cc_wall = ccsim_hours(needs, None, args.ccsim_seconds)
        print(
            f"{'ccsim defaults (5-day blocks)':<34}{'-':>22}{cc_hours:>10.0f} h {cc_status:<10}"
            f" gap {cc_gap:.2%} {cc_wall:>4.0f} s"
        )


if __name__ == "__main__":
    main()
