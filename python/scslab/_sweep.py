"""Sweeps: many runs of scenarios x design points x replications, each with its common-random-
numbers seed, combined into tidy ``runs``, ``series`` and ``summary`` tables with 95% intervals.

A sweep is a sweep file (the CLI's format, see docs/EXPERIMENTS.md). From Python its design can
also be a DataFrame of parameter values (one column per dotted key, one row per design point,
for example a SALib sample): :func:`write_sweep_file` writes it as a sweep file with
``kind = "points"``, which ``scslab sweep`` runs identically.

The runs go to a thread pool on this machine, or, given a ``dask.distributed.Client``, to its
workers (a ``LocalCluster``, or a Slurm cluster through ``dask-jobqueue``: the workers must see
the output folder, a shared file system on a cluster). Each run writes ``runs/<id>/`` with its
marker last; the combined tables are then written from the run folders, so the result is the
CLI's, and a sweep killed midway resumes from the runs that are done.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import polars as pl

from . import _native, _progress
from ._scenario import Scenario
from .errors import SweepError

__all__ = ["Sweep", "sweep", "write_sweep_file"]

PathLike = Union[str, "os.PathLike[str]"]


class Sweep:
    """A sweep's output folder and its combined tables as polars DataFrames."""

    def __init__(self, path: PathLike, executed: int = 0) -> None:
        self.path = Path(path)
        if not (self.path / "manifest.json").is_file():
            raise SweepError(f"{self.path}: not a finished sweep (no manifest.json)")
        self.executed = executed
        self._frames: Dict[str, pl.DataFrame] = {}

    @property
    def manifest(self) -> Dict[str, Any]:
        """The sweep's ``manifest.json``."""
        return json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))

    def _table(self, name: str) -> pl.DataFrame:
        if name not in self._frames:
            self._frames[name] = pl.read_parquet(self.path / f"{name}.parquet")
        return self._frames[name]

    def runs(self) -> pl.DataFrame:
        """One row per run: its id, scenario, design point, replication, seed, parameter values and headline outcomes."""
        return self._table("runs")

    def series(self) -> pl.DataFrame:
        """The headline daily person series of every run (tidy: one row per run and day)."""
        return self._table("series")

    def summary(self) -> pl.DataFrame:
        """Means with 95% intervals per scenario and design point, and paired differences against the first scenario."""
        return self._table("summary")

    def __repr__(self) -> str:
        return f"Sweep({self.path}: {self.runs().height} runs)"


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"design values must be finite, found {v}")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    raise TypeError(f"cannot write {v!r} in a sweep file")


