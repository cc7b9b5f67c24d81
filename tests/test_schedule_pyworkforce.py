"""ccsim's scheduler against pyworkforce's MinRequiredResources on the same small case.

Optional: skipped unless ``pyworkforce`` is installed (it is not a ccsim dependency). Both
get the same need and the same shifts -- 4 h shifts starting on the hour, a 1 h lunch 1 or
2 h in, chosen afresh each day; in pyworkforce one shift per lunch placement -- so ccsim's
paid hours must be no higher (both solve this exactly, so they should be equal).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import build, mmc_data

from sim.studies.schedule.plan import plan_schedule
from sim.studies.schedule.templates import validate_templates

pyworkforce_scheduling = pytest.importorskip("pyworkforce.scheduling")

PERIODS = 24
NEEDS = [  # two days of hourly need
    [0, 0, 0, 0, 0, 0, 1, 2, 4, 5, 6, 6, 5, 5, 6, 5, 4, 3, 2, 2, 1, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 1, 3, 4, 4, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1, 0, 0],
]


def pyworkforce_hours() -> float:
    shifts = {}
    for start in range(PERIODS - 4 + 1):
        for lunch in (1, 2):
            cover = [0] * PERIODS
            for p in (start, start + 1, start + 2, start + 3):
                cover[p] = 1
            cover[start + lunch] = 0
            shifts[f"s{start}l{lunch}"] = cover
    model = pyworkforce_scheduling.MinRequiredResources(
        num_days=len(NEEDS),
        periods=PERIODS,
        shifts_coverage=shifts,
        required_resources=NEEDS,
        max_period_concurrency=100,
        max_shift_concurrency=100,
        max_search_time=30.0,
        num_search_workers=1,
    )
    solution = model.solve()
    assert solution["status"] == "OPTIMAL"
    return 4.0 * sum(row["resources"] for row in solution["resources_shifts"])


def ccsim_hours() -> float:
    scenario = build(mmc_data(interval="1h"))
    week = np.zeros(7 * PERIODS)
    week[: len(NEEDS) * PERIODS] = np.ravel(NEEDS)
    requirement = pd.DataFrame({"pool": "voice", "interval": range(7 * PERIODS), "required": week})
    templates = validate_templates(
        {
            "break_step": "1h",
            "templates": {
                "4h": {
                    "length": "4h",
                    "starts": {"earliest": "00:00", "latest": "20:00", "step": "1h"},
                    "days": {"consecutive": 1},
                    "breaks": [{"name": "lunch", "length": "1h", "after": "1h", "before": "3h"}],
                }
            },
        }
    )
    schedule = plan_schedule(
        scenario, templates, requirement=requirement, shrinkage=0.0, method="exact"
    )
    assert schedule.pools["voice"].solution.status == "optimal"
    return schedule.paid_hours


def test_ccsim_paid_hours_are_no_higher_than_pyworkforce():
    ours, theirs = ccsim_hours(), pyworkforce_hours()
    assert ours <= theirs + 1e-9
    assert ours > 0
