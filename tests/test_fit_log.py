"""Reading a contact log: bad rows are counted and located, never silently dropped; a log
that cannot be fitted is a clear error; ``--map`` renames an export's columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fit_generator import Truth, generate

from sim.studies.fit import LogError, fit_log, read_log

HEADER = "arrived_at,channel,outcome,wait_seconds,handle_seconds,customer\n"
ROWS = [  # spreadsheet row numbers: the header is row 1
    "2026-01-05T08:00:00,phone,answered,12,300,a",  # 2
    "05/01/2026 8am,phone,answered,12,300,b",  # 3: not ISO-8601
    "2026-01-05T08:01:00,email,answered,3600,400,c",  # 4
    "2026-01-05T08:02:00,phone,abandoned,-4,,d",  # 5: negative wait
    "2026-01-05T08:03:00,Phone,ABANDONED,40,,e",  # 6: case is forgiven
    "2026-01-05T08:04:00,fax,answered,10,200,f",  # 7: unknown channel
    "2026-01-05T08:05:00,phone,transferred,10,200,g",  # 8: unknown outcome, kept as other
    "2026-01-05T08:06:00,phone,answered,10,,h",  # 9: answered without a handle time
    "2026-01-05T08:07:00,phone,answered,,200,i",  # 10: answered without a wait
    "2026-01-05T08:08:00,self-service,self_served,,,",  # 11: no wait needed; no customer
]


def write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_each_bad_row_is_counted_with_its_row_number(tmp_path: Path) -> None:
    log = read_log(write(tmp_path, HEADER + "\n".join(ROWS) + "\n"))
    bad = log.bad_rows
    expected = {  # reason start -> (rows, dropped)
        "arrived_at is missing or not an ISO-8601": ([3], True),
        "wait_seconds is negative": ([5], True),
        "channel is missing or not one of": ([7], True),
        "outcome is not answered": ([8], False),
        "handle_seconds is missing": ([9], False),
        "wait_seconds is missing": ([10], True),
        "customer is missing": ([11], False),
    }
    for start, (rows, dropped) in expected.items():
        reason = bad.get(start)
        assert reason is not None, start
        assert (reason.rows, reason.count, reason.dropped) == (rows, len(rows), dropped), start
    assert len(bad.reasons) == len(expected)
    assert (bad.total_rows, bad.dropped, bad.usable_rows) == (10, 4, 6)
    assert log.frame["row"].tolist() == [2, 4, 6, 8, 9, 11]
    assert log.frame["outcome"].astype(str).tolist()[3] == "other"
    assert log.frame["channel"].astype(str).tolist()[-1] == "self_service"
    assert any("(row 3); dropped" in line for line in bad.lines())
    assert set(bad.frame().columns) == {"reason", "count", "dropped", "first_rows"}


def test_row_numbers_are_listed_up_to_ten_with_the_full_count(tmp_path: Path) -> None:
    rows = [f"2026-01-05T08:{m:02d}:00,phone,answered,-1,1,x" for m in range(25)]
    path = write(
        tmp_path, HEADER + "\n".join(rows) + "\n2026-01-05T09:00:00,phone,answered,1,1,x\n"
    )
    reason = read_log(path).bad_rows.get("wait_seconds is negative")
    assert reason.count == 25
    assert reason.rows == list(range(2, 12))
    assert str(reason).startswith("25 rows: wait_seconds is negative (rows 2, 3,")
    assert ", ...); dropped" in str(reason)


def test_a_missing_required_column_names_the_file_and_the_column(tmp_path: Path) -> None:
    path = write(tmp_path, "arrived_at,outcome,wait_seconds\n2026-01-05T08:00:00,answered,1\n")
    with pytest.raises(LogError, match=r"log\.csv: missing required column\(s\) channel") as info:
        read_log(path)
    assert "with mapping ours=theirs" in str(info.value)  # the API's word for it
    assert "with --map ours=theirs" in info.value.for_front_end(lambda name: "--map")


def test_a_log_with_no_usable_rows_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path, HEADER + "yesterday,phone,answered,1,1,a\n2026-01-05,fax,answered,1,1,b\n"
    )
    with pytest.raises(LogError, match="no usable rows") as info:
        fit_log(path)
    assert "row 2" in str(info.value) and "row 3" in str(info.value)
    with pytest.raises(LogError, match="no rows"):
        read_log(write(tmp_path, HEADER, "empty.csv"))
    with pytest.raises(LogError, match="file not found"):
        read_log(tmp_path / "absent.csv")


def test_map_renames_an_exports_columns(tmp_path: Path) -> None:
    log = generate(Truth(days=14, issues_per_day=300.0), seed=5)
    theirs = log.rename(
        columns={
            "arrived_at": "ts",
            "channel": "queue",
            "outcome": "result",
            "wait_seconds": "wait",
            "customer": "Caller ID",
        }
    )
    path = tmp_path / "export.csv"
    theirs.to_csv(path, index=False)
    mapping = {
        "arrived_at": "ts",
        "channel": "queue",
        "outcome": "result",
        "wait_seconds": "wait",
        "customer": "caller id",  # headers are matched trimmed and lower-cased
    }
    mapped = fit_log(path, mapping)
    direct = tmp_path / "ours.csv"
    log.to_csv(direct, index=False)
    reference = fit_log(direct)
    pd.testing.assert_frame_equal(mapped.frame(), reference.frame())
    assert mapped.get("behaviour.after_abandon.retry") is not None  # customer was mapped
    with pytest.raises(LogError, match="missing required column"):
        fit_log(path)
    with pytest.raises(LogError, match="unknown column"):
        fit_log(path, {**mapping, "queue_name": "queue"})
    with pytest.raises(LogError, match="not in the log"):
        fit_log(path, {**mapping, "pool": "agent_group"})


def test_csv_and_parquet_give_the_same_fit(tmp_path: Path) -> None:
    log = generate(Truth(days=14, issues_per_day=300.0), seed=6)
    log.to_csv(tmp_path / "log.csv", index=False)
    log.to_parquet(tmp_path / "log.parquet", index=False)
    csv, parquet = fit_log(tmp_path / "log.csv"), fit_log(tmp_path / "log.parquet")
    pd.testing.assert_frame_equal(csv.frame(), parquet.frame(), rtol=1e-9)


def test_wall_clock_time_is_kept_whatever_the_offset(tmp_path: Path) -> None:
    """The intraday profile follows the centre's clock: 08:30+02:00 is 08:30, not 06:30."""
    stamps = ["2026-01-05T08:30:00+02:00", "2026-01-05 08:30:00Z", "2026-01-05T08:30-0500"]
    text = HEADER + "".join(f"{s},phone,answered,1,1,{i}\n" for i, s in enumerate(stamps))
    log = read_log(write(tmp_path, text))
    assert log.bad_rows.dropped == 0
    assert log.frame["arrived"].tolist() == [8.5 * 3600] * 3
    aware = pd.DataFrame(
        {
            "arrived_at": pd.to_datetime(["2026-01-05 08:30"]).tz_localize("Europe/Paris"),
            "channel": ["phone"],
            "outcome": ["answered"],
            "wait_seconds": [1.0],
        }
    )
    aware.to_parquet(tmp_path / "aware.parquet")
    assert read_log(tmp_path / "aware.parquet").frame["arrived"].tolist() == [8.5 * 3600]


