"""The metric catalogue names exactly what a run reports, in the order it reports it."""

from __future__ import annotations

import pytest
from builders import build, deep_update, multichannel_data

from sim.experiment.catalogue import MetricNameError, check_metric, metric_keys, parse_metric
from sim.experiment.replication import simulate

CASES = {
    "plain": {},
    "callback": {"policy": {"callback": {"offer_when_wait_over": "30s", "accept": 0.6}}},
    "ignore": {"policy": {"social_mode": "ignore"}},
    "value": {"value": {}},
    "customers": {"demand": {"customers": 500}, "value": {}},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_catalogue_is_what_a_run_reports(case: str) -> None:
    data = deep_update(multichannel_data(), CASES[case])
    data["run"].update({"horizon": "2h", "warmup": "0s"})
    scenario = build(data)
    assert list(simulate(scenario, 0).metrics) == metric_keys(scenario)


def test_metric_names_are_parsed_and_checked() -> None:
    scenario = build(multichannel_data())
    assert parse_metric("pool:voice.occupancy") == ("pool:voice", "occupancy")
    check_metric(
        ("phone", "callbacks_offered"), build(deep_update(multichannel_data(), CASES["callback"]))
    )
    with pytest.raises(MetricNameError, match="did you mean 'service_level'"):
        check_metric(("phone", "service_levl"), scenario)
    with pytest.raises(MetricNameError, match="unknown scope 'pool:x'"):
        check_metric(("pool:x", "occupancy"), scenario)
    with pytest.raises(MetricNameError, match="no metric 'callbacks_offered'"):
        check_metric(("phone", "callbacks_offered"), scenario)  # no callback policy here
    with pytest.raises(MetricNameError, match=r"write scope\.metric"):
        parse_metric("service_level")
