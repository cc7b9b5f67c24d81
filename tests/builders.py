"""Builders for small scenarios used across the test suite."""

from __future__ import annotations

import copy
import signal
from typing import Any

from sim.scenario import Scenario, validate_data


def deep_update(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` merged in recursively (a copy; ``base`` is untouched)."""
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_update(merged[key], value)
        else:
            merged[key] = value
    return merged


def mmc_data(
    agents: int = 10,
    per_hour: float = 96.0,
    aht: str = "5min",
    patience: str | None = None,
    **run: Any,
) -> dict[str, Any]:
    """A one-queue phone centre with exponential times: M/M/c, or M/M/c+M with patience."""
    phone: dict[str, Any] = {
        "handle_time": {"dist": "exponential", "mean": aht},
        "service_level": {"within": "20s", "target": 0.8},
    }
    if patience is not None:
        phone["patience"] = {"dist": "exponential", "mean": patience}
    return {
        "name": "mmc",
        "run": {"horizon": "2d", "warmup": "2h", "replications": 8, "interval": "1h", **run},
        "demand": {"issues_per_hour": per_hour, "first_channel": {"phone": 1.0}},
        "channels": {"phone": phone},
        "behaviour": {"after_abandon": {"retry": 0.0, "give_up": 1.0}},
        "pools": {"voice": {"agents": agents, "skills": ["phone"]}},
    }


def multichannel_data() -> dict[str, Any]:
    """A small centre using every channel, retries, switching, schedules and concurrency."""
    return {
        "name": "small",
        "run": {"horizon": "2d", "warmup": "6h", "replications": 2, "interval": "30min"},
        "demand": {
            "issues_per_day": 3000,
            "first_channel": {"phone": 0.5, "email": 0.25, "self_service": 0.2, "social": 0.05},
            "day_variability": 0.1,
        },
        "channels": {
            "phone": {"patience": {"dist": "exponential", "mean": "2min"}},
            "social": {
                "public_share": 0.7,
                "exchanges": 2.5,
                "reply_delay": {"dist": "exponential", "mean": "20min"},
                "handoff": {"probability": 0.35, "to": "email"},
                "community_resolves": 0.05,
                "misrouted": {"share": 0.2, "delay": "2h"},
            },
            "self_service": {
                "success": 0.5,
                "fallback": {"phone": 0.5, "email": 0.3, "social": 0.2},
            },
        },
        "behaviour": {
            "after_abandon": {
                "retry": 0.5,
                "switch": {"email": 0.2, "social": 0.1},
                "give_up": 0.2,
            },
            "retry_delay": {"dist": "exponential", "mean": "10min"},
            "max_attempts": 4,
            "escalate_to_social": {"after": "2h", "probability": 0.2},
        },
        "pools": {
            "voice": {
                "schedule": [
                    {"days": "all", "from": "07:00", "to": "19:00", "agents": 9},
                    {"days": "all", "from": "19:00", "to": "07:00", "agents": 3},
                ],
                "skills": ["phone"],
                "shrinkage": 0.2,
            },
            "digital": {
                "agents": 6,
                "skills": ["email", "social", "phone"],
                "concurrency": {"social": 3},
            },
        },
        "policy": {"priority": ["phone", "social", "email"]},
    }


def default_sigint() -> None:
    """``preexec_fn`` for subprocesses a test interrupts: restore SIGINT's default.

    A shell starts background jobs with SIGINT ignored, the ignore is inherited down to the
    processes tests start, and a Python started with SIGINT ignored never raises
    KeyboardInterrupt; without this, interrupt tests would depend on how pytest was launched.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def build(data: dict[str, Any], **changes: Any) -> Scenario:
    """Validate ``data`` with ``changes`` deep-merged in."""
    return validate_data(deep_update(data, changes))
