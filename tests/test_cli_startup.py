"""Start-up stays light: what ``ccsim --help``, ``ccsim validate`` and ``ccsim run`` import.

Start-up time is measured in benchmarks (``benchmarks/throughput.py`` part f), never here;
what these tests pin is its cause: the heavy libraries a command must not import before it
needs them. Each check runs in a fresh interpreter, since this one has imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sim.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pandas", "scipy", "matplotlib", "simpy", "pyarrow", "dask", "openpyxl")


def imported_by(args: list[str], among: tuple[str, ...] = HEAVY) -> set[str]:
    """The top-level packages ``among`` (the heavy ones) imported by ``ccsim ARGS`` in a
    fresh interpreter."""
    code = (
        "import json, sys\n"
        "from sim.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({among!r}))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_help_imports_no_command_and_no_heavy_library() -> None:
    assert imported_by(["--help"]) == set()


def test_validate_imports_no_numeric_library() -> None:
    assert imported_by(["validate", "scenarios/baseline.yaml"]) == set()


def test_run_without_plots_needs_only_numpy_and_simpy(tmp_path: Path) -> None:
    """A run writes its tables without pandas (nor SciPy, pyarrow, ...): importing pandas
    alone cost more CPU than the rest of a short run's start-up."""
    out = tmp_path / "out"
    short = ["--set", "run.horizon=4h", "--set", "run.warmup=0s", "--replications", "2"]
    args = ["run", "scenarios/baseline.yaml", *short, "--workers", "1", "--no-plots"]
    assert imported_by([*args, "-o", str(out)]) == {"numpy", "simpy"}
    assert (out / "intervals.csv").is_file()  # it did run, summary table printed too
    quiet = [*args, "--quiet", "-o", str(tmp_path / "quiet")]
    assert imported_by(quiet, among=(*HEAVY, "rich")) == {"numpy", "simpy"}  # no bar: no rich
    assert (tmp_path / "quiet" / "intervals.csv").is_file()


def _script_target() -> str:
    """``module:function`` that the installed ``ccsim`` script calls (pyproject.toml)."""
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["ccsim"]


@pytest.mark.parametrize(
    "start",
    [
        "import runpy; runpy.run_module('sim', run_name='__main__')",  # python -m sim
        "import importlib; m, f = {target!r}.split(':'); getattr(importlib.import_module(m), f)()",
    ],
)
def test_the_program_freezes_the_collector_before_exit(start: str) -> None:
    """Both ways in (``python -m sim``, the ``ccsim`` script) end with :func:`gc.freeze`:
    exit then skips walking every object in full collections (~50 ms of every command)."""
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"  # runs last
        "sys.argv = ['ccsim', '--version']\n" + start.format(target=_script_target()) + "\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "version" in done.stdout and done.stdout.strip().endswith("frozen True")


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_listed_command_loads_and_explains_itself(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert isinstance(command, click.Command) and command.name == name
    result = CliRunner().invoke(main, [name, "--help"], prog_name="ccsim")
    assert result.exit_code == 0, result.output
    assert f"Usage: ccsim {name}" in result.output


def test_listing_shows_every_command_and_an_unknown_one_is_refused() -> None:
    listing = CliRunner().invoke(main, ["--help"]).output
    for name, (_, summary) in COMMANDS.items():
        assert f"{name}" in listing and summary in listing
    unknown = CliRunner().invoke(main, ["simulate"])
    assert unknown.exit_code == 2 and "No such command" in unknown.output
