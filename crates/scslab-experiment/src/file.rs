//! The sweep file: a raw serde mirror of the TOML (keys and types, unknown keys refused), then a
//! resolution that loads the scenarios, checks every value, generates the design points and
//! builds the scenario of every (scenario, design point) pair, so that all bad input is refused
//! before any run starts.
//!
//! Errors are `ScenarioError::Invalid` values pointing into the sweep file (file, line, column,
//! what was expected, the valid choices), exactly as the scenario reader reports its own.

use std::collections::BTreeSet;
use std::ops::Range as Span;
use std::path::Path;

use scslab_scenario::{Overrides, Scenario, ScenarioError};
use serde::Deserialize;
use toml::{Spanned, Value};

use crate::design::{self, Range};
use crate::table_design::{self, DesignTable};

/// Most runs a sweep may list (scenarios x design points x replications): each run keeps a
/// folder of five files.
pub const MAX_RUNS: usize = 100_000;

/// Most design points a sweep may have: every design point holds a checked copy of each scenario
/// in memory before the first run.
pub const MAX_POINTS: usize = 10_000;

/// Fewest replications of a sweep: a 95% interval needs two (as for `audit` and `calibrate`).
pub const MIN_REPLICATIONS: u32 = 2;

/// Most memory the combined dataset may take while it is built (every run's daily series read
/// back, then the `series` table): 4 GiB.
pub const MAX_DATASET_BYTES: u64 = 4 << 30;

/// Bytes of memory per row of the combined `series` table, conservatively (the row's values read
/// back, its copy in the table with the run id, scenario name and parameter values, and the
/// encoders' buffers).
pub const BYTES_PER_SERIES_ROW: u64 = 512;

/// Most person-days a sweep may simulate in all (runs x people x days).
pub const MAX_PERSON_DAYS: f64 = 1e12;

/// A conservative simulation rate of one worker, person-days per second, used to state what a
/// design would cost (a release build simulates 5 to 7 M per thread; docs/PERFORMANCE.md).
pub const CONSERVATIVE_RATE: f64 = 1e6;

/// Longest a sweep's name may be (it names the folder `out/sweeps/NAME`).
pub const MAX_NAME_LEN: usize = scslab_scenario::MAX_NAME_CHARS;

/// What a sweep will cost, computed from its file before anything is generated or written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    /// Design points.
    pub points: usize,
    /// Runs: scenarios x design points x replications.
    pub runs: usize,
    /// Rows of the combined `series` table: runs x days.
    pub series_rows: u64,
    /// Memory the combined dataset takes while it is built, bytes (estimate).
    pub dataset_bytes: u64,
    /// Person-days simulated in all: runs x people x days.
    pub person_days: f64,
    /// Seconds of one worker at [`CONSERVATIVE_RATE`].
    pub worker_seconds: f64,
}

/// A checked sweep: the scenarios, the design points and every scenario to run.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// `name` from the file.
    pub name: String,
    /// `description` from the file (may be empty).
    pub description: String,
    /// The sweep file's name as given (used in messages).
    pub file: String,
    /// The sweep file's text, exactly as read.
    pub text: String,
    /// The scenarios, in the file's order, resized to `people` and `days`. The first one is the
    /// baseline of the paired differences.
    pub scenarios: Vec<Scenario>,
    /// Persons in every run.
    pub people: u64,
    /// Days in every run.
    pub days: u32,
    /// Replications of every (scenario, design point).
    pub replications: u32,
    /// The base seed from which the replications' seeds are derived.
    pub seed: u64,
    /// The design.
    pub design: Design,
    /// The swept parameters, in the file's order.
    pub parameters: Vec<Parameter>,
    /// The design points: one value per parameter, in the parameters' order.
    pub points: Vec<Vec<f64>>,
    /// `variants[s][p]`: scenario `s` with the values of design point `p` (seed not yet set).
    pub variants: Vec<Vec<Scenario>>,
    /// What the sweep costs (checked against the limits before the design was generated).
    pub budget: Budget,
}

/// How design points are generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Design {
    /// Every combination of the listed values.
    Grid,
    /// A Latin hypercube sample over the parameters' `[min, max]` intervals.
    LatinHypercube {
        /// Number of design points.
        samples: u32,
        /// Seed of the sample (independent of the runs' seeds).
        seed: u64,
    },
    /// Design points listed one by one (`kind = "points"`): point `i` takes the `i`-th of every
    /// parameter's `values`, which all have the same length (a design made elsewhere, e.g. a
    /// Sobol sample written by the Python package).
    Points,
    /// Morris elementary effects (`kind = "morris"`): `trajectories` one-at-a-time trajectories
    /// of `k + 1` points on a grid of `levels` levels over the parameters' `[min, max]`.
    Morris {
        /// Number of trajectories `r`.
        trajectories: u32,
        /// Levels `p` of the grid (even).
        levels: u32,
        /// Seed of the trajectories and of the bootstrap intervals.
        seed: u64,
    },
    /// Sobol' indices by Saltelli's scheme (`kind = "sobol"`): `samples` base rows of a Sobol'
    /// sequence, `samples (k + 2)` design points.
    Sobol {
        /// Number of base rows `N`.
        samples: u32,
        /// Seed of the bootstrap intervals (the Sobol' sequence itself is fixed).
        seed: u64,
    },
    /// Design points read from a CSV file (`kind = "table"`, `file = "design.csv"`): the header
    /// names the parameters, each row is a design point (a design made by SALib, pyDOE, ...).
    Table,
}

