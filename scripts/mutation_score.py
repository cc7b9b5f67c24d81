"""The mutation score per module, from ``mutmut results --all true`` on standard input.

Usage (scripts/mutation.sh runs it)::

    mutmut results --all true | python scripts/mutation_score.py [--survivors]

A mutant counts as killed when a test failed (or it ran past its time limit: an endless loop
the tests would notice); as equivalent when it is listed in ``tests/mutation/equivalent.md``
(a line ``- `mutant.name`: reason``); mutants not yet checked are left out. The score is
killed / (checked − equivalent): the share of the mutants that could be caught that were.
``--survivors`` also lists the survivors that are not listed as equivalent (the work left).
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

EQUIVALENT = Path(__file__).resolve().parent.parent / "tests" / "mutation" / "equivalent.md"
KILLED = {"killed", "timeout", "caught by type check"}
LINE = re.compile(r"^\s*(\S+): (.+?)\s*$")
LISTED = re.compile(r"^- `([^`]+)`")


def equivalent_names(path: Path = EQUIVALENT) -> set[str]:
    """Mutant names listed as equivalent (each with its reason) in ``path``."""
    if not path.exists():
        return set()
    return {m.group(1) for line in path.read_text().splitlines() if (m := LISTED.match(line))}


def module_of(mutant: str) -> str:
    """``sim.model.agents.xǁPoolǁseize__mutmut_3`` -> ``sim.model.agents``."""
    return mutant.rsplit(".", 1)[0]


def main(argv: list[str]) -> int:
    equivalent = equivalent_names()
    counts: dict[str, Counter] = defaultdict(Counter)
    survivors: list[str] = []
    for line in sys.stdin:
        match = LINE.match(line)
        if not match:
            continue
        name, status = match.groups()
        tally = counts[module_of(name)]
        if status == "not checked":
            continue
        if name in equivalent:
            tally["equivalent"] += 1
        elif status in KILLED:
            tally["killed"] += 1
        else:
            tally["survived"] += 1
            survivors.append(f"{name}: {status}")
    print(f"{'module':38} {'killed':>7} {'survived':>9} {'equivalent':>11} {'score':>7}")
    total: Counter = Counter()
    for module in sorted(counts):
        tally = counts[module]
        total.update(tally)
        if sum(tally.values()):  # modules with nothing checked yet are left out
            print(row(module, tally))
    print(row("all", total))
    if "--survivors" in argv and survivors:
        print("\nsurvivors not listed as equivalent:")
        print("\n".join(f"  {s}" for s in survivors))
    return 0


def row(label: str, tally: Counter) -> str:
    """One line of the table: counts and killed / (killed + survived)."""
    catchable = tally["killed"] + tally["survived"]
    score = f"{100 * tally['killed'] / catchable:6.1f}%" if catchable else "      -"
    return (
        f"{label:38} {tally['killed']:7d} {tally['survived']:9d} {tally['equivalent']:11d} {score}"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
