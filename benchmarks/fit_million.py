"""Fitting a one-million-contact log: wall time and peak memory of ``fit_log``.

    python benchmarks/fit_million.py            # 1,000,000 rows, Parquet
    python benchmarks/fit_million.py --csv      # the same log as CSV (slower to read)
    python benchmarks/fit_million.py --rows 200000
    python benchmarks/fit_million.py --report   # also draw fit_report.html (ccsim fit does)

The log comes from the tests' independent generator (``tests/fit_generator.py``: numpy, not
the ccsim model): 28 days of issues, sized to give at least the requested rows and cut to
exactly that many by arrival. The log is made in a child process, so this process's peak
memory (its maximum resident set size, ``resource.getrusage``) is the fit's alone, reading
the file included; Linux carries that peak over from parent to child, so the other way round
would report the generator's.
Targets: under 30 s and under 2 GiB. A benchmark, not a test: figures depend on the machine
and on what else it is doing.
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
CONTACTS_PER_ISSUE = 1.15  # the generator's default truth makes about 1.23 an issue


def peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def write_log(rows: int, seed: int, folder: Path, csv: bool) -> Path:
    """Generate the log and write it as Parquet (or CSV); returns its path."""
    sys.path.insert(0, str(ROOT / "tests"))  # the generator lives with the tests
    from fit_generator import Truth, generate

    days = 28
    truth = Truth(days=days, issues_per_day=rows / CONTACTS_PER_ISSUE / days)
    log = generate(truth, seed)
    if len(log) < rows:
        raise SystemExit(f"the generator made only {len(log):,} rows; lower CONTACTS_PER_ISSUE")
    log = log.iloc[:rows]
    path = folder / ("log.csv" if csv else "log.parquet")
    if csv:
        log.to_csv(path, index=False)
    else:
        log.to_parquet(path, index=False)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--csv", action="store_true", help="write and fit CSV instead of Parquet")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--report", action="store_true", help="also time the HTML report")
    parser.add_argument("--make-only", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_only:
        print(write_log(args.rows, args.seed, Path(args.make_only), args.csv))
        return
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        command = [sys.executable, __file__, "--make-only", tmp, "--rows", str(args.rows)]
        command += ["--seed", str(args.seed)] + (["--csv"] if args.csv else [])
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        path = Path(done.stdout.strip().splitlines()[-1])
        made = time.perf_counter() - started
        size = path.stat().st_size / 2**20
        before = peak_mib()
        from sim.studies.fit import fit_log

        imported = peak_mib()
        started, cpu = time.perf_counter(), time.process_time()
        result = fit_log(path)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if args.report:
            from sim.present.report.fit import fit_report_html

            started = time.perf_counter()
            page = fit_report_html(result)
            drawn = time.perf_counter() - started
    rows = result.bad_rows.total_rows
    print(f"log: {rows:,} rows, {path.suffix[1:]} {size:.1f} MiB (made in {made:.1f} s)")
    print(f"fit_log: {seconds:.1f} s wall, {cpu:.1f} s CPU (target < 30 s)")
    if args.report:
        print(f"fit_report.html: {drawn:.1f} s more, {len(page) / 2**20:.1f} MiB")
    print(
        f"peak memory: {peak_mib():,.0f} MiB (target < 2,048 MiB; {before:,.0f} MiB before "
        f"importing the fitter, {imported:,.0f} MiB after)"
    )
    print(f"estimates: {len(result.estimates)}, rows dropped: {result.bad_rows.dropped}")


if __name__ == "__main__":
    main()
