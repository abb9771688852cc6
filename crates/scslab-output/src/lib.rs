//! scslab-output: writes everything a simulation run produced (CSV, Parquet, JSON, text), atomically.
//!
//! This is the only crate in the workspace that writes files. Every file is first written to a
//! temporary file in the same folder, flushed and synced, then renamed over its final name, so a
//! reader never sees a half-written file. The one exception is a table written while a run goes
//! ([`PartialCsv`]): it grows by whole rows under the unfinished name `{name}.csv.partial`, and is
//! removed once the finished table is under its final name. It also reports process and machine
//! memory figures read from `/proc`. It never prints anything and contains no model logic:
//! callers hand it finished tables and documents.

mod columnar;
mod csv;
mod folder;
pub mod format;
mod memory;
mod partial;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub use folder::{FolderError, FolderLock, LOCK_FILE, check_is_folder, clear, entries, lock};
pub use memory::{MachineMemory, machine_memory, peak_rss_bytes};
pub use partial::{PARTIAL_SUFFIX, PartialCsv, partial_file_name};

/// One column of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Unsigned 32-bit integers.
    U32(Vec<u32>),
    /// Unsigned 64-bit integers.
    U64(Vec<u64>),
    /// Signed 64-bit integers.
    I64(Vec<i64>),
    /// 64-bit floats; NaN is written as an empty CSV field.
    F64(Vec<f64>),
    /// UTF-8 strings.
    Str(Vec<String>),
}

impl ColumnData {
    /// Number of values in the column.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::U32(v) => v.len(),
            ColumnData::U64(v) => v.len(),
            ColumnData::I64(v) => v.len(),
            ColumnData::F64(v) => v.len(),
            ColumnData::Str(v) => v.len(),
        }
    }

    /// True when the column holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A named column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name, used as the CSV header and the Parquet field name.
    pub name: String,
    /// The column's values.
    pub data: ColumnData,
}

/// A named table; all columns have the same length.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Table name; the output files are `{name}.csv` and `{name}.parquet`.
    pub name: String,
    /// Columns in output order.
    pub columns: Vec<Column>,
}

impl Table {
    /// An empty table with the given name.
    pub fn new(name: impl Into<String>) -> Table {
        Table { name: name.into(), columns: Vec::new() }
    }

    /// Appends a column; lengths are checked when the table is written.
    pub fn push(&mut self, name: impl Into<String>, data: ColumnData) -> &mut Self {
        self.columns.push(Column { name: name.into(), data });
        self
    }

    /// Number of rows (the length of the first column, 0 without columns).
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.data.len())
    }

    /// Checks that every column has as many values as the first one.
    fn check_lengths(&self) -> Result<usize, OutputError> {
        let expected = self.n_rows();
        for column in &self.columns {
            let found = column.data.len();
            if found != expected {
                return Err(OutputError::ColumnLength {
                    table: self.name.clone(),
                    column: column.name.clone(),
                    expected,
                    found,
                });
            }
        }
        Ok(expected)
    }
}

/// Everything that can go wrong while writing output.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder could not be created, written, synced or renamed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The Parquet writer failed.
    #[error("cannot write Parquet file {path}: {source}")]
    Parquet {
        /// The final path of the Parquet file.
        path: PathBuf,
        /// The underlying error.
        source: parquet::errors::ParquetError,
    },
    /// An Arrow record batch could not be built.
    #[error("cannot build Arrow data for {path}: {source}")]
    Arrow {
        /// The final path of the Parquet file.
        path: PathBuf,
        /// The underlying error.
        source: arrow_schema::ArrowError,
    },
    /// A column's length differs from the table's first column.
    #[error("table {table}: column {column} has {found} rows, expected {expected}")]
    ColumnLength {
        /// Table name.
        table: String,
        /// Offending column.
        column: String,
        /// Length of the first column.
        expected: usize,
        /// Length of the offending column.
        found: usize,
    },
    /// Rows appended to a [`PartialCsv`] do not have the file's columns.
    #[error("table {table}: rows to append have columns {found:?}, the file has {expected:?}")]
    AppendColumns {
        /// Table name.
        table: String,
        /// The file's columns.
        expected: Vec<String>,
        /// The appended rows' columns.
        found: Vec<String>,
    },
    /// A JSON value could not be serialized.
    #[error("cannot serialize JSON for {path}: {source}")]
    Json {
        /// The final path of the JSON file.
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
}

