"""Named random streams for common random numbers.

Every purpose (arrivals, channel choice, each channel's handle times, patience, behaviour...)
draws from its own numpy Generator, seeded from the scenario seed, the replication number and
a stable hash of the purpose's name. Adding a new purpose never shifts an existing stream, so
policy variants see the same customers, and replication ``r`` is the same whether it runs
alone, in a sweep, serially or in parallel.
"""

from __future__ import annotations

import zlib

import numpy as np

BATCH = 4096


def stream(seed: int, replication: int, purpose: str) -> np.random.Generator:
    """The Generator for one purpose in one replication."""
    key = zlib.crc32(purpose.encode("utf-8"))
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(replication, key)))
    )


class Uniforms:
    """Uniform(0, 1) draws, batched: one call per draw, one numpy call per ``BATCH``."""

    __slots__ = ("_buf", "_i", "_rng")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._buf: list[float] = []
        self._i = 0

    def draw(self) -> float:
        """The next uniform number."""
        i = self._i
        if i == len(self._buf):
            self._buf = self._rng.random(BATCH).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]

    def choose(self, cumulative: list[float], options: list[str]) -> str:
        """Pick one of ``options`` with the probabilities whose running sums are ``cumulative``."""
        return pick(self.draw(), cumulative, options)


def pick(u: float, cumulative: list[float], options: list[str]) -> str:
    """The option whose slice of [0, 1) holds the uniform number ``u``."""
    for bound, option in zip(cumulative, options, strict=True):
        if u < bound:
            return option
    return options[-1]


def cumulative_shares(shares: dict[str, float]) -> tuple[list[float], list[str]]:
    """Running sums of positive shares and their keys, for :meth:`Uniforms.choose`."""
    options = [key for key, share in shares.items() if share > 0]
    total = sum(shares[key] for key in options)
    running, bounds = 0.0, []
    for key in options:
        running += shares[key] / total
        bounds.append(running)
    if bounds:
        bounds[-1] = 1.0
    return bounds, options
