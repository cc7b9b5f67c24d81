"""Contacts simulated per second: ccsim against an idiomatic SimPy reference.

    python benchmarks/throughput.py            # all three, 3 rounds, about 2 minutes
    python benchmarks/throughput.py --quick    # smaller runs, 1 round (a smoke test)
    python benchmarks/throughput.py --profile  # also cProfile's top entries for (a) and (b)

(a) a one-queue M/M/100+M phone centre at 95 Erlangs (200k customers) through ccsim's own
    run path (``simulate``: build, run, every metric and interval table);
(b) the multichannel baseline scenario (one replication of 7 days plus its warm-up);
(c) the same M/M/100+M written the idiomatic SimPy way (a process per customer, a Resource
    request raced against a patience timeout) as the reference;
(d) whole process: ``ccsim run`` of (a)'s scenario from a YAML file with ``--no-plots`` in a
    fresh interpreter — start-up, imports, loading, the simulation, summaries and CSV files
    written — against (e), the SimPy script of (c) run as a whole process the same way;
(f) start-up: ``ccsim --help`` and ``ccsim validate`` of the baseline, whole process.

The three are run in interleaved rounds and each reports its best round (as ``timeit`` does):
on a shared machine other tenants only ever slow a run down, so the best round is the
closest to what the code costs, and interleaving gives (a) and (c) the same conditions.
Each figure is given in wall time and in CPU time (user + system, of this process for (a)-(c),
of the child for (d)-(f)): on a busy machine a process waits for a core, which adds to its
wall time but not to its CPU time, so the CPU figures are the steadier ones there.
A benchmark, not a test: figures depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from simpy_reference import AGENTS, AHT_MIN, LOAD, PATIENCE_MIN, simpy_reference

from sim.experiment.replication import simulate
from sim.scenario import Scenario, load_scenario, validate_data

ROOT = Path(__file__).resolve().parents[1]


def mmc_scenario(customers: int) -> dict:
    """Scenario data for M/M/100+M at 95 Erlangs, long enough for ``customers`` arrivals."""
    per_hour = LOAD / (AHT_MIN / 60.0)
    hours = customers / per_hour
    return {
        "name": "mmc-benchmark",
        "run": {"horizon": f"{hours:.6f}h", "warmup": "0s", "replications": 1, "interval": "1h"},
        "demand": {"issues_per_hour": per_hour, "first_channel": {"phone": 1.0}},
        "channels": {
            "phone": {
                "handle_time": {"dist": "exponential", "mean": f"{AHT_MIN}min"},
                "patience": {"dist": "exponential", "mean": f"{PATIENCE_MIN}min"},
            }
        },
        "behaviour": {"after_abandon": {"retry": 0.0, "give_up": 1.0}},
        "pools": {"voice": {"agents": AGENTS, "skills": ["phone"]}},
    }


def ccsim_run(scenario: Scenario) -> int:
    """One replication through ccsim's run path; returns contacts simulated."""
    return simulate(scenario, 0).contacts_simulated


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def whole_process(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``python args...`` in a fresh interpreter."""
    cpu, started = children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True)
    return time.perf_counter() - started, children_cpu() - cpu


def whole_process_runs(
    customers: int, folder: Path
) -> dict[str, Callable[[], tuple[float, float]]]:
    """The whole-process commands: (d) ccsim run, (e) the SimPy script, (f) start-up."""
    from sim.scenario import scenario_to_yaml

    scenario_file = folder / "mmc.yaml"
    scenario_file.write_text(scenario_to_yaml(validate_data(mmc_scenario(customers))))
    run = ["-m", "sim", "run", str(scenario_file), "--no-plots", "--quiet", "--workers", "1"]
    run += ["-o", str(folder / "out"), "--overwrite"]
    baseline = str(ROOT / "scenarios" / "baseline.yaml")
    return {
        "(d) ccsim run, whole process": lambda: whole_process(run),
        "(e) SimPy script, whole process": lambda: whole_process(
            [str(Path(__file__).with_name("simpy_reference.py")), str(customers)]
        ),
        "(f) ccsim --help": lambda: whole_process(["-m", "sim", "--help"]),
        "(f) ccsim validate baseline": lambda: whole_process(["-m", "sim", "validate", baseline]),
    }


def rate_of(run: Callable[[], int]) -> tuple[int, float, float]:
    """(contacts, contacts per wall second, contacts per CPU second) of one call of ``run``."""
    cpu, started = time.process_time(), time.perf_counter()
    contacts = run()
    return (
        contacts,
        contacts / (time.perf_counter() - started),
        contacts / (time.process_time() - cpu),
    )


def top_entries(label: str, run: Callable[[], int], count: int = 15) -> None:
    """Print cProfile's top entries by own time for one call of ``run``."""
    profile = cProfile.Profile()
    profile.runcall(run)
    print(f"\ncProfile, {label}: top {count} by own time")
    pstats.Stats(profile).strip_dirs().sort_stats("tottime").print_stats(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs, one round")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 3, 1 if --quick)")
    parser.add_argument("--profile", action="store_true", help="also print cProfile top entries")
    args = parser.parse_args()
    customers = 50_000 if args.quick else 200_000
    days = 2 if args.quick else 7
    rounds = args.rounds or (1 if args.quick else 3)
    mmc = validate_data(mmc_scenario(customers))
    baseline = load_scenario(ROOT / "scenarios" / "baseline.yaml", [f"run.horizon={days}d"])
    runs = {
        "(a) ccsim, M/M/100+M, all metrics": lambda: ccsim_run(mmc),
        f"(b) ccsim, multichannel baseline, {days} days": lambda: ccsim_run(baseline),
        "(c) idiomatic SimPy reference, M/M/100+M": lambda: simpy_reference(customers),
    }
    print(f"M/M/{AGENTS}+M at {LOAD:g} Erlangs, {customers:,} customers; {rounds} round(s)")
    rates: dict[str, list[tuple[float, float]]] = {label: [] for label in runs}
    walls: dict[str, list[tuple[float, float]]] = {}
    contacts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="ccsim-bench-") as folder:
        processes = whole_process_runs(customers, Path(folder))
        walls = {label: [] for label in processes}
        for _ in range(rounds):
            for label, run in runs.items():
                contacts[label], rate, cpu_rate = rate_of(run)
                rates[label].append((rate, cpu_rate))
            for label, command in processes.items():
                walls[label].append(command())
    report(rates, contacts, walls, customers)
    if args.profile:
        for label, run in list(runs.items())[:2]:
            top_entries(label, run)


