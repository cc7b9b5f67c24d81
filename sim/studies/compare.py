"""Compare scenarios side by side, with paired differences across replications.

Each input is a run folder (written by ``ccsim run``) or a scenario file, which is then run
with the same seed and replications as the first input, so replication ``r`` of every
scenario sees the same customers (common random numbers). For each metric the comparison
gives every scenario's mean and 95% CI, and its difference from the first scenario:

- **paired** when both have the same seed and the same replication indices: the mean of
  the per-replication differences ``x_B,r − x_A,r`` with a t-based 95% CI. With common
  random numbers the noise the two share cancels, so this CI is usually much narrower
  than comparing two independent means;
- **Welch** (unpaired) otherwise: difference of means, Welch–Satterthwaite t interval.

A difference is *clear* when its CI excludes 0. ``compare.csv`` is tidy: ``scope, metric,
scenario, mean, ci_low, ci_high, diff, diff_ci_low, diff_ci_high, clear`` and then
``method`` (paired or welch) and ``unpaired_ci_low, unpaired_ci_high`` (the Welch CI of the
same difference, for reference).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.errors import InputError
from sim.experiment.replication import Job, executor_for, replicate
from sim.experiment.statistics import confidence_interval, paired, welch
from sim.io.atomic import atomic_write_csv
from sim.io.run_folder import (
    COMPARE_COLUMNS,
    COMPARE_CSV,
    REPLICATION_COLUMNS,
    REPLICATIONS_CSV,
    RUN_JSON,
    SCENARIO_YAML,
    is_run_folder,
    safe_name,
    write_run,
)
from sim.scenario import Scenario, load_scenario, validate_data


@dataclass
class Arm:
    """One scenario in a comparison: its per-replication values and where they came from."""

    label: str
    folder: Path
    seed: int | None
    replications: pd.DataFrame  # tidy: replication, scope, metric, value
    scenario: Scenario | None = None

    @property
    def indices(self) -> frozenset[int]:
        return frozenset(int(r) for r in self.replications["replication"].unique())

    def values(self) -> dict[tuple[str, str], pd.Series]:
        """Per (scope, metric), the values indexed by replication."""
        out: dict[tuple[str, str], pd.Series] = {}
        for (scope, metric), group in self.replications.groupby(["scope", "metric"], sort=False):
            out[(scope, metric)] = pd.Series(
                group["value"].to_numpy(dtype=float), index=group["replication"].to_numpy()
            ).sort_index()
        return out


def read_arm(folder: Path, label: str | None = None) -> Arm:
    """An arm from a run folder (``replications.csv``, ``run.json``, ``scenario.yaml``)."""
    folder = Path(folder)
    if not is_run_folder(folder):
        raise InputError(f"{folder}: not a run folder (no replications.csv in it)")
    try:
        reps = pd.read_csv(folder / REPLICATIONS_CSV)
    except (OSError, ValueError) as error:
        raise InputError(f"{folder / REPLICATIONS_CSV}: cannot be read ({error})") from None
    missing = [c for c in REPLICATION_COLUMNS if c not in reps.columns]
    if missing:
        raise InputError(f"{folder / REPLICATIONS_CSV}: missing column(s) {', '.join(missing)}")
    seed, name = None, None
    try:
        meta = json.loads((folder / RUN_JSON).read_text(encoding="utf-8"))
        seed, name = meta.get("seed"), meta.get("scenario")
    except (OSError, ValueError):
        pass
    scenario = None
    if (folder / SCENARIO_YAML).is_file():
        try:
            scenario = load_scenario(folder / SCENARIO_YAML)
            seed = scenario.run.seed if seed is None else seed
            name = name or scenario.name
        except Exception:  # an old or edited scenario.yaml: the numbers still compare
            scenario = None
    return Arm(
        label or name or folder.name, folder, seed, reps[list(REPLICATION_COLUMNS)], scenario
    )


def pairing(reference: Arm, other: Arm) -> tuple[bool, str]:
    """Whether ``other`` pairs with ``reference`` replication by replication, and why not."""
    if reference.seed is None or other.seed is None:
        return False, "the seed is not recorded"
    if reference.seed != other.seed:
        return False, f"different seeds ({reference.seed} and {other.seed})"
    if reference.indices != other.indices:
        return False, "different replications"
    return True, ""


def compare_arms(arms: Sequence[Arm]) -> tuple[pd.DataFrame, list[str]]:
    """The tidy comparison table and notes on how each difference was computed."""
    if len(arms) < 2:
        raise InputError("compare needs at least two scenarios or run folders")
    reference = arms[0]
    values = [arm.values() for arm in arms]
    keys = list(values[0])
    for other in values[1:]:
        keys += [k for k in other if k not in set(keys)]
    pairs = [pairing(reference, arm) for arm in arms]
    notes = []
    for arm, (ok, reason) in zip(arms[1:], pairs[1:], strict=True):
        n = len(arm.indices & reference.indices)
        if ok:
            many = "replication" if n == 1 else "replications"
            notes.append(
                f"{arm.label} − {reference.label}: paired differences over {n} {many} "
                f"(common random numbers, seed {arm.seed})"
            )
        else:
            notes.append(
                f"{arm.label} − {reference.label}: unpaired (Welch) differences, because of "
                f"{reason}"
            )
    rows: list[tuple[Any, ...]] = []
    empty = pd.Series(dtype=float)
    for key in keys:
        base = values[0].get(key, empty)
        for i, arm in enumerate(arms):
            series = values[i].get(key, empty)
            mean, low, high, _ = confidence_interval(series.to_numpy(dtype=float))
            if i == 0:
                rows.append(
                    (*key, arm.label, mean, low, high, *[math.nan] * 3, False, "", *[math.nan] * 2)
                )
                continue
            unpaired = welch(base.to_numpy(dtype=float), series.to_numpy(dtype=float))
            diff = paired(base, series) if pairs[i][0] else unpaired
            clear = bool(
                math.isfinite(diff[1]) and math.isfinite(diff[2]) and (diff[1] > 0 or diff[2] < 0)
            )
            method = "paired" if pairs[i][0] else "welch"
            rows.append(
                (*key, arm.label, mean, low, high, *diff, clear, method, unpaired[1], unpaired[2])
            )
    return pd.DataFrame(rows, columns=list(COMPARE_COLUMNS)), notes


def unique_labels(labels: Sequence[str]) -> list[str]:
    """Labels made unique by a ``#2``, ``#3`` suffix where repeated."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}#{seen[label]}")
    return out


