//! Experiments over scslab runs: a sweep file lists scenarios, parameter values (a grid or a
//! Latin hypercube) and replications; this crate checks it, lists every run up front, runs them
//! in parallel through `scslab-runner`, and combines the results into one tidy dataset with
//! means, 95% confidence intervals and paired differences between scenarios.
//!
//! It never changes the model: every run is an ordinary `scslab_runner::run` of a scenario that
//! the scenario reader has checked, and a swept value is written into the scenario's own TOML
//! before it is read. It writes only through `scslab-output` and prints nothing; progress goes
//! through a callback.
//!
//! Output folder (`SweepConfig::out_dir`):
//! - `plan.json`: the sweep's fingerprint and run list, written before the first run;
//! - `runs/<run_id>/`: each run's headlines and daily series, with `done.json` written last;
//! - `runs.*`, `series.*`, `summary.*` (CSV and Parquet), then `manifest.json`, written last.
//!
//! A sweep restarted on the same folder runs only the runs without `done.json`, and refuses to
//! continue a folder started from a different sweep.
//!
//! [`audit`] measures a scenario against the AI Act's prohibition of social scoring (Art.
//! 5(1)(c)) over replications run in memory, with 95% intervals and a finding per criterion
//! (docs/AUDIT.md).
//!
//! [`equivalence`] compares each scenario with a variant of it (`--set KEY=VALUE`) over disjoint
//! seeds, outcome by outcome and day by day, for issue 14's "same model in distribution"
//! (docs/EXPERIMENTS.md, "Equivalence of two variants").
//!
//! ```no_run
//! use scslab_experiment::{SweepConfig, load, run_sweep};
//! let sweep = load(std::path::Path::new("examples/sweeps/tiny.toml")).unwrap();
//! let outcome = run_sweep(&sweep, &SweepConfig::new("out/tiny".into()), &|_| {}).unwrap();
//! println!("{} runs executed", outcome.executed.len());
//! ```

pub mod audit;
pub mod calibration;
mod combine;
mod crn;
pub mod design;
mod distributed;
pub mod equivalence;
mod execute;
mod file;
pub mod format;
mod plan;
mod pool;
mod results;
pub mod sensitivity;
mod table_design;

/// Statistics over replications (t quantiles, means and 95% intervals, paired and Welch
/// differences): the shared `scslab-stats` crate, which the report uses too.
pub use scslab_stats as stats;

use std::path::PathBuf;

pub use combine::{RowKind, SensitivityRow, SummaryRow};
pub use crn::{CrnRow, measure_crn};
pub use design::{Range, Streams, replication_seed};
pub use distributed::{prepare, run_planned};
pub use execute::{SweepOutcome, run_sweep};
pub use file::{
    BYTES_PER_SERIES_ROW, Budget, CONSERVATIVE_RATE, Design, MAX_DATASET_BYTES, MAX_NAME_LEN,
    MAX_PERSON_DAYS, MAX_POINTS, MAX_RUNS, MIN_REPLICATIONS, Parameter, Sweep, check_name, load, parse,
};
pub use plan::{RunSpec, plan};
pub use results::SERIES;

use scslab_output::OutputError;
use scslab_runner::RunError;
use scslab_scenario::ScenarioError;

/// How to run a sweep.
#[derive(Clone, Debug)]
pub struct SweepConfig {
    /// The output folder.
    pub out_dir: PathBuf,
    /// Runs at a time; 0 uses all cores. Each run is single-threaded, so results do not depend on
    /// it.
    pub workers: usize,
    /// Common random numbers (the default) or independent streams per scenario.
    pub streams: Streams,
    /// The command line, recorded in the manifest.
    pub command: String,
}

impl SweepConfig {
    /// All cores, common random numbers, into `out_dir`.
    pub fn new(out_dir: PathBuf) -> SweepConfig {
        SweepConfig { out_dir, workers: 0, streams: Streams::Common, command: String::new() }
    }
}

/// Progress of a sweep. Reported from worker threads, in the order runs finish.
#[derive(Clone, Debug)]
pub enum SweepProgress {
    /// The runs are listed: `to_run` of `runs` still have to run (the others finished before).
    Planned {
        /// Runs in the sweep.
        runs: usize,
        /// Runs without a completion marker.
        to_run: usize,
    },
    /// A run finished and its files are written.
    RunDone {
        /// Its run id.
        id: String,
        /// Runs finished in this invocation so far.
        done: usize,
        /// Runs to run in this invocation.
        to_run: usize,
    },
    /// The combined dataset is being written.
    Combining,
}

impl From<pool::StartError> for SweepError {
    fn from(e: pool::StartError) -> SweepError {
        SweepError::Threads(e.0)
    }
}

/// Why a sweep could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The sweep file or a scenario it names is invalid (file, line, column, message).
    #[error(transparent)]
    Input(#[from] ScenarioError),
    /// The output folder holds a sweep started from a different sweep file, scenario, stream
    /// mode or scslab version.
    #[error(
        "{out} holds a sweep started from a different sweep (fingerprint {found}, this one is {expected}): \
         the sweep file, a scenario it names, --independent or the scslab version changed since; \
         use another --out or delete that folder"
    )]
    Changed {
        /// The output folder.
        out: PathBuf,
        /// Fingerprint of this sweep.
        expected: String,
        /// Fingerprint recorded in the folder.
        found: String,
    },
    /// A run failed (memory preflight, thread pool, writing).
    #[error("run {id}: {source}")]
    Run {
        /// The run id (empty for the preflight).
        id: String,
        /// What went wrong.
        source: RunError,
    },
    /// The memory preflight refused the sweep before any run.
    #[error(transparent)]
    Memory(RunError),
    /// A file could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A file of a finished run, or the plan, could not be read back.
    #[error("cannot read {path}: {message}; delete that run's folder to run it again")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Worker threads could not be started.
    #[error("cannot start worker threads: {0}")]
    Threads(String),
    /// The output folder cannot hold this sweep: it is a file, or it holds files that are not a
    /// sweep's (no `plan.json`). Nothing was written. Bad input: the CLI exits with 2.
    #[error("--out {}: {message}; use another --out or delete it", out.display())]
    Folder {
        /// The output folder.
        out: PathBuf,
        /// What is wrong.
        message: String,
    },
}
