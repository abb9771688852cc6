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
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use scslab_model::metrics::{Columns, Family};
use scslab_model::vocab::{FIRM_EVENTS, PERSON_EVENTS, Valence};
use scslab_output::OutputError;
use scslab_runner::{Dimension, RunConfig, RunError, SeriesBuilder};
use scslab_scenario::{Overrides, Scenario, ScenarioError};

pub use criteria::{
    CONTINUITY, Counts, Criterion, DE_MINIMIS, FOUR_FIFTHS_HIGH, Finding, Group, Interval,
    MIN_PROVINCE_SHARE, Statistic, Unit, Verdict, clip, defined, extreme_provinces, findings, group_ratio,
    mean_interval, rate_ratio, ratio_interval, statistics,
};
pub use gravity::{EventGravity, ListProfile, MINOR_GRAVITY, blacklists, event_gravity};

use crate::design::{Streams, replication_seed};
use crate::pool;
use crate::stats::{mean_ci, t_quantile_975};

/// What an audit writes into its folder (`write.rs`), as name prefixes, besides `manifest.json`
/// and `report.html`: what `--overwrite` may clear from an earlier audit.
pub const OUTPUT_FILES: [&str; 3] = ["audit.", "audit_replications.", "scenario-"];

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
    /// A counter the audit reads is not in a replication's daily series: a list or measure of
    /// the scenario has no column (a bug, or a series of another scenario).
    #[error("the daily series of {scenario} has no counter of {counter} (persons or firms)")]
    MissingCounter {
        /// The scenario.
        scenario: String,
        /// The counter, in words.
        counter: String,
    },
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
    /// Difference main - against, over replications with common random numbers: exactly
    /// `main.estimate - against.estimate`, with a paired 95% interval (for a ratio, the
    /// difference of the geometric means with a paired delta-method interval on the log scale).
    /// Undefined (NaN) when either side is.
    pub difference: Option<Interval>,
    /// The statistic's unit.
    pub unit: Unit,
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

/// Progress of an audit, reported after every simulated day of every replication, so that it
/// moves from the start.
#[derive(Clone, Debug)]
pub struct AuditProgress {
    /// Replications finished so far (of both scenarios).
    pub done: usize,
    /// Replications in the audit.
    pub total: usize,
    /// Days simulated so far, summed over all replications (of both scenarios).
    pub done_days: u64,
    /// Days to simulate in all: replications x days.
    pub total_days: u64,
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
    let workers = pool::workers(config.workers);
    let available = scslab_output::machine_memory().map(|m| m.available_bytes);
    for s in std::iter::once(&main).chain(other.as_ref()) {
        let mut cfg = RunConfig::new(s.clone());
        cfg.memory_limit = available.map(|a| a / workers as u64);
        scslab_runner::preflight(&cfg).map_err(AuditError::Memory)?;
    }
    let scenarios: Vec<&Scenario> = std::iter::once(&main).chain(other.as_ref()).collect();
    let counts = run_all(&scenarios, &seeds, workers, config.days, progress)?;
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
        let mut b = against.and_then(|a| find(a, &s.key));
        // The most and least affected provinces are the audited scenario's: the other scenario's
        // ratio is taken between the same two provinces, so that the row compares like with like.
        if let (Some(x), Some(a), Some((most, least))) = (
            &m,
            against,
            (s.key == "ratio_province_most_least").then(|| extreme_provinces(&main.counts)).flatten(),
        ) {
            let values: Vec<f64> = a.counts.iter().map(|c| group_ratio(&c.province, &most, &least)).collect();
            b = Some(Statistic { interval: ratio_interval(&values), values, ..x.clone() });
        }
        let difference = match (&m, &b) {
            (Some(x), Some(y)) => Some(difference(x, y)),
            _ => None,
        };
        rows.push(AuditRow {
            criterion: s.criterion,
            key: s.key.clone(),
            label: m.as_ref().map_or(s.label.clone(), |x| x.label.clone()),
            main: m.map(|x| x.interval),
            against: b.map(|x| x.interval),
            difference,
            unit: s.unit,
        });
    }
    rows.sort_by_key(|r| r.criterion);
    rows
}

