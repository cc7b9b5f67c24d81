"""Loading scenario files: defaults, ``extends``, ``--set`` overrides and the YAML round trip."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from builders import multichannel_data
from click.testing import CliRunner

from sim.cli import main
from sim.scenario import Scenario, ScenarioError, load_scenario, scenario_to_yaml, validate_data
from sim.scenario.loading import deep_merge, describe_error
from sim.scenario.overrides import OverrideError, format_path, parse_override, split_path

DATA = Path(__file__).parent / "data"
SCENARIOS = Path(__file__).parent.parent / "scenarios"


def test_minimal_scenario_loads_with_defaults() -> None:
    scenario = load_scenario(DATA / "minimal.yaml")
    assert scenario.name == "minimal"  # no name: the file's stem
    assert scenario.run.replications == 10
    assert scenario.run.interval == 1800.0
    assert scenario.demand.issues_per_hour == 60
    assert scenario.demand.first_channel == {"phone": 1.0}
    assert scenario.channels.phone.handle_time.dist == "exponential"
    assert scenario.channels.phone.handle_time.mean == 300.0
    assert scenario.channels.phone.patience is None
    assert scenario.channels.email.handle_time.mean == 480.0  # default lognormal 8min
    assert scenario.pools["voice"].agents == 8
    assert scenario.policy.social_mode == "serve"


def test_load_accepts_str_and_path() -> None:
    assert load_scenario(str(DATA / "minimal.yaml")) == load_scenario(DATA / "minimal.yaml")


def test_extends_merges_nested_values_and_keeps_siblings() -> None:
    base = load_scenario(DATA / "base.yaml")
    variant = load_scenario(DATA / "variant.yaml")
    # the child's nested value wins...
    assert variant.channels.phone.service_level.within == 30.0
    assert variant.pools["voice"].agents == 24
    # ...its siblings come from the base
    assert variant.channels.phone.service_level.target == 0.8
    assert variant.pools["voice"].skills == ["phone"]
    assert variant.pools["voice"].cost_per_hour == 28
    assert variant.pools["voice"].shrinkage == 0.25
    assert variant.pools["digital"] == base.pools["digital"]
    assert variant.channels.phone.handle_time == base.channels.phone.handle_time
    assert variant.run == base.run
    # lists are replaced, not merged
    assert variant.policy.priority == ["phone", "email", "social"]
    assert variant.policy.social_mode == "deflect"


def test_variant_without_name_gets_its_own_stem_not_the_base_name() -> None:
    assert load_scenario(DATA / "base.yaml").name == "base"
    assert load_scenario(DATA / "variant.yaml").name == "variant"


def test_extends_chains_relative_to_each_file_from_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    deeper = load_scenario(DATA / "nested" / "deeper.yaml")
    assert deeper.name == "deeper"
    assert deeper.run.replications == 5  # from deeper.yaml
    assert deeper.policy.social_mode == "deflect"  # from variant.yaml
    assert deeper.pools["digital"].agents == 6  # from base.yaml


def test_extends_resolves_relative_to_the_file_with_a_relative_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(DATA / "base.yaml", folder / "base.yaml")
    shutil.copy(DATA / "variant.yaml", folder / "variant.yaml")
    monkeypatch.chdir(tmp_path)
    assert load_scenario("scenarios/variant.yaml").pools["voice"].agents == 24
    result = CliRunner().invoke(main, ["validate", "scenarios/variant.yaml"])
    assert result.exit_code == 0, result.output
    assert "ok: scenarios/variant.yaml (variant)" in result.output


def test_deep_merge_rules() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1, "e": {"f": 1}}
    child = {"a": {"c": [3]}, "d": {"x": 1}, "e": 2}
    assert deep_merge(base, child) == {"a": {"b": 1, "c": [3]}, "d": {"x": 1}, "e": 2}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 1, "e": {"f": 1}}  # untouched


def test_set_overrides_with_yaml_types() -> None:
    scenario = load_scenario(
        DATA / "base.yaml",
        [
            "pools.voice.agents=75",
            "policy.social_mode=ignore",
            "pools.digital={agents: 4, skills: [email]}",
            "demand.first_channel={phone: 0.5, email: 0.5}",
            "channels.phone.patience.mean=90s",
            "run.seed=7",
            "name=tweaked",
        ],
    )
    assert scenario.pools["voice"].agents == 75
    assert isinstance(scenario.pools["voice"].agents, int)
    assert scenario.policy.social_mode == "ignore"
    assert scenario.pools["digital"].skills == ["email"]
    assert scenario.pools["digital"].concurrency == {}  # the whole pool was replaced
    assert scenario.demand.first_channel == {"phone": 0.5, "email": 0.5}  # replaced, not merged
    assert scenario.channels.phone.patience is not None
    assert scenario.channels.phone.patience.mean == 90.0
    assert scenario.run.seed == 7
    assert scenario.name == "tweaked"


def test_set_creates_intermediate_mappings() -> None:
    scenario = load_scenario(
        DATA / "minimal.yaml",
        [
            "pools.voice.efficiency.phone=1.1",
            "policy.callback.offer_when_wait_over=2min",
            "policy.reserve.voice.phone=2",
        ],
    )
    assert scenario.pools["voice"].efficiency == {"phone": 1.1}
    assert scenario.policy.callback is not None
    assert scenario.policy.callback.offer_when_wait_over == 120.0
    assert scenario.policy.reserve == {"voice": {"phone": 2}}


def test_set_applies_after_extends() -> None:
    variant = load_scenario(DATA / "variant.yaml", ["pools.voice.agents=30"])
    assert variant.pools["voice"].agents == 30  # over the variant's 24 and the base's 20
    assert variant.pools["voice"].skills == ["phone"]


def test_set_into_a_schedule_entry(tmp_path: Path) -> None:
    path = tmp_path / "shifts.yaml"
    path.write_text(
        "demand: {issues_per_hour: 60, first_channel: {phone: 1.0}}\n"
        "pools:\n"
        "  voice:\n"
        "    skills: [phone]\n"
        "    schedule:\n"
        '      - {days: mon-fri, from: "08:00", to: "16:00", agents: 10}\n'
        '      - {days: all, from: "16:00", to: "24:00", agents: 4}\n'
    )
    scenario = load_scenario(path, ["pools.voice.schedule[1].agents=6"])
    schedule = scenario.pools["voice"].schedule
    assert schedule is not None
    assert [shift.agents for shift in schedule] == [10, 6]


def test_scientific_notation_is_a_number_in_files_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "sci.yaml"
    path.write_text(
        "demand: {issues_per_day: 1.2e4, first_channel: {phone: 1.0}}\n"
        "pools: {voice: {agents: 8, skills: [phone]}}\n"
        "costs: {abandoned_contact: 5e-1}\n"
    )
    scenario = load_scenario(path)
    assert scenario.demand.issues_per_day == 12000.0
    assert scenario.costs.abandoned_contact == 0.5
    assert load_scenario(path, ["demand.issues_per_day=2e4"]).demand.issues_per_day == 20000.0


def test_override_parsing() -> None:
    assert parse_override("pools.voice.agents=75") == (["pools", "voice", "agents"], 75)
    assert parse_override("a.b=x=y") == (["a", "b"], "x=y")
    assert parse_override("a=") == (["a"], None)
    assert parse_override("a=[phone, email]") == (["a"], ["phone", "email"])
    assert parse_override("a={x: 1}") == (["a"], {"x": 1})
    assert parse_override("a=deflect") == (["a"], "deflect")
    assert split_path("pools.voice.schedule[0].agents") == [
        "pools",
        "voice",
        "schedule",
        0,
        "agents",
    ]
    assert (
        format_path(["pools", "voice", "schedule", 0, "agents"]) == "pools.voice.schedule[0].agents"
    )
    for bad in ("novalue", "=1", ".=1", "a..b=1", "a.=1"):
        with pytest.raises(OverrideError):
            parse_override(bad)


@pytest.mark.parametrize("name", ["base.yaml", "variant.yaml", "minimal.yaml"])
def test_scenario_to_yaml_round_trip(tmp_path: Path, name: str) -> None:
    original = load_scenario(DATA / name)
    text = scenario_to_yaml(original)
    assert "extends" not in text
    copy = tmp_path / "resolved.yaml"
    copy.write_text(text)
    assert load_scenario(copy) == original
    # a second round trip writes the same text
    assert scenario_to_yaml(load_scenario(copy)) == text


def test_scenario_to_yaml_round_trip_of_a_built_scenario(tmp_path: Path) -> None:
    original = validate_data(multichannel_data())
    copy = tmp_path / "small.yaml"
    copy.write_text(scenario_to_yaml(original))
    assert load_scenario(copy) == original


def test_scenario_to_yaml_writes_durations_with_units() -> None:
    text = scenario_to_yaml(load_scenario(DATA / "base.yaml"))
    assert "horizon: 2d" in text
    assert "mean: 6min" in text
    assert "within: 20s" in text


def test_validate_data_reports_every_problem_with_paths() -> None:
    data = {
        "demand": {"issues_per_hour": 60, "first_channel": {"phone": 1.0}},
        "channels": {"phone": {"handle_time": {"dist": "lognormal", "mean": "5min", "cv": -1}}},
        "pools": {"voice": {"agents": 0, "skills": ["phone"]}},
        "run": {"replications": -1},
    }
    with pytest.raises(ScenarioError) as caught:
        validate_data(data, "inline")
    paths = {problem.path for problem in caught.value.problems}
    assert paths == {"channels.phone.handle_time.cv", "pools.voice.agents", "run.replications"}
    assert all(problem.file == "inline" for problem in caught.value.problems)


def test_validate_data_accepts_plain_python_data() -> None:
    scenario = validate_data(multichannel_data())
    assert isinstance(scenario, Scenario)
    assert scenario.name == "small"


def test_error_paths_drop_union_tags_and_generated_segments() -> None:
    data = {"channels": {"phone": {"handle_time": {"dist": "lognormal", "mean": 6}}}}
    details = {
        "type": "value_error",
        "loc": (
            "channels",
            "phone",
            "handle_time",
            "lognormal",
            "function-after[f(), float]",
            "mean",
        ),
        "msg": "Value error, a duration needs a unit",
        "input": 6,
        "ctx": {"error": ValueError("a duration needs a unit")},
    }
    segments, message = describe_error(details, data)  # type: ignore[arg-type]
    assert format_path(segments) == "channels.phone.handle_time.mean"
    assert message == "a duration needs a unit"


def test_a_pool_named_like_a_distribution_keeps_its_name(tmp_path: Path) -> None:
    path = tmp_path / "gamma.yaml"
    path.write_text(
        "demand: {issues_per_hour: 60, first_channel: {phone: 1.0}}\n"
        "pools: {gamma: {agents: 0, skills: [phone]}}\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert [p.path for p in caught.value.problems] == ["pools.gamma.agents"]


def test_yaml_aliases_are_expanded_into_independent_copies(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(
        "demand: {issues_per_hour: 60, first_channel: {phone: 0.5, email: 0.5}}\n"
        "pools:\n"
        "  voice: &pool {agents: 8, skills: [phone, email]}\n"
        "  backup: *pool\n"
    )
    scenario = load_scenario(path, ["pools.voice.agents=9"])
    assert scenario.pools["voice"].agents == 9
    assert scenario.pools["backup"].agents == 8


def test_social_channel_unserved_is_fine_when_social_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "ignore.yaml"
    path.write_text(
        "demand: {issues_per_hour: 60, first_channel: {phone: 0.9, social: 0.1}}\n"
        "pools: {voice: {agents: 8, skills: [phone]}}\n"
        "policy: {social_mode: ignore}\n"
    )
    assert load_scenario(path).policy.social_mode == "ignore"


def test_utf8_with_bom_and_non_ascii_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(
        "\ufeffdescription: Café — société\n"
        "demand: {issues_per_hour: 60, first_channel: {phone: 1.0}}\n"
        "pools: {voice: {agents: 8, skills: [phone]}}\n".encode()
    )
    assert load_scenario(path).description == "Café — société"


@pytest.mark.skipif(not (SCENARIOS / "baseline.yaml").exists(), reason="no scenarios yet")
@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scenario_validates(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.name
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output


def test_null_in_a_variant_drops_the_base_value() -> None:
    base = {"pools": {"digital": {"skills": ["email", "social"], "concurrency": {"social": 3}}}}
    child = {"pools": {"digital": {"skills": ["email"], "concurrency": None}}}
    assert deep_merge(base, child) == {"pools": {"digital": {"skills": ["email"]}}}
    assert deep_merge({"a": 1}, {"b": None}) == {"a": 1, "b": None}  # nothing to drop


def test_variant_removing_a_skill_validates_with_null_concurrency() -> None:
    scenario = load_scenario(Path(__file__).parents[1] / "scenarios" / "no_social.yaml")
    assert scenario.pools["digital"].skills == ["email"]
    assert scenario.pools["digital"].concurrency == {}
