#!/usr/bin/env bash
# The theories experiment (docs/THEORIES.md): how large are china-2020's and integrated's chilling
# effect and effect on cooperation under each behaviour theory, with 95% intervals?
#
#   scripts/theories.sh [OUT_DIR] [REPLICATIONS]     (default out/theories, 10 replications)
#
# For each theory it writes the three scenarios (none, china-2020, integrated under that theory)
# and a sweep file into OUT_DIR/THEORY/, runs `scslab sweep` (common random numbers: the
# replications of the three scenarios share seeds, so differences are paired), and prints the
# table of differences from `none` (scripts/theories_table.py).
#
# The theory tables are assumptions (A) for the regime presets, labelled in docs/THEORIES.md:
# - expression: the paper's Fig. 1 individual (mean boldness 1, tolerance 0.25, uniform
#   punishment), with the regime setting surveillance and severity (`authority = "regime"`,
#   severity 1 per 1,000 yuan of sanction);
# - reputation: the paper's baseline game (Stern Judging); under none, private assessment (no
#   public record); under a regime, the regime's blacklist is the institution every player reads
#   (china-2020: court_defaulters; integrated: low_score).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/theories}
REPS=${2:-10}
cargo build --release --quiet
BIN=target/release/scslab
mkdir -p "$OUT"

# scenario PRESET THEORY PEOPLE TABLE > file: the preset under THEORY, sized, with TABLE appended.
scenario() {
    "$BIN" scenario show "$1" | python3 -c '
import sys
preset, theory, people, table = sys.argv[1:5]
text = sys.stdin.read()
text = text.replace("[behaviour]\n", "[behaviour]\ntheory = \"%s\"\n" % theory, 1)
lines = text.split("\n")
for i, l in enumerate(lines):
    if l.startswith("people = "):
        lines[i] = "people = %s" % people
        break
print("\n".join(lines) + "\n" + table)
' "$1" "$2" "$3" "$4"
}

EXPRESSION='[expression]
boldness = 1.0                  # A (the paper'"'"'s Fig. 1 individual, as a population mean)
tolerance = 0.25                # A (the paper'"'"'s Fig. 1)
severity = 1.0                  # A (per 1,000 yuan of sanction per seen criticism)
surveillance = 0.0              # unused: the regime sets it
punishment = "uniform"          # A
authority = "regime"            # surveillance and severity from the authorities that detect criticism
'
REPUTATION_GAME='benefit = 5.0
cost = 1.0
execution_error = 0.02
assessment_error = 0.02
strategy_mutation = 0.025
selection_strength = 1.0
empathy = 0.0
'

run_sweep() { # THEORY PEOPLE DAYS SCENARIO_FILES...
    local theory=$1 people=$2 days=$3; shift 3
    local dir="$OUT/$theory"
    local list
    list=$(printf '"%s", ' "$@")
    cat > "$dir/sweep.toml" <<TOML
name = "theories-$theory"
description = "Chilling effect and cooperation under the $theory theory: regimes against none"
scenarios = [${list%, }]
people = $people
days = $days
replications = $REPS
seed = 2020
TOML
    rm -rf "$dir/out"
    "$BIN" sweep "$dir/sweep.toml" --out "$dir/out" > "$dir/sweep.log" 2>&1
}

# Deterrence: the presets as they are.
mkdir -p "$OUT/deterrence"
run_sweep deterrence 20000 365 none china-2020 integrated

# Expression.
mkdir -p "$OUT/expression"
for p in none china-2020 integrated; do
    scenario "$p" expression 20000 "$EXPRESSION" > "$OUT/expression/$p.toml"
done
run_sweep expression 20000 365 none.toml china-2020.toml integrated.toml

# Reputation (the N^2 game: 2,000 people).
mkdir -p "$OUT/reputation"
scenario none reputation 2000 "[reputation]
norm = \"stern_judging\"
assessment = \"private\"
$REPUTATION_GAME" > "$OUT/reputation/none.toml"
for spec in "china-2020 court_defaulters" "integrated low_score"; do
    read -r p list <<< "$spec"
    scenario "$p" reputation 2000 "[reputation]
norm = \"stern_judging\"
assessment = \"institution\"
institution_list = \"$list\"
adherence = 1.0
$REPUTATION_GAME" > "$OUT/reputation/$p.toml"
done
run_sweep reputation 2000 365 none.toml china-2020.toml integrated.toml

python3 scripts/theories_table.py "$OUT"
