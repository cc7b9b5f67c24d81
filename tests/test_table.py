"""The pandas-free tables a run writes read exactly as pandas would have written them.

``ccsim run`` builds its tables with numpy and writes them with :class:`sim.io.table.Table`;
the files must stay byte-identical to ``DataFrame.to_csv(index=False, float_format=...)``
and the interval means to ``groupby(...).mean()``. These tests hold the two side by side on
awkward values: NaN, infinities, negative zero, subnormal and huge magnitudes, digits past
the tenth, text that needs quoting.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from sim.experiment.results import interval_table, kahan_mean
from sim.io.table import FLOAT_FORMAT, Table
from sim.scenario import validate_data

AWKWARD = [
    0.1,
    -0.0,
    0.0,
    float("nan"),
    float("inf"),
    float("-inf"),
    1e-300,
    5e-324,  # the smallest subnormal
    1.7976931348623157e308,
    123456789012.0,
    1 / 3,
    2.0,
    -1e16,
    0.1 + 0.2,
    1e-5,
    12345.678901234,
    -987654.32105,
    99999999995.0,  # rounds up across a power of ten at ten digits
]
TEXTS = ["a", "b,c", 'd"e', "", " lead", "pool:voice", "é", "two\nlines", "centre"]


def pandas_csv(table: Table) -> str:
    """What pandas writes for the same columns, as ccsim wrote run tables before."""
    return table.frame().to_csv(index=False, float_format=FLOAT_FORMAT)


def test_csv_is_pandas_text_on_awkward_floats_integers_and_texts() -> None:
    floats = np.array(AWKWARD)
    n = len(floats)
    table = Table(
        {
            "interval": np.arange(n) - 5,
            "scope": [TEXTS[i % len(TEXTS)] for i in range(n)],
            "big": np.array([2**62 - i for i in range(n)], dtype=np.int64),
            "value": floats,
            "negated": -floats,
            "scaled": floats * 1e-7,
        }
    )
    text = table.csv()
    assert text == pandas_csv(table)
    assert ",-0," in text and ",inf," in text and '"b,c"' in text  # the cases are really there


def test_csv_of_random_floats_at_every_magnitude_is_pandas_text() -> None:
    rng = np.random.default_rng(19)
    values = rng.standard_normal(3000) * 10.0 ** rng.integers(-320, 300, 3000)
    values[rng.integers(0, 3000, 300)] = np.nan
    table = Table(
        {"x": values, "y": np.round(values, 3), "n": rng.integers(-(10**12), 10**12, 3000)}
    )
    assert table.csv() == pandas_csv(table)


def test_rows_are_python_values_and_columns_must_match() -> None:
    table = Table({"scope": ["phone", "email"], "mean": np.array([1.5, np.nan])})
    rows = list(table.rows())
    assert rows[0] == {"scope": "phone", "mean": 1.5} and type(rows[0]["mean"]) is float
    with pytest.raises(ValueError, match="unequal length"):
        Table({"a": np.arange(2), "b": ["x"]})
    with pytest.raises(TypeError, match="floats, integers or text"):
        Table({"flag": np.array([True, False])}).csv()


def replication_columns(rng: np.random.Generator, cells: int) -> np.ndarray:
    """One replication's values: mixed magnitudes, NaN, infinities and signed zeros."""
    values = rng.standard_normal(cells) * 10.0 ** rng.integers(-8, 12, cells)
    pick = rng.random(cells)
    values[pick < 0.15] = np.nan
    values[(pick >= 0.15) & (pick < 0.17)] = np.inf
    values[(pick >= 0.17) & (pick < 0.18)] = -np.inf
    values[(pick >= 0.18) & (pick < 0.2)] = -0.0
    values[:5] = np.nan  # cells with nothing counted in any replication
    return values


@pytest.mark.parametrize("replications", [1, 2, 7, 40])
def test_kahan_mean_is_pandas_groupby_mean_to_the_bit(replications: int) -> None:
    rng = np.random.default_rng(replications)
    cells = 2000
    arrays = [replication_columns(rng, cells) for _ in range(replications)]
    stacked = pd.DataFrame({"cell": np.tile(np.arange(cells), replications)})
    stacked["value"] = np.concatenate(arrays)
    expected = stacked.groupby("cell", sort=False)["value"].mean().to_numpy()
    got = kahan_mean(arrays)
    same = (got == expected) | (np.isnan(got) & np.isnan(expected))
    assert same.all(), np.flatnonzero(~same)[:5]
    assert np.array_equal(np.signbit(got), np.signbit(expected))
    if replications >= 7:  # a plain mean differs somewhere: the test can tell them apart
        with warnings.catch_warnings():  # cells with nothing counted
            warnings.simplefilter("ignore", RuntimeWarning)
            plain = np.nanmean(np.vstack(arrays), axis=0)
        assert not ((plain == expected) | (np.isnan(plain) & np.isnan(expected))).all()


def test_replications_with_other_rows_are_refused() -> None:
    scenario = validate_data(
        {
            "name": "t",
            "demand": {"issues_per_hour": 10.0, "first_channel": {"phone": 1.0}},
            "channels": {"phone": {"handle_time": {"dist": "exponential", "mean": "5min"}}},
            "pools": {"voice": {"agents": 2, "skills": ["phone"]}},
        }
    )
    one = Table({"interval": np.arange(2), "scope": ["phone", "phone"]})
    other = Table({"interval": np.arange(2), "scope": ["phone", "email"]})
    with pytest.raises(ValueError, match="different rows"):
        interval_table(scenario, [one, other])
