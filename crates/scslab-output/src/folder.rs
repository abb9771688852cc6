//! Output folders that can't be corrupted: one writer at a time (a lock file with its pid), and
//! a folder is only reused when it is empty, is the caller's own unfinished work, or is cleared
//! on request, and then only if everything in it is something scslab writes.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{OutputError, io_err};

/// The lock file a writer holds in its output folder while it writes.
pub const LOCK_FILE: &str = ".scslab.lock";

/// Why an output folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// The path exists and is not a folder.
    #[error("{}: exists and is not a folder; choose another output folder", path.display())]
    NotAFolder {
        /// The path.
        path: PathBuf,
    },
    /// Another live process holds the folder's lock.
    #[error(
        "{}: another scslab process (pid {pid}) is writing this folder; wait for it to finish or \
         choose another output folder",
        dir.display()
    )]
    Locked {
        /// The folder.
        dir: PathBuf,
        /// The process holding the lock.
        pid: u32,
    },
    /// The folder holds something that is not the caller's unfinished work.
    #[error(
        "{}: the folder is not empty ({what}); choose another output folder, or add --overwrite \
         to clear it first",
        dir.display()
    )]
    NotEmpty {
        /// The folder.
        dir: PathBuf,
        /// What it holds, in words.
        what: String,
    },
    /// `--overwrite` was asked for a folder that holds files scslab did not write.
    #[error(
        "{}: refusing to clear a folder that holds `{entry}`, which scslab does not write; \
         choose another output folder",
        dir.display()
    )]
    Foreign {
        /// The folder.
        dir: PathBuf,
        /// The first foreign entry found.
        entry: String,
    },
    /// A command that reads a finished folder was given a path that does not exist.
    #[error("{}: no such folder", dir.display())]
    Missing {
        /// The path.
        dir: PathBuf,
    },
    /// A command that reads a finished folder was given one without a manifest.
    #[error(
        "{}: not a finished scslab output folder: it has no manifest.json (a run that is still \
         going or was interrupted has none; `scslab resume` finishes one started with \
         --checkpoint-every)",
        dir.display()
    )]
    NotFinished {
        /// The folder.
        dir: PathBuf,
    },
    /// The folder could not be read, created or cleared.
    #[error(transparent)]
    Io(#[from] OutputError),
}

/// A held output folder: the lock file is removed when this is dropped.
#[derive(Debug)]
pub struct FolderLock {
    path: PathBuf,
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Creates `dir` if missing and takes its lock, or says which live process holds it. A lock left
/// by a process that is gone (killed, machine restarted) is taken over.
pub fn lock(dir: &Path) -> Result<FolderLock, FolderError> {
    check_is_folder(dir)?;
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let path = dir.join(LOCK_FILE);
    // Two tries: the second after removing a lock whose process is gone.
    for _ in 0..2 {
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                writeln!(f, "{}", std::process::id()).map_err(io_err(&path))?;
                return Ok(FolderLock { path });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                match text.trim().parse::<u32>() {
                    Ok(pid) if process_alive(pid) => {
                        return Err(FolderError::Locked { dir: dir.to_path_buf(), pid });
                    }
                    // A stale lock (or one half-written by a process killed while creating it).
                    _ => {
                        let _ = std::fs::remove_file(&path);
                    }
                }
            }
            Err(e) => return Err(io_err(&path)(e).into()),
        }
    }
    let pid = std::fs::read_to_string(&path).ok().and_then(|t| t.trim().parse().ok()).unwrap_or(0);
    Err(FolderError::Locked { dir: dir.to_path_buf(), pid })
}

/// Refuses a path that exists and is not a folder.
pub fn check_is_folder(dir: &Path) -> Result<(), FolderError> {
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => Err(FolderError::NotAFolder { path: dir.to_path_buf() }),
        _ => Ok(()),
    }
}

/// Whether a process with this pid runs on this machine. Where that cannot be known (no
/// `/proc`), a lock is assumed held.
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if !Path::new("/proc/self").exists() {
        return true;
    }
    Path::new("/proc").join(pid.to_string()).exists()
}

/// The entries of `dir` other than its lock file, sorted by name (empty if it does not exist).
pub fn entries(dir: &Path) -> Result<Vec<String>, FolderError> {
    let read = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(dir)(e).into()),
    };
    let mut names = Vec::new();
    for entry in read {
        let entry = entry.map_err(io_err(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != LOCK_FILE {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Removes every entry of `dir` (but its lock file), provided each one passes `ours`; otherwise
/// removes nothing and names the first foreign entry.
pub fn clear(dir: &Path, ours: impl Fn(&str, bool) -> bool) -> Result<(), FolderError> {
    let names = entries(dir)?;
    for name in &names {
        if !ours(name, dir.join(name).is_dir()) {
            return Err(FolderError::Foreign { dir: dir.to_path_buf(), entry: name.clone() });
        }
    }
    for name in &names {
        let path = dir.join(name);
        let removed =
            if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        removed.map_err(io_err(&path))?;
    }
    Ok(())
}
