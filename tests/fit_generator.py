"""An independent contact-log generator with known parameters, for testing ``ccsim fit``.

Plain numpy, deliberately *not* the ccsim model, so a fit that merely mirrored the model's own
code could not pass: issues arrive as a Poisson process with a gamma day factor, weekday
factors and an intraday profile; phone waits are an infinite-server approximation (each
caller's offered wait is exponential, longer in busy intervals, independent of patience) and
a caller abandons when the exponential patience is shorter; abandons are followed by a retry
(same channel, exponential delay), a switch to email (at once) or a give-up, until a journey
has made ``max_attempts`` contacts; failed self-service sessions fall back; social threads
have a public flag, ``1 + Poisson(exchanges − 1)`` replies, a reply delay and a handoff to
email. Some customers come back with a new issue days later (a repeat contact).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DAY = 86400.0
START = pd.Timestamp("2026-01-05")  # a Monday
CHANNELS = ("phone", "email", "self_service", "social")


def _profile() -> tuple[float, ...]:
    hours = (np.arange(48) + 0.5) / 2
    shape = 0.15 + np.exp(-(((hours - 11) / 3.0) ** 2)) + 0.7 * np.exp(-(((hours - 17) / 3) ** 2))
    return tuple(shape / shape.mean())


@dataclass(frozen=True)
class Truth:
    """The parameters the generator draws from (the fit should recover them)."""

    days: int = 14
    issues_per_day: float = 2000.0
    day_variability: float = 0.1
    weekdays: tuple[float, ...] = (1.2, 1.1, 1.05, 1.0, 1.05, 0.8, 0.8)
    profile: tuple[float, ...] = field(default_factory=_profile)
    first_channel: tuple[float, ...] = (0.5, 0.3, 0.15, 0.05)
    phone_handle: tuple[float, float] = (360.0, 0.6)  # lognormal mean, cv
    email_handle: tuple[float, float] = (480.0, 0.7)  # lognormal
    social_handle: tuple[float, float] = (300.0, 0.8)  # gamma
    phone_wait: float = 60.0  # mean offered wait at average load (exponential)
    email_wait: float = 7200.0
    social_wait: float = 1200.0
    patience: float = 180.0
    retry: float = 0.5
    switch_email: float = 0.2
    retry_delay: float = 600.0
    max_attempts: int = 4
    success: float = 0.55
    fallback_phone: float = 0.6
    public_share: float = 0.7
    exchanges: float = 2.5
    reply_delay: float = 1200.0
    handoff: float = 0.35
    repeat_customers: float = 0.1
    channel_profiles: tuple[tuple[str, tuple[float, ...]], ...] = ()
    """Channels whose issues follow a profile of their own (the rest follow ``profile``)."""


def _lognormal(rng: np.random.Generator, mean: float, cv: float, n: int) -> np.ndarray:
    s2 = np.log1p(cv * cv)
    return rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2), n)


def _gamma(rng: np.random.Generator, mean: float, cv: float, n: int) -> np.ndarray:
    return rng.gamma(1 / cv**2, mean * cv**2, n)


def _arrivals(truth: Truth, rng: np.random.Generator) -> np.ndarray:
    profile = np.asarray(truth.profile) / len(truth.profile)
    shape = 1 / truth.day_variability**2
    factor = rng.gamma(shape, 1 / shape, truth.days)
    weekday = np.asarray(truth.weekdays)[np.arange(truth.days) % 7]
    rate = truth.issues_per_day * (weekday * factor)[:, None] * profile[None, :]
    counts = rng.poisson(rate).ravel()
    width = DAY / len(profile)
    starts = np.repeat(np.arange(counts.size) * width, counts)
    return np.sort(starts + rng.random(starts.size) * width)


class _Contacts:
    """Columns of the log, appended one generation of contacts at a time."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, **columns: np.ndarray) -> None:
        self.parts.append(columns)

    def frame(self) -> pd.DataFrame:
        names = ["issue", "channel", "arrived", "outcome", "wait", "handle"]
        names += ["public", "exchanges", "reply_delay"]
        out = {}
        for name in names:
            pieces = []
            for part in self.parts:
                n = len(part["issue"])
                default = np.full(n, np.nan) if name not in ("channel", "outcome") else None
                pieces.append(part.get(name, default))
            out[name] = np.concatenate(pieces)
        return pd.DataFrame(out)


