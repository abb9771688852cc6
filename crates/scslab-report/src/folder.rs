//! Recognising an output folder and reading what a report needs from it: `manifest.json`, the
//! headline table and the four daily series, and for a comparison `comparison.csv` and the
//! counterfactual's folder `against-NAME/`. A sweep folder is read by `sweep.rs`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::ReportError;
use crate::csv::CsvTable;
use crate::sweep::SweepFolder;

/// The series files every run folder has, read in this order.
pub(crate) const SERIES_FILES: [&str; 4] =
    ["series_persons.csv", "series_persons_by_group.csv", "series_firms.csv", "series_firms_by_province.csv"];

/// What an output folder holds.
#[derive(Debug)]
pub(crate) enum Folder {
    /// One run (`scslab run`).
    Run(Box<RunFolder>),
    /// A run and its counterfactual (`scslab run --against NAME` or `scslab compare`).
    Comparison {
        /// The scenario's run, in the folder itself.
        run: Box<RunFolder>,
        /// The counterfactual's run, in `against-NAME/`.
        against: Box<RunFolder>,
        /// `comparison.csv`: scenario, counterfactual and difference for each headline.
        comparison: CsvTable,
    },
    /// Scenarios x design points x replications (`scslab sweep FILE`).
    Sweep(Box<SweepFolder>),
}

/// The kinds of folder a manifest can declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Run,
    Sweep,
}

/// The fields of `manifest.json` a report shows.
#[derive(Debug, Clone)]
pub(crate) struct Manifest {
    pub version: String,
    pub scenario: String,
    pub origin: Option<String>,
    pub scenario_text: Option<String>,
    pub people: u64,
    pub firms: Option<u64>,
    pub days: u64,
    pub seed: u64,
    pub threads: Option<u64>,
    pub repeat: String,
    pub command: Option<String>,
}

/// One run's folder, read.
#[derive(Debug)]
pub(crate) struct RunFolder {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub summary: CsvTable,
    pub persons: CsvTable,
    pub by_group: CsvTable,
    pub firms: CsvTable,
    pub firms_by_province: CsvTable,
}

/// Reads `dir` as a run, comparison or sweep folder.
pub(crate) fn open(dir: &Path) -> Result<Folder, ReportError> {
    if !dir.is_dir() {
        return Err(ReportError::NoFolder { path: dir.to_path_buf() });
    }
    let (path, manifest) = read_manifest(dir)?;
    if kind(&path, &manifest)? == Kind::Sweep {
        return Ok(Folder::Sweep(Box::new(SweepFolder::read(dir, &path, &manifest)?)));
    }
    let run = RunFolder::read(dir)?;
    let comparison_path = dir.join("comparison.csv");
    if !comparison_path.exists() {
        return Ok(Folder::Run(Box::new(run)));
    }
    let comparison = CsvTable::read(&comparison_path)?;
    let against_dir = find_against(dir, &comparison)?;
    let against = RunFolder::read(&against_dir)?;
    Ok(Folder::Comparison { run: Box::new(run), against: Box::new(against), comparison })
}

impl RunFolder {
    fn read(dir: &Path) -> Result<RunFolder, ReportError> {
        let manifest = Manifest::read(dir)?;
        let table = |name: &str| -> Result<CsvTable, ReportError> {
            let path = dir.join(name);
            if !path.is_file() {
                return Err(ReportError::MissingFile {
                    path,
                    expected: "every run folder has it (written by `scslab run`)".into(),
                });
            }
            CsvTable::read(&path)
        };
        let summary = table("summary.csv")?;
        let [persons, by_group, firms, firms_by_province] = SERIES_FILES.map(table);
        Ok(RunFolder {
            dir: dir.to_path_buf(),
            manifest,
            summary,
            persons: persons?,
            by_group: by_group?,
            firms: firms?,
            firms_by_province: firms_by_province?,
        })
    }

    /// The day column of the person series (0, 1, ... when the column is missing).
    pub(crate) fn days(&self) -> Result<Vec<f64>, ReportError> {
        Ok(self
            .persons
            .numbers("day")?
            .unwrap_or_else(|| (0..self.persons.n_rows()).map(|d| d as f64).collect()))
    }
}

