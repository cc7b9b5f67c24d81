"""Results stay put: the shipped scenarios and validation cases give bit-identical tables.

A refactor or a speed-up must not change a single number. If this fails after a change that
was *meant* to change results (a model change), regenerate with
``python tests/fingerprints/cases.py --update`` and say why in the commit message.
"""

from __future__ import annotations

import json

import pytest
from fingerprints.cases import EXPECTED, fingerprint, scenarios, tables

CASES = scenarios()


@pytest.mark.parametrize("name", sorted(CASES))
def test_results_are_bit_identical_to_the_recorded_fingerprint(name: str) -> None:
    expected = json.loads(EXPECTED.read_text())[name]
    assert fingerprint(tables(CASES[name])) == expected
