//! The API boundary of scslab: run a scenario, or compare it with a counterfactual using common
//! random numbers, and write the outputs. Front ends (the CLI today) call only this crate.
//!
//! A run is: check memory, build the population, step every day (reporting progress through a
//! callback, and appending each day's series rows to `{table}.csv.partial` files, see
//! `stream.rs`), then write the daily series, end-of-run distributions, headline summary, the
//! scenario text, remove the partial files, and write `manifest.json` (last, so a folder with a
//! manifest is complete).
//!
//! ```no_run
//! use scslab_runner::{RunConfig, run};
//! let scenario = scslab_scenario::preset("none").unwrap();
//! let outcome = run(&RunConfig::new(scenario), &mut |_| {}).unwrap();
//! println!("{}", outcome.headlines[0].value);
//! ```

mod checkpoint;
mod folder;
mod series;
mod stream;
mod summary;
mod trace;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use scslab_model::metrics::DayMetrics;
use scslab_model::sim::{MemoryEstimate, Simulation, estimate_memory};
use scslab_model::state::StateError;
use scslab_output::{ColumnData, OutputError, Table};
use scslab_scenario::Scenario;
use stream::SeriesStream;

pub use checkpoint::{CHECKPOINT_FILE, RUN_FILE, scenario_key};
pub use folder::{MANIFEST_FILE, UNFINISHED_FILE, claim_result, require_finished};
pub use scslab_output::{FolderError, FolderLock, lock as lock_folder};
pub use series::{Derived, Dimension, PERSON_DERIVED, SeriesBuilder};
pub use summary::{Headline, Outcome, headlines, unit_of};
pub use trace::{REPLAY_FILE, TraceTarget, trace, write_trace};

/// The tables a run writes, each as `NAME.csv` and `NAME.parquet` (beside `scenario.toml` and
/// `manifest.json`).
pub const OUTPUT_TABLES: [&str; 7] = [
    "series_persons",
    "series_persons_by_group",
    "series_firms",
    "series_firms_by_province",
    "firm_grades",
    "distributions",
    "summary",
];

/// Every data file a finished run writes (all but the manifest, whose timings differ between
/// runs): each output table in both formats, the scenario and the replay log. Two runs of the
/// same scenario and seed write these byte for byte the same, whatever the threads.
pub fn data_files() -> Vec<String> {
    let tables = OUTPUT_TABLES.iter().flat_map(|t| [format!("{t}.csv"), format!("{t}.parquet")]);
    tables.chain(["scenario.toml".to_string(), REPLAY_FILE.to_string()]).collect()
}

/// What to run.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// The scenario (with overrides already applied to its parameters).
    pub scenario: Scenario,
    /// Worker threads; 0 uses all cores.
    pub threads: usize,
    /// Output folder; `None` runs without writing.
    pub out_dir: Option<PathBuf>,
    /// Memory limit in bytes for the preflight; `None` uses the machine's available memory.
    pub memory_limit: Option<u64>,
    /// The command line that started the run, recorded in the manifest.
    pub command: String,
    /// Write a checkpoint every this many days (needs `out_dir`), so that [`resume`] can
    /// finish the run if it is killed.
    pub checkpoint_every: Option<u32>,
    /// Clear `out_dir` first if it holds another run's files (it is refused otherwise).
    pub overwrite: bool,
    /// Set (by a signal handler, say) to stop the run cleanly at the end of the current day:
    /// the run returns [`RunError::Interrupted`], keeping its partial series and last checkpoint
    /// and writing no manifest.
    pub interrupt: Option<Arc<AtomicBool>>,
}

impl RunConfig {
    /// A run of `scenario` on all cores, writing nothing.
    pub fn new(scenario: Scenario) -> RunConfig {
        RunConfig {
            scenario,
            threads: 0,
            out_dir: None,
            memory_limit: None,
            command: String::new(),
            checkpoint_every: None,
            overwrite: false,
            interrupt: None,
        }
    }

    fn interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }
}

