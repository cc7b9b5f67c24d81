"""``ccsim staff``: target parsing, the least-cost search, the staffed file and its check.

Tiny scenarios (one day, four replications, one process) keep every search to a few
seconds. Candidates are compared with common random numbers, so "one agent fewer misses the
target" is checked with exactly the seeds the search used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from builders import build, deep_update, mmc_data
from click.testing import CliRunner, Result

from sim import analytic
from sim.cli import main
from sim.experiment.statistics import Stat
from sim.scenario import load_scenario, scenario_to_yaml
from sim.studies.staffing import (
    Target,
    TargetError,
    decision_slots,
    erlang_start,
    evaluate,
    headcounts_of,
    parse_targets,
    solve,
    verify,
    with_headcounts,
)
from sim.studies.staffing.targets import parse_target
from sim.studies.staffing.verify import repaired

RUN = {"horizon": "1d", "warmup": "2h", "replications": 4, "interval": "1h"}
SL80 = "phone.service_level>=0.8"


def mmc(agents: int = 12, **changes: Any):
    return build(mmc_data(agents=agents, per_hour=96.0, aht="5min"), run=RUN, **changes)


def scheduled_data() -> dict[str, Any]:
    """An M/M/c phone queue, three times busier by day, staffed in two twelve-hour shifts."""
    night, day = [0.5] * 6, [1.5] * 12
    return deep_update(
        mmc_data(per_hour=96.0, aht="5min"),
        {
            "run": RUN,
            "demand": {"profile": night + day + night},
            "pools": {
                "voice": {
                    "agents": None,
                    "skills": ["phone"],
                    "cost_per_hour": 25,
                    "schedule": [
                        {"days": "all", "from": "06:00", "to": "18:00", "agents": 18},
                        {"days": "all", "from": "18:00", "to": "06:00", "agents": 18},
                    ],
                }
            },
        },
    )


def scheduled():
    data = scheduled_data()
    del data["pools"]["voice"]["agents"]
    return build(data)


def staff(*args: str) -> Result:
    return CliRunner().invoke(main, ["staff", *args])


def assert_exit_2(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for fragment in fragments:
        assert fragment in result.output, result.output


# --- targets ---------------------------------------------------------------------------------


def test_parse_targets_of_every_scope() -> None:
    assert parse_target(SL80) == Target("phone", "service_level", ">=", 0.8)
    assert parse_target(" phone.abandon_rate <= 0.05 ") == Target(
        "phone", "abandon_rate", "<=", 0.05
    )
    assert parse_target("pool:voice.occupancy<=0.9").scope == "pool:voice"
    assert parse_target("centre.cost_per_issue<=6").value == 6.0
    assert str(parse_target("email.service_level>=0.90")) == "email.service_level>=0.9"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("phone.service_level>0.8", "must be >= or <="),
        ("phone.service_level=>0.8", "write '>=', not '=>'"),
        ("phone.service_level==0.8", "must be >= or <="),
        ("phone.service_level", "quote the target"),
        ("phone.service_level 0.8", "not scope.metric>=value"),
        ("service_level>=0.8", "needs a scope and a metric"),
        ("phon.service_level>=0.8", "did you mean 'phone'"),
        ("pool:.occupancy<=0.9", "needs a pool name"),
        ("phone.service_level>=80%", "fractions"),
        ("phone.service_level>=high", "'high' is not a number"),
        ("phone.service_level>=", "no value"),
        ("phone.service level>=0.8", "not a metric name"),
    ],
)
def test_bad_targets_name_the_target(text: str, reason: str) -> None:
    with pytest.raises(TargetError) as caught:
        parse_target(text)
    assert f"target '{text}'" in str(caught.value)
    assert reason in str(caught.value)


def test_every_bad_target_is_reported_and_duplicates_refused() -> None:
    with pytest.raises(TargetError) as caught:
        parse_targets(["phone.x>0.8", SL80, SL80, "mail.service_level>=0.9"])
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert "given twice" in lines[1]


def test_a_target_is_met_by_its_confidence_bound() -> None:
    stats = {("phone", "service_level"): Stat(mean=0.85, sd=0.04, n=4)}
    at_least = parse_target("phone.service_level>=0.8")
    at_most = parse_target("phone.service_level<=0.9")
    assert at_least.met(stats, confidence=0.0) and at_most.met(stats, confidence=0.0)
    low, high = stats[at_least.key].interval(0.95)
    assert low < 0.8 < 0.85 < 0.9 < high  # t(3) = 3.18: half-width 0.064
    assert not at_least.met(stats, confidence=0.95)
    assert not at_most.met(stats, confidence=0.95)
    assert at_least.bound(stats, 0.95) == pytest.approx(low)
    assert not parse_target("phone.p_wait<=1").met(stats, 0.95)  # no such figure: not met


def test_cli_bad_target_exits_2_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "mmc.yaml"
    path.write_text(scenario_to_yaml(mmc()))
    assert_exit_2(
        staff(str(path), "--target", "phone.service_level>0.8"), "phone.service_level>0.8"
    )
    assert_exit_2(
        staff(str(path), "--target", "phone.service_levl>=0.8", "--target", "pool:vocie.cost<=1"),
        "pool:vocie.cost<=1",
        "did you mean 'pool:voice'",
    )
    assert_exit_2(
        staff(str(path), "--target", "phone.service_levl>=0.8"),
        "--target 'phone.service_levl>=0.8'",
        "did you mean 'service_level'",
    )
    assert_exit_2(staff(str(path), "--only-targets"), "--only-targets needs at least one --target")
    assert_exit_2(
        staff(str(path), "--target", SL80, "--replications", "1"), "at least 2 replications"
    )
    assert not list(tmp_path.glob("*staffed*"))


# --- decision variables ----------------------------------------------------------------------


def test_slots_are_pools_and_shifts_and_keep_the_structure() -> None:
    scenario = scheduled()
    slots = decision_slots(scenario)
    assert [s.shift for s in slots] == [0, 1]
    assert all(s.paid_hours_per_week == 84.0 for s in slots)  # the night shift wraps midnight
    changed = with_headcounts(scenario, (9, 5))
    assert headcounts_of(changed) == (9, 5)
    assert changed.pools["voice"].agents is None
    assert headcounts_of(with_headcounts(mmc(), (15,))) == (15,)


def test_erlang_start_for_a_flat_phone_pool() -> None:
    start, notes = erlang_start(mmc(agents=30), parse_targets([SL80]))
    assert start == (analytic.erlang_c_agents(96 / 3600, 300, 20, 0.8),)
    assert "Erlang C" in notes[0]
    shrunk = mmc(agents=30, pools={"voice": {"shrinkage": 0.25}})
    (scheduled_agents,), _ = erlang_start(shrunk, parse_targets([SL80]))
    assert round(scheduled_agents * 0.75) >= start[0] > round((scheduled_agents - 1) * 0.75)
    patient = build(mmc_data(agents=30, patience="3min"), run=RUN)
    (erlang_a,), notes = erlang_start(patient, parse_targets([SL80]))
    assert erlang_a == analytic.erlang_a_agents(96 / 3600, 300, 180, 20, 0.8)
    assert "Erlang A" in notes[0]


# --- the search ------------------------------------------------------------------------------


def test_mmc_answer_meets_the_target_and_one_fewer_does_not() -> None:
    scenario = mmc(agents=12)
    targets = parse_targets([SL80])
    result = solve(scenario, targets, workers=1)
    assert result.status == "met"
    (agents,) = result.headcounts
    assert result.best.feasible
    fewer = evaluate(scenario, (agents - 1,), targets, 0.95, workers=1)  # the same seeds
    assert not fewer.feasible
    assert fewer.cost < result.best.cost
    erlang = analytic.erlang_c_agents(96 / 3600, 300, 20, 0.8)
    assert abs(agents - erlang) <= 2
    assert result.evaluations <= 6  # Erlang start, then two neighbours


def test_an_overstaffed_start_is_reduced_and_costs_less() -> None:
    scenario = mmc(agents=30)
    targets = parse_targets([SL80])
    result = solve(scenario, targets, workers=1, start=(30,))
    (agents,) = result.headcounts
    assert agents < 20
    original = result.cache[(30,)]
    assert result.best.cost < original.cost
    assert result.status == "met"
    assert not result.cache[(agents - 1,)].feasible


def test_an_understaffed_start_grows_until_met() -> None:
    scenario = mmc(agents=6)
    result = solve(scenario, parse_targets([SL80]), workers=1, start=(6,))
    assert result.status == "met"
    assert not result.cache[(6,)].feasible
    assert result.headcounts[0] > 6 and result.best.feasible


def test_a_scheduled_pool_gets_per_shift_agents_and_a_file_that_reloads(tmp_path: Path) -> None:
    scenario = scheduled()
    targets = parse_targets([SL80])
    result = solve(scenario, targets, workers=1, max_evaluations=30)
    assert result.status == "met", result.status
    day, night = result.headcounts
    assert night < day < 18
    for i in range(2):  # greedy finish: no single removal still meets the target
        fewer = list(result.headcounts)
        fewer[i] -= 1
        check = result.cache.get(tuple(fewer)) or evaluate(scenario, fewer, targets, 0.95, 1)
        assert not check.feasible
    path = tmp_path / "staffed.yaml"
    path.write_text(scenario_to_yaml(with_headcounts(scenario, result.headcounts)))
    reloaded = load_scenario(path)
    assert reloaded.pools["voice"].agents is None
    assert [s.agents for s in reloaded.pools["voice"].schedule] == [day, night]
    # The written scenario, re-run with fresh seeds, meets the target. Four one-day
    # replications are noisy: the bound of a fresh CI falls either side of 0.8 for an answer
    # chosen at the edge, so the fresh run is held to the mean here (the CLI test below
    # verifies at the bound).
    for seed in (reloaded.run.seed + 1, reloaded.run.seed + 2):
        check = verify(reloaded, result.headcounts, targets, 0.0, seed=seed, workers=1)
        assert check.feasible, check.stats[("phone", "service_level")]


def test_an_infeasible_target_is_detected_not_chased() -> None:
    # Every post reaches service two hours late: none can be answered within one hour.
    data = deep_update(
        mmc_data(agents=4, per_hour=20.0),
        {
            "run": RUN,
            "demand": {"first_channel": {"phone": 0.0, "social": 1.0}},
            "channels": {
                "social": {"public_share": 1.0, "misrouted": {"share": 0.5, "delay": "2h"}}
            },
            "pools": {"voice": {"skills": ["social"]}},
        },
    )
    scenario = build(data)
    targets = parse_targets(["social.service_level>=0.8"])
    result = solve(scenario, targets, workers=1, max_evaluations=30)
    assert result.status == "infeasible"
    assert result.best is None
    (item,) = result.infeasible
    assert item.target == targets[0]
    assert 0.3 < item.best_bound < 0.6  # half the posts are misrouted
    assert result.evaluations <= 8


def test_search_settings_and_budget() -> None:
    scenario = mmc(agents=30)
    result = solve(
        scenario,
        parse_targets([SL80]),
        workers=1,
        start=(30,),
        max_evaluations=2,
        search_run={"replications": 2},
    )
    assert result.status == "budget"
    assert result.evaluations == 2
    assert result.headcounts == (26,)  # 30 x 0.85, the best seen before the budget ran out


# --- the command -----------------------------------------------------------------------------


def test_cli_writes_a_staffed_scenario_and_verifies_it(tmp_path: Path) -> None:
    scenario_path = tmp_path / "mmc.yaml"
    scenario_path.write_text(scenario_to_yaml(mmc(agents=25)))
    out = tmp_path / "out" / "staffed.yaml"
    result = staff(
        str(scenario_path),
        "--target",
        SL80,
        "--target",
        "pool:voice.occupancy<=0.9",
        "--workers",
        "1",
        "--quiet",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "Erlang C" in result.output
    assert "every target met" in result.output
    staffed = load_scenario(out)
    (agents,) = headcounts_of(staffed)
    assert 10 <= agents <= 14
    assert staffed.run == mmc().run  # the scenario's own settings, not the search's
    assert "Staffed by ccsim staff" in staffed.description


def test_cli_reports_an_infeasible_target_with_exit_3(tmp_path: Path) -> None:
    path = tmp_path / "mmc.yaml"
    path.write_text(scenario_to_yaml(mmc(agents=12)))
    out = tmp_path / "staffed.yaml"
    result = staff(
        str(path), "--target", "centre.issues<=10", "--workers", "1", "--quiet", "-o", str(out)
    )
    assert result.exit_code == 3, result.output
    assert "infeasible" in result.output and "centre.issues<=10" in result.output
    assert "Nothing was written" in result.output
    assert not out.exists()


EMAIL_BACKLOG = """\
name: backlog
run: {horizon: 8d, warmup: 0s, replications: 3, interval: 1h}
demand: {issues_per_hour: 30, first_channel: {email: 1.0}}
channels:
  email:
    handle_time: {dist: exponential, mean: 10min}
    service_level: {within: 24h, target: 0.9}
