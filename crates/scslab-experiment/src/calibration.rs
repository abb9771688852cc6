//! The calibration of a scenario against dated facts; by default `china-2020` against the court
//! judgment-defaulter list, 2013-2018.
//!
//! Two commands share this module. [`calibrate`] checks a scenario as it stands: replications at
//! its own parameter values compared with every target. [`fit::fit`] (`scslab calibrate --fit`)
//! fits the parameters named in a priors file jointly by ABC-SMC ([`abc`]), then draws posterior
//! predictive runs from the posterior, so that the band around each target holds the parameters'
//! uncertainty as well as the seeds'.
//!
//! The targets are a CSV of dated facts ([`targets`]; the built-in file holds FACTS.md's B9-B20)
//! and the priors a TOML of scenario keys with ranges ([`priors`]), both checked against the
//! scenario before any run.
//!
//! The built-in calibration scenario is generated from the `china-2020` preset's text: the same
//! population, behaviour and authorities, but day 0 is the list's launch (2013-10-01), the
//! horizon runs to 2019-12-31, every list starts empty (the preset's `initial_share` lines are
//! dropped) and the court list's detection is scaled by [`LAUNCH_SCALE`] during its first
//! [`LAUNCH_DAYS`] days (two policy changes). Replications (common random numbers: the
//! sweep's replication seeds) are ordinary single-threaded runs of the runner that write nothing;
//! the calibration reads their daily series in memory, scales them to the 2020 census population
//! ([`POPULATION`]) and compares them with the targets.
//!
//! A fact is *within* when the sourced value lies in the *band*: the simulated 95% interval
//! widened on each side by [`SD_WIDENING`] standard errors of the target (its `sd`), because the
//! sources are rounded ("about 13 M", "more than 700,000") and their definitions are not always
//! the model's. The band is what every table prints beside "within" ([`Row::low`],
//! [`Row::high`]); the plain 95% interval is printed as well, labelled as such, with the
//! relative and log errors of the simulated mean.
//! Definitions and the measured fit: docs/calibration/CALIBRATION.md.

pub mod abc;
pub mod fit;
mod posterior;
pub mod priors;
pub mod targets;
mod write;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use scslab_model::metrics::{Family, PersonCols};
use scslab_output::OutputError;
use scslab_runner::{RunConfig, RunError};
use scslab_scenario::{Scenario, ScenarioError};

use crate::design::{Streams, replication_seed};
use crate::pool;
use crate::stats::{Estimate, mean_ci};

pub use targets::{Role, Target};

/// What a calibration or a fit writes into its folder (`write.rs`, `fit.rs`), as name prefixes,
/// besides `manifest.json` and `report.html`: what `--overwrite` may clear from an earlier one.
pub const OUTPUT_FILES: [&str; 10] = [
    "calibration.",
    "trajectory.",
    "scenario.toml",
    "targets.csv",
    "priors.toml",
    "posterior.",
    "correlations.",
    "particles.",
    "generation",
    "fit-plan.json",
];

/// The preset the calibration is derived from.
pub const PRESET: &str = "china-2020";
/// The list compared with the facts.
pub const LIST: &str = "court_defaulters";
/// Mainland population, 2020 census (FACTS S1): simulated counts are scaled to it.
pub const POPULATION: f64 = 1_411_780_000.0;
/// Day 0 of the calibration scenario: the list's launch.
pub const LAUNCH: Date = Date { year: 2013, month: 10, day: 1 };
/// Last simulated day.
pub const END: Date = Date { year: 2019, month: 12, day: 31 };
/// The court list's detection scale from the launch until [`LAUNCH_DAYS`] (tuned on FACTS B9,
/// B10, docs/ODD.md section 6.3): courts used the new list sparingly at first.
pub const LAUNCH_SCALE: f64 = 0.06;
/// The day from which the court list's detection scale is 1 (the preset's detection).
pub const LAUNCH_DAYS: u32 = 380;
/// Standard errors of the target (its `sd`) by which the simulated 95% interval is widened on
/// each side to make the band within which a sourced value counts as matched.
pub const SD_WIDENING: f64 = 1.96;
/// Default population of a calibration run.
pub const DEFAULT_PEOPLE: u64 = 200_000;
/// Default replications.
pub const DEFAULT_REPLICATIONS: u32 = 5;