impl Design {
    /// Whether the design is a sensitivity analysis that writes `sensitivity.*`.
    pub fn is_sensitivity(self) -> bool {
        matches!(self, Design::Morris { .. } | Design::Sobol { .. })
    }

    /// How error messages name a design over intervals.
    fn interval_name(self) -> &'static str {
        match self {
            Design::Morris { .. } => "kind = \"morris\"",
            Design::Sobol { .. } => "kind = \"sobol\"",
            _ => "a Latin hypercube",
        }
    }
}

/// One swept parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// Dotted path of a number in the scenario file, e.g. `behaviour.fear_perception` or
    /// `authority.court_defaulters.detect.judgment_default`.
    pub key: String,
    /// The scenario stores an integer here: grid values must be whole numbers and Latin
    /// hypercube samples are rounded to the nearest integer.
    pub integer: bool,
    /// The values (grid) or the interval (Latin hypercube).
    pub range: Range,
    /// Names of the scenarios that have this key; the others run unchanged.
    pub applies_to: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    name: Spanned<String>,
    #[serde(default)]
    description: String,
    scenarios: Spanned<Vec<Spanned<String>>>,
    people: Option<Spanned<u64>>,
    days: Option<Spanned<u32>>,
    replications: Spanned<u32>,
    seed: Option<Spanned<u64>>,
    design: Option<RawDesign>,
    #[serde(default)]
    parameter: Vec<RawParameter>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDesign {
    kind: Spanned<DesignKind>,
    samples: Option<Spanned<u32>>,
    seed: Option<Spanned<u64>>,
    trajectories: Option<Spanned<u32>>,
    levels: Option<Spanned<u32>>,
    file: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum DesignKind {
    Grid,
    LatinHypercube,
    Points,
    Morris,
    Sobol,
    Table,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    key: Spanned<String>,
    values: Option<Spanned<Vec<Spanned<f64>>>>,
    min: Option<Spanned<f64>>,
    max: Option<Spanned<f64>>,
}

/// Where errors point.
struct Source<'a> {
    file: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn error(&self, span: Span<usize>, message: impl Into<String>) -> ScenarioError {
        let (line, column) = scslab_scenario::line_column(self.text, span.start);
        ScenarioError::Invalid { file: self.file.to_string(), line, column, message: message.into() }
    }
}

type R<T> = Result<T, ScenarioError>;

/// Reads and checks a sweep file. Scenario paths in it are relative to the file's folder.
pub fn load(path: &Path) -> R<Sweep> {
    let file = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|source| ScenarioError::Read { file: file.clone(), source })?;
    parse(&text, &file, path.parent().unwrap_or(Path::new(".")))
}

/// Parses and checks sweep text. `file` names it in errors; scenario paths are relative to
/// `base_dir`.
pub fn parse(text: &str, file: &str, base_dir: &Path) -> R<Sweep> {
    let src = Source { file, text };
    let raw: RawSweep = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        src.error(span, e.message().trim_end().to_string())
    })?;
    if let Err(why) = check_name(raw.name.get_ref()) {
        return Err(src.error(raw.name.span(), why));
    }
    let mut scenarios = load_scenarios(&src, &raw.scenarios, base_dir)?;
    let first = &scenarios[0].params;
    let people = raw.people.as_ref().map_or(first.n_persons, |p| *p.get_ref());
    let days = raw.days.as_ref().map_or(first.days, |d| *d.get_ref());
    let seed = raw.seed.as_ref().map_or(first.seed, |s| *s.get_ref());
    for s in &mut scenarios {
        let overrides = Overrides { people: Some(people), days: Some(days), seed: None };
        scslab_scenario::apply_overrides(&mut s.params, overrides).map_err(|e| {
            let span = match &e {
                ScenarioError::Override { what: "--days", .. } => raw.days.as_ref().map(|d| d.span()),
                _ => raw.people.as_ref().map(|p| p.span()),
            };
            let message = match e {
                ScenarioError::Override { message, .. } => message,
                other => other.to_string(),
            };
            src.error(span.unwrap_or(0..0), format!("scenario `{}`: {message}", s.name))
        })?;
    }
    let replications = *raw.replications.get_ref();
    if replications < MIN_REPLICATIONS {
        return Err(src.error(
            raw.replications.span(),
            format!(
                "expected at least {MIN_REPLICATIONS} replications (a 95% interval needs two, as for `audit` \
                 and `calibrate`), found {replications}"
            ),
        ));
    }
    let design = design_of(&src, raw.design.as_ref(), seed)?;
    let table = design_table(&src, &raw, base_dir)?;
    if let Some(t) = &table {
        check_table_columns(&src, &raw, t)?;
    }
    let tables: Vec<toml::Table> = scenarios
        .iter()
        .map(|s| s.text.parse::<toml::Table>().expect("a checked scenario is valid TOML"))
        .collect();
    let mut parameters = Vec::new();
    let mut seen = BTreeSet::new();
    for p in &raw.parameter {
        if !seen.insert(p.key.get_ref().clone()) {
            return Err(src.error(p.key.span(), format!("parameter `{}` is listed twice", p.key.get_ref())));
        }
        parameters.push(parameter(&src, p, design, table.as_ref(), &scenarios, &tables)?);
    }
    let budget = budget(&src, &raw, design, table.as_ref(), &parameters, scenarios.len(), people, days)?;
    let ranges: Vec<Range> = parameters.iter().map(|p| p.range.clone()).collect();
    let mut points = match design {
        Design::Grid => design::grid(&ranges),
        Design::Points | Design::Table => design::listed(&ranges),
        Design::LatinHypercube { samples, seed } => {
            if parameters.is_empty() {
                let span = raw.design.as_ref().map_or(0..0, |d| d.kind.span());
                return Err(
                    src.error(span, "latin_hypercube needs at least one [[parameter]] with min and max")
                );
            }
            design::latin_hypercube(&ranges, samples as usize, seed)
        }
        Design::Morris { .. } | Design::Sobol { .. } => unit_design(design, parameters.len())
            .expect("checked by the budget")
            .iter()
            .map(|u| {
                u.iter()
                    .zip(&ranges)
                    .map(|(x, r)| match r {
                        Range::Interval { min, max } => min + (max - min) * x,
                        Range::Values(_) => unreachable!("sensitivity designs take intervals"),
                    })
                    .collect()
            })
            .collect(),
    };
    for point in &mut points {
        for (x, p) in point.iter_mut().zip(&parameters) {
            if p.integer {
                *x = x.round();
            }
        }
    }
    debug_assert_eq!(points.len(), budget.points);
    let mut variants = Vec::with_capacity(scenarios.len());
    for (s, table) in scenarios.iter().zip(&tables) {
        let mut row = Vec::with_capacity(points.len());
        for (i, point) in points.iter().enumerate() {
            row.push(variant(&src, &raw.parameter, &parameters, s, table, point, i)?);
        }
        variants.push(row);
    }
    Ok(Sweep {
        name: raw.name.get_ref().clone(),
        description: raw.description.clone(),
        file: file.to_string(),
        text: text.to_string(),
        scenarios,
        people,
        days,
        replications,
        seed,
        design,
        parameters,
        points,
        variants,
        budget,
    })
}

