"""Options several commands share, and loading a scenario with its overrides."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sim.experiment.errors import InputError
from sim.scenario import Scenario, load_scenario

if TYPE_CHECKING:  # sampling pulls in numpy and the model: not for ccsim validate
    from sim.experiment.sampling import Precision

F = TypeVar("F", bound=Callable[..., Any])


def load(
    path: str,
    overrides: tuple[str, ...] = (),
    seed: int | None = None,
    replications: int | None = None,
) -> Scenario:
    """Load and validate one scenario file with ``--set`` overrides, ``--seed`` and
    ``--replications`` applied (raising :class:`ScenarioError` on bad input)."""
    extra = list(overrides)
    if seed is not None:
        extra.append(f"run.seed={seed}")
    if replications is not None:
        extra.append(f"run.replications={replications}")
    return load_scenario(path, tuple(extra), label="--set")


def overrides_option(help_text: str) -> Callable[[F], F]:
    """``--set PATH=VALUE`` (repeatable)."""
    return click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE", help=help_text)


def precision_options(command: F) -> F:
    """``--precision``, ``--max-replications``, ``--precision-metric`` (run and sweep)."""
    options = [
        click.option(
            "--precision",
            type=click.FloatRange(min=0, min_open=True),
            metavar="FRACTION",
            help="Sequential sampling: add replications until each target metric's 95% CI "
            "half-width is within FRACTION of its mean, e.g. 0.02 (the scenario's "
            "replications are the first batch).",
        ),
        click.option(
            "--max-replications",
            type=click.IntRange(min=2),
            help="Cap on replications with --precision (default 100).",
        ),
        click.option(
            "--precision-metric",
            "precision_metrics",
            multiple=True,
            metavar="SCOPE.METRIC",
            help="Target metric for --precision, e.g. phone.service_level (repeatable; "
            "default: each channel's service_level and asa_seconds, centre.cost_total).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def parse_precision(
    scenario: Scenario,
    precision: float | None,
    max_replications: int | None,
    metrics: tuple[str, ...],
) -> Precision | None:
    """The sequential-sampling settings (None without --precision), checked against the
    scenario before anything runs; bad ones raise :class:`InputError` (exit 2)."""
    if precision is None and max_replications is None and not metrics:
        return None
    from sim.experiment.sampling import make_precision

    target = make_precision(precision, max_replications, metrics)
    if target is not None:
        target.check(scenario)
    return target


__all__ = ["InputError", "load", "overrides_option", "parse_precision", "precision_options"]
