//! The equivalence of two variants of scenarios: variant A is each scenario as given, variant B
//! the same scenario with `--set KEY=VALUE` settings written into its TOML (`set.rs`). Both run
//! over many seeds, A on seeds `S, ..., S+N-1` and B on the disjoint `S+N, ..., S+2N-1`, and
//! every headline outcome and the daily series of the main outcomes are compared by Welch's
//! unpaired difference (`criterion.rs`). Built for issue 14: an event-driven day is accepted if
//! it is "the same model in distribution" as the daily one (docs/EXPERIMENTS.md, "Equivalence of
//! two variants").
//!
//! Each run is an ordinary single-threaded `scslab_runner::run` that writes nothing, on the
//! workers of `pool.rs`; only its headlines and the compared series are kept, in job order, so
//! the table does not depend on the number of workers. With disjoint seeds, A against A (no
//! setting, or a parameter set to its own value) is an honest null test.

mod criterion;
mod set;
mod write;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use scslab_model::metrics::{Columns, Family};
use scslab_output::OutputError;
use scslab_runner::{Derived, RunConfig, RunError, SeriesBuilder};
use scslab_scenario::{Overrides, Scenario, ScenarioError};

pub use criterion::{
    ALLOWANCE_QUANTILE, CHANCE_FAILURE, Comparison, GROSS_RATIO, HeadlineVerdict, MAX_AUTOCORRELATION,
    MIN_SPLITS, PERMUTATION_SPLITS, RELATIVE_TOLERANCE, SPARSE_EVENTS, SeriesVerdict, Status, Verdict,
    allowed_failures, allowed_failures_correlated, compare as compare_values, effective_periods,
    headline_allowance, headline_verdict, lag1_autocorrelation, permutation_allowance, permutation_splits,
    series_verdict, window_days, windows,
};
pub use set::{Setting, apply as apply_settings};

use crate::pool;

/// What the command writes into its folder, as name prefixes, besides `manifest.json`.
pub const OUTPUT_FILES: [&str; 3] = ["equivalence.", "equivalence_series.", "scenario-"];

/// Fewest seeds per variant: an interval needs two.
pub const MIN_SEEDS: u32 = 2;

/// Default population of each run.
pub const DEFAULT_PEOPLE: u64 = 20_000;
/// Default horizon of each run, days.
pub const DEFAULT_DAYS: u32 = 180;
/// Default seeds per variant (issue 14 asks for at least 20).
pub const DEFAULT_SEEDS: u32 = 20;

/// The daily series compared day by day, each a series the runner writes
/// (`series_persons.csv`, `series_firms.csv`), named `persons.COLUMN` or `firms.COLUMN`; besides
/// these, the stock of every list (`persons.stock_LIST`, `firms.stock_LIST`). What each stands
/// for is in docs/EXPERIMENTS.md.
pub const SERIES: [&str; 14] = [
    "persons.compliance_rate",
    "persons.expressed_criticism_fp",
    "persons.desired_criticism_fp",
    "persons.sanctions",
    "firms.sanctions",
    "persons.false_sanctions",
    "firms.false_sanctions",
    "persons.spillover_sanctions",
    "firms.spillover_sanctions",
    "persons.mean_fear",
    "persons.mean_trust",
    "persons.wealth_gini",
    "persons.unemployed",
    "persons.blacklisted",
];

/// The compared series that count events (a day's sanctions): when sparse (fewer than
/// [`SPARSE_EVENTS`] a day on average) they are compared on windows of days, summed.
pub const EVENT_SERIES: [&str; 6] = [
    "persons.sanctions",
    "firms.sanctions",
    "persons.false_sanctions",
    "firms.false_sanctions",
    "persons.spillover_sanctions",
    "firms.spillover_sanctions",
];

/// How to run the comparison.
#[derive(Clone, Debug)]
pub struct EquivalenceConfig {
    /// People in each run.
    pub people: u64,
    /// Days in each run.
    pub days: u32,
    /// Seeds per variant (at least [`MIN_SEEDS`]).
    pub seeds: u32,
    /// First seed `S` (default: the first scenario's seed): A runs `S..S+N`, B `S+N..S+2N`.
    pub seed: Option<u64>,
    /// Runs at a time; 0 uses all cores. Results do not depend on it.
    pub workers: usize,
    /// Output folder; `None` writes nothing.
    pub out_dir: Option<PathBuf>,
    /// The command line, recorded in `equivalence.md` and the manifest.
    pub command: String,
}