/// Checks a sweep's name, which names its folder (`out/sweeps/NAME`): 1 to [`MAX_NAME_LEN`]
/// characters among `a-z`, `0-9`, `-`, `_` and `.`, starting with a letter or a digit, without
/// `..`.
pub fn check_name(name: &str) -> Result<(), String> {
    // The rule is the scenario names' (`scslab_scenario::is_safe_name`); the checks below only
    // say which part of it a name breaks.
    let expected = format!("expected {}", scslab_scenario::NAME_RULE);
    let shown: String = name.chars().take(40).collect();
    let shown = if shown.len() < name.len() { format!("{shown}...") } else { shown };
    if name.is_empty() {
        return Err(format!("{expected}; found an empty name"));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!("{expected}; found {} characters (`{shown}`)", name.chars().count()));
    }
    if let Some(c) = name.chars().find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '-' | '_' | '.')) {
        return Err(format!("{expected}; found {c:?} in `{shown}`"));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(format!("{expected}; `{shown}` starts with {:?}", name.chars().next().unwrap_or(' ')));
    }
    if name.contains("..") {
        return Err(format!("{expected}; found `..` in `{shown}`"));
    }
    if !scslab_scenario::is_safe_name(name) {
        return Err(format!("{expected}; found `{shown}`"));
    }
    Ok(())
}

/// The number of points of a `kind = "points"` design: the length of every parameter's
/// `values`, which must all have it (at least one parameter, at least one value).
fn points_listed(src: &Source<'_>, raw: &RawSweep) -> R<usize> {
    let kind = raw.design.as_ref().map_or(0..0, |d| d.kind.span());
    let Some(first) = raw.parameter.first() else {
        return Err(
            src.error(kind, "kind = \"points\" needs at least one [[parameter]] with `values = [...]`")
        );
    };
    let len = |p: &RawParameter| p.values.as_ref().map(|v| v.get_ref().len());
    let Some(n) = len(first) else {
        return Err(
            src.error(first.key.span(), "kind = \"points\" takes `values = [...]` for every parameter")
        );
    };
    for p in &raw.parameter {
        match (len(p), &p.values) {
            (Some(m), Some(v)) if m != n => {
                return Err(src.error(
                    v.span(),
                    format!(
                        "expected {n} values (one per design point, as for `{}`), found {m}",
                        first.key.get_ref()
                    ),
                ));
            }
            (None, _) => {
                return Err(
                    src.error(p.key.span(), "kind = \"points\" takes `values = [...]` for every parameter")
                );
            }
            _ => {}
        }
    }
    Ok(n)
}

