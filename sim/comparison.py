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
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.experiment import CONFIDENCE, atomic_write_csv, confidence_interval, write_run
from sim.scenario import CHANNELS, Scenario, load_scenario
from sim.sweeps import Job, SweepInputError, executor_for, replicate

COMPARE_COLUMNS = [
    "scope",
    "metric",
    "scenario",
    "mean",
    "ci_low",
    "ci_high",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "clear",
    "method",
    "unpaired_ci_low",
    "unpaired_ci_high",
]
REPLICATION_COLUMNS = ["replication", "scope", "metric", "value"]


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


def is_run_folder(path: Path) -> bool:
    return path.is_dir() and (path / "replications.csv").is_file()


def read_arm(folder: Path, label: str | None = None) -> Arm:
    """An arm from a run folder (``replications.csv``, ``run.json``, ``scenario.yaml``)."""
    folder = Path(folder)
    if not is_run_folder(folder):
        raise SweepInputError(f"{folder}: not a run folder (no replications.csv in it)")
    try:
        reps = pd.read_csv(folder / "replications.csv")
    except (OSError, ValueError) as error:
        raise SweepInputError(f"{folder / 'replications.csv'}: cannot be read ({error})") from None
    missing = [c for c in REPLICATION_COLUMNS if c not in reps.columns]
    if missing:
        raise SweepInputError(
            f"{folder / 'replications.csv'}: missing column(s) {', '.join(missing)}"
        )
    seed, name = None, None
    try:
        meta = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        seed, name = meta.get("seed"), meta.get("scenario")
    except (OSError, ValueError):
        pass
    scenario = None
    if (folder / "scenario.yaml").is_file():
        try:
            scenario = load_scenario(folder / "scenario.yaml")
            seed = scenario.run.seed if seed is None else seed
            name = name or scenario.name
        except Exception:  # an old or edited scenario.yaml: the numbers still compare
            scenario = None
    return Arm(label or name or folder.name, folder, seed, reps[REPLICATION_COLUMNS], scenario)


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Difference of means ``b − a`` and its Welch 95% CI."""
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) == 0 or len(b) == 0:
        return math.nan, math.nan, math.nan
    diff = float(b.mean() - a.mean())
    if len(a) < 2 or len(b) < 2:
        return diff, math.nan, math.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, df) * se)
    return diff, diff - half, diff + half


def _paired(a: pd.Series, b: pd.Series) -> tuple[float, float, float]:
    """Mean per-replication difference ``b − a`` and its t-based 95% CI."""
    both = pd.concat([a, b], axis=1, join="inner").to_numpy(dtype=float)
    d = both[:, 1] - both[:, 0]
    mean, low, high, _ = confidence_interval(d)
    return mean, low, high


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
        raise SweepInputError("compare needs at least two scenarios or run folders")
    reference = arms[0]
    values = [arm.values() for arm in arms]
    keys = list(values[0])
    for other in values[1:]:
        keys += [k for k in other if k not in set(keys)]
    paired = [pairing(reference, arm) for arm in arms]
    notes = []
    for arm, (ok, reason) in zip(arms[1:], paired[1:], strict=True):
        n = len(arm.indices & reference.indices)
        if ok:
            notes.append(
                f"{arm.label} − {reference.label}: paired differences over {n} replications "
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
            welch = _welch(base.to_numpy(dtype=float), series.to_numpy(dtype=float))
            diff = _paired(base, series) if paired[i][0] else welch
            clear = bool(
                math.isfinite(diff[1]) and math.isfinite(diff[2]) and (diff[1] > 0 or diff[2] < 0)
            )
            method = "paired" if paired[i][0] else "welch"
            rows.append(
                (*key, arm.label, mean, low, high, *diff, clear, method, welch[1], welch[2])
            )
    return pd.DataFrame(rows, columns=COMPARE_COLUMNS), notes


# --- running the inputs -----------------------------------------------------------------------


def safe_name(text: str) -> str:
    """A folder name from a label: letters, digits, ``-``, ``_`` and ``.`` only."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "scenario"
    return name[:80]


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
            raise SweepInputError(
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
            from sim.scenario import validate_data

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
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "compare.csv"
    atomic_write_csv(path, frame)
    return path


# --- terminal table ---------------------------------------------------------------------------

_PERCENT = {"service_level", "abandon_rate", "social_first_share_end", "resolved_rate", "p_wait"}


def key_metrics(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """The metrics in the terminal table, in reading order."""
    means = frame.groupby(["scope", "metric"], sort=False)["mean"]
    present = means.max().to_dict()
    keys: list[tuple[str, str]] = []

    def has(scope: str, metric: str) -> bool:
        value = present.get((scope, metric))
        return value is not None and not (isinstance(value, float) and math.isnan(value))

    active = [c for c in CHANNELS if (present.get((c, "offered")) or 0) > 0]
    keys += [(c, "service_level") for c in active if has(c, "service_level")]
    keys += [
        (c, "abandon_rate")
        for c in active
        if has(c, "abandon_rate") and (present.get((c, "abandon_rate")) or 0) > 0
    ]
    keys += [(c, "asa_seconds") for c in active if has(c, "asa_seconds") and c != "self_service"]
    for metric in ("cost_total", "cost_per_issue"):
        if has("centre", metric):
            keys.append(("centre", metric))
    for metric in ("social_first_share_end", "public_negative"):  # only where there is social
        if has("centre", metric) and present.get(("centre", metric)):
            keys.append(("centre", metric))
    return keys


def _fmt(metric: str, value: float, diff: bool = False) -> str:
    if not math.isfinite(value):
        return "–"
    if metric in _PERCENT:
        return f"{value * 100:+.2f} pp" if diff else f"{value:.2%}"
    if metric == "cost_per_issue":
        return f"{value:+,.3f}" if diff else f"{value:,.3f}"
    if metric == "asa_seconds":
        return f"{value:+,.1f}" if diff else f"{value:,.1f}"
    return f"{value:+,.0f}" if diff else f"{value:,.0f}"


def _half(metric: str, low: float, high: float) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    text = _fmt(metric, (high - low) / 2, diff=True).lstrip("+")
    return f" ± {text}"


def compare_table(frame: pd.DataFrame, labels: Sequence[str]) -> Any:
    """A rich table: each key metric per scenario (mean ± CI), and differences vs the first."""
    from rich.table import Table

    table = Table(title="comparison (mean ± 95% CI; Δ vs the first)", title_justify="left")
    table.add_column("metric")
    for label in labels:
        table.add_column(label, justify="right")
    for label in labels[1:]:
        table.add_column(f"Δ {label}", justify="right")
    rows = frame.set_index(["scope", "metric", "scenario"])
    for scope, metric in key_metrics(frame):
        cells = [f"{scope} {metric}"]
        diffs = []
        for i, label in enumerate(labels):
            try:
                row = rows.loc[(scope, metric, label)]
            except KeyError:
                cells.append("–")
                if i:
                    diffs.append("–")
                continue
            cells.append(_fmt(metric, row["mean"]) + _half(metric, row["ci_low"], row["ci_high"]))
            if i:
                text = _fmt(metric, row["diff"], diff=True)
                if math.isfinite(row["diff_ci_low"]):
                    low = _fmt(metric, row["diff_ci_low"], diff=True).removesuffix(" pp")
                    high = _fmt(metric, row["diff_ci_high"], diff=True).removesuffix(" pp")
                    text += f" [{low}, {high}]"
                diffs.append(f"[bold]{text} *[/bold]" if row["clear"] else text)
        table.add_row(*cells, *diffs)
    table.caption = "* clear: the 95% CI of the difference excludes 0"
    return table
