"""Reliability: outputs never half-written or clobbered, absurd runs refused, invariants hold
over generated scenarios, and mutated scenario files always give exit 0 or 2."""

from __future__ import annotations

import copy
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import build, default_sigint, mmc_data, multichannel_data
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from recorders import WaitLog

from sim.cli import main
from sim.cli.errors import flag
from sim.experiment.estimate import refusal, run_size
from sim.experiment.replication import tabulate
from sim.model.centre import Centre
from sim.model.observer import Outcome
from sim.scenario import channel_names

CHANNELS = tuple(channel_names())

# --- output folders ---------------------------------------------------------------------------


def write_scenario(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_scenario(tmp_path / "tiny.yaml", mmc_data(horizon="6h", replications=2))


def test_a_folder_of_other_files_is_not_overwritten(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = cli("run", str(tiny), "-o", str(out), "--quiet", "--no-plots")
    assert result.exit_code == 2
    assert "--overwrite" in result.output
    assert (out / "notes.txt").read_text() == "keep me"
    result = cli("run", str(tiny), "-o", str(out), "--quiet", "--no-plots", "--overwrite")
    assert result.exit_code == 0
    assert (out / "summary.csv").is_file()  # --overwrite replaces ccsim's own files only:
    assert (out / "notes.txt").read_text() == "keep me"  # the user's notes stay, and
    assert "kept 1 file ccsim did not write" in result.output and "notes.txt" in result.output


def test_another_scenarios_outputs_need_overwrite_but_a_rerun_does_not(
    tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert cli("run", str(tiny), "-o", str(out), "--quiet", "--no-plots").exit_code == 0
    assert cli("run", str(tiny), "-o", str(out), "--quiet", "--no-plots").exit_code == 0
    other = write_scenario(tmp_path / "other.yaml", {**mmc_data(horizon="6h"), "name": "other"})
    result = cli("run", str(other), "-o", str(out), "--quiet", "--no-plots")
    assert result.exit_code == 2 and "'mmc'" in result.output


def wait_until_simulating(process: subprocess.Popen, cpu_seconds: float = 2.5) -> None:
    """Wait until the child has used ``cpu_seconds`` of CPU: past start-up and imports, inside
    the replications (a fixed sleep is not enough on a loaded machine)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if sum(cpu_seconds_of(pid) for pid in [process.pid, *children(process.pid)]) >= cpu_seconds:
            return
        time.sleep(0.1)
    raise AssertionError("the run never got going")


def stat_fields(pid: int) -> list[str]:
    """Fields of /proc/PID/stat after the command name (field 3 onwards)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def cpu_seconds_of(pid: int) -> float:
    fields = stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (the run's worker processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = stat_fields(int(entry.name))
            if fields and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def start_long_run(scenario: Path, out: Path, workers: int = 1) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            str(scenario),
            "-o",
            str(out),
            "--quiet",
            "--no-plots",
            "--workers",
            str(workers),
            "--overwrite",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_run_leaves_the_previous_outputs_whole(
    tiny: Path, tmp_path: Path, signum: int
) -> None:
    out = tmp_path / "out"
    assert cli("run", str(tiny), "-o", str(out), "--quiet", "--no-plots").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    long = write_scenario(
        tmp_path / "long.yaml", mmc_data(horizon="60d", replications=50, per_hour=400, agents=40)
    )
    process = start_long_run(long, out)
    wait_until_simulating(process)  # well into the replications, long before they finish
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]


def test_sigterm_stops_worker_processes_promptly(tmp_path: Path) -> None:
    """Parallel replications: SIGTERM ends the run and its workers at once, leaving nothing."""
    long = write_scenario(
        tmp_path / "long.yaml", mmc_data(horizon="60d", replications=8, per_hour=400, agents=40)
    )
    process = start_long_run(long, tmp_path / "out", workers=2)
    deadline = time.monotonic() + 120
    while sum(cpu_seconds_of(pid) for pid in children(process.pid)) < 1.0:  # workers simulating
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.1)
    workers = children(process.pid)
    process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    process.communicate(timeout=60)
    assert process.returncode == 130
    assert time.monotonic() - started < 5
    assert not [pid for pid in workers if stat_fields(pid)]
    assert not (tmp_path / "out").exists()


def test_an_interrupted_first_run_leaves_no_folder(tmp_path: Path) -> None:
    long = write_scenario(
        tmp_path / "long.yaml", mmc_data(horizon="60d", replications=50, per_hour=400, agents=40)
    )
    out = tmp_path / "fresh"
    process = start_long_run(long, out)
    wait_until_simulating(process)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)
    assert process.returncode == 130
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]


