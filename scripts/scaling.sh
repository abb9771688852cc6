#!/usr/bin/env bash
# Scaling study (docs/PERFORMANCE.md): time and peak memory of `scslab run --preset china-2020`
# at 1 million, 10 million, 100 million and 1.41 billion people, on 1 and 2 threads, then a
# check that the 100-million runs on 1 and 2 threads wrote identical data files, then the plot.
#
#   scripts/scaling.sh [OUT_DIR]        (default /tmp/scslab-scaling; needs ~1 GiB of disk)
#
# Writes docs/scaling.csv and docs/scaling.svg. Horizons shrink with size so that the whole
# study takes about half an hour on the 2-core development machine. A size that does not fit in
# memory is refused by the run's own memory preflight; the row then records the refusal.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/scslab-scaling}
cargo build --release --quiet
BIN=target/release/scslab
mkdir -p "$OUT"
CSV=docs/scaling.csv
TMP=$(mktemp)
echo "people,days,threads,setup_s,simulate_s,write_s,wall_s,person_days_per_s,peak_rss_gib,status" > "$TMP"
for spec in "1000000 30" "10000000 30" "100000000 5" "1411780000 2"; do
    read -r people days <<< "$spec"
    for threads in 1 2; do
        dir="$OUT/p$people-t$threads"
        rm -rf "$dir"
        echo "== $people people, $days days, $threads thread(s)" >&2
        start=$(date +%s.%N)
        if "$BIN" run --preset china-2020 --people "$people" --days "$days" --threads "$threads" \
            --out "$dir" > "$OUT/p$people-t$threads.log" 2>&1; then
            end=$(date +%s.%N)
            python3 - "$dir/manifest.json" "$people" "$days" "$threads" "$start" "$end" >> "$TMP" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
people, days, threads, start, end = sys.argv[2:7]
t = m["timings_seconds"]
print(f'{people},{days},{threads},{t["setup"]:.2f},{t["simulate"]:.2f},{t["write"]:.2f},'
      f'{float(end) - float(start):.2f},{m["person_days_per_second"]:.0f},'
      f'{m["peak_rss_bytes"] / 2**30:.3f},ok')
PY
        else
            reason=$(tail -n 1 "$OUT/p$people-t$threads.log" | tr ',' ';')
            echo "$people,$days,$threads,,,,,,,refused: $reason" >> "$TMP"
        fi
    done
done
mv "$TMP" "$CSV"
echo "== determinism: 100 million people, 1 vs 2 threads" >&2
a="$OUT/p100000000-t1"; b="$OUT/p100000000-t2"
if [ -f "$a/manifest.json" ] && [ -f "$b/manifest.json" ]; then
    for f in "$a"/*.csv "$a"/*.parquet "$a/replay.bin" "$a/scenario.toml"; do
        cmp "$f" "$b/$(basename "$f")"
    done
    echo "identical data files at 100 million people on 1 and 2 threads" >&2
fi
python3 scripts/plot_scaling.py "$CSV" docs/scaling.svg
cat "$CSV"
