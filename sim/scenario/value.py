"""The ``value:`` section: what each outcome of service is worth to the business.

Agent pay is only half of a policy's bill: a customer who gives up, is left unresolved or
is ignored in public may leave, and the audience of a public exchange buys more or less
after seeing it. This section prices those outcomes. The model only counts them (issues by
outcome, public complaints answered fast, late or never, impressions); the pricing is
:mod:`sim.experiment.value`. Without a ``value:`` section nothing is priced and no value
metric is reported.

Defaults are sourced where a published figure exists and marked "assumed" otherwise; they
are a starting point, to be replaced by a company's own figures.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.types import NonNegativeNumber, Section, Share


class Churn(Section):
    """Probability that a customer leaves after an issue ends a given way."""

    resolved_first_contact: Share = 0.0
    """Resolved at the first contact: the reference outcome, whose churn service did not
    cause (assumed)."""
    resolved_after_retries: Share = 0.02
    """Resolved after more than one contact (assumed; effort drives disloyalty: 96% of
    customers with high-effort service grow more disloyal, 9% with low effort, CEB, Dixon,
    Freeman & Toman, HBR 2010)."""
    gave_up: Share = 0.20
    """The customer gave up (abandoned and did not come back): assumed."""
    unresolved: Share = 0.10
    """Still open when the horizon ended: assumed (half the risk of giving up)."""
    public_ignored: Share = 0.30
    """A public complaint never answered: about 30% of those ignored on social go to a
    competitor (Sprout Social 2016). On top of the issue's own outcome."""
    public_late: Share = 0.15
    """A public complaint answered after the social service-level threshold: assumed (half
    of ignored). On top of the issue's own outcome."""


class PurchaseLift(Section):
    """Change in a viewer's probability of buying after one public impression."""

    positive: NonNegativeNumber = 0.001
    """Gained per positive impression (a complaint answered in time). J.D. Power 2013:
    positive social service raises purchase intent; the size per viewer is assumed."""
    negative: NonNegativeNumber = 0.002
    """Lost per negative impression (answered late or never). J.D. Power 2013: negative
    social experiences lower purchase intent; the size (twice the positive) is assumed."""


class Value(Section):
    """What churn and public impressions are worth (see the module docstring)."""

    customer_per_year: NonNegativeNumber = 300.0
    """What a customer spends with the company in a year (assumed, online retailer)."""
    years_lost: NonNegativeNumber = 1.0
    """Years of a churned customer's spending counted as lost (assumed)."""
    churn: Churn = Field(default_factory=Churn)
    purchase_value: NonNegativeNumber = 50.0
    """Value of one purchase that an impression makes more or less likely (assumed)."""
    purchase_lift: PurchaseLift = Field(default_factory=PurchaseLift)

    @property
    def lifetime_value(self) -> float:
        """What one churned customer costs: a year's value times the years lost."""
        return self.customer_per_year * self.years_lost
