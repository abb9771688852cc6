//! The audit of a regime against the prohibition of social scoring in Regulation (EU) 2024/1689
//! (the AI Act), Article 5(1)(c): replications of a scenario (and, optionally, of a second one
//! with common random numbers), the statistics of each criterion with 95% intervals over
//! replications, and a finding per criterion. Definitions and thresholds: docs/AUDIT.md.
//!
//! Each replication is an ordinary single-threaded `scslab_runner::run` that writes nothing;
//! the audit reads its daily series in memory. Replications run on worker threads but their
//! results are kept in replication order, so the files do not depend on the number of workers.

mod criteria;
mod gravity;
mod write;

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use scslab_model::vocab::{FIRM_EVENTS, PERSON_EVENTS, Valence};
use scslab_output::OutputError;
use scslab_runner::{RunConfig, RunError, SeriesBuilder};
use scslab_scenario::{Overrides, Scenario, ScenarioError};

pub use criteria::{
    CONTINUITY, Counts, Criterion, DE_MINIMIS, FOUR_FIFTHS_HIGH, Finding, Group, Interval,
    MIN_PROVINCE_SHARE, Statistic, Verdict, findings, mean_interval, rate_ratio, ratio_interval, statistics,
};
pub use gravity::{EventGravity, ListProfile, MINOR_GRAVITY, blacklists, event_gravity};

use crate::design::{Streams, replication_seed};
use crate::stats::paired_difference;

/// Default population of an audit.
pub const DEFAULT_PEOPLE: u64 = 20_000;
/// Default horizon of an audit, days.
pub const DEFAULT_DAYS: u32 = 180;
/// Default replications of an audit.
pub const DEFAULT_REPLICATIONS: u32 = 10;

/// How to run an audit.
#[derive(Clone, Debug)]
pub struct AuditConfig {
    /// People in each replication.
    pub people: u64,
    /// Days in each replication.
    pub days: u32,
    /// Replications (at least 2: an interval needs two).
    pub replications: u32,
    /// Base seed; `None` uses the scenario's seed. Replication seeds are derived as a sweep's.
    pub seed: Option<u64>,
    /// Output folder; `None` writes nothing.
    pub out_dir: Option<PathBuf>,
    /// Replications at a time; 0 uses all cores. Results do not depend on it.
    pub workers: usize,
    /// The command line, recorded in `audit.md` and the manifest.
    pub command: String,
}

impl Default for AuditConfig {
    fn default() -> AuditConfig {
        AuditConfig {
            people: DEFAULT_PEOPLE,
            days: DEFAULT_DAYS,
            replications: DEFAULT_REPLICATIONS,
            seed: None,
            out_dir: None,
            workers: 0,
            command: String::new(),
        }
    }
}

