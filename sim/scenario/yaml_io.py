"""Reading and writing scenario YAML safely.

Scenario files are UTF-8 YAML read with a safe loader that refuses duplicate keys and alias
bombs (documents that expand to millions of values through ``*alias`` references), and reads
plain scientific notation (``1e3``) as a number. Every way a file can be unreadable becomes a
:class:`ScenarioError` with one readable line; nothing a user can type makes a raw exception
escape. The resolved scenario is written back as YAML that re-loads equal.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from sim.io.reading import ReadRefused, looks_like_scenario, read_bounded
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.schema import Scenario

MAX_FILE_BYTES = 5_000_000
"""Scenario files are small (a year of half-hourly volumes is well under 1 MB); refuse
anything larger than this outright, counting the bytes actually read."""
MAX_EXPANDED_NODES = 1_000_000
"""Refuse documents with more values than this once YAML aliases are expanded."""


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
        return plain(loader.construct_document(node))
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
    """The UTF-8 text of ``path``: a regular file only (a FIFO, ``/dev/zero`` or a folder is
    refused before reading), at most :data:`MAX_FILE_BYTES` counted as they are read."""
    try:
        if path.is_dir():
            raise ScenarioError([Problem(file, "", "is a directory, not a scenario file")])
        raw = read_bounded(path, MAX_FILE_BYTES)
    except (ReadRefused, OSError, ValueError) as error:
        raise ScenarioError([Problem(file, "", str(error))]) from None
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
    if text.count(",") + text.count("\n") > MAX_EXPANDED_NODES:  # cheap: before parsing
        raise ScenarioError(
            [Problem(file, "", f"has more than {MAX_EXPANDED_NODES:,} values; refusing to load it")]
        )
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
        aliases = " once YAML aliases (*name) are expanded" if "*" in text else ""
        problem = Problem(
            file,
            "",
            f"the document has more than {MAX_EXPANDED_NODES:,} values{aliases}; "
            "refusing to load it",
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


def plain(value: Any) -> Any:
    """A tree copy with no shared parts (aliases become copies), so edits stay local."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


NOT_SHOWN = (
    "does not look like a ccsim scenario (none of its top-level keys is a section such as "
    "demand: or pools:), so its contents are not shown; check the file name"
)


def read_mapping(path: Path, file: str) -> dict[str, Any]:
    """Read one scenario file whose top level must be a mapping.

    A file that does not look like a scenario (:func:`sim.io.reading.looks_like_scenario`:
    ``extends: /etc/shadow``) is refused without quoting it: no key, value or snippet of it
    reaches a message, only positions and generic reasons."""
    text = _read_text(path, file)
    quotable = looks_like_scenario(text)
    try:
        data = _parse_yaml(text, file)
    except ScenarioError as error:
        if quotable:
            raise
        raise ScenarioError([_unquoted(problem) for problem in error.problems]) from None
    if data is None:
        raise ScenarioError(
            [Problem(file, "", "the file is empty; a scenario needs at least demand and pools")]
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        if quotable:
            kind = f"the single value {str(data)[:40]!r}" if kind != "a list" else kind
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
    if not quotable:
        raise ScenarioError([Problem(file, "", NOT_SHOWN)])
    return plain(data)


def _unquoted(problem: Problem) -> Problem:
    """``problem`` of a file that is not a scenario: kept if it quotes nothing, else its
    position (``line L, column C``) and a generic reason."""
    if "'" not in problem.message and '"' not in problem.message:
        return problem
    position = re.match(r"line \d+, column \d+", problem.message)
    where = f"{position.group(0)}: " if position else ""
    return Problem(problem.file, problem.path, f"{where}not valid YAML, and the file {NOT_SHOWN}")


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