def _channel_arrivals(truth: Truth, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Issues drawn channel by channel, each with its own profile (or the shared one)."""
    own = dict(truth.channel_profiles)
    shape = 1 / truth.day_variability**2
    factor = rng.gamma(shape, 1 / shape, truth.days)
    weekday = np.asarray(truth.weekdays)[np.arange(truth.days) % 7]
    times, channels = [], []
    for name, share in zip(CHANNELS, truth.first_channel, strict=True):
        profile = np.asarray(own.get(name, truth.profile))
        profile = profile / profile.sum()
        rate = truth.issues_per_day * share * (weekday * factor)[:, None] * profile[None, :]
        counts = rng.poisson(rate).ravel()
        width = DAY / len(profile)
        starts = np.repeat(np.arange(counts.size) * width, counts)
        times.append(starts + rng.random(starts.size) * width)
        channels.append(np.full(starts.size, name, dtype="<U12"))
    order = np.argsort(np.concatenate(times), kind="stable")
    return np.concatenate(times)[order], np.concatenate(channels)[order]


def generate(truth: Truth, seed: int) -> pd.DataFrame:
    """A contact log (``arrived_at, channel, outcome, wait_seconds, handle_seconds, customer,
    pool, public, exchanges, reply_delay_seconds``) sorted by arrival."""
    rng = np.random.default_rng(seed)
    if truth.channel_profiles:
        arrived, channel = _channel_arrivals(truth, rng)
        n_issues = arrived.size
    else:
        arrived = _arrivals(truth, rng)
        n_issues = arrived.size
        channel = np.asarray(CHANNELS)[rng.choice(4, n_issues, p=truth.first_channel)]
    issue = np.arange(n_issues)
    made = np.zeros(n_issues, np.int64)
    out = _Contacts()
    while issue.size:
        made[issue] += 1
        nxt = [_phone(truth, rng, issue, arrived, channel, made, out)]
        nxt.append(_email(truth, rng, issue, arrived, channel, out))
        nxt.append(_self_service(truth, rng, issue, arrived, channel, out))
        nxt.append(_social(truth, rng, issue, arrived, channel, out))
        issue = np.concatenate([n[0] for n in nxt])
        arrived = np.concatenate([n[1] for n in nxt])
        channel = np.concatenate([n[2] for n in nxt])
    log = out.frame().sort_values(["arrived", "issue"], kind="stable", ignore_index=True)
    return _as_log(log, _customers(truth, rng, log), truth)


Next = tuple[np.ndarray, np.ndarray, np.ndarray]


def _none() -> Next:
    return np.zeros(0, np.int64), np.zeros(0), np.zeros(0, dtype="<U12")


def _phone(truth, rng, issue, arrived, channel, made, out) -> Next:
    m = channel == "phone"
    n = int(m.sum())
    if n == 0:
        return _none()
    at = arrived[m]
    load = np.asarray(truth.profile)[((at % DAY) // (DAY / len(truth.profile))).astype(int)]
    offered = rng.exponential(truth.phone_wait * load, n)
    patience = rng.exponential(truth.patience, n)
    answered = offered <= patience
    wait = np.where(answered, offered, patience)
    handle = np.where(answered, _lognormal(rng, *truth.phone_handle, n), np.nan)
    outcome = np.where(answered, "answered", "abandoned")
    out.add(
        issue=issue[m], channel=channel[m], arrived=at, outcome=outcome, wait=wait, handle=handle
    )
    u = rng.random(n)
    capped = made[issue[m]] >= truth.max_attempts
    retry = ~answered & ~capped & (u < truth.retry)
    switch = ~answered & ~capped & (u >= truth.retry) & (u < truth.retry + truth.switch_email)
    delay = rng.exponential(truth.retry_delay, n)
    back = retry | switch
    times = at + wait + np.where(retry, delay, 0.0)
    return issue[m][back], times[back], np.where(retry, "phone", "email")[back]


def _email(truth, rng, issue, arrived, channel, out) -> Next:
    m = channel == "email"
    n = int(m.sum())
    wait = rng.exponential(truth.email_wait, n)
    handle = _lognormal(rng, *truth.email_handle, n)
    out.add(
        issue=issue[m],
        channel=channel[m],
        arrived=arrived[m],
        outcome=np.full(n, "answered"),
        wait=wait,
        handle=handle,
    )
    return _none()


def _self_service(truth, rng, issue, arrived, channel, out) -> Next:
    m = channel == "self_service"
    n = int(m.sum())
    served = rng.random(n) < truth.success
    outcome = np.where(served, "self_served", "fell_back")
    out.add(issue=issue[m], channel=channel[m], arrived=arrived[m], outcome=outcome)
    to = np.where(rng.random(n) < truth.fallback_phone, "phone", "email")
    later = arrived[m] + rng.exponential(240.0, n)
    return issue[m][~served], later[~served], to[~served]


def _social(truth, rng, issue, arrived, channel, out) -> Next:
    m = channel == "social"
    n = int(m.sum())
    wait = rng.exponential(truth.social_wait, n)
    handle = _gamma(rng, *truth.social_handle, n)
    exchanges = 1 + rng.poisson(truth.exchanges - 1, n)
    delay = np.where(exchanges > 1, rng.exponential(truth.reply_delay, n), np.nan)
    public = (rng.random(n) < truth.public_share).astype(float)
    out.add(
        issue=issue[m], channel=channel[m], arrived=arrived[m], outcome=np.full(n, "answered"),
        wait=wait, handle=handle, public=public, exchanges=exchanges.astype(float),
        reply_delay=delay,
    )  # fmt: skip
    handoff = rng.random(n) < truth.handoff
    thread = handle * exchanges + np.nan_to_num(delay) * (exchanges - 1)
    later = arrived[m] + wait + thread
    return issue[m][handoff], later[handoff], np.full(int(handoff.sum()), "email")


def _customers(truth: Truth, rng: np.random.Generator, log: pd.DataFrame) -> np.ndarray:
    """Customer of each row: its issue's number, or for some issues starting three or more
    days in, the customer of an issue from three days earlier (a repeat contact)."""
    first = log.groupby("issue")["arrived"].min()
    day = (first.to_numpy() // DAY).astype(int)
    customer = first.index.to_numpy().copy()
    repeat = (day >= 3) & (rng.random(len(day)) < truth.repeat_customers)
    for d in np.unique(day[repeat]):
        pool = customer[day == d - 3]
        chosen = repeat & (day == d)
        if pool.size >= chosen.sum():  # distinct earlier customers: each returns once that day
            customer[chosen] = rng.choice(pool, int(chosen.sum()), replace=False)
    mapping = pd.Series(customer, index=first.index)
    return mapping.loc[log["issue"].to_numpy()].to_numpy()


def _as_log(log: pd.DataFrame, customer: np.ndarray, truth: Truth) -> pd.DataFrame:
    social = log["channel"].to_numpy() == "social"
    pool = np.select(
        [log["channel"] == "phone", log["channel"].isin(["email", "social"])],
        ["voice", "digital"],
        "",
    )
    answered = log["outcome"].to_numpy() == "answered"
    return pd.DataFrame(
        {
            "arrived_at": START + pd.to_timedelta(log["arrived"].to_numpy(), unit="s"),
            "channel": log["channel"].to_numpy(object),
            "outcome": log["outcome"].to_numpy(object),
            "wait_seconds": log["wait"].to_numpy(float),
            "handle_seconds": log["handle"].to_numpy(float),
            "customer": customer.astype(np.int64),
            "pool": np.where(answered, pool, "").astype(object),
            "public": pd.array(np.where(social, log["public"] == 1, pd.NA), dtype="boolean"),
            "exchanges": log["exchanges"].to_numpy(float),
            "reply_delay_seconds": log["reply_delay"].to_numpy(float),
        }
    )


def expected(truth: Truth) -> dict[str, float]:
    """The fitted parameters' true values, by parameter name."""
    values = {
        "demand.issues_per_day": truth.issues_per_day,
        "demand.day_variability": truth.day_variability,
        "channels.phone.handle_time.mean": truth.phone_handle[0],
        "channels.phone.handle_time.cv": truth.phone_handle[1],
        "channels.email.handle_time.mean": truth.email_handle[0],
        "channels.email.handle_time.cv": truth.email_handle[1],
        "channels.social.handle_time.mean": truth.social_handle[0],
        "channels.social.handle_time.cv": truth.social_handle[1],
        "channels.phone.patience.mean": truth.patience,
        "channels.phone.patience.weibull_shape": 1.0,
        "behaviour.after_abandon.retry": truth.retry,
        "behaviour.after_abandon.switch.email": truth.switch_email,
        "behaviour.after_abandon.give_up": 1 - truth.retry - truth.switch_email,
        "behaviour.retry_delay.mean": truth.retry_delay,
        "channels.self_service.success": truth.success,
        "channels.self_service.fallback.phone": truth.fallback_phone,
        "channels.self_service.fallback.email": 1 - truth.fallback_phone,
        "channels.social.public_share": truth.public_share,
        "channels.social.exchanges": truth.exchanges,
        "channels.social.reply_delay.mean": truth.reply_delay,
        "channels.social.handoff.probability": truth.handoff,
    }
    for ch, share in zip(CHANNELS, truth.first_channel, strict=True):
        values[f"demand.first_channel.{ch}"] = share
    for name, factor in zip(
        ("mon", "tue", "wed", "thu", "fri", "sat", "sun"), truth.weekdays, strict=True
    ):
        values[f"demand.weekdays.{name}"] = factor
    if not truth.channel_profiles:
        for k, weight in enumerate(truth.profile):
            values[f"demand.profile[{k}]"] = weight
    for name, profile in truth.channel_profiles:
        weights = np.asarray(profile) / np.mean(profile)
        for k, weight in enumerate(weights):
            values[f"demand.profiles.{name}[{k}]"] = float(weight)
    return values