# --- absurd loads -----------------------------------------------------------------------------


def test_a_billion_issues_a_day_is_refused_up_front(tiny: Path) -> None:
    started = time.perf_counter()
    result = cli("run", str(tiny), "--set", "demand.issues_per_hour=50000000", "--quiet")
    assert result.exit_code == 2
    assert "issues a day" in result.output
    assert time.perf_counter() - started < 10


def test_a_huge_run_states_its_size_and_needs_yes() -> None:
    scenario = build(mmc_data(per_hour=200_000.0, horizon="365d", replications=20))
    size = run_size(scenario, workers=2)
    reason = refusal(size, workers=2, confirmed=False)
    assert reason is not None and "contacts" in str(reason)
    assert "pass --yes to run it" in reason.for_front_end(flag)
    assert refusal(size, workers=2, confirmed=True) is None
    small = run_size(build(mmc_data()), workers=2)
    assert refusal(small, workers=2, confirmed=False) is None


def test_refused_runs_through_the_cli_say_how_long_they_would_take(tiny: Path) -> None:
    result = cli(
        "run",
        str(tiny),
        "--set",
        "demand.issues_per_hour=300000",
        "--set",
        "run.horizon=365d",
        "--quiet",
    )
    assert result.exit_code == 2
    assert "hours" in result.output or "days" in result.output


# --- invariants over generated scenarios ------------------------------------------------------

SHARE_SETS = [
    {"phone": 1.0},
    {"phone": 0.6, "email": 0.4},
    {"phone": 0.4, "email": 0.3, "self_service": 0.2, "social": 0.1},
    {"social": 0.5, "self_service": 0.5},
]


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Small valid scenarios across the model's features."""
    data = multichannel_data()
    data["run"] = {
        "horizon": f"{draw(st.integers(4, 24))}h",
        "warmup": f"{draw(st.integers(0, 3))}h",
        "replications": 1,
        "interval": draw(st.sampled_from(["15min", "30min", "1h"])),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }
    data["demand"] = {
        "issues_per_day": draw(st.floats(50, 6000)),
        "first_channel": draw(st.sampled_from(SHARE_SETS)),
        "day_variability": draw(st.sampled_from([0.0, 0.3])),
    }
    patience = draw(st.sampled_from([None, "30s", "3min"]))
    if patience is not None:
        data["channels"]["phone"]["patience"] = {"dist": "exponential", "mean": patience}
    else:
        data["channels"]["phone"].pop("patience", None)
    data["channels"]["phone"]["handle_time"] = {
        "dist": draw(st.sampled_from(["exponential", "gamma"])),
        "mean": "5min",
    }
    if data["channels"]["phone"]["handle_time"]["dist"] == "gamma":
        data["channels"]["phone"]["handle_time"]["cv"] = draw(st.floats(0.2, 2.0))
    data["pools"]["voice"]["schedule"][0]["agents"] = draw(st.integers(1, 15))
    data["pools"]["digital"]["agents"] = draw(st.integers(1, 10))
    data["policy"] = {
        "social_mode": draw(st.sampled_from(["serve", "deflect", "ignore"])),
        "priority": draw(st.permutations(["phone", "email", "social"])),
        "callback": draw(st.sampled_from([None, {"offer_when_wait_over": "1min"}])),
    }
    if data["policy"]["social_mode"] == "ignore":
        data["pools"]["digital"]["skills"] = ["email", "phone"]
        data["pools"]["digital"]["concurrency"] = {}
    data["behaviour"]["jump_the_line"] = {"enabled": draw(st.booleans()), "period": "2h"}
    return data


