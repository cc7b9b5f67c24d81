"""Bounded reads of regular files only, and when a file's contents may be quoted."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.io.reading import (
    SCENARIO_SECTIONS,
    ReadRefused,
    looks_like_scenario,
    read_bounded,
    read_head,
)
from sim.scenario import Scenario

REPO = Path(__file__).resolve().parent.parent


def test_a_normal_file_reads_up_to_the_limit(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"x" * 100)
    assert read_bounded(path, 100) == b"x" * 100
    with pytest.raises(ReadRefused, match="larger than 99 bytes"):
        read_bounded(path, 99)
    assert read_head(path, 10) == b"x" * 10


def test_dev_zero_is_refused_at_once():
    started = time.monotonic()
    with pytest.raises(ReadRefused, match="character device, not a regular file"):
        read_bounded(Path("/dev/zero"), 1_000_000)
    assert time.monotonic() - started < 1


def test_a_file_whose_size_says_zero_is_bounded_by_what_is_read():
    assert os.stat("/proc/self/status").st_size == 0
    with pytest.raises(ReadRefused, match="larger than 10 bytes"):
        read_bounded(Path("/proc/self/status"), 10)


def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    code = (
        "import sys; from pathlib import Path; from sim.io.reading import *\n"
        "for read in (lambda p: read_bounded(p, 100), lambda p: read_head(p, 10)):\n"
        "    try: read(Path(sys.argv[1]))\n"
        "    except ReadRefused as error: print(error)\n"
    )
    command = [sys.executable, "-c", code, str(fifo)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=20)
    assert done.stdout.splitlines() == ["is a named pipe (FIFO), not a regular file"] * 2


def test_folders_and_missing_files_are_refused(tmp_path):
    with pytest.raises(ReadRefused, match="is a folder, not a regular file"):
        read_bounded(tmp_path, 100)
    with pytest.raises(ReadRefused, match="file not found"):
        read_bounded(tmp_path / "nope.yaml", 100)
    with pytest.raises(ReadRefused, match="cannot read the file"):
        read_bounded(Path("a\0b"), 100)


def test_scenario_sections_are_the_scenario_fields():
    fields = {info.alias or name for name, info in Scenario.model_fields.items()}
    assert fields | {"extends"} == SCENARIO_SECTIONS


@pytest.mark.parametrize("path", sorted((REPO / "scenarios").glob("*.yaml")), ids=str)
def test_shipped_scenarios_look_like_scenarios(path):
    assert looks_like_scenario(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "extends: base.yaml\npools:\n  voice: {agents: 3}\n",
        "name: x\ndemand: {}\npols: {}\n",  # a misspelt section: still quoted
        '{"name": "x", "pools": {}}',
        "# comment\n---\n'name': x\n",
    ],
)
def test_scenario_like_text(text):
    assert looks_like_scenario(text)


@pytest.mark.parametrize(
    "text",
    [
        "root:$6$saltsalt$hashhashhash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n",
        "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/usr/sbin/nologin\n",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n",
        "DATABASE_URL=postgres://u:secret@h/db\nAPI_KEY=abc\n",
        "version: '3'\nservices:\n  web: {image: x}\nvolumes: {}\n",
        "name: x\n\x00\x01binary",
        "",
    ],
)
def test_text_that_must_not_be_quoted(text):
    assert not looks_like_scenario(text)
