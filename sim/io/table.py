"""A table without pandas: named columns, written as CSV exactly as pandas writes them.

``ccsim run`` needs no pandas of its own: the model counts, numpy tabulates, and the run's
tables (``summary.csv``, ``replications.csv``, ``intervals.csv``) are written from a
:class:`Table`. Importing pandas (with the pyarrow it loads) costs ~0.45 s of CPU, as much as
simulating over 100,000 contacts, so a run that only writes its files leaves it out;
:meth:`Table.frame` builds the DataFrame for whoever wants one (the Python API, plots,
studies). The writer is also the faster one: 0.63 s against pandas' 1.07 s of CPU for a
140,000-row, 15-column table.

The CSV text is byte for byte what ``DataFrame.to_csv(index=False, float_format="%.10g")``
gives for the same columns (tests/test_table.py compares the two on awkward values): a float
column is ``"%.10g" % value`` with NaN as an empty field, an integer column is ``str(value)``,
a text column is the text, and fields are quoted by the :mod:`csv` module as pandas quotes
them.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    Column = np.ndarray | Sequence[str]
    """A column: a float or integer array, or texts."""

FLOAT_FORMAT = "%.10g"
"""How every CSV ccsim writes shows a float: ten significant digits."""


class Table:
    """Equally long named columns: float or integer numpy arrays, or sequences of text."""

    def __init__(self, columns: Mapping[str, Column]) -> None:
        self.columns: dict[str, Column] = dict(columns)
        lengths = {len(values) for values in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of unequal length: {sorted(lengths)}")
        self.length = lengths.pop() if lengths else 0

    def __len__(self) -> int:
        return self.length

    def rows(self) -> Iterator[dict[str, Any]]:
        """Each row as ``{column: value}`` with Python values (floats, ints, text)."""
        names = list(self.columns)
        plain = [_plain(values) for values in self.columns.values()]
        for row in zip(*plain, strict=True):
            yield dict(zip(names, row, strict=True))

    def csv(self) -> str:
        """The table as CSV text, header first (what pandas' ``to_csv`` writes, see above)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator=os.linesep)
        writer.writerow(self.columns)
        cells = [_cells(values) for values in self.columns.values()]
        writer.writerows(zip(*cells, strict=True))
        return buffer.getvalue()

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame (imports pandas)."""
        import pandas as pd

        return pd.DataFrame({name: _frame_column(values) for name, values in self.columns.items()})


def _kind(values: Column) -> str:
    """``f`` (floats), ``i`` (integers) or ``t`` (text) (numpy is not imported for this)."""
    kind = getattr(getattr(values, "dtype", None), "kind", "t")
    if kind == "u":
        return "i"
    if kind not in "fit":
        raise TypeError(f"a Table column holds floats, integers or text, not {values.dtype}")
    return kind


def _plain(values: Column) -> list[Any]:
    """A column's values as Python objects."""
    return values.tolist() if _kind(values) in "fi" else list(values)


def _cells(values: Column) -> list[str]:
    """A column's CSV fields: floats at :data:`FLOAT_FORMAT` (NaN empty), others as text."""
    if _kind(values) == "f":
        return [FLOAT_FORMAT % v if v == v else "" for v in values.tolist()]
    return [str(v) for v in _plain(values)]


def _frame_column(values: Column) -> Any:
    """What pandas is given for a column: the array itself, or the texts as a list."""
    return values if _kind(values) in "fi" else list(values)