def report(
    rates: dict[str, list[tuple[float, float]]],
    contacts: dict[str, int],
    seconds: dict[str, list[tuple[float, float]]],
    customers: int,
) -> None:
    """Print every figure, wall and CPU: best round and median."""
    for label, pairs in rates.items():
        wall, cpu = ([pair[i] for pair in pairs] for i in (0, 1))
        print(
            f"{label:<46} {contacts[label]:>9,} contacts  best {max(wall):>9,.0f}/s"
            f"  median {statistics.median(wall):>9,.0f}/s  (CPU: best {max(cpu):>9,.0f}/s)"
        )
    for label, pairs in seconds.items():
        wall, cpu = ([pair[i] for pair in pairs] for i in (0, 1))
        print(
            f"{label:<46} best {min(wall):>6.2f} s  median {statistics.median(wall):>6.2f} s"
            f"  (CPU: best {min(cpu):>6.2f} s  median {statistics.median(cpu):>6.2f} s)"
        )
    for i, kind in enumerate(("wall", "CPU")):
        a, b, c = (max(pair[i] for pair in pairs) for pairs in rates.values())
        d, e = (customers / min(pair[i] for pair in seconds[k]) for k in list(seconds)[:2])
        fixed = min(pair[i] for pair in seconds["(d) ccsim run, whole process"]) - customers / a
        print(f"{kind}: (a)/(c) = {a / c:.2f}x   (a) = {a:,.0f}/s   (b) = {b:,.0f}/s   best rounds")
        print(
            f"{kind}: (d)/(e) = {d / e:.2f}x whole process ((d) = {d:,.0f}/s, (e) = {e:,.0f}/s); "
            f"ccsim run beyond the simulation: {fixed:.2f} s"
        )


if __name__ == "__main__":
    main()