impl Default for EquivalenceConfig {
    fn default() -> EquivalenceConfig {
        EquivalenceConfig {
            people: DEFAULT_PEOPLE,
            days: DEFAULT_DAYS,
            seeds: DEFAULT_SEEDS,
            seed: None,
            workers: 0,
            out_dir: None,
            command: String::new(),
        }
    }
}

/// Why a comparison could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum EquivalenceError {
    /// Fewer than two seeds per variant.
    #[error(
        "--seeds: expected at least {MIN_SEEDS} (a 95% interval needs two runs of each variant), found {0}"
    )]
    Seeds(u32),
    /// No scenario to compare.
    #[error("expected at least one scenario (--preset NAME or --scenario FILE)")]
    NoScenario,
    /// Two scenarios have the same name: their rows could not be told apart.
    #[error("two scenarios are named `{0}`; scenario names must differ")]
    DuplicateScenario(String),
    /// A `--set` is malformed, names no key of a scenario, or its value is refused.
    #[error("--set {argument}: {message}")]
    Set {
        /// The argument as given (`KEY=VALUE`).
        argument: String,
        /// 1-based column in the argument where the problem is.
        column: usize,
        /// What is wrong, what was expected, the valid choices.
        message: String,
    },
    /// A scenario, or a size, is invalid.
    #[error(transparent)]
    Input(#[from] ScenarioError),
    /// The memory preflight refused the comparison before any run.
    #[error(transparent)]
    Memory(RunError),
    /// A run failed.
    #[error("{scenario} (variant {variant}, seed {seed}): {source}")]
    Run {
        /// The scenario.
        scenario: String,
        /// `A` or `B`.
        variant: char,
        /// The run's seed.
        seed: u64,
        /// What went wrong.
        source: RunError,
    },
    /// A file could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Worker threads could not be started.
    #[error("cannot start worker threads: {0}")]
    Threads(String),
}

impl From<pool::StartError> for EquivalenceError {
    fn from(e: pool::StartError) -> EquivalenceError {
        EquivalenceError::Threads(e.0)
    }
}

/// One row of `equivalence.csv`: a headline (`day` is `None`) or a series on one day.
#[derive(Clone, Debug)]
pub struct Row {
    /// The scenario's name.
    pub scenario: String,
    /// The headline's key, or the series' name.
    pub outcome: String,
    /// The first day (0-based, as in the runner's series) of a series row: its day, or the
    /// first day of its window; `None` for a headline or a series' mean over days.
    pub day: Option<u32>,
    /// Days the row's values cover: 0 for a headline, 1 for a day, the window's length for a
    /// window of a sparse event count (summed over its days), every day for a series' mean
    /// over days (outcome `mean(SERIES)`).
    pub days: u32,
    /// B against A.
    pub comparison: Comparison,
}

/// One daily series of one scenario, over its days.
#[derive(Clone, Debug)]
pub struct SeriesRow {
    /// The scenario's name.
    pub scenario: String,
    /// The series' name.
    pub series: String,
    /// Its verdict.
    pub verdict: SeriesVerdict,
}

/// The verdict of one scenario.
#[derive(Clone, Debug)]
pub struct ScenarioVerdict {
    /// The scenario's name.
    pub scenario: String,
    /// Its headlines and its series' means over days, together.
    pub headlines: HeadlineVerdict,
    /// Series compared (not undefined).
    pub series_compared: usize,
    /// Series that failed.
    pub series_failed: usize,
    /// Series undefined on every day.
    pub series_undefined: usize,
    /// Fail if a series failed or the headlines did; else the headlines' verdict.
    pub verdict: Verdict,
}

/// A scenario's two variants as run.
#[derive(Clone, Debug)]
pub struct Pair {
    /// Variant A: the scenario as given (sized).
    pub a: Scenario,
    /// Variant B: with the settings (sized).
    pub b: Scenario,
}

/// What the comparison found.
#[derive(Clone, Debug)]
pub struct Equivalence {
    /// The scenarios' variants, in the order given.
    pub pairs: Vec<Pair>,
    /// The settings that make variant B.
    pub settings: Vec<Setting>,
    /// People per run.
    pub people: u64,
    /// Days per run.
    pub days: u32,
    /// Variant A's seeds.
    pub seeds_a: Vec<u64>,
    /// Variant B's seeds (disjoint from A's).
    pub seeds_b: Vec<u64>,
    /// Scenario by scenario: headline rows, then for each series its mean over days and its rows
    /// day by day (or window by window).
    pub rows: Vec<Row>,
    /// Every series' verdict.
    pub series: Vec<SeriesRow>,
    /// Every scenario's verdict.
    pub scenarios: Vec<ScenarioVerdict>,
    /// The worst of the scenarios' verdicts.
    pub verdict: Verdict,
    /// The command line.
    pub command: String,
    /// Wall-clock seconds of the runs and the comparison.
    pub wall_seconds: f64,
    /// Seconds spent simulating, summed over runs.
    pub simulate_seconds: f64,
    /// Workers used.
    pub workers: usize,
}

