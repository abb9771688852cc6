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
mod series;
mod stream;
mod summary;
mod trace;

use std::path::{Path, PathBuf};
use std::time::Instant;

use scslab_model::sim::{MemoryEstimate, Simulation, estimate_memory};
use scslab_model::state::StateError;
use scslab_output::{ColumnData, OutputError, Table};
use scslab_scenario::Scenario;
use stream::SeriesStream;

pub use checkpoint::{CHECKPOINT_FILE, RUN_FILE, scenario_key};
pub use series::{PERSON_DERIVED, SeriesBuilder};
pub use summary::{Headline, headlines};
pub use trace::{REPLAY_FILE, TraceTarget, trace, write_trace};

/// The tables a run writes, each as `NAME.csv` and `NAME.parquet` (beside `scenario.toml` and
/// `manifest.json`).
pub const OUTPUT_TABLES: [&str; 6] = [
    "series_persons",
    "series_persons_by_group",
    "series_firms",
    "series_firms_by_province",
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
        }
    }
}

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
    /// `resume`: `run.json` cannot be read or does not describe a valid run.
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
pub fn run(config: &RunConfig, progress: &mut (dyn FnMut(Progress) + Send)) -> Result<RunOutcome, RunError> {
    let memory = preflight(config)?;
    let pool = thread_pool(config.threads)?;
    if let (Some(dir), Some(every)) = (&config.out_dir, config.checkpoint_every) {
        checkpoint::start(config, dir, every)?;
    }
    let params = config.scenario.params.clone();
    let start = move || {
        let sim = Simulation::new(params);
        let series = SeriesBuilder::new(&sim);
        Ok((sim, series))
    };
    execute(config, &pool, memory, false, start, progress)
}

/// Continues the run in `dir` from its last checkpoint and writes the same data files an
/// uninterrupted run writes (the manifest differs in its timings and records
/// `resumed_from_day`). `threads` overrides the thread count in `run.json`; results do not
/// depend on it. `memory_limit` overrides the preflight's limit recorded in `run.json` (if any;
/// otherwise the machine's available memory). Refuses, before writing anything, a missing,
/// truncated or corrupt checkpoint, or one written by another version or for another scenario.
pub fn resume(
    dir: &Path,
    threads: Option<usize>,
    memory_limit: Option<u64>,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<RunOutcome, RunError> {
    let mut config = checkpoint::read_run_file(dir, threads)?;
    config.memory_limit = memory_limit.or(config.memory_limit);
    let (path, file) = checkpoint::open(dir)?;
    let memory = preflight(&config)?;
    let pool = thread_pool(config.threads)?;
    let key = scenario_key(&config);
    let start =
        || checkpoint::load(&config, key, file).map_err(|source| RunError::Checkpoint { path, source });
    execute(&config, &pool, memory, true, start, progress)
}

fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, RunError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Threads { threads, message: e.to_string() })
}

/// Steps the simulation `start` builds (new, or restored from a checkpoint) to the last day,
/// checkpointing if asked, then writes the outputs.
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
        let setup = t0.elapsed().as_secs_f64();
        progress(Progress::Started { days, persons: sim.params.n_persons });
        if first_day > 0 {
            progress(Progress::Day { done: first_day });
        }
        let t1 = Instant::now();
        for d in first_day..days {
            series.push(sim.step());
            if let Some(stream) = &mut stream {
                stream.append(&series)?;
            }
            if let Some((dir, every)) = checkpoints
                && (d + 1) % every == 0
                && d + 1 < days
            {
                if let Some(stream) = &mut stream {
                    stream.sync()?;
                }
                checkpoint::save(key, &sim, &series, dir)?;
            }
            progress(Progress::Day { done: d + 1 });
        }
        let simulate = t1.elapsed().as_secs_f64();
        let dist = sim.distributions();
        let mut replay = Vec::new();
        if config.out_dir.is_some() {
            let (n, nf) = (sim.layout.n_persons() as u32, sim.layout.n_firms() as u32);
            let frame = sim.replay.save(key, n, nf, &mut replay);
            frame.map_err(|source| RunError::Checkpoint { path: REPLAY_FILE.into(), source })?;
        }
        Ok::<_, RunError>((dist, series, replay, stream, first_day, Timings { setup, simulate, write: 0.0 }))
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
        write_manifest(config, &outcome, dir)?;
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
/// outputs go to `against-NAME/` inside the output folder.
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
    let run_a = run(config, progress)?;
    let mut cfg_b = config.clone();
    cfg_b.scenario = against;
    cfg_b.out_dir = config.out_dir.as_ref().map(|d| d.join(format!("against-{against_name}")));
    let run_b = run(&cfg_b, progress)?;
    if let Some(dir) = &config.out_dir {
        let table = comparison_table(&run_a.headlines, &run_b.headlines);
        scslab_output::write_table(dir, &table)?;
    }
    Ok(Comparison { run: run_a, against: run_b, against_name })
}

/// Headline pairs (key, label, scenario value, counterfactual value) for both runs.
pub fn paired(a: &[Headline], b: &[Headline]) -> Vec<(&'static str, &'static str, f64, f64)> {
    a.iter()
        .map(|h| {
            let other = b.iter().find(|x| x.key == h.key).map_or(0.0, |x| x.value);
            (h.key, h.label, h.value, other)
        })
        .collect()
}

fn comparison_table(a: &[Headline], b: &[Headline]) -> Table {
    let rows = paired(a, b);
    let mut t = Table::new("comparison");
    t.push("outcome", ColumnData::Str(rows.iter().map(|r| r.0.to_string()).collect()));
    t.push("label", ColumnData::Str(rows.iter().map(|r| r.1.to_string()).collect()));
    t.push("scenario", ColumnData::F64(rows.iter().map(|r| r.2).collect()));
    t.push("against", ColumnData::F64(rows.iter().map(|r| r.3).collect()));
    t.push("difference", ColumnData::F64(rows.iter().map(|r| r.2 - r.3).collect()));
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
    scslab_output::write_table(dir, &s)?;
    scslab_output::write_text(dir, "scenario.toml", &config.scenario.text)?;
    Ok(())
}

fn write_manifest(config: &RunConfig, outcome: &RunOutcome, dir: &std::path::Path) -> Result<(), RunError> {
    let p = &config.scenario.params;
    let simulated_days = p.days - outcome.resumed_from_day.unwrap_or(0);
    let person_days = p.n_persons as f64 * simulated_days as f64;
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
        "repeat": format!(
            "scslab run --scenario scenario.toml --people {} --days {} --seed {}",
            p.n_persons, p.days, p.seed
        ),
        "command": config.command,
        "timings_seconds": {
            "setup": outcome.timings.setup,
            "simulate": outcome.timings.simulate,
            "write": outcome.timings.write,
        },
        "person_days_per_second": person_days / outcome.timings.simulate.max(1e-9),
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
    scslab_output::write_json(dir, "manifest.json", &manifest)?;
    Ok(())
}