/// Whole numbers with thousands separators, for messages.
fn thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The preflight of a design: design points, runs, the combined dataset's memory and the
/// simulation time, each checked against its limit before the design is generated, so that an
/// oversized design is refused at once with the key responsible (file, line, column).
fn budget(
    src: &Source<'_>,
    raw: &RawSweep,
    design: Design,
    table: Option<&DesignTable>,
    parameters: &[Parameter],
    n_scenarios: usize,
    people: u64,
    days: u32,
) -> R<Budget> {
    let replications = *raw.replications.get_ref() as usize;
    let points = match design {
        Design::LatinHypercube { samples, .. } => samples as usize,
        Design::Grid => parameters.iter().fold(1usize, |n, p| match &p.range {
            Range::Values(v) => n.saturating_mul(v.len()),
            Range::Interval { .. } => n.saturating_mul(2),
        }),
        Design::Points => points_listed(src, raw)?,
        Design::Table => table.map_or(0, DesignTable::rows),
        Design::Morris { trajectories, .. } => {
            (trajectories as usize).saturating_mul(sensitivity_parameters(src, raw, design, parameters)? + 1)
        }
        Design::Sobol { samples, .. } => {
            (samples as usize).saturating_mul(sensitivity_parameters(src, raw, design, parameters)? + 2)
        }
    };
    if points > MAX_POINTS {
        let span = match (design, raw.design.as_ref().and_then(|d| d.samples.as_ref())) {
            (Design::LatinHypercube { .. } | Design::Sobol { .. }, Some(s)) => s.span(),
            (Design::Table, _) => {
                raw.design.as_ref().and_then(|d| d.file.as_ref()).map_or(0..0, |f| f.span())
            }
            (Design::Morris { .. }, _) => {
                raw.design.as_ref().and_then(|d| d.trajectories.as_ref()).map_or(0..0, |t| t.span())
            }
            _ => raw
                .parameter
                .iter()
                .filter_map(|p| p.values.as_ref())
                .max_by_key(|v| v.get_ref().len())
                .map_or(raw.name.span(), |v| v.span()),
        };
        let what = match design {
            Design::LatinHypercube { .. } => format!("`samples = {}`", thousands(points as u128)),
            Design::Points => format!("{} listed points", thousands(points as u128)),
            Design::Table => format!("{} rows in the design table", thousands(points as u128)),
            Design::Morris { trajectories, .. } => format!(
                "`trajectories = {trajectories}` x ({} parameters + 1) = {} points",
                parameters.len(),
                thousands(points as u128)
            ),
            Design::Sobol { samples, .. } => format!(
                "`samples = {samples}` x ({} parameters + 2) = {} points",
                parameters.len(),
                thousands(points as u128)
            ),
            Design::Grid => {
                let counts: Vec<String> = parameters
                    .iter()
                    .map(|p| match &p.range {
                        Range::Values(v) => v.len().to_string(),
                        Range::Interval { .. } => "2".into(),
                    })
                    .collect();
                format!("a grid of {} = {} points", counts.join(" x "), thousands(points as u128))
            }
        };
        return Err(src.error(
            span,
            format!(
                "{what}: at most {} design points (each holds a checked copy of every scenario in \
                 memory); use fewer values or samples",
                thousands(MAX_POINTS as u128)
            ),
        ));
    }
    let runs = n_scenarios.saturating_mul(points).saturating_mul(replications);
    let factors = format!(
        "{n_scenarios} scenarios x {} design points x {replications} replications = {} runs",
        thousands(points as u128),
        thousands(runs as u128)
    );
    if runs > MAX_RUNS {
        return Err(src.error(
            raw.replications.span(),
            format!("{factors}; at most {} runs", thousands(MAX_RUNS as u128)),
        ));
    }
    let series_rows = runs as u64 * days as u64;
    let dataset_bytes = series_rows.saturating_mul(BYTES_PER_SERIES_ROW);
    if dataset_bytes > MAX_DATASET_BYTES {
        let span = raw.days.as_ref().map_or(raw.replications.span(), |d| d.span());
        return Err(src.error(
            span,
            format!(
                "{factors} of {days} days = {} rows of daily series, about {:.1} GiB to combine; at most \
                 {:.0} GiB ({} rows); use fewer days, design points or replications",
                thousands(series_rows as u128),
                dataset_bytes as f64 / (1u64 << 30) as f64,
                MAX_DATASET_BYTES as f64 / (1u64 << 30) as f64,
                thousands((MAX_DATASET_BYTES / BYTES_PER_SERIES_ROW) as u128)
            ),
        ));
    }
    let person_days = runs as f64 * people as f64 * days as f64;
    let worker_seconds = person_days / CONSERVATIVE_RATE;
    if person_days > MAX_PERSON_DAYS {
        return Err(src.error(
            raw.replications.span(),
            format!(
                "{factors} of {} people x {days} days = {} person-days, about {} days of one core at a \
                 conservative {} M person-days a second; at most {} person-days; use fewer runs, people or days",
                thousands(people as u128),
                thousands(person_days as u128),
                thousands((worker_seconds / 86_400.0).round() as u128),
                CONSERVATIVE_RATE / 1e6,
                thousands(MAX_PERSON_DAYS as u128)
            ),
        ));
    }
    Ok(Budget { points, runs, series_rows, dataset_bytes, person_days, worker_seconds })
}

fn load_scenarios(
    src: &Source<'_>,
    names: &Spanned<Vec<Spanned<String>>>,
    base_dir: &Path,
) -> R<Vec<Scenario>> {
    if names.get_ref().is_empty() {
        return Err(src.error(names.span(), "expected at least one scenario (a preset name or a .toml file)"));
    }
    let presets: Vec<&str> = scslab_scenario::PRESETS.iter().map(|p| p.0).collect();
    let mut out: Vec<Scenario> = Vec::new();
    for n in names.get_ref() {
        let name = n.get_ref();
        let scenario = if presets.contains(&name.as_str()) {
            scslab_scenario::preset(name)?
        } else if name.ends_with(".toml") || name.contains(['/', '\\']) {
            let path = base_dir.join(name);
            if !path.is_file() {
                return Err(src.error(n.span(), format!("no scenario file at {}", path.display())));
            }
            scslab_scenario::load(&path)?
        } else {
            return Err(src.error(
                n.span(),
                format!(
                    "unknown scenario `{name}`; expected a preset ({}) or a path to a .toml file",
                    presets.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                ),
            ));
        };
        if out.iter().any(|s| s.name == scenario.name) {
            return Err(src.error(
                n.span(),
                format!("two scenarios are named `{}`; scenario names must differ", scenario.name),
            ));
        }
        out.push(scenario);
    }
    Ok(out)
}

