//! scslab-report: one self-contained HTML report from an output folder written by `scslab run`
//! (or `scslab run --against NAME` / `scslab compare`), or by `scslab sweep FILE`.
//!
//! For a run it reads `manifest.json`, `summary.csv`, the four daily series and, for a
//! comparison, `comparison.csv` and the counterfactual's folder `against-NAME/`, and builds a
//! page with the run's header, the headline table and charts. For a sweep it reads
//! `manifest.json`, `runs.csv`, `summary.csv` and `series.csv` and builds a page with the design,
//! the headline summary (means and 95% intervals), the response of each headline outcome to each
//! swept parameter and the series over time. Charts are inline SVG (no scripts, fonts or other
//! files, so the page opens without a network). It never runs the model and never prints: it only
//! reads output folders and writes the page through `scslab-output`.
//!
//! A folder is recognised by its manifest: a run's manifest has no `kind` (or `"run"`), a
//! sweep's has `"kind": "sweep"` or a `sweep` object; a calibration folder (`scslab calibrate`,
//! kind `calibration`) gets its own page (trajectories with their 95% band against the sourced
//! figures, and the fit table), and so does an audit folder (`scslab audit`, kind `audit`: the
//! findings in words, the criteria with their 95% intervals); any other kind is refused with
//! [`ReportError::UnsupportedKind`].
//!
//! Every page opens with its main findings in plain words, and every number a person reads goes
//! through [`format`](mod@format): counts without decimals, money in yuan, rates with their unit, undefined
//! values as "n/a".
//!
//! ```no_run
//! use std::path::Path;
//! let dir = Path::new("out/china-2020");
//! let report = scslab_report::render(dir)?;
//! scslab_report::write(&report, &scslab_report::default_path(dir))?;
//! # Ok::<(), scslab_report::ReportError>(())
//! ```

mod audit;
mod calibration;
mod charts;
mod csv;
mod folder;
mod grades;
pub use charts::PERSON_VIOLATIONS;
pub use scslab_output::format;
mod headline;
mod html;
mod outcomes;
mod stats;
mod svg;
mod sweep;
mod sweep_charts;

use std::path::{Path, PathBuf};

use scslab_output::OutputError;

use crate::charts::Against;
use crate::folder::Folder;

/// The file name of the report when no other is asked for.
pub const DEFAULT_FILE_NAME: &str = "report.html";

/// What kind of folder a report was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportKind {
    /// One run.
    Run {
        /// The scenario's name.
        scenario: String,
    },
    /// A run and its counterfactual.
    Comparison {
        /// The scenario's name.
        scenario: String,
        /// The counterfactual's name.
        against: String,
    },
    /// A sweep: scenarios x design points x replications.
    Sweep {
        /// The sweep's name.
        name: String,
        /// The scenarios, the baseline first.
        scenarios: Vec<String>,
        /// The swept parameters' keys.
        parameters: Vec<String>,
    },
    /// A calibration folder (`scslab calibrate`).
    Calibration {
        /// The calibration scenario's name.
        scenario: String,
    },
    /// An audit folder (`scslab audit`).
    Audit {
        /// The audited scenario's name.
        scenario: String,
        /// The scenario it was compared with, if any.
        against: Option<String>,
    },
}

/// A rendered report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The whole page.
    pub html: String,
    /// What it was built from.
    pub kind: ReportKind,
    /// Element ids of the charts drawn, in page order.
    pub charts: Vec<String>,
    /// Element ids of the charts left out because their columns are missing.
    pub skipped: Vec<String>,
}