@dataclass
class Input:
    """One thing to compare: a run folder, a scenario file, or a :class:`Scenario`."""

    source: str
    folder: Path | None = None
    scenario: Scenario | None = None


def resolve_inputs(
    items: Sequence[str | Path | Scenario],
    replications: int | None = None,
    seed: int | None = None,
) -> list[Input]:
    """Classify the inputs and load scenario files with the common seed and replications.

    Scenario files get ``--seed``/``--replications`` when given, else the first input's
    (a run folder's recorded seed and replication count, or the first scenario's).
    """
    inputs: list[Input] = []
    for item in items:
        if isinstance(item, Scenario):
            inputs.append(Input(item.name, scenario=item))
        elif is_run_folder(Path(item)):
            inputs.append(Input(str(item), folder=Path(item)))
        elif Path(item).is_dir():
            raise InputError(
                f"{item}: a folder without replications.csv; give a folder written by "
                "`ccsim run` or a scenario file"
            )
        else:
            inputs.append(Input(str(item), scenario=load_scenario(item)))
    first = inputs[0]
    if first.folder is not None:
        arm = read_arm(first.folder)
        first_seed, first_reps = arm.seed, len(arm.indices)
    else:
        assert first.scenario is not None
        first_seed, first_reps = first.scenario.run.seed, first.scenario.run.replications
    seed = first_seed if seed is None else seed
    replications = first_reps if replications is None else replications
    for item in inputs:
        if item.scenario is None:
            continue
        data = item.scenario.model_dump(mode="json", by_alias=True)
        changed = False
        if seed is not None and data["run"]["seed"] != seed:
            data["run"]["seed"], changed = seed, True
        if replications and data["run"]["replications"] != replications:
            data["run"]["replications"], changed = replications, True
        if changed:
            item.scenario = validate_data(data, item.source)
    return inputs


def run_inputs(
    inputs: Sequence[Input],
    out_dir: Path,
    workers: int | None = None,
    dask: str | None = None,
    on_replication: Callable[[], None] | None = None,
    on_scheduled: Callable[[int], None] | None = None,
) -> list[Arm]:
    """Run the scenarios among ``inputs`` (all on one executor), write their run folders
    into ``out_dir/<label>/``, and read every input back as an :class:`Arm`."""
    names = []
    for item in inputs:
        if item.folder is not None:
            names.append(read_arm(item.folder).label)
        else:
            assert item.scenario is not None
            names.append(item.scenario.name)
    labels = unique_labels(names)
    jobs = [
        Job(i, item.scenario)
        for i, item in enumerate(inputs)
        if item.scenario is not None and item.folder is None
    ]
    if jobs:
        tasks = sum(job.scenario.run.replications for job in jobs)
        with executor_for(workers, dask, tasks) as executor:
            replicate(
                jobs,
                executor,
                on_replication=(lambda *_: on_replication()) if on_replication else None,
                on_scheduled=(lambda _, n: on_scheduled(n)) if on_scheduled else None,
            )
            used = executor.workers
        taken = {item.folder.resolve() for item in inputs if item.folder is not None}
        for job in jobs:
            index = int(job.key)  # type: ignore[call-overload]
            folder = out_dir / safe_name(labels[index])
            if folder.resolve() in taken:
                folder = out_dir / f"{safe_name(labels[index])}-{index + 1}"
            taken.add(folder.resolve())
            write_run(job.run_result(used), folder)
            inputs[index].folder = folder
    return [
        read_arm(item.folder, label)  # type: ignore[arg-type]
        for item, label in zip(inputs, labels, strict=True)
    ]


def write_compare(out_dir: Path, frame: pd.DataFrame) -> Path:
    """Write ``compare.csv`` into ``out_dir``; returns its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / COMPARE_CSV
    atomic_write_csv(path, frame)
    return path
