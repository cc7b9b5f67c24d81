"""Phone callback offers: callers who accept keep their place and stop abandoning."""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import build, mmc_data

from sim.experiment.replication import simulate
from sim.model.callback import CallbackOffer
from sim.model.centre import Centre
from sim.model.channels.registry import channel_class
from sim.model.streams import Uniforms


def overloaded(callback: dict | None) -> dict:
    """A phone queue at 110% load with 3-minute patience: long waits, many abandons."""
    data = mmc_data(agents=8, per_hour=106.0, aht="5min", patience="3min", replications=1)
    data["policy"] = {"callback": callback}
    return data


def run(callback: dict | None) -> dict:
    return simulate(build(overloaded(callback)), 0).metrics


def test_everyone_accepting_a_callback_means_nobody_abandons() -> None:
    without = run(None)
    with_callbacks = run({"offer_when_wait_over": "0s", "accept": 1.0})
    assert without[("phone", "abandon_rate")] > 0.1
    assert with_callbacks[("phone", "abandoned")] == 0
    offered = with_callbacks[("phone", "callbacks_offered")]
    assert offered == with_callbacks[("phone", "callbacks_accepted")] > 0
    # every call that had to wait was offered (threshold 0): offered == waited
    assert offered == pytest.approx(
        with_callbacks[("phone", "p_wait")] * with_callbacks[("phone", "offered")]
    )


def test_nobody_accepting_changes_nothing() -> None:
    """Common random numbers: offers that are all refused leave every outcome unchanged."""
    without = run(None)
    refused = run({"offer_when_wait_over": "0s", "accept": 0.0})
    assert refused[("phone", "callbacks_accepted")] == 0
    assert refused[("phone", "callbacks_offered")] > 0
    for metric in ("offered", "answered", "abandoned", "asa_seconds", "service_level"):
        assert refused[("phone", metric)] == without[("phone", metric)], metric


def test_offers_only_when_the_expected_wait_is_long() -> None:
    short = run({"offer_when_wait_over": "0s", "accept": 0.5})
    long = run({"offer_when_wait_over": "10h", "accept": 0.5})
    assert short[("phone", "callbacks_offered")] > 0
    assert long[("phone", "callbacks_offered")] == 0
    assert short[("phone", "abandon_rate")] < long[("phone", "abandon_rate")]


def test_with_nobody_on_duty_the_announced_wait_is_endless_and_a_callback_offered() -> None:
    """A call queued while no agent is on duty (a night outside every shift) cannot be given
    a finite wait estimate: it is offered a callback whatever the threshold."""
    offer = CallbackOffer(
        threshold=3600.0,
        accept=1.0,
        draws=Uniforms(np.random.default_rng(1)),
        mean_handle=300.0,
        agents_on_duty=lambda: 0,
    )
    assert offer.expected_wait(1) == math.inf
    assert offer.offer(1, would_accept=True, measured=True)
    assert (offer.offered, offer.accepted) == (1, 1)


def test_the_announced_wait_is_the_queue_position_times_the_handle_time_per_agent() -> None:
    on_duty = [1]
    offer = CallbackOffer(600.0, 1.0, Uniforms(np.random.default_rng(1)), 300.0, lambda: on_duty[0])
    assert offer.expected_wait(3) == 900.0  # third in line, one agent, 5-minute calls
    assert offer.offer(3, would_accept=True, measured=False)
    on_duty[0] = 2
    assert offer.expected_wait(3) == 450.0
    assert not offer.offer(3, would_accept=True, measured=False)
    assert (offer.offered, offer.accepted) == (0, 0)  # not measured: not counted


IVR_SECTION = {"containment": 0.2, "duration": {"dist": "deterministic", "value": "30s"}}


@pytest.mark.parametrize("callback", [None, {"offer_when_wait_over": "0s", "accept": 0.5}])
@pytest.mark.parametrize("ivr", [False, True])
def test_the_phone_policy_metrics_named_before_a_run_are_the_ones_it_reports(
    callback: dict | None, ivr: bool
) -> None:
    """The metric catalogue lists a channel's policy counts before any run (table columns);
    they must be exactly the counts a run reports, in the same order."""
    data = overloaded(callback)
    if ivr:
        data["channels"]["phone"]["ivr"] = IVR_SECTION
    scenario = build(data)
    named = channel_class("phone").policy_metrics(scenario)
    centre = Centre(scenario, 0)
    centre.run()
    assert tuple(centre.channels["phone"].policy_totals()) == named
    assert ("callbacks_offered" in named) == (callback is not None)
    assert ("ivr_contained" in named) == ivr


def test_the_announced_wait_counts_the_wrap_up_agents_do_after_each_call() -> None:
    """An agent is held for the call and its after-contact work, so the queue moves at the
    pace of both: the holding mean is handle time plus wrap-up."""
    data = overloaded({"offer_when_wait_over": "0s", "accept": 0.5})
    data["channels"]["phone"]["after_contact"] = {"dist": "deterministic", "value": "2min"}
    phone = Centre(build(data), 0).channels["phone"]
    assert phone.holding_mean() == pytest.approx(5 * 60 + 2 * 60)
    assert phone.callback.mean_handle == pytest.approx(7 * 60)