/// A calendar date (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month, 1-31.
    pub day: u32,
}

impl Date {
    /// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
    fn epoch_days(self) -> i64 {
        let y = self.year as i64 - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The simulated day of this date (day 0 = [`LAUNCH`]).
    pub fn sim_day(self) -> u32 {
        (self.epoch_days() - LAUNCH.epoch_days()) as u32
    }

    /// Days from `start` to this date (negative before it).
    pub fn days_from(self, start: Date) -> i64 {
        self.epoch_days() - start.epoch_days()
    }

    /// The date `d` days after `start`.
    pub fn of_day(start: Date, d: u32) -> Date {
        let (year, month, day) = scslab_output::format::civil_from_days(start.epoch_days() + d as i64);
        Date { year: year as i32, month, day }
    }

    /// Reads `YYYY-MM-DD`; `None` unless it is a calendar date.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date { year: y.parse().ok()?, month: m.parse().ok()?, day: d.parse().ok()? };
        // A date is a calendar date when it survives the trip through days and back.
        let (year, month, day) = scslab_output::format::civil_from_days(date.epoch_days());
        (year as i32 == date.year && month == date.month && day == date.day).then_some(date)
    }

    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// The date of simulated day `d`.
    pub fn of_sim_day(d: u32) -> Date {
        let (year, month, day) = scslab_output::format::civil_from_days(LAUNCH.epoch_days() + d as i64);
        let year = year as i32;
        Date { year, month, day }
    }
}

/// The number of days simulated (from [`LAUNCH`] to [`END`] inclusive).
pub fn horizon() -> u32 {
    END.sim_day() + 1
}

/// What a fact counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// Persons on the list on the date (`stock_court_defaulters`).
    Stock,
    /// Listings since the launch (cumulative `entries_court_defaulters`).
    Listed,
    /// Exits since the launch (cumulative `exits_court_defaulters`: repayment, and the few
    /// successful appeals).
    Exits,
    /// Flights refused since the launch (cumulative `flights_blocked`).
    FlightsBlocked,
    /// High-speed trains refused since the launch (cumulative `trains_blocked`).
    TrainsBlocked,
}

/// Every quantity, in report order.
pub const QUANTITIES: [Quantity; 5] =
    [Quantity::Stock, Quantity::Listed, Quantity::Exits, Quantity::FlightsBlocked, Quantity::TrainsBlocked];

impl Quantity {
    /// Short key used in files.
    pub fn key(self) -> &'static str {
        match self {
            Quantity::Stock => "list_stock",
            Quantity::Listed => "listed_cumulative",
            Quantity::Exits => "exits_cumulative",
            Quantity::FlightsBlocked => "flights_blocked_cumulative",
            Quantity::TrainsBlocked => "trains_blocked_cumulative",
        }
    }

    /// What it means.
    pub fn label(self) -> &'static str {
        match self {
            Quantity::Stock => "persons on the court-defaulter list",
            Quantity::Listed => "listings since October 2013",
            Quantity::Exits => "exits (repayment) since October 2013",
            Quantity::FlightsBlocked => "flights refused since October 2013",
            Quantity::TrainsBlocked => "high-speed trains refused since October 2013",
        }
    }

    /// The daily series' person counter (a typed handle of `cols`; `None` if the list is not
    /// declared) and whether it is summed over days.
    fn column(self, cols: &PersonCols) -> (Option<usize>, bool) {
        let list = |family| cols.columns.find(family, LIST);
        match self {
            Quantity::Stock => (list(Family::ListStock), false),
            Quantity::Listed => (list(Family::ListEntries), true),
            Quantity::Exits => (list(Family::ListExits), true),
            Quantity::FlightsBlocked => (Some(cols.flights_blocked), true),
            Quantity::TrainsBlocked => (Some(cols.trains_blocked), true),
        }
    }
}

const fn d(year: i32, month: u32, day: u32) -> Date {
    Date { year, month, day }
}

