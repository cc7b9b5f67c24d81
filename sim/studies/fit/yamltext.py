"""Scenario data as YAML with a trailing comment on chosen values.

PyYAML cannot attach comments, so this writes the (small) scenario tree itself: mappings in
block style, lists of plain values inline (or one per line when an item has a comment),
lists of mappings (shift schedules) as block items. Scalars are written by PyYAML, so their
quoting is right (``"08:00"`` stays a string); the tests re-load the text with the scenario
loader and compare.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

WIDTH = 100


def commented_yaml(data: dict[str, Any], comments: dict[str, str], header: list[str]) -> str:
    """``data`` as YAML; ``comments`` maps dotted paths (``a.b``, ``a.list[3]``) to text."""
    lines = [f"# {line}".rstrip() for line in header]
    _mapping(data, "", 0, comments, lines)
    return "\n".join(lines) + "\n"


def scalar(value: Any) -> str:
    """One YAML scalar (or empty collection) as flow text."""
    if isinstance(value, dict | list) and not value:
        return "{}" if isinstance(value, dict) else "[]"
    if isinstance(value, str) and any(c in value for c in "\n\r\t"):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True)
    return text.removesuffix("\n...\n").strip()


def _with(line: str, comment: str | None) -> str:
    return f"{line}  # {comment}" if comment else line


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list) or not value


def _mapping(
    node: dict[str, Any], path: str, indent: int, comments: dict[str, str], lines: list[str]
) -> None:
    pad = " " * indent
    for key, value in node.items():
        child = f"{path}.{key}" if path else str(key)
        head = f"{pad}{scalar(key)}:"
        if _is_scalar(value):
            lines.append(_with(f"{head} {scalar(value)}", comments.get(child)))
        elif isinstance(value, dict):
            lines.append(_with(head, comments.get(child)))
            _mapping(value, child, indent + 2, comments, lines)
        else:
            _sequence(value, child, head, indent, comments, lines)


def _sequence(
    items: list[Any],
    path: str,
    head: str,
    indent: int,
    comments: dict[str, str],
    lines: list[str],
) -> None:
    keyed = [f"{path}[{i}]" for i in range(len(items))]
    if all(_is_scalar(v) for v in items) and not any(k in comments for k in keyed):
        _flow(head, [scalar(v) for v in items], indent, comments.get(path), lines)
        return
    lines.append(_with(head, comments.get(path)))
    pad = " " * (indent + 2)
    for key, item in zip(keyed, items, strict=True):
        if _is_scalar(item):
            lines.append(_with(f"{pad}- {scalar(item)}", comments.get(key)))
        elif isinstance(item, dict):
            block: list[str] = []
            _mapping(item, key, indent + 4, comments, block)
            block[0] = f"{pad}- {block[0].lstrip()}"
            lines.extend(block)
        else:
            raise TypeError(f"{key}: nested lists are not part of the scenario format")


def _flow(head: str, texts: list[str], indent: int, comment: str | None, lines: list[str]) -> None:
    """``key: [a, b, c]``, wrapped at ``WIDTH`` with continuation lines indented further."""
    current = f"{head} ["
    wrapped: list[str] = []
    for i, text in enumerate(texts):
        piece = text + ("]" if i == len(texts) - 1 else ",")
        if len(current) + 1 + len(piece) > WIDTH and not current.endswith("["):
            wrapped.append(current)
            current = " " * (indent + 4) + piece
        else:
            current += piece if current.endswith("[") else " " + piece
    wrapped.append(current)
    wrapped[-1] = _with(wrapped[-1], comment)  # after the closing bracket
    lines.extend(wrapped)
