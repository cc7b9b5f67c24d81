"""Reading a contact log: CSV or Parquet, one row per contact, checked row by row.

The column contract (names are matched after trimming and lower-casing; ``mapping`` renames
an export's columns to ours, ``{"ours": "theirs"}``):

- required: ``arrived_at`` (ISO-8601 timestamp; the wall-clock time as written is used and
  an offset or ``Z`` is ignored, because the intraday profile follows the centre's local
  clock), ``channel`` (``phone``, ``email``, ``self_service``, ``social``; case, ``-`` and
  spaces are forgiven), ``outcome`` (``answered``, ``abandoned``, ``self_served``,
  ``fell_back``, forgiven alike; anything else is kept as ``other``), ``wait_seconds`` (in
  seconds, to the first answer or to abandoning; needed for answered and abandoned
  contacts);
- optional: ``handle_seconds`` (agent time of an answered contact; for social, of one reply
  — ccsim's social handle time is per reply), ``after_contact_seconds`` (wrap-up, added to
  the handle time, since a scenario's handle time is all the agent's time on a contact),
  ``customer`` (an id: issues, retries, switches, fallbacks and handoffs are found from it;
  a column with no ids at all counts as absent),
  ``pool`` (who answered), ``public`` (social: true for a public post), ``exchanges``
  (social: agent replies in the thread), ``reply_delay_seconds`` (social: the customer's
  time to answer the agent's first reply).

A ccsim trace (``ccsim run --trace``) is a log as it is, column for column; its extra
columns are ignored, except ``replication``: a trace of several replications is laid out end
to end, each a whole number of weeks after the previous with at least two empty days between
(weekdays kept, days not mixed), and customers are numbered per replication.

Nothing is dropped silently: each problem is a reason in :class:`BadRows` with its count and
first row numbers (as a spreadsheet shows a CSV: the header is row 1, so the first contact is
row 2; blank lines are skipped by the CSV reader and not numbered). Rows with an unusable
timestamp, channel or wait are dropped; an unknown outcome, a missing handle time and the
like are kept and only the affected estimate skips them. Everything is vectorised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiment.errors import InputError, Setting
from sim.scenario.registry import channel_names

REQUIRED = ("arrived_at", "channel", "outcome", "wait_seconds")
OPTIONAL = (
    "handle_seconds",
    "after_contact_seconds",
    "customer",
    "pool",
    "public",
    "exchanges",
    "reply_delay_seconds",
)
OUTCOMES = ("answered", "abandoned", "self_served", "fell_back", "other")
FIRST_ROWS = 10
"""How many row numbers each reason lists."""
PARQUET_SUFFIXES = (".parquet", ".pq")
_TRUE = ("true", "1", "1.0", "yes", "y", "t", "public")
_FALSE = ("false", "0", "0.0", "no", "n", "f", "private")


MAPPING = Setting("mapping")
"""The column mapping, named in messages as each front end spells it (``--map``)."""


class LogError(InputError):
    """A log that cannot be fitted at all: unreadable, a required column missing, no rows."""


@dataclass(frozen=True)
class BadReason:
    """One kind of problem: how many rows have it, the first row numbers, and whether those
    rows were dropped or kept."""

    reason: str
    count: int
    rows: list[int]
    dropped: bool

    def __str__(self) -> str:
        shown = ", ".join(str(r) for r in self.rows)
        more = ", ..." if self.count > len(self.rows) else ""
        fate = "dropped" if self.dropped else "kept"
        plural = "row" if self.count == 1 else "rows"
        return f"{self.count:,} {plural}: {self.reason} ({plural} {shown}{more}); {fate}"


@dataclass(frozen=True)
class BadRows:
    """Every problem found in a log, by reason."""

    total_rows: int
    dropped: int
    reasons: list[BadReason] = field(default_factory=list)

    @property
    def usable_rows(self) -> int:
        """Rows kept for fitting."""
        return self.total_rows - self.dropped

    def lines(self) -> list[str]:
        """One readable line per reason, for a report or the terminal."""
        return [str(reason) for reason in self.reasons]

    def frame(self) -> pd.DataFrame:
        """Tidy: ``reason, count, dropped, first_rows``."""
        rows = [
            (r.reason, r.count, r.dropped, " ".join(str(x) for x in r.rows)) for r in self.reasons
        ]
        return pd.DataFrame(rows, columns=["reason", "count", "dropped", "first_rows"])

    def get(self, reason_start: str) -> BadReason | None:
        """The reason whose text starts with ``reason_start`` (None if that problem is absent)."""
        return next((r for r in self.reasons if r.reason.startswith(reason_start)), None)


@dataclass
class ContactLog:
    """A checked log: ``frame`` has one row per usable contact, sorted by arrival.

    Columns: ``row`` (spreadsheet row number), ``arrived`` (seconds since ``origin``, the
    midnight starting the first day), ``channel`` and ``outcome`` (categoricals), ``wait``,
    and when given ``handle``, ``customer`` (integer codes), ``pool``, ``public`` (1.0/0.0),
    ``exchanges``, ``reply_delay``; missing values are NaN.
    """

    frame: pd.DataFrame
    source: str
    origin: pd.Timestamp
    bad_rows: BadRows
    columns: frozenset[str]
    notes: list[str] = field(default_factory=list)

    def has(self, column: str) -> bool:
        """Whether the log had this optional column (``customer``, ``handle_seconds``...)."""
        return column in self.columns


def read_log(path: str | Path, mapping: dict[str, str] | None = None) -> ContactLog:
    """Read and check a CSV or Parquet contact log (a folder of Parquet files works too)."""
    return clean_log(read_table(path), mapping, source=str(path))


def read_table(path: str | Path) -> pd.DataFrame:
    """The raw table: CSV read as text (every column a string), Parquet with its own types."""
    path = Path(path)
    if not path.exists():
        raise LogError(f"{path}: file not found")
    try:
        if path.is_dir() or path.suffix.lower() in PARQUET_SUFFIXES:
            return pd.read_parquet(path)
        return _read_csv(path)
    except (OSError, ValueError, ImportError) as error:
        raise LogError(f"{path}: cannot read the log: {error}") from None
    except Exception as error:  # pyarrow's own parse errors have no common base we can name
        raise LogError(f"{path}: cannot read the log: {error}") from None


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.read_csv(path, dtype=str, engine="pyarrow")


def clean_log(
    raw: pd.DataFrame, mapping: dict[str, str] | None = None, source: str = "<log>"
) -> ContactLog:
    """Rename, coerce and check a raw table; see the module docstring for the contract."""
    table, notes = _renamed(raw, mapping or {}, source)
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        found = ", ".join(map(str, table.columns)) or "none"
        raise LogError(
            [
                f"{source}: missing required column(s) {', '.join(missing)} (found: {found}); "
                "rename an export's columns with ",
                MAPPING,
                " ours=theirs",
            ]
        )
    if len(table) == 0:
        raise LogError(f"{source}: the log has no rows")
    checker = _Checker(len(table))
    arrived = _timestamps(table["arrived_at"])
    checker.flag("arrived_at is missing or not an ISO-8601 timestamp", arrived.isna(), True)
    frame = pd.DataFrame({"row": np.arange(len(table), dtype=np.int64) + 2})
    frame["channel"] = _channels(table["channel"], checker)
    frame["outcome"] = _outcomes(table["outcome"], checker)
    frame["wait"] = _waits(table["wait_seconds"], frame["outcome"], checker)
    present = {c for c in OPTIONAL if c in table.columns}
    _optional(table, frame, present, checker)
    if "replication" in table.columns:
        arrived = _end_to_end(table["replication"], arrived, frame, notes)
    if "customer" in present and checker.all_missing_customers:
        notes.append("the customer column is empty: contacts cannot be followed across a journey")
        present.discard("customer")
        frame = frame.drop(columns="customer")
    keep = ~checker.dropped
    if not keep.any():
        lines = "; ".join(checker.report().lines())
        raise LogError(f"{source}: no usable rows ({lines})")
    frame, arrived = frame[keep], arrived[keep]
    origin = arrived.min().normalize()
    frame["arrived"] = ((arrived - origin) / pd.Timedelta(seconds=1)).to_numpy(float)
    frame = frame.sort_values(["arrived", "row"], kind="stable").reset_index(drop=True)
    return ContactLog(frame, source, origin, checker.report(), frozenset(present), notes)


def _renamed(
    raw: pd.DataFrame, mapping: dict[str, str], source: str
) -> tuple[pd.DataFrame, list[str]]:
    """Trim and lower-case the headers, then apply ``{ours: theirs}``."""
    table = raw.rename(columns=lambda c: str(c).strip().lower())
    notes: list[str] = []
    known = (*REQUIRED, *OPTIONAL)
    unknown = [ours for ours in mapping if ours not in known]
    if unknown:
        raise LogError(
            [
                f"{source}: ",
                MAPPING,
                f" names unknown column(s) {', '.join(unknown)}; ours are {', '.join(known)}",
            ]
        )
    theirs = {str(t).strip().lower(): ours for ours, t in mapping.items()}
    absent = [t for t in theirs if t not in table.columns]
    if absent:
        raise LogError(
            [f"{source}: ", MAPPING, f" refers to column(s) {', '.join(absent)}, not in the log"]
        )
    replaced = [ours for ours in theirs.values() if ours in table.columns and ours not in theirs]
    if replaced:
        notes.append(f"column(s) {', '.join(replaced)} replaced by the mapped ones")
        table = table.drop(columns=replaced)
    table = table.rename(columns=theirs)
    names = pd.Series(table.columns)
    twice = sorted(set(names[names.duplicated()]) & set(known))
    if twice:
        raise LogError(
            [
                f"{source}: column(s) {', '.join(twice)} given twice (headers are compared "
                "trimmed and lower-cased); keep one, or rename the other with ",
                MAPPING,
            ]
        )
    return table, notes


class _Checker:
    """Collects the reasons rows are bad, in the order they are found."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.dropped = np.zeros(rows, bool)
        self.reasons: list[BadReason] = []
        self.all_missing_customers = False

    def flag(self, reason: str, mask: pd.Series | np.ndarray, drop: bool) -> None:
        """Record ``reason`` for the rows in ``mask``; ``drop`` excludes them from fitting."""
        mask = np.asarray(mask, bool)
        count = int(mask.sum())
        if count == 0:
            return
        first = (np.flatnonzero(mask)[:FIRST_ROWS] + 2).tolist()
        self.reasons.append(BadReason(reason, count, first, drop))
        if drop:
            self.dropped |= mask

    def report(self) -> BadRows:
        """Everything flagged so far."""
        return BadRows(self.rows, int(self.dropped.sum()), list(self.reasons))


