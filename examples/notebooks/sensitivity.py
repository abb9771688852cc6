# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Global sensitivity of the chilling effect (Sobol indices, SALib)
#
# Which behaviour parameters drive the chilling effect of an integrated national score? A
# Saltelli/Sobol design from SALib is run through `scslab.sweep` (each design point x
# replication one run, with common random numbers), and SALib estimates first-order and total
# Sobol indices from the mean outcome per point.
#
# Pass a `dask.distributed.Client` as `client=` to spread the runs over a cluster (see
# docs/PYTHON.md for Slurm). `SCSLAB_EXAMPLES_SMALL=1` runs it at a small size (CI does):
# indices from so few points are noisy, only the mechanics are shown.

# %%
import os
import tempfile

import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

import scslab

small = os.environ.get("SCSLAB_EXAMPLES_SMALL") == "1"
N, people, days, replications = (8, 1_000, 30, 2) if small else (256, 20_000, 120, 3)

problem = {
    "num_vars": 3,
    "names": ["behaviour.fear_perception", "behaviour.deterrence_weight", "behaviour.fear_group_sanction"],
    "bounds": [[0.0, 4.0], [0.0, 0.2], [0.0, 400.0]],
}
X = sobol_sample.sample(problem, N, calc_second_order=False, seed=1)
design = pl.DataFrame(X, schema=problem["names"], orient="row")
design.shape

# %%
out = os.path.join(tempfile.mkdtemp(), "sobol")
result = scslab.sweep(
    design=design,
    scenarios=["integrated"],
    name="sobol",
    people=people,
    days=days,
    replications=replications,
    seed=2020,
    out=out,
)
runs = result.runs()
runs.head()

# %% [markdown]
# The outcome of each design point: its mean chilling effect over the replications, in design
# order (SALib expects the rows of `X`).

# %%
Y = (
    runs.group_by("point")
    .agg(pl.col("chilling_effect").mean())
    .sort("point")["chilling_effect"]
    .fill_nan(0.0)
    .to_numpy()
)
assert len(Y) == len(X)
Si = sobol_analyze.analyze(problem, Y, calc_second_order=False, seed=1)
indices = pl.DataFrame({"parameter": problem["names"], "S1": Si["S1"], "ST": Si["ST"]})
indices

# %%
fig, ax = plt.subplots(figsize=(6, 3))
x = np.arange(len(problem["names"]))
ax.bar(x - 0.2, indices["S1"], width=0.4, label="first order")
ax.bar(x + 0.2, indices["ST"], width=0.4, label="total")
ax.set_xticks(x, [n.split(".")[-1] for n in problem["names"]])
ax.set_ylabel("Sobol index")
ax.legend()
fig.tight_layout()