/// The calibration scenario's text, made from the preset's: name, description and horizon
/// replaced, `initial_share` lines dropped (the list starts empty at its launch), and the
/// launch phase of the court list's detection appended as two policy changes.
pub fn scenario_text(preset_text: &str) -> String {
    let mut out = String::with_capacity(preset_text.len() + 4096);
    let mut in_meta = false;
    for line in preset_text.lines() {
        let t = line.trim_start();
        if t.starts_with('[') {
            in_meta = t.starts_with("[scenario]");
        }
        if t.starts_with("initial_share") {
            continue;
        }
        if in_meta && t.starts_with("name") {
            out.push_str(&format!("name = \"{PRESET}-calibration\"\n"));
        } else if in_meta && t.starts_with("description") {
            out.push_str(&format!(
                "description = \"{PRESET} from the court-defaulter list's launch ({}) to {}, lists empty at the launch\"\n",
                LAUNCH.iso(),
                END.iso()
            ));
        } else if in_meta && t.starts_with("start_date") {
            out.push_str(&format!("start_date = \"{}\"  # the list's launch\n", LAUNCH.iso()));
        } else if in_meta && t.starts_with("days") {
            out.push_str(&format!(
                "days = {}  # day 0 = {}, last day {}\n",
                horizon(),
                LAUNCH.iso(),
                END.iso()
            ));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "\n# The list's launch (calibration only): the court list's detection is scaled by {LAUNCH_SCALE}\n\
         # until day {LAUNCH_DAYS}, then by 1 (tuned on FACTS B9, B10).\n\
         [[policy_change]]\nday = 0\nauthority = \"{LIST}\"\ndetection_scale = {LAUNCH_SCALE}\n\n\
         [[policy_change]]\nday = {LAUNCH_DAYS}\nauthority = \"{LIST}\"\ndetection_scale = 1.0\n"
    ));
    out
}

/// The calibration scenario, checked like any scenario file.
pub fn scenario() -> Result<Scenario, ScenarioError> {
    let text = scenario_text(scslab_scenario::preset_text(PRESET)?);
    let file = format!("preset:{PRESET} (calibration)");
    scslab_scenario::parse(&text, &file)
}

/// What a calibration compares: a checked scenario, its day 0 and its targets.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// The scenario as read (its own size; the runs use the calibration's).
    pub scenario: Scenario,
    /// The date of day 0.
    pub start: Date,
    /// The targets, in the file's order.
    pub targets: Vec<Target>,
    /// Where the targets came from (a path or the built-in file's name).
    pub targets_file: String,
    /// The targets file's text, exactly as read.
    pub targets_text: String,
}

/// The scenario (`None`: the built-in calibration scenario of `china-2020`) and the targets
/// (`None`: the built-in `china-2020` targets), checked against each other: every target's
/// quantity exists in the scenario and its date falls inside the run.
pub fn inputs(scenario: Option<&Path>, targets: Option<&Path>) -> Result<Inputs, ScenarioError> {
    let (scenario, start) = match scenario {
        None => (self::scenario()?, LAUNCH),
        Some(path) => {
            let s = scslab_scenario::load(path)?;
            let start = start_date(&s)?;
            (s, start)
        }
    };
    let (targets_file, targets_text) = match targets {
        None => (targets::CHINA_2020_TARGETS_FILE.to_string(), targets::CHINA_2020_TARGETS.to_string()),
        Some(path) => {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .map_err(|source| ScenarioError::Read { file: file.clone(), source })?;
            (file, text)
        }
    };
    let targets = targets::parse(&targets_text, &targets_file, start, scenario.params.days)?;
    if !scenario.params.authorities.iter().any(|a| a.name == LIST) {
        return Err(ScenarioError::Invalid {
            file: scenario.origin.clone(),
            line: 1,
            column: 1,
            message: format!(
                "the targets count the list `{LIST}` (its stock, entries and exits), which scenario `{}` does \
                 not declare",
                scenario.name
            ),
        });
    }
    Ok(Inputs { scenario, start, targets, targets_file, targets_text })
}

