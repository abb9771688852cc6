"""Runs: the frames, their dtypes and values against the CLI's outputs for the same run, the
folder round trip, the GIL, Ctrl-C, panics and progress."""

import gc
import os
import signal
import threading
import time
from pathlib import Path

import polars as pl
import pytest

import scslab
from scslab import _native

SIZE = dict(people=3000, days=30, seed=5)

# What a run writes that does not depend on when or how it ran (the manifest has timings).
DATA_FILES = [
    f"{t}.{ext}"
    for t in (
        "series_persons",
        "series_persons_by_group",
        "series_firms",
        "series_firms_by_province",
        "firm_grades",
        "distributions",
        "summary",
    )
    for ext in ("csv", "parquet")
] + ["scenario.toml", "replay.bin"]


@pytest.fixture(scope="module")
def pair(tmp_path_factory, cli):
    """The same run from the CLI and from Python."""
    base = tmp_path_factory.mktemp("pair")
    cli("run", "--preset", "china-2020", "--people", SIZE["people"], "--days", SIZE["days"],
        "--seed", SIZE["seed"], "--out", base / "cli")
    run = scslab.run("china-2020", out=base / "py", **SIZE)
    return base / "cli", run


def test_the_folder_is_the_clis_byte_for_byte(pair):
    cli_dir, run = pair
    for name in DATA_FILES:
        assert (run.path / name).read_bytes() == (cli_dir / name).read_bytes(), name


def test_frames_equal_the_clis_csv(pair):
    cli_dir, run = pair
    frames = {
        "series_persons": run.series(),
        "series_persons_by_group": run.series_by_group(),
        "series_firms": run.firms(),
        "series_firms_by_province": run.firms_by_province(),
        "firm_grades": run.firm_grades(),
        "distributions": run.distributions(),
        "summary": run.summary(),
    }
    for name, frame in frames.items():
        csv = pl.read_csv(cli_dir / f"{name}.csv", infer_schema=False)
        assert frame.columns == csv.columns, name
        assert frame.height == csv.height, name
        for col in frame.columns:
            a, b = frame[col], csv[col]
            if a.dtype.is_float():
                # Floats are written in Rust's shortest round-trip form, so they parse back
                # exactly; an undefined value (NaN) is an empty CSV field.
                assert a.fill_nan(None).equals(b.cast(pl.Float64)), (name, col)
            else:
                assert a.cast(pl.String).equals(b), (name, col)


def test_dtypes(pair):
    _, run = pair
    s = run.series()
    assert s.height == SIZE["days"]
    assert s["day"].dtype.is_integer()
    assert s["compliance_rate"].dtype == pl.Float64
    assert run.summary().schema == pl.Schema(
        {"outcome": pl.String, "label": pl.String, "value": pl.Float64, "unit": pl.String}
    )
    assert run.distributions()["count"].dtype == pl.UInt64
    assert run.series().to_pandas().shape == (SIZE["days"], s.width)


def test_manifest_and_scenario(pair):
    _, run = pair
    m = run.manifest
    assert (m["people"], m["days"], m["seed"]) == (SIZE["people"], SIZE["days"], SIZE["seed"])
    assert m["scenario"]["origin"] == "preset:china-2020"
    assert run.scenario.name == "china-2020"
    assert run.headline("compliance_rate") == run.summary()["value"][0]


def test_save_and_load_round_trip_and_temporary_folders_go(tmp_path):
    run = scslab.run("none", people=500, days=10, seed=1)
    assert run.temporary
    temp = run.path
    saved = run.save(tmp_path / "kept")
    loaded = scslab.load(tmp_path / "kept")
    assert loaded.series().equals(run.series())
    assert loaded.manifest == run.manifest == saved.manifest
    with pytest.raises(scslab.RunError, match="not empty"):
        run.save(tmp_path / "kept")
    run.save(tmp_path / "kept", overwrite=True)
    # overwrite=True replaces a finished run's folder only, never other files or the run itself.
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    with pytest.raises(scslab.RunError, match="notes.txt"):
        run.save(tmp_path / "mine", overwrite=True)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "mine"
    with pytest.raises(scslab.RunError, match="own folder"):
        run.save(run.path, overwrite=True)
    with pytest.raises(scslab.RunError, match="own folder"):
        saved.save(tmp_path, overwrite=True)
    del run
    gc.collect()
    assert not temp.exists()
    assert (tmp_path / "kept" / "manifest.json").is_file()


