"""Wall time of ``ccsim staff`` on the baseline with default settings, as a planner runs it.

    python benchmarks/staff.py                      # the channels' own targets, defaults
    python benchmarks/staff.py --target "phone.service_level>=0.8"   # plus a phone target

Runs the command in a fresh interpreter with its output piped (not a terminal, so progress
comes as plain lines, shown as they arrive), and reports the wall time of the whole process:
start-up, the search (3 replications of 7 days per candidate by default) and the
verification of the original and the answer with the file's own settings and fresh seeds
(10 replications of 28 days). The goal is under 3 minutes on 2 cores. A benchmark, not a
test: the figure depends on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", action="append", default=[], help="passed to ccsim staff")
    parser.add_argument("--scenario", default=str(BASELINE))
    args, extra = parser.parse_known_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "staffed.yaml"
        command = [sys.executable, "-m", "sim", "staff", args.scenario, "-o", str(out)]
        for target in args.target:
            command += ["--target", target]
        command += extra
        print("$", " ".join(command[2:]), flush=True)
        started = time.monotonic()
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        for line in process.stdout:
            print(f"[{time.monotonic() - started:6.1f}s] {line}", end="", flush=True)
        code = process.wait()
        wall = time.monotonic() - started
    print(f"\nccsim staff exited {code} after {wall:.0f} s wall time (goal: under 180 s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
