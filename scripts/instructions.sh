#!/usr/bin/env bash
# Instructions per person-day of the two agent kernels, counted by valgrind's callgrind: exact
# and repeatable, unlike times on a shared machine, so a change to a kernel can be compared
# instruction for instruction (docs/PERFORMANCE.md, "Instructions per person-day").
#
#   scripts/instructions.sh [PRESET|FILE.toml] [PEOPLE] [DAYS]   (default china-2020 300000 10; ~2 min)
#
# Runs `scslab run` on one thread under callgrind, then prints the instructions executed by
# `persons::run_chunk` and `firms::run_chunk` (everything inlined into them and everything they
# call) and by the whole process, each per person-day. Needs valgrind (Debian: `valgrind`).
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${1:-china-2020}
PEOPLE=${2:-300000}
DAYS=${3:-10}
# A scenario file (a path or a name ending in .toml) or a preset.
if [[ "$PRESET" == *.toml || "$PRESET" == */* ]]; then SOURCE=(--scenario "$PRESET"); else SOURCE=(--preset "$PRESET"); fi
command -v valgrind > /dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }
cargo build --release --quiet -p scslab-cli
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" \
    target/release/scslab run "${SOURCE[@]}" --people "$PEOPLE" --days "$DAYS" --threads 1 \
    --out "$WORK/out" > /dev/null 2> "$WORK/valgrind.log"
# From the work folder: run from the repository, paths are shortened and a kernel split in two.
(cd "$WORK" && callgrind_annotate --inclusive=yes cg.out > inclusive.txt)
# The first line naming a kernel carries its inclusive count.
count() { grep -m1 -F "$1" "$WORK/inclusive.txt" | awk '{ gsub(",", "", $1); print $1 }'; }
persons=$(count "persons::run_chunk [")
firms=$(count "firms::run_chunk [")
total=$(grep -m1 "PROGRAM TOTALS" "$WORK/inclusive.txt" | awk '{ gsub(",", "", $1); print $1 }')
python3 - "$PRESET" "$PEOPLE" "$DAYS" "$persons" "$firms" "$total" <<'PY'
import sys
preset, people, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
persons, firms, total = (int(x) for x in sys.argv[4:7])
pd = people * days
print(f"{preset}, {people} people, {days} days, 1 thread ({pd:,} person-days)")
print(f"  person kernel  {persons:>15,} instructions  {persons / pd:8.1f} per person-day")
print(f"  firm kernel    {firms:>15,} instructions  {firms / pd:8.1f} per person-day")
print(f"  whole process  {total:>15,} instructions  {total / pd:8.1f} per person-day")
PY
