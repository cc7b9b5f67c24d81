"""The scheduling integer program against brute force on tiny instances.

The brute force knows nothing of the package's coverage matrices: it writes each shift
onto a minute-by-minute timeline of the week (on shift +1, on a break -1, wrapping past
Sunday midnight), averages the minutes of each interval, enumerates one column per
combination of break placements, and tries every vector of agent counts up to a bound.
The integer program (implicit breaks, one variable per placement) must find the same least
cost, and the schedule it returns must cover the need on that independent timeline.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
from schedule_oracle import WEEK_MINUTES, per_interval, rows_cover, timeline

from sim.scenario.schema import parse_clock, parse_days
from sim.scenario.units import parse_duration
from sim.studies.schedule.candidates import coverage_columns, pool_candidates
from sim.studies.schedule.grid import WeekGrid
from sim.studies.schedule.milp import _rounded_bound, solve_cover
from sim.studies.schedule.result import pair_breaks, shift_rows
from sim.studies.schedule.templates import validate_templates

MON, SUN = 0, 6


# --- the independent oracle ------------------------------------------------------------------


@dataclass
class Explicit:
    """One column of the explicit formulation: a shift with all its breaks placed."""

    cover: np.ndarray
    cost: float


def explicit_columns(data: dict, interval_minutes: int, rate: float) -> list[Explicit]:
    """Every (template, start, days, placement of each break) from the raw template data."""
    step = round(parse_duration(data.get("break_step", "15min")) / 60)
    found = []
    for spec in data["templates"].values():
        length = round(parse_duration(spec["length"]) / 60)
        cost_rate = spec.get("cost_per_hour", rate)
        options = [_break_options(rule, length, step) for rule in spec.get("breaks", [])]
        for start_text in spec["starts"]["at"]:
            start = round(parse_clock(start_text) / 60)
            for days in _blocks(spec["days"]):
                for chosen in itertools.product(*options):
                    line = timeline(start, length, days, [(o, s) for o, s, _ in chosen])
                    unpaid = sum(s for _, s, paid in chosen if not paid)
                    hours = (length - unpaid) * len(days) / 60
                    found.append(Explicit(per_interval(line, interval_minutes), cost_rate * hours))
    return found


def _break_options(rule: dict, shift_minutes: int, step: int) -> list[tuple[int, int, bool]]:
    length = rule["length"]
    low, high = (length["min"], length["max"]) if isinstance(length, dict) else (length, length)
    low, high = round(parse_duration(low) / 60), round(parse_duration(high) / 60)
    after = round(parse_duration(rule.get("after", "0min")) / 60)
    before = round(parse_duration(rule["before"]) / 60) if "before" in rule else shift_minutes
    paid = rule.get("paid", True)
    return [
        (offset, size, paid)
        for size in range(low, high + 1, step)
        for offset in range(after, before - size + 1, step)
    ]


def _blocks(days) -> list[tuple[int, ...]]:
    if isinstance(days, dict):
        n = days["consecutive"]
        return sorted({tuple(sorted((d + k) % 7 for k in range(n))) for d in range(7)})
    return sorted({parse_days(text) for text in days})


def brute_force(columns: list[Explicit], need: np.ndarray, bound: int) -> float:
    """Least cost over every count vector in ``0..bound`` per column that covers ``need``."""
    rows = np.flatnonzero(need > 0)
    cover = np.array([c.cover[rows] for c in columns])
    costs = np.array([c.cost for c in columns])
    best = np.inf
    for counts in _chunks(len(columns), bound):
        ok = np.all(counts @ cover >= need[rows] - 1e-9, axis=1)
        if ok.any():
            best = min(best, float((counts[ok] @ costs).min()))
    return best


def _chunks(n: int, bound: int, size: int = 50_000):
    vectors = itertools.product(range(bound + 1), repeat=n)
    while chunk := list(itertools.islice(vectors, size)):
        yield np.array(chunk, dtype=float)


# --- running the package on an instance ------------------------------------------------------


def need_of(interval_minutes: int, entries: dict[tuple[int, str], float]) -> np.ndarray:
    """A week of need from ``{(weekday, "HH:MM"): agents}``."""
    need = np.zeros(WEEK_MINUTES // interval_minutes)
    for (day, clock), value in entries.items():
        need[(day * 1440 + round(parse_clock(clock) / 60)) // interval_minutes] = value
    return need


def solve(data: dict, need: np.ndarray, interval_minutes: int, method: str = "exact"):
    templates = validate_templates(data)
    grid = WeekGrid(interval_minutes * 60)
    columns = coverage_columns(pool_candidates(templates, "pool", 20.0), grid)
    solution = solve_cover(columns, need, method=method, time_limit=20.0)
    return solution, shift_rows("pool", columns, solution)


def check_against_brute_force(data: dict, need: np.ndarray, minutes: int, bound: int) -> float:
    optimum = brute_force(explicit_columns(data, minutes, 20.0), need, bound)
    assert np.isfinite(optimum), "the instance must be feasible within the bound"
    solution, rows = solve(data, need, minutes)
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(optimum)
    assert sum(row.cost for row in rows) == pytest.approx(optimum)
    assert np.all(rows_cover(rows, minutes) >= need - 1e-9)
    assert solution.bound <= optimum + 1e-6
    return optimum


# --- the instances ---------------------------------------------------------------------------


def test_three_templates_without_breaks_match_brute_force():
    data = {
        "templates": {
            "early": {"length": "4h", "starts": {"at": ["06:00"]}, "days": ["mon"]},
            "day": {
                "length": "8h",
                "starts": {"at": ["08:00"]},
                "days": ["mon"],
                "cost_per_hour": 17,
            },
            "late": {"length": "4h", "starts": {"at": ["12:00"]}, "days": ["mon"]},
            "mid": {"length": "6h", "starts": {"at": ["09:00"]}, "days": ["mon"]},
        }
    }
    hours = ["06:00", "07:00", "08:00", "09:00", "10:00", "11:00", "12:00", "13:00", "14:00"]
    values = [1, 2, 3, 3, 4, 2, 3, 3, 2]
    need = need_of(60, {(MON, h): v for h, v in zip(hours, values, strict=True)})
    check_against_brute_force(data, need, 60, bound=4)


def test_a_flexible_break_matches_brute_force():
    data = {
        "break_step": "30min",
        "templates": {
            "long": {
                "length": "4h",
                "starts": {"at": ["08:00"]},
                "days": ["mon"],
                "breaks": [{"length": "30min", "after": "1h", "before": "3h"}],
            },
            "short": {"length": "2h", "starts": {"at": ["09:00"]}, "days": ["mon"]},
        },
    }
    values = [1, 2, 2, 3, 3, 2, 1, 1]  # 08:00 .. 11:30
    clocks = [f"{8 + i // 2:02d}:{30 * (i % 2):02d}" for i in range(8)]
    need = need_of(30, {(MON, c): v for c, v in zip(clocks, values, strict=True)})
    check_against_brute_force(data, need, 30, bound=3)


def test_quarter_hour_breaks_count_as_half_an_interval():
    data = {
        "templates": {
            "a": {
                "length": "2h",
                "starts": {"at": ["10:00"]},
                "days": ["mon"],
                "breaks": [{"length": "15min", "after": "30min", "before": "90min"}],
            },
            "b": {"length": "1h", "starts": {"at": ["10:30"]}, "days": ["mon"]},
        }
    }
    need = need_of(30, {(MON, "10:00"): 2, (MON, "10:30"): 2.5, (MON, "11:00"): 1.5})
    need[need_of(30, {(MON, "11:30"): 1}) > 0] = 1
    check_against_brute_force(data, need, 30, bound=3)


def test_an_unpaid_lunch_of_flexible_length_matches_brute_force():
    data = {
        "break_step": "30min",
        "templates": {
            "day": {
                "length": "5h",
                "starts": {"at": ["08:00"]},
                "days": ["mon"],
                "breaks": [
                    {
                        "length": {"min": "30min", "max": "1h"},
                        "after": "2h",
                        "before": "4h",
                        "paid": False,
                    }
                ],
            },
            "cover": {"length": "2h", "starts": {"at": ["10:00"]}, "days": ["mon"]},
        },
    }
    values = {"08:00": 2, "08:30": 2, "09:00": 2, "09:30": 2, "10:00": 1, "10:30": 1}
    values |= {"11:00": 2, "11:30": 1, "12:00": 2, "12:30": 2}
    need = need_of(30, {(MON, c): v for c, v in values.items()})
    optimum = check_against_brute_force(data, need, 30, bound=2)
    assert optimum < 2 * 5 * 20  # the long unpaid lunch is used: cheaper than paid shifts


def test_a_night_shift_wraps_from_sunday_into_monday():
    data = {
        "break_step": "60min",
        "templates": {
            "night": {
                "length": "8h",
                "starts": {"at": ["22:00"]},
                "days": ["sun"],
                "breaks": [{"length": "30min", "after": "3h", "before": "5h"}],
                "cost_per_hour": 25,
            },
            "late": {"length": "3h", "starts": {"at": ["21:00"]}, "days": ["sun"]},
            "early": {"length": "4h", "starts": {"at": ["00:00"]}, "days": ["mon"]},
        },
    }
    need = need_of(
        60,
        {
            (SUN, "21:00"): 1,
            (SUN, "22:00"): 2,
            (SUN, "23:00"): 2,
            (MON, "00:00"): 3,
            (MON, "01:00"): 2,
            (MON, "02:00"): 1.5,
            (MON, "03:00"): 1,
            (MON, "05:00"): 1,
        },
    )
    check_against_brute_force(data, need, 60, bound=3)
    _, rows = solve(data, need, 60)
    assert any(row.candidate.template == "night" and row.end == "06:00" for row in rows)


def test_blocks_of_consecutive_days_match_brute_force():
    data = {
        "templates": {
            "block": {"length": "2h", "starts": {"at": ["10:00"]}, "days": {"consecutive": 3}}
        }
    }
    per_day = [2, 1, 1, 3, 1, 0, 1]
    need = need_of(60, {(d, "10:00"): v for d, v in enumerate(per_day) if v})
    need += need_of(60, {(d, "11:00"): 1 for d in range(7)})
    check_against_brute_force(data, need, 60, bound=3)


def test_the_neighbourhood_search_gives_a_covering_schedule_no_cheaper_than_optimal():
    data = {
        "templates": {
            "block": {"length": "3h", "starts": {"at": ["09:00"]}, "days": {"consecutive": 3}}
        }
    }
    need = need_of(
        60, {(d, h): 1 + (d + i) % 3 for d in range(7) for i, h in enumerate(["10:00", "11:00"])}
    )
    optimum = brute_force(explicit_columns(data, 60, 20.0), need, 3)
    solution, rows = solve(data, need, 60, method="neighbourhood")
    assert solution.objective >= optimum - 1e-6
    assert solution.bound <= optimum + 1e-6  # the LP bound really is a lower bound
    assert np.all(rows_cover(rows, 60) >= need - 1e-9)


# --- helpers of the solver -------------------------------------------------------------------


def test_pair_breaks_keeps_each_break_count_and_gives_few_rows():
    a, b, c = (object() for _ in range(3))
    per_break = [[(a, 3), (b, 2)], [(c, 1), (a, 4)], [(b, 5)]]
    groups = pair_breaks(per_break, 5)  # type: ignore[arg-type]
    assert sum(n for _, n in groups) == 5
    for k, options in enumerate(per_break):
        for placement, count in options:
            assert sum(n for combo, n in groups if combo[k] is placement) == count
    assert len(groups) <= 3
    with pytest.raises(ValueError):
        pair_breaks([[(a, 2)]], 3)  # type: ignore[list-item]


def test_rounded_bound_uses_the_common_unit_of_whole_costs():
    assert _rounded_bound(np.array([1120.0, -70.0, 0.0]), 227682.19) == 227710
    assert _rounded_bound(np.array([1120.5, 3.0]), 100.2) == 100.2  # not whole: unchanged
