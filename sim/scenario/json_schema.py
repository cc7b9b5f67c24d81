"""The JSON Schema of the scenario format, for editors and for the reference.

Editors that read JSON Schema (VS Code with the YAML extension, JetBrains, Neovim …)
complete and check keys as a planner types, when the file starts with::

    # yaml-language-server: $schema=../docs/scenario.schema.json

The schema is pydantic's, made readable: every key carries its meaning from
:mod:`sim.scenario.descriptions`, defaults are written as a file would write them (``7d``,
not 604800.0, default mappings included), durations are text with a unit, channel and
routing names are enums of what is registered when the schema is made (validation checks
the registry itself), and mappings keyed by channel list each channel as a property so
editors complete them. ``extends`` is allowed at the top, as the loader allows it.
"""

from __future__ import annotations

import copy
import re
import typing
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo

from sim.scenario.channels import Channels
from sim.scenario.descriptions import KEYS, Key
from sim.scenario.schema import Scenario

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = "docs/scenario.schema.json"
"""Where the repository ships the schema (the scenarios' ``yaml-language-server`` comment
points here; a test keeps it equal to :func:`scenario_json_schema`)."""
EXTENDS = "extends"
PATCH = "Patch"
DIST = Key("The kind of distribution, which says which other keys it takes.")

_GENERIC = re.compile(r"^(?P<kind>[A-Z][A-Za-z]*)_Annotated_")


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, as ``ccsim schema`` writes it."""
    raw = Scenario.model_json_schema(mode="validation")
    schema = _rename_definitions(raw)
    models = _models()
    _hoist_inline_sections(schema, models)
    for name, definition in schema["$defs"].items():
        _describe_section(name, definition, models.get(name))
    _describe_section("Scenario", schema, Scenario)
    schema["properties"] = {
        EXTENDS: {"type": "string", "description": KEYS["Scenario.extends"].meaning},
        **schema["properties"],
    }
    _complete_keyed_mappings(schema)
    definitions = schema.pop("$defs")
    definitions["Scenario"] = schema
    _offer_shorthands(definitions, models)
    patches = {f"{name}{PATCH}": _patch(node) for name, node in definitions.items()}
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "ccsim scenario",
        "description": "A contact centre and how to simulate it (ccsim). Durations carry a "
        "unit (20s, 6min, 4h, 2d); shares are fractions from 0 to 1. A file with `extends:` "
        "gives only what it changes.",
        "$ref": f"#/$defs/Scenario{PATCH}",  # every key, none required: what editors complete
        "if": {"required": [EXTENDS]},
        "then": {},
        "else": {"$ref": "#/$defs/Scenario"},  # a whole scenario: demand and pools required
        "$defs": {**definitions, **patches},
    }


def _offer_shorthands(definitions: dict[str, Any], models: dict[str, type[BaseModel]]) -> None:
    """A section the loader also takes in a short form (``demand.customers: 470000``)
    accepts that form in the schema too: its model's ``JSON_SHORTHAND``."""
    for name, model in models.items():
        shorthand = getattr(model, "JSON_SHORTHAND", None)
        if shorthand is None or name not in definitions:
            continue
        whole = definitions[name]
        outer = {k: whole[k] for k in ("title", "description") if k in whole}
        definitions[name] = {**outer, "anyOf": [whole, shorthand]}


