"""The t quantiles of every confidence interval are SciPy's, bit for bit, without SciPy."""

from __future__ import annotations

import subprocess
import sys

import pytest
from scipy import stats

from sim.experiment.statistics import t_quantile
from sim.experiment.t_table import MAX_DF


def test_the_table_is_scipys_quantile_for_every_df() -> None:
    for df in range(1, MAX_DF + 1):
        assert t_quantile(0.975, df) == float(stats.t.ppf(0.975, df)), df


@pytest.mark.parametrize(
    ("probability", "df"), [(0.975, 1500), (0.95, 9), (0.995, 4), (0.975, 7.3)]
)
def test_beyond_the_table_scipy_is_asked(probability: float, df: float) -> None:
    assert t_quantile(probability, df) == float(stats.t.ppf(probability, df))


def test_a_run_summary_imports_no_scipy() -> None:
    code = (
        "import sys, numpy as np\n"
        "from sim.experiment.statistics import confidence_interval\n"
        "confidence_interval(np.arange(10.0))\n"
        "print(any(m == 'scipy' or m.startswith('scipy.') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
