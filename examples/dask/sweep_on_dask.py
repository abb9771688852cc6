"""A sweep on Dask: the same script on a LocalCluster (default) or on a Slurm cluster
(`--slurm`, through dask-jobqueue). Each run is one Dask task with its common-random-numbers
seed; the workers write into the output folder, which must be on a file system they all see.
Killed midway, the same command resumes from the runs that are done.

    python examples/dask/sweep_on_dask.py examples/sweeps/detection-vs-fear.toml --out out/sweeps/dvf
    python examples/dask/sweep_on_dask.py FILE --out /shared/scratch/dvf --slurm --jobs 8
"""

import argparse

from dask.distributed import Client, LocalCluster

import scslab

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("file", help="a sweep file")
parser.add_argument("--out", required=True, help="output folder (shared by every worker)")
parser.add_argument("--workers", type=int, default=2, help="LocalCluster: worker processes")
parser.add_argument("--slurm", action="store_true", help="start the workers as Slurm jobs")
parser.add_argument("--jobs", type=int, default=4, help="Slurm: jobs (one worker of 1 core each)")
parser.add_argument("--queue", default=None, help="Slurm: partition")
args = parser.parse_args()

if args.slurm:
    from dask_jobqueue import SLURMCluster

    # One single-threaded worker per job: each scslab run of a sweep uses one core.
    cluster = SLURMCluster(cores=1, processes=1, memory="4GB", walltime="02:00:00", queue=args.queue)
    cluster.scale(jobs=args.jobs)
else:
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None)

with cluster, Client(cluster) as client:
    result = scslab.sweep(args.file, out=args.out, client=client, progress=True)
    print(f"{result.executed} runs run now; {result.runs().height} in all; outputs: {result.path}")
    print(result.summary().head(12))