def _labels(column: pd.Series, normalise=lambda text: text.lower()) -> pd.Categorical:
    """A low-cardinality column as a categorical of normalised, trimmed text ("" if missing).

    The distinct values are normalised once each, not the million rows; categories are
    plain Python strings so that ``np.asarray`` of the result is cheap.
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    texts = [normalise(str(u).strip()) for u in uniques]
    categories = list(dict.fromkeys(["", *texts]))
    lookup = np.array([categories.index(t) for t in texts] + [0], dtype=np.int64)
    return pd.Categorical.from_codes(lookup[codes], pd.Index(categories, dtype=object))


def _among(labels: pd.Categorical, known: tuple[str, ...], other: str | None) -> pd.Categorical:
    """``labels`` recoded to the ``known`` categories; anything else becomes ``other``."""
    names = list(labels.categories)
    fill = known.index(other) if other is not None else -1
    lookup = np.array([known.index(n) if n in known else fill for n in names], dtype=np.int64)
    codes = lookup[np.asarray(labels.codes, np.int64)]
    return pd.Categorical.from_codes(codes, pd.Index(list(known), dtype=object))


def _timestamps(column: pd.Series) -> pd.Series:
    """Wall-clock timestamps (timezone-naive); NaT where missing or unparseable."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return column.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return column
    text = column.astype("string").fillna("").str.strip()
    # only rows with something after the minutes can carry an offset: test cheaply first
    tail = text.str.slice(16)
    offset = tail.str.contains("+", regex=False) | tail.str.contains("-", regex=False)
    offset |= tail.str.upper().str.contains("Z", regex=False)
    if offset.any():
        pattern = r"(\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
        text = text.where(~offset, text[offset].str.replace(pattern, r"\1", regex=True))
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # pragma: no cover - offsets stripped
        parsed = parsed.dt.tz_localize(None)
    return parsed