@settings(max_examples=25)
@given(scenarios())
def test_invariants_hold_for_generated_scenarios(data: dict[str, Any]) -> None:
    centre = Centre(build(data), 0)
    result = tabulate(centre.scenario, centre.run())
    m = result.metrics
    for channel in (c for c in CHANNELS if (c, "offered") in m):  # chat only when reached
        offered = m[(channel, "offered")]
        accounted = (
            m[(channel, "answered")]
            + m[(channel, "abandoned")]
            + m[(channel, "waiting_end")]
            + m.get((channel, "community_resolved"), 0)
        )
        assert offered == accounted, channel
        for metric in ("service_level", "p_wait", "abandon_rate"):
            value = m[(channel, metric)]
            assert math.isnan(value) or 0.0 <= value <= 1.0, (channel, metric)
        asa = m[(channel, "asa_seconds")]
        assert math.isnan(asa) or asa >= 0.0
    issues = m[("centre", "issues")]
    open_now = len({j for j in centre.census() if j.k >= 0})
    assert issues == m[("centre", "resolved")] + m[("centre", "gave_up")] + open_now
    for pool in ("voice", "digital"):
        occupancy = m[(f"pool:{pool}", "occupancy")]
        assert math.isnan(occupancy) or 0.0 <= occupancy <= 1.0 + 1e-9
    frame = result.intervals
    pools = frame[frame["scope"].str.startswith("pool:")]["occupancy"].dropna()
    assert ((pools >= 0) & (pools <= 1 + 1e-9)).all()
    share = frame[frame["scope"] == "centre"]["social_first_share"]
    assert ((share >= 0) & (share <= 1)).all()


@settings(max_examples=15)
@given(
    agents=st.integers(4, 12),
    per_hour=st.floats(20.0, 110.0),
    seed=st.integers(0, 10_000),
)
def test_adding_an_agent_never_raises_the_mean_wait(
    agents: int, per_hour: float, seed: int
) -> None:
    """Common random numbers: same customers, one more agent, FIFO: no one waits longer.

    Checked customer by customer in every example, counting a customer still waiting at the
    end as having waited until then (so overloaded examples test the property too)."""

    def waits(n: int) -> tuple[dict, dict]:
        data = mmc_data(agents=n, per_hour=per_hour, horizon="12h", warmup="0s", seed=seed)
        log = WaitLog()
        centre = Centre(build(data), 0, log)
        metrics = tabulate(centre.scenario, centre.run()).metrics
        end = centre.calendar.run_until
        so_far = {
            key: wait if outcome == Outcome.ANSWERED else end - log.arrived[key]
            for key, (outcome, wait) in log.outcomes.items()
        }
        return so_far, metrics

    fewer, fewer_metrics = waits(agents)
    more, more_metrics = waits(agents + 1)
    assert fewer.keys() == more.keys() and len(fewer) > 100  # the same customers
    assert all(more[key] <= fewer[key] + 1e-6 for key in fewer)
    assert sum(more.values()) <= sum(fewer.values())
    phone = [
        (m[("phone", "waiting_end")], m[("phone", "p_wait")]) for m in (more_metrics, fewer_metrics)
    ]
    assert phone[0][0] <= phone[1][0] and phone[0][1] <= phone[1][1]


# --- hostile inputs: mutated scenario files ---------------------------------------------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.sampled_from(["6min", "0s", "-3h", "1e9d", "fax", "deflect", "mon-fri", "25:00"]),
)


def leaf_paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in leaf_paths(v, (*prefix, k))] or [prefix]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in leaf_paths(v, (*prefix, i))] or [prefix]
    return [prefix]


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(multichannel_data())
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in leaf_paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add", "nest"]))
        if action == "replace":
            parent[path[-1]] = draw(JUNK)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(JUNK)
        else:
            parent[path[-1]] = {"deep": {"deeper": [parent[path[-1]]]}}
    return data


@settings(max_examples=60)
@given(mutated_scenarios())
def test_mutated_scenarios_exit_0_or_2_with_a_message(tmp_path_factory, data) -> None:
    path = tmp_path_factory.mktemp("mutant") / "mutant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert "mutant.yaml" in result.output


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe\x00garbage",
        b"name: [unclosed",
        b"a: &a [*a, *a]\n",
        b"- just\n- a list\n",
        b"demand: !!python/object/apply:os.system ['true']\n",
    ],
)
def test_hostile_files_exit_2_without_a_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "sim", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "hostile.yaml" in result.stderr


def test_a_directory_instead_of_a_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert os.fspath(tmp_path) in result.output
