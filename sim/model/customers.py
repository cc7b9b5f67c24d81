"""A customer base with memory: who each issue belongs to, and what its customer learned.

Issues arrive as without a customer base (the same arrival times, the same first-channel
draw); each is then given a customer, uniformly among ``count`` (a draw from the
``customers`` stream). A customer whose public complaint was answered in time under
``social_mode: serve`` is *rewarded*: on each later issue, with probability
``social_habit`` (a second ``customers`` draw, made only for rewarded customers), they go
to the public channel first whatever the first-channel draw said. A customer who gave up,
or whose public complaint was ignored or answered late, churns with that outcome's
probability (a ``churn`` draw) and is replaced by a new customer with no history.

State is a few ``bytearray`` flags per customer (cheap to index on the hot path, one byte
each): rewarded, active in the horizon, contacted the public channel in the horizon. Only
measured issues (arising in the horizon) count toward the figures; rewards earned in the
warm-up shape behaviour all the same.

Contacts per customer are folded in from a customer's previous journey when their next
issue arises, and from every customer's last journey when the run ends; a journey still
open when the same customer's next issue arises (or when its customer churns) is kept
aside and folded into its own customer when the run ends.
"""

from __future__ import annotations

from sim.model.contacts import OPEN, Journey
from sim.model.kit import Kit
from sim.scenario.value import Churn

FAST, LATE, IGNORED = "fast", "late", "ignored"


class CustomerBase:
    """The customers of one replication (see the module docstring)."""

    def __init__(self, kit: Kit, public: str) -> None:
        scenario = kit.scenario
        spec = scenario.demand.customers
        assert spec is not None
        self.count = spec.count
        self.habit = spec.social_habit
        self.public = public
        self.rewards = scenario.policy.social_mode == "serve"
        churn = scenario.value.churn if scenario.value is not None else Churn()
        self.churn = {
            "gave_up": churn.gave_up,
            IGNORED: churn.public_ignored,
            LATE: churn.public_late,
        }
        self._pick = kit.uniforms("customers")
        self._churn_draws = kit.uniforms("churn")
        n = self.count
        self.rewarded = bytearray(n)
        self.active = bytearray(n)
        self.social = bytearray(n)
        self.contacts = [0] * n
        self.last: list[Journey | None] = [None] * n
        self.generation = [0] * n  # customers that have held the slot before (churned)
        self.pending: list[tuple[int, int, Journey]] = []  # (slot, generation, open journey)
        self.gone_index: dict[tuple[int, int], int] = {}  # (slot, generation) -> gone entry
        # customers replaced after churning: their figures, kept before the slot is reused
        self.churned = 0  # measured churns
        self.gone_active = 0
        self.gone_social = 0
        self.gone_contacts: list[int] = []
        # issues of customers rewarded before / never rewarded, and how many went public first
        self.issues_rewarded = [0, 0]
        self.issues_unrewarded = [0, 0]

    def arrive(self, journey: Journey, channel: str) -> str:
        """``journey``'s issue has arisen with ``channel`` drawn as its first channel; give
        it a customer and return the first channel the customer actually takes."""
        customer = int(next(self._pick) * self.count)
        journey.customer = customer
        previous = self.last[customer]
        if previous is not None and previous.k >= 0:
            if previous.outcome == OPEN:  # it may still make contacts: count them at the end
                self.pending.append((customer, self.generation[customer], previous))
            else:
                self.contacts[customer] += previous.contacts
        self.last[customer] = journey
        if self.rewarded[customer]:
            if next(self._pick) < self.habit:
                channel = self.public
            tally = self.issues_rewarded
        else:
            tally = self.issues_unrewarded
        if journey.k >= 0:
            self.active[customer] = 1
            tally[0] += 1
            tally[1] += channel == self.public
        return channel

    def touched_public(self, journey: Journey) -> None:
        """``journey`` has made its first contact at the public channel."""
        if journey.k >= 0:
            self.social[journey.customer] = 1

    def public_outcome(self, journey: Journey, how: str) -> None:
        """A public complaint of ``journey`` was answered in time (``fast``), ``late``, or
        ``ignored``."""
        if how == FAST:
            if self.rewards:
                self.rewarded[journey.customer] = 1
        else:
            self._may_churn(journey, self.churn[how])

    def gave_up(self, journey: Journey) -> None:
        """The customer gave up on ``journey``'s issue."""
        self._may_churn(journey, self.churn["gave_up"])

    def _may_churn(self, journey: Journey, probability: float) -> None:
        if next(self._churn_draws) >= probability:
            return
        customer = journey.customer
        if self.last[customer] is not journey:
            return  # already replaced: a later issue belongs to the new customer
        measured = journey.k >= 0
        self.churned += measured
        generation = self.generation[customer]
        if self.active[customer]:
            self.gone_active += 1
            self.gone_social += self.social[customer]
            self.gone_index[customer, generation] = len(self.gone_contacts)
            self.gone_contacts.append(self.contacts[customer])
        if measured:  # its journey may go on (a retry, a switch): counted at the end
            self.pending.append((customer, generation, journey))
        self.rewarded[customer] = self.active[customer] = self.social[customer] = 0
        self.contacts[customer] = 0
        self.last[customer] = None
        self.generation[customer] = generation + 1

    def totals(self) -> dict[str, float]:
        """The base's figures over the horizon (after the run)."""
        contacts = [
            self.contacts[c] + (j.contacts if j is not None and j.k >= 0 else 0)
            for c, j in enumerate(self.last)
        ]
        gone = list(self.gone_contacts)
        for customer, generation, journey in self.pending:
            if generation == self.generation[customer]:
                contacts[customer] += journey.contacts
            elif (customer, generation) in self.gone_index:
                gone[self.gone_index[customer, generation]] += journey.contacts
        active = [contacts[c] for c in range(self.count) if self.active[c]]
        active += gone
        n_active = len(active)
        social = sum(self.social) + self.gone_social
        active.sort()

        def quantile(q: float) -> float:
            return float(active[min(n_active - 1, int(q * n_active))]) if active else 0.0

        rewarded, unrewarded = self.issues_rewarded, self.issues_unrewarded
        return {
            "customers_active": n_active,
            "customers_ever_social_share": social / n_active if n_active else float("nan"),
            "churned_customers": self.churned,
            "contacts_per_customer_mean": sum(active) / n_active if n_active else float("nan"),
            "contacts_per_customer_p50": quantile(0.5),
            "contacts_per_customer_p90": quantile(0.9),
            "contacts_per_customer_max": float(active[-1]) if active else 0.0,
            "social_first_issues": ratio(rewarded[1] + unrewarded[1], rewarded[0] + unrewarded[0]),
            "social_first_rewarded": ratio(rewarded[1], rewarded[0]),
            "social_first_unrewarded": ratio(unrewarded[1], unrewarded[0]),
        }


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, NaN when the denominator is 0."""
    return numerator / denominator if denominator else float("nan")