/// The date of a scenario's day 0 (`[scenario] start_date`), which dated targets need.
fn start_date(s: &Scenario) -> Result<Date, ScenarioError> {
    let table: toml::Table = s.text.parse().map_err(|e: toml::de::Error| ScenarioError::Invalid {
        file: s.origin.clone(),
        line: 1,
        column: 1,
        message: e.to_string(),
    })?;
    table
        .get("scenario")
        .and_then(|t| t.get("start_date"))
        .and_then(|d| d.as_str())
        .and_then(Date::parse)
        .ok_or_else(|| ScenarioError::Invalid {
            file: s.origin.clone(),
            line: 1,
            column: 1,
            message:
                "a calibration compares dated targets: expected `start_date = \"YYYY-MM-DD\"` (the date of \
                      day 0) in [scenario]"
                    .into(),
        })
}

/// How to run a calibration.
#[derive(Clone, Debug)]
pub struct CalibrationConfig {
    /// People in each replication.
    pub people: u64,
    /// Replications (at least 2); for a fit, the posterior predictive runs.
    pub replications: u32,
    /// Base seed; `None` uses the scenario's seed.
    pub seed: Option<u64>,
    /// Output folder; `None` writes nothing.
    pub out_dir: Option<PathBuf>,
    /// Runs at a time; 0 uses all cores. Results do not depend on it.
    pub workers: usize,
    /// The command line, recorded in the files.
    pub command: String,
    /// The scenario file; `None` is the built-in calibration scenario of `china-2020`.
    pub scenario: Option<PathBuf>,
    /// The targets file; `None` is the built-in `china-2020` targets.
    pub targets: Option<PathBuf>,
    /// The real population simulated counts are scaled to; `None` is [`POPULATION`].
    pub population: Option<f64>,
}

impl Default for CalibrationConfig {
    fn default() -> CalibrationConfig {
        CalibrationConfig {
            people: DEFAULT_PEOPLE,
            replications: DEFAULT_REPLICATIONS,
            seed: None,
            out_dir: None,
            workers: 0,
            command: String::new(),
            scenario: None,
            targets: None,
            population: None,
        }
    }
}

/// Why a calibration could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    /// Fewer than two replications.
    #[error("--replications: expected at least 2 (a 95% interval needs two replications), found {0}")]
    Replications(u32),
    /// A setting of the fit is out of range (the message names the option and the valid range).
    #[error("{0}")]
    Setting(String),
    /// The scenario, the targets, the priors or a size is invalid.
    #[error(transparent)]
    Input(#[from] ScenarioError),
    /// The memory preflight refused the calibration before any run.
    #[error(transparent)]
    Memory(RunError),
    /// The posterior predictive runs would not fit in memory; refused before any run.
    #[error(
        "--replications {runs}: the posterior predictive runs keep {} MiB of daily series in memory; at most \
         {} MiB (a quarter of the memory available, or {} MiB); use fewer replications",
        bytes >> 20, limit >> 20, MAX_PREDICTIVE_BYTES >> 20
    )]
    PredictiveMemory {
        /// Predictive runs asked for.
        runs: u32,
        /// Bytes they would keep.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// The output folder holds a fit started with other inputs or settings.
    #[error(
        "{} holds a fit started from other inputs or settings (the scenario, targets, priors, --people, \
         --seed, --population, --particles or --keep differ: fingerprint {found}, this one is {expected}); \
         use another --out, or --overwrite once it has finished",
        out.display()
    )]
    Changed {
        /// The folder.
        out: PathBuf,
        /// This fit's fingerprint.
        expected: String,
        /// The folder's.
        found: String,
    },
    /// The output folder holds something that is not a fit to resume.
    #[error("--out {}: {message}", out.display())]
    Folder {
        /// The folder.
        out: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A replication failed.
    #[error("replication {replication}: {source}")]
    Run {
        /// The replication, from 0.
        replication: u32,
        /// What went wrong.
        source: RunError,
    },
    /// A counter the calibration reads is not in a replication's daily series (the list is not
    /// declared), or is shorter than the horizon (a bug: the calibration and the model disagree).
    #[error("the daily series has no complete counter of {0}")]
    MissingCounter(String),
    /// A file of an earlier generation could not be read back.
    #[error("cannot read {}: {message}; delete it to run that generation again", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Worker threads could not be started.
    #[error("cannot start worker threads: {0}")]
    Threads(String),
}