/// Why a report could not be built or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The folder does not exist.
    #[error(
        "{path}: no such folder; expected an output folder written by `scslab run`, `scslab compare`, \
         `scslab sweep`, `scslab audit` or `scslab calibrate`"
    )]
    NoFolder {
        /// The folder asked for.
        path: PathBuf,
    },
    /// A file the folder should hold is missing.
    #[error("{path}: missing; {expected}")]
    MissingFile {
        /// The missing file.
        path: PathBuf,
        /// Why it was expected.
        expected: String,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `manifest.json` is not valid JSON (the message gives line and column).
    #[error("{path}: malformed JSON: {source}")]
    Json {
        /// The manifest.
        path: PathBuf,
        /// The parser's error, with line and column.
        source: serde_json::Error,
    },
    /// A field of `manifest.json` is missing or of the wrong type.
    #[error("{path}: field `{field}`: expected {expected}")]
    ManifestField {
        /// The manifest.
        path: PathBuf,
        /// The field, as a JSON pointer.
        field: &'static str,
        /// What it should hold.
        expected: &'static str,
    },
    /// The folder is of a kind this report cannot show.
    #[error(
        "{path}: a `{kind}` folder; expected a run, comparison, sweep, audit or calibration folder (written \
         by `scslab run`, `scslab run --against NAME`, `scslab compare`, `scslab sweep`, `scslab audit` or \
         `scslab calibrate`)"
    )]
    UnsupportedKind {
        /// The manifest.
        path: PathBuf,
        /// The kind it declares.
        kind: String,
    },
    /// A CSV file is malformed.
    #[error("{path}:{line}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Several counterfactual folders, none (or more than one) matching `comparison.csv`.
    #[error(
        "{dir}: comparison.csv matches none or several of the counterfactual folders {}; expected one \
         whose summary.csv holds the values in the `against` column",
        candidates.join(", ")
    )]
    AmbiguousComparison {
        /// The output folder.
        dir: PathBuf,
        /// The `against-*` folders found.
        candidates: Vec<String>,
    },
    /// The path given for the report names no file.
    #[error("{path}: expected a file name for the report")]
    OutPath {
        /// The path given.
        path: PathBuf,
    },
    /// The report could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl ReportError {
    /// A field of the manifest at `path` (a JSON pointer) that is missing or of the wrong type.
    pub(crate) fn manifest_field(path: &Path, pointer: &'static str, expected: &'static str) -> ReportError {
        ReportError::ManifestField { path: path.to_path_buf(), field: pointer, expected }
    }
}

/// The unit and plain-words name the report gives the headline outcome `key` (used when a
/// folder's `summary.csv` names no unit: folders written before units were), if it knows it.
pub fn known_outcome(key: &str) -> Option<(format::Unit, &'static str)> {
    outcomes::find(key).map(|k| (k.unit, k.name))
}

/// Reads an output folder (a run, a comparison or a sweep) and renders its report. Nothing is
/// written.
pub fn render(dir: &Path) -> Result<Report, ReportError> {
    if calibration::is_calibration(dir) {
        return calibration::render(dir);
    }
    if audit::is_audit(dir) {
        return audit::render(dir);
    }
    let folder = folder::open(dir)?;
    let (kind, sections) = match &folder {
        Folder::Run(run) => {
            let mut sections = charts::sections(run, None)?;
            sections.extend(grades::section(run)?);
            (ReportKind::Run { scenario: run.manifest.scenario.clone() }, sections)
        }
        Folder::Comparison { run, against, .. } => {
            let mut sections =
                charts::sections(run, Some(Against { run: against, name: &against.manifest.scenario }))?;
            sections.extend(grades::section(run)?);
            let kind = ReportKind::Comparison {
                scenario: run.manifest.scenario.clone(),
                against: against.manifest.scenario.clone(),
            };
            (kind, sections)
        }
        Folder::Sweep(sweep) => {
            let m = &sweep.manifest;
            let kind = ReportKind::Sweep {
                name: m.name.clone(),
                scenarios: m.scenarios.iter().map(|s| s.name.clone()).collect(),
                parameters: m.parameters.iter().map(|p| p.key.clone()).collect(),
            };
            (kind, sweep_charts::sections(sweep)?)
        }
    };
    let figures = sections.iter().flat_map(|s| &s.figures);
    let charts = figures.clone().filter(|f| f.svg.is_some()).map(|f| f.id.clone()).collect();
    let skipped = figures.filter(|f| f.svg.is_none()).map(|f| f.id.clone()).collect();
    let html = html::page(&folder, &sections);
    Ok(Report { html, kind, charts, skipped })
}

/// Where a folder's report goes by default: `DIR/report.html`.
pub fn default_path(dir: &Path) -> PathBuf {
    dir.join(DEFAULT_FILE_NAME)
}

/// Writes the report to `path` atomically (through a temporary file and a rename). A path that
/// is an existing folder gets `report.html` inside it; missing parent folders are created.
pub fn write(report: &Report, path: &Path) -> Result<PathBuf, ReportError> {
    let path = if path.is_dir() { default_path(path) } else { path.to_path_buf() };
    let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else {
        return Err(ReportError::OutPath { path });
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    scslab_output::prepare_dir(&parent)?;
    scslab_output::write_text(&parent, file_name, &report.html)?;
    Ok(path)
}

/// Reads a whole text file, naming it on failure.
fn read_text(path: &Path) -> Result<String, ReportError> {
    std::fs::read_to_string(path).map_err(|source| ReportError::Io { path: path.to_path_buf(), source })
}
