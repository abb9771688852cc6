//! The calibration of `china-2020` against the court judgment-defaulter list, 2013-2018.
//!
//! The calibration scenario is generated from the `china-2020` preset's text: the same
//! population, behaviour and authorities, but day 0 is the list's launch (2013-10-01), the
//! horizon runs to 2019-12-31, every list starts empty (the preset's `initial_share` lines are
//! dropped) and the court list's detection is scaled by [`LAUNCH_SCALE`] during its first
//! [`LAUNCH_DAYS`] days (two policy changes). Replications (common random numbers: the
//! sweep's replication seeds) are ordinary single-threaded runs of the runner that write nothing;
//! the calibration reads their daily series in memory, scales them to the 2020 census population
//! ([`POPULATION`]) and compares them with the sourced figures of `FACTS.md` ([`FACTS`]).
//!
//! A fact is *within* when the sourced value lies in the *band*: the simulated 95% interval
//! widened by [`TOLERANCE`] of each end on each side (`[low - tol |low|, high + tol |high|]`),
//! because the sources are rounded ("about 13 M", "more than 700,000") and their definitions are
//! not always clear. The band is what every table prints beside "within" ([`Row::low`],
//! [`Row::high`]); the plain 95% interval is printed as well, labelled as such.
//! Definitions and the measured fit: docs/calibration/CALIBRATION.md.

mod write;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use scslab_model::metrics::{Family, PersonCols};
use scslab_output::OutputError;
use scslab_runner::{RunConfig, RunError};
use scslab_scenario::{Scenario, ScenarioError};

use crate::design::{Streams, replication_seed};
use crate::pool;
use crate::stats::{Estimate, mean_ci};

/// What a calibration writes into its folder (`write.rs`), as name prefixes, besides
/// `manifest.json` and `report.html`: what `--overwrite` may clear from an earlier calibration.
pub const OUTPUT_FILES: [&str; 3] = ["calibration.", "trajectory.", "scenario.toml"];

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
/// Relative widening of the simulated 95% interval within which a sourced value counts as
/// matched.
pub const TOLERANCE: f64 = 0.2;
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

/// A sourced figure of FACTS.md, section 2, in persons or trips of the real population.
#[derive(Clone, Copy, Debug)]
pub struct Fact {
    /// Fact id in FACTS.md.
    pub id: &'static str,
    /// The date the figure refers to.
    pub date: Date,
    /// What is compared.
    pub quantity: Quantity,
    /// The sourced value.
    pub value: f64,
    /// How the source words it.
    pub source: &'static str,
}

const fn d(year: i32, month: u32, day: u32) -> Date {
    Date { year, month, day }
}