fn design_of(src: &Source<'_>, d: Option<&RawDesign>, sweep_seed: u64) -> R<Design> {
    let Some(d) = d else { return Ok(Design::Grid) };
    let kind = *d.kind.get_ref();
    if kind != DesignKind::Table
        && let Some(f) = &d.file
    {
        return Err(src.error(f.span(), "`file` is only for kind = \"table\""));
    }
    if kind != DesignKind::Morris {
        for (name, key) in [("trajectories", &d.trajectories), ("levels", &d.levels)] {
            if let Some(k) = key {
                return Err(src.error(k.span(), format!("`{name}` is only for kind = \"morris\"")));
            }
        }
    }
    match kind {
        DesignKind::Table => {
            for (name, span) in [
                ("samples", d.samples.as_ref().map(|s| s.span())),
                ("seed", d.seed.as_ref().map(|s| s.span())),
            ] {
                if let Some(span) = span {
                    return Err(src.error(
                        span,
                        format!("`{name}` is not for kind = \"table\"; the file lists the points"),
                    ));
                }
            }
            if d.file.is_none() {
                return Err(src.error(d.kind.span(), "kind = \"table\" needs `file = \"design.csv\"` (a CSV of parameter values, header = parameter keys)"));
            }
            Ok(Design::Table)
        }
        DesignKind::Morris => {
            if let Some(s) = &d.samples {
                return Err(src.error(
                    s.span(),
                    "`samples` is not for kind = \"morris\"; it takes `trajectories` and `levels`",
                ));
            }
            let Some(trajectories) = &d.trajectories else {
                return Err(src.error(d.kind.span(), "kind = \"morris\" needs `trajectories = R` (R >= 2)"));
            };
            if *trajectories.get_ref() < 2 {
                return Err(src.error(
                    trajectories.span(),
                    format!(
                        "expected at least 2 trajectories (sigma needs two), found {}",
                        trajectories.get_ref()
                    ),
                ));
            }
            let levels = match &d.levels {
                None => 4,
                Some(l) => {
                    let p = *l.get_ref();
                    if p < 2 || p % 2 != 0 {
                        return Err(
                            src.error(l.span(), format!("expected an even number of levels >= 2, found {p}"))
                        );
                    }
                    p
                }
            };
            let seed = d.seed.as_ref().map_or(sweep_seed, |s| *s.get_ref());
            Ok(Design::Morris { trajectories: *trajectories.get_ref(), levels, seed })
        }
        DesignKind::Sobol => {
            let Some(samples) = &d.samples else {
                return Err(src.error(d.kind.span(), "kind = \"sobol\" needs `samples = N` (N >= 2)"));
            };
            if *samples.get_ref() < 2 {
                return Err(src.error(
                    samples.span(),
                    format!(
                        "expected at least 2 samples (a bootstrap needs two), found {}",
                        samples.get_ref()
                    ),
                ));
            }
            let seed = d.seed.as_ref().map_or(sweep_seed, |s| *s.get_ref());
            Ok(Design::Sobol { samples: *samples.get_ref(), seed })
        }
        DesignKind::Points => {
            if let Some(s) = &d.samples {
                return Err(src.error(s.span(), "`samples` is only for kind = \"latin_hypercube\""));
            }
            if let Some(s) = &d.seed {
                return Err(src.error(s.span(), "`seed` is only for kind = \"latin_hypercube\""));
            }
            Ok(Design::Points)
        }
        DesignKind::Grid => {
            if let Some(s) = &d.samples {
                return Err(src.error(s.span(), "`samples` is only for kind = \"latin_hypercube\""));
            }
            if let Some(s) = &d.seed {
                return Err(src.error(s.span(), "`seed` is only for kind = \"latin_hypercube\""));
            }
            Ok(Design::Grid)
        }
        DesignKind::LatinHypercube => {
            let Some(samples) = &d.samples else {
                return Err(
                    src.error(d.kind.span(), "kind = \"latin_hypercube\" needs `samples = N` (N >= 1)")
                );
            };
            if *samples.get_ref() == 0 {
                return Err(src.error(samples.span(), "expected at least 1 sample, found 0"));
            }
            let seed = d.seed.as_ref().map_or(sweep_seed, |s| *s.get_ref());
            Ok(Design::LatinHypercube { samples: *samples.get_ref(), seed })
        }
    }
}

/// The number of parameters of a Morris or Sobol' design: at least one, and for Sobol' at most
/// `SOBOL_MAX_DIMS / 2` (the Saltelli scheme takes two Sobol' coordinates per parameter).
fn sensitivity_parameters(
    src: &Source<'_>,
    raw: &RawSweep,
    design: Design,
    parameters: &[Parameter],
) -> R<usize> {
    let span = raw.design.as_ref().map_or(0..0, |d| d.kind.span());
    let k = parameters.len();
    if k == 0 {
        return Err(src.error(
            span,
            format!("{} needs at least one [[parameter]] with min and max", design.interval_name()),
        ));
    }
    let most = crate::sensitivity::SOBOL_MAX_DIMS / 2;
    if matches!(design, Design::Sobol { .. }) && k > most {
        return Err(src.error(
            raw.parameter[most].key.span(),
            format!("kind = \"sobol\" takes at most {most} parameters (Sobol' points in {} dimensions); found {k}", 2 * most),
        ));
    }
    Ok(k)
}

