//! CSV tables appended to while a run goes, under a name that says they are unfinished.
//!
//! A [`PartialCsv`] is the file `{name}.csv.partial`. It starts (atomically, like every other
//! file) with the header and any rows already known, then grows by whole rows: [`append`]
//! encodes rows into memory and [`flush`] hands them to the file in one write, so the file
//! holds complete rows up to the last flush. A write that fails (a full disk) is cut back to the
//! last whole row. Only a write cut short from outside (the process killed in the middle of a
//! flush, or the machine stopping) can leave a torn last line, so a reader keeps everything up
//! to the file's last `\n` and drops what follows it (a line break inside a quoted field is
//! part of its row; the series tables have none). The finished table is written under its final
//! name by [`write_table`](crate::write_table); the partial file is then [`remove`]d.
//!
//! [`append`]: PartialCsv::append
//! [`flush`]: PartialCsv::flush
//! [`remove`]: PartialCsv::remove

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{OutputError, Table, csv, io_err, write_atomic};

/// Suffix added to `{name}.csv` while the table is still being written.
pub const PARTIAL_SUFFIX: &str = ".partial";

/// The file name of table `name` while it is being written: `{name}.csv.partial`.
pub fn partial_file_name(name: &str) -> String {
    format!("{name}.csv{PARTIAL_SUFFIX}")
}

/// A CSV table being appended to, whole rows at a time: `{dir}/{name}.csv.partial`.
///
/// Rows reach the file only in [`flush`](PartialCsv::flush) (and
/// [`sync`](PartialCsv::sync)); rows appended but not flushed are lost if the value is
/// dropped.
#[derive(Debug)]
pub struct PartialCsv {
    /// Table name (for errors and the column check).
    name: String,
    /// Column names, in order; appended rows must have exactly these.
    columns: Vec<String>,
    /// The partial file.
    path: PathBuf,
    /// Open for appending.
    file: File,
    /// Encoded whole rows not yet written.
    buffer: Vec<u8>,
    /// Bytes in the file: the header and whole rows only.
    written: u64,
}

impl PartialCsv {
    /// Starts `{dir}/{table.name}.csv.partial` with the header and the rows of `table` (none
    /// for a new run; the rows collected so far when a run is resumed), and opens it for
    /// appending. The file is written atomically and replaces any earlier partial file of the
    /// table, with whatever rows it held: a resumed run starts from exactly the rows it has.
    pub fn create(dir: &Path, table: &Table) -> Result<PartialCsv, OutputError> {
        let n_rows = table.check_lengths()?;
        let file_name = partial_file_name(&table.name);
        write_atomic(dir, &file_name, |out, path| csv::write_csv(out, table, n_rows).map_err(io_err(path)))?;
        let path = dir.join(file_name);
        let file = OpenOptions::new().append(true).open(&path).map_err(io_err(&path))?;
        let written = file.metadata().map_err(io_err(&path))?.len();
        Ok(PartialCsv {
            name: table.name.clone(),
            columns: table.columns.iter().map(|c| c.name.clone()).collect(),
            path,
            file,
            buffer: Vec::new(),
            written,
        })
    }

    /// Encodes the rows of `rows` (a table with the same column names, in the same order) into
    /// memory; they reach the file at the next flush. On an error nothing is appended.
    pub fn append(&mut self, rows: &Table) -> Result<(), OutputError> {
        let found: Vec<&str> = rows.columns.iter().map(|c| c.name.as_str()).collect();
        if found != self.columns {
            return Err(OutputError::AppendColumns {
                table: self.name.clone(),
                expected: self.columns.clone(),
                found: found.iter().map(|s| s.to_string()).collect(),
            });
        }
        let n_rows = rows.check_lengths()?;
        // Writing into a Vec cannot fail.
        csv::write_rows(&mut self.buffer, rows, n_rows).map_err(io_err(&self.path))
    }

    /// Bytes of encoded rows waiting for the next flush.
    pub fn buffered_bytes(&self) -> usize {
        self.buffer.len()
    }

    /// Writes the buffered rows to the file (one write of whole rows). If the write fails, the
    /// file is cut back to its last whole row (best effort) and the rows stay buffered.
    pub fn flush(&mut self) -> Result<(), OutputError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.file.write_all(&self.buffer) {
            let _ = self.file.set_len(self.written);
            return Err(io_err(&self.path)(e));
        }
        self.written += self.buffer.len() as u64;
        self.buffer.clear();
        Ok(())
    }

    /// Flushes, then syncs the file's data to the disk, so that the rows written survive a
    /// machine crash as well as a crash of the process.
    pub fn sync(&mut self) -> Result<(), OutputError> {
        self.flush()?;
        self.file.sync_data().map_err(io_err(&self.path))
    }

    /// The partial file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the partial file, once the finished table is under its final name. Rows not
    /// flushed are dropped with it.
    pub fn remove(self) -> Result<(), OutputError> {
        let PartialCsv { path, file, .. } = self;
        drop(file);
        std::fs::remove_file(&path).map_err(io_err(&path))
    }
}
