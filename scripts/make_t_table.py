"""Write ``sim/experiment/t_table.py``: Student t quantiles at 0.975 for 1-1000 degrees of
freedom, exactly as SciPy computes them, so a 95% interval needs no SciPy at run time.

    python scripts/make_t_table.py
"""

from __future__ import annotations

from pathlib import Path

from scipy import special

MAX_DF = 1000
OUT = Path(__file__).resolve().parents[1] / "sim" / "experiment" / "t_table.py"
HEADER = '''"""Student t quantiles at probability 0.975 (two-sided 95% intervals) for 1 to {max_df}
degrees of freedom, as ``scipy.special.stdtrit`` computes them (and so ``scipy.stats.t.ppf``),
bit for bit: each is written as its shortest round-trip repr. Written by
``scripts/make_t_table.py``; a test holds it to SciPy. Importing SciPy would cost a planner
over half a second at every run."""

MAX_DF = {max_df}
_VALUES = """
{values}
"""
T975: tuple[float, ...] = (float("nan"), *map(float, _VALUES.split()))
"""``T975[df]``: the quantile for ``df`` degrees of freedom (index 0 unused)."""
'''


def main() -> None:
    values = [repr(float(special.stdtrit(df, 0.975))) for df in range(1, MAX_DF + 1)]
    lines = [" ".join(values[i : i + 5]) for i in range(0, len(values), 5)]
    OUT.write_text(HEADER.format(max_df=MAX_DF, values="\n".join(lines)))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