/// Reads the CSV of a `kind = "table"` design (relative to the sweep file's folder); `None` for
/// the other kinds. Errors point at the `file` key and say where in the CSV.
fn design_table(src: &Source<'_>, raw: &RawSweep, base_dir: &Path) -> R<Option<DesignTable>> {
    let Some(f) = raw.design.as_ref().and_then(|d| d.file.as_ref()) else { return Ok(None) };
    let path = base_dir.join(f.get_ref());
    let text = std::fs::read_to_string(&path)
        .map_err(|e| src.error(f.span(), format!("cannot read the design table {}: {e}", path.display())))?;
    table_design::parse(&text)
        .map(Some)
        .map_err(|why| src.error(f.span(), format!("design table {}: {why}", path.display())))
}

/// Every column of a design table is a `[[parameter]]` key, and there is at least one.
fn check_table_columns(src: &Source<'_>, raw: &RawSweep, t: &DesignTable) -> R<()> {
    let span = raw.design.as_ref().and_then(|d| d.file.as_ref()).map_or(0..0, |f| f.span());
    if raw.parameter.is_empty() {
        return Err(
            src.error(span, "kind = \"table\" needs a [[parameter]] (with its `key` only) for every column")
        );
    }
    for c in &t.columns {
        if !raw.parameter.iter().any(|p| p.key.get_ref() == c) {
            return Err(src.error(
                span,
                format!("the design table's column `{c}` is not a [[parameter]] key; add `[[parameter]] key = \"{c}\"`"),
            ));
        }
    }
    Ok(())
}

fn finite(src: &Source<'_>, v: &Spanned<f64>) -> R<f64> {
    let x = *v.get_ref();
    if x.is_finite() {
        Ok(x)
    } else {
        Err(src.error(v.span(), format!("expected a finite number, found {x}")))
    }
}

fn parameter(
    src: &Source<'_>,
    p: &RawParameter,
    design: Design,
    table: Option<&DesignTable>,
    scenarios: &[Scenario],
    tables: &[toml::Table],
) -> R<Parameter> {
    let key = p.key.get_ref();
    let mut applies_to = Vec::new();
    let mut integer = None;
    let mut deepest: Option<Missing> = None;
    for (s, table) in scenarios.iter().zip(tables) {
        let mut table = table.clone();
        match slot(&mut table, key) {
            Ok(Value::Integer(_)) => {
                integer.get_or_insert(true);
                applies_to.push(s.name.clone());
            }
            Ok(Value::Float(_)) => {
                integer.get_or_insert(false);
                applies_to.push(s.name.clone());
            }
            Ok(other) => {
                let what = match other {
                    Value::Table(t) => format!(
                        "a table; choose one of its keys: {}",
                        t.keys().map(|k| format!("`{key}.{k}`")).collect::<Vec<_>>().join(", ")
                    ),
                    Value::Array(_) => "a list; name an element by index or name, e.g. `KEY.0`".to_string(),
                    v => format!("a {}, not a number", v.type_str()),
                };
                return Err(src.error(p.key.span(), format!("`{key}` in scenario `{}` is {what}", s.name)));
            }
            Err(m) => {
                if deepest.as_ref().is_none_or(|d| m.depth > d.depth) {
                    deepest = Some(m);
                }
            }
        }
    }
    let Some(integer) = integer else {
        let m = deepest.expect("at least one scenario");
        let (at, choices) = (m.at(), m.choices());
        return Err(src.error(
            p.key.span(),
            format!(
                "unknown parameter key `{key}`: no scenario of the sweep has it; expected a dotted path to a \
                 number in the scenario file; valid choices under {at}: {choices}"
            ),
        ));
    };
    let range = match design {
        Design::Table => {
            if let Some(v) = p
                .values
                .as_ref()
                .map(|v| v.span())
                .or(p.min.as_ref().map(|m| m.span()))
                .or(p.max.as_ref().map(|m| m.span()))
            {
                return Err(
                    src.error(v, "kind = \"table\" takes the values from the design table; give only `key`")
                );
            }
            let Some(column) = table.and_then(|t| t.column(key)) else {
                return Err(
                    src.error(p.key.span(), format!("parameter `{key}` is not a column of the design table"))
                );
            };
            if integer && let Some((row, x)) = column.iter().enumerate().find(|(_, x)| x.fract() != 0.0) {
                return Err(src.error(
                    p.key.span(),
                    format!("`{key}` is a whole number; the design table's row {} has {x}", row + 1),
                ));
            }
            Range::Values(column.to_vec())
        }
        Design::Grid | Design::Points => {
            if let Some(m) = p.min.as_ref().or(p.max.as_ref()) {
                return Err(src.error(
                    m.span(),
                    "`min`/`max` are for kind = \"latin_hypercube\"; a grid takes `values = [...]`",
                ));
            }
            let Some(values) = &p.values else {
                return Err(
                    src.error(p.key.span(), format!("parameter `{key}` needs `values = [...]` for a grid"))
                );
            };
            if values.get_ref().is_empty() {
                return Err(src.error(values.span(), "expected at least one value, found an empty list"));
            }
            let mut out = Vec::new();
            for v in values.get_ref() {
                let x = finite(src, v)?;
                if integer && x.fract() != 0.0 {
                    return Err(src.error(v.span(), format!("`{key}` is a whole number; found {x}")));
                }
                out.push(x);
            }
            Range::Values(out)
        }
        Design::LatinHypercube { .. } | Design::Morris { .. } | Design::Sobol { .. } => {
            if let Some(v) = &p.values {
                let kind = match design {
                    Design::Morris { .. } => "morris",
                    Design::Sobol { .. } => "sobol",
                    _ => "latin_hypercube",
                };
                return Err(src.error(
                    v.span(),
                    format!("`values` is for a grid; kind = \"{kind}\" takes `min` and `max`"),
                ));
            }
            let (Some(min), Some(max)) = (&p.min, &p.max) else {
                return Err(src.error(
                    p.key.span(),
                    format!("parameter `{key}` needs `min` and `max` for {}", design.interval_name()),
                ));
            };
            let (lo, hi) = (finite(src, min)?, finite(src, max)?);
            if lo >= hi {
                return Err(src.error(max.span(), format!("expected max > min ({lo}), found {hi}")));
            }
            Range::Interval { min: lo, max: hi }
        }
    };
    Ok(Parameter { key: key.clone(), integer, range, applies_to })
}

