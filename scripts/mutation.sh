#!/usr/bin/env bash
# Mutation testing of the engine, the formulas and the intervals (not in CI: it is slow).
#
#   pip install -e ".[test,mutation]"
#   scripts/mutation.sh                                   # everything configured (hours)
#   scripts/mutation.sh 'sim.analytic*' 'sim.experiment*'  # the formulas and intervals
#   scripts/mutation.sh 'sim.model.agents*'               # one module of the engine
#
# mutmut (configured under [tool.mutmut] in pyproject.toml) copies the package to mutants/,
# makes small changes to it one at a time (a < for a <=, a + for a -, a constant nudged) and
# runs the quick tests that reach each changed function; a change no test notices "survives".
# Results are kept in mutants/ between runs, so a second run only tries what changed or was
# not yet tried. Then the score per module: survivors must be killed by a new test or listed
# in tests/mutation/equivalent.md with the reason no test can tell them apart.
# MUTATION_WORKERS (default 2) sets how many mutants run at once.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v mutmut >/dev/null 2>&1; then
    echo "mutmut is not installed: pip install -e '.[mutation]'" >&2
    exit 2
fi
mutmut run --max-children "${MUTATION_WORKERS:-2}" "$@"
mutmut results --all true | python scripts/mutation_score.py --survivors