/// The facts compared, in date order. The mapping (which figure is a stock, which a cumulative
/// count) is argued in docs/calibration/CALIBRATION.md.
pub const FACTS: [Fact; 20] = [
    Fact {
        id: "B9",
        date: d(2014, 3, 10),
        quantity: Quantity::Stock,
        value: 87_079.0,
        source: "87,079 persons on the list on 2014-03-10",
    },
    Fact {
        id: "B10",
        date: d(2014, 12, 31),
        quantity: Quantity::Stock,
        value: 700_000.0,
        source: ">700,000 persons on the list by Dec 2014",
    },
    Fact {
        id: "B11",
        date: d(2016, 1, 1),
        quantity: Quantity::Stock,
        value: 3_600_000.0,
        source: "~3.6 M barred from air travel and sleeper trains as of 2016-01-01",
    },
    Fact {
        id: "B12",
        date: d(2017, 11, 8),
        quantity: Quantity::Listed,
        value: 8_870_000.0,
        source: "8.87 M persons disclosed since 2013",
    },
    Fact {
        id: "B12",
        date: d(2017, 11, 8),
        quantity: Quantity::TrainsBlocked,
        value: 3_400_000.0,
        source: "3.4 M barred from high-speed rail",
    },
    Fact {
        id: "B13",
        date: d(2017, 12, 31),
        quantity: Quantity::Listed,
        value: 9_590_000.0,
        source: "9.59 M blacklisted by end-2017",
    },
    Fact {
        id: "B13",
        date: d(2017, 12, 31),
        quantity: Quantity::FlightsBlocked,
        value: 9_360_000.0,
        source: "9.36 M plane tickets blocked",
    },
    Fact {
        id: "B13",
        date: d(2017, 12, 31),
        quantity: Quantity::TrainsBlocked,
        value: 3_670_000.0,
        source: "3.67 M high-speed rail tickets blocked",
    },
    Fact {
        id: "B14",
        date: d(2018, 5, 31),
        quantity: Quantity::Listed,
        value: 10_590_000.0,
        source: "10.59 M individuals and companies added Oct 2013-May 2018",
    },
    Fact {
        id: "B14",
        date: d(2018, 5, 31),
        quantity: Quantity::Exits,
        value: 2_460_000.0,
        source: "2.46 M complied",
    },
    Fact {
        id: "B14",
        date: d(2018, 5, 31),
        quantity: Quantity::FlightsBlocked,
        value: 11_220_000.0,
        source: "11.22 M flights blocked",
    },
    Fact {
        id: "B14",
        date: d(2018, 5, 31),
        quantity: Quantity::TrainsBlocked,
        value: 4_270_000.0,
        source: "4.27 M rail journeys blocked",
    },
    Fact {
        id: "B16",
        date: d(2018, 9, 30),
        quantity: Quantity::Listed,
        value: 12_110_000.0,
        source: "12.11 M violations posted (to Sept 2018)",
    },
    Fact {
        id: "B16",
        date: d(2018, 9, 30),
        quantity: Quantity::Exits,
        value: 3_220_000.0,
        source: "3.22 M defaulters complied",
    },
    Fact {
        id: "B16",
        date: d(2018, 9, 30),
        quantity: Quantity::FlightsBlocked,
        value: 14_630_000.0,
        source: "14.63 M flights blocked",
    },
    Fact {
        id: "B16",
        date: d(2018, 9, 30),
        quantity: Quantity::TrainsBlocked,
        value: 5_220_000.0,
        source: "5.22 M rail journeys blocked",
    },
    Fact {
        id: "B18",
        date: d(2018, 12, 31),
        quantity: Quantity::Listed,
        value: 13_000_000.0,
        source: "~13 M on the list at end-2018",
    },
    Fact {
        id: "B19",
        date: d(2018, 12, 31),
        quantity: Quantity::FlightsBlocked,
        value: 17_460_000.0,
        source: "17.46 M flights blocked",
    },
    Fact {
        id: "B19",
        date: d(2018, 12, 31),
        quantity: Quantity::TrainsBlocked,
        value: 5_470_000.0,
        source: "5.47 M high-speed trains blocked",
    },
    Fact {
        id: "B20",
        date: d(2018, 12, 31),
        quantity: Quantity::Exits,
        value: 3_510_000.0,
        source: "3.51 M debtors repaid by end-2018",
    },
];

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

/// How to run a calibration.
#[derive(Clone, Debug)]
pub struct CalibrationConfig {
    /// People in each replication.
    pub people: u64,
    /// Replications (at least 2).
    pub replications: u32,
    /// Base seed; `None` uses the preset's seed.
    pub seed: Option<u64>,
    /// Output folder; `None` writes nothing.
    pub out_dir: Option<PathBuf>,
    /// Replications at a time; 0 uses all cores. Results do not depend on it.
    pub workers: usize,
    /// The command line, recorded in the files.
    pub command: String,
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
        }
    }
}

/// Why a calibration could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    /// Fewer than two replications.
    #[error("--replications: expected at least 2 (a 95% interval needs two replications), found {0}")]
    Replications(u32),
    /// The scenario or a size is invalid.
    #[error(transparent)]
    Input(#[from] ScenarioError),
    /// The memory preflight refused the calibration before any run.
    #[error(transparent)]
    Memory(RunError),
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
    /// A file could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Worker threads could not be started.
    #[error("cannot start worker threads: {0}")]
    Threads(String),
}

