"""``ccsim validate --explain``: the resolved scenario with every filled-in default marked."""

from __future__ import annotations

from pathlib import Path

import yaml
from builders import mmc_data
from click.testing import CliRunner

from sim.cli import main
from sim.present.explain import DEFAULT, explain, filled_defaults
from sim.scenario import load_scenario, validate_data

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def test_the_baselines_defaults_are_the_keys_it_leaves_out() -> None:
    defaults = filled_defaults(load_scenario(BASELINE))
    assert set(defaults) == {
        "run.start",
        "demand.issues_per_hour",
        "demand.profiles",
        "demand.weekdays",
        "demand.special_days",
        "demand.volumes",
        "demand.choice.sensitivity",  # fixed first-channel shares
        "demand.choice.reference_wait",
        "demand.choice.effort",
        "demand.choice.period",
        "demand.choice.smoothing",
        "pools.voice.agents",
        "pools.voice.concurrency",
        "pools.voice.efficiency",
        "pools.voice.priority",
        "pools.digital.agents",
        "pools.digital.efficiency",
        "pools.digital.priority",
        "policy.routing",
        "pools.voice.overflow_after",
        "pools.digital.overflow_after",
        "channels.phone.after_contact",
        "channels.phone.ivr",
        "channels.phone.transfers",
        "channels.email.transfers",
        "channels.social.transfers",
        "channels.email.after_contact",
        "channels.social.after_contact",
        *(
            f"channels.{channel}.service_level.{key}"
            for channel in ("phone", "email", "social")
            for key in ("abandons", "short_abandon", "business_hours")
        ),
        *(  # chat, a kind the baseline does not name, at its defaults
            f"channels.chat.{key}"
            for key in (
                "handle_time",
                "after_contact",
                "transfers",
                "patience",
                "think_time",
                "inflation",
            )
        ),
        *(
            f"channels.chat.service_level.{key}"
            for key in ("within", "target", "abandons", "short_abandon", "business_hours")
        ),
    }


def test_a_key_given_with_its_default_value_is_not_a_default(tmp_path: Path) -> None:
    data = mmc_data()
    data["behaviour"]["jump_the_line"] = {"enabled": False}
    data["policy"] = {"routing": "priority"}
    scenario = validate_data(data)
    defaults = filled_defaults(scenario)
    assert "behaviour.jump_the_line.enabled" not in defaults
    assert "policy.routing" not in defaults
    assert "behaviour.jump_the_line.rate" in defaults  # the rest of that section was not given
    assert "costs.public_impression.negative" in defaults
    assert "channels.email.handle_time" in defaults  # a whole channel left out


def test_every_default_is_marked_on_its_line_and_the_text_reloads_equal() -> None:
    scenario = validate_data(mmc_data())
    text = explain(scenario, "mmc.yaml")
    marked = [line for line in text.splitlines() if line.rstrip().endswith(DEFAULT)]
    leaves = {path.rsplit(".", 1)[-1] for path in filled_defaults(scenario)}
    assert len(marked) == len(filled_defaults(scenario))
    assert {line.split(":")[0].strip() for line in marked} <= leaves
    enabled = next(line for line in text.splitlines() if line.strip().startswith("enabled:"))
    assert enabled.strip() == f"enabled: false  {DEFAULT}"
    assert validate_data(yaml.safe_load(text)) == scenario


def test_explain_on_the_command_line_with_overrides() -> None:
    result = CliRunner().invoke(
        main,
        ["validate", "--explain", str(BASELINE), "--set", "behaviour.jump_the_line.enabled=false"],
    )
    assert result.exit_code == 0, result.output
    assert "enabled: false\n" in result.output  # given (by --set), so not marked
    assert "routing: priority  # default" in result.output
    assert "48 defaults filled in" in result.output


def test_a_variant_marks_what_it_sets_itself_among_what_it_inherits(tmp_path: Path) -> None:
    variant = tmp_path / "variant.yaml"
    variant.write_text(
        f"extends: {BASELINE}\npolicy:\n  social_mode: deflect\n"
        "pools:\n  digital:\n    shrinkage: 0.35\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["validate", "--explain", str(variant), "--set", "run.replications=3"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    marked = [line.strip() for line in lines if line.endswith("# set here")]
    assert marked == [
        "name: variant  # set here",  # a file's name is its own unless it gives one
        "replications: 3  # set here",
        "shrinkage: 0.35  # set here",
        "social_mode: deflect  # set here",
    ]
    assert f"# {BASELINE}." in result.output  # where the rest comes from
    plain = CliRunner().invoke(main, ["validate", "--explain", str(BASELINE)])
    assert "# set here" not in plain.output  # a file that extends nothing marks nothing
