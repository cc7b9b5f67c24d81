"""Contacts simulated per second: ccsim against an idiomatic SimPy reference.

    python benchmarks/throughput.py            # all three, ~1 minute
    python benchmarks/throughput.py --quick    # smaller runs

(a) a one-queue M/M/100+M phone centre at 95 Erlangs (200k customers) through ccsim's own
    run path with every metric on; (b) the multichannel baseline scenario (one replication);
(c) the same M/M/100+M written the idiomatic SimPy way (a process per customer, a Resource
    request raced against a patience timeout) as the reference. Prints contacts/s and (a)/(c).
A benchmark, not a test: figures depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import simpy

from sim.model.centre import simulate
from sim.scenario import load_scenario, validate_data

AGENTS, LOAD, AHT_MIN, PATIENCE_MIN = 100, 95.0, 5.0, 10.0
ROOT = Path(__file__).resolve().parents[1]


def mmc_scenario(customers: int) -> dict:
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


def timed(label: str, run) -> float:
    started = time.perf_counter()
    contacts = run()
    seconds = time.perf_counter() - started
    rate = contacts / seconds
    print(f"{label:<48} {contacts:>10,} contacts {seconds:>7.2f} s {rate:>12,.0f} contacts/s")
    return rate


def ccsim_mmc(customers: int) -> int:
    return simulate(validate_data(mmc_scenario(customers)), 0).contacts_simulated


def ccsim_baseline(days: int) -> int:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", [f"run.horizon={days}d"])
    return simulate(scenario, 0).contacts_simulated


def simpy_reference(customers: int) -> int:
    """Idiomatic SimPy: one process per customer, request | timeout, a Resource of agents."""
    rng = np.random.default_rng(1)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    rate = LOAD / AHT_MIN  # per minute
    served = abandoned = 0

    def customer(env: simpy.Environment):
        nonlocal served, abandoned
        with agents.request() as request:
            result = yield request | env.timeout(rng.exponential(PATIENCE_MIN))
            if request in result:
                served += 1
                yield env.timeout(rng.exponential(AHT_MIN))
            else:
                abandoned += 1

    def arrivals(env: simpy.Environment):
        for _ in range(customers):
            yield env.timeout(rng.exponential(1.0 / rate))
            env.process(customer(env))

    env.process(arrivals(env))
    env.run()
    return served + abandoned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test)")
    args = parser.parse_args()
    customers = 50_000 if args.quick else 200_000
    days = 2 if args.quick else 7
    print(f"M/M/{AGENTS}+M at {LOAD:g} Erlangs, {customers:,} customers; baseline {days} days")
    a = timed("(a) ccsim, one phone queue, all metrics", lambda: ccsim_mmc(customers))
    b = timed("(b) ccsim, multichannel baseline", lambda: ccsim_baseline(days))
    c = timed("(c) idiomatic SimPy reference", lambda: simpy_reference(customers))
    print(f"(a)/(c) = {a / c:.2f}x   (b) = {b:,.0f} contacts/s")


if __name__ == "__main__":
    main()
