//! One run's result files in `runs/<run_id>/`: its headline outcomes and the daily series of
//! the headline person outcomes, written as CSV (and Parquet) and read back from the CSV when the
//! sweep is combined. `done.json` is written last and marks the run complete.
//!
//! The combined dataset is always built from the files read back, whether a run finished in this
//! invocation or an earlier one, so a resumed sweep gives byte-identical outputs. Floats are
//! written in Rust's shortest round-trip form and parsed exactly.

use std::path::{Path, PathBuf};

use scslab_output::{ColumnData, OutputError, Table};
use scslab_runner::RunOutcome;

use crate::SweepError;
use crate::plan::RunSpec;

/// The daily person series kept for every run, in column order (`day` comes first). All come
/// from the runner's `series_persons` table.
pub const SERIES: [&str; 14] = [
    "adults",
    "compliance_rate",
    "chilling_effect",
    "silent_share_of_dissenters",
    "mean_trust",
    "mean_resentment",
    "mean_fear",
    "false_sanction_share",
    "sanctions",
    "false_sanctions",
    "blacklisted",
    "redlisted",
    "true_criticism",
    "wealth_gini",
];

/// The marker file of a finished run.
pub(crate) const DONE: &str = "done.json";

/// A finished run, as read back from its folder.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RunResult {
    /// (outcome key, value), in the runner's order.
    pub headlines: Vec<(String, f64)>,
    /// Day numbers (0-based).
    pub days: Vec<u32>,
    /// One column per name in [`SERIES`].
    pub series: Vec<Vec<f64>>,
    /// The marker's content (timings and seed).
    pub marker: serde_json::Value,
}

/// The folder of a run.
pub(crate) fn run_dir(out: &Path, id: &str) -> PathBuf {
    out.join("runs").join(id)
}

/// Writes a finished run's files, the marker last.
pub(crate) fn write_run(
    out: &Path,
    spec: &RunSpec,
    outcome: &RunOutcome,
    write_start: std::time::Instant,
) -> Result<(), OutputError> {
    let dir = run_dir(out, &spec.id);
    scslab_output::prepare_dir(&dir)?;
    let mut h = Table::new("headlines");
    h.push("outcome", ColumnData::Str(outcome.headlines.iter().map(|x| x.key.to_string()).collect()));
    h.push("value", ColumnData::F64(outcome.headlines.iter().map(|x| x.value).collect()));
    scslab_output::write_table(&dir, &h)?;
    let n_days = outcome.series.n_days();
    let mut s = Table::new("series");
    s.push("day", ColumnData::U32((0..n_days as u32).collect()));
    for name in SERIES {
        let values = if name == "wealth_gini" {
            outcome.series.gini().to_vec()
        } else {
            outcome.series.person(name).map_or_else(|| vec![f64::NAN; n_days], <[f64]>::to_vec)
        };
        s.push(name, ColumnData::F64(values));
    }
    scslab_output::write_table(&dir, &s)?;
    let t = &outcome.timings;
    let marker = serde_json::json!({
        "run_id": spec.id,
        "seed": spec.seed,
        "timings_seconds": {
            "setup": t.setup,
            "simulate": t.simulate,
            "write": write_start.elapsed().as_secs_f64(),
        },
    });
    scslab_output::write_json(&dir, DONE, &marker)
}

/// True when the run's marker exists.
pub(crate) fn is_done(out: &Path, id: &str) -> bool {
    run_dir(out, id).join(DONE).is_file()
}

/// Reads a finished run back.
pub(crate) fn read_run(out: &Path, id: &str) -> Result<RunResult, SweepError> {
    let dir = run_dir(out, id);
    let marker_path = dir.join(DONE);
    let marker = read(&marker_path).and_then(|t| {
        serde_json::from_str(&t)
            .map_err(|e| SweepError::Corrupt { path: marker_path.clone(), message: e.to_string() })
    })?;
    let headlines_path = dir.join("headlines.csv");
    let rows = csv_rows(&headlines_path, &["outcome", "value"])?;
    let mut headlines = Vec::with_capacity(rows.len());
    for (line, row) in rows.iter().enumerate() {
        let value = number(&headlines_path, line + 2, &row[1])?;
        headlines.push((row[0].clone(), value));
    }
    let series_path = dir.join("series.csv");
    let header: Vec<&str> = std::iter::once("day").chain(SERIES).collect();
    let rows = csv_rows(&series_path, &header)?;
    let mut days = Vec::with_capacity(rows.len());
    let mut series = vec![Vec::with_capacity(rows.len()); SERIES.len()];
    for (line, row) in rows.iter().enumerate() {
        let day = row[0].parse::<u32>().map_err(|e| corrupt(&series_path, line + 2, e))?;
        days.push(day);
        for (column, field) in series.iter_mut().zip(&row[1..]) {
            column.push(number(&series_path, line + 2, field)?);
        }
    }
    Ok(RunResult { headlines, days, series, marker })
}

fn read(path: &Path) -> Result<String, SweepError> {
    std::fs::read_to_string(path)
        .map_err(|e| SweepError::Corrupt { path: path.to_path_buf(), message: e.to_string() })
}

fn corrupt(path: &Path, line: usize, e: impl std::fmt::Display) -> SweepError {
    SweepError::Corrupt { path: path.to_path_buf(), message: format!("line {line}: {e}") }
}

/// A float field; empty is NaN (how `scslab-output` writes NaN).
fn number(path: &Path, line: usize, field: &str) -> Result<f64, SweepError> {
    if field.is_empty() { Ok(f64::NAN) } else { field.parse::<f64>().map_err(|e| corrupt(path, line, e)) }
}

/// The rows of a CSV file written by `scslab-output` whose fields need no quoting, after
/// checking its header.
fn csv_rows(path: &Path, header: &[&str]) -> Result<Vec<Vec<String>>, SweepError> {
    let text = read(path)?;
    let mut lines = text.lines();
    let found = lines.next().unwrap_or("");
    if found != header.join(",") {
        return Err(corrupt(path, 1, format!("unexpected header `{found}`")));
    }
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let row: Vec<String> = line.split(',').map(str::to_string).collect();
        if row.len() != header.len() {
            return Err(corrupt(
                path,
                i + 2,
                format!("expected {} fields, found {}", header.len(), row.len()),
            ));
        }
        rows.push(row);
    }
    Ok(rows)
}
