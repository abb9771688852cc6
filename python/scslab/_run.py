"""Runs: ``scslab.run`` writes the output folder the CLI writes (into a temporary folder unless
``out=`` is given) and :class:`Run` reads its tables into polars DataFrames from the Parquet
files, through Arrow (columns are read whole, never row by row)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import weakref
from pathlib import Path
from typing import Any, Dict, Optional, Union

import polars as pl

from . import _native, _progress
from ._scenario import Scenario
from .errors import RunError

__all__ = ["Run", "run", "load", "trace"]

PathLike = Union[str, "os.PathLike[str]"]

_LOCK = ".scslab.lock"


class Run:
    """A finished run: an output folder as ``scslab run`` writes it, and its tables as polars
    DataFrames (``.to_pandas()`` for pandas). Frames are read from the folder's Parquet files on
    first use and kept.

    A run made by :func:`run` without ``out=`` lives in a temporary folder removed when the
    ``Run`` is garbage collected: :meth:`save` keeps it.
    """

    def __init__(self, path: PathLike, *, _temporary: bool = False) -> None:
        self.path = Path(path)
        _native.require_finished(str(self.path))
        self._frames: Dict[str, pl.DataFrame] = {}
        self._manifest: Optional[Dict[str, Any]] = None
        self._cleanup = (
            weakref.finalize(self, shutil.rmtree, str(self.path), True) if _temporary else None
        )

    # -- the folder's files -------------------------------------------------------------------

    @property
    def manifest(self) -> Dict[str, Any]:
        """``manifest.json``: scenario, seed, sizes, threads, timings, the command to repeat it."""
        if self._manifest is None:
            self._manifest = json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))
        return self._manifest

    @property
    def scenario(self) -> Scenario:
        """The scenario as run (``scenario.toml``; people, days and seed are in the manifest)."""
        return Scenario((self.path / "scenario.toml").read_text(encoding="utf-8"), self.manifest["scenario"]["origin"])

    @property
    def temporary(self) -> bool:
        """Whether the folder is temporary (removed with this object unless saved)."""
        return self._cleanup is not None and self._cleanup.alive

    def table(self, name: str) -> pl.DataFrame:
        """The output table ``name`` (``series_persons``, ``summary``, ...) read from its Parquet file."""
        if name not in self._frames:
            path = self.path / f"{name}.parquet"
            if not path.is_file():
                raise RunError(f"{path}: no such table in this run's folder", kind="run_file")
            self._frames[name] = pl.read_parquet(path)
        return self._frames[name]

    def series(self) -> pl.DataFrame:
        """The daily person series: one row per day (``series_persons``)."""
        return self.table("series_persons")

    def series_by_group(self) -> pl.DataFrame:
        """The daily person series per group cell (province x urban/rural x income quintile)."""
        return self.table("series_persons_by_group")

    def firms(self) -> pl.DataFrame:
        """The daily firm series (``series_firms``)."""
        return self.table("series_firms")

    def firms_by_province(self) -> pl.DataFrame:
        """The daily firm series per province (``series_firms_by_province``)."""
        return self.table("series_firms_by_province")

    def firm_grades(self) -> pl.DataFrame:
        """The annual firm ratings (``firm_grades``): ``day``, ``scheme``, ``grade``, ``firms``, ``share``."""
        return self.table("firm_grades")

    def distributions(self) -> pl.DataFrame:
        """End-of-run distributions (wealth, scores...) by group, as histogram bins."""
        return self.table("distributions")

    def summary(self) -> pl.DataFrame:
        """The headline outcomes: ``outcome``, ``label``, ``value``, ``unit``."""
        return self.table("summary")

    def comparison(self) -> pl.DataFrame:
        """Scenario, counterfactual and difference per headline outcome (runs made with ``against=``)."""
        if self.against is None:
            raise RunError("this run has no counterfactual: run it with against=...", kind="run_file")
        return self.table("comparison")

    @property
    def against(self) -> Optional["Run"]:
        """The counterfactual's run (``against-NAME/``), for a comparison; else ``None``."""
        folder = self.manifest.get("against_folder")
        return Run(self.path / folder) if folder else None

    def headline(self, outcome: str) -> float:
        """One headline outcome's value, by key (``chilling_effect``, ...)."""
        rows = self.summary().filter(pl.col("outcome") == outcome)
        if rows.height == 0:
            raise KeyError(f"no outcome `{outcome}`; outcomes: {', '.join(self.summary()['outcome'])}")
        return float(rows["value"][0])

    # -- keeping and tracing ------------------------------------------------------------------

    def save(self, path: PathLike, *, overwrite: bool = False) -> "Run":
        """Copies the folder to ``path`` (the same files the CLI writes) and returns the saved run.
        A folder that exists and is not empty is refused unless ``overwrite``, and even then only
        if it is a finished run's folder holding nothing but the files a run writes (as the CLI's
        ``--overwrite``): an output folder is never mixed with, or replaced by, anything else."""
        dest = Path(path)
        if dest.exists() and not dest.is_dir():
            raise RunError(f"{dest}: is a file, not a folder", kind="folder")
        here = self.path.resolve()
        there = dest.resolve()
        if there == here or here in there.parents or there in here.parents:
            raise RunError(f"{dest}: is this run's own folder, inside it or around it", kind="folder")
        if dest.exists() and any(dest.iterdir()):
            if not overwrite:
                raise RunError(f"{dest}: is not empty; use overwrite=True or another folder", kind="folder")
            ours = {p.name for p in self.path.iterdir()} | {_LOCK}
            others = sorted(p.name for p in dest.iterdir() if p.name not in ours or p.is_dir())
            if others or not (dest / "manifest.json").is_file():
                what = f"holds {', '.join(others[:3])}" if others else "is not a finished run's folder"
                raise RunError(
                    f"{dest}: {what}; overwrite=True only replaces a finished run's folder", kind="folder"
                )
            for p in dest.iterdir():
                p.unlink()
        shutil.copytree(self.path, dest, ignore=shutil.ignore_patterns(_LOCK), dirs_exist_ok=True)
        return Run(dest)

    def trace(self, *, person: Optional[int] = None, company: Optional[int] = None) -> "Trace":
        """One agent's story, re-simulated from the run's replay log (see :func:`scslab.trace`)."""
        return trace(self, person=person, company=company)

    def __repr__(self) -> str:
        m = self.manifest
        return (
            f"Run({m['scenario']['name']!r}: {m['people']} people, {m['days']} days, seed {m['seed']}; "
            f"{'temporary folder' if self.temporary else self.path})"
        )


