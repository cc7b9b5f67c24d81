"""Service-level definitions (``service_level.abandons``) against Erlang A's closed forms.

One M/M/9+M phone queue (A = 8.33 Erlangs, 3-minute patience, everyone who hangs up gives
up) is simulated under each definition; the same seed gives the same customers, so only the
figure changes. Each definition's figure must lie within three standard errors of its closed
form (:mod:`sim.analytic.service_levels`), and the figures of different definitions are
told apart by much more than that.
"""

from __future__ import annotations

import pytest
from builders import build, deep_update, mmc_data
from test_erlang_validation import assert_within_3se, replicate

from sim.analytic.service_levels import abandoned_within, service_level_definitions
from sim.experiment.catalogue import metric_keys
from sim.experiment.replication import run_scenario
from sim.experiment.results import RunResult
from sim.experiment.service_levels import METRIC_OF
from sim.model.centre import Centre

N, PER_HOUR, AHT_H, PATIENCE_H, WITHIN_H, SHORT_H = 9, 100.0, 5 / 60, 3 / 60, 20 / 3600, 30 / 3600
THEORY = service_level_definitions(N, PER_HOUR, AHT_H, PATIENCE_H, WITHIN_H, SHORT_H)


def run(abandons: str) -> RunResult:
    level = {"within": "20s", "target": 0.8, "abandons": abandons, "short_abandon": "30s"}
    data = deep_update(
        mmc_data(agents=N, per_hour=PER_HOUR, patience="3min"),
        {"channels": {"phone": {"service_level": level}}},
    )
    return run_scenario(build(data, run={"seed": 11, "replications": 10}), workers=1)


@pytest.fixture(scope="module")
def runs() -> dict[str, RunResult]:
    return {abandons: run(abandons) for abandons in ("exclude", "exclude_short")}


@pytest.mark.parametrize("abandons", ["miss", "exclude", "exclude_short"])
def test_each_definition_matches_its_erlang_a_closed_form(runs, abandons: str) -> None:
    result = runs["exclude"]  # every run reports service_level (abandons as misses)
    if abandons != "miss":
        result = runs[abandons]
    assert_within_3se(result, METRIC_OF[abandons], THEORY[abandons])


def test_the_definitions_are_told_apart(runs) -> None:
    """The checks can fail: each figure is far (> 3 SE) from the other definitions' theory."""
    for abandons, result in runs.items():
        mean, se = replicate(result, METRIC_OF[abandons])
        others = [value for name, value in THEORY.items() if name != abandons]
        assert all(abs(mean - value) > 3 * se for value in others), abandons


def test_the_chosen_definition_is_named_in_the_summary(runs) -> None:
    summary = runs["exclude_short"].summary()
    phone = set(summary.loc[summary["scope"] == "phone", "metric"])
    assert {"service_level", "service_level_excl_short_abandons"} <= phone
    assert "service_level_excl_abandons" not in phone
    assert list(runs["exclude"].replications[0].metrics) == metric_keys(runs["exclude"].scenario)


def test_abandoning_within_ever_is_the_abandonment_probability() -> None:
    from sim import analytic

    p_abandon = analytic.erlang_a(N, PER_HOUR, AHT_H, PATIENCE_H).p_abandon
    assert abandoned_within(N, PER_HOUR, AHT_H, PATIENCE_H, 2.0) == pytest.approx(p_abandon)
    assert abandoned_within(N, PER_HOUR, AHT_H, PATIENCE_H, 0.0) == 0.0


def test_the_console_judges_the_target_on_the_named_definition(runs) -> None:
    import io

    from rich.console import Console

    from sim.present.console import summary_tables

    result = runs["exclude_short"]
    out = io.StringIO()
    for table in summary_tables(result.scenario, result.summary_table(), width=100):
        Console(file=out, width=100, color_system=None).print(table)
    text = " ".join(out.getvalue().split())
    mean, _ = replicate(result, "service_level_excl_short_abandons")
    assert "abandons under 30s excluded" in text
    assert f"{mean:.1%}" in text


def test_a_short_abandon_is_strictly_shorter_than_short_abandon() -> None:
    """ "Abandons shorter than short_abandon": a caller who hangs up after exactly that long
    is not a short abandon. With patience of exactly 30 s the wait is 30 s to the bit for
    almost every caller (adding 30 s to an arrival time is exact unless it crosses a power
    of two), so nearly no abandon is short, where ``<=`` would make nearly all of them so."""
    level = {"within": "20s", "target": 0.8, "short_abandon": "30s"}
    data = deep_update(
        mmc_data(agents=N, per_hour=PER_HOUR),
        {
            "channels": {
                "phone": {
                    "service_level": level,
                    "patience": {"dist": "deterministic", "value": "30s"},
                }
            }
        },
    )
    centre = Centre(build(data, run={"replications": 1}), 0)
    centre.run()
    stats = centre.channels["phone"].stats
    abandoned, short = sum(stats.abandoned), sum(stats.short_abandoned)
    assert abandoned > 100
    assert short <= 0.01 * abandoned
