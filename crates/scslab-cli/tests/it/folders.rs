//! Output folders that can't be corrupted: a finished folder is never overwritten silently, two
//! processes never write one folder, Ctrl-C leaves no folder that looks complete, and commands
//! that read a finished folder refuse one without a manifest.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::{scslab, stderr, temp};

fn run_into(out: &Path, extra: &[&str]) -> std::process::Output {
    let base = ["run", "--people", "3000", "--days", "6", "--threads", "1", "--out", out.to_str().unwrap()];
    scslab(&[&base[..], extra].concat())
}

#[test]
fn a_finished_folder_is_refused_unless_overwrite_clears_it() {
    let out = temp("rerun");
    let first = run_into(&out, &["--preset", "china-2020", "--against", "none"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(out.join("comparison.csv").is_file() && out.join("against-none").is_dir());
    std::fs::write(out.join("report.html"), "stale report").unwrap();

    // A plain run into the comparison's folder: refused, naming the folder; nothing changed.
    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    let again = run_into(&out, &["--preset", "none"]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    let err = stderr(&again);
    assert!(err.contains(out.to_str().unwrap()) && err.contains("not empty"), "{err}");
    assert!(err.contains("--overwrite"), "{err}");
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), manifest);

    // With --overwrite the old comparison, counterfactual and report are gone.
    let over = run_into(&out, &["--preset", "none", "--overwrite"]);
    assert!(over.status.success(), "{}", stderr(&over));
    for stale in ["comparison.csv", "comparison.parquet", "against-none", "report.html"] {
        assert!(!out.join(stale).exists(), "{stale} survived --overwrite");
    }
    let m = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(m.contains("\"name\": \"none\"") && !m.contains("against"), "{m}");
    assert!(!out.join(".unfinished").exists() && !out.join(".scslab.lock").exists());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn overwrite_never_clears_a_folder_with_files_scslab_does_not_write() {
    let out = temp("foreign");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("thesis.tex"), "years of work").unwrap();
    let o = run_into(&out, &["--preset", "none", "--overwrite"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("thesis.tex"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(out.join("thesis.tex")).unwrap(), "years of work");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1, "something was written");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn out_pointing_at_a_file_is_bad_input() {
    let dir = temp("outfile");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let o = run_into(&file, &["--preset", "none"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a folder"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_folder_locked_by_a_live_process_is_refused_and_a_stale_lock_taken_over() {
    let out = temp("lock");
    std::fs::create_dir_all(&out).unwrap();
    // This test's own process is alive: its pid holds the lock.
    let me = std::process::id();
    std::fs::write(out.join(".scslab.lock"), format!("{me}\n")).unwrap();
    let o = run_into(&out, &["--preset", "none"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("pid {me}")), "{}", stderr(&o));
    assert!(!out.join("manifest.json").exists());
    let sweep_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sweeps/tiny.toml");
    let small = ["--people", "1000", "--days", "5", "--replications", "2"];
    for args in [
        vec!["sweep", sweep_file.to_str().unwrap(), "--out", out.to_str().unwrap()],
        [&["audit", "--preset", "none", "--out", out.to_str().unwrap()][..], &small].concat(),
    ] {
        let s = scslab(&args);
        assert_eq!(s.status.code(), Some(2), "{args:?}: {}", stderr(&s));
        assert!(stderr(&s).contains(&format!("pid {me}")), "{}", stderr(&s));
    }

    // A pid that cannot be alive (above Linux's maximum): the lock is stale and taken over.
    std::fs::write(out.join(".scslab.lock"), "4294967295\n").unwrap();
    let o = run_into(&out, &["--preset", "none"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("manifest.json").is_file());
    assert!(!out.join(".scslab.lock").exists(), "the lock outlived the run");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn absurd_thread_counts_are_refused_at_once_with_the_cap() {
    let out = temp("threads");
    let t0 = Instant::now();
    for cmd in [
        vec!["run", "--people", "1000", "--threads", "100000", "--out", out.to_str().unwrap()],
        vec!["audit", "--threads", "10000", "--out", out.to_str().unwrap()],
        vec!["calibrate", "--threads", "10000", "--out", out.to_str().unwrap()],
    ] {
        let o = scslab(&cmd);
        assert_eq!(o.status.code(), Some(2), "{cmd:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("at most 256"), "{}", stderr(&o));
    }
    assert!(t0.elapsed() < Duration::from_secs(30));
    assert!(!out.exists());
}

#[test]
fn ctrl_c_stops_a_run_cleanly_and_keeps_what_it_can() {
    let out = temp("sigint");
    let child = Command::new(env!("CARGO_BIN_EXE_scslab"))
        .args(["run", "--preset", "china-2020", "--people", "50000", "--days", "3000", "--threads", "1"])
        .args(["--checkpoint-every", "2", "--out", out.to_str().unwrap()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first checkpoint, then send SIGINT as Ctrl-C does.
    let t0 = Instant::now();
    while !out.join("checkpoint.bin").exists() {
        assert!(t0.elapsed() < Duration::from_secs(120), "no checkpoint after two minutes");
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted after day") && err.contains("scslab resume"), "{err}");
    assert!(!out.join("manifest.json").exists(), "an interrupted folder looks complete");
    assert!(out.join("checkpoint.bin").is_file() && out.join("series_persons.csv.partial").is_file());
    assert!(!out.join(".scslab.lock").exists(), "the lock outlived the run");

    // Commands that read a finished folder refuse it, naming what is missing.
    for args in [vec!["report", out.to_str().unwrap()], vec!["trace", out.to_str().unwrap(), "--person", "1"]]
    {
        let r = scslab(&args);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {}", stderr(&r));
        assert!(stderr(&r).contains("no manifest.json"), "{}", stderr(&r));
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn undefined_ratios_are_empty_in_the_files_and_n_a_on_screen() {
    let out = temp("nan");
    let o = run_into(&out, &["--preset", "none"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout.lines().find(|l| l.starts_with("False share of sanctions")).unwrap();
    assert!(line.trim_end().ends_with("n/a"), "{line}");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with("outcome,label,value,unit\n"), "{summary}");
    let row = summary.lines().find(|l| l.starts_with("false_sanction_share,")).unwrap();
    assert!(row.ends_with(",,share"), "{row}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn an_audit_never_mixes_with_another_folder_and_overwrites_only_its_own() {
    let out = temp("audit-folder");
    let o = run_into(&out, &["--preset", "none"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let audit = |extra: &[&str]| {
        let base = ["audit", "--preset", "none", "--people", "1000", "--days", "5", "--replications", "2"];
        scslab(&[&base[..], &["--threads", "1", "--out", out.to_str().unwrap()], extra].concat())
    };
    // Into a run's folder: refused, even with --overwrite; the run is untouched.
    for extra in [&[][..], &["--overwrite"]] {
        let o = audit(extra);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("not an earlier audit"), "{}", stderr(&o));
    }
    assert!(out.join("summary.csv").is_file() && !out.join("audit.csv").exists());

    // Into its own earlier audit: refused without --overwrite, cleared and rewritten with it.
    std::fs::remove_dir_all(&out).unwrap();
    assert!(audit(&[]).status.success());
    let again = audit(&[]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("an earlier audit"), "{}", stderr(&again));
    std::fs::write(out.join("scenario-stale.toml"), "left by an older audit").unwrap();
    let over = audit(&["--overwrite"]);
    assert!(over.status.success(), "{}", stderr(&over));
    assert!(out.join("audit.csv").is_file() && out.join("report.html").is_file());
    assert!(!out.join("scenario-stale.toml").exists(), "an older audit's file survived --overwrite");
    let _ = std::fs::remove_dir_all(&out);
}
