"""The Python API for notebooks: :func:`run`, :func:`sweep` and :func:`compare`.

Each returns a pandas DataFrame shaped like the matching output file, so what a notebook
gets is what the command line writes::

    import sim

    summary = sim.run("scenarios/baseline.yaml", {"pools.voice.shrinkage": 0.3}, replications=3)
    grid = sim.sweep("scenarios/baseline.yaml", {"policy.social_mode": ["serve", "deflect"]})
    table = sim.compare("scenarios/baseline.yaml", "scenarios/social_priority.yaml")

- ``scenario``: a scenario file path, or a :class:`sim.scenario.Scenario`;
- ``overrides``: a mapping of dotted paths to values, ``{"pools.voice.agents": 75}``,
  applied like ``--set`` (values are Python values, not YAML text);
- ``seed``, ``replications``: override ``run.seed`` / ``run.replications``;
- ``workers``: local processes (default one per core; 1 runs in this process);
  ``dask``: a scheduler address, or ``"local"`` for a local Dask cluster;
- ``precision`` (with ``max_replications``, ``precision_metrics``): sequential sampling,
  adding replications until each target's 95% CI half-width is within that fraction of
  its mean;
- ``output``: a folder to write the usual files into (by default nothing is kept, except
  for :func:`sweep`, whose points are written to a temporary folder and discarded).

Bad input raises :class:`sim.scenario.ScenarioError` (scenario problems, each naming the
field) or :class:`sim.experiment.errors.InputError` (a ValueError: grids, folders, metrics).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.sampling import make_precision
from sim.scenario import Scenario, load_scenario
from sim.studies.sweep.grid import Axis, apply_values, make_axis

__all__ = ["compare", "run", "sweep"]

ScenarioLike = str | Path | Scenario


def _scenario(
    scenario: ScenarioLike,
    overrides: Mapping[str, Any] | None,
    seed: int | None,
    replications: int | None,
) -> Scenario:
    """Load (if a path) and apply overrides, seed and replications; validated."""
    if isinstance(scenario, Scenario):
        base, source = scenario, scenario.name
    elif isinstance(scenario, str | Path):
        base, source = load_scenario(scenario), str(scenario)
    else:
        raise TypeError(f"scenario must be a path or a Scenario, not {type(scenario).__name__}")
    if overrides is not None and not isinstance(overrides, Mapping):
        raise TypeError("overrides must be a mapping of dotted paths to values")
    values = dict(overrides or {})
    if seed is not None:
        values["run.seed"] = seed
    if replications is not None:
        values["run.replications"] = replications
    if not values:
        return base
    return apply_values(base.model_dump(mode="json", by_alias=True), values, source)


def run(
    scenario: ScenarioLike,
    overrides: Mapping[str, Any] | None = None,
    *,
    seed: int | None = None,
    replications: int | None = None,
    workers: int | None = None,
    dask: str | None = None,
    precision: float | None = None,
    max_replications: int | None = None,
    precision_metrics: Sequence[str] = (),
    output: str | Path | None = None,
) -> pd.DataFrame:
    """Simulate a scenario; return its summary (``summary.csv``).

    Columns: ``scope, metric, mean, ci_low, ci_high, replications``. With ``output``, the
    run folder (summary, replications, intervals, scenario.yaml, run.json; no plots) is
    written there too.
    """
    from sim.experiment.replication import run_replications
    from sim.io.folders import staged_folder
    from sim.io.run_folder import write_run

    resolved = _scenario(scenario, overrides, seed, replications)
    target = make_precision(precision, max_replications, precision_metrics)
    result, status = run_replications(resolved, target, workers, dask)
    if output is not None:
        with staged_folder(Path(output)) as stage:  # complete, or the old folder stays
            write_run(result, stage, status)
    return result.summary()


def sweep(
    scenario: ScenarioLike,
    vary: Mapping[str, Any],
    overrides: Mapping[str, Any] | None = None,
    *,
    zip: bool = False,
    seed: int | None = None,
    replications: int | None = None,
    workers: int | None = None,
    dask: str | None = None,
    precision: float | None = None,
    max_replications: int | None = None,
    precision_metrics: Sequence[str] = (),
    output: str | Path | None = None,
    force: bool = False,
    plots: bool = False,
) -> pd.DataFrame:
    """Run a scenario over a grid; return the tidy sweep table (``sweep.csv``).

    ``vary`` maps dotted paths to a list of values (``{"pools.voice.agents": [60, 70]}``)
    or to a string read like ``--vary`` (``"60:80:5"``, ``"serve,deflect"``); the grid is
    every combination, first path slowest (``zip=True``: the lists paired). Columns: one
    per varied path, then ``scope, metric, mean, ci_low, ci_high, replications``.

    With ``output`` the sweep folder is kept there and is resumable like the command line's
    (re-running skips finished points; a different sweep in it is refused unless
    ``force``); without, it lives in a temporary folder.
    """
    from sim.studies.sweep import run_sweep

    if not isinstance(vary, Mapping) or not vary:
        raise TypeError("vary must be a non-empty mapping of dotted paths to values")
    base = _scenario(scenario, overrides, seed, replications)
    axes: list[Axis] = [make_axis(path, values) for path, values in vary.items()]
    target = make_precision(precision, max_replications, precision_metrics)
    source = str(scenario) if isinstance(scenario, str | Path) else base.name
    options = dict(zipped=zip, source=source, workers=workers, dask=dask, precision=target)

    def finish(out_dir: Path, **extra: Any) -> pd.DataFrame:
        frame = run_sweep(base, axes, out_dir, **options, **extra).frame
        if plots:
            from sim.present.report.sweep import write_sweep_report

            write_sweep_report(out_dir)
        return frame

    if output is not None:
        return finish(Path(output), force=force)
    with tempfile.TemporaryDirectory(prefix="ccsim-sweep-") as folder:
        return finish(Path(folder))


def compare(
    *scenarios: ScenarioLike | Sequence[ScenarioLike],
    seed: int | None = None,
    replications: int | None = None,
    workers: int | None = None,
    dask: str | None = None,
    output: str | Path | None = None,
) -> pd.DataFrame:
    """Compare scenarios (files, :class:`Scenario` objects or run folders) side by side.

    Scenarios are run with common random numbers (the first's seed and replications unless
    given). Returns ``compare.csv``'s table: ``scope, metric, scenario, mean, ci_low,
    ci_high, diff, diff_ci_low, diff_ci_high, clear, method, unpaired_ci_low,
    unpaired_ci_high``, differences against the first scenario (paired per replication
    when seeds and replications match, else Welch). ``.attrs["notes"]`` says which.
    """
    from sim.studies.compare import compare_arms, resolve_inputs, run_inputs, write_compare

    items: list[Any] = []
    for item in scenarios:
        is_many = isinstance(item, Sequence) and not isinstance(item, str)
        items.extend(item if is_many else [item])  # type: ignore[arg-type]
    if len(items) < 2:
        raise TypeError("compare needs at least two scenarios or run folders")
    inputs = resolve_inputs(items, replications, seed)

    def finish(out_dir: Path) -> pd.DataFrame:
        arms = run_inputs(inputs, out_dir, workers, dask)
        frame, notes = compare_arms(arms)
        if output is not None:
            write_compare(out_dir, frame)
        frame.attrs["notes"] = notes
        return frame

    if output is not None:
        return finish(Path(output))
    with tempfile.TemporaryDirectory(prefix="ccsim-compare-") as folder:
        return finish(Path(folder))
