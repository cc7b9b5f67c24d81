"""The grid of a sweep: varied paths, their values, and every point's scenario.

``--vary path=values`` (or the API's ``vary`` mapping) gives an :class:`Axis`: values are read
like ``--set`` values (YAML), and ``start:end:step`` is an inclusive range (``60:80:5``,
``0.2:0.3:0.05``, ``2min:6min:1min``). The grid is every combination, the first axis slowest,
or with ``zipped`` the lists paired. Every point's scenario is validated before anything runs.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import product
from typing import Any

import numpy as np

from sim.experiment.errors import InputError
from sim.scenario import Problem, Scenario, ScenarioError, validate_data
from sim.scenario.overrides import OverrideError, format_path, parse_value, set_path, split_path

MAX_POINTS = 100_000
"""Refuse grids larger than this (almost certainly a typo in a range)."""


@dataclass(frozen=True)
class Axis:
    """One varied path and its values (plain data, as ``--set`` would read them)."""

    path: str
    values: tuple[Any, ...]


_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(
    rf"^\s*(?P<a>{_NUMBER})(?P<ua>[a-zA-Z]*)\s*:\s*(?P<b>{_NUMBER})(?P<ub>[a-zA-Z]*)"
    rf"\s*:\s*(?P<s>{_NUMBER})(?P<us>[a-zA-Z]*)\s*$"
)


def expand_range(text: str) -> list[Any] | None:
    """``"60:80:5"`` -> ``[60, 65, 70, 75, 80]``; None if ``text`` is not a range.

    The end is included when a step lands on it. Whole numbers give ints, others floats
    (computed in decimal, so ``0.1:0.3:0.1`` gives 0.1, 0.2, 0.3). A unit on all three
    (``2min:6min:1min``) gives duration strings.
    """
    match = _RANGE.match(text)
    if not match:
        return None
    units = {match["ua"], match["ub"], match["us"]}
    if len(units) != 1:
        raise InputError(
            f"range '{text.strip()}': give the same unit on start, end and step "
            "(e.g. 2min:6min:1min) or none",
            "vary",
        )
    unit = units.pop()
    try:
        start, end, step = (Decimal(match[k]) for k in ("a", "b", "s"))
    except InvalidOperation:
        raise InputError(f"range '{text.strip()}': not numbers", "vary") from None
    if step == 0:
        raise InputError(f"range '{text.strip()}': the step must not be 0", "vary")
    if (end - start) * step < 0:
        raise InputError(
            f"range '{text.strip()}': a step of {step} never goes from {start} to {end}", "vary"
        )
    if start != end and abs(step) > abs(end - start):
        a, b, half = (f"{v.normalize():f}{unit}" for v in (start, end, (end - start) / 2))
        raise InputError(
            f"range '{text.strip()}': the step is larger than the span from {a} to {b}, so "
            f"only {a} would run; use a smaller step (e.g. {a}:{b}:{half}) or list the "
            f"values ({a},{b})",
            "vary",
        )
    count = int((end - start) / step) + 1
    if count > MAX_POINTS:
        raise InputError(f"range '{text.strip()}' has {count:,} values; too many", "vary")
    whole = all(re.fullmatch(r"[-+]?\d+", match[k]) for k in ("a", "b", "s"))
    values: list[Any] = []
    for i in range(count):
        value = start + step * i
        if unit:
            number = format(value.normalize(), "f") if not whole else str(int(value))
            values.append(f"{number}{unit}")
        elif whole:
            values.append(int(value))
        else:
            values.append(float(value))
    return values


def split_top_level(text: str) -> list[str]:
    """Split at commas outside brackets, braces and quotes (``[a, b],c`` -> two items)."""
    items, depth, quote, current = [], 0, "", []
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    return items


def _normal_path(path: str, where: str) -> str:
    try:
        return format_path(split_path(path))
    except OverrideError as error:
        raise InputError(f"{where}: {error}", "vary") from None


def parse_vary(text: str) -> Axis:
    """``"pools.voice.agents=60:80:5"`` or ``"policy.social_mode=serve,deflect"``.

    Items are separated by commas (outside brackets and quotes); an item ``a:b:step`` is an
    inclusive range; any other item is read as YAML, like a ``--set`` value.
    """
    where = f"vary '{text}'"
    if "=" not in text:
        raise InputError(f"{where}: write PATH=VALUES, e.g. pools.voice.agents=60:80:5", "vary")
    path, rest = text.split("=", 1)
    if not path.strip():
        raise InputError(f"{where}: the path is empty", "vary")
    path = _normal_path(path, where)
    values: list[Any] = []
    for item in split_top_level(rest):
        if not item.strip():
            raise InputError(f"{where}: an empty value (two commas in a row?)", "vary")
        expanded = expand_range(item)
        if expanded is not None:
            values.extend(expanded)
            continue
        try:
            values.append(parse_value(item))
        except OverrideError as error:
            raise InputError(f"{where}: {error}", "vary") from None
    return Axis(path, tuple(values))


def make_axis(path: str, values: Any) -> Axis:
    """An axis from the Python API: a sequence of values, or a string as for ``--vary``."""
    if isinstance(values, str):
        return parse_vary(f"{path}={values}")
    if isinstance(values, Mapping) or not isinstance(values, Sequence | np.ndarray | range):
        raise InputError(
            f"vary[{path!r}]: give a list of values or a string like '60:80:5' "
            f"(got {type(values).__name__})",
            "vary",
        )
    items = [v.item() if isinstance(v, np.generic) else v for v in values]
    if not items:
        raise InputError(f"vary[{path!r}]: no values", "vary")
    return Axis(_normal_path(path, f"vary[{path!r}]"), tuple(items))


def grid(axes: Sequence[Axis], zipped: bool = False) -> list[dict[str, Any]]:
    """Every point of the grid (first axis slowest), or the paired lists with ``zipped``."""
    if not axes:
        raise InputError("nothing to sweep: give at least one vary PATH=VALUES", "vary")
    paths = [axis.path for axis in axes]
    repeated = sorted({p for p in paths if paths.count(p) > 1})
    if repeated:
        raise InputError(f"vary {repeated[0]} is given more than once", "vary")
    for axis in axes:
        if not axis.values:
            raise InputError(f"vary {axis.path}: no values", "vary")
    if zipped:
        lengths = {len(axis.values) for axis in axes}
        if len(lengths) > 1:
            counts = ", ".join(f"{a.path}: {len(a.values)}" for a in axes)
            raise InputError(f"zip needs lists of the same length ({counts})", "zip")
        combos = list(zip(*(axis.values for axis in axes), strict=True))
    else:
        total = math.prod(len(axis.values) for axis in axes)
        if total > MAX_POINTS:
            raise InputError(f"the grid has {total:,} points; at most {MAX_POINTS:,}", "vary")
        combos = list(product(*(axis.values for axis in axes)))
    return [dict(zip(paths, combo, strict=True)) for combo in combos]


def show_value(value: Any) -> str:
    """A value as written on the command line (YAML flow style for lists and mappings)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(", ", ": "), default=str)
    return str(value)


