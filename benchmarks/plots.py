"""Drawing a run's plots and report: seconds for a 28-day baseline run folder.

    python benchmarks/plots.py                 # runs the baseline (28 days) once, then times
    python benchmarks/plots.py --folder DIR    # times an existing run folder

Times ``plot_run`` (every PNG) and ``write_run_report`` (the page, plots embedded) in this
process, best of three rounds, and ``ccsim plot DIR`` as a whole process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, help="an existing run folder")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ccsim-plots-") as tmp:
        folder = args.folder or Path(tmp) / "baseline"
        if args.folder is None:
            baseline = str(ROOT / "scenarios" / "baseline.yaml")
            command = [sys.executable, "-m", "sim", "run", baseline, "--no-plots", "--quiet"]
            subprocess.run([*command, "-o", str(folder)], check=True)
        from sim.present.plots.run import plot_run
        from sim.present.report.run import write_run_report

        draw, page = [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            plot_run(folder)
            draw.append(time.perf_counter() - started)
            started = time.perf_counter()
            write_run_report(folder)
            page.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sim", "plot", str(folder)], check=True)
        whole = time.perf_counter() - started
    print(
        f"plots {min(draw):.2f} s, report {min(page):.2f} s (best of {args.rounds}, in process); "
        f"ccsim plot, whole process: {whole:.2f} s"
    )


if __name__ == "__main__":
    main()
