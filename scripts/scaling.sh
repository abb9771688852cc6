#!/usr/bin/env bash
# Scaling study (docs/PERFORMANCE.md): time and peak memory of `scslab run --preset china-2020`
# at 1 million, 10 million, 100 million and 1.41 billion people, on 1 and 2 threads, under the
# daily and the event-driven day (`[engine] day`), then a check that the 100-million runs on 1
# and 2 threads wrote identical data files, then the plot.
#
#   scripts/scaling.sh [OUT_DIR]        (default /tmp/scslab-scaling; needs ~1 GiB of disk)
#   ENGINES=event scripts/scaling.sh    (one engine only: the other's rows are kept)
#   BIN=/path/to/scslab scripts/scaling.sh   (another binary; the default is built first)
#
# Writes docs/scaling.csv and docs/scaling.svg. Horizons shrink with size so that each engine's
# study takes about half an hour on the 2-core development machine. `later_day_s` is the mean
# time of the days after the first (under the event-driven day, day 0 may visit more adults
# in full than a later day). A size that does not fit in memory is refused by the run's own
# memory preflight; the row then records the refusal.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/scslab-scaling}
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet
    BIN=target/release/scslab
fi
mkdir -p "$OUT"
CSV=docs/scaling.csv
ENGINES=${ENGINES:-daily event}
TMP=$(mktemp)
echo "engine,people,days,threads,setup_s,simulate_s,first_day_s,later_day_s,write_s,wall_s,person_days_per_s,peak_rss_gib,status" > "$TMP"
# Rows of the engines not run this time are kept.
if [ -f "$CSV" ] && head -n 1 "$CSV" | grep -q '^engine,'; then
    tail -n +2 "$CSV" | while IFS= read -r row; do
        case " $ENGINES " in *" ${row%%,*} "*) ;; *) echo "$row" ;; esac
    done >> "$TMP"
fi
for engine in $ENGINES; do
    scenario="$OUT/china-2020-$engine.toml"
    mkdir -p "$OUT"
    "$BIN" scenario show china-2020 > "$scenario"
    printf '\n[engine]\nday = "%s"\n' "$engine" >> "$scenario"
    for spec in "1000000 30" "10000000 30" "100000000 5" "1411780000 2"; do
        read -r people days <<< "$spec"
        for threads in 1 2; do
            dir="$OUT/$engine-p$people-t$threads"
            rm -rf "$dir"
            echo "== $engine: $people people, $days days, $threads thread(s)" >&2
            start=$(date +%s.%N)
            if "$BIN" run --scenario "$scenario" --people "$people" --days "$days" --threads "$threads" \
                --out "$dir" > "$dir.log" 2>&1; then
                end=$(date +%s.%N)
                python3 - "$dir/manifest.json" "$engine" "$people" "$days" "$threads" "$start" "$end" >> "$TMP" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
engine, people, days, threads, start, end = sys.argv[2:8]
t = m["timings_seconds"]
later = (t["simulate"] - t["first_day"]) / max(int(days) - 1, 1)
print(f'{engine},{people},{days},{threads},{t["setup"]:.2f},{t["simulate"]:.2f},{t["first_day"]:.2f},'
      f'{later:.2f},{t["write"]:.2f},{float(end) - float(start):.2f},{m["person_days_per_second"]:.0f},'
      f'{m["peak_rss_bytes"] / 2**30:.3f},ok')
PY
            else
                reason=$(tail -n 1 "$dir.log" | tr ',' ';')
                echo "$engine,$people,$days,$threads,,,,,,,,,refused: $reason" >> "$TMP"
            fi
        done
    done
    echo "== determinism ($engine): 100 million people, 1 vs 2 threads" >&2
    a="$OUT/$engine-p100000000-t1"; b="$OUT/$engine-p100000000-t2"
    if [ -f "$a/manifest.json" ] && [ -f "$b/manifest.json" ]; then
        for f in "$a"/*.csv "$a"/*.parquet "$a/replay.bin" "$a/scenario.toml"; do
            cmp "$f" "$b/$(basename "$f")"
        done
        echo "identical data files at 100 million people on 1 and 2 threads ($engine)" >&2
    fi
done
mv "$TMP" "$CSV"
python3 scripts/plot_scaling.py "$CSV" docs/scaling.svg
cat "$CSV"
