"""Agent pools: headcount over time, skills, concurrency and the time agents spend busy.

Concurrency is modelled with capacity units. An agent has ``L`` units, where ``L`` is the
least common multiple of the pool's per-channel concurrencies; a contact of a channel with
concurrency ``c`` takes ``L / c`` units. So with ``{social: 3}`` an agent holds up to three
social threads, or one phone call (which takes all ``L`` units), never both. Agents within a
pool are alike, so the pool keeps, for each number of free units, the set of agents that have
that many; a new contact goes to the agent with the *fewest* free units that can still take it
(best fit), which keeps fully idle agents available for synchronous work.

Headcount follows the pool's flat ``agents`` or its weekly ``schedule`` less shrinkage
(rounded to whole agents). When headcount falls, idle agents leave at once and busy ones
finish the contacts in hand first. A shift's ``breaks`` take its agents off the floor for
each window the same way (an unpaid break also stops their pay), so breaks stagger exactly
as the schedule places them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sim.scenario.schema import Pool as PoolSpec
from sim.scenario.schema import Shift, break_offsets, parse_clock, parse_days
from sim.scenario.units import DAY

WEEK = 7 * DAY

OFF, ON, LEAVING = 0, 1, 2


def weekly_headcount(shifts: Iterable[Shift]) -> list[tuple[float, int]]:
    """Step function of scheduled agents over a week: ``[(second of week, agents), ...]``.

    Starts at 0 (Monday 00:00). A shift whose ``to`` is not after its ``from`` runs past
    midnight into the next day.
    """
    deltas: dict[float, int] = {0.0: 0}
    for shift in shifts:
        start, end = parse_clock(shift.start), parse_clock(shift.end)
        length = end - start if end > start else end + DAY - start
        for day in parse_days(shift.days):
            begin = day * DAY + start
            for lo, hi in _wrap(begin, begin + length):
                deltas[lo] = deltas.get(lo, 0) + shift.agents
                deltas[hi] = deltas.get(hi, 0) - shift.agents
    steps: list[tuple[float, int]] = []
    level = 0
    for t in sorted(deltas):
        level += deltas[t]
        if t < WEEK and (not steps or steps[-1][1] != level):
            steps.append((t, level))
    return steps


def weekly_staffing(shifts: Iterable[Shift]) -> list[tuple[float, int, int, int]]:
    """Like :func:`weekly_headcount`, with breaks: ``[(second of week, scheduled, on break,
    on unpaid break), ...]``; on the floor are ``scheduled - on break`` (before shrinkage),
    paid are ``scheduled - on unpaid break``."""
    deltas: dict[float, list[int]] = {0.0: [0, 0, 0]}

    def add(lo: float, hi: float, column: int, agents: int) -> None:
        for a, b in _wrap(lo, hi):
            deltas.setdefault(a, [0, 0, 0])[column] += agents
            deltas.setdefault(b, [0, 0, 0])[column] -= agents

    for shift in shifts:
        start, end = parse_clock(shift.start), parse_clock(shift.end)
        length = end - start if end > start else end + DAY - start
        for day in parse_days(shift.days):
            begin = day * DAY + start
            add(begin, begin + length, 0, shift.agents)
            for lo, hi, paid in break_offsets(shift):
                add(begin + lo, begin + hi, 1, shift.agents)
                if not paid:
                    add(begin + lo, begin + hi, 2, shift.agents)
    steps: list[tuple[float, int, int, int]] = []
    level = [0, 0, 0]
    for t in sorted(deltas):
        level = [a + b for a, b in zip(level, deltas[t], strict=True)]
        step = (t, level[0], level[1], level[2])
        if t < WEEK and (not steps or steps[-1][1:] != step[1:]):
            steps.append(step)
    return steps


def _wrap(lo: float, hi: float) -> list[tuple[float, float]]:
    if hi <= WEEK:
        return [(lo, hi)]
    return [(lo, WEEK), (0.0, hi - WEEK)]


def productive_agents(scheduled: int, shrinkage: float) -> int:
    """Agents on the floor out of ``scheduled`` paid ones: floor(scheduled × (1 − shrinkage)).

    The floor is the convention of planners' tools (pyworkforce, Erlang calculators) and the
    inverse of staffing's ``ceil(required / (1 − shrinkage))``: scheduling that many always
    puts ``required`` on the floor. A part-agent is never rounded up into a whole one (18 at
    30% gives 12, not 13). The 1e-9 keeps float noise (10 × 0.7 = 6.999…) from losing one.
    """
    return math.floor(scheduled * (1.0 - shrinkage) + 1e-9)


class Pool:
    """A pool of interchangeable agents during one replication."""

    def __init__(self, name: str, spec: PoolSpec) -> None:
        self.name = name
        self.spec = spec
        self.skills = list(spec.skills)
        concurrency = {ch: spec.concurrency.get(ch, 1) for ch in self.skills}
        self.capacity = math.lcm(*concurrency.values())
        self.units = {ch: self.capacity // c for ch, c in concurrency.items()}
        self.efficiency = {ch: spec.efficiency.get(ch, 1.0) for ch in self.skills}
        shifts = spec.schedule or []
        self.steps: list[tuple[float, int]] | list[tuple[float, int, int, int]]
        if spec.agents is not None:
            self.steps = [(0.0, spec.agents)]
        elif any(shift.breaks for shift in shifts):
            self.steps = weekly_staffing(shifts)
        else:
            self.steps = weekly_headcount(shifts)
        most = max(step[1] for step in self.steps)
        self.free = [self.capacity] * most
        self.state = [OFF] * most
        self.levels: list[set[int]] = [set() for _ in range(self.capacity + 1)]
        self.idle = self.levels[self.capacity]  # agents on duty with nothing in hand
        # per channel, the agents partly busy yet with room for one more contact, fullest first
        self.part_free = {ch: self.levels[need : self.capacity] for ch, need in self.units.items()}
        self.off_duty = list(range(most - 1, -1, -1))
        self.leaving: set[int] = set()
        self.reserve_against: dict[str, int] = {}
        self.scheduled = 0  # paid headcount (before shrinkage)
        self.present = 0  # productive agents on duty, including those finishing before leaving
        # Σ units·(finish time) − Σ units·(start time) over contacts seized: busy time so far
        # is this plus busy_units()·now, so a seize or release is one multiply-add
        self._work = 0.0
        self._last_staff = 0.0  # when scheduled/present last changed
        self.busy_area = 0.0  # unit-seconds of work, up to the last accrue
        self.present_area = 0.0  # agent-seconds on duty
        self.paid_area = 0.0  # agent-seconds paid

    def set_reserve(self, reserve: dict[str, int]) -> None:
        """Keep ``reserve[ch]`` agents idle for channel ``ch`` before taking other work."""
        self.reserve_against = {
            ch: max((n for rc, n in reserve.items() if rc != ch), default=0) for ch in self.skills
        }

    # --- time accounting ----------------------------------------------------------------

    def accrue(self, now: float) -> None:
        """Bring busy, on-duty and paid time up to ``now`` (at boundaries and headcount changes)."""
        self.busy_area = self._work + self.busy_units() * now
        dt = now - self._last_staff
        self.present_area += self.present * dt
        self.paid_area += self.scheduled * dt
        self._last_staff = now

    def busy_units(self) -> int:
        """Capacity units in use now (off-duty agents have all their units free)."""
        return self.capacity * len(self.free) - sum(self.free)

    def busy_agents_area(self) -> float:
        """Busy time in agent-seconds (units converted to agents)."""
        return self.busy_area / self.capacity

    # --- headcount ----------------------------------------------------------------------

    def productive(self, scheduled: int) -> int:
        """Agents actually available out of ``scheduled`` paid ones, after shrinkage."""
        return productive_agents(scheduled, self.spec.shrinkage)

    def set_headcount(
        self, now: float, scheduled: int, away: int = 0, unpaid: int = 0
    ) -> list[int]:
        """Change the headcount: ``scheduled`` on shift, of whom ``away`` on a break and
        ``unpaid`` on an unpaid one; returns agents newly able to take work."""
        self.accrue(now)
        self.scheduled = scheduled - unpaid
        target = self.productive(scheduled - away)
        joined: list[int] = []
        on_duty = self.present - len(self.leaving)
        while on_duty < target and self.leaving:
            agent = self.leaving.pop()
            self.state[agent] = ON
            self.levels[self.free[agent]].add(agent)
            joined.append(agent)
            on_duty += 1
        while on_duty < target:
            agent = self.off_duty.pop()
            self.state[agent] = ON
            self.free[agent] = self.capacity
            self.levels[self.capacity].add(agent)
            self.present += 1
            joined.append(agent)
            on_duty += 1
        while on_duty > target:
            self._send_home_one()
            on_duty -= 1
        return joined

    def _send_home_one(self) -> None:
        for free in range(self.capacity, -1, -1):
            if self.levels[free]:
                agent = self.levels[free].pop()
                break
        else:  # every on-duty agent is already leaving
            return
        if free == self.capacity:
            self._go_off(agent)
        else:
            self.state[agent] = LEAVING
            self.leaving.add(agent)

    def _go_off(self, agent: int) -> None:
        self.state[agent] = OFF
        self.off_duty.append(agent)
        self.present -= 1

    # --- work ---------------------------------------------------------------------------

    def find_agent(self, channel: str) -> int:
        """Best-fit agent that can take a contact of ``channel`` now, or -1."""
        for agents in self.part_free[channel]:
            if agents:
                return next(iter(agents))
        idle = self.idle
        if len(idle) > self.reserve_against[channel]:
            return next(iter(idle))
        return -1

    def can_take(self, agent: int, channel: str) -> bool:
        """Whether ``agent`` (on duty) can start a contact of ``channel`` now."""
        free = self.free[agent]
        if free < self.units[channel]:
            return False
        return free < self.capacity or len(self.levels[free]) > self.reserve_against[channel]

    def seize(self, now: float, agent: int, channel: str) -> None:
        """``agent`` starts a contact of ``channel``."""
        need = self.units[channel]
        self._work -= need * now
        free = self.free[agent]
        self.levels[free].discard(agent)
        self.free[agent] = free - need
        self.levels[free - need].add(agent)

    def release(self, now: float, agent: int, channel: str) -> bool:
        """``agent`` finishes a contact of ``channel``; True if it stays on duty for more."""
        need = self.units[channel]
        self._work += need * now
        free = self.free[agent]
        self.free[agent] = free + need
        if self.state[agent] == ON:
            self.levels[free].discard(agent)
            self.levels[free + need].add(agent)
            return True
        if free + need == self.capacity:
            self.accrue(now)  # on-duty time changes with the agent leaving
            self.leaving.discard(agent)
            self._go_off(agent)
        return False