/// A key that is not in a scenario: how far the path got, and the keys found there.
pub(crate) struct Missing {
    pub(crate) depth: usize,
    pub(crate) prefix: String,
    pub(crate) choices: Vec<String>,
}

impl Missing {
    /// Where the path stopped, in words: `` `prefix` `` or the scenario's top level.
    pub(crate) fn at(&self) -> String {
        if self.prefix.is_empty() {
            "the scenario's top level".to_string()
        } else {
            format!("`{}`", self.prefix)
        }
    }

    /// The full keys found where the path stopped, each in backquotes, separated by commas.
    pub(crate) fn choices(&self) -> String {
        let full = |c: &String| {
            if self.prefix.is_empty() { format!("`{c}`") } else { format!("`{}.{c}`", self.prefix) }
        };
        self.choices.iter().map(full).collect::<Vec<_>>().join(", ")
    }
}

/// The value at a dotted path. A segment after a list is an index (`0`) or, for a list of
/// tables, the `name` of an element (`authority.court_defaulters`).
pub(crate) fn slot<'a>(root: &'a mut toml::Table, key: &str) -> Result<&'a mut Value, Missing> {
    let segments: Vec<&str> = key.split('.').collect();
    let choices: Vec<String> = root.keys().cloned().collect();
    let Some(mut current) = root.get_mut(segments[0]) else {
        return Err(Missing { depth: 0, prefix: String::new(), choices });
    };
    for (i, segment) in segments.iter().enumerate().skip(1) {
        let prefix = segments[..i].join(".");
        current = match current {
            Value::Table(t) => {
                let choices: Vec<String> = t.keys().cloned().collect();
                match t.get_mut(*segment) {
                    Some(v) => v,
                    None => return Err(Missing { depth: i, prefix, choices }),
                }
            }
            Value::Array(a) => {
                let names: Vec<String> = a
                    .iter()
                    .enumerate()
                    .map(|(j, v)| v.get("name").and_then(Value::as_str).map_or(j.to_string(), str::to_string))
                    .collect();
                let index = segment.parse::<usize>().ok().or_else(|| names.iter().position(|n| n == segment));
                match index.and_then(|j| a.get_mut(j)) {
                    Some(v) => v,
                    None => return Err(Missing { depth: i, prefix, choices: names }),
                }
            }
            _ => return Err(Missing { depth: i, prefix, choices: Vec::new() }),
        };
    }
    Ok(current)
}

/// Scenario `s` with the values of one design point, checked by the scenario reader.
fn variant(
    src: &Source<'_>,
    raw: &[RawParameter],
    parameters: &[Parameter],
    s: &Scenario,
    table: &toml::Table,
    point: &[f64],
    index: usize,
) -> R<Scenario> {
    let applicable: Vec<(usize, &Parameter)> =
        parameters.iter().enumerate().filter(|(_, p)| p.applies_to.contains(&s.name)).collect();
    if applicable.is_empty() {
        return Ok(s.clone());
    }
    let mut table = table.clone();
    for &(j, p) in &applicable {
        let value = if p.integer { Value::Integer(point[j] as i64) } else { Value::Float(point[j]) };
        *slot(&mut table, &p.key).unwrap_or_else(|_| unreachable!("checked in `parameter`")) = value;
    }
    let text = toml::to_string(&table).expect("a TOML table serializes");
    let mut out = scslab_scenario::parse(&text, &s.origin).map_err(|e| {
        let message = match e {
            ScenarioError::Invalid { message, .. } => message,
            other => other.to_string(),
        };
        let values = applicable.iter().map(|(j, p)| format!("{} = {}", p.key, point[*j])).collect::<Vec<_>>();
        src.error(
            raw[applicable[0].0].key.span(),
            format!(
                "design point {index} ({}) is refused by scenario `{}`: {message}",
                values.join(", "),
                s.name
            ),
        )
    })?;
    out.params.n_persons = s.params.n_persons;
    out.params.days = s.params.days;
    out.origin = s.origin.clone();
    Ok(out)
}

