"""Pydantic's validation errors as a planner's field paths and plain messages.

Pydantic reports where a value failed with its own location tuple (with tags it inserts for
tagged unions, ``[key]`` markers, generated segment names) and a developer's message. This
module walks the location through the scenario's types to the path a planner wrote
(``channels.phone.handle_time.mean``) and rewrites the message in plain words, with a
"did you mean" for near misses.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from sim.scenario.channels import Channels
from sim.scenario.overrides import Segment, format_path
from sim.scenario.schema import Scenario
from sim.scenario.types import DISTRIBUTION_KINDS

_GENERATED_SEGMENT = re.compile(r"^[a-z][a-z-]*\[.*\]$")
_QUOTED = re.compile(r"'([^']*)'")
_KINDS = ", ".join(DISTRIBUTION_KINDS)
_DIST_EXAMPLE = "{dist: exponential, mean: 6min}"


def _strip(annotation: Any) -> Any:
    """Remove ``Annotated`` and ``| None`` wrappers."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _union_tags(annotation: Any) -> dict[str, type[BaseModel]]:
    """For a union of models told apart by ``dist``: tag -> model."""
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return {}
    tags: dict[str, type[BaseModel]] = {}
    for member in typing.get_args(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            field = member.model_fields.get("dist")
            if field is not None:
                for tag in typing.get_args(field.annotation):
                    tags[tag] = member
    return tags


def _model_fields(model: type[BaseModel]) -> dict[str, Any]:
    """Keys a model accepts in a file (aliases and names) -> annotation."""
    if issubclass(model, Channels):  # one key per registered channel kind
        return dict(model.section_types())
    keys: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        keys[field.alias or name] = field.annotation
        keys.setdefault(name, field.annotation)
    return keys


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _walk(loc: Sequence[Any], data: Any) -> tuple[list[Segment], Any, Any]:
    """Turn pydantic's ``loc`` into the user's field path.

    Drops the tags pydantic inserts for tagged unions (``lognormal`` in
    ``handle_time.lognormal.mean``), ``[key]`` markers and ``function-after[...]``-style
    segments. Returns the path, the schema type found there (or ``None``) and the type of
    the parent (to list allowed keys).
    """
    segments: list[Segment] = []
    annotation: Any = Scenario
    parent: Any = None
    node: Any = data
    for item in loc:
        current = _strip(annotation)
        if item == "[key]":
            continue
        tags = _union_tags(current)
        if isinstance(item, str) and item in tags:
            annotation = tags[item]  # the tag pydantic inserts after a tagged union
            continue
        if (
            current is None
            and item in DISTRIBUTION_KINDS
            and isinstance(node, dict)
            and node.get("dist") == item
        ):
            continue
        if (
            isinstance(item, str)
            and _GENERATED_SEGMENT.match(item)
            and not (isinstance(node, dict) and item in node)
        ):
            continue
        segments.append(item)
        parent = current
        annotation = _child_type(current, item)
        node = _child_data(node, item)
    return segments, annotation, parent


def _child_type(annotation: Any, item: Any) -> Any:
    if annotation is None:
        return None
    if _is_model(annotation):
        return _model_fields(annotation).get(item)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin is list and args and isinstance(item, int):
        return args[0]
    return None


def _child_data(node: Any, item: Any) -> Any:
    if isinstance(node, dict):
        return node.get(item)
    if isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
        return node[item]
    return None


def _show(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


_TYPE_MESSAGES = {
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "list_type": "must be a list, e.g. [phone, email]",
    "dict_type": "must be a mapping, e.g. {phone: 0.6, email: 0.4}",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "finite_number": "must be a finite number",
}


def describe_error(details: ErrorDetails, data: Any) -> tuple[list[Segment], str]:
    """One pydantic error -> (field path segments, plain message)."""
    segments, annotation, parent = _walk(details["loc"], data)
    kind = details["type"]
    value = details.get("input")
    ctx = details.get("ctx") or {}
    message = details["msg"]
    got = f" (got {_show(value)})"

    if kind == "extra_forbidden":
        key = str(segments[-1]) if segments else "?"
        allowed = list(_model_fields(parent)) if _is_model(parent) else []
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        if close:
            return segments, f"unknown key '{key}' (did you mean '{close[0]}'?)"
        if allowed:
            return segments, f"unknown key '{key}'; allowed keys here: {', '.join(allowed)}"
        return segments, f"unknown key '{key}'"
    if kind == "missing":
        return segments, "required, but not given" + _unknown_pool_hint(segments, data)
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag", value))
        close = difflib.get_close_matches(tag, DISTRIBUTION_KINDS, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return [*segments, "dist"], f"unknown distribution '{tag}'{hint}; use one of {_KINDS}"
    if kind == "union_tag_not_found" or (
        kind in ("model_attributes_type", "model_type", "dict_type")
        and _union_tags(_strip(annotation))
    ):
        if isinstance(value, dict):
            return [*segments, "dist"], f"a distribution needs 'dist:', one of {_KINDS}"
        return segments, f"must be a distribution like {_DIST_EXAMPLE}{got}"
    if kind == "literal_error":
        expected = _QUOTED.findall(str(ctx.get("expected", "")))
        shown = value if isinstance(value, str) else _show(value)
        if expected:
            close = difflib.get_close_matches(str(value), expected, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            return segments, f"'{shown}' is not one of {', '.join(expected)}{hint}"
    if kind == "string_type" and isinstance(value, int) and segments[-1:] in (["from"], ["to"]):
        hours, minutes = divmod(value, 60)
        clock = f"{hours:02d}:{minutes:02d}"
        return segments, (
            f"YAML read the unquoted time {hours}:{minutes:02d} as the number {value}; write "
            f'times of day in quotes: {segments[-1]}: "{clock}" in a file, and on a command '
            f"line quote the value twice, e.g. '{format_path(segments)}=\"{clock}\"'"
        )
    if kind in ("value_error", "assertion_error"):
        error = ctx.get("error")
        text = str(error) if error is not None else message
        return segments, re.sub(r"^(Value error|Assertion failed), ", "", text)
    if kind in _TYPE_MESSAGES:
        return segments, _TYPE_MESSAGES[kind] + got
    if message.startswith("Input should be"):
        return segments, "must be" + message[len("Input should be") :] + got
    return segments, message


def _unknown_pool_hint(segments: Sequence[Segment], data: Any) -> str:
    """For a pool that lacks its skills or headcount: the pools the scenario has, since a
    pool name mistyped in an override makes a new, incomplete pool."""
    if len(segments) != 3 or segments[0] != "pools" or not isinstance(data, dict):
        return ""
    pools = data.get("pools")
    name = segments[1]
    if not isinstance(pools, dict) or not isinstance(pools.get(name), dict):
        return ""
    given = pools[name]
    if "skills" in given and ("agents" in given or "schedule" in given):
        return ""
    others = [str(other) for other in pools if other != name]
    if not others:
        return ""
    close = difflib.get_close_matches(str(name), others, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return (
        f"; is '{name}' a new pool? This scenario's pools are {', '.join(others)}{hint}: to "
        f"change one, name it, e.g. pools.{others[0]}.agents"
    )
