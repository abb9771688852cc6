#!/usr/bin/env bash
# The null rate of `scslab equivalence`: A against A (no --set) over many base seeds, each with
# disjoint seed sets (docs/EXPERIMENTS.md, "Measured: the null rate").
#
#   scripts/equivalence-null.sh [PEOPLE] [DAYS] [SEEDS] [BASES] [PRESET]
#   (default 2000 60 6 200 china-2020: about 2 minutes on 2 cores)
#
# Base seeds 1000, 1000 + 2 SEEDS, ...; prints each base's verdict, then how many failed.
# Outputs go to a temporary folder, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${1:-2000}
DAYS=${2:-60}
SEEDS=${3:-6}
BASES=${4:-200}
PRESET=${5:-china-2020}
cargo build --release --quiet -p scslab-cli
BIN=target/release/scslab
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failed=0
for k in $(seq 0 $((BASES - 1))); do
  base=$((1000 + 2 * SEEDS * k))
  if "$BIN" equivalence --preset "$PRESET" --seeds "$SEEDS" --people "$PEOPLE" --days "$DAYS" \
      --seed "$base" --threads 2 --out "$WORK/b$base" > "$WORK/b$base.log" 2>&1; then
    echo "$base $(grep '^verdict' "$WORK/b$base.log")"
  else
    failed=$((failed + 1))
    echo "$base FAIL"
    grep -E '^    ' "$WORK/b$base.log" || true
  fi
done
echo "A against A, $PRESET, $PEOPLE people x $DAYS days, $SEEDS seeds per variant: $failed of $BASES base seeds FAIL"
