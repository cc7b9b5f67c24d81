"""Samplers for the scenario's distributions, drawing in batches from one named stream.

A sampler turns a distribution spec (mean and coefficient of variation, as planners state
them) into numpy's parameters once, then hands out one value per ``next()`` from a pre-drawn
batch: per-draw cost is one C call, and the sequence of values is the same as drawing one at
a time, so common random numbers are preserved.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import chain

import numpy as np

from sim.model.streams import BATCH, batches
from sim.scenario.types import Deterministic, Empirical, Exponential, Gamma, Lognormal

Batch = Callable[[np.random.Generator, int], np.ndarray]


class Sampler(chain):
    """Draws from a distribution, a batch of ``BATCH`` at a time.

    An endless iterator of values: ``next(sampler)`` is the next one (a C call, as for
    :class:`sim.model.streams.Uniforms`). ``mean`` is the distribution's mean.
    """

    __slots__ = ("mean",)

    mean: float

    def __new__(cls, rng: np.random.Generator, batch: Batch, mean: float) -> Sampler:
        sampler = cls.from_iterable(batches(lambda: batch(rng, BATCH)))
        sampler.mean = mean
        return sampler


def lognormal_parameters(mean: float, cv: float) -> tuple[float, float]:
    """(mu, sigma) of the underlying normal for a lognormal with this mean and CV."""
    sigma2 = math.log1p(cv * cv)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


def batch_function(spec: object) -> tuple[Batch, float]:
    """numpy batch drawer and mean for a distribution spec from the schema."""
    if isinstance(spec, Exponential):
        mean = float(spec.mean)
        return (lambda rng, n: rng.exponential(mean, n)), mean
    if isinstance(spec, Lognormal):
        mean, cv = float(spec.mean), float(spec.cv)
        if cv == 0:
            return (lambda rng, n: np.full(n, mean)), mean
        mu, sigma = lognormal_parameters(mean, cv)
        return (lambda rng, n: rng.lognormal(mu, sigma, n)), mean
    if isinstance(spec, Gamma):
        mean, cv = float(spec.mean), float(spec.cv)
        shape, scale = 1.0 / (cv * cv), mean * cv * cv
        return (lambda rng, n: rng.gamma(shape, scale, n)), mean
    if isinstance(spec, Deterministic):
        value = float(spec.value)
        return (lambda rng, n: np.full(n, value)), value
    if isinstance(spec, Empirical):
        values = np.asarray(spec.values, dtype=float)
        return (lambda rng, n: rng.choice(values, n)), float(values.mean())
    raise TypeError(f"not a distribution: {spec!r}")


def sampler(spec: object, rng: np.random.Generator) -> Sampler:
    """A :class:`Sampler` for ``spec`` drawing from ``rng``."""
    batch, mean = batch_function(spec)
    return Sampler(rng, batch, mean)


def constant(value: float) -> Sampler:
    """A sampler that always returns ``value`` (no random stream needed)."""
    return Sampler(np.random.default_rng(0), lambda rng, n: np.full(n, value), value)