/// The most worker threads a run, sweep, audit or calibration accepts. More threads than cores
/// never make a run faster, and thousands of them make a small run take minutes.
pub const MAX_THREADS: usize = 256;

/// Progress of a run.
#[derive(Clone, Copy, Debug)]
pub enum Progress {
    /// The population is built; `days` will be simulated.
    Started {
        /// Days to simulate.
        days: u32,
        /// Persons.
        persons: u64,
    },
    /// A day is done.
    Day {
        /// Days done.
        done: u32,
    },
    /// Outputs are being written.
    Writing,
}

/// Wall-clock timings of a run, in seconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// Building the population.
    pub setup: f64,
    /// Simulating the days.
    pub simulate: f64,
    /// Simulating the first of them (part of `simulate`). Under the event-driven day, day 0
    /// may visit more adults in full than a later day (ODD 7.26, "Day 0 (entering)"), so the
    /// days after it are the engine's steady pace.
    pub first_day: f64,
    /// After the last day, before writing: the end-of-run distributions (a pass over every
    /// person) and the replay log.
    pub end_of_run: f64,
    /// Writing outputs.
    pub write: f64,
}

/// What a run produced.
#[derive(Debug)]
pub struct RunOutcome {
    /// Headline outcomes.
    pub headlines: Vec<Headline>,
    /// The daily series.
    pub series: SeriesBuilder,
    /// Timings.
    pub timings: Timings,
    /// Memory estimate used by the preflight.
    pub memory: MemoryEstimate,
    /// Peak resident memory of the process, if known.
    pub peak_rss_bytes: Option<u64>,
    /// Threads used.
    pub threads: usize,
    /// The day the run was resumed from (by [`resume`]), if it was.
    pub resumed_from_day: Option<u32>,
}

impl std::fmt::Debug for SeriesBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeriesBuilder").field("days", &self.n_days()).finish()
    }
}

/// Why a run could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The state would not fit in memory.
    #[error(
        "this run needs about {needed_gib:.1} GiB of memory but {limit_gib:.1} GiB is available; \
         at most about {max_people} people fit (use --people)"
    )]
    Memory {
        /// Estimated need.
        needed_gib: f64,
        /// The limit.
        limit_gib: f64,
        /// Largest population that fits.
        max_people: u64,
    },
    /// Outputs could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// `resume`: the folder has no checkpoint (or no `run.json`) to resume from.
    #[error(
        "{}: no such file: nothing to resume (the run was not started with --checkpoint-every, \
         finished, or was stopped before its first checkpoint)",
        path.display()
    )]
    NoCheckpoint {
        /// The missing file.
        path: PathBuf,
    },
    /// `resume`, `trace`: a run's file cannot be used: `run.json` or `manifest.json` cannot be
    /// read or does not describe a valid run, or a checkpoint or replay log was written by
    /// another scslab (the message says what to do instead).
    #[error("{}: {message}", path.display())]
    RunFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// `resume`: the checkpoint was refused (truncated, corrupt, other version or scenario).
    #[error("{}: refused: {source}", path.display())]
    Checkpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// Why it was refused.
        source: StateError,
    },
    /// `trace`: the agent cannot be traced.
    #[error("{0}")]
    Trace(#[from] scslab_model::trace::TraceError),
    /// More worker threads than [`MAX_THREADS`] were asked for.
    #[error(
        "--threads {threads}: at most {max} worker threads (0 uses every core; results do not \
         depend on the thread count)"
    )]
    TooManyThreads {
        /// Threads asked for.
        threads: usize,
        /// The cap, [`MAX_THREADS`].
        max: usize,
    },
    /// The output folder cannot be used (not a folder, locked, not empty, foreign files).
    #[error(transparent)]
    Folder(#[from] FolderError),
    /// The run was interrupted (Ctrl-C, SIGTERM) at the end of a day. Its folder keeps the
    /// series written so far (`*.csv.partial`) and its last checkpoint, if any, and has no
    /// manifest.
    #[error("interrupted after day {day} of {days}")]
    Interrupted {
        /// Days done.
        day: u32,
        /// Days the run was to simulate.
        days: u32,
        /// The output folder, if the run wrote one.
        dir: Option<PathBuf>,
        /// The day of the last checkpoint kept, from which `resume` continues.
        checkpoint_day: Option<u32>,
    },
    /// A scenario's name that would become a path is not a safe folder name (a scenario built in
    /// code, bypassing the scenario reader's check).
    #[error("scenario name `{name}`: expected {}", scslab_scenario::NAME_RULE)]
    UnsafeName {
        /// The name.
        name: String,
    },
    /// The thread pool could not be started.
    #[error("cannot start {threads} worker threads: {message}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Why.
        message: String,
    },
}