def describe_values(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{path}={show_value(value)}" for path, value in values.items())


@dataclass
class Point:
    index: int
    folder: str
    values: dict[str, Any]
    scenario: Scenario


def apply_values(
    data: dict[str, Any], values: Mapping[str, Any], file: str = "<scenario>"
) -> Scenario:
    """Validate a copy of ``data`` with ``values`` set at their dotted paths."""
    data = copy.deepcopy(data)
    problems = []
    for path, value in values.items():
        try:
            set_path(data, split_path(path), copy.deepcopy(value))
        except OverrideError as error:
            problems.append(Problem(file, "", str(error)))
    if problems:
        raise ScenarioError(problems)
    return validate_data(data, file)


def build_points(
    base: Scenario, axes: Sequence[Axis], zipped: bool = False, source: str = "<scenario>"
) -> list[Point]:
    """Every point's scenario, validated up front; all problems reported at once."""
    combos = grid(axes, zipped)
    data = base.model_dump(mode="json", by_alias=True)
    width = max(3, len(str(len(combos) - 1)))
    points, problems = [], []
    for index, values in enumerate(combos):
        folder = f"p{index:0{width}d}"
        label = f"{source} (point {folder}: {describe_values(values)})"
        try:
            scenario = apply_values(data, values, label)
        except ScenarioError as error:
            problems.extend(error.problems)
            continue
        points.append(Point(index, folder, values, scenario))
    if problems:
        raise ScenarioError(problems)
    return points