def _patch(node: Any, in_list: bool = False) -> Any:
    """The schema of a change to ``node`` in a file with ``extends``: nothing is required,
    any key may be null (drop the base's value) and mappings are partial, since they merge
    into the base's; list items are whole, since a list replaces the base's."""
    if isinstance(node, list):
        return [_patch(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("required", "discriminator", "minItems", "default"):
            continue
        if key == "$ref":
            out[key] = f"{value}{PATCH}"
        elif key == "oneOf":
            out["anyOf"] = _patch(value)
        elif key == "items":
            out[key] = value
        elif key == "properties":
            out[key] = {k: _nullable(_patch(v)) for k, v in value.items()}
        elif key == "additionalProperties" and isinstance(value, dict):
            out[key] = _nullable(_patch(value))
        else:
            out[key] = _patch(value)
    return out


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    if any(option.get("type") == "null" for option in node.get("anyOf", [])):
        return node
    described = {k: node[k] for k in ("description",) if k in node}
    return {"anyOf": [{k: v for k, v in node.items() if k != "description"}, {"type": "null"}]} | (
        described
    )


def key_meaning(section: str, key: str, field: FieldInfo | None = None) -> Key | None:
    """A key's entry: its field's own description first, else the table's."""
    if field is not None and field.description:
        return Key(field.description)
    if key == "dist":
        return DIST
    return KEYS.get(f"{section}.{key}")


# --- readable definitions ---------------------------------------------------------------------


def _rename_definitions(schema: dict[str, Any]) -> dict[str, Any]:
    """Generic distributions get names a planner reads: ``LognormalTime``, ``GammaCount``."""
    names: dict[str, str] = {}
    for name in schema.get("$defs", {}):
        match = _GENERIC.match(name)
        if match:
            unit = "Time" if "BeforeValidator" in name else "Count"
            names[name] = f"{match['kind']}{unit}"
    text_refs = {f"#/$defs/{old}": f"#/$defs/{new}" for old, new in names.items()}

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: (text_refs.get(v, v) if k == "$ref" and isinstance(v, str) else rewrite(v))
                for k, v in node.items()
                if k != "mapping"
            } | (
                {"mapping": {t: text_refs.get(r, r) for t, r in node["mapping"].items()}}
                if "mapping" in node
                else {}
            )
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    out = rewrite(copy.deepcopy(schema))
    out["$defs"] = {names.get(k, k): v for k, v in out["$defs"].items()}
    for old, new in names.items():
        definition = out["$defs"][new]
        definition["title"] = new
        kind = _GENERIC.match(old)["kind"]  # type: ignore[index]
        definition["description"] = f"{kind.lower()} distribution of " + (
            "durations (each value with a unit)" if new.endswith("Time") else "numbers"
        )
    return out


def _hoist_inline_sections(schema: dict[str, Any], models: dict[str, type[BaseModel]]) -> None:
    """A section pydantic wrote inline (a class used once, like ``self_service``'s) becomes a
    definition of its own, so it gets its keys' meanings and defaults like every other."""
    for name, model in models.items():
        owner = schema["$defs"].get(name, schema if model is Scenario else None)
        if owner is None:
            continue
        fields = model.model_fields.items()
        sections = {f.alias or k: _section_type(f.annotation) for k, f in fields}
        if issubclass(model, Channels):  # one key per registered kind, not fields
            sections.update(Channels.section_types())
        for key, inner in sections.items():
            node = owner.get("properties", {}).get(key)
            if node is None or inner is None or "properties" not in node:
                continue
            inner_name = inner.__name__.split("[")[0]
            if inner_name in schema["$defs"]:
                continue
            described = {k: node.pop(k) for k in ("description", "default") if k in node}
            schema["$defs"][inner_name] = {"title": inner_name, **node}
            node.clear()
            node.update({"$ref": f"#/$defs/{inner_name}", **described})


def _section_type(annotation: Any) -> type[BaseModel] | None:
    """The section class of a field typed ``Section`` or ``Section | None``."""
    options = [a for a in (typing.get_args(annotation) or (annotation,)) if a is not type(None)]
    if len(options) == 1 and isinstance(options[0], type) and issubclass(options[0], BaseModel):
        return options[0]
    return None


def _models() -> dict[str, type[BaseModel]]:
    """Every section class reachable from :class:`Scenario`, by its name in ``$defs``."""
    found: dict[str, type[BaseModel]] = {}

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            name = annotation.__name__.split("[")[0]
            if name in found:
                return
            found[name] = annotation
            for field in annotation.model_fields.values():
                visit(field.annotation)
            if issubclass(annotation, Channels):
                for section in Channels.section_types().values():
                    visit(section)
            return
        for item in typing.get_args(annotation):
            visit(item)

    visit(Scenario)
    return found


def _json_default(field: FieldInfo) -> Any:
    """A field's default written as a file writes it (durations with units)."""
    value = field.get_default(call_default_factory=True)
    annotation = field.annotation
    if field.metadata:
        annotation = typing.Annotated[(annotation, *field.metadata)]  # type: ignore[valid-type]
    try:
        return TypeAdapter(annotation).dump_python(value, mode="json")
    except Exception:  # a default the type cannot serialise: leave it out
        return None


def _describe_section(name: str, definition: dict[str, Any], model: type[BaseModel] | None) -> None:
    """Meanings, file-style defaults and no generated titles on one section's keys."""
    section = re.sub(r"(?<=[a-z])(Time|Count)$", "", name)
    fields: dict[str, FieldInfo] = {}
    if model is not None:
        for attr, field in model.model_fields.items():
            fields[field.alias or attr] = field
    for key, prop in definition.get("properties", {}).items():
        prop.pop("title", None)
        field = fields.get(key)
        entry = key_meaning(section, key, field)
        if entry is not None:
            prop["description"] = entry.meaning + (f" Unit: {entry.unit}." if entry.unit else "")
        if field is not None and not field.is_required():
            default = _json_default(field)
            if default is not None:
                prop["default"] = default
            else:
                prop.pop("default", None)


def _complete_keyed_mappings(node: Any) -> None:
    """A mapping whose keys are an enum (channel names) lists them as properties, so editors
    complete ``first_channel.<channel>`` as they complete section keys."""
    if isinstance(node, dict):
        names = node.get("propertyNames", {}).get("enum")
        extra = node.get("additionalProperties")
        if names and isinstance(extra, dict) and "properties" not in node:
            node["properties"] = {name: copy.deepcopy(extra) for name in names}
        for value in node.values():
            _complete_keyed_mappings(value)
    elif isinstance(node, list):
        for value in node:
            _complete_keyed_mappings(value)
