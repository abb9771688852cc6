//! A run's output folder: claimed before anything is written, never mixed with another run's.
//!
//! A run takes the folder's lock (`scslab_output::lock`), then uses it only if it is empty, holds
//! an unfinished run of the same work (its marker file says so; the run starts over), or the
//! caller asked to overwrite it, and then only if every entry is a file scslab writes. While the
//! run goes the folder holds the marker [`UNFINISHED_FILE`]; the manifest is written last and the
//! marker removed after it, so a folder with a manifest is complete and one without is not.

use std::path::Path;

use scslab_output::{FolderError, FolderLock, PARTIAL_SUFFIX};

use crate::{CHECKPOINT_FILE, REPLAY_FILE, RUN_FILE};

/// Marks a folder whose run has started and not finished; holds what the run computes.
pub const UNFINISHED_FILE: &str = ".unfinished";
/// Written last by a finished run, comparison, sweep, audit or calibration.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Takes `dir` for a run identified by `work` (what it computes), clearing it first when it
/// holds this run's own unfinished attempt or when `overwrite` is set. Refuses a folder that is
/// not empty otherwise, or that holds files scslab does not write.
pub(crate) fn claim(dir: &Path, work: &str, overwrite: bool) -> Result<FolderLock, FolderError> {
    let lock = scslab_output::lock(dir)?;
    let entries = scslab_output::entries(dir)?;
    if !entries.is_empty() {
        let own = std::fs::read_to_string(dir.join(UNFINISHED_FILE)).is_ok_and(|w| w == work);
        if !(own || overwrite) {
            return Err(FolderError::NotEmpty { dir: dir.to_path_buf(), what: describe(dir, &entries) });
        }
        scslab_output::clear(dir, ours)?;
    }
    scslab_output::write_text(dir, UNFINISHED_FILE, work)?;
    Ok(lock)
}

/// Takes `dir` for a command whose result is a whole folder (an audit, a calibration): the
/// manifest's `kind` says which. Refuses a folder that is not empty unless it holds an earlier
/// result of the same kind and `overwrite` is set; then clears it, provided every entry is one of
/// `files` (name prefixes), the manifest, the report or a leftover temporary file.
pub fn claim_result(
    dir: &Path,
    kind: &str,
    files: &[&str],
    overwrite: bool,
) -> Result<FolderLock, FolderError> {
    let lock = scslab_output::lock(dir)?;
    let entries = scslab_output::entries(dir)?;
    if entries.is_empty() {
        return Ok(lock);
    }
    let manifest = std::fs::read_to_string(dir.join(MANIFEST_FILE)).ok();
    let found = manifest
        .as_deref()
        .and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok())
        .and_then(|v| v.pointer("/kind").and_then(|k| k.as_str()).map(str::to_string));
    let same_kind = found.as_deref() == Some(kind);
    if !(overwrite && same_kind) {
        let what = if same_kind {
            format!("an earlier {kind}")
        } else {
            format!("{} files or folders that are not an earlier {kind}", entries.len())
        };
        return Err(FolderError::NotEmpty { dir: dir.to_path_buf(), what });
    }
    scslab_output::clear(dir, |name, is_dir| {
        !is_dir && (files.iter().any(|f| name.starts_with(f)) || ours(name, false))
    })?;
    Ok(lock)
}

/// Marks the folder's run finished: called after its manifest is written.
pub(crate) fn finished(dir: &Path) -> Result<(), FolderError> {
    Ok(scslab_output::remove_file(dir, UNFINISHED_FILE)?)
}

/// Whether an entry of a run's folder is something a run, comparison, trace or report writes.
fn ours(name: &str, is_dir: bool) -> bool {
    if is_dir {
        return name == "traces" || name.starts_with("against-");
    }
    let tables = crate::OUTPUT_TABLES.iter().chain(&["comparison"]);
    let table_file = tables.flat_map(|t| [format!("{t}.csv"), format!("{t}.parquet")]).any(|f| f == name);
    table_file
        || [MANIFEST_FILE, UNFINISHED_FILE, RUN_FILE, CHECKPOINT_FILE, REPLAY_FILE, "scenario.toml", "report.html"]
            .contains(&name)
        || name.ends_with(PARTIAL_SUFFIX)
        // An atomic write's temporary file, left by a process killed while writing.
        || (name.starts_with('.') && name.contains(".tmp-"))
}

/// What a non-empty folder holds, in words.
fn describe(dir: &Path, entries: &[String]) -> String {
    let manifest = std::fs::read_to_string(dir.join(MANIFEST_FILE)).ok();
    let name = manifest
        .as_deref()
        .and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok())
        .and_then(|v| v.pointer("/scenario/name").and_then(|n| n.as_str()).map(str::to_string));
    match (manifest.is_some(), name) {
        (true, Some(name)) => format!("a finished run of `{name}`"),
        (true, None) => "a finished run, sweep, audit or calibration".into(),
        (false, _) if entries.iter().any(|e| e == UNFINISHED_FILE) => {
            "an unfinished run of another scenario or size".into()
        }
        _ => {
            let shown: Vec<&str> = entries.iter().take(3).map(String::as_str).collect();
            let more =
                if entries.len() > 3 { format!(" and {} more", entries.len() - 3) } else { String::new() };
            format!("{}{more}", shown.join(", "))
        }
    }
}

/// Refuses a folder that has no manifest (an unfinished or interrupted run, or not an output
/// folder at all) for commands that read a finished one.
pub fn require_finished(dir: &Path) -> Result<(), FolderError> {
    scslab_output::check_is_folder(dir)?;
    if !dir.exists() {
        return Err(FolderError::Missing { dir: dir.to_path_buf() });
    }
    if dir.join(MANIFEST_FILE).is_file() {
        return Ok(());
    }
    Err(FolderError::NotFinished { dir: dir.to_path_buf() })
}
