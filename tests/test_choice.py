"""Channel choice that responds to service: a logit over the channels on offer.

Checked against its analytic fixed point (waits held fixed, the shares are the logit of
them), for the direction of its response (a longer phone wait never raises the phone share)
and for doing nothing when off (no draw, no change).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from builders import build, deep_update, multichannel_data

from sim.experiment.replication import simulate
from sim.model.centre import Centre
from sim.model.choice import ChannelChoice, logit_shares

SHARES = {"phone": 0.5, "email": 0.3, "self_service": 0.18, "social": 0.02}
REFERENCE = {"phone": 30.0, "email": 7200.0, "self_service": 0.0, "social": 1800.0}


def test_at_the_reference_waits_the_shares_are_the_scenarios() -> None:
    shares = logit_shares(SHARES, REFERENCE, REFERENCE, 2.0 / 3600, {})
    assert shares == pytest.approx(SHARES, abs=1e-12)
    assert logit_shares({**SHARES, "social": 0.0}, REFERENCE, {}, 1.0, {})["social"] == 0.0


@pytest.mark.parametrize("sensitivity", [0.1, 1.0, 5.0])
def test_a_longer_phone_wait_never_raises_the_phone_share(sensitivity: float) -> None:
    per_second = sensitivity / 3600
    waits = np.linspace(0.0, 4 * 3600.0, 60)
    shares = [
        logit_shares(SHARES, REFERENCE, {**REFERENCE, "phone": w}, per_second, {}) for w in waits
    ]
    phone = [s["phone"] for s in shares]
    assert all(later <= earlier for earlier, later in itertools.pairwise(phone))
    assert phone[-1] < phone[0]
    for other in ("email", "self_service", "social"):  # the others gain, in proportion
        values = [s[other] for s in shares]
        assert all(b >= a for a, b in itertools.pairwise(values))
        assert values[-1] / values[0] == pytest.approx(shares[-1]["email"] / shares[0]["email"])


def test_perceived_waits_held_fixed_reach_the_analytic_fixed_point() -> None:
    """Feed the same recent waits every period: perceived waits converge geometrically to
    them and the shares to the logit of those waits."""
    data = multichannel_data()
    data["demand"]["choice"] = {
        "sensitivity": 1.5,
        "reference_wait": {"phone": "30s", "email": "2h", "social": "30min"},
        "period": "30min",
        "smoothing": "2h",
        "effort": {"social": 0.4},
    }
    scenario = build(data)
    choice = ChannelChoice(scenario, {})
    held = {"phone": 300.0, "email": 3600.0, "social": 600.0}
    alpha = 1 - math.exp(-0.25)
    for step in range(1, 200):
        choice.observe(held)
        gap = (1 - alpha) ** step * (7200.0 - 3600.0)
        assert choice.perceived["email"] - 3600.0 == pytest.approx(gap, rel=1e-9, abs=1e-9)
    s = 1.5 / 3600
    weights = {
        "phone": 0.5 * math.exp(s * (30 - 300)),
        "email": 0.25 * math.exp(s * (7200 - 3600)),
        "self_service": 0.2,
        "social": 0.05 * math.exp(s * (1800 - 600) - 0.4),
    }
    total = sum(weights.values())
    expected = {c: w / total for c, w in weights.items()}
    assert choice.shares() == pytest.approx(expected, rel=1e-9)


def idle_centre(sensitivity: float) -> dict:
    """Phone and email with far more agents than work: every wait is 0, held fixed."""
    return {
        "name": "idle",
        "run": {"horizon": "2d", "warmup": "1d", "replications": 1, "interval": "1h"},
        "demand": {
            "issues_per_hour": 200.0,
            "first_channel": {"phone": 0.5, "email": 0.5},
            "choice": {
                "sensitivity": sensitivity,
                "reference_wait": {"phone": "0s", "email": "1h"},
                "period": "15min",
                "smoothing": "1h",
            },
        },
        "channels": {
            "phone": {"handle_time": {"dist": "exponential", "mean": "5min"}},
            "email": {"handle_time": {"dist": "exponential", "mean": "5min"}},
        },
        "pools": {
            "voice": {"agents": 60, "skills": ["phone"]},
            "digital": {"agents": 60, "skills": ["email"]},
        },
    }


def test_simulated_shares_reach_the_fixed_point_of_zero_waits() -> None:
    """Email's reference wait is 1 h but nobody waits: at the fixed point email's utility
    gains sensitivity x 1 h, so its share is e^s / (1 + e^s) of new issues; the measured
    share of first contacts over two days matches within 3 standard errors."""
    m = simulate(build(idle_centre(1.0)), 0).metrics
    phone, email = m[("phone", "offered")], m[("email", "offered")]
    assert m[("email", "asa_seconds")] < 1.0 and m[("phone", "asa_seconds")] < 1.0
    n = phone + email
    expected = math.e / (1 + math.e)
    se = math.sqrt(expected * (1 - expected) / n)
    assert abs(email / n - expected) < 3 * se
    assert abs(email / n - 0.5) > 10 * se  # choice did move it


def test_understaffed_phone_loses_share_to_self_service() -> None:
    """Phone or web self-service (no wait) first; same customers, fewer phone agents:
    longer phone waits and a lower phone share on average over the updates (feedback: a
    lower share shortens the waits again, so not at every single update)."""
    data = idle_centre(30.0)
    data["demand"]["first_channel"] = {"phone": 0.7, "self_service": 0.3}
    data["demand"]["choice"]["reference_wait"] = {"phone": "30s"}
    data["channels"] = {
        "phone": {"handle_time": {"dist": "exponential", "mean": "5min"}},
        "self_service": {"success": 0.5, "fallback": {"phone": 1.0}},
    }
    data["pools"] = {"voice": {"agents": 14, "skills": ["phone"]}}
    runs = []
    for agents in (16, 13):
        centre = Centre(build(deep_update(data, {"pools": {"voice": {"agents": agents}}})), 0)
        history: list[float] = []
        update = centre.choice.update
        centre.choice.update = lambda update=update, history=history: record(update(), history)
        counts = centre.run()
        phone = counts.channels["phone"].stats
        runs.append((sum(phone.wait_sum) / sum(phone.answered), history))
    (wait_many, shares_many), (wait_few, shares_few) = runs
    assert wait_few > 1.5 * wait_many
    mean_few, mean_many = np.mean(shares_few), np.mean(shares_many)
    assert mean_few < mean_many - 0.02
    assert mean_many < 0.7  # waits above the reference already cost phone some share


def record(shares: dict[str, float], history: list[float]) -> dict[str, float]:
    history.append(shares["phone"])
    return shares


def test_choice_off_draws_nothing_and_changes_nothing() -> None:
    plain = multichannel_data()
    plain["run"].update({"horizon": "12h", "warmup": "2h", "replications": 1})
    off = deep_update(plain, {"demand": {"choice": {"sensitivity": 0.0, "period": "5min"}}})
    a, b = simulate(build(plain), 0).metrics, simulate(build(off), 0).metrics
    assert a == pytest.approx(b, nan_ok=True, rel=0, abs=0)


def test_effort_moves_customers_away_from_a_channel_from_the_start() -> None:
    data = multichannel_data()
    data["demand"]["choice"] = {"effort": {"social": 1.0}}
    centre = Centre(build(data), 0)
    centre.run()
    expected = logit_shares(data["demand"]["first_channel"], {}, {}, 0.0, {"social": 1.0})
    assert centre.first_channel == pytest.approx(expected)
    assert centre.first_channel["social"] < 0.05


def test_a_channel_missing_from_the_waits_counts_as_a_wait_of_zero() -> None:
    """Waits are read with 0 for a channel not given (reference or perceived), the same as
    giving it 0 s explicitly."""
    zeros = dict.fromkeys(SHARES, 0.0)
    per_second = 1.0 / 60
    sparse = logit_shares(SHARES, {"phone": 600.0}, {"email": 600.0}, per_second, {})
    full = logit_shares(
        SHARES, {**zeros, "phone": 600.0}, {**zeros, "email": 600.0}, per_second, {}
    )
    assert sparse == pytest.approx(full, rel=1e-12)
    assert sparse["phone"] > SHARES["phone"] > SHARES["email"] > sparse["email"]


def test_a_channel_without_a_reference_wait_is_expected_to_answer_at_once() -> None:
    data = multichannel_data()
    data["demand"]["choice"] = {"reference_wait": {"phone": "30s"}}
    waits = ChannelChoice(build(data), {}).reference_wait
    assert waits.pop("phone") == 30.0
    assert set(waits) >= {"email", "self_service", "social"}
    assert all(wait == 0.0 for wait in waits.values())


def test_each_update_reads_the_mean_wait_of_the_contacts_answered_since_the_last() -> None:
    """A period's recent wait is the waits answered since the previous update over their
    number (the channel's running totals minus what the last update saw); a channel that
    answered nothing new keeps its perceived wait."""
    data = multichannel_data()
    data["demand"]["choice"] = {
        "reference_wait": {"phone": "30s", "email": "1h"},
        "period": "30min",
        "smoothing": "1h",
    }
    centre = Centre(build(data), 0)
    phone, email = centre.channels["phone"], centre.channels["email"]
    choice = ChannelChoice(centre.scenario, centre.channels)
    alpha = 1 - math.exp(-0.5)
    phone.period_wait, phone.period_answered = 600.0, 4  # 150 s each
    choice.update()
    first = 30.0 + alpha * (150.0 - 30.0)
    assert choice.perceived["phone"] == pytest.approx(first, rel=1e-12)
    assert choice.perceived["email"] == 3600.0  # nothing answered yet
    # the next period: the totals grow by 500 s over 2 contacts (part moved to "earlier",
    # as the jump-the-line update does)
    phone.earlier_wait, phone.earlier_answered = 600.0, 4
    phone.period_wait, phone.period_answered = 500.0, 2
    email.period_wait, email.period_answered = 1800.0, 1
    choice.update()
    assert choice.perceived["phone"] == pytest.approx(first + alpha * (250.0 - first), rel=1e-12)
    assert choice.perceived["email"] == pytest.approx(3600.0 + alpha * (1800.0 - 3600.0))
