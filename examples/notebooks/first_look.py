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
# # A first look at scslab from Python
#
# Run China's social credit system as specialists documented it in 2020 (`china-2020`) on a
# synthetic population, against the same people without any system (`none`, common random
# numbers), and plot the headline daily series. Every table is a polars DataFrame
# (`.to_pandas()` for pandas).
#
# `SCSLAB_EXAMPLES_SMALL=1` runs it at a small size (CI does).

# %%
import os

import matplotlib.pyplot as plt
import polars as pl

import scslab

small = os.environ.get("SCSLAB_EXAMPLES_SMALL") == "1"
people, days = (5_000, 60) if small else (200_000, 365)
scslab.presets()

# %% [markdown]
# A scenario is a checked TOML document; keys are read and set by dotted path, and every change
# is checked at once (a bad value raises `scslab.ScenarioError` with file, line and column).

# %%
sc = scslab.Scenario.preset("china-2020")
print(sc, "fear perception:", sc["behaviour.fear_perception"])
try:
    sc["behaviour.fear_perception"] = -1.0
except scslab.ScenarioError as e:
    print("refused:", e)

# %%
run = scslab.run(sc, people=people, days=days, seed=2020, against="none")
run.comparison()

# %% [markdown]
# The daily series of both runs, side by side.

# %%
ours, none = run.series(), run.against.series()
columns = ["compliance_rate", "chilling_effect", "mean_trust", "mean_fear"]
fig, axes = plt.subplots(1, len(columns), figsize=(4 * len(columns), 3))
for ax, col in zip(axes, columns):
    ax.plot(ours["day"], ours[col], label="china-2020")
    ax.plot(none["day"], none[col], label="none", linestyle="--")
    ax.set_title(col)
    ax.set_xlabel("day")
axes[0].legend()
fig.tight_layout()

# %% [markdown]
# Groups: the same series per province x urban/rural x income quintile.

# %%
by_group = run.series_by_group()
last = by_group.filter(pl.col("day") == by_group["day"].max())
last.head()

# %% [markdown]
# Keep the run (the folder `scslab run` writes), read it back, and follow one person.

# %%
import tempfile

kept = run.save(os.path.join(tempfile.mkdtemp(), "china-2020"))
again = scslab.load(kept.path)
assert again.summary().equals(run.summary())
story = scslab.trace(again, person=12)
story.events.head(10)