/// Most memory the posterior predictive runs may keep (their daily series): 1 GiB.
pub const MAX_PREDICTIVE_BYTES: u64 = 1 << 30;

/// One compared target.
#[derive(Clone, Debug)]
pub struct Row {
    /// The target.
    pub fact: Target,
    /// Its simulated day.
    pub day: u32,
    /// The simulated value over replications, scaled to the real population (its Student-t
    /// interval, unclipped: `simulated.ci_low()`, `simulated.ci_high()`).
    pub simulated: Estimate,
    /// Lower end of the simulated 95% interval, clipped at 0 (a count is never negative): the
    /// interval to print. For a fit, the 2.5% quantile of the posterior predictive runs.
    pub ci_low: f64,
    /// Upper end of the simulated 95% interval (for a fit, the 97.5% quantile).
    pub ci_high: f64,
    /// Lower end of the band used for `within`: the 95% interval's lower end less
    /// [`SD_WIDENING`] standard errors of the target. Print this, not the plain interval, beside
    /// `within`.
    pub low: f64,
    /// Upper end of the band used for `within`.
    pub high: f64,
    /// Whether the sourced value lies in the band `[low, high]`.
    pub within: bool,
    /// `(simulated mean - sourced) / sourced`.
    pub relative_error: f64,
    /// `ln(simulated mean / sourced)`: symmetric in over- and underestimation.
    pub log_error: f64,
}

impl Row {
    /// The row of `fact` simulated on `day` with the values `xs` (one per replication or
    /// predictive run, scaled): `quantiles` takes the 2.5% and 97.5% quantiles as the interval
    /// (a fit), else the Student-t interval of the mean (replications at fixed parameters).
    fn new(fact: Target, day: u32, xs: &[f64], quantiles: bool) -> Row {
        let simulated = mean_ci(xs);
        let (ci_low, ci_high) = if quantiles {
            (quantile(xs, 0.025), quantile(xs, 0.975))
        } else {
            (nonnegative(simulated.ci_low()), simulated.ci_high())
        };
        let (low, high) = band(ci_low, ci_high, fact.sd);
        Row {
            day,
            simulated,
            ci_low,
            ci_high,
            low,
            high,
            within: fact.value >= low && fact.value <= high,
            relative_error: (simulated.mean - fact.value) / fact.value,
            log_error: (simulated.mean / fact.value).ln(),
            fact,
        }
    }
}

/// The `q`-quantile of `xs` (linear interpolation between order statistics, R's type 7).
fn quantile(xs: &[f64], q: f64) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let h = (v.len() - 1) as f64 * q;
    let (i, frac) = (h.floor() as usize, h - h.floor());
    if i + 1 < v.len() { v[i] + (v[i + 1] - v[i]) * frac } else { v[i] }
}

/// The simulated daily trajectory of one quantity, scaled to the real population.
#[derive(Clone, Debug)]
pub struct Trajectory {
    /// The quantity.
    pub quantity: Quantity,
    /// Mean over replications, per day.
    pub mean: Vec<f64>,
    /// Lower end of the 95% interval, per day, clipped at 0.
    pub ci_low: Vec<f64>,
    /// Upper end of the 95% interval, per day.
    pub ci_high: Vec<f64>,
}

/// What a calibration found.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// People per replication.
    pub people: u64,
    /// Days simulated.
    pub days: u32,
    /// The date of day 0.
    pub start: Date,
    /// The real population simulated counts are scaled to.
    pub population: f64,
    /// The base seed.
    pub seed: u64,
    /// Each replication's seed.
    pub seeds: Vec<u64>,
    /// The calibration scenario as run (people and seed as in its text; the runs use `people`
    /// and the replication seeds).
    pub scenario: Scenario,
    /// Where the targets came from, and their text.
    pub targets_file: String,
    /// The targets file's text.
    pub targets_text: String,
    /// One row per target.
    pub rows: Vec<Row>,
    /// The daily trajectories.
    pub trajectories: Vec<Trajectory>,
    /// Share of adults on the list at the end of 2018 (the calibrated window's end), when the
    /// run reaches it.
    pub stock_share_2018: Estimate,
    /// Share of adults on the list at the end of the last day (for the built-in scenario
    /// 2019-12-31: the warm start of `china-2020`, `initial_share`).
    pub stock_share_end: Estimate,
    /// The command line.
    pub command: String,
}

