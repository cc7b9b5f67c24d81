"""A hypothesis state machine over one folder tree (issue 20): runs, sweeps, overwrites,
interrupted commands and a user's own files, interleaved. After every step: a command that
failed or was interrupted changed nothing; a command that succeeded changed nothing outside
its own folder, and kept every file of the user's inside it; so every completed command's
outputs stay byte-identical until a command that targets that very folder replaces them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import mmc_data
from click.testing import CliRunner
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import sim.io.run_folder as run_folder
from sim.cli import main

TARGETS = ["outputs/a", "outputs/b", "mine", None]  # None: the default folder
SCENARIOS = ["alpha", "beta"]
QUICK = ("--quiet", "--no-plots", "--workers", "1")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (links as their target text), by relative path."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(root))] = os.readlink(path).encode()
        elif path.is_file():
            found[str(path.relative_to(root))] = path.read_bytes()
    return found


def inside(name: str, folder: str) -> bool:
    return name == folder or name.startswith(folder + "/")


class Interrupt(KeyboardInterrupt):
    """Ctrl-C, delivered while a run writes its files."""


class OutputTree(RuleBasedStateMachine):
    """Commands on a temporary tree; the model is the tree's snapshot before each."""

    root: Path

    @initialize()
    def make_tree(self) -> None:
        import tempfile

        self.root = Path(tempfile.mkdtemp(prefix="ccsim-tree-"))
        for name in SCENARIOS:
            data = mmc_data(per_hour=20, agents=3, horizon="1h", warmup="0h", replications=1)
            data["name"] = name
            (self.root / f"{name}.yaml").write_text(yaml.safe_dump(data))
        self.previous = os.getcwd()
        os.chdir(self.root)

    def teardown(self) -> None:
        import shutil

        os.chdir(self.previous)
        shutil.rmtree(self.root, ignore_errors=True)

    def _command(self, args: list[str], target: str, interrupt: bool = False) -> None:
        before = snapshot(self.root)
        held = {kind for kind in ("run", "sweep") if f"{target}/{kind}.json" in before}
        forced = "--overwrite" in args or "--force" in args
        original = run_folder.atomic_write_csv
        if interrupt:

            def cut(path: Path, frame: Any) -> None:
                raise Interrupt

            run_folder.atomic_write_csv = cut  # type: ignore[assignment]
        try:
            result = CliRunner().invoke(main, args, catch_exceptions=False)
        finally:
            run_folder.atomic_write_csv = original  # type: ignore[assignment]
        after = snapshot(self.root)
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        if result.exit_code != 0:
            assert not changed, (args, result.output, sorted(changed)[:5])
            return
        assert all(inside(name, target) for name in changed), (args, sorted(changed)[:5])
        assert forced or held <= {args[0]}, (args, "replaced another kind's folder", held)
        mine = [k for k in before if inside(k, target) and Path(k).name.startswith("note")]
        assert all(after.get(k) == before[k] for k in mine), (args, mine)

    def _target(self, target: str | None, scenario: str, kind: str) -> tuple[list[str], str]:
        if target is not None:
            return ["-o", target], target
        return [], f"outputs/{scenario}{'-sweep' if kind == 'sweep' else ''}"

    @rule(
        scenario=st.sampled_from(SCENARIOS),
        folder=st.sampled_from(TARGETS),
        overwrite=st.booleans(),
        interrupt=st.booleans(),
    )
    def run(self, scenario: str, folder: str | None, overwrite: bool, interrupt: bool) -> None:
        out, where = self._target(folder, scenario, "run")
        flags = ["--overwrite"] if overwrite else []
        self._command(["run", f"{scenario}.yaml", *out, *QUICK, *flags], where, interrupt)

    @rule(scenario=st.sampled_from(SCENARIOS), folder=st.sampled_from(TARGETS), force=st.booleans())
    def sweep(self, scenario: str, folder: str | None, force: bool) -> None:
        out, where = self._target(folder, scenario, "sweep")
        flags = ["--force"] if force else []
        vary = ["--vary", "pools.voice.agents=3,4"]
        self._command(["sweep", f"{scenario}.yaml", *vary, *out, *QUICK, *flags], where)

    @rule(folder=st.sampled_from(TARGETS[:3]), text=st.sampled_from(["a", "b"]))
    def user_writes_a_note(self, folder: str, text: str) -> None:
        where = self.root / folder
        where.mkdir(parents=True, exist_ok=True)
        (where / "notes.txt").write_text(text)

    @invariant()
    def no_debris(self) -> None:
        if not hasattr(self, "root"):
            return
        left = [
            p.name for p in self.root.rglob(".*") if ".staging-" in p.name or ".previous-" in p.name
        ]
        assert not left, left
        locks = [p.name for p in self.root.rglob(".*.lock")]
        assert not locks, locks


OutputTree.TestCase.settings = settings(
    max_examples=20, stateful_step_count=10, deadline=None, derandomize=True
)


@pytest.mark.slow  # about 200 commands in process, tiny scenarios
class TestOutputTree(OutputTree.TestCase):  # type: ignore[name-defined,misc]
    pass
