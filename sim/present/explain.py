"""``ccsim validate --explain``: the resolved scenario, with every filled-in default marked.

A key the file (or the files it extends, or a ``--set``) did not give takes ccsim's default,
silently in ``scenario.yaml``. Here each such value carries a ``# default`` comment and the
list of them closes the page, so a planner sees at once that, say, the jump-the-line habit
is off or impressions are worth nothing because nothing said otherwise. A key counts as
given when pydantic saw it (``model_fields_set``), section by section. For a file that
``extends`` another, each value the file itself (or a ``--set``) gives is marked
``# set here``: what the variant changes, among everything it inherits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel

from sim.scenario import Scenario
from sim.scenario.channels import Channels
from sim.scenario.loading import files_under
from sim.scenario.registry import public_names

DEFAULT = "# default"
HERE = "# set here"
WIDTH = 96


@dataclass
class Explained:
    """The annotated YAML lines and the dotted paths of the defaults filled in; ``origins``
    (the loader's tree of which file gave each value) and ``here`` mark a variant's own."""

    lines: list[str] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)
    origins: Any = None
    here: str = ""


def explain(scenario: Scenario, source: str = "", origins: Any = None) -> str:
    """The resolved ``scenario`` as YAML, ``# default`` beside every value not given; with
    ``origins`` (:func:`sim.scenario.loading.value_origins` of ``source``) of a file that
    extends another, ``# set here`` beside each value ``source`` gives itself."""
    extends = files_under(origins) - {source} if origins is not None else set()
    out = Explained(origins=origins if extends else None, here=source)
    _section(scenario, _dump(scenario), "", 0, False, out)
    head = [
        f"# {scenario.name}{f' ({source})' if source else ''}, resolved: every key, with",
        f"# '{DEFAULT}' beside each value no file gave (ccsim filled in its default).",
    ]
    if extends:
        head += [
            f"# '{HERE}' beside each value this file (or --set) gives; the rest comes from",
            f"# {', '.join(sorted(extends))}.",
        ]
    count = len(out.defaults)
    tail = [
        "",
        f"# {count} default{'s' if count != 1 else ''} filled in: "
        + (", ".join(out.defaults) if out.defaults else "none"),
    ]
    return "\n".join([*head, *out.lines, *_wrap_comment(tail)]) + "\n"


def filled_defaults(scenario: Scenario) -> list[str]:
    """Dotted paths of every value ``scenario`` took from ccsim's defaults."""
    out = Explained()
    _section(scenario, _dump(scenario), "", 0, False, out)
    return out.defaults


def _dump(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(mode="json", by_alias=True)


def _fields(model: BaseModel) -> list[tuple[str, str, Any]]:
    """``(attribute, key as written, value)`` of a section, in order."""
    if isinstance(model, Channels):
        return [(name, name, section) for name, section in model.sections().items()]
    return [
        (attr, info.alias or attr, getattr(model, attr))
        for attr, info in type(model).model_fields.items()
    ]


def _given(model: BaseModel) -> set[str]:
    if isinstance(model, Channels):
        return {n for n, s in model.sections().items() if s.model_fields_set}
    return set(model.model_fields_set)


def _is_section(value: Any) -> bool:
    return isinstance(value, BaseModel) and "dist" not in type(value).model_fields


def _section(
    model: BaseModel, dumped: dict[str, Any], path: str, depth: int, inherited: bool, out: Explained
) -> None:
    """Append ``model``'s keys (``dumped`` is its file form) to ``out``, marking defaults."""
    given = _given(model)
    indent = "  " * depth
    for attr, key, value in _fields(model):
        where = f"{path}.{key}" if path else key
        default = inherited or attr not in given
        if _is_section(value):
            note = f"  {DEFAULT}: not in the file" if default else ""
            out.lines.append(f"{indent}{key}:{note}")
            _section(value, dumped[key], where, depth + 1, default, out)
        elif isinstance(value, dict) and value and all(_is_section(v) for v in value.values()):
            out.lines.append(f"{indent}{key}:")
            for name, item in value.items():
                out.lines.append(f"{indent}  {name}:")
                _section(item, dumped[key][name], f"{where}.{name}", depth + 2, default, out)
        else:
            if default:
                out.defaults.append(where)
            note = DEFAULT if default else HERE if _set_here(out, where) else ""
            out.lines += _leaf(indent, key, dumped[key], note)


def _set_here(out: Explained, where: str) -> bool:
    """Whether the explained file itself gave the value at dotted path ``where``."""
    node = out.origins
    if node is None:
        return False
    for part in where.split("."):
        if not isinstance(node, dict):
            break
        if part not in node:
            return False
        node = node[part]
    return out.here in files_under(node)


def _leaf(indent: str, key: str, value: Any, mark: str) -> list[str]:
    text = _flow(value)
    note = f"  {mark}" if mark else ""
    line = f"{indent}{key}: {text}{note}"
    if len(line) <= WIDTH or not isinstance(value, list):
        return [line]
    items = [_flow(item) for item in value]
    lines, current = [], f"{indent}{key}: ["
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "]")
        if len(current) + len(piece) + 1 > WIDTH:
            lines.append(current.rstrip())
            current = indent + "  " * 2
        current += piece + " "
    lines.append(current.rstrip() + note)
    return lines


def _flow(value: Any) -> str:
    if value is None:
        return "null"
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6)
    return text.strip().removesuffix("...").strip()