/// Shorthand for building an [`OutputError::Io`] from a path.
fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io { path: path.to_path_buf(), source }
}

/// Distinguishes temporary files of concurrent writes within one process.
static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `{dir}/{file_name}` atomically: `fill` writes into a temporary file in `dir`, which is
/// then flushed, synced and renamed over the final name. The temporary file is removed on error.
fn write_atomic(
    dir: &Path,
    file_name: &str,
    fill: impl FnOnce(&mut BufWriter<File>, &Path) -> Result<(), OutputError>,
) -> Result<(), OutputError> {
    let path = dir.join(file_name);
    let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{file_name}.tmp-{}-{n}", std::process::id()));
    let file = File::create(&tmp).map_err(io_err(&path))?;
    let result = (|| {
        let mut out = BufWriter::new(file);
        fill(&mut out, &path)?;
        let file = out.into_inner().map_err(|e| io_err(&path)(e.into_error()))?;
        file.sync_all().map_err(io_err(&path))?;
        drop(file);
        std::fs::rename(&tmp, &path).map_err(io_err(&path))
    })();
    match result {
        Ok(()) => {
            // Best effort: persist the rename itself. Not every platform can sync a folder.
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Writes `{dir}/{table.name}.csv` and `{dir}/{table.name}.parquet`.
///
/// Column lengths are checked first; on a mismatch nothing is written.
pub fn write_table(dir: &Path, table: &Table) -> Result<(), OutputError> {
    let n_rows = table.check_lengths()?;
    write_atomic(dir, &format!("{}.csv", table.name), |out, path| {
        csv::write_csv(out, table, n_rows).map_err(io_err(path))
    })?;
    write_atomic(dir, &format!("{}.parquet", table.name), |out, path| {
        columnar::write_parquet(out, table, n_rows, path)
    })
}

/// Writes pretty JSON (with a trailing newline) to `{dir}/{file_name}`.
pub fn write_json(dir: &Path, file_name: &str, value: &serde_json::Value) -> Result<(), OutputError> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|source| OutputError::Json { path: dir.join(file_name), source })?;
    bytes.push(b'\n');
    write_atomic(dir, file_name, |out, path| out.write_all(&bytes).map_err(io_err(path)))
}

/// Writes text to `{dir}/{file_name}`.
pub fn write_text(dir: &Path, file_name: &str, text: &str) -> Result<(), OutputError> {
    write_atomic(dir, file_name, |out, path| out.write_all(text.as_bytes()).map_err(io_err(path)))
}

/// Writes bytes to `{dir}/{file_name}`.
pub fn write_bytes(dir: &Path, file_name: &str, bytes: &[u8]) -> Result<(), OutputError> {
    write_atomic(dir, file_name, |out, path| out.write_all(bytes).map_err(io_err(path)))
}

/// Writes `{dir}/{file_name}` atomically from what `fill` writes into a buffered writer, so that
/// a large file (a checkpoint) is streamed rather than built in memory first.
pub fn write_streamed(
    dir: &Path,
    file_name: &str,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    write_atomic(dir, file_name, |out, path| fill(out).map_err(io_err(path)))
}

/// Removes `{dir}/{file_name}` if it exists (a checkpoint after a run finished).
pub fn remove_file(dir: &Path, file_name: &str) -> Result<(), OutputError> {
    let path = dir.join(file_name);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(&path)(e)),
        _ => Ok(()),
    }
}

/// Creates the folder (and parents) if missing.
pub fn prepare_dir(dir: &Path) -> Result<(), OutputError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))
}
