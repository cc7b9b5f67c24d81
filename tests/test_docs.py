"""The documentation is true: every link and file path in README and docs/ exists in the
repository, nothing points outside it, and every command block runs as pasted.

Command blocks (```bash and ```python) run in order, one page at a time, in a fresh copy of
the repository with this environment's ``ccsim`` and ``python`` on the path, through
``bash`` exactly as written — quoting, continuation lines and heredocs included. A block
may be preceded by ``<!-- docs-test: exit N -->`` (it shows an error on purpose) or
``<!-- docs-test: skip: REASON -->`` (the reason is required).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\n]+)`")
REPO_PATH = re.compile(r"^(?:sim|scenarios|docs|tests|benchmarks|\.ci)/[\w./*\[\]-]*$")
BLOCK = re.compile(
    r"(?:<!-- docs-test: (?P<marker>[^>]*?) -->\n)?```(?P<lang>bash|python)\n(?P<body>.*?)```",
    re.S,
)
BLOCK_TIMEOUT = 1800
"""Seconds a block may take: generous, since a loaded two-core machine is several times slower
than an idle one (the README's set-up block installs into a new environment)."""
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    ".ci",
    "outputs",
    "__pycache__",
    "*.egg-info",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "mutants",  # scripts/mutation.sh's working copy
    "build",
    "dist",
)


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT)) if page.is_relative_to(ROOT) else page.name


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(m) for m in re.findall(r"^#+ (.+)$", text, flags=re.M)}


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_links_point_to_files_and_headings_in_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "../shared" not in text and "/work/" not in text
    for target in LINK.findall(text):
        assert not target.startswith(("http:", "https:", "file:", "/")), target
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.is_relative_to(ROOT), f"{target} leaves the repository"
        assert resolved.exists(), f"{_name(page)} links to {target}, which does not exist"
        if anchor and resolved.suffix == ".md":
            assert anchor in _anchors(resolved), f"no heading #{anchor} in {target}"


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_file_paths_named_in_the_text_exist(page: Path) -> None:
    for code in CODE.findall(page.read_text(encoding="utf-8")):
        for word in code.split():
            if REPO_PATH.match(word):
                matches = list(ROOT.glob(word)) if "*" in word else [ROOT / word]
                assert matches and all(m.exists() for m in matches), (
                    f"{_name(page)} names {word}, which is not in the repository"
                )


def test_the_index_links_every_page() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    linked = {target.partition("#")[0] for target in LINK.findall(index)}
    for page in (ROOT / "docs").glob("*.md"):
        if page.name != "index.md":
            assert page.name in linked, f"docs/index.md does not link {page.name}"


# --- command blocks ---------------------------------------------------------------------------


@dataclass
class Block:
    page: str
    line: int
    lang: str
    body: str
    marker: str

    @property
    def expected_exit(self) -> int:
        found = re.fullmatch(r"exit (\d+)", self.marker.strip())
        return int(found.group(1)) if found else 0


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start("body"))
        found.append(Block(_name(page), line, match["lang"], match["body"], match["marker"] or ""))
    return found


def test_markers_say_why() -> None:
    for page in PAGES:
        for block in blocks(page):
            marker = block.marker.strip()
            if marker:
                assert re.fullmatch(r"exit \d+|skip: .{10,}", marker), (
                    f"{block.page}:{block.line}: a marker is 'exit N' or 'skip: why'"
                )


def _environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("VIRTUAL_ENV", None)
    env.update({"COLUMNS": "80", "MPLBACKEND": "Agg", "HOME": str(home)})
    return env


def run_page(page: Path, copy: Path) -> None:
    """Run the page's blocks in order in ``copy``; fail naming the block that failed."""
    env = _environment(copy.parent)
    for block in blocks(page):
        if block.marker.strip().startswith("skip:"):
            continue
        command = (
            ["bash", "-e", "-o", "pipefail", "-c", block.body]
            if block.lang == "bash"
            else [sys.executable, "-c", block.body]
        )
        done = subprocess.run(
            command,
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=BLOCK_TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        assert done.returncode == block.expected_exit, (
            f"{block.page}:{block.line}: exit {done.returncode}, expected "
            f"{block.expected_exit}\n{block.body}\n--- stdout\n{done.stdout[-3000:]}\n"
            f"--- stderr\n{done.stderr[-3000:]}"
        )


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "ccsim"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE, symlinks=True)
    (copy / "outputs").mkdir(exist_ok=True)
    return copy


RUNNABLE = [page for page in PAGES if any(not b.marker.startswith("skip") for b in blocks(page))]


@pytest.mark.slow
@pytest.mark.parametrize("page", RUNNABLE, ids=_name)
def test_every_command_block_runs_as_pasted(page: Path, tmp_path: Path) -> None:
    run_page(page, _copy(tmp_path))


def test_a_broken_block_is_caught(tmp_path: Path) -> None:
    """The runner itself: a command that fails, or that a shell misreads, fails the page."""
    page = tmp_path / "page.md"
    page.write_text(
        "```bash\nccsim erlang b --load 8 --agents 10 > erlang.txt\n```\n\n"
        "```bash\nccsim staff scenarios/baseline.yaml --target phone.service_level>=0.8\n```\n",
        encoding="utf-8",
    )
    copy = tmp_path / "copy"
    copy.mkdir()
    with pytest.raises(AssertionError, match=r"page.md:\d+: exit 2, expected 0"):
        run_page(page, copy)
    assert (copy / "erlang.txt").read_text().strip()  # the first block ran
    assert (copy / "=0.8").exists()  # the shell's reading of an unquoted >=