def test_customer_ids_are_trimmed_and_optional_columns_coerced(tmp_path: Path) -> None:
    text = (
        "Arrived_At,Channel,Outcome,Wait_Seconds,Customer,Public,Exchanges\n"
        "2026-01-05T08:00:00,social,answered,60,42,yes,3\n"
        "2026-01-05T08:10:00,social,answered,60, 42 ,private,1.5\n"
        "2026-01-05T08:20:00,social,answered,60,7,maybe,2\n"
    )
    log = read_log(write(tmp_path, text))
    frame = log.frame
    assert frame["customer"].tolist()[0] == frame["customer"].tolist()[1]
    assert frame["customer"].nunique() == 2
    assert np.allclose(frame["public"].to_numpy(), [1.0, 0.0, np.nan], equal_nan=True)
    assert np.allclose(frame["exchanges"].to_numpy(), [3.0, np.nan, 2.0], equal_nan=True)
    assert log.bad_rows.get("public is not true/false").rows == [4]
    assert log.bad_rows.get("exchanges is not a whole number").rows == [3]
    assert log.has("customer") and not log.has("handle_seconds")


def test_outcomes_are_forgiven_like_channels_and_an_empty_customer_column_is_absent(
    tmp_path: Path,
) -> None:
    text = (
        "arrived_at,channel,outcome,wait_seconds,customer\n"
        "2026-01-05T08:00:00,self service,Self-Served,,\n"
        "2026-01-05T08:10:00,self_service,fell back,,\n"
    )
    log = read_log(write(tmp_path, text))
    assert log.frame["outcome"].astype(str).tolist() == ["self_served", "fell_back"]
    assert log.bad_rows.reasons == []
    assert not log.has("customer") and "customer" not in log.frame
    assert any("customer column is empty" in note for note in log.notes)


def test_a_column_given_twice_is_an_error(tmp_path: Path) -> None:
    text = (
        "arrived_at,Channel,channel,outcome,wait_seconds\n2026-01-05T08:00,phone,phone,answered,1\n"
    )
    with pytest.raises(LogError, match="channel given twice"):
        read_log(write(tmp_path, text))
