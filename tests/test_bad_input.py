"""Bad scenario input: exit code 2, one line per problem naming file and field path, no traceback.

One test per class of mistake, through the real command line (click's runner, and a couple
through a real subprocess). Each asserts the exit code, the field path in the message and
that no traceback leaks out.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sim.cli import main
from sim.scenario import ScenarioError, load_scenario

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent

MINIMAL = """\
demand:
  issues_per_hour: 60
  first_channel: {phone: 1.0}
channels:
  phone:
    handle_time: {dist: exponential, mean: 5min}
pools:
  voice: {agents: 8, skills: [phone]}
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def validate(*paths: Path | str) -> Result:
    return CliRunner().invoke(main, ["validate", *map(str, paths)])


def assert_bad(result: Result, *expected: str) -> str:
    """Exit 2, no traceback, and every expected fragment in the error output."""
    output = result.output  # stdout and stderr, as a terminal shows them
    assert result.exit_code == 2, output
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for fragment in expected:
        assert fragment in output, f"{fragment!r} not in:\n{output}"
    return output


# --- the file itself ------------------------------------------------------------------------


def test_yaml_syntax_error_gives_line_and_column() -> None:
    path = DATA / "syntax_error.yaml"
    output = assert_bad(validate(path), str(path), "line 5, column")
    assert "YAML syntax error" in output


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    assert_bad(validate(path), f"error: {path}: file not found")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    assert_bad(validate(tmp_path), str(tmp_path), "is a directory")


def test_non_utf8_bytes(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINIMAL.encode() + "description: caf\xe9\n".encode("latin-1"))
    assert_bad(validate(path), str(path), "not UTF-8", "line 9")


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "# nothing but a comment\n")
    assert_bad(validate(path), str(path), "empty")


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- phone\n- email\n")
    assert_bad(validate(path), str(path), "top level must be a mapping")


def test_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "nul.yaml"
    path.write_text("name: a\x00b\n")
    assert_bad(validate(path), str(path), "line 1, column 8")


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "pools:\n  other: {agents: 1, skills: [phone]}\n")
    assert_bad(validate(path), str(path), "duplicate key 'pools'", "line 9")


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert_bad(validate(path), str(path), "aliases")


def test_recursive_yaml_alias(tmp_path: Path) -> None:
    path = write(tmp_path, "a: &a [1, *a]\n")
    assert_bad(validate(path), str(path), "refers to itself")


# --- field values ---------------------------------------------------------------------------


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("handle_time:", "handel_time:"))
    assert_bad(
        validate(path),
        str(path),
        "channels.phone.handel_time: unknown key 'handel_time' (did you mean 'handle_time'?)",
    )


def test_unknown_top_level_section(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "polcy: {social_mode: serve}\n")
    assert_bad(validate(path), "polcy: unknown key 'polcy' (did you mean 'policy'?)")


def test_unknown_key_inside_a_distribution(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("mean: 5min}", "mean: 5min, cv: 0.5}"))
    assert_bad(validate(path), "channels.phone.handle_time.cv: unknown key 'cv'", "dist, mean")


def test_bare_number_where_a_duration_is_needed(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("mean: 5min", "mean: 5"))
    assert_bad(
        validate(path),
        f"{path}: channels.phone.handle_time.mean: a duration needs a unit",
        "got the bare number 5",
    )


def test_bare_number_in_a_lognormal_drops_the_union_tag(tmp_path: Path) -> None:
    text = MINIMAL.replace("{dist: exponential, mean: 5min}", "{dist: lognormal, mean: 6, cv: 1}")
    output = assert_bad(validate(write(tmp_path, text)), "channels.phone.handle_time.mean:")
    assert "lognormal.mean" not in output


def test_unknown_distribution_kind_lists_the_valid_ones(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("dist: exponential", "dist: weibull"))
    assert_bad(
        validate(path),
        "channels.phone.handle_time.dist: unknown distribution 'weibull'",
        "exponential, lognormal, gamma, deterministic, empirical",
    )


