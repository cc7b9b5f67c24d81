"""The per-contact trace (``--trace``): rows that add up to the counters, streamed in chunks."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from builders import build, deep_update, multichannel_data

from sim.experiment.replication import simulate
from sim.io.trace import ContactTrace
from sim.model.centre import Centre
from sim.model.observer import Outcome
from sim.scenario import Scenario

COUNTED_AS = {  # summary metric each outcome is counted in (self-service counts as answered)
    Outcome.ANSWERED: "answered",
    Outcome.ABANDONED: "abandoned",
    Outcome.COMMUNITY: "community_resolved",
    Outcome.OPEN: "waiting_end",
}
POLICIES = {
    "serve": {},
    "deflect": {"policy": {"social_mode": "deflect"}},
    "ignore": {"policy": {"social_mode": "ignore"}},
    "callbacks": {"policy": {"callback": {"offer_when_wait_over": "30s", "accept": 0.6}}},
}


def scenario(policy: str) -> Scenario:
    return build(deep_update(multichannel_data(), POLICIES[policy]))


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_measured_rows_add_up_to_every_channel_count(policy: str, tmp_path: Path) -> None:
    path = tmp_path / "trace.parquet"
    result = simulate(scenario(policy), 1, trace=path)
    trace = pd.read_parquet(path)
    measured = trace[trace["interval"] >= 0]
    for channel in ("phone", "email", "social"):
        rows = measured[measured["channel"] == channel]
        assert len(rows) == result.metrics[(channel, "offered")]
        counts = rows["outcome"].value_counts()
        for outcome, metric in COUNTED_AS.items():
            expected = result.metrics.get((channel, metric), 0)
            assert counts.get(outcome, 0) == expected, (channel, outcome)
    sessions = measured[measured["channel"] == "self_service"]
    assert len(sessions) == result.metrics[("self_service", "offered")]
    assert set(sessions["outcome"]) <= {Outcome.SELF_SERVED, Outcome.FELL_BACK}
    # every contact of the run has exactly one row, warm-up and follow-up included
    assert len(trace) == result.contacts_simulated
    assert trace["issue"].max() <= result.contacts_simulated


def test_rows_describe_the_contacts(tmp_path: Path) -> None:
    path = tmp_path / "trace.parquet"
    simulate(scenario("serve"), 0, trace=path)
    trace = pd.read_parquet(path)
    answered = trace[trace["outcome"] == Outcome.ANSWERED]
    assert (answered["wait_seconds"] >= 0).all()
    assert set(answered["pool"]) == {"voice", "digital"}
    assert (trace.loc[trace["outcome"] != Outcome.ANSWERED, "pool"] == "").all()
    # the first contact of an issue is at its first channel
    first = trace.sort_values(["issue", "arrived_seconds"]).groupby("issue").head(1)
    assert (first["channel"].astype(str) == first["first_channel"].astype(str)).all()
    assert (trace["arrived_seconds"] < 0).any()  # the warm-up is in the trace, interval -1
    assert (trace.loc[trace["arrived_seconds"] < 0, "interval"] == -1).all()


def test_small_chunks_stream_row_groups_with_the_same_rows(tmp_path: Path) -> None:
    whole, chunked = tmp_path / "whole.parquet", tmp_path / "chunked.parquet"
    simulate(scenario("serve"), 0, trace=whole)
    served = scenario("serve")
    Centre(served, 0, ContactTrace(chunked, 0, served.run.warmup, chunk=500)).run()
    groups = pq.ParquetFile(chunked).metadata
    assert groups.num_row_groups > 10
    assert max(groups.row_group(i).num_rows for i in range(groups.num_row_groups)) <= 500
    pd.testing.assert_frame_equal(pd.read_parquet(whole), pd.read_parquet(chunked))


def test_tracing_changes_no_result(tmp_path: Path) -> None:
    plain = simulate(scenario("serve"), 0)
    traced = simulate(scenario("serve"), 0, trace=tmp_path / "t.parquet")
    assert plain.metrics.keys() == traced.metrics.keys()
    assert any(math.isnan(value) for value in plain.metrics.values())  # NaN compared too
    for key, value in plain.metrics.items():
        other = traced.metrics[key]
        assert value == other or (math.isnan(value) and math.isnan(other)), key
    pd.testing.assert_frame_equal(plain.intervals, traced.intervals)


def test_a_failed_replication_leaves_no_trace_file(tmp_path: Path) -> None:
    served = scenario("serve")
    centre = Centre(served, 0, ContactTrace(tmp_path / "t.parquet", 0, served.run.warmup))

    def failure(env):
        yield env.timeout(3600.0)
        raise RuntimeError("disk full")

    centre.env.process(failure(centre.env))
    with pytest.raises(RuntimeError, match="disk full"):
        centre.run()
    assert list(tmp_path.iterdir()) == []


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=300
    )


def test_ccsim_run_trace_writes_one_file_per_replication_identically_in_parallel(
    tmp_path: Path,
) -> None:
    source = tmp_path / "small.yaml"
    from sim.scenario import scenario_to_yaml

    source.write_text(scenario_to_yaml(scenario("serve")), encoding="utf-8")
    for workers in ("1", "2"):
        done = cli(
            "run", str(source), "--trace", "--no-plots", "--quiet", "--workers", workers,
            "-o", str(tmp_path / workers),
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in (tmp_path / "1" / "trace").iterdir())
    assert files == ["replication-000.parquet", "replication-001.parquet"]
    for name in files:
        serial = pd.read_parquet(tmp_path / "1" / "trace" / name)
        parallel = pd.read_parquet(tmp_path / "2" / "trace" / name)
        pd.testing.assert_frame_equal(serial, parallel)
        assert serial["replication"].nunique() == 1
    summary = pd.read_csv(tmp_path / "1" / "summary.csv")
    offered = summary.query("scope == 'phone' and metric == 'offered'")["mean"].item()
    traces = [pd.read_parquet(tmp_path / "1" / "trace" / n) for n in files]
    phone = [((t["channel"] == "phone") & (t["interval"] >= 0)).sum() for t in traces]
    assert sum(phone) / len(phone) == pytest.approx(offered)


def test_trace_with_precision_writes_a_trace_for_every_replication_run(tmp_path: Path) -> None:
    """Sequential sampling and the trace share the one replication path: every batch's
    replications write their trace, and rows reconcile with the summary."""
    source = tmp_path / "small.yaml"
    from sim.scenario import scenario_to_yaml

    source.write_text(scenario_to_yaml(scenario("serve")), encoding="utf-8")
    done = cli(
        "run", str(source), "--trace", "--precision", "0.0001", "--max-replications", "5",
        "--precision-metric", "phone.offered", "--no-plots", "--quiet", "--workers", "2",
        "-o", str(tmp_path / "out"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    meta = json.loads((tmp_path / "out" / "run.json").read_text())
    assert meta["replications"] == 5 and meta["precision"]["met"] is False
    files = sorted(p.name for p in (tmp_path / "out" / "trace").iterdir())
    assert files == [f"replication-{r:03d}.parquet" for r in range(5)]
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    offered = summary.query("scope == 'phone' and metric == 'offered'")["mean"].item()
    traces = [pd.read_parquet(tmp_path / "out" / "trace" / n) for n in files]
    phone = [((t["channel"] == "phone") & (t["interval"] >= 0)).sum() for t in traces]
    assert sum(phone) / len(phone) == pytest.approx(offered)