/// Progress, reported after every simulated day of every run.
#[derive(Clone, Copy, Debug)]
pub struct EquivalenceProgress {
    /// Runs finished.
    pub done: usize,
    /// Runs in all: scenarios x 2 variants x seeds.
    pub total: usize,
    /// Days simulated so far, over all runs.
    pub done_days: u64,
    /// Days to simulate in all.
    pub total_days: u64,
}

/// What one run leaves: its headlines and compared series, by name.
struct RunValues {
    headlines: Vec<(String, f64)>,
    series: Vec<(String, Vec<f64>)>,
    simulate_seconds: f64,
}

/// Compares each scenario with its variant under `settings`, and writes the files if
/// `config.out_dir` is set. Everything is checked before any run.
pub fn compare(
    scenarios: &[Scenario],
    settings: &[Setting],
    config: &EquivalenceConfig,
    progress: &(dyn Fn(EquivalenceProgress) + Sync),
) -> Result<Equivalence, EquivalenceError> {
    let t0 = Instant::now();
    if config.seeds < MIN_SEEDS {
        return Err(EquivalenceError::Seeds(config.seeds));
    }
    let Some(first) = scenarios.first() else { return Err(EquivalenceError::NoScenario) };
    for (i, s) in scenarios.iter().enumerate() {
        if scenarios[..i].iter().any(|t| t.name == s.name) {
            return Err(EquivalenceError::DuplicateScenario(s.name.clone()));
        }
    }
    for (i, s) in settings.iter().enumerate() {
        if settings[..i].iter().any(|t| t.key == s.key) {
            return Err(EquivalenceError::Set {
                argument: s.argument.clone(),
                column: 1,
                message: format!("`{}` is set twice", s.key),
            });
        }
    }
    let size = |s: &Scenario| -> Result<Scenario, EquivalenceError> {
        let mut s = s.clone();
        let o = Overrides { people: Some(config.people), days: Some(config.days), seed: None };
        scslab_scenario::apply_overrides(&mut s.params, o)?;
        Ok(s)
    };
    let mut pairs = Vec::with_capacity(scenarios.len());
    for s in scenarios {
        pairs.push(Pair { a: size(s)?, b: size(&set::apply(s, settings)?)? });
    }
    let seed = config.seed.unwrap_or(first.params.seed);
    let n = config.seeds as u64;
    let seeds_a: Vec<u64> = (0..n).map(|r| seed.wrapping_add(r)).collect();
    let seeds_b: Vec<u64> = (0..n).map(|r| seed.wrapping_add(n + r)).collect();
    let workers = pool::workers(config.workers);
    let available = scslab_output::machine_memory().map(|m| m.available_bytes);
    for p in &pairs {
        for s in [&p.a, &p.b] {
            let mut cfg = RunConfig::new(s.clone());
            cfg.memory_limit = available.map(|a| a / workers as u64);
            scslab_runner::preflight(&cfg).map_err(EquivalenceError::Memory)?;
        }
    }
    let runs = run_all(&pairs, &seeds_a, &seeds_b, workers, config.days, progress)?;
    let simulate_seconds = runs.iter().map(|r| r.simulate_seconds).sum();
    let per_pair = 2 * seeds_a.len();
    let mut rows = Vec::new();
    let mut series = Vec::new();
    let mut verdicts = Vec::new();
    for (p, chunk) in pairs.iter().zip(runs.chunks(per_pair)) {
        let (a, b) = chunk.split_at(seeds_a.len());
        verdicts.push(assess(&p.a.name, a, b, config.days, &mut rows, &mut series));
    }
    let verdict = verdicts.iter().map(|v| v.verdict).max().unwrap_or(Verdict::Pass);
    let result = Equivalence {
        pairs,
        settings: settings.to_vec(),
        people: config.people,
        days: config.days,
        seeds_a,
        seeds_b,
        rows,
        series,
        scenarios: verdicts,
        verdict,
        command: config.command.clone(),
        wall_seconds: t0.elapsed().as_secs_f64(),
        simulate_seconds,
        workers: workers.min(per_pair * scenarios.len()).max(1),
    };
    if let Some(dir) = &config.out_dir {
        write::write(dir, &result)?;
    }
    Ok(result)
}