def test_distribution_written_as_a_plain_duration(tmp_path: Path) -> None:
    text = MINIMAL.replace("{dist: exponential, mean: 5min}", "5min")
    assert_bad(
        validate(write(tmp_path, text)), "channels.phone.handle_time: must be a distribution"
    )


def test_zero_agents(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("agents: 8", "agents: 0"))
    assert_bad(validate(path), str(path), "pools.voice.agents: must be greater than 0 (got 0)")


def test_negative_replications(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "run: {replications: -1}\n")
    assert_bad(validate(path), "run.replications: must be greater than 0 (got -1)")


def test_share_above_one(tmp_path: Path) -> None:
    text = MINIMAL.replace("channels:\n", "channels:\n  self_service: {success: 1.5}\n")
    path = write(tmp_path, text)
    assert_bad(validate(path), "channels.self_service.success:", "1.5")


def test_shares_not_summing_to_one(tmp_path: Path) -> None:
    text = MINIMAL.replace("{phone: 1.0}", "{phone: 0.7, email: 0.2}")
    assert_bad(validate(write(tmp_path, text)), "demand.first_channel: shares must sum to 1")


def test_unknown_channel_name(tmp_path: Path) -> None:
    text = MINIMAL.replace("{phone: 1.0}", "{phone: 0.5, fax: 0.5}")
    assert_bad(
        validate(write(tmp_path, text)),
        "demand.first_channel.fax: unknown channel 'fax'; "
        "channels are phone, email, self_service, social",
    )


def test_channel_not_allowed_in_skills(tmp_path: Path) -> None:
    text = MINIMAL.replace("skills: [phone]", "skills: [phone, self_service]")
    assert_bad(validate(write(tmp_path, text)), "pools.voice.skills[1]:", "self_service")


def test_unquoted_time_of_day_gets_a_hint(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "{agents: 8, skills: [phone]}",
        '{skills: [phone], schedule: [{from: "08:00", to: 16:00, agents: 5}]}',
    )
    assert_bad(validate(write(tmp_path, text)), "pools.voice.schedule[0].to:", '"16:00"')


def test_channel_receiving_contacts_without_a_pool(tmp_path: Path) -> None:
    text = MINIMAL.replace("{phone: 1.0}", "{phone: 0.8, social: 0.2}")
    assert_bad(validate(write(tmp_path, text)), "pools:", "channel 'social' receives contacts")


def test_unserved_social_is_fine_when_ignored(tmp_path: Path) -> None:
    text = MINIMAL.replace("{phone: 1.0}", "{phone: 0.8, social: 0.2}")
    result = validate(write(tmp_path, text + "policy: {social_mode: ignore}\n"))
    assert result.exit_code == 0, result.output


def test_unserved_email_is_not_excused_by_ignoring_social(tmp_path: Path) -> None:
    text = MINIMAL.replace("{phone: 1.0}", "{phone: 0.8, email: 0.2}")
    result = validate(write(tmp_path, text + "policy: {social_mode: ignore}\n"))
    assert_bad(result, "pools:", "channel 'email' receives contacts")


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("agents: 8", "agents: 0").replace("mean: 5min", "mean: 5")
        + "run: {replications: -1}\n"
    )
    output = assert_bad(
        validate(write(tmp_path, text)),
        "pools.voice.agents",
        "channels.phone.handle_time.mean",
        "run.replications",
    )
    assert "3 problems found" in output
    assert output.count("error: ") == 3


def test_validate_reports_good_and_bad_files(tmp_path: Path) -> None:
    good = write(tmp_path, MINIMAL, "good.yaml")
    bad = write(tmp_path, MINIMAL.replace("agents: 8", "agents: 0"), "bad.yaml")
    output = assert_bad(validate(good, bad, tmp_path / "gone.yaml"), f"{bad}: pools.voice.agents")
    assert f"ok: {good} (good)" in output
    assert f"{tmp_path / 'gone.yaml'}: file not found" in output


# --- extends ----------------------------------------------------------------------------------


def test_extends_cycle_names_the_chain() -> None:
    output = assert_bad(validate(DATA / "cycle_a.yaml"), "extends: extends cycle:")
    assert "cycle_a.yaml -> " in output
    assert "cycle_b.yaml -> " in output


