"""The scenario format's JSON Schema and reference: shipped copies in sync, every key
described, editors pointed at it, and the schema agreeing with the loader on real files."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel

from sim.cli import main
from sim.present.reference import reference_markdown
from sim.scenario.channels import Channels, ChannelSection, register_channel
from sim.scenario.descriptions import KEYS
from sim.scenario.json_schema import SCHEMA_FILE, key_meaning, scenario_json_schema
from sim.scenario.registry import ChannelKind, unregister_channel
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = (
    "regenerate with: ccsim schema -o docs/scenario.schema.json && "
    "ccsim schema --markdown -o docs/reference.md"
)
MODELINE = "# yaml-language-server: $schema=../docs/scenario.schema.json"


def test_shipped_schema_is_current() -> None:
    shipped = json.loads((ROOT / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert shipped == scenario_json_schema(), f"docs/scenario.schema.json drifted; {REGENERATE}"


def test_reference_is_current() -> None:
    shipped = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    assert shipped == reference_markdown(), f"docs/reference.md drifted; {REGENERATE}"


def _sections() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            name = annotation.__name__.split("[")[0]
            if name not in found:
                found[name] = annotation
                for field in annotation.model_fields.values():
                    visit(field.annotation)
            return
        for item in typing.get_args(annotation):
            visit(item)

    visit(Scenario)
    for section in Channels.section_types().values():
        visit(section)
    return found


def test_every_key_has_a_meaning_and_no_meaning_is_stale() -> None:
    sections = _sections()
    keys = {
        (name, field.alias or attr, field)
        for name, model in sections.items()
        for attr, field in model.model_fields.items()
    }
    missing = [f"{s}.{k}" for s, k, f in keys if k != "dist" and key_meaning(s, k, f) is None]
    assert not missing, f"describe these keys in sim/scenario/descriptions.py: {missing}"
    known = {f"{s}.{k}" for s, k, _ in keys} | {f"Channels.{n}" for n in Channels.section_types()}
    known.add("Scenario.extends")
    stale = [key for key in KEYS if key not in known]
    assert not stale, f"descriptions of keys that no longer exist: {stale}"


def test_reference_lists_every_key_with_type_default_and_example() -> None:
    text = reference_markdown()
    for path in ("run.horizon", "channels.social.audience", "pools.<name>.schedule[].from"):
        assert f"### `{path}`" in text
    entries = re.split(r"\n### ", text.split("## Distributions")[0])[1:]
    assert len(entries) > 80
    for entry in entries:
        assert "- type: " in entry, entry
        meaning = entry.split("\n", 1)[1].split("- type: ")[0]
        assert meaning.strip(), f"no meaning under ### {entry.splitlines()[0]}"
        if "- type: section" not in entry:
            assert "- default: " in entry, entry
    for key in ("duration", "success", "fallback"):  # a section pydantic writes inline
        entry = text.split(f"### `channels.self_service.{key}`")[1].split("###")[0]
        assert "- default: none" not in entry, entry
    horizon = text.split("### `run.horizon`")[1].split("###")[0]
    assert "- default: `7d`" in horizon and "- example: `horizon: 28d`" in horizon


def test_shipped_scenarios_point_editors_at_the_schema() -> None:
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == MODELINE, path.name
        target = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert target == (ROOT / SCHEMA_FILE).resolve() and target.is_file()


def test_channel_kinds_come_from_the_registry_when_the_schema_is_made() -> None:
    class Fax(ChannelSection):
        pages: int = 1

    register_channel(ChannelKind("fax", Fax))
    try:
        schema = scenario_json_schema()
    finally:
        unregister_channel("fax")
    channels = schema["$defs"]["Channels"]["properties"]
    assert "fax" in channels and "phone" in channels
    first = schema["$defs"]["Demand"]["properties"]["first_channel"]
    assert "fax" in first["propertyNames"]["enum"] and "fax" in first["properties"]
    assert "fax" not in scenario_json_schema()["$defs"]["Channels"]["properties"]


def test_schema_command_prints_the_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == scenario_json_schema()


# --- the schema agrees with the loader on real files ------------------------------------------


def _check(schema: dict[str, Any], node: dict[str, Any], value: Any, where: str) -> list[str]:
    """A small JSON Schema checker for the keywords the scenario schema uses."""
    errors: list[str] = []
    if "$ref" in node:
        target = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        errors += _check(schema, target, value, where)
    if "if" in node:
        chosen = "then" if not _check(schema, node["if"], value, where) else "else"
        errors += _check(schema, node[chosen], value, where)
    for key, test in (("anyOf", any), ("oneOf", lambda ok: sum(ok) == 1)):
        if key in node:
            results = [not _check(schema, option, value, where) for option in node[key]]
            if not test(results):
                errors.append(f"{where}: no {key} option fits {value!r}")
    kinds = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
    kind = node.get("type")
    if kind in ("number", "integer"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or (kind == "integer" and not isinstance(value, int)):
            return [*errors, f"{where}: not a {kind}"]
        for word, fails in (
            ("minimum", lambda b: value < b),
            ("maximum", lambda b: value > b),
            ("exclusiveMinimum", lambda b: value <= b),
        ):
            if word in node and fails(node[word]):
                errors.append(f"{where}: {word} {node[word]}")
    elif kind is not None and not isinstance(value, kinds[kind]):
        return [*errors, f"{where}: not {kind}"]
    if "enum" in node and value not in node["enum"]:
        errors.append(f"{where}: {value!r} not in enum")
    if "const" in node and value != node["const"]:
        errors.append(f"{where}: not {node['const']}")
    if "pattern" in node and isinstance(value, str) and not re.search(node["pattern"], value):
        errors.append(f"{where}: {value!r} does not match")
    if isinstance(value, dict):
        errors += [f"{where}: {k} required" for k in node.get("required", []) if k not in value]
        properties = node.get("properties", {})
        for key, item in value.items():
            names = node.get("propertyNames", {}).get("enum")
            if names is not None and key not in names:
                errors.append(f"{where}.{key}: not an allowed key")
            if key in properties:
                errors += _check(schema, properties[key], item, f"{where}.{key}")
            elif node.get("additionalProperties") is False:
                errors.append(f"{where}.{key}: unknown key")
            elif isinstance(node.get("additionalProperties"), dict):
                errors += _check(schema, node["additionalProperties"], item, f"{where}.{key}")
    if isinstance(value, list) and "items" in node:
        for i, item in enumerate(value):
            errors += _check(schema, node["items"], item, f"{where}[{i}]")
    return errors


def _raw(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml")))
def test_shipped_scenarios_satisfy_the_schema(name: str) -> None:
    schema = scenario_json_schema()
    assert _check(schema, schema, _raw(ROOT / "scenarios" / name), "") == []


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"channels": {"fax": {}}}, ".channels.fax"),
        ({"run": {"horizon": 7}}, ".run.horizon"),
        ({"channels": {"phone": {"handle_time": {"dist": "normal", "mean": "6min"}}}}, "phone"),
        ({"demand": {"first_channel": {"fax": 1.0}}}, ".demand.first_channel.fax"),
        ({"policy": {"social_mode": "reply"}}, ".policy.social_mode"),
        ({"pools": {"voice": {"schedule": [{"from": 800, "to": "16:00", "agents": 3}]}}}, "from"),
    ],
)
def test_schema_refuses_what_the_loader_refuses(change: dict[str, Any], where: str) -> None:
    schema = scenario_json_schema()
    whole = _raw(ROOT / "scenarios" / "baseline.yaml") | change
    errors = _check(schema, schema, whole, "")
    assert any(where in error for error in errors), errors
    variant = {"extends": "baseline.yaml", **change}
    assert _check(schema, schema, variant, ""), "a variant with the same mistake passed"


def test_a_variant_may_give_only_what_it_changes_and_drop_values_with_null() -> None:
    schema = scenario_json_schema()
    variant = {"extends": "baseline.yaml", "pools": {"digital": {"concurrency": None}}}
    assert _check(schema, schema, variant, "") == []
    assert _check(schema, schema, {"pools": {"digital": {"concurrency": None}}}, "")


def test_a_short_form_the_loader_takes_satisfies_the_schema() -> None:
    schema = scenario_json_schema()
    whole = _raw(ROOT / "scenarios" / "baseline.yaml")
    assert load_data_ok(whole)  # the baseline gives demand.customers as {count: 470000}
    shorthand = whole | {"demand": whole["demand"] | {"customers": 470_000}}
    assert load_data_ok(shorthand)
    assert _check(schema, schema, shorthand, "") == []
    variant = {"extends": "baseline.yaml", "demand": {"customers": 9}}
    assert _check(schema, schema, variant, "") == []
    for wrong in (0, "many", 2.5):
        bad = whole | {"demand": whole["demand"] | {"customers": wrong}}
        assert not load_data_ok(bad)
        assert _check(schema, schema, bad, ""), wrong


def load_data_ok(data: dict[str, Any]) -> bool:
    """Whether the loader takes ``data`` as a scenario."""
    from sim.scenario import validate_data
    from sim.scenario.errors import ScenarioError

    try:
        validate_data(data)
    except ScenarioError:
        return False
    return True
