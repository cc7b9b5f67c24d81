"""Load scenario files: YAML, ``extends`` deep-merge, ``--set`` overrides, validation.

Every way a file can be wrong ends as a :class:`ScenarioError` carrying one
:class:`Problem` per mistake (file, dotted field path, readable reason); nothing a user can
type makes a raw exception escape. The steps:

1. read each file as UTF-8 YAML with a safe loader that refuses duplicate keys and alias
   bombs (documents that expand to millions of values through ``*alias`` references);
2. follow ``extends:`` (relative to the extending file, possibly chained, cycles refused) and
   deep-merge: mappings merge key by key, anything else in the child replaces the base;
3. default ``name`` to the stem of the file the user passed when that file has no ``name``;
4. apply ``--set path=value`` overrides;
5. validate with pydantic, translating each error into a field path and a plain message,
   then run the cross-section checks of :mod:`sim.scenario.checks`.

While merging, a parallel "origin" tree records which file each value came from, so a
problem in an inherited value names the base file (``base.yaml (via variant.yaml)``).
"""

from __future__ import annotations

import difflib
import os
import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sim.scenario.checks import check_scenario
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.overrides import Segment, apply_overrides, format_path, split_path
from sim.scenario.schema import CHANNELS, DISTRIBUTION_KINDS, Scenario

MAX_FILE_BYTES = 20_000_000
"""Scenario files are small; refuse anything larger than this outright."""
MAX_EXPANDED_NODES = 1_000_000
"""Refuse documents with more values than this once YAML aliases are expanded."""
MAX_EXTENDS_DEPTH = 32
"""Longest ``extends`` chain followed."""

Origins = Any  # a dict mirroring the data's mappings, with the source file at every leaf


# --- reading one YAML file --------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys (YAML says they are errors)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            key = self.construct_object(key_node, deep=False)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"duplicate key '{key}' (first given on line {seen[key].line + 1})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark
            except TypeError:  # an unhashable key: let PyYAML report it
                continue
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 (PyYAML) reads ``1e3`` as text because it has no decimal point; a planner means
# a number, so read plain scientific notation as a float.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def parse_yaml_value(text: str) -> Any:
    """Parse a short YAML snippet (a ``--set`` value) the way scenario files are parsed."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node)
        return _plain(loader.construct_document(node))
    except _TooBig:
        raise ValueError(f"more than {MAX_EXPANDED_NODES:,} values") from None
    except _Recursive:
        raise ValueError("a YAML alias refers to itself") from None
    finally:
        loader.dispose()


class _TooBig(Exception):
    pass


class _Recursive(Exception):
    pass


def _expanded_size(root: yaml.Node) -> int:
    """Values in the document once every alias is expanded (shared nodes counted each time)."""
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        if key in active:
            raise _Recursive
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        if total > MAX_EXPANDED_NODES:
            raise _TooBig
        memo[key] = total
        return total

    return size(root)


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    line = before.count("\n") + 1
    column = position - (before.rfind("\n") + 1) + 1
    return line, column


def _yaml_problem(file: str, error: yaml.YAMLError, text: str) -> Problem:
    """A YAML error as one line: ``line L, column C: what is wrong``, 1-based."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or "YAML syntax error"
        if error.context and error.problem and not reason.startswith("duplicate key"):
            reason = f"{reason} ({error.context})"
        if mark is not None:
            where = f"line {mark.line + 1}, column {mark.column + 1}"
            if isinstance(error, yaml.constructor.ConstructorError):
                return Problem(file, "", f"{where}: {reason}")
            return Problem(file, "", f"{where}: YAML syntax error: {reason}")
        return Problem(file, "", f"YAML syntax error: {reason}")
    if isinstance(error, yaml.reader.ReaderError):
        line, column = _line_column(text, error.position)
        return Problem(
            file,
            "",
            f"line {line}, column {column}: character #x{error.character:04x} "
            "is not allowed in a YAML file",
        )
    return Problem(file, "", f"YAML error: {str(error).splitlines()[0]}")


