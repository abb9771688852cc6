"""scslab: simulate social credit systems on synthetic populations, from Python.

>>> import scslab
>>> sc = scslab.Scenario.preset("china-2020")
>>> sc["behaviour.fear_perception"] = 0.4
>>> r = scslab.run(sc, people=20_000, days=60, against="none")
>>> r.comparison()            # a polars DataFrame
>>> r.series().to_pandas()    # for pandas users

Runs go through the same Rust engine and write the same output folder as the ``scslab``
command-line program; sweeps (``scslab.sweep``) run on threads or on a Dask cluster.
"""

from . import _native
from ._progress import options
from ._run import Run, Trace, load, run, trace
from ._scenario import Scenario, presets
from ._sweep import Sweep, sweep, write_sweep_file
from .errors import PanicError, RunError, ScenarioError, ScslabError, SweepError

__version__ = _native.__version__

__all__ = [
    "PanicError",
    "Run",
    "RunError",
    "Scenario",
    "ScenarioError",
    "ScslabError",
    "Sweep",
    "SweepError",
    "Trace",
    "load",
    "options",
    "presets",
    "run",
    "sweep",
    "trace",
    "write_sweep_file",
]