const GIB: f64 = (1u64 << 30) as f64;

/// Checks that the run fits in memory, before anything is allocated.
pub fn preflight(config: &RunConfig) -> Result<MemoryEstimate, RunError> {
    let params = &config.scenario.params;
    let estimate = estimate_memory(params);
    let limit = config
        .memory_limit
        .or_else(|| scslab_output::machine_memory().map(|m| m.available_bytes))
        .unwrap_or(u64::MAX);
    if estimate.total_bytes > limit {
        let per_person = estimate.total_bytes as f64 / params.n_persons as f64;
        return Err(RunError::Memory {
            needed_gib: estimate.total_bytes as f64 / GIB,
            limit_gib: limit as f64 / GIB,
            max_people: (limit as f64 / per_person * 0.95) as u64,
        });
    }
    Ok(estimate)
}

/// Runs a scenario to the end and writes its outputs (if an output folder is set). With
/// `checkpoint_every` it also writes `run.json` first and a checkpoint every N days, which
/// [`resume`] continues from.
///
/// The output folder is claimed first: locked against other processes, and refused if it holds
/// anything but this run's own unfinished attempt, unless `overwrite` is set (then cleared, if
/// everything in it is something scslab writes).
pub fn run(config: &RunConfig, progress: &mut (dyn FnMut(Progress) + Send)) -> Result<RunOutcome, RunError> {
    let memory = preflight(config)?;
    let pool = thread_pool(config.threads)?;
    let work = format!("run {:016x}", scenario_key(config));
    let _lock = config.out_dir.as_deref().map(|d| folder::claim(d, &work, config.overwrite)).transpose()?;
    let outcome = run_claimed(config, &pool, memory, progress)?;
    if let Some(dir) = &config.out_dir {
        write_manifest(config, &outcome, dir, None)?;
        folder::finished(dir)?;
    }
    Ok(outcome)
}