def _wrap_comment(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        while len(line) > WIDTH and ", " in line[:WIDTH]:
            cut = line.rfind(", ", 0, WIDTH) + 1
            out.append(line[:cut])
            line = "#   " + line[cut:].lstrip()
        out.append(line)
    return out


# --- notes a run prints once ------------------------------------------------------------------


def follow_up_notes(scenario: Scenario) -> list[str]:
    """A warning when a service-level threshold is longer than the follow-up cap."""
    from sim.model.kit import FOLLOW_UP_CAP, longest_threshold
    from sim.scenario.units import format_duration

    longest = longest_threshold(scenario)
    if longest <= FOLLOW_UP_CAP:
        return []
    return [
        f"warning: a service-level threshold of {format_duration(longest)} is longer than the "
        f"{format_duration(FOLLOW_UP_CAP)} ccsim simulates after the horizon; contacts of the "
        "horizon still waiting then count as not answered within it, so that service level "
        "may be understated."
    ]


def scenario_notes(scenario: Scenario) -> list[str]:
    """Settings whose effect a planner easily misses, each said once with what to change:
    a service-level threshold beyond the follow-up cap, social served in public while no
    habit (jump the line, or a customer base's) is on, and public impressions that are
    worth nothing (in costs or in a value section)."""
    return follow_up_notes(scenario) + _public_notes(scenario)


def _public_notes(scenario: Scenario) -> list[str]:
    public = [
        name
        for name in public_names()
        if getattr(scenario.channels.sections().get(name), "public_share", 0) > 0
        and any(name in pool.skills for pool in scenario.pools.values())
    ]
    if not public:
        return []
    notes = []
    given = (
        "" if "enabled" in scenario.behaviour.jump_the_line.model_fields_set else ", the default"
    )
    habit = scenario.behaviour.jump_the_line
    customers = scenario.demand.customers
    learned = customers is not None and customers.social_habit > 0  # the customers' own habit
    if scenario.policy.social_mode != "ignore" and not habit.enabled and not learned:
        share = sum(scenario.demand.first_channel.get(name, 0.0) for name in public)
        notes.append(
            f"{' and '.join(public)} is answered in public but the jump-the-line habit is off "
            f"(behaviour.jump_the_line.enabled: false{given}), so the share of customers who "
            f"go there first stays at {share:.0%}; set it to true to let them learn that "
            "public complaints are answered faster."
        )
    value = scenario.costs.public_impression
    lift = scenario.value.purchase_lift if scenario.value is not None else None
    priced = lift is not None and (lift.positive > 0 or lift.negative > 0)
    if value.negative == 0 and value.positive == 0 and not priced:
        given = (
            ""
            if value.model_fields_set or "public_impression" in (scenario.costs.model_fields_set)
            else ", the default"
        )
        notes.append(
            f"public impressions are worth nothing (costs.public_impression is 0{given}), so "
            "the total cost leaves out what people seeing complaints is worth; give "
            "costs.public_impression.negative a value (e.g. -0.05 per impression) to price it."
        )
    return notes
