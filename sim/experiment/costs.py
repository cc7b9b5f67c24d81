"""The cost model: what a scenario costs over the measured horizon.

Agent pay is paid hours (scheduled headcount, shrinkage included) times each pool's
``cost_per_hour``; channel costs are per offered contact; optional penalties price abandoned
contacts and issues the customer gave up on; public impressions can carry a value (a
negative impression costs, a positive one earns — enter both as costs per impression, with a
negative number for a benefit).
"""

from __future__ import annotations

import math

from sim.experiment.catalogue import Metrics
from sim.scenario.schema import Scenario


def centre_costs(scenario: Scenario, metrics: Metrics) -> Metrics:
    """Cost breakdown and totals under the ``centre`` scope, from a replication's metrics."""
    costs = scenario.costs
    agents = sum(metrics[(f"pool:{name}", "cost")] for name in scenario.pools)
    channels = [ch for ch in scenario.channels.sections() if (ch, "offered") in metrics]
    contacts = sum(costs.per_contact.get(ch, 0.0) * metrics[(ch, "offered")] for ch in channels)
    abandoned = costs.abandoned_contact * sum(metrics[(ch, "abandoned")] for ch in channels)
    unresolved = costs.unresolved_issue * metrics[("centre", "gave_up")]
    public = (
        costs.public_impression.negative * metrics[("centre", "public_negative")]
        + costs.public_impression.positive * metrics[("centre", "public_positive")]
    )
    total = agents + contacts + abandoned + unresolved + public
    issues = metrics[("centre", "issues")]
    return {
        ("centre", "cost_agents"): agents,
        ("centre", "cost_contacts"): contacts,
        ("centre", "cost_abandoned"): abandoned,
        ("centre", "cost_unresolved"): unresolved,
        ("centre", "cost_public"): public,
        ("centre", "cost_total"): total,
        ("centre", "cost_per_issue"): total / issues if issues else math.nan,
    }