/// Why an audit could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Fewer than two replications.
    #[error("--replications: expected at least 2 (a 95% interval needs two replications), found {0}")]
    Replications(u32),
    /// A size override is out of range.
    #[error(transparent)]
    Input(#[from] ScenarioError),
    /// The memory preflight refused the audit before any run.
    #[error(transparent)]
    Memory(RunError),
    /// A replication failed.
    #[error("replication {replication} of {scenario}: {source}")]
    Run {
        /// The scenario.
        scenario: String,
        /// The replication, from 0.
        replication: u32,
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

/// The audit of one scenario.
#[derive(Clone, Debug)]
pub struct Assessment {
    /// The scenario's name.
    pub scenario: String,
    /// The scenario, with the audit's size applied (its text is what the audit ran).
    pub text: String,
    /// Each replication's counters, in replication order.
    pub counts: Vec<Counts>,
    /// The statistics, criterion by criterion.
    pub statistics: Vec<Statistic>,
    /// The finding of each criterion.
    pub findings: Vec<Finding>,
    /// The scenario's blacklists: triggers, severe and spillover measures.
    pub lists: Vec<ListProfile>,
    /// The gravity of each event, from the scenario's points.
    pub gravity: Vec<EventGravity>,
}

/// One row of the audit table: a statistic of the audited scenario and, with a comparison, of the
/// other scenario and their paired difference.
#[derive(Clone, Debug)]
pub struct AuditRow {
    /// The criterion.
    pub criterion: Criterion,
    /// The statistic's key.
    pub key: String,
    /// What it means.
    pub label: String,
    /// The audited scenario's estimate (absent if only the other scenario has this statistic).
    pub main: Option<Interval>,
    /// The other scenario's estimate.
    pub against: Option<Interval>,
    /// Paired difference main - against over replications with common random numbers.
    pub difference: Option<Interval>,
}

/// What an audit found.
#[derive(Clone, Debug)]
pub struct Audit {
    /// People per replication.
    pub people: u64,
    /// Days per replication.
    pub days: u32,
    /// The base seed.
    pub seed: u64,
    /// Each replication's seed.
    pub seeds: Vec<u64>,
    /// The audited scenario.
    pub main: Assessment,
    /// The scenario it is compared with, run on the same seeds.
    pub against: Option<Assessment>,
    /// The table, criterion by criterion.
    pub rows: Vec<AuditRow>,
    /// The command line.
    pub command: String,
}

/// Progress of an audit: a replication finished.
#[derive(Clone, Debug)]
pub struct AuditProgress {
    /// Replications finished so far (of both scenarios).
    pub done: usize,
    /// Replications in the audit.
    pub total: usize,
}

/// Audits `scenario` (and `against`, on the same seeds) and writes the files if
/// `config.out_dir` is set. Everything is checked before anything is written.
pub fn audit(
    scenario: &Scenario,
    against: Option<&Scenario>,
    config: &AuditConfig,
    progress: &(dyn Fn(AuditProgress) + Sync),
) -> Result<Audit, AuditError> {
    if config.replications < 2 {
        return Err(AuditError::Replications(config.replications));
    }
    let sized = |s: &Scenario| -> Result<Scenario, AuditError> {
        let mut s = s.clone();
        let o = Overrides { people: Some(config.people), days: Some(config.days), seed: None };
        scslab_scenario::apply_overrides(&mut s.params, o)?;
        Ok(s)
    };
    let main = sized(scenario)?;
    let other = against.map(sized).transpose()?;
    let seed = config.seed.unwrap_or(scenario.params.seed);
    let seeds: Vec<u64> =
        (0..config.replications).map(|r| replication_seed(seed, r, 0, Streams::Common)).collect();
    let workers = match config.workers {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let available = scslab_output::machine_memory().map(|m| m.available_bytes);
    for s in std::iter::once(&main).chain(other.as_ref()) {
        let mut cfg = RunConfig::new(s.clone());
        cfg.memory_limit = available.map(|a| a / workers as u64);
        scslab_runner::preflight(&cfg).map_err(AuditError::Memory)?;
    }
    let scenarios: Vec<&Scenario> = std::iter::once(&main).chain(other.as_ref()).collect();
    let counts = run_all(&scenarios, &seeds, workers, progress)?;
    let mut counts = counts.into_iter();
    let main_assessment = assess(&main, counts.next().unwrap_or_default());
    let against_assessment = other.as_ref().map(|s| assess(s, counts.next().unwrap_or_default()));
    let rows = table(&main_assessment, against_assessment.as_ref());
    let result = Audit {
        people: config.people,
        days: config.days,
        seed,
        seeds,
        main: main_assessment,
        against: against_assessment,
        rows,
        command: config.command.clone(),
    };
    if let Some(dir) = &config.out_dir {
        write::write(dir, &result)?;
    }
    Ok(result)
}

fn assess(scenario: &Scenario, counts: Vec<Counts>) -> Assessment {
    let lists = blacklists(&scenario.params);
    let mut measures: Vec<String> = Vec::new();
    for l in &lists {
        for m in &l.spillover {
            if !measures.contains(m) {
                measures.push(m.clone());
            }
        }
    }
    let statistics = statistics(&counts, &measures);
    let findings = findings(&counts, &statistics);
    Assessment {
        scenario: scenario.name.clone(),
        text: scenario.text.clone(),
        counts,
        statistics,
        findings,
        gravity: event_gravity(&scenario.params),
        lists,
    }
}

fn table(main: &Assessment, against: Option<&Assessment>) -> Vec<AuditRow> {
    let find = |a: &Assessment, key: &str| a.statistics.iter().find(|s| s.key == key).cloned();
    let mut rows: Vec<AuditRow> = Vec::new();
    let keys = main.statistics.iter().chain(against.iter().flat_map(|a| a.statistics.iter()));
    for s in keys {
        if rows.iter().any(|r| r.key == s.key) {
            continue;
        }
        let m = find(main, &s.key);
        let b = against.and_then(|a| find(a, &s.key));
        let difference = match (&m, &b) {
            (Some(x), Some(y)) => {
                let e = paired_difference(&x.values, &y.values);
                Some(Interval { n: e.n, estimate: e.mean, low: e.ci_low(), high: e.ci_high() })
            }
            _ => None,
        };
        rows.push(AuditRow {
            criterion: s.criterion,
            key: s.key.clone(),
            label: m.as_ref().map_or(s.label.clone(), |x| x.label.clone()),
            main: m.map(|x| x.interval),
            against: b.map(|x| x.interval),
            difference,
        });
    }
    rows.sort_by_key(|r| r.criterion);
    rows
}

/// Runs every (scenario, replication) on `workers` threads, one thread per run; returns the
/// counters per scenario in replication order.
fn run_all(
    scenarios: &[&Scenario],
    seeds: &[u64],
    workers: usize,
    progress: &(dyn Fn(AuditProgress) + Sync),
) -> Result<Vec<Vec<Counts>>, AuditError> {
    let jobs: Vec<(usize, usize)> =
        (0..scenarios.len()).flat_map(|s| (0..seeds.len()).map(move |r| (s, r))).collect();
    let results: Mutex<Vec<Option<Counts>>> = Mutex::new(vec![None; jobs.len()]);
    let failure: Mutex<Option<AuditError>> = Mutex::new(None);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let fail = |e: AuditError| {
        stop.store(true, Ordering::SeqCst);
        failure.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
    };
    let work = || {
        while !stop.load(Ordering::SeqCst) {
            let k = next.fetch_add(1, Ordering::SeqCst);
            let Some(&(s, r)) = jobs.get(k) else { break };
            let mut scenario = scenarios[s].clone();
            scenario.params.seed = seeds[r];
            let mut cfg = RunConfig::new(scenario);
            cfg.threads = 1;
            match scslab_runner::run(&cfg, &mut |_| {}) {
                Ok(outcome) => {
                    let c = counts_of(&outcome.series, &cfg.scenario);
                    results.lock().unwrap_or_else(|p| p.into_inner())[k] = Some(c);
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    progress(AuditProgress { done: n, total: jobs.len() });
                }
                Err(source) => fail(AuditError::Run {
                    scenario: scenarios[s].name.clone(),
                    replication: r as u32,
                    source,
                }),
            }
        }
    };
    std::thread::scope(|scope| {
        for w in 0..workers.min(jobs.len()).max(1) {
            let spawned =
                std::thread::Builder::new().name(format!("audit-worker-{w}")).spawn_scoped(scope, work);
            if let Err(e) = spawned {
                fail(AuditError::Threads(e.to_string()));
                break;
            }
        }
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    let mut flat = results.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter();
    Ok((0..scenarios.len())
        .map(|_| (0..seeds.len()).map(|_| flat.next().flatten().unwrap_or_default()).collect())
        .collect())
}

/// One replication's counters, read from its daily series.
pub fn counts_of(series: &SeriesBuilder, scenario: &Scenario) -> Counts {
    let sum = |x: Option<&[f64]>| x.map_or(0.0, |v| v.iter().sum::<f64>());
    let both = |name: &str| sum(series.person(name)) + sum(series.firm(name));
    let recorded: f64 = PERSON_EVENTS
        .iter()
        .filter(|e| e.valence == Valence::Violation)
        .map(|e| {
            sum(series.person(&format!("recorded_{}", e.name)))
                + sum(series.person(&format!("false_records_{}", e.name)))
        })
        .chain(FIRM_EVENTS.iter().filter(|e| e.valence == Valence::Violation).map(|e| {
            sum(series.firm(&format!("recorded_{}", e.name)))
                + sum(series.firm(&format!("false_records_{}", e.name)))
        }))
        .sum();
    let lists = blacklists(&scenario.params);
    let mut severe = 0.0;
    let mut severe_after_minor = 0.0;
    for l in &lists {
        let name = format!("entries_{}", l.name);
        let entries = if l.persons { sum(series.person(&name)) } else { sum(series.firm(&name)) };
        let n = entries * l.severe.len() as f64;
        severe += n;
        if l.minor_reachable {
            severe_after_minor += n;
        }
    }
    let mut spillover_by_measure: Vec<(String, f64)> = Vec::new();
    for m in lists.iter().flat_map(|l| &l.spillover) {
        if !spillover_by_measure.iter().any(|x| &x.0 == m) {
            spillover_by_measure.push((m.clone(), both(&format!("spillover_applied_{m}"))));
        }
    }
    let groups = |dim: &str| -> Vec<Group> {
        let adults = series.person_by_group(dim, "adults");
        series
            .person_by_group(dim, "sanctions")
            .into_iter()
            .zip(adults)
            .map(|((name, sanctions), (_, adult_days))| Group { name, sanctions, adult_days })
            .collect()
    };
    Counts {
        adult_days: sum(series.person("adults")),
        sanctions: both("sanctions"),
        spillover: both("spillover_sanctions"),
        false_sanctions: both("false_sanctions"),
        person_false_sanctions: sum(series.person("false_sanctions")),
        recorded_violations: recorded,
        fines_yuan: both("fines_yuan"),
        severe,
        severe_after_minor,
        spillover_by_measure,
        income: groups("income"),
        urban_rural: groups("urban_rural"),
        province: groups("province"),
    }
}
