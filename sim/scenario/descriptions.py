"""What every scenario key means, in a planner's words: the text of the JSON Schema's
descriptions and of the scenario reference (``docs/reference.md``).

Keys are ``Section.key`` (the pydantic class and the key as written in a file), so a section
used in several places (``ServiceLevel`` under every channel) is described once. A key added
to the format without an entry here fails ``tests/test_schema_reference.py``, which names it.
A field's own ``Field(description=...)`` wins over this table, so a new section can carry its
text with it instead.

Each entry: the meaning, then optionally the unit (when the type does not say it: a duration
or a share carries its own) and an example value as it is written in YAML (without one, the
reference shows the default as the example).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.scenario.descriptions_customers import CUSTOMER_KEYS
from sim.scenario.descriptions_demand import DEMAND_KEYS


@dataclass(frozen=True)
class Key:
    """One key's meaning, its unit (if the type does not carry one) and an example value."""

    meaning: str
    unit: str = ""
    example: str = ""


KEYS: dict[str, Key] = {
    # --- the scenario -------------------------------------------------------------------------
    "Scenario.name": Key(
        "The scenario's name: names the default output folder (outputs/<name>/) and labels "
        "it in comparisons. Without it, the file's name (baseline.yaml: baseline).",
        example="my_centre",
    ),
    "Scenario.description": Key(
        "One or two sentences on what the scenario asks; shown at the top of its report.",
        example="One public reply, then email. Does it keep the social habit from growing?",
    ),
    "Scenario.extends": Key(
        "A base scenario file (relative to this one) that this file changes: mappings merge "
        "key by key, lists and values replace the base's, and `key: null` drops the base's "
        "value so the key takes its default again.",
        example="baseline.yaml",
    ),
    "Scenario.run": Key("How long to simulate, how many times, from which seed."),
    "Scenario.demand": Key("How many issues arrive, when in the day, and where they go first."),
    "Scenario.channels": Key(
        "One section per channel kind (phone, email, self_service, social); a kind not "
        "given takes its defaults."
    ),
    "Scenario.behaviour": Key("What customers do when service fails."),
    "Scenario.pools": Key(
        "The agent pools, by a name you choose (voice, digital, ...): who answers what, "
        "how many, at what cost. At least one."
    ),
    "Scenario.policy": Key("The channel policy: routing order, reservations, social handling."),
    "Scenario.costs": Key("What contacts, abandons, unresolved issues and impressions cost."),
    # --- run ------------------------------------------------------------------------------------
    "Run.horizon": Key(
        "How long the measured part of the run lasts. It starts on a Monday at 00:00, after "
        "the warm-up; counts and costs are totals over it.",
        example="28d",
    ),
    "Run.warmup": Key(
        "Simulated time before the measured horizon, discarded, so queues and backlogs start "
        "the horizon in their usual state.",
        example="1d",
    ),
    "Run.replications": Key(
        "Independent repetitions of the run; the 95% confidence intervals come from their "
        "spread (at least 2 for an interval).",
        unit="replications",
        example="10",
    ),
    "Run.seed": Key(
        "The random seed: the same scenario and seed give the same results to the bit.",
        example="20130220",
    ),
    "Run.start": Key(
        "The date of the Monday on which the measured horizon starts; dated special days and "
        "forecast files need it. Without it, a Monday with no date.",
        example="2026-11-02",
    ),
    "Run.interval": Key(
        "The reporting interval (rows of intervals.csv) and the resolution of the intraday "
        "profile; it must divide a day.",
        example="30min",
    ),
    # --- demand ---------------------------------------------------------------------------------
    "Demand.issues_per_day": Key(
        "Mean number of customers with a problem per day (give this or issues_per_hour).",
        unit="issues per day",
        example="12000",
    ),
    "Demand.issues_per_hour": Key(
        "Mean number of issues per hour, over the whole day (give this or issues_per_day).",
        unit="issues per hour",
        example="500",
    ),
    "Demand.profile": Key(
        "Relative volume per reporting interval over a day, from 00:00 (48 values for 30min "
        "intervals); scaled to mean 1. Without it, a flat day.",
        unit="relative weights",
        example="[0.2, 0.2, ..., 1.9, 2.1, ...]  # one per interval",
    ),
    "Demand.first_channel": Key(
        "Share of new issues that start on each channel; the shares must sum to 1.",
        example="{phone: 0.5, email: 0.3, self_service: 0.18, social: 0.02}",
    ),
    "Demand.day_variability": Key(
        "Day-to-day busyness: each whole day's rate is scaled by a gamma factor with mean 1 "
        "and this coefficient of variation; 0 keeps every day alike.",
        unit="coefficient of variation",
        example="0.1",
    ),
    # --- channels -------------------------------------------------------------------------------
    "Channels.phone": Key("Calls: callers queue, and hang up when their patience runs out."),
    "Channels.email": Key("Emails: a backlog answered in arrival order; nobody hangs up."),
    "Channels.self_service": Key(
        "Web self-service: no agents; a session resolves the issue or the customer falls back."
    ),
    "Channels.social": Key(
        "Social media: public posts and private messages, threads of several replies, an "
        "audience that sees how public complaints are treated."
    ),
    "Phone.handle_time": Key(
        "Agent time per call (talk and wrap-up, unless after_contact gives the wrap-up).",
        example="{dist: lognormal, mean: 6min, cv: 0.6}",
    ),
    "Phone.patience": Key(
        "How long a caller waits before hanging up. Without it, nobody abandons (Erlang C).",
        example="{dist: exponential, mean: 3min}",
    ),
    "Phone.service_level": Key("The phone target, e.g. 80% answered within 20 s."),
    "Email.handle_time": Key(
        "Agent time to read and answer one email.",
        example="{dist: lognormal, mean: 8min, cv: 0.7}",
    ),
    "Email.service_level": Key("The email target, e.g. 90% answered within 24 h."),
    "SelfService.duration": Key(
        "How long a self-service session lasts.", example="{dist: exponential, mean: 4min}"
    ),
    "SelfService.success": Key(
        "Share of sessions that resolve the issue; the others fall back.", example="0.55"
    ),
    "SelfService.fallback": Key(
        "Where customers whose session failed go next; shares of the assisted channels, "
        "summing to 1.",
        example="{phone: 0.6, email: 0.4}",
    ),
    "Social.handle_time": Key(
        "Agent time per social reply (each reply of a thread is one piece of work).",
        example="{dist: lognormal, mean: 5min, cv: 0.8}",
    ),
    "Social.service_level": Key(
        "The social target on the first reply; also what decides whether a public post's "
        "audience sees a positive or a negative exchange."
    ),
    "Social.public_share": Key(
        "Share of social posts that are public (the rest are private messages).", example="0.7"
    ),
    "Social.exchanges": Key(
        "Mean agent replies per thread: a thread needs 1 + Poisson(exchanges - 1) replies.",
        unit="replies per thread",
        example="2.5",
    ),
    "Social.reply_delay": Key(
        "The customer's time to answer between replies (no agent is held meanwhile); also "
        "how long the community takes to resolve a post.",
        example="{dist: exponential, mean: 20min}",
    ),
    "Social.handoff": Key("Threads moved to a private channel after their last reply."),
    "Social.community_resolves": Key(
        "Share of public posts the peer community resolves first, without an agent.",
        example="0.05",
    ),
    "Social.misrouted": Key("Public posts that land on the marketing account first."),
    "Social.audience": Key(
        "People who see a public post (followers and passers-by): the impressions counted "
        "as public_positive or public_negative.",
        unit="people per post",
        example="{dist: lognormal, mean: 150, cv: 3}",
    ),
    "ServiceLevel.within": Key(
        "The threshold: a contact answered within it counts towards the service level. The "
        "run goes on after the horizon for the longest threshold, at most 7 days, so the last "
        "contacts are judged too.",
        example="20s",
    ),
    "ServiceLevel.target": Key(
        "The share of offered contacts to answer within the threshold (the target shown as "
        "met or missed).",
        example="0.8",
    ),
    "ServiceLevel.abandons": Key(
        "Which service-level definition the target uses: `miss` (abandons count as misses: "
        "answered within the threshold / offered), `exclude` (abandons left out: / offered "
        "less abandoned) or `exclude_short` (abandons shorter than short_abandon left out). "
        "summary.csv always has service_level (miss) and adds the chosen one by name.",
        example="exclude_short",
    ),
    "ServiceLevel.short_abandon": Key(
        "Under abandons: exclude_short, abandons after a wait shorter than this are left out.",
        example="5s",
    ),
    "Handoff.probability": Key(
        "Share of served threads handed to a private channel after their last reply (under "
        "deflect every thread is handed off after one public reply).",
        example="0.35",
    ),
    "Handoff.to": Key("The private channel threads are handed to.", example="email"),
    "Misrouted.share": Key(
        "Share of public posts that land on the marketing account first.", example="0.2"
    ),
    "Misrouted.delay": Key(
        "How long a misrouted post takes to reach the service queue (the customer's wait "
        "counts from posting).",
        example="2h",
    ),
    # --- behaviour ------------------------------------------------------------------------------
    "Behaviour.after_abandon": Key(
        "What a caller does after hanging up (and a social post does when ignored); the "
        "three shares sum to 1."
    ),
    "Behaviour.retry_delay": Key(
        "Time before a caller who hung up tries again.",
        example="{dist: exponential, mean: 10min}",
    ),
    "Behaviour.max_attempts": Key(
        "Contacts an issue may make before its customer gives up for good.",
        unit="contacts",
        example="4",
    ),
    "Behaviour.escalate_to_social": Key(
        "Venting: an email unanswered for long enough leads to a public post (off unless "
        "probability > 0)."
    ),
    "Behaviour.jump_the_line": Key(
        "The learned habit: when public complaints are answered faster than phone and email, "
        "more customers go to social first. Off unless enabled: true."
    ),
    "AfterAbandon.retry": Key("Share who try the same channel again.", example="0.5"),
    "AfterAbandon.switch": Key(
        "Shares who switch to another assisted channel.", example="{email: 0.2, social: 0.05}"
    ),
    "AfterAbandon.give_up": Key("Share who give up; the issue stays unresolved.", example="0.25"),
    "EscalateToSocial.after": Key(
        "How long an email waits unanswered before its customer may vent in public.",
        example="48h",
    ),
    "EscalateToSocial.probability": Key(
        "Share of emails still unanswered after that time whose customer posts in public "
        "(the email stays in the backlog: a duplicate contact).",
        example="0.1",
    ),
    "JumpTheLine.enabled": Key(
        "Switch the habit on. Off by default: the social-first share then stays at "
        "demand.first_channel.social.",
        example="true",
    ),
    "JumpTheLine.period": Key(
        "How often the social-first share is updated from the last period's waits.",
        example="1d",
    ),
    "JumpTheLine.rate": Key(
        "How far the share moves towards its target each period (0: never, 1: at once).",
        example="0.05",
    ),
    "JumpTheLine.max_social_first": Key(
        "The highest social-first share the habit can reach.", example="0.25"
    ),
    # --- pools ----------------------------------------------------------------------------------
    "Pool.agents": Key(
        "A flat headcount, on duty around the clock (give this or schedule).",
        unit="agents",
        example="40",
    ),
    "Pool.schedule": Key(
        "Shifts over the week (give this or agents); headcounts of overlapping shifts add up.",
        example='[{days: mon-fri, from: "08:00", to: "16:00", agents: 40}]',
    ),
    "Pool.skills": Key("The channels this pool answers.", example="[email, social]"),
    "Pool.concurrency": Key(
        "Contacts of a channel an agent works on at once (1 when not given).",
        unit="contacts at once",
        example="{social: 3}",
    ),
    "Pool.cost_per_hour": Key(
        "Loaded cost of one paid agent hour.", unit="money per paid hour", example="28"
    ),
    "Pool.shrinkage": Key(
        "Share of scheduled time not available for contacts (breaks, training, absence); "
        "productive agents = floor(scheduled x (1 - shrinkage)), a part-agent never counted "
        "as a whole one (18 at 0.3 gives 12).",
        example="0.27",
    ),
    "Pool.efficiency": Key(
        "Multiplies this pool's handle time on a channel (0.8: 20% faster, e.g. specialists; "
        "1 when not given).",
        unit="multiple of the handle time",
        example="{social: 0.8}",
    ),
    "Pool.overflow_after": Key(
        "Makes the pool a back-up for a channel: it takes a contact only once it has waited "
        "this long (several pools with different delays are several levels).",
        example="{phone: 30s}",
    ),
    "Pool.priority": Key(
        "This pool's own queue order, instead of policy.priority.",
        example="[social, email]",
    ),
    "Shift.days": Key(
        "Days the shift runs: a range (mon-fri), a list (sat,sun) or all.", example="mon-fri"
    ),
    "Shift.from": Key(
        'Start time of day, in quotes ("08:00"; unquoted, YAML reads 8:00 as a number).',
        unit="time of day HH:MM",
        example='"08:00"',
    ),
    "Shift.to": Key(
        "End time of day, in quotes; a shift whose end is not after its start runs past "
        'midnight ("22:00" to "06:00").',
        unit="time of day HH:MM",
        example='"16:00"',
    ),
    "Shift.agents": Key("Agents scheduled in this shift.", unit="agents", example="34"),
    "Shift.breaks": Key(
        "Breaks every agent of this shift takes, each inside the shift and not overlapping: "
        "an agent on break leaves the floor for that window (finishing the contact in hand "
        "first). Stagger breaks by giving shifts different break times. Pool shrinkage then "
        "stands for absence and training only. None: agents stay on the floor.",
        example='[{from: "12:00", to: "12:30", paid: false}]',
    ),
    "Break.from": Key(
        "Start time of day of the break, in quotes.", unit="time of day HH:MM", example='"12:00"'
    ),
    "Break.to": Key(
        "End time of day of the break, in quotes (past midnight when not after its start).",
        unit="time of day HH:MM",
        example='"12:30"',
    ),
    "Break.paid": Key(
        "Whether the break is paid; an unpaid break is deducted from paid hours and cost.",
        example="false",
    ),
    # --- policy ---------------------------------------------------------------------------------
    "Policy.name": Key("A label for the policy, shown in outputs.", example="deflect"),
    "Policy.priority": Key(
        "The order in which a freed agent takes queued work, first to last.",
        example="[phone, social, email]",
    ),
    "Policy.routing": Key(
        "The routing policy: priority queues in this order, pools tried in file order, "
        "best-fit agents, reservations kept.",
        example="priority",
    ),
    "Policy.social_mode": Key(
        "serve: answer in public through the thread; deflect: one public reply, then the "
        "customer moves to handoff.to; ignore: answer nothing (posts abandon at the social "
        "threshold).",
        example="deflect",
    ),
    "Policy.reserve": Key(
        "Agents of a pool kept idle for a channel: other work starts only if it leaves that "
        "many idle.",
        unit="agents",
        example="{digital: {phone: 2}}",
    ),
    "Policy.callback": Key(
        "Offer phone callers a callback when their expected wait is long (off when not given)."
    ),
    "Callback.offer_when_wait_over": Key(
        "Offer a callback when the caller's expected wait exceeds this.", example="2min"
    ),
    "Callback.accept": Key("Share of callers offered a callback who accept it.", example="0.6"),
    # --- costs ----------------------------------------------------------------------------------
    "Costs.per_contact": Key(
        "Cost of each contact on a channel (telecom, IT), on top of agent time.",
        unit="money per contact",
        example="{phone: 0.9, email: 0.2, self_service: 0.1, social: 0.3}",
    ),
    "Costs.abandoned_contact": Key(
        "A penalty per abandoned contact.", unit="money per contact", example="2"
    ),
    "Costs.unresolved_issue": Key(
        "A penalty per issue given up or still open at the end.",
        unit="money per issue",
        example="15",
    ),
    "Costs.public_impression": Key(
        "What one person seeing a public exchange is worth; 0 (the default) leaves the "
        "public side out of the cost."
    ),
    "PublicImpression.negative": Key(
        "Cost of one negative impression, like every entry of costs (0.05: each person who "
        "sees a public complaint answered late or never costs 0.05).",
        unit="money per impression",
        example="0.05",
    ),
    "PublicImpression.positive": Key(
        "Cost of one positive impression (a public complaint answered in time); a benefit is "
        "a negative cost (-0.01: each person who sees it earns 0.01).",
        unit="money per impression",
        example="-0.01",
    ),
    # --- distributions --------------------------------------------------------------------------
    "Exponential.mean": Key("The mean.", example="3min"),
    "Lognormal.mean": Key("The mean.", example="6min"),
    "Lognormal.cv": Key(
        "Coefficient of variation: standard deviation / mean.", unit="ratio", example="0.6"
    ),
    "Gamma.mean": Key("The mean.", example="6min"),
    "Gamma.cv": Key(
        "Coefficient of variation: standard deviation / mean.", unit="ratio", example="0.8"
    ),
    "Deterministic.value": Key("The one value every draw takes.", example="30s"),
    "Empirical.values": Key(
        "Observed values, resampled with equal weights.", example="[4min, 5min, 7min, 12min]"
    ),
}