def write_sweep_file(
    path: PathLike,
    *,
    name: str,
    scenarios: Sequence[Union[str, Scenario]],
    design: Union[pl.DataFrame, Mapping[str, Sequence[float]], None] = None,
    people: Optional[int] = None,
    days: Optional[int] = None,
    replications: int = 2,
    seed: Optional[int] = None,
    description: str = "",
) -> Path:
    """Writes a sweep file at ``path`` and returns its path.

    ``scenarios`` are preset names or :class:`Scenario` objects (written beside the file as
    ``NAME.scenario.toml``); the first is the baseline of the paired differences. ``design`` is
    a DataFrame (polars, or anything with ``.columns`` and column access, like pandas) or a
    mapping: one column per dotted key, one row per design point (``kind = "points"``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    names: List[str] = []
    for s in scenarios:
        if isinstance(s, Scenario):
            file = path.parent / f"{s.name}.scenario.toml"
            s.to_toml(file)
            names.append(file.name)
        else:
            names.append(str(s))
    lines = [f"name = {json.dumps(name)}"]
    if description:
        lines.append(f"description = {json.dumps(description)}")
    lines.append("scenarios = [" + ", ".join(json.dumps(n) for n in names) + "]")
    for key, value in (("people", people), ("days", days), ("seed", seed)):
        if value is not None:
            lines.append(f"{key} = {int(value)}")
    lines.append(f"replications = {int(replications)}")
    if design is not None:
        columns = list(design.columns) if hasattr(design, "columns") else list(design.keys())
        lines += ["", "[design]", 'kind = "points"']
        for key in columns:
            values = [v.item() if hasattr(v, "item") else v for v in list(design[key])]
            lines += ["", "[[parameter]]", f"key = {json.dumps(str(key))}"]
            lines.append("values = [" + ", ".join(_toml_value(v) for v in values) + "]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run_one_task(file: str, out: str, run_id: str, independent: bool) -> str:
    """One run of a sweep, as a Dask task (module level, so workers can import it)."""
    _native.sweep_run_one(file, out, run_id, independent=independent)
    return run_id


def sweep(
    file: Optional[PathLike] = None,
    *,
    design: Union[pl.DataFrame, Mapping[str, Sequence[float]], None] = None,
    scenarios: Sequence[Union[str, Scenario]] = ("none", "china-2020"),
    name: str = "python",
    people: Optional[int] = None,
    days: Optional[int] = None,
    replications: int = 2,
    seed: Optional[int] = None,
    out: Optional[PathLike] = None,
    workers: int = 0,
    client: Any = None,
    independent: bool = False,
    progress: Optional[bool] = None,
) -> Sweep:
    """Runs a sweep and returns its combined tables (:class:`Sweep`).

    Give either a sweep ``file`` or a ``design`` (a DataFrame or mapping of parameter values,
    one row per design point) with ``scenarios``, ``people``, ``days``, ``replications`` and
    ``seed``. ``out`` is the output folder (default ``out/sweeps/NAME``, as the CLI's); the same
    call on the same folder resumes, and a folder of another sweep is refused. Runs go to
    ``workers`` threads (0: every core), or to the workers of a ``dask.distributed.Client`` given
    as ``client``. Results are identical either way, and to ``scslab sweep`` of the same file.
    """
    if (file is None) == (design is None):
        raise ValueError("give either a sweep file or a design, not both or neither")
    if file is None:
        out_dir = Path(out) if out is not None else Path("out") / "sweeps" / name
        # The file lives beside the folder (a sweep folder holds only the sweep's files).
        file = write_sweep_file(
            out_dir.parent / f"{out_dir.name}.sweep.toml",
            name=name,
            scenarios=scenarios,
            design=design,
            people=people,
            days=days,
            replications=replications,
            seed=seed,
        )
    file = Path(file).resolve()
    info = _native.sweep_check(str(file))
    out_dir = (Path(out) if out is not None else Path("out") / "sweeps" / info["name"]).resolve()
    # Memory is checked for the runs this machine will hold at once: one per thread, or none
    # beyond one when a Dask cluster runs them.
    threads = 1 if client is not None else (workers or os.cpu_count() or 1)
    planned = _native.sweep_plan(str(file), str(out_dir), independent=independent, workers=threads)
    pending = [p[0] for p in planned if not p[5]]
    bar = _progress.Bar(info["name"], "run") if _progress.wanted(progress) and pending else None
    try:
        if client is not None:
            _on_dask(client, str(file), str(out_dir), pending, independent, bar)
        else:
            _on_threads(str(file), str(out_dir), pending, independent, workers, bar)
    finally:
        if bar is not None:
            bar.close()
    # Every run must now be in the folder: a run missing here was not done by the workers (on a
    # cluster, an output folder they do not share) and is refused rather than silently re-run.
    missing = [p[0] for p in _native.sweep_plan(str(file), str(out_dir), independent=independent) if not p[5]]
    if missing:
        raise RuntimeError(
            f"{len(missing)} of {len(pending)} runs are not in {out_dir} after the workers finished "
            f"(first: {missing[0]}); on a cluster the output folder must be on a file system every "
            "worker shares. The same call resumes."
        )
    # Only combines: every run is done (one run's memory is checked, none is started).
    _native.sweep(str(file), str(out_dir), workers=1, independent=independent)
    return Sweep(out_dir, executed=len(pending))


def _on_threads(file: str, out: str, pending: List[str], independent: bool, workers: int, bar) -> None:
    n = workers or os.cpu_count() or 1
    done = 0
    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = {pool.submit(_native.sweep_run_one, file, out, i, independent=independent) for i in pending}
        try:
            while futures:
                finished, futures = wait(futures, timeout=0.2, return_when=FIRST_COMPLETED)
                for f in finished:
                    f.result()
                    done += 1
                    if bar is not None:
                        bar(1, done, len(pending))
        except BaseException:
            # Ctrl-C or a failed run: runs not started are dropped, runs in progress finish
            # (their folders are complete); the same call resumes.
            for f in futures:
                f.cancel()
            raise


def _on_dask(client: Any, file: str, out: str, pending: List[str], independent: bool, bar) -> None:
    from dask.distributed import as_completed

    # Task keys unique to the output folder: two sweeps with folders of the same name on one
    # client must not share futures.
    folder_key = hashlib.sha256(str(Path(out).resolve()).encode()).hexdigest()[:16]
    futures = [
        client.submit(_run_one_task, file, out, i, independent, key=f"scslab-{folder_key}-{i}", pure=False)
        for i in pending
    ]
    try:
        for done, f in enumerate(as_completed(futures), start=1):
            f.result()
            if bar is not None:
                bar(1, done, len(pending))
    except BaseException:
        client.cancel(futures)
        raise
