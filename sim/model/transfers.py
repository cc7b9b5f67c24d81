"""Transfers: a share of answered contacts moves on to another channel's queue.

When an agent is done with a contact of a channel whose section has ``transfers`` (e.g.
``{email: 0.1}``), a draw on the channel's own ``transfer.<channel>`` stream decides whether
the journey is transferred, and where: then it makes a new contact at that channel (with its
own handle time, drawn there) instead of being resolved. Nothing is drawn for a channel
without transfers.
"""

from __future__ import annotations

from sim.model.kit import Kit
from sim.model.streams import Uniforms, cumulative_shares


class Transfers:
    """One channel's transfer shares and the draws that apply them."""

    def __init__(self, shares: dict[str, float], name: str, kit: Kit) -> None:
        rest = 1.0 - sum(shares.values())
        self.bounds, self.options = cumulative_shares({**shares, "": max(rest, 0.0)})
        self.draws: Uniforms = kit.uniforms(f"transfer.{name}")

    def target(self) -> str:
        """Where a contact done now goes next ("" to stay resolved)."""
        return self.draws.choose(self.bounds, self.options)


def transfers_of(spec: object, name: str, kit: Kit) -> Transfers | None:
    """The channel's transfers, or None when it transfers nothing."""
    shares = {ch: s for ch, s in getattr(spec, "transfers", {}).items() if s > 0}
    return Transfers(shares, name, kit) if shares else None