/// A run into a folder already claimed: everything but the manifest.
fn run_claimed(
    config: &RunConfig,
    pool: &rayon::ThreadPool,
    memory: MemoryEstimate,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<RunOutcome, RunError> {
    if let (Some(dir), Some(every)) = (&config.out_dir, config.checkpoint_every) {
        checkpoint::start(config, dir, every)?;
    }
    let params = config.scenario.params.clone();
    let start = move || {
        let sim = Simulation::new(params);
        let series = SeriesBuilder::new(&sim);
        Ok((sim, series))
    };
    execute(config, pool, memory, false, start, progress)
}

/// Continues the run in `dir` from its last checkpoint and writes the same data files an
/// uninterrupted run writes (the manifest differs in its timings and records
/// `resumed_from_day`). `threads` overrides the thread count in `run.json`; results do not
/// depend on it. `memory_limit` overrides the preflight's limit recorded in `run.json` (if any;
/// otherwise the machine's available memory). Refuses, before writing anything, a missing,
/// truncated or corrupt checkpoint, or one written by another version or for another scenario,
/// and a folder another process is writing.
pub fn resume(
    dir: &Path,
    threads: Option<usize>,
    memory_limit: Option<u64>,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<RunOutcome, RunError> {
    resume_with(dir, threads, memory_limit, None, progress)
}

/// [`resume`], stopping cleanly at the end of a day once `interrupt` is set (see
/// [`RunConfig::interrupt`]).
pub fn resume_with(
    dir: &Path,
    threads: Option<usize>,
    memory_limit: Option<u64>,
    interrupt: Option<Arc<AtomicBool>>,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<RunOutcome, RunError> {
    scslab_output::check_is_folder(dir)?;
    if !dir.is_dir() {
        return Err(RunError::NoCheckpoint { path: dir.join(RUN_FILE) });
    }
    let _lock = scslab_output::lock(dir)?;
    let mut config = checkpoint::read_run_file(dir, threads)?;
    config.memory_limit = memory_limit.or(config.memory_limit);
    config.interrupt = interrupt;
    let (path, file) = checkpoint::open(dir)?;
    let memory = preflight(&config)?;
    let pool = thread_pool(config.threads)?;
    let key = scenario_key(&config);
    let start = || {
        checkpoint::load(&config, key, file).map_err(|source| {
            checkpoint::refused(path, source, "it cannot be resumed; run again from the start")
        })
    };
    let outcome = execute(&config, &pool, memory, true, start, progress)?;
    write_manifest(&config, &outcome, dir, None)?;
    folder::finished(dir)?;
    Ok(outcome)
}

fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, RunError> {
    check_threads(threads)?;
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Threads { threads, message: e.to_string() })
}

/// Adds a day's row to the series and, when the run writes a folder, streams it.
fn add_row(
    series: &mut SeriesBuilder,
    stream: Option<&mut SeriesStream>,
    day: &DayMetrics,
) -> Result<(), RunError> {
    series.push(day);
    if let Some(stream) = stream {
        stream.append(series)?;
    }
    Ok(())
}

/// Refuses more worker threads than [`MAX_THREADS`].
pub fn check_threads(threads: usize) -> Result<(), RunError> {
    if threads > MAX_THREADS {
        return Err(RunError::TooManyThreads { threads, max: MAX_THREADS });
    }
    Ok(())
}

/// Steps the simulation `start` builds (new, or restored from a checkpoint) to the last day,
/// checkpointing if asked, then writes the outputs (all but the manifest, which the caller writes
/// last). Stops at the end of a day if the run is interrupted.
fn execute(
    config: &RunConfig,
    pool: &rayon::ThreadPool,
    memory: MemoryEstimate,
    resumed: bool,
    start: impl FnOnce() -> Result<(Simulation, SeriesBuilder), RunError> + Send,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<RunOutcome, RunError> {
    let threads = pool.current_num_threads();
    let params = &config.scenario.params;
    let days = params.days;
    let intervention_day = params.interventions.first().map(|iv| iv.day);
    let key = scenario_key(config);
    let checkpoints = config.out_dir.as_deref().zip(config.checkpoint_every.filter(|&n| n > 0));
    let t0 = Instant::now();
    let (distributions, series, replay, stream, first_day, timings) = pool.install(|| {
        let (mut sim, mut series) = start()?;
        let mut stream =
            config.out_dir.as_deref().map(|dir| SeriesStream::start(dir, &series)).transpose()?;
        let first_day = sim.day();
        let mut checkpoint_day = resumed.then_some(first_day);
        let setup = t0.elapsed().as_secs_f64();
        progress(Progress::Started { days, persons: sim.params.n_persons });
        if first_day > 0 {
            progress(Progress::Day { done: first_day });
        }
        let t1 = Instant::now();
        let mut first_day_seconds = 0.0;
        // A day's row is added to the series (and streamed) while the next day steps, on the
        // other worker (`rayon::join`), instead of leaving it idle. Rows are added in day order,
        // and before every checkpoint, stop and the end, so nothing depends on the overlap.
        // `pending` is the last day stepped while its row is not added yet. A day is reported
        // done once its row is streamed, so a crash loses no day reported.
        let mut pending: Option<DayMetrics> = None;
        for d in first_day..days {
            let today = match pending.take() {
                Some(before) => {
                    let (today, row) =
                        rayon::join(|| sim.step().clone(), || add_row(&mut series, stream.as_mut(), &before));
                    row?;
                    progress(Progress::Day { done: d });
                    today
                }
                None => sim.step().clone(),
            };
            if d == first_day {
                first_day_seconds = t1.elapsed().as_secs_f64();
            }
            let checkpoint_due = checkpoints.filter(|&(_, every)| (d + 1) % every == 0 && d + 1 < days);
            let stopping = config.interrupted() && d + 1 < days;
            if checkpoint_due.is_some() || stopping || d + 1 == days {
                add_row(&mut series, stream.as_mut(), &today)?;
            } else {
                pending = Some(today);
            }
            if let Some((dir, _)) = checkpoint_due {
                if let Some(stream) = &mut stream {
                    stream.sync()?;
                }
                checkpoint::save(key, &sim, &series, dir)?;
                checkpoint_day = Some(d + 1);
            }
            if pending.is_none() {
                progress(Progress::Day { done: d + 1 });
            }
            if stopping {
                if let Some(stream) = &mut stream {
                    stream.sync()?;
                }
                let dir = config.out_dir.clone();
                let checkpoint_day = checkpoint_day.filter(|_| checkpoints.is_some());
                return Err(RunError::Interrupted { day: d + 1, days, dir, checkpoint_day });
            }
        }
        let simulate = t1.elapsed().as_secs_f64();
        let t_end = Instant::now();
        let dist = sim.distributions();
        let mut replay = Vec::new();
        if config.out_dir.is_some() {
            let (n, nf) = (sim.layout.n_persons() as u32, sim.layout.n_firms() as u32);
            let frame = sim.replay.save(key, n, nf, &mut replay);
            frame.map_err(|source| RunError::Checkpoint { path: REPLAY_FILE.into(), source })?;
        }
        Ok::<_, RunError>((
            dist,
            series,
            replay,
            stream,
            first_day,
            Timings {
                setup,
                simulate,
                first_day: first_day_seconds,
                end_of_run: t_end.elapsed().as_secs_f64(),
                write: 0.0,
            },
        ))
    })?;
    let headlines = headlines(&series, intervention_day);
    let mut outcome = RunOutcome {
        headlines,
        series,
        timings,
        memory,
        peak_rss_bytes: scslab_output::peak_rss_bytes(),
        threads,
        resumed_from_day: resumed.then_some(first_day),
    };
    if let Some(dir) = &config.out_dir {
        progress(Progress::Writing);
        let t2 = Instant::now();
        write_outputs(config, &outcome, &distributions, dir)?;
        scslab_output::write_bytes(dir, REPLAY_FILE, &replay)?;
        if let Some(stream) = stream {
            stream.remove()?;
        }
        outcome.timings.write = t2.elapsed().as_secs_f64();
        outcome.peak_rss_bytes = scslab_output::peak_rss_bytes();
        if config.checkpoint_every.is_some() {
            scslab_output::remove_file(dir, CHECKPOINT_FILE)?;
        }
    }
    Ok(outcome)
}

/// A scenario run against a counterfactual with the same population and random streams.
#[derive(Debug)]
pub struct Comparison {
    /// The scenario's run.
    pub run: RunOutcome,
    /// The counterfactual's run.
    pub against: RunOutcome,
    /// Name of the counterfactual.
    pub against_name: String,
}

/// Runs `config` and then `against` with the same seed, population and horizon (common random
/// numbers: every draw is keyed by seed, agent and day, so both runs see the same people and the
/// same luck), and writes the differences in `comparison.csv`/`.parquet`. The counterfactual's own
/// outputs go to `against-NAME/` inside the output folder. The folder is claimed as by [`run`];
/// its manifest is written last, after the counterfactual and the comparison.
pub fn compare(
    config: &RunConfig,
    against: Scenario,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Comparison, RunError> {
    let mut against = against;
    let p = &config.scenario.params;
    against.params.seed = p.seed;
    against.params.n_persons = p.n_persons;
    against.params.days = p.days;
    let against_name = against.name.clone();
    if !scslab_scenario::is_safe_name(&against_name) {
        return Err(RunError::UnsafeName { name: against_name });
    }
    let mut cfg_b = config.clone();
    cfg_b.scenario = against;
    cfg_b.out_dir = config.out_dir.as_ref().map(|d| d.join(format!("against-{against_name}")));
    cfg_b.checkpoint_every = None;
    let memory_a = preflight(config)?;
    let memory_b = preflight(&cfg_b)?;
    let pool = thread_pool(config.threads)?;
    let work = format!("compare {:016x} {:016x}", scenario_key(config), scenario_key(&cfg_b));
    let _lock = config.out_dir.as_deref().map(|d| folder::claim(d, &work, config.overwrite)).transpose()?;
    let run_a = run_claimed(config, &pool, memory_a, progress)?;
    // The counterfactual's folder is inside the claimed one, which was emptied: it is new.
    let run_b = run_claimed(&cfg_b, &pool, memory_b, progress)?;
    if let (Some(dir), Some(dir_b)) = (&config.out_dir, &cfg_b.out_dir) {
        write_manifest(&cfg_b, &run_b, dir_b, None)?;
        let table = comparison_table(&run_a.headlines, &run_b.headlines);
        scslab_output::write_table(dir, &table)?;
        write_manifest(config, &run_a, dir, Some(&against_name))?;
        folder::finished(dir)?;
    }
    Ok(Comparison { run: run_a, against: run_b, against_name })
}

/// One headline outcome of a comparison: the scenario's value, the counterfactual's and their
/// difference (NaN, "n/a", when either is undefined or the counterfactual lacks the outcome).
#[derive(Clone, Debug, PartialEq)]
pub struct Paired {
    /// Stable key (snake case).
    pub key: &'static str,
    /// What it means.
    pub label: &'static str,
    /// Its unit (as [`Headline::unit`]).
    pub unit: scslab_output::format::Unit,
    /// The scenario's value.
    pub scenario: f64,
    /// The counterfactual's value.
    pub against: f64,
}

impl Paired {
    /// Scenario minus counterfactual; NaN when either is undefined.
    pub fn difference(&self) -> f64 {
        self.scenario - self.against
    }
}

/// The scenario's headlines paired with the counterfactual's, in the scenario's order.
pub fn paired(a: &[Headline], b: &[Headline]) -> Vec<Paired> {
    a.iter()
        .map(|h| {
            let against = b.iter().find(|x| x.key == h.key).map_or(f64::NAN, |x| x.value);
            Paired { key: h.key, label: h.label, unit: h.unit, scenario: h.value, against }
        })
        .collect()
}

fn comparison_table(a: &[Headline], b: &[Headline]) -> Table {
    let rows = paired(a, b);
    let mut t = Table::new("comparison");
    t.push("outcome", ColumnData::Str(rows.iter().map(|r| r.key.to_string()).collect()));
    t.push("label", ColumnData::Str(rows.iter().map(|r| r.label.to_string()).collect()));
    t.push("scenario", ColumnData::F64(rows.iter().map(|r| r.scenario).collect()));
    t.push("against", ColumnData::F64(rows.iter().map(|r| r.against).collect()));
    t.push("difference", ColumnData::F64(rows.iter().map(Paired::difference).collect()));
    t.push("unit", ColumnData::Str(rows.iter().map(|r| r.unit.key().to_string()).collect()));
    t
}

fn write_outputs(
    config: &RunConfig,
    outcome: &RunOutcome,
    distributions: &[scslab_model::sim::DistRow],
    dir: &std::path::Path,
) -> Result<(), RunError> {
    scslab_output::prepare_dir(dir)?;
    for table in outcome.series.tables() {
        scslab_output::write_table(dir, &table)?;
    }
    scslab_output::write_table(dir, &outcome.series.firm_grades(&config.scenario.params))?;
    let mut d = Table::new("distributions");
    d.push("distribution", ColumnData::Str(distributions.iter().map(|r| r.distribution.clone()).collect()));
    d.push("dimension", ColumnData::Str(distributions.iter().map(|r| r.dimension.to_string()).collect()));
    d.push("group", ColumnData::Str(distributions.iter().map(|r| r.group.clone()).collect()));
    d.push("bin", ColumnData::Str(distributions.iter().map(|r| r.bin.clone()).collect()));
    d.push("value", ColumnData::F64(distributions.iter().map(|r| r.lower).collect()));
    d.push("count", ColumnData::U64(distributions.iter().map(|r| r.count).collect()));
    scslab_output::write_table(dir, &d)?;
    let mut s = Table::new("summary");
    s.push("outcome", ColumnData::Str(outcome.headlines.iter().map(|h| h.key.to_string()).collect()));
    s.push("label", ColumnData::Str(outcome.headlines.iter().map(|h| h.label.to_string()).collect()));
    s.push("value", ColumnData::F64(outcome.headlines.iter().map(|h| h.value).collect()));
    s.push("unit", ColumnData::Str(outcome.headlines.iter().map(|h| h.unit.key().to_string()).collect()));
    scslab_output::write_table(dir, &s)?;
    scslab_output::write_text(dir, "scenario.toml", &config.scenario.text)?;
    Ok(())
}

fn write_manifest(
    config: &RunConfig,
    outcome: &RunOutcome,
    dir: &std::path::Path,
    against: Option<&str>,
) -> Result<(), RunError> {
    let p = &config.scenario.params;
    let simulated_days = p.days - outcome.resumed_from_day.unwrap_or(0);
    let person_days = p.n_persons as f64 * simulated_days as f64;
    let later_person_days = p.n_persons as f64 * simulated_days.saturating_sub(1) as f64;
    let later_seconds = outcome.timings.simulate - outcome.timings.first_day;
    let mut manifest = serde_json::json!({
        "scslab_version": env!("CARGO_PKG_VERSION"),
        "scenario": {
            "name": config.scenario.name,
            "origin": config.scenario.origin,
            "file": "scenario.toml",
            "text": config.scenario.text,
        },
        "seed": p.seed,
        "people": p.n_persons,
        "firms": p.n_firms(),
        "days": p.days,
        "threads": outcome.threads,
        // The day engine in force (docs/ODD.md 7.26): the scenario's `[engine] day`, or its
        // theory's default when it names none.
        "engine": p.engine.name(),
        "repeat": format!(
            "scslab run --scenario scenario.toml --people {} --days {} --seed {}",
            p.n_persons, p.days, p.seed
        ),
        "command": config.command,
        "timings_seconds": {
            "setup": outcome.timings.setup,
            "simulate": outcome.timings.simulate,
            "first_day": outcome.timings.first_day,
            "end_of_run": outcome.timings.end_of_run,
            "write": outcome.timings.write,
        },
        "person_days_per_second": person_days / outcome.timings.simulate.max(1e-9),
        "person_days_per_second_after_first_day": later_person_days / later_seconds.max(1e-9),
        "peak_rss_bytes": outcome.peak_rss_bytes,
        "state_bytes_per_person": outcome.memory.bytes_per_person,
        "state_bytes_per_firm": outcome.memory.bytes_per_firm,
        "outputs": OUTPUT_TABLES,
        "replay_log": REPLAY_FILE,
        "formats": ["csv", "parquet"],
    });
    // Only checkpointed and resumed runs carry these keys, so other manifests are unchanged.
    if let Some(every) = config.checkpoint_every {
        manifest["checkpoint_every"] = every.into();
    }
    if let Some(day) = outcome.resumed_from_day {
        manifest["resumed_from_day"] = day.into();
    }
    // Only comparisons carry these: the counterfactual's name, its folder and the table.
    if let Some(name) = against {
        manifest["against"] = name.into();
        manifest["against_folder"] = format!("against-{name}").into();
        manifest["repeat"] = format!(
            "scslab run --scenario scenario.toml --against against-{name}/scenario.toml --people {} --days {} --seed {}",
            p.n_persons, p.days, p.seed
        )
        .into();
    }
    scslab_output::write_json(dir, "manifest.json", &manifest)?;
    Ok(())
}