def test_extends_self(tmp_path: Path) -> None:
    path = write(tmp_path, "extends: scenario.yaml\n" + MINIMAL)
    assert_bad(validate(path), "extends: extends cycle")


def test_extends_missing_base_names_the_extending_file() -> None:
    path = DATA / "extends_missing.yaml"
    assert_bad(validate(path), f"{path}: extends: base file 'no_such_base.yaml' not found")


def test_extends_must_be_a_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "extends: [a.yaml, b.yaml]\n" + MINIMAL)
    assert_bad(validate(path), f"{path}: extends: must name a base file")


def test_problems_inherited_from_a_base_name_the_base(tmp_path: Path) -> None:
    child = DATA / "child_of_bad.yaml"
    output = assert_bad(validate(child), "channels.phone.handle_time.mean", "pools.voice.agents")
    lines = output.splitlines()
    inherited = next(line for line in lines if "handle_time.mean" in line)
    assert "base_with_problem.yaml (via " in inherited
    assert str(child) in inherited
    own = next(line for line in lines if "pools.voice.agents" in line)
    assert own.startswith(f"error: {child}: ")


def test_syntax_error_in_a_base_names_the_base(tmp_path: Path) -> None:
    write(tmp_path, "demand: [\n", "base.yaml")
    child = write(tmp_path, "extends: base.yaml\n", "child.yaml")
    assert_bad(validate(child), str(tmp_path / "base.yaml"), "line 2, column 1")


# --- --set ------------------------------------------------------------------------------------


def run_with(path: Path, *overrides: str) -> Result:
    """``ccsim run`` with overrides: bad ones stop it before anything is simulated."""
    args = ["run", str(path), "-o", str(path.parent / "out"), "--quiet"]
    for override in overrides:
        args += ["--set", override]
    return CliRunner().invoke(main, args)


def test_set_of_an_unknown_key(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    output = assert_bad(
        run_with(path, "pools.voice.agnets=75"),
        "pools.voice.agnets: unknown key 'agnets' (did you mean 'agents'?)",
    )
    assert not (tmp_path / "out").exists()
    assert "nothing was run" in output


def test_set_of_a_bad_value(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    assert_bad(
        run_with(path, "pools.voice.agents=-3"), "pools.voice.agents: must be greater than 0"
    )


def test_set_of_a_bare_number_duration(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    assert_bad(run_with(path, "channels.phone.handle_time.mean=5"), "handle_time.mean: a duration")


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("pools.voice.agents", "not PATH=VALUE"),
        ("=75", "empty path"),
        ("pools..agents=1", "not a dotted path"),
        ("pools.voice.agents.x=1", "not a mapping"),
        ("pools.voice.agents=[1", "not valid YAML"),
    ],
)
def test_malformed_set(tmp_path: Path, override: str, fragment: str) -> None:
    path = write(tmp_path, MINIMAL)
    assert_bad(run_with(path, override), f"{path}: --set: ", fragment)


def test_malformed_set_through_the_library(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, ["nonsense", "pools.voice.agents=9"])
    assert [problem.path for problem in caught.value.problems] == ["override"]


# --- a real process -----------------------------------------------------------------------------


def ccsim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )


def test_subprocess_bad_values_exit_2_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("agents: 8", "agents: 0").replace("5min", "5"))
    done = ccsim("validate", str(path))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert f"error: {path}: pools.voice.agents:" in done.stderr
    assert f"error: {path}: channels.phone.handle_time.mean:" in done.stderr


def test_subprocess_syntax_error_and_missing_file(tmp_path: Path) -> None:
    done = ccsim("validate", str(DATA / "syntax_error.yaml"), str(tmp_path / "missing.yaml"))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "line 5, column" in done.stderr
    assert "missing.yaml: file not found" in done.stderr


def test_subprocess_valid_file_exits_0() -> None:
    done = ccsim("validate", str(DATA / "variant.yaml"))
    assert done.returncode == 0, done.stderr
    assert "ok:" in done.stdout