impl Calibration {
    /// Facts within their band.
    pub fn within(&self) -> usize {
        self.rows.iter().filter(|r| r.within).count()
    }

    /// The date of the last simulated day.
    pub fn end(&self) -> Date {
        Date::of_day(self.start, self.days - 1)
    }
}

/// Progress, reported after every simulated day of every run (so that it moves from the start,
/// long before the first run finishes) and when a run finishes.
#[derive(Clone, Debug)]
pub struct CalibrationProgress {
    /// What is running: `replications`, `generation N` or `posterior predictive`.
    pub phase: String,
    /// Runs of the phase finished.
    pub done: usize,
    /// Runs in the phase.
    pub total: usize,
    /// Days simulated so far in the phase, summed over runs.
    pub done_days: u64,
    /// Days to simulate in the phase: runs x days.
    pub total_days: u64,
}

/// `x` clipped at 0 (NaN stays NaN): the lower end of an interval of counts, which a Student-t
/// interval over few replications can put below 0.
fn nonnegative(x: f64) -> f64 {
    if x < 0.0 { 0.0 } else { x }
}

/// The band within which a sourced value counts as matched: the 95% interval `[low, high]`
/// widened by [`SD_WIDENING`] standard errors `sd` of the target on each side.
pub fn band(low: f64, high: f64, sd: f64) -> (f64, f64) {
    (low - SD_WIDENING * sd, high + SD_WIDENING * sd)
}

/// What one run contributes: each quantity per day (unscaled), and the share of adults listed
/// at the end of 2018 and on the last day.
#[derive(Clone, Debug)]
pub(crate) struct Replication {
    pub(crate) series: Vec<Vec<f64>>,
    share_2018: f64,
    share_end: f64,
}

impl Replication {
    /// Each target's value in this run, scaled by `scale`.
    pub(crate) fn at_targets(&self, rows: &[(usize, u32)], scale: f64) -> Vec<f64> {
        rows.iter().map(|&(q, day)| self.series[q][day as usize] * scale).collect()
    }
}

/// Each target's quantity (its index in [`QUANTITIES`]) and simulated day.
pub(crate) fn target_days(targets: &[Target], start: Date) -> Vec<(usize, u32)> {
    targets
        .iter()
        .map(|t| {
            let q = QUANTITIES.iter().position(|&x| x == t.quantity).unwrap_or(0);
            (q, t.date.days_from(start) as u32)
        })
        .collect()
}

/// The scenario resized to `people`, and the memory preflight of `workers` runs at a time.
pub(crate) fn sized(scenario: &Scenario, people: u64, workers: usize) -> Result<Scenario, CalibrationError> {
    let mut sized = scenario.clone();
    let o = scslab_scenario::Overrides { people: Some(people), days: None, seed: None };
    scslab_scenario::apply_overrides(&mut sized.params, o)?;
    let mut cfg = RunConfig::new(sized.clone());
    cfg.memory_limit = scslab_output::machine_memory().map(|m| m.available_bytes / workers as u64);
    scslab_runner::preflight(&cfg).map_err(CalibrationError::Memory)?;
    Ok(sized)
}

/// Runs the calibration and writes its files if `config.out_dir` is set. Everything is checked
/// before anything is written.
pub fn calibrate(
    config: &CalibrationConfig,
    progress: &(dyn Fn(CalibrationProgress) + Sync),
) -> Result<Calibration, CalibrationError> {
    if config.replications < 2 {
        return Err(CalibrationError::Replications(config.replications));
    }
    let inputs = inputs(config.scenario.as_deref(), config.targets.as_deref())?;
    let population = check_population(config.population)?;
    let workers = pool::workers(config.workers);
    let sized = sized(&inputs.scenario, config.people, workers)?;
    let seed = config.seed.unwrap_or(inputs.scenario.params.seed);
    let seeds: Vec<u64> =
        (0..config.replications).map(|r| replication_seed(seed, r, 0, Streams::Common)).collect();
    let jobs: Vec<(Scenario, u64)> = seeds.iter().map(|&s| (sized.clone(), s)).collect();
    let reps = run_all("replications", &jobs, inputs.start, workers, progress)?;
    let result = summarise(config, &inputs, sized.params.days, population, seed, seeds, &reps, false);
    if let Some(dir) = &config.out_dir {
        write::write(dir, &result)?;
    }
    Ok(result)
}

