"""Named random streams for common random numbers.

Every purpose (arrivals, channel choice, each channel's handle times, patience, behaviour...)
draws from its own numpy Generator, seeded from the scenario seed, the replication number and
a stable hash of the purpose's name. Adding a new purpose never shifts an existing stream, so
policy variants see the same customers, and replication ``r`` is the same whether it runs
alone, in a sweep, serially or in parallel.
"""

from __future__ import annotations

import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator
from itertools import chain

import numpy as np

BATCH = 4096


def stream(seed: int, replication: int, purpose: str) -> np.random.Generator:
    """The Generator for one purpose in one replication."""
    key = zlib.crc32(purpose.encode("utf-8"))
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(replication, key)))
    )


class Uniforms(chain):
    """Uniform(0, 1) draws from one stream, batched: one numpy call per ``BATCH`` draws.

    An endless iterator: ``next(uniforms)`` is the next draw. It is an ``itertools.chain``
    over the batches, so a draw is one C call with no Python frame (a method such as
    ``uniforms.draw()`` would cost twice as much); the sequence is the same as drawing
    one at a time.
    """

    __slots__ = ()

    def __new__(cls, rng: np.random.Generator) -> Uniforms:
        return cls.from_iterable(batches(lambda: rng.random(BATCH)))

    def choose(self, cumulative: list[float], options: list[str]) -> str:
        """Pick one of ``options`` with the probabilities whose running sums are ``cumulative``.

        With a single option nothing is drawn: there is no choice to make.
        """
        if len(options) == 1:
            return options[0]
        return options[bisect_right(cumulative, next(self))]  # pick(), without the call


def batches(draw_batch: Callable[[], np.ndarray]) -> Iterator[list[float]]:
    """Successive ``draw_batch()`` arrays, as lists (chained into single draws)."""
    while True:
        yield draw_batch().tolist()


def pick(u: float, cumulative: list[float], options: list[str]) -> str:
    """The option whose slice of [0, 1) holds the uniform number ``u`` (``cumulative`` ends
    at exactly 1.0, see :func:`cumulative_shares`, so every ``u < 1`` has one)."""
    return options[bisect_right(cumulative, u)]


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