/// The names in `runs`' lists, in order of first appearance (A's runs first).
fn union<'a>(lists: impl Iterator<Item = &'a [String]>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for list in lists {
        for name in list {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
    }
    out
}

/// Compares one scenario's runs of A and B; appends its rows and series verdicts.
fn assess(
    scenario: &str,
    a: &[RunValues],
    b: &[RunValues],
    days: u32,
    rows: &mut Vec<Row>,
    series: &mut Vec<SeriesRow>,
) -> ScenarioVerdict {
    let all = || a.iter().chain(b);
    let headline_keys: Vec<Vec<String>> =
        all().map(|r| r.headlines.iter().map(|h| h.0.clone()).collect()).collect();
    let mut headlines = Vec::new();
    // Each headline-like comparison's values in A's runs and in B's, for the allowance.
    let (mut family_a, mut family_b): (Vec<Vec<f64>>, Vec<Vec<f64>>) = (Vec::new(), Vec::new());
    for key in union(headline_keys.iter().map(Vec::as_slice)) {
        // A headline missing from a run is undefined there.
        let values = |runs: &[RunValues]| -> Vec<f64> {
            runs.iter().map(|r| r.headlines.iter().find(|h| h.0 == key).map_or(f64::NAN, |h| h.1)).collect()
        };
        let (va, vb) = (values(a), values(b));
        let c = criterion::compare(&va, &vb);
        headlines.push(c);
        family_a.push(va);
        family_b.push(vb);
        rows.push(Row { scenario: scenario.into(), outcome: key, day: None, days: 0, comparison: c });
    }
    let series_names: Vec<Vec<String>> =
        all().map(|r| r.series.iter().map(|s| s.0.clone()).collect()).collect();
    let (mut compared, mut failed, mut undefined) = (0, 0, 0);
    let days = days as usize;
    for name in union(series_names.iter().map(Vec::as_slice)) {
        // Each run's series over every day; a day the run lacks is undefined.
        let runs = |runs: &[RunValues]| -> Vec<Vec<f64>> {
            runs.iter()
                .map(|r| {
                    let s = r.series.iter().find(|s| s.0 == name).map(|s| s.1.as_slice()).unwrap_or(&[]);
                    (0..days).map(|d| s.get(d).copied().unwrap_or(f64::NAN)).collect()
                })
                .collect()
        };
        let (daily_a, daily_b) = (runs(a), runs(b));
        // The mean over days, a headline-like comparison (NaN in a run with an undefined day).
        let mean_over_days = |runs: &[Vec<f64>]| -> Vec<f64> {
            runs.iter().map(|r| r.iter().sum::<f64>() / r.len().max(1) as f64).collect()
        };
        let (ma, mb) = (mean_over_days(&daily_a), mean_over_days(&daily_b));
        let c = criterion::compare(&ma, &mb);
        headlines.push(c);
        family_a.push(ma);
        family_b.push(mb);
        rows.push(Row {
            scenario: scenario.into(),
            outcome: format!("mean({name})"),
            day: None,
            days: days as u32,
            comparison: c,
        });
        // A sparse event count is compared on windows of days summed; any other series by day.
        let window = if EVENT_SERIES.contains(&name.as_str()) {
            let values: Vec<f64> =
                daily_a.iter().chain(&daily_b).flatten().copied().filter(|v| v.is_finite()).collect();
            let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
            criterion::window_days(mean, days)
        } else {
            1
        };
        let periods = criterion::windows(days, window);
        let summed = |runs: &[Vec<f64>]| -> Vec<Vec<f64>> {
            runs.iter().map(|r| periods.iter().map(|&(d, n)| r[d..d + n].iter().sum()).collect()).collect()
        };
        let (period_a, period_b) =
            if window == 1 { (daily_a, daily_b) } else { (summed(&daily_a), summed(&daily_b)) };
        let mut period_rows = Vec::with_capacity(periods.len());
        for (t, &(first, len)) in periods.iter().enumerate() {
            let on = |runs: &[Vec<f64>]| -> Vec<f64> { runs.iter().map(|r| r[t]).collect() };
            let c = criterion::compare(&on(&period_a), &on(&period_b));
            period_rows.push(c);
            rows.push(Row {
                scenario: scenario.into(),
                outcome: name.clone(),
                day: Some(first as u32),
                days: len as u32,
                comparison: c,
            });
        }
        let rho = criterion::lag1_autocorrelation(&period_a, &period_b);
        let first_days: Vec<u32> = periods.iter().map(|&(d, _)| d as u32).collect();
        let v = criterion::series_verdict(&period_rows, &first_days, window as u32, rho);
        match v.status {
            Status::Pass => compared += 1,
            Status::Fail => {
                compared += 1;
                failed += 1;
            }
            Status::Undefined => undefined += 1,
        }
        series.push(SeriesRow { scenario: scenario.into(), series: name, verdict: v });
    }
    let (allowed, expected) = criterion::headline_allowance(&headlines, &family_a, &family_b);
    let h = criterion::headline_verdict(&headlines, allowed, expected);
    let verdict = if failed > 0 { Verdict::Fail } else { h.verdict };
    ScenarioVerdict {
        scenario: scenario.into(),
        headlines: h,
        series_compared: compared,
        series_failed: failed,
        series_undefined: undefined,
        verdict,
    }
}