/// The difference `a - b` of two statistics over the same seeds (common random numbers),
/// consistent with the two estimates by construction: the estimate is exactly
/// `a.interval.estimate - b.interval.estimate`.
///
/// For a mean, the interval is the paired Student-t interval of the per-replication differences
/// (whose mean is the difference of the means). For a ratio, whose estimate is a geometric mean,
/// the interval is the delta-method interval of `exp(ma) - exp(mb)`, with `ma`, `mb` the means
/// of the log ratios and their paired covariance. The interval uses the replications where both
/// sides are defined (`n` counts them). Undefined (NaN) when either estimate is.
pub fn difference(a: &Statistic, b: &Statistic) -> Interval {
    // The replications where both are defined: their paired differences give the interval.
    let pairs: Vec<(f64, f64)> = a
        .values
        .iter()
        .zip(&b.values)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(x, y)| (*x, *y))
        .collect();
    let n = pairs.len();
    let estimate = a.interval.estimate - b.interval.estimate;
    if !estimate.is_finite() {
        return Interval { n, estimate: f64::NAN, low: f64::NAN, high: f64::NAN };
    }
    let half = if a.is_ratio || b.is_ratio {
        // Linearised per-replication differences around the two log means: their variance is
        // the delta-method variance of exp(ma) - exp(mb) under pairing.
        let (ma, mb) = (a.interval.estimate.ln(), b.interval.estimate.ln());
        let (ea, eb) = (a.interval.estimate, b.interval.estimate);
        let d: Vec<f64> = pairs.iter().map(|(x, y)| ea * (x.ln() - ma) - eb * (y.ln() - mb)).collect();
        let e = mean_ci(&d);
        if n < 2 { f64::NAN } else { t_quantile_975(n as f64 - 1.0) * e.se }
    } else {
        let d: Vec<f64> = pairs.iter().map(|(x, y)| x - y).collect();
        mean_ci(&d).half_width
    };
    Interval { n, estimate, low: estimate - half, high: estimate + half }
}

/// Runs every (scenario, replication) on `workers` threads, one thread per run; returns the
/// counters per scenario in replication order.
fn run_all(
    scenarios: &[&Scenario],
    seeds: &[u64],
    workers: usize,
    days: u32,
    progress: &(dyn Fn(AuditProgress) + Sync),
) -> Result<Vec<Vec<Counts>>, AuditError> {
    let jobs: Vec<(usize, usize)> =
        (0..scenarios.len()).flat_map(|s| (0..seeds.len()).map(move |r| (s, r))).collect();
    let done = AtomicUsize::new(0);
    let done_days = AtomicU64::new(0);
    let total_days = jobs.len() as u64 * days as u64;
    let job = |_: usize, &(s, r): &(usize, usize)| {
        let mut scenario = scenarios[s].clone();
        scenario.params.seed = seeds[r];
        let mut cfg = RunConfig::new(scenario);
        cfg.threads = 1;
        let mut on_day = |p: scslab_runner::Progress| {
            if let scslab_runner::Progress::Day { .. } = p {
                let d = done_days.fetch_add(1, Ordering::SeqCst) + 1;
                let n = done.load(Ordering::SeqCst);
                progress(AuditProgress { done: n, total: jobs.len(), done_days: d, total_days });
            }
        };
        let outcome = scslab_runner::run(&cfg, &mut on_day).map_err(|source| AuditError::Run {
            scenario: scenarios[s].name.clone(),
            replication: r as u32,
            source,
        })?;
        counts_of(&outcome.series, &cfg.scenario)
    };
    let on_done = |_: usize, n: usize| {
        done.fetch_max(n, Ordering::SeqCst);
        let d = done_days.load(Ordering::SeqCst);
        progress(AuditProgress { done: n, total: jobs.len(), done_days: d, total_days });
    };
    let mut flat = pool::run("audit", &jobs, workers, job, on_done)?.into_iter();
    Ok((0..scenarios.len()).map(|_| flat.by_ref().take(seeds.len()).collect()).collect())
}

impl From<pool::StartError> for AuditError {
    fn from(e: pool::StartError) -> AuditError {
        AuditError::Threads(e.0)
    }
}