_AFTER_CONTACT = Key(
    "After-contact work (wrap-up) following each agent session: the customer is gone, the "
    "agent stays busy. Counts in occupancy and agent time, not in waits. Without it, none.",
    example="{dist: exponential, mean: 1min}",
)
_TRANSFERS = Key(
    "Shares of answered contacts transferred, when the agent is done, to another channel's "
    "queue: a new contact of the same journey, with its own handle time. Summing to at most 1.",
    example="{email: 0.1}",
)
for _kind in ("Phone", "Email", "Social", "Chat"):
    KEYS[f"{_kind}.after_contact"] = _AFTER_CONTACT
    KEYS[f"{_kind}.transfers"] = _TRANSFERS
KEYS.update(
    {
        "Channels.chat": Key(
            "Live chat and messaging: agents hold several conversations at once (the pool's "
            "concurrency); reported only when contacts can reach it."
        ),
        "Chat.handle_time": Key(
            "Agent time per conversation when it is the agent's only one.",
            example="{dist: lognormal, mean: 6min, cv: 0.7}",
        ),
        "Chat.patience": Key(
            "How long a customer waits for an agent before leaving. Without it, nobody does.",
            example="{dist: exponential, mean: 2min}",
        ),
        "Chat.think_time": Key(
            "The customer's own reading and typing time inside a conversation: it lengthens "
            "the conversation (the agent's chat slot stays held), not the agent's work.",
            example="{dist: exponential, mean: 2min}",
        ),
        "Chat.inflation": Key(
            "Handle-time inflation per other conversation the agent already holds when one "
            "starts: handle time x (1 + inflation x others). 0: none.",
            unit="share per extra conversation",
            example="0.25",
        ),
        "Chat.service_level": Key("The chat target on the first answer, e.g. 80% in 1 min."),
        "Phone.ivr": Key(
            "An IVR before the queue: every call spends its duration there; a containment "
            "share is resolved in the IVR (never queued), the rest queue as calls. The wait "
            "counts from leaving the IVR."
        ),
    }
)

DISTRIBUTIONS: dict[str, str] = {
    "exponential": "memoryless; one parameter, the mean",
    "lognormal": "right-skewed, like most handle times; mean and cv",
    "gamma": "mean and cv",
    "deterministic": "always the same value",
    "empirical": "resamples your own observed values",
}
"""One line per distribution kind (``dist:``), for the reference."""

KEYS.update({key: Key(*entry) for key, entry in CUSTOMER_KEYS.items()})
KEYS.update({key: Key(*entry) for key, entry in DEMAND_KEYS.items()})