/// Runs every (pair, variant, seed) on `workers` threads, one thread per run; returns the
/// values in that order.
fn run_all(
    pairs: &[Pair],
    seeds_a: &[u64],
    seeds_b: &[u64],
    workers: usize,
    days: u32,
    progress: &(dyn Fn(EquivalenceProgress) + Sync),
) -> Result<Vec<RunValues>, EquivalenceError> {
    let mut jobs: Vec<(&Scenario, char, u64)> = Vec::new();
    for p in pairs {
        jobs.extend(seeds_a.iter().map(|&s| (&p.a, 'A', s)));
        jobs.extend(seeds_b.iter().map(|&s| (&p.b, 'B', s)));
    }
    let done = AtomicUsize::new(0);
    let done_days = AtomicU64::new(0);
    let total_days = jobs.len() as u64 * days as u64;
    let job = |_: usize, &(scenario, variant, seed): &(&Scenario, char, u64)| {
        let mut s = scenario.clone();
        s.params.seed = seed;
        let mut cfg = RunConfig::new(s);
        cfg.threads = 1;
        let mut on_day = |p: scslab_runner::Progress| {
            if let scslab_runner::Progress::Day { .. } = p {
                let d = done_days.fetch_add(1, Ordering::SeqCst) + 1;
                let n = done.load(Ordering::SeqCst);
                progress(EquivalenceProgress { done: n, total: jobs.len(), done_days: d, total_days });
            }
        };
        let outcome = scslab_runner::run(&cfg, &mut on_day).map_err(|source| EquivalenceError::Run {
            scenario: scenario.name.clone(),
            variant,
            seed,
            source,
        })?;
        Ok(RunValues {
            headlines: outcome.headlines.iter().map(|h| (h.key.to_string(), h.value)).collect(),
            series: compared_series(&outcome.series),
            simulate_seconds: outcome.timings.simulate,
        })
    };
    let on_done = |_: usize, n: usize| {
        done.fetch_max(n, Ordering::SeqCst);
        let d = done_days.load(Ordering::SeqCst);
        progress(EquivalenceProgress { done: n, total: jobs.len(), done_days: d, total_days });
    };
    pool::run("equivalence", &jobs, workers, job, on_done)
}

/// The compared series of one run, by name: [`SERIES`], then every list's stock.
fn compared_series(s: &SeriesBuilder) -> Vec<(String, Vec<f64>)> {
    let (p, f) = (s.person_cols(), s.firm_cols());
    let person = |col: usize| s.person_at(col).to_vec();
    let firm = |col: usize| s.firm_at(col).to_vec();
    let values: [Vec<f64>; SERIES.len()] = [
        s.derived(Derived::ComplianceRate).to_vec(),
        person(p.expressed_criticism),
        person(p.desired_criticism),
        person(p.sanctions),
        firm(f.sanctions),
        person(p.false_sanctions),
        firm(f.false_sanctions),
        person(p.spillover_sanctions),
        firm(f.spillover_sanctions),
        s.derived(Derived::MeanFear).to_vec(),
        s.derived(Derived::MeanTrust).to_vec(),
        s.gini().to_vec(),
        person(p.unemployed),
        person(p.blacklisted),
    ];
    let mut out: Vec<(String, Vec<f64>)> = SERIES.iter().map(|n| n.to_string()).zip(values).collect();
    let stocks = |columns: &Columns, subject: &str, at: &dyn Fn(usize) -> Vec<f64>| {
        (0..columns.len())
            .filter(|&col| columns.column(col).family == Family::ListStock)
            .map(|col| (format!("{subject}.{}", columns.names[col]), at(col)))
            .collect::<Vec<_>>()
    };
    out.extend(stocks(&p.columns, "persons", &person));
    out.extend(stocks(&f.columns, "firms", &firm));
    out
}