/// One replication's counters, read from its daily series through the counters' typed handles.
/// A list or measure the audit needs that the series does not have is an error, never a
/// silent 0.
pub fn counts_of(series: &SeriesBuilder, scenario: &Scenario) -> Result<Counts, AuditError> {
    let missing = |counter: String| AuditError::MissingCounter { scenario: scenario.name.clone(), counter };
    let (p, f) = (series.person_cols(), series.firm_cols());
    let total = |x: &[f64]| x.iter().sum::<f64>();
    let person = |col: usize| total(series.person_at(col));
    let firm = |col: usize| total(series.firm_at(col));
    // A family's column (one per list or measure) named by the scenario, of persons or firms.
    let find = |columns: &Columns, family: Family, item: &str| columns.find(family, item);
    let mut recorded = 0.0;
    for (e, _) in PERSON_EVENTS.iter().enumerate().filter(|(_, e)| e.valence == Valence::Violation) {
        recorded += person(p.recorded_event(e)) + person(p.false_record_event(e));
    }
    for (e, _) in FIRM_EVENTS.iter().enumerate().filter(|(_, e)| e.valence == Valence::Violation) {
        recorded += firm(f.recorded_event(e)) + firm(f.false_record_event(e));
    }
    let lists = blacklists(&scenario.params);
    let mut severe = 0.0;
    let mut severe_after_minor = 0.0;
    for l in &lists {
        let columns = if l.persons { &p.columns } else { &f.columns };
        let col = find(columns, Family::ListEntries, &l.name)
            .ok_or_else(|| missing(format!("entries into list {}", l.name)))?;
        let entries = if l.persons { person(col) } else { firm(col) };
        let n = entries * l.severe.len() as f64;
        severe += n;
        if l.minor_reachable {
            severe_after_minor += n;
        }
    }
    let mut spillover_by_measure: Vec<(String, f64)> = Vec::new();
    for m in lists.iter().flat_map(|l| &l.spillover) {
        if spillover_by_measure.iter().any(|x| &x.0 == m) {
            continue;
        }
        // A measure is either a person or a firm measure: one of the two must have it.
        let on_persons = find(&p.columns, Family::MeasureSpillover, m);
        let on_firms = find(&f.columns, Family::MeasureSpillover, m);
        if on_persons.is_none() && on_firms.is_none() {
            return Err(missing(format!("spillover impositions of measure {m}")));
        }
        let n = on_persons.map_or(0.0, person) + on_firms.map_or(0.0, firm);
        spillover_by_measure.push((m.clone(), n));
    }
    let groups = |dim: Dimension| -> Result<Vec<Group>, AuditError> {
        let adults = series.person_by_group(dim, p.adults);
        let sanctions = series.person_by_group(dim, p.sanctions);
        if adults.is_empty() || adults.len() != sanctions.len() {
            return Err(missing(format!("adults and sanctions by {}", dim.key())));
        }
        Ok(sanctions
            .into_iter()
            .zip(adults)
            .map(|((name, sanctions), (_, adult_days))| Group { name, sanctions, adult_days })
            .collect())
    };
    Ok(Counts {
        adult_days: person(p.adults),
        sanctions: person(p.sanctions) + firm(f.sanctions),
        spillover: person(p.spillover_sanctions) + firm(f.spillover_sanctions),
        false_sanctions: person(p.false_sanctions) + firm(f.false_sanctions),
        person_false_sanctions: person(p.false_sanctions),
        recorded_violations: recorded,
        fines_yuan: person(p.fines_yuan) + firm(f.fines_yuan),
        severe,
        severe_after_minor,
        spillover_by_measure,
        income: groups(Dimension::Income)?,
        urban_rural: groups(Dimension::UrbanRural)?,
        province: groups(Dimension::Province)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statistic(values: &[f64], is_ratio: bool) -> Statistic {
        let interval = if is_ratio { ratio_interval(values) } else { mean_interval(values) };
        Statistic {
            criterion: Criterion::DisparateImpact,
            key: "k".into(),
            label: "k".into(),
            values: values.to_vec(),
            interval,
            is_ratio,
            unit: if is_ratio { Unit::Ratio } else { Unit::Share },
        }
    }

    #[test]
    fn a_difference_is_the_difference_of_the_two_estimates_shown() {
        // Ratios: geometric means 2 and 1. Before, the row showed the mean of the
        // per-replication differences, 1.5, beside 2 and 1.
        let (a, b) = (statistic(&[1.0, 4.0], true), statistic(&[1.0, 1.0], true));
        assert_eq!((a.interval.estimate, b.interval.estimate), (2.0, 1.0));
        let d = difference(&a, &b);
        assert_eq!(d.estimate, 1.0);
        assert!(d.low < 1.0 && d.high > 1.0, "{d:?}");
        // Means: the paired interval around the difference of the means.
        let (a, b) = (statistic(&[0.5, 0.7, 0.6], false), statistic(&[0.1, 0.2, 0.3], false));
        let d = difference(&a, &b);
        assert_eq!(d.estimate, a.interval.estimate - b.interval.estimate);
        assert!((d.high - d.estimate - (d.estimate - d.low)).abs() < 1e-12);
        // A replication where one side is undefined is left out of the interval, not read as 0.
        let (a, b) = (statistic(&[0.5, f64::NAN, 0.6], false), statistic(&[0.1, 0.2, 0.3], false));
        let d = difference(&a, &b);
        assert_eq!(d.n, 2);
        assert_eq!(d.estimate, a.interval.estimate - b.interval.estimate);
        assert!((d.estimate - 0.35).abs() < 1e-12);
        // Undefined on one side: undefined.
        let d = difference(&statistic(&[f64::NAN, f64::NAN], false), &b);
        assert!(d.estimate.is_nan() && d.low.is_nan());
    }
}
