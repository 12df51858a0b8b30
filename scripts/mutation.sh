#!/usr/bin/env bash
# Mutation testing of the pure cores: every mutant of governance_engine/voting/ and
# governance_engine/log/, run against tests/voting and tests/log with hypothesis derandomized
# (the "mutation" profile in tests/conftest.py, seed 0). Configuration: [tool.mutmut] in
# pyproject.toml. What the score means and the equivalent mutants: docs/mutation.md.
#
#   pip install -e '.[mutation]'
#   scripts/mutation.sh                                  # every mutant (about an hour on one core)
#   scripts/mutation.sh 'governance_engine.log.chain*'   # only the mutants whose names match
#
# MUTATION_JOBS sets the worker count (default 1) and MUTATION_NICE the niceness (default 10),
# so a run on a shared machine does not take it over. Results stay in mutants/ (git-ignored):
# a second run only retests what changed; `mutmut browse` shows a survivor's diff.
set -euo pipefail
cd "$(dirname "$0")/.."

MUTMUT="${MUTMUT:-mutmut}"
jobs="${MUTATION_JOBS:-1}"
niceness="${MUTATION_NICE:-10}"

nice -n "$niceness" "$MUTMUT" run --max-children "$jobs" "$@" >/dev/null

"$MUTMUT" results --all true | python3 -c '
import collections, sys
counts = collections.defaultdict(collections.Counter)
survivors = []
for line in sys.stdin:
    name, _, status = line.strip().rpartition(": ")
    if "__mutmut_" not in name:
        continue
    package = ".".join(name.split(".")[:2])
    counts[package][status] += 1
    if status != "killed":
        survivors.append(f"{status}: {name}")
for line in survivors:
    print(line)
for package, c in sorted(counts.items()):
    total = sum(c.values())
    killed = c["killed"]
    print(f"{package}: {killed}/{total} killed ({100 * killed / total:.1f}%); "
          + ", ".join(f"{k} {v}" for k, v in sorted(c.items()) if k != "killed"))
'