/// One compared fact.
#[derive(Clone, Debug)]
pub struct Row {
    /// The fact.
    pub fact: Fact,
    /// Its simulated day.
    pub day: u32,
    /// The simulated value over replications, scaled to the real population (its Student-t
    /// interval, unclipped: `simulated.ci_low()`, `simulated.ci_high()`).
    pub simulated: Estimate,
    /// Lower end of the simulated 95% interval, clipped at 0 (a count is never negative): the
    /// interval to print.
    pub ci_low: f64,
    /// Upper end of the simulated 95% interval.
    pub ci_high: f64,
    /// Lower end of the band used for `within`: the 95% interval's lower end widened by
    /// [`TOLERANCE`]. Print this, not the plain interval, beside `within`.
    pub low: f64,
    /// Upper end of the band used for `within`.
    pub high: f64,
    /// Whether the sourced value lies in the band `[low, high]`.
    pub within: bool,
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
    /// The base seed.
    pub seed: u64,
    /// Each replication's seed.
    pub seeds: Vec<u64>,
    /// The calibration scenario as run (people and seed as in the preset's text; the runs use
    /// `people` and the replication seeds).
    pub scenario: Scenario,
    /// One row per fact.
    pub rows: Vec<Row>,
    /// The daily trajectories.
    pub trajectories: Vec<Trajectory>,
    /// Share of adults on the list at the end of 2018 (the calibrated window's end).
    pub stock_share_2018: Estimate,
    /// Share of adults on the list at the end of the last day (2019-12-31): the warm start of
    /// `china-2020` (`initial_share`).
    pub stock_share_end: Estimate,
    /// The command line.
    pub command: String,
}

impl Calibration {
    /// Facts within their widened interval.
    pub fn within(&self) -> usize {
        self.rows.iter().filter(|r| r.within).count()
    }
}

/// Progress, reported after every simulated day of every replication (so that it moves from
/// the start, long before the first replication finishes) and when a replication finishes.
#[derive(Clone, Debug)]
pub struct CalibrationProgress {
    /// Replications finished.
    pub done: usize,
    /// Replications in the calibration.
    pub total: usize,
    /// Days simulated so far, summed over replications.
    pub done_days: u64,
    /// Days to simulate in all: replications x [`horizon`].
    pub total_days: u64,
}

/// `x` clipped at 0 (NaN stays NaN): the lower end of an interval of counts, which a Student-t
/// interval over few replications can put below 0.
fn nonnegative(x: f64) -> f64 {
    if x < 0.0 { 0.0 } else { x }
}

/// The band within which a sourced value counts as matched: the 95% interval `[low, high]`
/// widened by [`TOLERANCE`] of each end's size on each side (a negative lower end, possible with
/// few replications, widens downwards too).
pub fn band(low: f64, high: f64) -> (f64, f64) {
    (low - TOLERANCE * low.abs(), high + TOLERANCE * high.abs())
}

/// What one replication contributes: each quantity per day (unscaled), and the share of adults
/// listed at the end of 2018 and on the last day.
struct Replication {
    series: Vec<Vec<f64>>,
    share_2018: f64,
    share_end: f64,
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
    let scenario = scenario()?;
    let mut sized = scenario.clone();
    let o = scslab_scenario::Overrides { people: Some(config.people), days: None, seed: None };
    scslab_scenario::apply_overrides(&mut sized.params, o)?;
    let seed = config.seed.unwrap_or(scenario.params.seed);
    let seeds: Vec<u64> =
        (0..config.replications).map(|r| replication_seed(seed, r, 0, Streams::Common)).collect();
    let workers = pool::workers(config.workers);
    let mut cfg = RunConfig::new(sized.clone());
    cfg.memory_limit = scslab_output::machine_memory().map(|m| m.available_bytes / workers as u64);
    scslab_runner::preflight(&cfg).map_err(CalibrationError::Memory)?;

