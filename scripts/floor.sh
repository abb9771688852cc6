#!/usr/bin/env bash
# The cost of a day after day 0 (docs/PERFORMANCE.md, "The new floor"): instructions of the two
# agent kernels per person-day, from the difference of two callgrind runs that differ only in
# their length, so that setup, day 0 (which may visit more adults in full) and the
# outputs cancel.
#
#   scripts/floor.sh [PRESET|FILE.toml] [PEOPLE] [DAYS]   (default none 100000 30; ~2 min)
#
# Runs scripts/instructions.sh at DAYS+1 and 2*DAYS+1 days and prints the extra instructions
# over the extra DAYS x PEOPLE person-days. A preset runs its default engine (the event-driven day
# under the deterrence theory); for the daily engine, give a scenario file with `[engine] day =
# "daily"` (for example `scslab scenario show none`, with that table appended).
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${1:-none}
PEOPLE=${2:-100000}
DAYS=${3:-30}
short=$(scripts/instructions.sh "$PRESET" "$PEOPLE" $((DAYS + 1)))
long=$(scripts/instructions.sh "$PRESET" "$PEOPLE" $((2 * DAYS + 1)))
python3 - "$PRESET" "$PEOPLE" "$DAYS" <<PY
import re, sys
preset, people, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def counts(text):
    return {k: int(re.search(k + r"\s+([\d,]+) instructions", text).group(1).replace(",", ""))
            for k in ("person kernel", "firm kernel", "whole process")}
short, long = counts("""$short"""), counts("""$long""")
pd = people * days
print(f"{preset}, {people} people: days {days + 2} to {2 * days + 1} ({pd:,} person-days), 1 thread")
for k in short:
    print(f"  {k:<14} {(long[k] - short[k]) / pd:8.1f} instructions per person-day")
PY