class Trace:
    """One agent's re-simulated story: ``events`` (what happened, day by day), ``days`` (its state
    at the end of each day) and ``profile`` (its static traits)."""

    def __init__(self, folder: Path, stem: str, profile: list) -> None:
        self.events = pl.read_parquet(folder / f"{stem}.parquet")
        self.days = pl.read_parquet(folder / f"{stem}-days.parquet")
        self.profile: Dict[str, str] = dict(profile)
        self.stem = stem

    def __repr__(self) -> str:
        return f"Trace({self.stem}: {self.events.height} events over {self.days.height} days)"


def _scenario_of(scenario: Union[Scenario, str, PathLike]) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str) and scenario in {name for name, _ in _native.presets()}:
        return Scenario.preset(scenario)
    # A bare name that is neither a preset nor a file: a misspelled preset, refused with the
    # choices (as `--preset` does), not as a missing file.
    if isinstance(scenario, str) and "/" not in scenario and not scenario.endswith(".toml") and "=" not in scenario:
        if not Path(scenario).exists():
            return Scenario.preset(scenario)
    return Scenario.from_toml(scenario)


def run(
    scenario: Union[Scenario, str, PathLike] = "china-2020",
    *,
    people: Optional[int] = None,
    days: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    against: Union[Scenario, str, PathLike, None] = None,
    out: Optional[PathLike] = None,
    overwrite: bool = False,
    checkpoint_every: Optional[int] = None,
    progress: Optional[bool] = None,
) -> Run:
    """Runs a scenario (a :class:`Scenario`, a preset name or a TOML file) and returns the :class:`Run`.

    ``people``, ``days`` and ``seed`` override the scenario's, as ``--people``, ``--days`` and
    ``--seed`` do; ``threads=0`` uses every core (results do not depend on it). With ``against``,
    the counterfactual runs on the same people with the same random numbers and
    :meth:`Run.comparison` holds the differences. ``out`` is the output folder (by default a
    temporary one). The run releases the GIL; Ctrl-C stops it at the end of the current day and
    raises ``KeyboardInterrupt``.
    """
    sc = _scenario_of(scenario)
    cf = None if against is None else _scenario_of(against)
    temporary = out is None
    folder = Path(tempfile.mkdtemp(prefix="scslab-run-")) if temporary else Path(out)
    bar = _progress.callback(progress, sc.name, "day")
    try:
        _progress.call_with(
            bar,
            _native.run,
            sc.to_toml(),
            sc.origin,
            str(folder),
            people=people,
            days=days,
            seed=seed,
            threads=threads,
            against=None if cf is None else (cf.to_toml(), cf.origin),
            overwrite=overwrite,
            command=" ".join(["python"] + sys.argv[:1] + ["scslab.run(...)"]),
            checkpoint_every=checkpoint_every,
        )
    except BaseException:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return Run(folder, _temporary=temporary)


def load(path: PathLike) -> Run:
    """A finished run's folder (written by :func:`run`, :meth:`Run.save` or ``scslab run``)."""
    p = Path(path)
    if not p.is_dir():
        raise RunError(f"{p}: no such folder", kind="folder")
    return Run(p)


def trace(run_or_dir: Union[Run, PathLike], *, person: Optional[int] = None, company: Optional[int] = None) -> Trace:
    """Re-simulates one person (``person=ID``) or company (``company=ID``) of a finished run from its
    replay log, exactly as the run simulated it, and writes the trace into the run's
    ``traces/`` folder, as ``scslab trace`` does."""
    path = run_or_dir.path if isinstance(run_or_dir, Run) else Path(run_or_dir)
    folder, stem, profile = _native.trace(str(path), person=person, company=company)
    return Trace(Path(folder), stem, profile)
