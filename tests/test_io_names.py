"""Folder names from scenario names never leave outputs/, and names echo safely."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.io.names import FALLBACK, MAX_BYTES, MAX_CHARS, default_output, folder_name, printable

KINDS = ["run", "sweep", "compare", "staffed"]
FRAGMENTS = [
    "..",
    "/",
    ".",
    "\\",
    "\x00",
    "\x1b[",
    "\x1b]",
    "\x07",
    "\n",
    " ",
    "-",
    "con",
    "é",
    "\u202e",
]
HOSTILE = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(FRAGMENTS)), max_size=40)


def _assert_safe_entry(path: Path, root: Path) -> None:
    entry = path.name
    assert path.parent == root
    assert Path(os.path.realpath(path)).parent == Path(os.path.realpath(root))
    assert entry and entry not in (".", "..") and not entry.startswith((".", "-"))
    assert len(entry) <= MAX_CHARS and len(entry.encode("utf-8")) <= MAX_BYTES
    assert not any(unicodedata.category(ch)[0] in "CZ" for ch in entry), repr(entry)


@settings(max_examples=300, deadline=None)
@given(name=st.one_of(st.text(max_size=400), HOSTILE.map("".join)), kind=st.sampled_from(KINDS))
def test_any_name_stays_inside_the_root(tmp_path_factory, name, kind):
    root = tmp_path_factory.getbasetemp() / "outputs"
    _assert_safe_entry(default_output(kind, name, root), root)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../x", "x"),
        ("/etc", "etc"),
        ("", FALLBACK),
        (".", FALLBACK),
        ("..", FALLBACK),
        ("   ", FALLBACK),
        ("a\x00b", "a_b"),
        ("\x1b[31mred", "red"),
        ("\x1b]0;owned\x07title", "title"),
        ("baseline", "baseline"),
        ("Zürich 2024/Q1", "Zürich_2024_Q1"),
        ("日本語 シナリオ", "日本語_シナリオ"),
        ("-rf", "rf"),
        ("con.txt", "con_.txt"),
        ("\u202eevil", "evil"),
    ],
)
def test_hostile_names(tmp_path, name, expected):
    assert folder_name(name) == expected
    _assert_safe_entry(default_output("run", name, tmp_path), tmp_path)


def test_long_names_are_cut_and_stay_distinct():
    a, b = "x" * 300, "x" * 299 + "y"
    assert len(folder_name(a)) == MAX_CHARS
    assert folder_name(a) != folder_name(b)
    assert len(folder_name("é" * 300).encode("utf-8")) <= MAX_BYTES


def test_default_output_kinds(tmp_path):
    assert default_output("run", "base", tmp_path) == tmp_path / "base"
    assert default_output("sweep", "base", tmp_path) == tmp_path / "base-sweep"
    assert default_output("compare", "a-b", tmp_path) == tmp_path / "compare-a-b"
    assert default_output("staffed", "../b", tmp_path) == tmp_path / "b_staffed.yaml"
    assert default_output("run", "", tmp_path) == tmp_path / FALLBACK


def test_printable_removes_escapes_and_controls():
    assert printable("\x1b[31mred\x1b[0m") == "red"
    assert printable("a\nb\tc\x00d\x7f") == "a?b?c?d?"
    assert printable("\x1b]8;;http://x\x1b\\link") == "link"
    assert printable("\u202eabc") == "?abc"
    assert printable("Zürich\u00a02024") == "Zürich\u00a02024"
    assert printable("a\u2028b") == "a?b"