/// `dir/manifest.json`, parsed: its path and its top-level object.
fn read_manifest(dir: &Path) -> Result<(PathBuf, Value), ReportError> {
    let path = dir.join("manifest.json");
    if !path.is_file() {
        return Err(ReportError::MissingFile {
            path,
            expected: "an output folder of `scslab run`, `scslab compare` or `scslab sweep` has one \
                       (written last, so a folder without it is incomplete)"
                .into(),
        });
    }
    let text = crate::read_text(&path)?;
    let value: Value =
        serde_json::from_str(&text).map_err(|source| ReportError::Json { path: path.clone(), source })?;
    if !value.is_object() {
        return Err(ReportError::manifest_field(&path, "(top level)", "a JSON object"));
    }
    Ok((path, value))
}

/// What kind of folder a manifest describes. A run's manifest has no `kind` (or `"run"`); a
/// sweep's has a `sweep` object and no `kind` (as `scslab sweep` writes it), or `"kind": "sweep"`.
/// Any other kind (an audit's) is refused.
fn kind(path: &Path, manifest: &Value) -> Result<Kind, ReportError> {
    match manifest.get("kind") {
        None if manifest.get("sweep").is_some_and(Value::is_object) => Ok(Kind::Sweep),
        None => Ok(Kind::Run),
        Some(Value::String(kind)) if kind == "run" => Ok(Kind::Run),
        Some(Value::String(kind)) if kind == "sweep" => Ok(Kind::Sweep),
        Some(kind) => {
            let kind = kind.as_str().map_or_else(|| kind.to_string(), str::to_string);
            Err(ReportError::UnsupportedKind { path: path.to_path_buf(), kind })
        }
    }
}

impl Manifest {
    fn read(dir: &Path) -> Result<Manifest, ReportError> {
        let (path, value) = read_manifest(dir)?;
        if let Kind::Sweep = kind(&path, &value)? {
            return Err(ReportError::manifest_field(
                &path,
                "/kind",
                "none or \"run\": a run's folder holds one run",
            ));
        }
        let string = |pointer: &'static str| -> Result<String, ReportError> {
            value
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| ReportError::manifest_field(&path, pointer, "a string"))
        };
        let number = |pointer: &'static str| -> Result<u64, ReportError> {
            value
                .pointer(pointer)
                .and_then(Value::as_u64)
                .ok_or_else(|| ReportError::manifest_field(&path, pointer, "a whole number"))
        };
        let optional_string =
            |pointer: &str| value.pointer(pointer).and_then(Value::as_str).map(str::to_string);
        Ok(Manifest {
            version: string("/scslab_version")?,
            scenario: string("/scenario/name")?,
            origin: optional_string("/scenario/origin"),
            scenario_text: optional_string("/scenario/text"),
            people: number("/people")?,
            firms: value.pointer("/firms").and_then(Value::as_u64),
            days: number("/days")?,
            seed: number("/seed")?,
            threads: value.pointer("/threads").and_then(Value::as_u64),
            repeat: string("/repeat")?,
            command: optional_string("/command").filter(|c| !c.is_empty()),
        })
    }
}

/// The counterfactual's folder: the only `against-*/` folder with a manifest or, when several
/// runs with different counterfactuals shared the output folder, the one whose headline values
/// are those in `comparison.csv`.
fn find_against(dir: &Path, comparison: &CsvTable) -> Result<PathBuf, ReportError> {
    let entries =
        std::fs::read_dir(dir).map_err(|source| ReportError::Io { path: dir.to_path_buf(), source })?;
    let mut candidates: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("against-"))
                && p.join("manifest.json").is_file()
        })
        .collect();
    candidates.sort();
    match candidates.len() {
        0 => Err(ReportError::MissingFile {
            path: dir.join("against-NAME").join("manifest.json"),
            expected: "comparison.csv is present, so the counterfactual's folder written by \
                       `scslab run --against NAME` should be too"
                .into(),
        }),
        1 => Ok(candidates.remove(0)),
        _ => {
            let expected = headline_values(comparison, "against");
            let mut matching = Vec::new();
            for c in &candidates {
                let summary = CsvTable::read(&c.join("summary.csv"))?;
                if headline_values(&summary, "value") == expected {
                    matching.push(c.clone());
                }
            }
            if matching.len() == 1 {
                Ok(matching.remove(0))
            } else {
                Err(ReportError::AmbiguousComparison {
                    dir: dir.to_path_buf(),
                    candidates: candidates
                        .iter()
                        .filter_map(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
                        .collect(),
                })
            }
        }
    }
}

/// (outcome, value as written) pairs of a headline table.
fn headline_values<'a>(table: &'a CsvTable, column: &str) -> Vec<(&'a str, &'a str)> {
    match (table.strings("outcome"), table.strings(column)) {
        (Some(keys), Some(values)) => keys.into_iter().zip(values).collect(),
        _ => Vec::new(),
    }
}