/// The population counts are scaled to: `population`, or [`POPULATION`].
pub(crate) fn check_population(population: Option<f64>) -> Result<f64, CalibrationError> {
    match population {
        None => Ok(POPULATION),
        Some(p) if p.is_finite() && p >= 1.0 => Ok(p),
        Some(p) => Err(CalibrationError::Setting(format!(
            "--population: expected the real population the counts are scaled to (at least 1), found {p}"
        ))),
    }
}

/// The rows and trajectories of a set of runs: `quantiles` for posterior predictive runs (the
/// interval is the runs' 2.5% to 97.5%), else replications (the interval of the mean).
#[allow(clippy::too_many_arguments, reason = "one call site per command; a struct would only rename them")]
pub(crate) fn summarise(
    config: &CalibrationConfig,
    inputs: &Inputs,
    days: u32,
    population: f64,
    seed: u64,
    seeds: Vec<u64>,
    reps: &[Replication],
    quantiles: bool,
) -> Calibration {
    let scale = population / config.people as f64;
    let trajectories: Vec<Trajectory> = QUANTITIES
        .iter()
        .enumerate()
        .map(|(q, &quantity)| {
            let mut t = Trajectory { quantity, mean: vec![], ci_low: vec![], ci_high: vec![] };
            for day in 0..days as usize {
                let xs: Vec<f64> = reps.iter().map(|r| r.series[q][day] * scale).collect();
                let e = mean_ci(&xs);
                t.mean.push(e.mean);
                if quantiles {
                    t.ci_low.push(quantile(&xs, 0.025));
                    t.ci_high.push(quantile(&xs, 0.975));
                } else {
                    t.ci_low.push(nonnegative(e.ci_low()));
                    t.ci_high.push(e.ci_high());
                }
            }
            t
        })
        .collect();
    let rows = inputs
        .targets
        .iter()
        .zip(target_days(&inputs.targets, inputs.start))
        .map(|(fact, (q, day))| {
            let xs: Vec<f64> = reps.iter().map(|r| r.series[q][day as usize] * scale).collect();
            Row::new(fact.clone(), day, &xs, quantiles)
        })
        .collect();
    Calibration {
        people: config.people,
        days,
        start: inputs.start,
        population,
        seed,
        seeds,
        scenario: inputs.scenario.clone(),
        targets_file: inputs.targets_file.clone(),
        targets_text: inputs.targets_text.clone(),
        rows,
        trajectories,
        stock_share_2018: mean_ci(&reps.iter().map(|r| r.share_2018).collect::<Vec<_>>()),
        stock_share_end: mean_ci(&reps.iter().map(|r| r.share_end).collect::<Vec<_>>()),
        command: config.command.clone(),
    }
}

/// Runs every (scenario, seed) on `workers` threads, one thread per run; results in job order.
pub(crate) fn run_all(
    phase: &str,
    jobs: &[(Scenario, u64)],
    start: Date,
    workers: usize,
    progress: &(dyn Fn(CalibrationProgress) + Sync),
) -> Result<Vec<Replication>, CalibrationError> {
    let done = AtomicUsize::new(0);
    let done_days = AtomicU64::new(0);
    let total_days: u64 = jobs.iter().map(|(s, _)| s.params.days as u64).sum();
    let report = |n: usize, d: u64| {
        progress(CalibrationProgress {
            phase: phase.to_string(),
            done: n,
            total: jobs.len(),
            done_days: d,
            total_days,
        });
    };
    report(0, 0);
    let job = |r: usize, (scenario, seed): &(Scenario, u64)| {
        let mut s = scenario.clone();
        s.params.seed = *seed;
        let mut cfg = RunConfig::new(s);
        cfg.threads = 1;
        let mut on_day = |p: scslab_runner::Progress| {
            if let scslab_runner::Progress::Day { .. } = p {
                let d = done_days.fetch_add(1, Ordering::SeqCst) + 1;
                report(done.load(Ordering::SeqCst), d);
            }
        };
        scslab_runner::run(&cfg, &mut on_day)
            .map_err(|source| CalibrationError::Run { replication: r as u32, source })
            .and_then(|outcome| extract(&outcome.series, cfg.scenario.params.days, start))
    };
    let on_done = |_: usize, n: usize| {
        done.fetch_max(n, Ordering::SeqCst);
        report(n, done_days.load(Ordering::SeqCst));
    };
    pool::run("calibration", jobs, workers, job, on_done)
}

