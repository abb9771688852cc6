//! The daily series written while a run goes, so that a long run shows its progress in its
//! output folder and a crash loses none of the days already written.
//!
//! Each series table is appended to `{table}.csv.partial` (through
//! [`scslab_output::PartialCsv`]): the file starts with the header and the rows collected so
//! far, and every day's rows are appended and flushed (handed to the operating system) at the
//! end of that day, so they survive the process being killed. Before every checkpoint the files
//! are also synced to the disk, so they survive a machine crash up to then; otherwise the
//! operating system writes them back on its own schedule (syncing every 30 days cost about
//! 0.2 s over 365 days, see docs/PERFORMANCE.md). When the run ends, the finished tables are written under their final
//! names as before (CSV and Parquet, atomically, from the series in memory) and the partial files
//! are removed, before the manifest: a folder with `manifest.json` has no partial files.
//!
//! A resumed run starts the partial files over from the checkpoint's series: rows written after
//! the checkpoint's day (or a torn last line) are dropped, and the files continue exactly as
//! those of an uninterrupted run.

use std::path::Path;

use scslab_output::PartialCsv;

use crate::{RunError, SeriesBuilder};

/// The partial series files of a run in progress.
pub(crate) struct SeriesStream {
    /// One per series table, in the order of [`SeriesBuilder::tables`].
    files: Vec<PartialCsv>,
    /// Days of the series already appended.
    days: usize,
}

impl SeriesStream {
    /// Starts the partial files in `dir` (created if missing) with the days `series` holds: none
    /// for a new run, the checkpoint's days for a resumed one.
    pub(crate) fn start(dir: &Path, series: &SeriesBuilder) -> Result<SeriesStream, RunError> {
        scslab_output::prepare_dir(dir)?;
        let files = series
            .tables()
            .iter()
            .map(|table| PartialCsv::create(dir, table))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SeriesStream { files, days: series.n_days() })
    }

    /// Appends the days `series` gained since the last call and flushes them.
    pub(crate) fn append(&mut self, series: &SeriesBuilder) -> Result<(), RunError> {
        for (file, rows) in self.files.iter_mut().zip(series.tables_since(self.days)) {
            file.append(&rows)?;
            file.flush()?;
        }
        self.days = series.n_days();
        Ok(())
    }

    /// Syncs the rows written so far to the disk.
    pub(crate) fn sync(&mut self) -> Result<(), RunError> {
        for file in &mut self.files {
            file.sync()?;
        }
        Ok(())
    }

    /// Removes the partial files, once the finished tables are written.
    pub(crate) fn remove(self) -> Result<(), RunError> {
        for file in self.files {
            file.remove()?;
        }
        Ok(())
    }
}
