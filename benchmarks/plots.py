"""Drawing a run's plots and report: seconds for a 28-day baseline run folder.

    python benchmarks/plots.py                 # runs the baseline (28 days) once, then times
    python benchmarks/plots.py --folder DIR    # times an existing run folder

Times ``plot_run`` (every PNG) and ``write_run_report`` (the page, plots embedded) in this
process, best of three rounds, and ``ccsim plot DIR`` as a whole process (imports included).
Figures are CPU seconds (user + system), which other work on a shared machine disturbs far
less than wall-clock seconds; the whole process's wall time is printed beside its CPU time.
"""

from __future__ import annotations

import argparse
import resource
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
            started = time.process_time()
            plot_run(folder)
            draw.append(time.process_time() - started)
            started = time.process_time()
            write_run_report(folder)
            page.append(time.process_time() - started)
        whole, wall = [], []
        for _ in range(args.rounds):
            before, started = _children_cpu(), time.perf_counter()
            plot = [sys.executable, "-m", "sim", "plot", str(folder)]
            subprocess.run(plot, check=True, stdout=subprocess.DEVNULL)
            whole.append(_children_cpu() - before)
            wall.append(time.perf_counter() - started)
    print(
        f"CPU seconds, best of {args.rounds}: plots {min(draw):.2f} s, report {min(page):.2f} s "
        f"(in process); ccsim plot, whole process: {min(whole):.2f} s "
        f"(wall {min(wall):.2f} s)"
    )


def _children_cpu() -> float:
    """User + system CPU seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