def _read_text(path: Path, file: str) -> str:
    try:
        if path.is_dir():
            raise ScenarioError([Problem(file, "", "is a directory, not a scenario file")])
        if not path.exists():
            raise ScenarioError([Problem(file, "", "file not found")])
        if path.stat().st_size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // 1_000_000
            raise ScenarioError([Problem(file, "", f"file is larger than {limit} MB")])
        raw = path.read_bytes()
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the path
        reason = getattr(error, "strerror", None) or str(error)
        raise ScenarioError([Problem(file, "", f"cannot read the file: {reason}")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad = raw[error.start : error.start + 1].hex()
        line = raw[: error.start].count(b"\n") + 1
        raise ScenarioError(
            [Problem(file, "", f"not UTF-8 text (byte 0x{bad} on line {line}); save it as UTF-8")]
        ) from None


def _parse_yaml(text: str, file: str) -> Any:
    """Parse one YAML document safely; bad input becomes a :class:`ScenarioError`."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node)
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        problem = _yaml_problem(file, error, text)
    except _TooBig:
        problem = Problem(
            file,
            "",
            f"the document has more than {MAX_EXPANDED_NODES:,} values once YAML aliases "
            "(*name) are expanded; refusing to load it",
        )
    except _Recursive:
        problem = Problem(file, "", "a YAML alias (*name) refers to itself; remove the cycle")
    except RecursionError:
        problem = Problem(file, "", "the YAML is nested too deeply")
    except (ValueError, OverflowError) as error:  # e.g. an integer with too many digits
        problem = Problem(file, "", f"a value cannot be read: {error}")
    finally:
        if loader is not None:
            loader.dispose()
    raise ScenarioError([problem])


def _plain(value: Any) -> Any:
    """A tree copy with no shared parts (aliases become copies), so edits stay local."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _read_mapping(path: Path, file: str) -> dict[str, Any]:
    """Read one scenario file whose top level must be a mapping."""
    text = _read_text(path, file)
    data = _parse_yaml(text, file)
    if data is None:
        raise ScenarioError(
            [Problem(file, "", "the file is empty; a scenario needs at least demand and pools")]
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"the single value {str(data)[:40]!r}"
        raise ScenarioError(
            [
                Problem(
                    file,
                    "",
                    f"the top level must be a mapping of sections (name:, demand:, pools:, ...), "
                    f"not {kind}",
                )
            ]
        )
    return _plain(data)


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
    data = _read_mapping(path, file)
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


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, merge, override and validate a scenario file.

    Raises :class:`ScenarioError` listing every problem when the file cannot be used.
    """
    if isinstance(overrides, str):  # one override passed bare, not in a sequence
        overrides = (overrides,)
    file = str(path)
    path = Path(path)
    data, origins = _load_tree(path, file, [])
    if "name" not in origins or file not in _files_under(origins["name"]):
        data["name"] = path.stem
        origins["name"] = file
    problems = [Problem(file, "--set", message) for message in apply_overrides(data, overrides)]
    if problems:
        raise ScenarioError(problems)
    for text in overrides:
        origins = _set_origin(origins, split_path(text.split("=", 1)[0]), file)
    return _validate(data, file, origins)


def validate_data(data: dict[str, Any], file: str = "<scenario>") -> Scenario:
    """Validate an already-merged mapping into a :class:`Scenario`.

    Raises :class:`ScenarioError` with one problem per mistake, naming ``file``.
    """
    return _validate(data, file, None)


class _Dumper(yaml.SafeDumper):
    """Block style for sections; short all-scalar mappings and lists of scalars inline."""


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.Node:
    inline = bool(data) and len(data) <= 5 and all(_is_scalar(v) for v in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=inline)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    inline = all(_is_scalar(v) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=inline)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def scenario_to_yaml(scenario: Scenario) -> str:
    """The fully resolved scenario as YAML, durations written with units; it re-loads equal."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


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
                files = _files_under(_subtree(origins, segments))
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
    files = _files_under(_subtree(origins, segments))
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


def _files_under(node: Origins) -> set[str]:
    if isinstance(node, dict):
        found: set[str] = set()
        for child in node.values():
            found |= _files_under(child)
        return found
    return {node}


# --- pydantic errors as field paths and plain messages ----------------------------------------

_GENERATED_SEGMENT = re.compile(r"^[a-z][a-z-]*\[.*\]$")
_QUOTED = re.compile(r"'([^']*)'")
_KINDS = ", ".join(DISTRIBUTION_KINDS)
_CHANNEL_LIST = ", ".join(CHANNELS)
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
        return segments, "required, but not given"
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
        if expected and set(expected) <= set(CHANNELS):
            if expected == list(CHANNELS):
                return segments, f"unknown channel '{shown}'; channels are {_CHANNEL_LIST}"
            if value in CHANNELS:
                return segments, f"channel '{shown}' is not allowed here; use {', '.join(expected)}"
            return segments, (
                f"unknown channel '{shown}'; channels here are {', '.join(expected)}"
                f" (all channels: {_CHANNEL_LIST})"
            )
        if expected:
            close = difflib.get_close_matches(str(value), expected, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            return segments, f"'{shown}' is not one of {', '.join(expected)}{hint}"
    if kind == "string_type" and isinstance(value, int) and segments[-1:] in (["from"], ["to"]):
        hours, minutes = divmod(value, 60)
        return segments, (
            f'write times of day in quotes, e.g. "{hours:02d}:{minutes:02d}" '
            f"(YAML read an unquoted time as the number {value})"
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
