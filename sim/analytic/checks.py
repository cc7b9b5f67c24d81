"""Argument checks shared by the analytic formulas: clear ValueErrors, no silent coercion."""

from __future__ import annotations

import math
import numbers

MAX_AGENTS = 10_000_000
"""Staffing searches give up (ValueError) beyond this many agents."""


def check_servers(n: object, name: str = "n") -> int:
    """Return ``n`` as an int, or raise ValueError unless it is an integer >= 1."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise ValueError(f"{name} must be an integer number of agents, got {n!r}")
    if n < 1:
        raise ValueError(f"{name} must be >= 1, got {n}")
    return int(n)


def check_positive(value: object, name: str) -> float:
    """Return ``value`` as a float, or raise ValueError unless it is finite and > 0."""
    x = as_real(value, name)
    if not (math.isfinite(x) and x > 0.0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return x


def check_nonnegative(value: object, name: str) -> float:
    """Return ``value`` as a float, or raise ValueError unless it is finite and >= 0."""
    x = as_real(value, name)
    if not (math.isfinite(x) and x >= 0.0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return x


def check_target(value: object) -> float:
    """Return a service-level target as a float, or raise ValueError unless 0 <= t < 1."""
    x = as_real(value, "target")
    if not (0.0 <= x < 1.0):
        raise ValueError(f"target must be a fraction in [0, 1), got {value!r}")
    return x


def as_real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    x = float(value)
    if math.isnan(x):
        raise ValueError(f"{name} must not be NaN")
    return x


def probability(value: float) -> float:
    """Clamp a probability computed as a sum of terms to [0, 1] (last-ulp rounding)."""
    return min(1.0, max(0.0, value))
