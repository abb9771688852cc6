#!/usr/bin/env python3
"""The table of docs/THEORIES.md from the sweeps of scripts/theories.sh.

    python3 scripts/theories_table.py OUT_DIR

For each theory, each regime's mean and its paired difference from `none` (95% interval) of the
chilling effect and, where the theory has one, of cooperation.
"""
import csv
import os
import sys

OUTCOMES = {
    "deterrence": ["chilling_effect", "criticism_per_1000"],
    "expression": ["chilling_effect", "criticism_per_1000", "share_self_censoring", "mean_expressed"],
    "reputation": ["chilling_effect", "cooperation_rate", "good_share", "freq_disc"],
}


def fmt(x):
    return "n/a" if x == "" else f"{float(x):.4f}"


def main(out):
    print("| theory | outcome | scenario | mean | difference from none | 95% interval |")
    print("|---|---|---|---|---|---|")
    for theory, outcomes in OUTCOMES.items():
        path = os.path.join(out, theory, "out", "summary.csv")
        if not os.path.exists(path):
            continue
        rows = list(csv.DictReader(open(path)))
        name = lambda s: s[:-5] if s.endswith(".toml") else s
        for outcome in outcomes:
            means = {name(r["scenario"]): r for r in rows if r["kind"] == "mean" and r["outcome"] == outcome}
            diffs = {name(r["scenario"]): r for r in rows if r["kind"] == "difference" and r["outcome"] == outcome}
            for scenario in ["none", "china-2020", "integrated"]:
                m = means.get(scenario)
                if m is None:
                    continue
                d = diffs.get(scenario)
                diff = fmt(d["mean"]) if d else "(baseline)"
                ci = f"[{fmt(d['ci_low'])}, {fmt(d['ci_high'])}]" if d else ""
                print(f"| {theory} | `{outcome}` | {scenario} | {fmt(m['mean'])} | {diff} | {ci} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/theories")
