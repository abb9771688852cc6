//! A run killed with SIGKILL after a checkpoint, then resumed, writes the same data files as
//! an uninterrupted run; `resume` refuses what it cannot trust with exit code 2.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::{scslab, stderr, temp};

const RUN: [&str; 11] = [
    "run",
    "--preset",
    "china-2020",
    "--people",
    "20000",
    "--days",
    "60",
    "--seed",
    "7",
    "--checkpoint-every",
    "5",
];

/// A fixed pseudo-random delay (splitmix64 of the test's seed), so the test is reproducible.
fn delay(seed: u64, max_ms: u64) -> Duration {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    Duration::from_millis((z ^ (z >> 31)) % max_ms)
}

/// Starts the run, waits for its first checkpoint and a little more, and kills it (SIGKILL).
/// Returns false if the run finished before it could be killed.
fn run_and_kill(dir: &Path, threads: &str) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scslab"))
        .args(RUN)
        .args(["--threads", threads, "--out", dir.to_str().unwrap()])
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while !dir.join("checkpoint.bin").exists() {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before its first checkpoint");
        assert!(t0.elapsed() < Duration::from_secs(120), "no checkpoint after two minutes");
        std::thread::sleep(Duration::from_millis(2));
    }
    std::thread::sleep(delay(20261127, 150));
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    running
}

/// The killed run's partial series files hold, up to their last line break, the first rows of
/// the uninterrupted run's tables: at least the five days of the first checkpoint, which were
/// flushed before it was written. (A kill in the middle of a write may leave a torn last line.)
fn check_partial_files(whole: &Path, killed: &Path) {
    let series = scslab_runner::OUTPUT_TABLES.iter().filter(|t| t.starts_with("series_"));
    for table in series {
        let finished = std::fs::read(whole.join(format!("{table}.csv"))).unwrap();
        let partial = std::fs::read(killed.join(format!("{table}.csv.partial"))).unwrap();
        let complete = &partial[..partial.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)];
        assert!(finished.starts_with(complete), "{table}.csv.partial is not a prefix of {table}.csv");
        let lines = |bytes: &[u8]| bytes.iter().filter(|&&b| b == b'\n').count();
        let per_day = (lines(&finished) - 1) / 60;
        assert!(lines(complete) > 5 * per_day, "{table}.csv.partial: {} lines", lines(complete));
    }
}

#[test]
fn a_killed_run_resumes_to_byte_identical_outputs() {
    let whole = temp("resume-whole");
    let killed = temp("resume-killed");
    let o = scslab(&[&RUN[..], &["--threads", "1", "--out", whole.to_str().unwrap()]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(run_and_kill(&killed, "2"), "the run finished before it was killed; raise --days");
    assert!(!killed.join("manifest.json").exists());
    check_partial_files(&whole, &killed);
    let o = scslab(&["resume", killed.to_str().unwrap(), "--threads", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("resumed from day"));
    for file in scslab_runner::data_files() {
        let x = std::fs::read(whole.join(&file)).unwrap();
        let y = std::fs::read(killed.join(&file)).unwrap();
        assert!(x == y, "{file} differs between the uninterrupted and the killed-and-resumed run");
    }
    assert!(std::fs::read_to_string(killed.join("manifest.json")).unwrap().contains("resumed_from_day"));
    let names = std::fs::read_dir(&killed).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap());
    let left: Vec<String> = names.filter(|n| n.ends_with(".partial")).collect();
    assert!(left.is_empty(), "partial files left after resuming: {left:?}");
    // Finished: nothing left to resume.
    let o = scslab(&["resume", killed.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("checkpoint.bin"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&whole);
    let _ = std::fs::remove_dir_all(&killed);
}

#[test]
fn resume_refuses_a_corrupt_checkpoint_with_exit_code_2() {
    let dir = temp("resume-corrupt");
    assert!(run_and_kill(&dir, "2"));
    let path = dir.join("checkpoint.bin");
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let o = scslab(&["resume", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let message = stderr(&o);
    assert!(message.contains("checkpoint.bin") && message.contains("corrupt"), "{message}");
    // A memory limit that is not a positive number, or too small, is refused before the
    // checkpoint is read.
    let o = scslab(&["resume", dir.to_str().unwrap(), "--memory-limit-gib", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--memory-limit-gib: expected a positive number"), "{}", stderr(&o));
    let o = scslab(&["resume", dir.to_str().unwrap(), "--memory-limit-gib", "0.000001"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("at most about"), "{}", stderr(&o));
    assert!(!dir.join("manifest.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
