//! Sweeps: the whole sweep on this machine (`scslab_experiment::run_sweep`, what `scslab sweep`
//! runs), or its parts for a Dask cluster (`prepare`, one run by id, then `run_sweep` again to
//! combine: see `scslab_experiment::distributed`).
//!
//! A sweep file is checked once per process: the last one read is kept (keyed by its path and
//! text), so the many tasks of one sweep that a Dask worker runs do not each re-check every
//! design point.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use scslab_experiment::{Streams, Sweep, SweepConfig, SweepProgress};

use crate::blocking::{self, Progress};
use crate::errors;

static LAST: Mutex<Option<(PathBuf, String, Arc<Sweep>)>> = Mutex::new(None);

/// The checked sweep of the file `path` (the last one is cached).
fn load(py: Python<'_>, path: &Path) -> PyResult<Arc<Sweep>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let file = path.display().to_string();
        errors::scenario_error(py, &scslab_scenario::ScenarioError::Read { file, source: e })
    })?;
    // The lock is never held while the GIL is released: another thread holding the GIL and
    // waiting for the lock would then wait forever (Dask workers run tasks on several threads).
    {
        let last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((p, t, s)) = last.as_ref()
            && p == path
            && *t == text
        {
            return Ok(Arc::clone(s));
        }
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let file = path.display().to_string();
    let sweep = py
        .detach(|| scslab_experiment::parse(&text, &file, base))
        .map_err(|e| errors::scenario_error(py, &e))?;
    let sweep = Arc::new(sweep);
    *LAST.lock().unwrap_or_else(|e| e.into_inner()) = Some((path.to_path_buf(), text, Arc::clone(&sweep)));
    Ok(sweep)
}

fn config(out: PathBuf, independent: bool, workers: usize, command: String) -> SweepConfig {
    let streams = if independent { Streams::Independent } else { Streams::Common };
    SweepConfig { out_dir: out, workers, streams, command }
}

/// Checks a sweep file; returns `{name, scenarios, parameters, points, replications, people,
/// days, seed, runs}`.
#[pyfunction]
pub fn sweep_check<'py>(py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    let s = load(py, &path)?;
    let d = pyo3::types::PyDict::new(py);
    d.set_item("name", &s.name)?;
    d.set_item("scenarios", s.scenarios.iter().map(|x| x.name.clone()).collect::<Vec<_>>())?;
    d.set_item("parameters", s.parameters.iter().map(|p| p.key.clone()).collect::<Vec<_>>())?;
    d.set_item("points", s.points.clone())?;
    d.set_item("replications", s.replications)?;
    d.set_item("people", s.people)?;
    d.set_item("days", s.days)?;
    d.set_item("seed", s.seed)?;
    d.set_item("runs", s.budget.runs)?;
    Ok(d)
}

/// One run of a plan: `(id, scenario, point, replication, seed, done)`.
type Planned = (String, usize, usize, u32, u64, bool);

/// Prepares the folder `out` for the sweep of `path` and lists its runs:
/// `[(id, scenario, point, replication, seed, done)]`.
#[pyfunction]
#[pyo3(signature = (path, out, *, independent=false, workers=1))]
pub fn sweep_plan(
    py: Python<'_>,
    path: PathBuf,
    out: PathBuf,
    independent: bool,
    workers: usize,
) -> PyResult<Vec<Planned>> {
    let s = load(py, &path)?;
    // The memory check is for `workers` runs at once on this machine.
    let cfg = config(out, independent, workers, String::new());
    let listed =
        py.detach(|| scslab_experiment::prepare(&s, &cfg)).map_err(|e| errors::sweep_error(py, &e))?;
    Ok(listed.into_iter().map(|(r, done)| (r.id, r.scenario, r.point, r.replication, r.seed, done)).collect())
}

/// Runs the run `id` of the sweep of `path` into `out` (see `sweep_plan`), with the GIL
/// released. Returns `False` if it was already done.
#[pyfunction]
#[pyo3(signature = (path, out, id, *, independent=false))]
pub fn sweep_run_one(
    py: Python<'_>,
    path: PathBuf,
    out: PathBuf,
    id: &str,
    independent: bool,
) -> PyResult<bool> {
    let s = load(py, &path)?;
    let cfg = config(out, independent, 1, String::new());
    let progress = Progress::default();
    let interrupt = Arc::new(AtomicBool::new(false));
    let work = || scslab_experiment::run_planned(&s, &cfg, id);
    blocking::run(py, &progress, None, &interrupt, work)?.map_err(|e| errors::sweep_error(py, &e))
}

/// Runs the sweep of `path` into `out` on `workers` threads (0: every core), as `scslab sweep`
/// does, resuming a folder started by the same sweep, and writes the combined dataset (the
/// folder is locked meanwhile, as by the CLI). `on_progress(phase, runs_done, runs_to_run)` is
/// called from this thread. The Python package runs the runs itself (`sweep_run_one`, so that
/// Ctrl-C stops between runs) and calls this last, when it only combines. Returns the number
/// of runs run by this call.
#[pyfunction]
#[pyo3(signature = (path, out, *, workers=0, independent=false, command=String::new(), on_progress=None))]
pub fn sweep(
    py: Python<'_>,
    path: PathBuf,
    out: PathBuf,
    workers: usize,
    independent: bool,
    command: String,
    on_progress: Option<Bound<'_, PyAny>>,
) -> PyResult<usize> {
    scslab_runner::check_threads(workers).map_err(|e| errors::run_error(py, &e))?;
    let s = load(py, &path)?;
    let _lock = scslab_runner::lock_folder(&out).map_err(|e| errors::run_error(py, &e.into()))?;
    let cfg = config(out, independent, workers, command);
    let progress = Progress::default();
    let interrupt = Arc::new(AtomicBool::new(false));
    let work = || {
        let report = |p: SweepProgress| match p {
            SweepProgress::Planned { to_run, .. } => progress.start(to_run as u64),
            SweepProgress::RunDone { .. } => progress.add_one(),
            SweepProgress::Combining => progress.writing(),
        };
        scslab_experiment::run_sweep(&s, &cfg, &report).map(|o| o.executed.len())
    };
    let result = blocking::run(py, &progress, on_progress.as_ref(), &interrupt, work)?;
    result.map_err(|e| errors::sweep_error(py, &e))
}