    let reps = run_all(&sized, &seeds, workers, progress)?;
    let days = sized.params.days;
    let scale = POPULATION / config.people as f64;
    let trajectories: Vec<Trajectory> = QUANTITIES
        .iter()
        .enumerate()
        .map(|(q, &quantity)| {
            let mut t = Trajectory { quantity, mean: vec![], ci_low: vec![], ci_high: vec![] };
            for day in 0..days as usize {
                let xs: Vec<f64> = reps.iter().map(|r| r.series[q][day] * scale).collect();
                let e = mean_ci(&xs);
                t.mean.push(e.mean);
                t.ci_low.push(nonnegative(e.ci_low()));
                t.ci_high.push(e.ci_high());
            }
            t
        })
        .collect();
    let rows = FACTS
        .iter()
        .map(|&fact| {
            let q = QUANTITIES.iter().position(|&x| x == fact.quantity).unwrap_or(0);
            let day = fact.date.sim_day().min(days - 1);
            let xs: Vec<f64> = reps.iter().map(|r| r.series[q][day as usize] * scale).collect();
            let simulated = mean_ci(&xs);
            let (ci_low, ci_high) = (nonnegative(simulated.ci_low()), simulated.ci_high());
            let (low, high) = band(ci_low, ci_high);
            Row {
                fact,
                day,
                simulated,
                ci_low,
                ci_high,
                low,
                high,
                within: fact.value >= low && fact.value <= high,
            }
        })
        .collect();
    let result = Calibration {
        people: config.people,
        days,
        seed,
        seeds,
        scenario,
        rows,
        trajectories,
        stock_share_2018: mean_ci(&reps.iter().map(|r| r.share_2018).collect::<Vec<_>>()),
        stock_share_end: mean_ci(&reps.iter().map(|r| r.share_end).collect::<Vec<_>>()),
        command: config.command.clone(),
    };
    if let Some(dir) = &config.out_dir {
        write::write(dir, &result)?;
    }
    Ok(result)
}

/// Runs every replication on `workers` threads, one thread per run; results in replication order.
fn run_all(
    scenario: &Scenario,
    seeds: &[u64],
    workers: usize,
    progress: &(dyn Fn(CalibrationProgress) + Sync),
) -> Result<Vec<Replication>, CalibrationError> {
    let done = AtomicUsize::new(0);
    let done_days = AtomicU64::new(0);
    let total_days = seeds.len() as u64 * scenario.params.days as u64;
    let report = |n: usize, d: u64| {
        progress(CalibrationProgress { done: n, total: seeds.len(), done_days: d, total_days });
    };
    report(0, 0);
    let job = |r: usize, &seed: &u64| {
        let mut s = scenario.clone();
        s.params.seed = seed;
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
            .and_then(|outcome| extract(&outcome.series, cfg.scenario.params.days))
    };
    let on_done = |_: usize, n: usize| {
        done.fetch_max(n, Ordering::SeqCst);
        report(n, done_days.load(Ordering::SeqCst));
    };
    pool::run("calibration", seeds, workers, job, on_done)
}

impl From<pool::StartError> for CalibrationError {
    fn from(e: pool::StartError) -> CalibrationError {
        CalibrationError::Threads(e.0)
    }
}

/// One replication's quantities from its daily series. A missing or short counter is an error,
/// never a silent 0.
fn extract(series: &scslab_runner::SeriesBuilder, days: u32) -> Result<Replication, CalibrationError> {
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
    let end_2018 = (d(2018, 12, 31).sim_day() as usize).min(days - 1);
    Ok(Replication { share_2018: share(end_2018), share_end: share(days - 1), series: quantities })
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
        for f in &FACTS {
            assert!(f.date.sim_day() < horizon(), "{}", f.id);
        }
    }
}
