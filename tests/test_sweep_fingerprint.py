"""A sweep folder is recognised by its scenario's non-default values, so a later ccsim that
adds settings (at defaults that keep results as they were) resumes it; a folder fingerprinted
by an earlier rule is refused with the reason, never mixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import build, mmc_data
from test_families import Sms, SmsChannel

from sim.experiment.errors import InputError
from sim.model import channels
from sim.scenario.registry import ChannelKind
from sim.studies.sweep import parse_vary, run_sweep
from sim.studies.sweep.store import scenario_digest


def small() -> object:
    return build(mmc_data(agents=10, horizon="4h", warmup="0s", replications=2))


def test_a_new_channel_kind_at_its_defaults_leaves_the_fingerprint_alone() -> None:
    before = scenario_digest(small())
    channels.register("sms", SmsChannel, ChannelKind("sms", Sms))
    try:
        with_sms = small()
        assert "sms" in with_sms.channels.sections()
        assert scenario_digest(with_sms) == before
    finally:
        channels.unregister("sms")


def test_a_changed_value_changes_the_fingerprint() -> None:
    other = build(mmc_data(agents=11, horizon="4h", warmup="0s", replications=2))
    assert scenario_digest(other) != scenario_digest(small())


def test_a_folder_from_an_earlier_fingerprint_rule_is_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    axes = [parse_vary("pools.voice.agents=9,10")]
    run_sweep(small(), axes, tmp_path, workers=1)
    manifest = tmp_path / "sweep.json"
    data = json.loads(manifest.read_text())
    del data["fingerprint_rule"]
    data["ccsim_version"] = "0.0.9"
    manifest.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"written by ccsim 0\.0\.9, which fingerprinted"):
        run_sweep(small(), axes, tmp_path, workers=1)
    outcome = run_sweep(small(), axes, tmp_path, workers=1, force=True)
    assert len(outcome.computed) == 2
