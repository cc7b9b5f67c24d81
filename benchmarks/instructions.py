"""Instructions per contact under callgrind: ccsim's core against the idiomatic SimPy script.

    python benchmarks/instructions.py               # both, about 10 minutes under valgrind
    python benchmarks/instructions.py --only ccsim  # one side

Wall-clock rates swing with whatever else the machine runs; instruction counts do not. Each
side runs the M/M/100+M benchmark of ``throughput.py`` twice under ``valgrind
--tool=callgrind`` (5,000 and 15,000 customers, ``PYTHONHASHSEED=0``), and the difference of
the two totals over the 10,000 extra customers is the cost of one contact: start-up,
imports and building the centre cancel out. ccsim runs its own replication path
(``simulate``: the run, every metric, the tables); SimPy runs ``simpy_reference.py``.
Needs valgrind (Debian package ``valgrind``). A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZES = (5_000, 15_000)

DRIVERS = {
    "ccsim": (
        "import sys; sys.path[:0] = [{root!r}, {here!r}]\n"
        "from throughput import mmc_scenario\n"
        "from sim.experiment.replication import simulate\n"
        "from sim.scenario import validate_data\n"
        "simulate(validate_data(mmc_scenario({n})), 0)\n"
    ),
    "simpy": (
        "import sys; sys.path[:0] = [{here!r}]\n"
        "from simpy_reference import simpy_reference\n"
        "simpy_reference({n})\n"
    ),
}


def instructions(side: str, customers: int, folder: Path) -> int:
    """Total instructions callgrind counts for one run of ``side`` with ``customers``."""
    driver = DRIVERS[side].format(root=str(ROOT), here=str(HERE), n=customers)
    out = folder / f"callgrind.{side}.{customers}"
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
    command += [sys.executable, "-c", driver]
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    subprocess.run(command, check=True, capture_output=True, env=environment)
    totals = re.search(r"^totals:\s+(\d+)", out.read_text(), re.MULTILINE)
    if totals is None:
        raise RuntimeError(f"no totals in {out}")
    return int(totals.group(1))


def per_contact(side: str, folder: Path) -> float:
    """Instructions per contact: the difference of the two sizes over the extra customers."""
    small, large = (instructions(side, n, folder) for n in SIZES)
    return (large - small) / (SIZES[1] - SIZES[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(DRIVERS), help="measure one side only")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian package 'valgrind')", file=sys.stderr)
        return 2
    sides = [args.only] if args.only else ["ccsim", "simpy"]
    figures = {}
    with tempfile.TemporaryDirectory(prefix="ccsim-callgrind-") as folder:
        for side in sides:
            figures[side] = per_contact(side, Path(folder))
            print(f"{side}: {figures[side]:,.0f} instructions per contact", flush=True)
    if len(figures) == 2:
        print(f"SimPy / ccsim: {figures['simpy'] / figures['ccsim']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
