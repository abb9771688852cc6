"""A run from Python against the same run from the CLI, and the cost of its tables as polars
frames (docs/PERFORMANCE.md, "From Python").

    python python/benchmarks/bench_run.py --cli target/release/scslab --people 1000000 --days 365 --repeats 3

Both sides run the same scenario, size and seed into an output folder (the CLI writes one
always), alternately, and their wall and CPU times (user + system, of the CLI's process and of
this process during `scslab.run`) are compared by median: on a shared machine the CPU time is
the steadier of the two. Then every table of the
Python run is read into polars from a fresh `Run` (nothing cached), timed per table.
"""

import argparse
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import scslab

parser = argparse.ArgumentParser()
parser.add_argument("--cli", required=True)
parser.add_argument("--preset", default="china-2020")
parser.add_argument("--people", type=int, default=1_000_000)
parser.add_argument("--days", type=int, default=365)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--threads", type=int, default=0)
parser.add_argument("--repeats", type=int, default=3)
args = parser.parse_args()

base = Path(tempfile.mkdtemp(prefix="scslab-bench-"))
size = ["--people", str(args.people), "--days", str(args.days), "--seed", str(args.seed), "--threads", str(args.threads)]
cli_times, py_times, cli_cpu, py_cpu = [], [], [], []


def cpu(who):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


for i in range(args.repeats):
    out = base / f"cli{i}"
    c0, t0 = cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run([args.cli, "run", "--preset", args.preset, *size, "--out", str(out)], check=True, capture_output=True)
    cli_times.append(time.perf_counter() - t0)
    cli_cpu.append(cpu(resource.RUSAGE_CHILDREN) - c0)
    shutil.rmtree(out)
    out = base / f"py{i}"
    c0, t0 = cpu(resource.RUSAGE_SELF), time.perf_counter()
    run = scslab.run(args.preset, people=args.people, days=args.days, seed=args.seed, threads=args.threads, out=out, progress=False)
    py_times.append(time.perf_counter() - t0)
    py_cpu.append(cpu(resource.RUSAGE_SELF) - c0)
    if i + 1 < args.repeats:
        shutil.rmtree(out)
    print(
        f"repeat {i}: cli {cli_times[-1]:.2f} s wall {cli_cpu[-1]:.2f} s cpu, "
        f"python {py_times[-1]:.2f} s wall {py_cpu[-1]:.2f} s cpu",
        flush=True,
    )
cli, py = statistics.median(cli_times), statistics.median(py_times)
print(f"median wall: cli {cli:.2f} s, python {py:.2f} s, python/cli {py / cli:.3f}")
cc, pc = statistics.median(cli_cpu), statistics.median(py_cpu)
print(f"median cpu: cli {cc:.2f} s, python {pc:.2f} s, python/cli {pc / cc:.3f}")

fresh = scslab.load(run.path)
for name, read in [
    ("series", fresh.series),
    ("series_by_group", fresh.series_by_group),
    ("firms", fresh.firms),
    ("firms_by_province", fresh.firms_by_province),
    ("distributions", fresh.distributions),
    ("summary", fresh.summary),
]:
    t0 = time.perf_counter()
    frame = read()
    dt = time.perf_counter() - t0
    print(f"{name}: {frame.height} rows x {frame.width} columns to polars in {dt * 1000:.1f} ms")
shutil.rmtree(base)
