"""The reference: an M/M/100+M queue written the idiomatic SimPy way.

One process per customer, a ``Resource`` of agents, the request raced against a patience
timeout. ``python benchmarks/simpy_reference.py 200000`` runs it as a whole process (what
``benchmarks/throughput.py`` times against ``ccsim run``); it imports only NumPy and SimPy.
"""

from __future__ import annotations

import sys

import numpy as np
import simpy

AGENTS, LOAD, AHT_MIN, PATIENCE_MIN = 100, 95.0, 5.0, 10.0


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


if __name__ == "__main__":
    print(simpy_reference(int(sys.argv[1])))
