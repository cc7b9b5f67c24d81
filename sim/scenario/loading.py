"""Load scenario files: ``extends`` deep-merge, ``--set`` overrides, validation.

Every way a file can be wrong ends as a :class:`ScenarioError` carrying one
:class:`Problem` per mistake (file, dotted field path, readable reason). The steps:

1. read each file (:mod:`sim.scenario.yaml_io`: UTF-8 YAML, safe loader);
2. follow ``extends:`` (relative to the extending file, possibly chained, cycles refused) and
   deep-merge: mappings merge key by key, anything else in the child replaces the base;
3. default ``name`` to the stem of the file the user passed when that file has no ``name``;
4. apply ``--set path=value`` overrides (:mod:`sim.scenario.overrides`);
5. validate with pydantic, translating each error into a field path and a plain message
   (:mod:`sim.scenario.messages`), then run the cross-section checks of
   :mod:`sim.scenario.checks`.

While merging, a parallel "origin" tree records which file each value came from, so a
problem in an inherited value names the base file (``base.yaml (via variant.yaml)``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.scenario.checks import check_scenario
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.messages import describe_error
from sim.scenario.overrides import Segment, apply_overrides, format_path, split_path
from sim.scenario.schema import Scenario
from sim.scenario.yaml_io import read_mapping

MAX_EXTENDS_DEPTH = 32
"""Longest ``extends`` chain followed."""

Origins = Any  # a dict mirroring the data's mappings, with the source file at every leaf


# --- extends and deep merge -------------------------------------------------------------------


def _origins(data: Any, file: str) -> Origins:
    if isinstance(data, dict):
        return {key: _origins(value, file) for key, value in data.items()}
    return file


def deep_merge(base: Any, child: Any) -> Any:
    """``child`` over ``base``: mappings merge recursively; anything else is replaced.

    ``key: null`` in the child drops the base's value, so the field takes its default again
    (e.g. ``concurrency: null`` on a pool that no longer serves social).
    """
    if isinstance(base, dict) and isinstance(child, dict):
        merged = dict(base)
        for key, value in child.items():
            if value is None and key in base:
                del merged[key]
            else:
                merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return child


def _load_tree(
    path: Path, file: str, chain: list[tuple[Path, str]]
) -> tuple[dict[str, Any], Origins]:
    """Read ``path`` and everything it extends; return merged data and its origin tree."""
    data = read_mapping(path, file)
    origins = _origins(data, file)
    if "extends" not in data:
        return data, origins
    base_name = data.pop("extends")
    origins.pop("extends", None)
    if not isinstance(base_name, str) or not base_name.strip():
        raise ScenarioError(
            [Problem(file, "extends", "must name a base file, e.g. extends: baseline.yaml")]
        )
    base_path = path.parent / base_name.strip()
    base_file = os.path.normpath(str(Path(file).parent / base_name.strip()))
    here = [*chain, (_identity(path), file)]
    try:
        base_identity, base_exists = _identity(base_path), base_path.is_file()
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ScenarioError(
            [Problem(file, "extends", f"cannot use '{base_name[:60]}' as a base file: {reason}")]
        ) from None
    if base_identity in {identity for identity, _ in here}:
        names = " -> ".join([name for _, name in here] + [base_file])
        raise ScenarioError([Problem(file, "extends", f"extends cycle: {names}")])
    if len(here) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            [Problem(file, "extends", f"more than {MAX_EXTENDS_DEPTH} files in the extends chain")]
        )
    if not base_exists:
        what = "is a directory" if base_path.is_dir() else "not found"
        message = f"base file '{base_name}' {what} (looked for {base_file})"
        raise ScenarioError([Problem(file, "extends", message)])
    base_data, base_origins = _load_tree(base_path, base_file, here)
    return deep_merge(base_data, data), deep_merge(base_origins, origins)


def _merged_tree(path: Path, file: str) -> tuple[dict[str, Any], Origins]:
    """:func:`_load_tree`, and the scenario named after its file unless the file itself
    gives a name (a base's name is not the variant's)."""
    data, origins = _load_tree(path, file, [])
    if "name" not in origins or file not in files_under(origins["name"]):
        data["name"] = path.stem
        origins["name"] = file
    return data, origins


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop, say: compare spelled-out paths
        return Path(os.path.abspath(path))


def _set_origin(origins: Origins, segments: Sequence[Segment], file: str) -> Origins:
    """Mark the value at ``segments`` (as far as mappings reach) as coming from ``file``."""
    if not isinstance(origins, dict):
        return origins
    node = origins
    for depth, segment in enumerate(segments):
        if isinstance(segment, int):
            break
        last = depth == len(segments) - 1 or isinstance(segments[depth + 1], int)
        child = node.get(segment)
        if last or not isinstance(child, dict):
            node[segment] = file
            break
        node = child
    return origins


# --- the public entry points ------------------------------------------------------------------


def load_scenario(
    path: str | Path, overrides: Sequence[str] = (), label: str = "override"
) -> Scenario:
    """Read, merge, apply ``path=value`` overrides and validate a scenario file.

    Raises :class:`ScenarioError` listing every problem when the file cannot be used; a bad
    override's problem is placed at ``label`` (the command line says ``--set``).
    """
    if isinstance(overrides, str):  # one override passed bare, not in a sequence
        overrides = (overrides,)
    file = str(path)
    path = Path(path)
    data, origins = _merged_tree(path, file)
    problems = [Problem(file, label, message) for message in apply_overrides(data, overrides)]
    if problems:
        raise ScenarioError(problems)
    for text in overrides:
        origins = _set_origin(origins, split_path(text.split("=", 1)[0]), file)
    _relative_files(data, origins)
    return _validate(data, file, origins)


def value_origins(path: str | Path, overrides: Sequence[str] = ()) -> Origins:
    """Which file gave each value of ``path`` once merged: a tree mirroring its mappings,
    with the file (as the chain names it) at each leaf; ``--set`` values are ``path``'s.
    For a file that loads (:func:`load_scenario` first): it is read again, not validated."""
    file = str(path)
    _, origins = _merged_tree(Path(path), file)
    for text in (overrides,) if isinstance(overrides, str) else overrides:
        origins = _set_origin(origins, split_path(text.split("=", 1)[0]), file)
    return origins


def _relative_files(data: dict[str, Any], origins: Origins) -> None:
    """A file a scenario names (``demand.volumes: forecast.csv``) is relative to the scenario
    file that names it."""
    demand = data.get("demand")
    if isinstance(demand, dict) and isinstance(demand.get("volumes"), str):
        origin = _subtree(origins, ["demand", "volumes"])
        if isinstance(origin, str):
            demand["volumes"] = os.path.normpath(Path(origin).parent / demand["volumes"])


def validate_data(data: dict[str, Any], file: str = "<scenario>") -> Scenario:
    """Validate an already-merged mapping into a :class:`Scenario`.

    Raises :class:`ScenarioError` with one problem per mistake, naming ``file``.
    """
    return _validate(data, file, None)


def _validate(data: Any, file: str, origins: Origins | None) -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                Problem(
                    file, "", "the top level must be a mapping of sections (demand:, pools:, ...)"
                )
            ]
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        problems = []
        for details in error.errors():
            segments, message = describe_error(details, data)
            source = _source(file, origins, segments)
            if "sum to" in message and origins is not None:
                files = files_under(_subtree(origins, segments))
                if len(files) > 1:
                    message += (
                        f"; note this mapping merges keys from {', '.join(sorted(files))}"
                        " (set an inherited key to 0 to drop it)"
                    )
            problems.append(Problem(source, format_path(segments), message))
        raise ScenarioError(problems) from None
    # Cross-section rules are about how the sections combine: they name the top file.
    problems = [Problem(file, path, message) for path, message in check_scenario(scenario)]
    if problems:
        raise ScenarioError(problems)
    return scenario


def _source(top: str, origins: Origins | None, segments: Sequence[Segment]) -> str:
    """The file a value came from: ``base.yaml (via top.yaml)``, or just the top file."""
    if origins is None:
        return top
    files = files_under(_subtree(origins, segments))
    if len(files) == 1:
        (only,) = files
        return top if only == top else f"{only} (via {top})"
    return top


def _subtree(origins: Origins, segments: Sequence[Segment]) -> Origins:
    """The deepest part of the origin tree along ``segments``."""
    node = origins
    for segment in segments:
        if not isinstance(node, dict) or isinstance(segment, int) or segment not in node:
            break
        node = node[segment]
    return node


def files_under(node: Origins) -> set[str]:
    """The files that gave any value under ``node`` of an origin tree (:func:`value_origins`)."""
    if isinstance(node, dict):
        found: set[str] = set()
        for child in node.values():
            found |= files_under(child)
        return found
    return {node}
