"""The trace's log columns: ``arrived_at``, ``customer``, ``handle_seconds``, ``public``,
``exchanges``, ``reply_delay_seconds`` say what happened to each contact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from builders import deep_update, multichannel_data

from sim.experiment.replication import simulate
from sim.scenario import validate_data
from sim.studies.fit import clean_log

CHANGES = {"run": {"start": "2026-01-05"}, "channels": {"social": {"exchanges": 3.0}}}


def trace_of(data: dict, tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "trace.parquet"
    simulate(validate_data(data), 0, trace=path)
    return pd.read_parquet(path)


def test_log_columns_describe_each_contact(tmp_path: Path) -> None:
    data = deep_update(multichannel_data(), CHANGES)
    data["channels"]["phone"]["handle_time"] = {"dist": "deterministic", "value": "2min"}
    data["channels"]["social"]["reply_delay"] = {"dist": "deterministic", "value": "7min"}
    data["pools"]["voice"]["efficiency"] = {"phone": 1.5}  # agents take 1.5 x the handle time
    trace = trace_of(data, tmp_path)
    start = pd.Timestamp("2026-01-05")
    expected = start + pd.to_timedelta(trace["arrived_seconds"], unit="s")
    assert (abs(trace["arrived_at"] - expected) <= pd.Timedelta(milliseconds=1)).all()
    assert (trace["customer"] == trace["issue"]).all()
    answered = trace["outcome"] == "answered"
    phone = answered & (trace["channel"] == "phone") & (trace["pool"] == "voice")
    assert phone.any() and np.allclose(trace.loc[phone, "handle_seconds"], 180.0)
    assert trace.loc[~answered, "handle_seconds"].isna().all()
    social = trace["channel"] == "social"
    assert trace.loc[social, "public"].notna().all() and trace.loc[~social, "public"].isna().all()
    threads = trace[social & answered]
    assert (threads["exchanges"] >= 1).all() and trace.loc[~social, "exchanges"].isna().all()
    assert abs(threads["exchanges"].mean() - 3.0) < 4 * np.sqrt(2.0 / len(threads))
    more = threads["exchanges"] > 1
    assert np.allclose(threads.loc[more, "reply_delay_seconds"], 420.0)
    assert threads.loc[~more, "reply_delay_seconds"].isna().all()
    log = clean_log(trace)  # a log as it is
    assert log.bad_rows.dropped == 0
    assert {"handle_seconds", "customer", "public", "exchanges"} <= log.columns


def test_without_a_start_date_a_trace_is_dated_from_a_nominal_monday(tmp_path: Path) -> None:
    trace = trace_of(multichannel_data(), tmp_path)
    first = trace.loc[trace["arrived_seconds"] >= 0, "arrived_at"].min()
    assert first.normalize() == pd.Timestamp("2024-01-01") and first.weekday() == 0