def _channels(column: pd.Series, checker: _Checker) -> pd.Categorical:
    labels = _labels(column, lambda t: t.lower().replace("-", "_").replace(" ", "_"))
    channel = _among(labels, channel_names(), None)
    channels = ", ".join(channel_names())
    checker.flag(f"channel is missing or not one of {channels}", channel.codes < 0, True)
    return channel


def _outcomes(column: pd.Series, checker: _Checker) -> pd.Categorical:
    labels = _labels(column, lambda t: t.lower().replace("-", "_").replace(" ", "_"))
    outcome = _among(labels, OUTCOMES, "other")
    unknown = np.asarray(outcome.codes) == OUTCOMES.index("other")
    checker.flag(
        "outcome is not answered, abandoned, self_served or fell_back: kept as 'other'",
        unknown,
        False,
    )
    return outcome


def _numbers(column: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column):
        return column.astype(float)
    return pd.to_numeric(column.astype("string").str.strip(), errors="coerce").astype(float)


def _waits(column: pd.Series, outcome: pd.Categorical, checker: _Checker) -> np.ndarray:
    wait = _numbers(column).to_numpy(float)
    checker.flag("wait_seconds is negative", wait < 0, True)
    needed = np.isin(np.asarray(outcome), ["answered", "abandoned"])
    checker.flag(
        "wait_seconds is missing or not a number for an answered or abandoned contact",
        needed & ~np.isfinite(wait),
        True,
    )
    return wait