pools:
  team: {agents: 8, skills: [email]}
"""


def test_repairs_grow_only_the_pools_serving_a_missed_target() -> None:
    scenario = build(
        mmc_data(),
        demand={"first_channel": {"phone": 0.5, "email": 0.5}},
        pools={"desk": {"agents": 20, "skills": ["email"]}},
    )
    assert repaired(scenario, (10, 20), parse_targets(["email.service_level>=0.9"])) == (10, 21)
    assert repaired(scenario, (10, 40), parse_targets(["centre.cost_total<=1"])) == (11, 42)


def test_a_short_search_horizon_is_caught_by_verification_and_repaired(tmp_path: Path) -> None:
    # Four agents keep up for two days, but the email backlog grows without bound: over the
    # scenario's own eight days answers take more than 24 h. The verification run sees it.
    path = tmp_path / "backlog.yaml"
    path.write_text(EMAIL_BACKLOG)
    out = tmp_path / "staffed.yaml"
    args = [str(path), "--target", "email.service_level>=0.9", "--horizon", "2d"]
    args += ["--workers", "1", "--quiet", "-o", str(out)]
    unrepaired = staff(*args, "--repairs", "0")
    assert unrepaired.exit_code == 3, unrepaired.output
    assert "missed with fresh seeds" in unrepaired.output
    assert headcounts_of(load_scenario(out)) == (4,)  # written, but reported as missed
    result = staff(*args)
    assert result.exit_code == 0, result.output
    assert "repair 1/2" in result.output and "after repairs" in result.output
    assert headcounts_of(load_scenario(out))[0] > 4
