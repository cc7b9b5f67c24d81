"""Where a contact's work goes: bytecodes and calls per contact in each engine function.

    python benchmarks/bytecodes.py            # M/M/100+M through ccsim's run path, ~1 minute
    python benchmarks/bytecodes.py --top 40

``instructions.py`` gives the one stable total (machine instructions per contact, under
callgrind); this says which functions of ``sim/model`` spend them, in the unit the
interpreter executes. It runs the M/M/100+M benchmark of ``throughput.py`` twice (5,000 and
15,000 customers) with :func:`sys.settrace` counting every bytecode executed in
``sim/model`` (``f_trace_opcodes``), and prints the difference over the 10,000 extra
customers: start-up and building the centre cancel out, as in ``instructions.py``. The
tracer slows the run a hundredfold but changes nothing it counts. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from throughput import mmc_scenario  # noqa: E402

from sim.experiment.replication import simulate  # noqa: E402
from sim.scenario import validate_data  # noqa: E402

SIZES = (5_000, 15_000)
ENGINE = f"{Path('sim', 'model')}/"


def counted(customers: int) -> tuple[Counter[str], Counter[str]]:
    """Bytecodes and calls per engine function in one run of ``customers`` customers."""
    scenario = validate_data(mmc_scenario(customers))
    codes: Counter[str] = Counter()
    calls: Counter[str] = Counter()

    def on_call(frame: FrameType, event: str, arg: Any) -> Any:
        path = frame.f_code.co_filename
        if ENGINE not in path:
            return None
        name = f"{path.split(ENGINE)[1]}:{frame.f_code.co_name}"
        calls[name] += 1
        frame.f_trace_opcodes = True

        def on_step(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "opcode":
                codes[name] += 1
            return on_step

        return on_step

    sys.settrace(on_call)
    try:
        simulate(scenario, 0)
    finally:
        sys.settrace(None)
    return codes, calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=25, help="functions to list (default 25)")
    args = parser.parse_args()
    (codes_a, calls_a), (codes_b, calls_b) = (counted(n) for n in SIZES)
    extra = SIZES[1] - SIZES[0]
    rows = sorted(
        (
            ((codes_b[name] - codes_a[name]) / extra, (calls_b[name] - calls_a[name]) / extra, name)
            for name in set(codes_a) | set(codes_b)
        ),
        reverse=True,
    )
    print(
        f"per contact: {sum(r[0] for r in rows):,.0f} bytecodes, "
        f"{sum(r[1] for r in rows):.1f} calls of engine functions"
    )
    print(f"{'bytecodes':>9} {'calls':>6}  function")
    for codes, calls, name in rows[: args.top]:
        print(f"{codes:9.1f} {calls:6.3f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
