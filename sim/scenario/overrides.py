"""``--set path=value`` overrides: dotted paths into a scenario's plain data.

``pools.voice.agents=75`` sets ``data["pools"]["voice"]["agents"] = 75``. The value is read
as YAML, so ``75`` is an int, ``deflect`` a string, ``[phone, email]`` a list and ``{a: 1}`` a
mapping; the value replaces whatever was at the path (a mapping value is not merged).
Missing intermediate mappings are created; ``schedule[0].agents`` indexes into an existing
list. Overrides apply to the merged data before validation, so an override is
checked exactly like the same value written in the file (an unknown key is an unknown key).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from sim.scenario.yaml_io import parse_yaml_value

Segment = str | int

_SEGMENT = re.compile(r"^(?P<key>[^\[\]]+)(?P<indices>(?:\[\d+\])*)$")
_INDEX = re.compile(r"\[(\d+)\]")
EXAMPLE = "e.g. pools.voice.agents=75"


class OverrideError(ValueError):
    """A ``--set`` that cannot be applied; the message says why, naming the override."""


def split_path(path: str) -> list[Segment]:
    """``"pools.voice.schedule[0].agents"`` -> ``["pools", "voice", "schedule", 0, "agents"]``."""
    text = path.strip()
    if not text:
        raise OverrideError(f"empty path; {EXAMPLE}")
    segments: list[Segment] = []
    for part in text.split("."):
        match = _SEGMENT.match(part.strip())
        if not match:
            raise OverrideError(f"'{text}' is not a dotted path like pools.voice.agents")
        segments.append(match["key"].strip())
        segments.extend(int(i) for i in _INDEX.findall(match["indices"]))
    return segments


def format_path(segments: Sequence[Segment]) -> str:
    """The inverse of :func:`split_path`: keys joined by dots, list indices as ``[i]``."""
    text = ""
    for segment in segments:
        if isinstance(segment, int) and not isinstance(segment, bool):
            text += f"[{segment}]"
        else:
            text += f".{segment}" if text else str(segment)
    return text


def parse_value(text: str) -> Any:
    """Read an override's value as YAML (``75`` -> 75, ``[a, b]`` -> a list)."""
    try:
        return parse_yaml_value(text)
    except yaml.YAMLError as error:
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise OverrideError(f"value '{text}' is not valid YAML ({reason})") from None
    except (ValueError, RecursionError) as error:
        raise OverrideError(f"value '{text}' cannot be read ({error})") from None


def parse_override(text: str) -> tuple[list[Segment], Any]:
    """``"pools.voice.agents=75"`` -> ``(["pools", "voice", "agents"], 75)``."""
    if not isinstance(text, str) or "=" not in text:
        raise OverrideError(f"'{text}' is not PATH=VALUE; {EXAMPLE}")
    path, value = text.split("=", 1)
    if not path.strip():
        raise OverrideError(f"'{text}' has an empty path; {EXAMPLE}")
    try:
        segments = split_path(path)
    except OverrideError as error:
        raise OverrideError(f"'{text}': {error}") from None
    try:
        parsed = parse_value(value)
    except OverrideError as error:
        raise OverrideError(f"'{text}': {error}") from None
    return segments, parsed


def set_path(data: dict[str, Any], segments: Sequence[Segment], value: Any) -> None:
    """Set ``value`` at ``segments`` inside ``data`` (in place), creating missing mappings."""
    if not segments:
        raise OverrideError(f"empty path; {EXAMPLE}")
    target = format_path(segments)
    node: Any = data
    for depth, segment in enumerate(segments):
        where = format_path(segments[:depth]) or "the scenario"
        last = depth == len(segments) - 1
        if isinstance(segment, int):
            if not isinstance(node, list):
                raise OverrideError(f"cannot set {target}: {where} is not a list")
            if segment >= len(node):
                raise OverrideError(f"cannot set {target}: {where} has {len(node)} item(s)")
        elif not isinstance(node, dict):
            raise OverrideError(f"cannot set {target}: {where} is {_show(node)}, not a mapping")
        if last:
            node[segment] = value
        elif isinstance(segment, str) and node.get(segment) is None:
            node[segment] = node = {}
        else:
            node = node[segment]


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> list[str]:
    """Apply each override to ``data`` in place; return one message per bad override."""
    messages: list[str] = []
    for text in overrides:
        try:
            segments, value = parse_override(text)
            set_path(data, segments, value)
        except OverrideError as error:
            messages.append(str(error))
    return messages