def test_a_misspelled_preset_lists_the_presets():
    with pytest.raises(scslab.ScenarioError, match="china-2020") as info:
        scslab.run("china-2021", people=100, days=3)
    assert "china-2021" in str(info.value)


def test_bad_folders_are_refused(tmp_path):
    with pytest.raises(scslab.RunError, match="no such folder"):
        scslab.load(tmp_path / "missing")
    (tmp_path / "half").mkdir()
    with pytest.raises(scslab.RunError):
        scslab.load(tmp_path / "half")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(scslab.RunError) as info:
        scslab.run("none", people=100, days=3, out=tmp_path / "other")
    assert info.value.kind == "folder"
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"


def test_a_comparison_has_its_counterfactual():
    run = scslab.run("china-2020", people=1000, days=10, seed=2, against="none")
    c = run.comparison()
    assert c.columns == ["outcome", "label", "scenario", "against", "difference", "unit"]
    assert run.against.manifest["scenario"]["name"] == "none"
    joined = c.join(run.against.summary(), on="outcome")
    # The counterfactual's column is its own summary, undefined values (NaN) included.
    assert joined.height == run.against.summary().height
    assert joined["against"].fill_nan(None).equals(joined["value"].fill_nan(None), check_names=False)
    with pytest.raises(scslab.RunError):
        run.against.comparison()


def test_trace_re_simulates_one_person(tmp_path):
    run = scslab.run("china-2020", people=1000, days=15, seed=3, out=tmp_path / "r")
    t = scslab.trace(run, person=7)
    assert t.days.height == 15
    assert set(t.events.columns) >= {"day", "kind", "what", "value", "detail"}
    assert t.profile
    assert (tmp_path / "r" / "traces" / "person-7.csv").is_file()
    with pytest.raises(scslab.RunError) as info:
        scslab.trace(run, person=10**9)
    assert info.value.kind == "trace"


def test_a_rust_panic_becomes_a_python_exception_and_the_interpreter_goes_on():
    with pytest.raises(scslab.PanicError, match="boom"):
        _native.panic_on_worker("boom")
    assert scslab.run("none", people=200, days=3).series().height == 3


def test_progress_is_reported_and_a_failing_callback_stops_the_run(tmp_path):
    calls = []
    sc = scslab.Scenario.preset("none")
    _native.run(sc.to_toml(), sc.origin, str(tmp_path / "a"), people=2000, days=20,
                on_progress=lambda *a: calls.append(a))
    assert calls and calls[-1][1:] == (20, 20)
    assert all(b[1] >= a[1] for a, b in zip(calls, calls[1:]))

    def fail(*_):
        raise ValueError("stop here")

    with pytest.raises(ValueError, match="stop here"):
        _native.run(sc.to_toml(), sc.origin, str(tmp_path / "b"), people=20000, days=365, on_progress=fail)
    assert not (tmp_path / "b" / "manifest.json").exists()


def test_the_gil_is_released_during_a_run():
    ticks = 0
    done = threading.Event()

    def count():
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    start = time.perf_counter()
    scslab.run("china-2020", people=100_000, days=40, seed=1, threads=1)
    elapsed = time.perf_counter() - start
    done.set()
    t.join()
    # A thread that got the GIL only between calls would count a handful of ticks.
    assert elapsed > 0.1 and ticks > elapsed * 100, (elapsed, ticks)


def test_ctrl_c_stops_the_run_cleanly(tmp_path):
    out = tmp_path / "stopped"
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        scslab.run("china-2020", people=200_000, days=1000, seed=1, out=out)
    elapsed = time.perf_counter() - start
    timer.cancel()
    assert elapsed < 30, elapsed
    # Stopped at the end of a day: partial series kept, no manifest.
    assert not (out / "manifest.json").exists()
    assert any(p.name.endswith(".partial") for p in out.iterdir())
    # The interpreter goes on.
    assert scslab.run("none", people=100, days=2).series().height == 2


def test_a_progress_bar_is_drawn_when_asked_and_not_otherwise(capsys):
    scslab.run("none", people=500, days=5, progress=True)
    drawn = capsys.readouterr().err
    assert "none" in drawn and "day" in drawn
    scslab.run("none", people=500, days=5, progress=False)
    assert capsys.readouterr().err == ""


def test_arguments_of_the_wrong_type_raise_type_errors():
    with pytest.raises(TypeError):
        scslab.run("none", people="many", days=5)
    with pytest.raises(TypeError):
        scslab.run("none", people=100, days=2.5)