/// The unit-hypercube rows of a Morris or Sobol' sweep design over `k` parameters (`None` for
/// the other kinds, or when the design cannot be made: see `sensitivity::morris_design` and
/// `sensitivity::saltelli_design`).
pub(crate) fn unit_design(design: Design, k: usize) -> Option<Vec<Vec<f64>>> {
    match design {
        Design::Morris { trajectories, levels, seed } => {
            crate::sensitivity::morris_design(k, trajectories as usize, levels as usize, seed)
        }
        Design::Sobol { samples, .. } => crate::sensitivity::saltelli_design(k, samples as usize),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> R<Sweep> {
        parse(text, "sweep.toml", Path::new("."))
    }

    fn error(text: &str) -> (usize, usize, String) {
        match check(text) {
            Err(ScenarioError::Invalid { line, column, message, .. }) => (line, column, message),
            Err(other) => panic!("expected an error with a position, found {other}"),
            Ok(_) => panic!("expected an error, the sweep was accepted"),
        }
    }

    const HEAD: &str =
        "name = \"t\"\nscenarios = [\"china-2020\", \"none\"]\npeople = 1000\ndays = 5\nreplications = 2\n";

    #[test]
    fn a_grid_resolves_into_variants() {
        let s = check(&format!(
            "{HEAD}[[parameter]]\nkey = \"behaviour.fear_perception\"\nvalues = [0, 0.5]\n\
             [[parameter]]\nkey = \"authority.court_defaulters.detect.judgment_default\"\nvalues = [0.5, 0.9, 1.0]\n"
        ))
        .unwrap();
        assert_eq!(s.points.len(), 6);
        assert_eq!(s.variants.len(), 2);
        assert_eq!(s.parameters[1].applies_to, vec!["china-2020".to_string()]);
        assert_eq!(s.variants[0][0].params.behaviour.fear_perception, 0.0);
        assert_eq!(s.variants[0][5].params.behaviour.fear_perception, 0.5);
        assert_eq!(s.variants[1][5].params.behaviour.fear_perception, 0.5);
        assert_eq!(s.variants[0][3].params.n_persons, 1000);
        assert_eq!(s.seed, 2020);
    }

    #[test]
    fn unchanged_round_trip_keeps_the_parameters() {
        // Writing a scenario back out through `toml` changes its text, never its parameters.
        let s = check(&format!("{HEAD}[[parameter]]\nkey = \"behaviour.fear_perception\"\nvalues = [1.0]\n"))
            .unwrap();
        assert_eq!(format!("{:?}", s.variants[0][0].params), format!("{:?}", s.scenarios[0].params));
    }

    #[test]
    fn integer_keys_take_whole_numbers() {
        let ok = check(&format!(
            "{HEAD}[[parameter]]\nkey = \"population.employer_concentration\"\nvalues = [1, 4]\n"
        ));
        assert!(ok.unwrap().parameters[0].integer);
        let (line, column, m) = error(&format!(
            "{HEAD}[[parameter]]\nkey = \"population.employer_concentration\"\nvalues = [1.5]\n"
        ));
        assert_eq!((line, column), (8, 11), "{m}");
        assert!(m.contains("whole number"), "{m}");
    }

    #[test]
    fn errors_point_into_the_sweep_file() {
        let (line, column, m) =
            error(&format!("{HEAD}[[parameter]]\nkey = \"behaviour.fear_perceptio\"\nvalues = [1]\n"));
        assert_eq!((line, column), (7, 7));
        assert!(m.contains("unknown parameter key") && m.contains("`behaviour.fear_perception`"), "{m}");
        let (line, _, m) = error(&format!("{HEAD}colour = 1\n"));
        assert_eq!(line, 6);
        assert!(m.contains("unknown field `colour`") && m.contains("replications"), "{m}");
        let (line, column, m) =
            error(&format!("{HEAD}[[parameter]]\nkey = \"behaviour.fear_perception\"\nvalues = []\n"));
        assert_eq!((line, column), (8, 10));
        assert!(m.contains("at least one value"), "{m}");
        let (line, _, m) = error(&format!("{HEAD}[design]\nkind = \"sobol\"\n"));
        assert_eq!(line, 7);
        assert!(m.contains("needs `samples"), "{m}");
        let (line, _, m) = error(&format!("{HEAD}[design]\nkind = \"quasi\"\n"));
        assert_eq!(line, 7);
        assert!(m.contains("latin_hypercube") && m.contains("sobol"), "{m}");
        let (_, _, m) =
            error(&format!("{HEAD}[[parameter]]\nkey = \"behaviour.initial_trust\"\nvalues = [2.0]\n"));
        assert!(m.contains("design point 0") && m.contains("initial_trust"), "{m}");
        let (line, _, m) = error("name = \"t\"\nscenarios = [\"chna-2020\"]\nreplications = 1\n");
        assert_eq!(line, 2);
        assert!(m.contains("`china-2020`"), "{m}");
        let (line, _, _) = error("name = \"t\"\nscenarios = [\"none\"]\nreplications = \"two\"\n");
        assert_eq!(line, 3);
    }

    #[test]
    fn latin_hypercube_rounds_integer_keys_and_checks_its_fields() {
        let s = check(&format!(
            "{HEAD}[design]\nkind = \"latin_hypercube\"\nsamples = 4\nseed = 9\n[[parameter]]\n\
             key = \"population.employer_concentration\"\nmin = 1\nmax = 5\n"
        ))
        .unwrap();
        assert_eq!(s.points.len(), 4);
        assert!(s.points.iter().all(|p| p[0].fract() == 0.0 && (1.0..=5.0).contains(&p[0])));
        let (_, _, m) = error(&format!(
            "{HEAD}[design]\nkind = \"latin_hypercube\"\nsamples = 4\n[[parameter]]\n\
             key = \"behaviour.fear_perception\"\nvalues = [1]\n"
        ));
        assert!(m.contains("min"), "{m}");
    }
}
