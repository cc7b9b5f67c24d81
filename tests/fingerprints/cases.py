"""The cases whose results must stay bit-identical across refactors and speed-ups.

Each case is a scenario (a shipped one, shortened, or a validation case from the test
builders); its fingerprint is the SHA-256 of the summary, per-replication and per-interval
tables written at full float precision. ``python tests/fingerprints/cases.py --update``
rewrites ``expected.json``: do that only for a model change that means to change results,
and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXPECTED = HERE / "expected.json"
SHIPPED = (
    "baseline",
    "social_priority",
    "deflect_social",
    "no_social",
    "dedicated_social_team",
    "fix_phone_first",
    "omnichannel",
)
SHORT = ("run.horizon=3d", "run.warmup=1d", "run.replications=2")


def _validation_cases() -> dict[str, dict[str, Any]]:
    sys.path.insert(0, str(ROOT / "tests"))
    from builders import deep_update, mmc_data, multichannel_data

    multi = multichannel_data()
    return {
        "mmc": mmc_data(agents=10, per_hour=96.0, horizon="1d", replications=3),
        "mmc_patience": mmc_data(agents=9, per_hour=100.0, patience="3min", horizon="1d"),
        "multi_serve": multi,
        "multi_deflect": deep_update(multi, {"policy": {"social_mode": "deflect"}}),
        "multi_ignore": deep_update(multi, {"policy": {"social_mode": "ignore"}}),
        "multi_callback": deep_update(
            multi, {"policy": {"callback": {"offer_when_wait_over": "30s", "accept": 0.6}}}
        ),
        "multi_reserve": deep_update(
            multi,
            {
                "policy": {"reserve": {"digital": {"phone": 2}}},
                "behaviour": {"jump_the_line": {"enabled": True, "period": "6h", "rate": 0.2}},
            },
        ),
    }


def scenarios() -> dict[str, Any]:
    """Every case, as a validated scenario."""
    from sim.scenario import load_scenario, validate_data

    cases = {name: load_scenario(ROOT / "scenarios" / f"{name}.yaml", SHORT) for name in SHIPPED}
    for name, data in _validation_cases().items():
        cases[name] = validate_data(data, name)
    return cases


def tables(scenario: Any) -> dict[str, Any]:
    """The summary, replications and intervals tables of a serial run of ``scenario``."""
    from sim.experiment.replication import run_scenario

    result = run_scenario(scenario, workers=1)
    return {
        "summary": result.summary(),
        "replications": result.replications_frame(),
        "intervals": result.intervals(),
    }


def fingerprint(frames: dict[str, Any]) -> dict[str, str]:
    """SHA-256 of each table as CSV at full precision (pandas writes floats round-trip)."""
    return {
        name: hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()
        for name, frame in frames.items()
    }


def compute() -> dict[str, dict[str, str]]:
    return {name: fingerprint(tables(s)) for name, s in scenarios().items()}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if "--update" not in sys.argv:
        sys.exit("usage: python tests/fingerprints/cases.py --update  (rewrites expected.json)")
    EXPECTED.write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {EXPECTED}")