def _optional(
    table: pd.DataFrame, frame: pd.DataFrame, present: set[str], checker: _Checker
) -> None:
    """Coerce the optional columns that are present, flagging unreadable values (rows kept)."""
    answered = np.asarray(frame["outcome"]) == "answered"
    if "handle_seconds" in present:
        handle = _numbers(table["handle_seconds"]).to_numpy(float)
        if "after_contact_seconds" in present:
            after = _numbers(table["after_contact_seconds"]).to_numpy(float)
            handle = handle + np.where(np.isfinite(after) & (after >= 0), after, 0.0)
        bad = answered & ~(handle > 0)
        checker.flag(
            "handle_seconds is missing, not a number or not positive for an answered contact: "
            "kept, not used for handle times",
            bad,
            False,
        )
        frame["handle"] = np.where(answered & (handle > 0), handle, np.nan)
    if "customer" in present:
        frame["customer"] = _customers(table["customer"], checker)
    if "pool" in present:
        frame["pool"] = _labels(table["pool"], lambda text: text)
    social = np.asarray(frame["channel"]) == "social"
    if "public" in present:
        labels = _labels(table["public"])
        meaning = [1.0 if t in _TRUE else 0.0 if t in _FALSE else np.nan for t in labels.categories]
        public = np.asarray(meaning, float)[np.asarray(labels.codes)]
        checker.flag(
            "public is not true/false on a social contact: kept, not used for the public share",
            social & np.isnan(public),
            False,
        )
        frame["public"] = np.where(social, public, np.nan)
    if "exchanges" in present:
        exchanges = _numbers(table["exchanges"]).to_numpy(float)
        whole = (exchanges >= 1) & (exchanges == np.floor(exchanges))
        checker.flag(
            "exchanges is not a whole number of at least 1 on an answered social contact: "
            "kept, not used for exchanges",
            social & answered & ~whole,
            False,
        )
        frame["exchanges"] = np.where(social & whole, exchanges, np.nan)
    if "reply_delay_seconds" in present:
        delay = _numbers(table["reply_delay_seconds"]).to_numpy(float)
        checker.flag(
            "reply_delay_seconds is negative: kept, not used for reply delays", delay < 0, False
        )
        frame["reply_delay"] = np.where(social & (delay >= 0), delay, np.nan)


def _end_to_end(
    replication: pd.Series, arrived: pd.Series, frame: pd.DataFrame, notes: list[str]
) -> pd.Series:
    """A trace's replications one after another (module docstring); one replication as is."""
    codes, uniques = pd.factorize(replication, sort=True)
    if len(uniques) < 2:
        return arrived
    known = arrived.notna().to_numpy()
    span = (arrived.max() - arrived.min()) / pd.Timedelta(days=1) if known.any() else 0.0
    weeks = math.ceil((span + 2) / 7)
    position = np.maximum(codes, 0).astype(np.int64)
    arrived = arrived + pd.to_timedelta(position * weeks * 7, unit="D")
    if "customer" in frame.columns:
        frame["customer"] = position * (int(frame["customer"].max()) + 1) + frame["customer"]
    notes.append(
        f"a ccsim trace of {len(uniques)} replications: laid end to end, each {weeks} week"
        f"{'s' if weeks > 1 else ''} after the previous (weekdays kept); customers numbered "
        "per replication"
    )
    return arrived


def _customers(column: pd.Series, checker: _Checker) -> np.ndarray:
    """Integer codes of the customer ids; a missing id becomes a customer of its own."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    codes = codes.astype(np.int64)
    if not pd.api.types.is_numeric_dtype(uniques.dtype):  # ids " 42" and "42" are one customer
        texts = [str(u).strip() for u in uniques]
        first = {t: i for i, t in reversed(list(enumerate(texts)))}
        lookup = np.array([-1 if t == "" else first[t] for t in texts] + [-1], np.int64)
        codes = lookup[codes]
    missing = codes < 0
    checker.all_missing_customers = bool(missing.all())
    if not checker.all_missing_customers:
        checker.flag("customer is missing: kept as a customer of its own", missing, False)
    codes[missing] = codes.max(initial=-1) + 1 + np.arange(int(missing.sum()))
    return codes
