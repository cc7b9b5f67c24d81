"""The ``demand.customers:`` section: issues that belong to customers who remember.

Optional. With it, every issue belongs to one of ``count`` customers (drawn at random, so
a customer has ``issues_per_day x 365 / count`` issues a year on average). Customers keep a
history: one whose public complaint was answered in time (``policy.social_mode: serve``)
goes to social first on a later issue with probability ``social_habit`` (the individual
"jump the line" habit); one who gave up, or whose public complaint was ignored or answered
late, leaves with the ``value.churn`` probability of that outcome (the defaults when the
scenario has no ``value:`` section) and is replaced by a new customer, so the base keeps
its size. ``demand.customers: 2000000`` is short for ``{count: 2000000}``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import model_validator

from sim.scenario.types import PositiveInt, Section, Share


class Customers(Section):
    """A customer base with memory (see the module docstring)."""

    count: PositiveInt
    """Customers in the base."""
    social_habit: Share = 0.3
    """Probability that a customer rewarded once by a fast public answer goes to social
    first on a later issue (assumed; the habit of Ma, Sun & Kekre 2015)."""

    JSON_SHORTHAND: ClassVar[dict[str, Any]] = {
        "type": "integer",
        "minimum": 1,
        "description": "a whole number N, short for {count: N}",
        "x-shorthand": True,  # tells the reference this option is the section's short form
    }
    """What the file may give instead of the section (``ccsim schema`` offers it too)."""

    @model_validator(mode="before")
    @classmethod
    def _a_number_is_the_count(cls, value: Any) -> Any:
        return {"count": value} if isinstance(value, int) and not isinstance(value, bool) else value
