//! Running and resuming the runs of a sweep.
//!
//! Every run is listed up front (`plan.rs`) in a fixed order (scenario, then design point, then
//! replication) with a stable id. The workers of `pool.rs` take runs from that list one at a time; each run is an ordinary
//! single-threaded `scslab_runner::run`, so its result depends only on its scenario and seed, not
//! on the number of workers or the order in which runs finish.

use std::path::Path;
use std::time::Instant;

use scslab_runner::RunConfig;

use crate::combine::{self, SensitivityRow, SummaryRow};
use crate::file::Sweep;
use crate::plan::{RunSpec, plan, sweep_fingerprint};
use crate::pool;
use crate::results::{self, is_done};
use crate::{SweepConfig, SweepError, SweepProgress};

/// What a sweep did.
#[derive(Clone, Debug)]
pub struct SweepOutcome {
    /// Every run of the sweep, in plan order.
    pub runs: Vec<RunSpec>,
    /// Ids of the runs executed by this invocation, in plan order (the others were reused).
    pub executed: Vec<String>,
    /// Workers used.
    pub workers: usize,
    /// The summary statistics, as written to `summary.csv`.
    pub summary: Vec<SummaryRow>,
    /// The sensitivity indices, as written to `sensitivity.csv` (empty unless the design is
    /// Morris or Sobol').
    pub sensitivity: Vec<SensitivityRow>,
    /// Wall-clock seconds of this invocation.
    pub wall_seconds: f64,
}

/// Runs every run of the sweep that has not finished yet, then writes the combined dataset and
/// the manifest.
///
/// Before any run: the memory preflight (for `workers` runs at a time) and the folder check (a
/// folder started by a different sweep is refused). A failed run stops the sweep after the runs
/// in progress finish; finished runs keep their files, so the same command resumes.
pub fn run_sweep(
    sweep: &Sweep,
    config: &SweepConfig,
    progress: &(dyn Fn(SweepProgress) + Sync),
) -> Result<SweepOutcome, SweepError> {
    let t0 = Instant::now();
    let out = config.out_dir.as_path();
    let runs = plan(sweep, config.streams);
    let workers = pool::workers(config.workers);
    preflight(sweep, workers)?;
    check_folder(sweep, config, &runs)?;
    let pending: Vec<usize> = (0..runs.len()).filter(|&i| !is_done(out, &runs[i].id)).collect();
    progress(SweepProgress::Planned { runs: runs.len(), to_run: pending.len() });
    let workers = workers.min(pending.len()).max(1);
    let mut executed = execute(sweep, out, &runs, &pending, workers, progress)?;
    executed.sort_unstable();
    progress(SweepProgress::Combining);
    let mut was_executed = vec![false; runs.len()];
    for &i in &executed {
        was_executed[i] = true;
    }
    let (summary, sensitivity) = combine::combine(sweep, config, &runs, &was_executed, workers, t0)?;
    Ok(SweepOutcome {
        executed: executed.iter().map(|&i| runs[i].id.clone()).collect(),
        runs,
        workers,
        summary,
        sensitivity,
        wall_seconds: t0.elapsed().as_secs_f64(),
    })
}

/// Checks that `workers` runs of the largest scenario fit in memory at once.
pub(crate) fn preflight(sweep: &Sweep, workers: usize) -> Result<(), SweepError> {
    let available = scslab_output::machine_memory().map(|m| m.available_bytes);
    for s in sweep.variants.iter().flatten() {
        let mut cfg = RunConfig::new(s.clone());
        cfg.memory_limit = available.map(|a| a / workers as u64);
        scslab_runner::preflight(&cfg).map_err(SweepError::Memory)?;
    }
    Ok(())
}

/// Writes `plan.json` into a new folder, or checks that an existing folder was started by the
/// same sweep.
pub(crate) fn check_folder(sweep: &Sweep, config: &SweepConfig, runs: &[RunSpec]) -> Result<(), SweepError> {
    let out = &config.out_dir;
    let expected = sweep_fingerprint(sweep, config.streams);
    let plan_path = out.join("plan.json");
    if out.exists() && !out.is_dir() {
        return Err(SweepError::Folder { out: out.clone(), message: "is a file, not a folder".into() });
    }
    if !plan_path.exists() && !out.join("runs").exists() {
        // A folder with other files (a run's, an audit's, anything) is not mixed with a sweep.
        // The lock of the process writing the folder (`scslab_output::lock`) is not an entry.
        let entries = scslab_output::entries(out).map(|e| e.len()).unwrap_or(0);
        if entries > 0 {
            return Err(SweepError::Folder {
                out: out.clone(),
                message: format!("holds {entries} files or folders that are not a sweep's (no plan.json)"),
            });
        }
    }
    if plan_path.is_file() {
        let text = std::fs::read_to_string(&plan_path)
            .map_err(|e| SweepError::Corrupt { path: plan_path.clone(), message: e.to_string() })?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| SweepError::Corrupt { path: plan_path.clone(), message: e.to_string() })?;
        let found = value["fingerprint"].as_str().unwrap_or("none").to_string();
        if found != expected {
            return Err(SweepError::Changed { out: out.clone(), expected, found });
        }
        return Ok(());
    }
    if out.join("runs").exists() {
        // Runs without a plan could come from any sweep: refuse rather than mix.
        return Err(SweepError::Changed {
            out: out.clone(),
            expected,
            found: "none (plan.json is missing)".into(),
        });
    }
    scslab_output::prepare_dir(out)?;
    let plan = serde_json::json!({
        "scslab_version": env!("CARGO_PKG_VERSION"),
        "sweep": sweep.name,
        "sweep_file": sweep.file,
        "fingerprint": expected,
        "streams": config.streams.name(),
        "runs": runs.iter().map(|r| serde_json::json!({"id": r.id, "seed": r.seed})).collect::<Vec<_>>(),
    });
    scslab_output::write_json(out, "plan.json", &plan)?;
    Ok(())
}

/// Runs the pending runs on `workers` threads; returns the indices of the runs finished.
fn execute(
    sweep: &Sweep,
    out: &Path,
    runs: &[RunSpec],
    pending: &[usize],
    workers: usize,
    progress: &(dyn Fn(SweepProgress) + Sync),
) -> Result<Vec<usize>, SweepError> {
    let on_done = |k: usize, done: usize| {
        progress(SweepProgress::RunDone { id: runs[pending[k]].id.clone(), done, to_run: pending.len() });
    };
    pool::run("sweep", pending, workers, |_, &i| run_one(sweep, out, &runs[i]), on_done)?;
    Ok(pending.to_vec())
}

/// One run: simulate on one thread, then write its files (marker last).
pub(crate) fn run_one(sweep: &Sweep, out: &Path, spec: &RunSpec) -> Result<(), SweepError> {
    let mut scenario = sweep.variants[spec.scenario][spec.point].clone();
    scenario.params.seed = spec.seed;
    let mut cfg = RunConfig::new(scenario);
    cfg.threads = 1;
    let outcome = scslab_runner::run(&cfg, &mut |_| {})
        .map_err(|source| SweepError::Run { id: spec.id.clone(), source })?;
    results::write_run(out, spec, &outcome, Instant::now())?;
    Ok(())
}
