//! Runs and traces: `scslab_runner::run` (or `compare`) into an output folder, the folder the CLI
//! writes for the same scenario, and `scslab_runner::trace` of one agent of a finished run.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use pyo3::prelude::*;
use scslab_runner::{Progress as RunProgress, RunConfig, TraceTarget};
use scslab_scenario::{Overrides, Scenario};

use crate::blocking::{self, Progress};
use crate::errors;

fn scenario(py: Python<'_>, text: &str, origin: &str) -> PyResult<Scenario> {
    let mut s = scslab_scenario::parse(text, origin).map_err(|e| errors::scenario_error(py, &e))?;
    s.origin = origin.to_string();
    Ok(s)
}

/// Runs the scenario `text` (named `origin`, as `preset:NAME` or its file) into the folder
/// `out`, with the CLI's overrides, and against a counterfactual `(text, origin)` if given.
/// `on_progress(phase, days_done, days_total)` is called from this thread while the run goes on.
/// Returns the number of worker threads used.
#[pyfunction]
#[pyo3(signature = (text, origin, out, *, people=None, days=None, seed=None, threads=0, against=None,
    overwrite=false, command=String::new(), checkpoint_every=None, memory_limit=None, on_progress=None))]
pub fn run(
    py: Python<'_>,
    text: &str,
    origin: &str,
    out: PathBuf,
    people: Option<u64>,
    days: Option<u32>,
    seed: Option<u64>,
    threads: usize,
    against: Option<(String, String)>,
    overwrite: bool,
    command: String,
    checkpoint_every: Option<u32>,
    memory_limit: Option<u64>,
    on_progress: Option<Bound<'_, PyAny>>,
) -> PyResult<usize> {
    scslab_runner::check_threads(threads).map_err(|e| errors::run_error(py, &e))?;
    let mut scenario = scenario(py, text, origin)?;
    let overrides = Overrides { people, days, seed };
    scslab_scenario::apply_overrides(&mut scenario.params, overrides)
        .map_err(|e| errors::scenario_error(py, &e))?;
    let against = against.map(|(t, o)| self::scenario(py, &t, &o)).transpose()?;
    if checkpoint_every.is_some() && against.is_some() {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "checkpoint_every: only a single run can be checkpointed, not a comparison",
        ));
    }
    let interrupt = Arc::new(AtomicBool::new(false));
    let config = RunConfig {
        scenario,
        threads,
        out_dir: Some(out),
        memory_limit,
        command,
        checkpoint_every,
        overwrite,
        interrupt: Some(Arc::clone(&interrupt)),
    };
    scslab_runner::preflight(&config).map_err(|e| errors::run_error(py, &e))?;
    let progress = Progress::default();
    let work = || {
        // A comparison reports two runs: their days add up.
        let (mut base, mut total) = (0u64, 0u64);
        let mut report = |p: RunProgress| match p {
            RunProgress::Started { days, .. } => {
                base = total;
                total += u64::from(days);
                progress.start(total);
            }
            RunProgress::Day { done } => progress.done(base + u64::from(done)),
            RunProgress::Writing => progress.writing(),
        };
        match against {
            None => scslab_runner::run(&config, &mut report).map(|o| o.threads),
            Some(b) => scslab_runner::compare(&config, b, &mut report).map(|c| c.run.threads),
        }
    };
    let result = blocking::run(py, &progress, on_progress.as_ref(), &interrupt, work)?;
    result.map_err(|e| errors::run_error(py, &e))
}

/// Refuses a folder that is not a finished run's (no manifest), with the CLI's message.
#[pyfunction]
pub fn require_finished(py: Python<'_>, dir: PathBuf) -> PyResult<()> {
    scslab_runner::require_finished(&dir).map_err(|e| errors::run_error(py, &e.into()))
}

/// What `trace` returns: the folder written, the file stem and the agent's profile.
type Traced = (PathBuf, String, Vec<(String, String)>);

/// Re-simulates one person or company of the finished run in `dir` and writes its trace as the
/// CLI does (`dir/traces/STEM.*` and `STEM-days.*`). Returns `(folder, stem, profile)`.
#[pyfunction]
#[pyo3(signature = (dir, *, person=None, company=None))]
pub fn trace(py: Python<'_>, dir: PathBuf, person: Option<u32>, company: Option<u32>) -> PyResult<Traced> {
    let target = match (person, company) {
        (Some(id), None) => TraceTarget::Person(id),
        (None, Some(id)) => TraceTarget::Company(id),
        _ => {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "trace: give exactly one of person=ID or company=ID",
            ));
        }
    };
    scslab_runner::require_finished(&dir).map_err(|e| errors::run_error(py, &e.into()))?;
    let progress = Progress::default();
    let interrupt = Arc::new(AtomicBool::new(false));
    let work = || {
        let (_, trace) = scslab_runner::trace(&dir, target)?;
        let folder = scslab_runner::write_trace(&dir, target, &trace)?;
        Ok::<_, scslab_runner::RunError>((folder, trace.profile))
    };
    let (folder, profile) =
        blocking::run(py, &progress, None, &interrupt, work)?.map_err(|e| errors::run_error(py, &e))?;
    Ok((folder, target.stem(), profile))
}