impl From<pool::StartError> for CalibrationError {
    fn from(e: pool::StartError) -> CalibrationError {
        CalibrationError::Threads(e.0)
    }
}

/// One run's quantities from its daily series. A missing or short counter is an error, never a
/// silent 0.
fn extract(
    series: &scslab_runner::SeriesBuilder,
    days: u32,
    start: Date,
) -> Result<Replication, CalibrationError> {
    let days = days as usize;
    let cols = series.person_cols();
    let get = |col: Option<usize>, what: &str| -> Result<Vec<f64>, CalibrationError> {
        match col.map(|c| series.person_at(c)) {
            Some(v) if v.len() == days && days > 0 => Ok(v.to_vec()),
            _ => Err(CalibrationError::MissingCounter(what.to_string())),
        }
    };
    let mut quantities = Vec::with_capacity(QUANTITIES.len());
    for q in QUANTITIES {
        let (column, cumulative) = q.column(cols);
        let mut v = get(column, q.label())?;
        if cumulative {
            let mut sum = 0.0;
            for x in &mut v {
                sum += *x;
                *x = sum;
            }
        }
        quantities.push(v);
    }
    let adults = get(Some(cols.adults), "adults")?;
    let stock = &quantities[0];
    let share = |d: usize| if adults[d] > 0.0 { stock[d] / adults[d] } else { f64::NAN };
    let end_2018 = d(2018, 12, 31).days_from(start);
    let share_2018 = if (0..days as i64).contains(&end_2018) { share(end_2018 as usize) } else { f64::NAN };
    Ok(Replication { share_2018, share_end: share(days - 1), series: quantities })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_days() {
        assert_eq!(LAUNCH.sim_day(), 0);
        assert_eq!(d(2014, 1, 1).sim_day(), 92);
        assert_eq!(d(2019, 1, 1).sim_day(), 92 + 365 * 5 + 1);
        assert_eq!(horizon(), 92 + 365 * 6 + 1);
        for day in [0, 59, 91, 92, 880, 1917, horizon() - 1] {
            assert_eq!(Date::of_sim_day(day).sim_day(), day);
        }
        assert_eq!(Date::of_sim_day(horizon() - 1), END);
        assert_eq!(Date::of_sim_day(886).iso(), "2016-03-05");
        assert_eq!(Date::parse("2016-02-29"), Some(d(2016, 2, 29)));
        for bad in ["2015-02-29", "2016-13-01", "2016-1-01", "16-01-01", "2016-01-01-", "x"] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_calibration_scenario_is_the_preset_with_another_horizon() {
        let s = scenario().unwrap();
        let p = scslab_scenario::preset(PRESET).unwrap();
        assert_eq!(s.params.days, horizon());
        assert_eq!(s.name, "china-2020-calibration");
        assert_eq!(format!("{:?}", s.params.behaviour), format!("{:?}", p.params.behaviour));
        assert_eq!(format!("{:?}", s.params.measures), format!("{:?}", p.params.measures));
        for a in &s.params.authorities {
            if let scslab_model::params::AuthorityKind::List(rule) = &a.kind {
                assert_eq!(rule.initial_share, 0.0, "{}", a.name);
            }
        }
        assert_eq!(s.params.policy_changes.len(), 2);
        let t = inputs(None, None).unwrap();
        for f in &t.targets {
            assert!(f.date.sim_day() < horizon(), "{}", f.id);
        }
    }
}
