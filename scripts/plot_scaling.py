#!/usr/bin/env python3
"""Plot of the scaling study (docs/scaling.csv -> docs/scaling.svg), in plain SVG, no libraries.

Left: throughput (million person-days per second) against people, log scale, one line per engine
(the daily day dashed, the event-driven day solid) and thread count. Right: peak resident memory
(GiB) against people, log-log, with the 21 GiB target.
"""
import csv
import math
import sys

src, dst = sys.argv[1], sys.argv[2]
rows = [r for r in csv.DictReader(open(src)) if r["status"] == "ok"]
dashes = {"daily": "6,4", "event": ""}
W, H, M = 880, 360, 60
panel = (W - 3 * M) / 2
colors = {"1": "#1f77b4", "2": "#d62728"}
people = sorted({int(r["people"]) for r in rows})
xmin, xmax = math.log10(min(people)) - 0.2, math.log10(max(people)) + 0.2
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>']


def axes(x0, title, ylabel, ymin, ymax, ylog, yticks):
    def sx(p):
        return x0 + (math.log10(p) - xmin) / (xmax - xmin) * panel

    def sy(v):
        t = (math.log10(v) - math.log10(ymin)) / (math.log10(ymax) - math.log10(ymin)) if ylog else (v - ymin) / (ymax - ymin)
        return H - M - t * (H - 2 * M)
    out.append(f'<text x="{x0 + panel / 2}" y="{M - 25}" text-anchor="middle" font-size="14">{title}</text>')
    out.append(f'<line x1="{x0}" y1="{H - M}" x2="{x0 + panel}" y2="{H - M}" stroke="black"/>')
    out.append(f'<line x1="{x0}" y1="{M}" x2="{x0}" y2="{H - M}" stroke="black"/>')
    for e in range(int(math.ceil(xmin)), int(math.floor(xmax)) + 1):
        x = sx(10 ** e)
        label = {6: "1M", 7: "10M", 8: "100M", 9: "1B"}.get(e, f"1e{e}")
        out.append(f'<line x1="{x}" y1="{H - M}" x2="{x}" y2="{H - M + 5}" stroke="black"/>')
        out.append(f'<text x="{x}" y="{H - M + 18}" text-anchor="middle">{label}</text>')
    out.append(f'<text x="{x0 + panel / 2}" y="{H - 15}" text-anchor="middle">people</text>')
    for v in yticks:
        y = sy(v)
        out.append(f'<line x1="{x0 - 5}" y1="{y}" x2="{x0}" y2="{y}" stroke="black"/>')
        out.append(f'<text x="{x0 - 8}" y="{y + 4}" text-anchor="end">{v:g}</text>')
    out.append(f'<text x="{x0 - 42}" y="{H / 2}" text-anchor="middle" transform="rotate(-90 {x0 - 42} {H / 2})">{ylabel}</text>')
    return sx, sy


def lines(sx, sy, key):
    for engine, dash in dashes.items():
        for threads, color in colors.items():
            pts = sorted((int(r["people"]), key(r)) for r in rows if r["threads"] == threads and r["engine"] == engine)
            if not pts:
                continue
            path = " ".join(f"{'M' if i == 0 else 'L'}{sx(p):.1f},{sy(v):.1f}" for i, (p, v) in enumerate(pts))
            out.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>')
            for p, v in pts:
                out.append(f'<circle cx="{sx(p):.1f}" cy="{sy(v):.1f}" r="3.5" fill="{color}"><title>{engine}, {p} people, {threads} thread(s): {v:.3g}</title></circle>')


rate = lambda r: float(r["person_days_per_s"]) / 1e6
rss = lambda r: float(r["peak_rss_gib"])
top = max(rate(r) for r in rows) * 1.25
sx, sy = axes(M, "Throughput", "M person-days / s", 0, top, False, [round(top * i / 5, 1) for i in range(6)])
lines(sx, sy, rate)
x1 = 2 * M + panel
sx, sy = axes(x1, "Peak resident memory", "GiB", 0.01, 32, True, [0.01, 0.1, 1, 10, 21])
y21 = sy(21)
out.append(f'<line x1="{x1}" y1="{y21}" x2="{x1 + panel}" y2="{y21}" stroke="gray" stroke-dasharray="5,4"/>')
out.append(f'<text x="{x1 + panel - 4}" y="{y21 - 5}" text-anchor="end" fill="gray">21 GiB target</text>')
lines(sx, sy, rss)
legend = [(f"{e}, {t} thread{'s' if t != '1' else ''}", c, d) for e, d in dashes.items() for t, c in colors.items()]
for i, (label, color, dash) in enumerate(legend):
    y = H - M - 72 + 16 * i
    out.append(f'<line x1="{W - 170}" y1="{y}" x2="{W - 150}" y2="{y}" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>')
    out.append(f'<text x="{W - 144}" y="{y + 4}">{label}</text>')
out.append("</svg>")
open(dst, "w").write("\n".join(out) + "\n")
