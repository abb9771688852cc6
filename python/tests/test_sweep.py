"""Sweeps: on threads and on a Dask LocalCluster of 2 workers, identical to `scslab sweep` of
the same file; a DataFrame design; a killed sweep resumes from the runs that are done."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

import scslab

COMBINED = ["runs.csv", "series.csv", "summary.csv", "runs.parquet", "series.parquet", "summary.parquet"]

SWEEP = """name = "t"
scenarios = ["none", "china-2020"]
people = 400
days = 12
replications = 2
seed = 9

[design]
kind = "latin_hypercube"
samples = 3
seed = 4

[[parameter]]
key = "behaviour.fear_perception"
min = 0.0
max = 2.0
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory, cli):
    """The sweep file and the CLI's sweep of it."""
    base = tmp_path_factory.mktemp("sweep")
    path = base / "t.toml"
    path.write_text(SWEEP)
    cli("sweep", path, "--out", base / "cli")
    return path, base / "cli"


def same(a: Path, b: Path):
    for name in COMBINED:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_a_sweep_on_threads_is_the_clis(files, tmp_path):
    path, cli_out = files
    result = scslab.sweep(path, out=tmp_path / "threads", workers=2)
    same(result.path, cli_out)
    assert result.executed == 12
    assert result.runs().height == 12
    assert set(result.summary()["scenario"].unique()) == {"none", "china-2020"}
    # The same call again runs nothing and changes nothing.
    again = scslab.sweep(path, out=tmp_path / "threads")
    assert again.executed == 0
    same(again.path, cli_out)


def test_a_sweep_on_a_dask_local_cluster_is_the_clis(files, tmp_path):
    from dask.distributed import Client, LocalCluster

    path, cli_out = files
    # Two threads per worker: tasks of one worker check the sweep file concurrently (this hung
    # when the file's cache lock was held with the GIL released).
    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            result = scslab.sweep(path, out=tmp_path / "dask", client=client)
            assert len(client.scheduler_info()["workers"]) == 2
    same(result.path, cli_out)
    assert result.executed == 12


def test_a_folder_of_another_sweep_is_refused(files, tmp_path):
    path, _ = files
    scslab.sweep(path, out=tmp_path / "one")
    other = tmp_path / "other.toml"
    other.write_text(SWEEP.replace("seed = 9", "seed = 10"))
    with pytest.raises(scslab.SweepError, match="different sweep"):
        scslab.sweep(other, out=tmp_path / "one")


def test_a_bad_sweep_file_is_located(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SWEEP.replace("replications = 2", "replications = 1"))
    with pytest.raises(scslab.ScenarioError) as info:
        scslab.sweep(bad, out=tmp_path / "x")
    assert info.value.file == str(bad.resolve()) and info.value.line == 5


def test_a_dataframe_design_runs_its_rows_as_the_cli_runs_its_file(tmp_path, cli):
    design = pl.DataFrame(
        {"behaviour.fear_perception": [0.0, 1.5, 0.5], "behaviour.deterrence_weight": [0.1, 0.0, 0.2]}
    )
    result = scslab.sweep(
        design=design, scenarios=["none", "china-2020"], name="d", people=300, days=10,
        replications=2, seed=3, out=tmp_path / "d",
    )
    file = tmp_path / "d.sweep.toml"
    assert 'kind = "points"' in file.read_text()
    runs = result.runs()
    assert runs.height == 2 * 3 * 2
    china = runs.filter(pl.col("scenario") == "china-2020").sort("point")
    assert china["behaviour.fear_perception"].unique(maintain_order=True).to_list() == [0.0, 1.5, 0.5]
    cli("sweep", file, "--out", tmp_path / "cli")
    same(result.path, tmp_path / "cli")


KILLED = """
import sys, scslab
scslab.sweep(sys.argv[1], out=sys.argv[2], workers=1)
"""


def test_a_killed_sweep_resumes_on_dask_from_the_runs_done(tmp_path):
    from dask.distributed import Client, LocalCluster

    # Runs long enough (a few tenths of a second each) to kill the sweep between them.
    path = tmp_path / "k.toml"
    path.write_text(SWEEP.replace("people = 400", "people = 20000").replace("days = 12", "days = 30"))
    reference = scslab.sweep(path, out=tmp_path / "whole", workers=2)
    out = tmp_path / "killed"
    p = subprocess.Popen([sys.executable, "-c", KILLED, str(path), str(out)])
    deadline = time.time() + 300
    try:
        while time.time() < deadline:
            if len(list(out.glob("runs/*/done.json"))) >= 2:
                break
            assert p.poll() is None, "the sweep finished before it could be killed"
            time.sleep(0.01)
        p.send_signal(signal.SIGKILL)
    finally:
        p.wait()
    done = len(list(out.glob("runs/*/done.json")))
    assert 2 <= done < 12, done
    assert not (out / "manifest.json").exists()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            result = scslab.sweep(path, out=out, client=client)
    assert result.executed == 12 - done
    same(result.path, reference.path)
