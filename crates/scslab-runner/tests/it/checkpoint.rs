//! Checkpoints: a restored simulation continues exactly as the original; a run stopped after a
//! checkpoint and resumed writes the same data files as an uninterrupted run; damaged or
//! mismatched checkpoints are refused.

use std::path::{Path, PathBuf};

use scslab_codec::{CodecError, checksum};
use scslab_model::sim::Simulation;
use scslab_model::state::StateError;
use scslab_model::world::{F_ALIVE, FirmSet};
use scslab_runner::{CHECKPOINT_FILE, Progress, RUN_FILE, RunConfig, RunError, resume, run};
use scslab_scenario::Scenario;

/// The ant-group preset with policy changes of every kind (detection scale, list period, an
/// authority off, a memorandum off and on, credit repair, representatives no longer listed,
/// grounds, a score threshold) before, on and after the checkpoint days (5 and 10 in the resume
/// test, 10 in the restore test), and the intervention moved early, so that every kind of state
/// that persists across days is in play before and after the checkpoint.
pub(crate) fn busy_scenario(people: u64, days: u32) -> Scenario {
    let extra = r#"
[[policy_change]]
day = 4
authority = "court_defaulters"
detection_scale = 2.5
duration_days = 30

[[policy_change]]
day = 5
kind = "memorandum"
memorandum = "court_defaulters_mou_2016"
enabled = false

[[policy_change]]
day = 7
authority = "sesame"
enabled = false

[[policy_change]]
day = 8
kind = "credit_repair"
authority = "court_defaulters"
repair_rate = 0.05
repair_after_days = 2

[[policy_change]]
day = 9
kind = "representatives"
authority = "market_serious_illegal"
enabled = false

[[policy_change]]
day = 10
authority = "deposit_free"
score_at_least = 700.0

[[policy_change]]
day = 12
kind = "memorandum"
memorandum = "court_defaulters_mou_2016"
enabled = true

[[policy_change]]
day = 14
authority = "court_defaulters"
grounds = ["judgment_default", "loan_default"]
"#;
    // Changes go into the text, not the parameters, so that `resume` rebuilds the same ones; on
    // the daily engine (`event.rs` runs it on the event engine).
    let preset = scslab_scenario::preset_text("ant-group-2020").unwrap().replace("day = 307", "day = 6");
    let text = format!("{preset}{}\n{extra}", crate::DAILY);
    let mut s = scslab_scenario::parse(&text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
    s.params.n_persons = people;
    s.params.days = days;
    assert_eq!(s.params.interventions[0].day, 6);
    s
}

fn saved(sim: &Simulation, key: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    sim.save_state(key, &mut bytes).unwrap();
    bytes
}

/// The first frame of `bytes` as scslab wrote frames up to format 3: magic, format 3, body
/// length, body, FNV-1a 64 of all before it (no layout version).
pub(crate) fn old_format(bytes: &[u8]) -> Vec<u8> {
    let len = u64::from_le_bytes(bytes[16..24].try_into().unwrap());
    let mut old = bytes[..8].to_vec();
    old.extend_from_slice(&3u32.to_le_bytes());
    old.extend_from_slice(&len.to_le_bytes());
    old.extend_from_slice(&bytes[24..24 + len as usize]);
    let sum =
        old.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3));
    old.extend_from_slice(&sum.to_le_bytes());
    old
}

#[test]
fn restored_simulation_continues_exactly() {
    let s = busy_scenario(3_000, 30);
    let mut a = Simulation::new(s.params.clone());
    for _ in 0..10 {
        a.step();
    }
    let bytes = saved(&a, 42);
    let mut b = Simulation::restore(s.params.clone(), 42, &mut bytes.as_slice()).unwrap();
    assert_eq!(b.day(), 10);
    assert_eq!(saved(&b, 42), bytes, "a restored state saves to the same bytes");
    for _ in 0..10 {
        let ma = format!("{:?}", a.step());
        let mb = format!("{:?}", b.step());
        assert_eq!(ma, mb, "metrics differ on day {}", a.day() - 1);
    }
    assert_eq!(saved(&a, 42), saved(&b, 42), "state differs after 10 more days");
    assert_eq!(format!("{:?}", a.distributions()), format!("{:?}", b.distributions()));
    // The operating firms' bits (not saved, rebuilt on restore) follow the flags.
    assert!(a.firms.flags.iter().any(|&f| f & F_ALIVE == 0), "no firm closed: the check below is empty");
    assert_eq!(b.operating, FirmSet::from_flags(&b.firms.flags));
    assert_eq!(a.operating, b.operating);
}

#[test]
fn damaged_or_mismatched_states_are_refused() {
    let s = busy_scenario(3_000, 30);
    let mut sim = Simulation::new(s.params.clone());
    for _ in 0..5 {
        sim.step();
    }
    let bytes = saved(&sim, 42);
    let restore = |bytes: &[u8], key: u64, params| Simulation::restore(params, key, &mut &bytes[..]).err();
    // A flipped byte anywhere after the head fails the checksum (a wrong length of the state
    // head's column layout, byte 40, or a wrong scenario key, byte 80, is reported as such only
    // if the frame is intact).
    for i in [40, 80, bytes.len() / 2, bytes.len() - 5, bytes.len() - 1] {
        let mut bad = bytes.clone();
        bad[i] ^= 1;
        let err = restore(&bad, 42, s.params.clone());
        assert!(matches!(err, Some(StateError::Codec(CodecError::Checksum))), "byte {i}: {err:?}");
    }
    for cut in [0, 10, bytes.len() / 3, bytes.len() - 1] {
        let err = restore(&bytes[..cut], 42, s.params.clone());
        assert!(matches!(err, Some(StateError::Codec(CodecError::Truncated))), "cut at {cut}: {err:?}");
    }
    let err = restore(&bytes, 43, s.params.clone());
    assert!(matches!(err, Some(StateError::ScenarioMismatch { found: 42, expected: 43 })), "{err:?}");
    // Written by another crate version, intact (checksum recomputed): refused as such. Byte 32
    // is the first of the version string, after the frame's head and the string's length.
    let mut other_version = bytes.clone();
    other_version[32] = b'9';
    let n = other_version.len();
    let sum = checksum(&other_version[..n - 4]);
    other_version[n - 4..].copy_from_slice(&sum.to_le_bytes());
    let err = restore(&other_version, 42, s.params.clone());
    assert!(
        matches!(&err, Some(StateError::Version { found, .. }) if found.starts_with("scslab 9")),
        "{err:?}"
    );
    // Saved with other dense columns (a column renamed in `world.rs`), intact: refused as such.
    let mut other_columns = bytes.clone();
    let at = other_columns.windows(7).position(|w| w == b"wealth:").expect("the column layout");
    other_columns[at] = b'W';
    let sum = checksum(&other_columns[..n - 4]);
    other_columns[n - 4..].copy_from_slice(&sum.to_le_bytes());
    let err = restore(&other_columns, 42, s.params.clone());
    assert!(
        matches!(&err, Some(StateError::Version { found, .. }) if found.contains("Wealth:i32")),
        "{err:?}"
    );
    // Of another layout of the state, intact: refused as such.
    let mut other_layout = bytes.clone();
    other_layout[12..16].copy_from_slice(&(scslab_model::state::FORMAT_VERSION + 1).to_le_bytes());
    let sum = checksum(&other_layout[..n - 4]);
    other_layout[n - 4..].copy_from_slice(&sum.to_le_bytes());
    let err = restore(&other_layout, 42, s.params.clone());
    assert!(matches!(err, Some(StateError::Codec(CodecError::Version { .. }))), "{err:?}");
    // Saved by scslab before frame format 4: refused from its head.
    let err = restore(&old_format(&bytes), 42, s.params.clone());
    assert!(matches!(err, Some(StateError::Codec(CodecError::OldFormat { found: 3 }))), "{err:?}");
    // Same key but another population: refused on its dimensions, never loaded.
    let other = busy_scenario(4_000, 30);
    let err = restore(&bytes, 42, other.params.clone());
    assert!(matches!(err, Some(StateError::Corrupt(_))), "{err:?}");
}

fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scslab-ck-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn config(dir: &Path, threads: usize) -> RunConfig {
    let mut cfg = RunConfig::new(busy_scenario(5_000, 24));
    cfg.threads = threads;
    cfg.out_dir = Some(dir.to_path_buf());
    cfg.checkpoint_every = Some(5);
    cfg
}

/// Runs until the progress callback sees `stop_after` days done, then unwinds out of the run
/// as a crash would (the checkpoint of an earlier day stays behind).
fn run_and_crash(dir: &Path, stop_after: u32) {
    let cfg = config(dir, 2);
    let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = run(&cfg, &mut |p| {
            if let Progress::Day { done } = p
                && done == stop_after
            {
                panic!("simulated crash");
            }
        });
    }));
    assert!(crashed.is_err());
}

#[test]
fn resumed_run_writes_the_same_data_files() {
    let whole = out_dir("whole");
    run(&config(&whole, 1), &mut |_| {}).unwrap();
    assert!(!whole.join(CHECKPOINT_FILE).exists(), "the checkpoint is removed at the end");
    assert!(whole.join(RUN_FILE).exists());

    let crashed = out_dir("crashed");
    run_and_crash(&crashed, 13);
    assert!(crashed.join(CHECKPOINT_FILE).exists());
    assert!(!crashed.join("manifest.json").exists());
    // The crash lost none of the 13 days streamed (header and one row a day), three past the
    // checkpoint; a torn row as left by a kill in the middle of a write is added to them.
    let partial = crashed.join("series_persons.csv.partial");
    let mut streamed = std::fs::read(&partial).unwrap();
    assert_eq!(streamed.iter().filter(|&&b| b == b'\n').count(), 14);
    streamed.extend_from_slice(b"13,49");
    std::fs::write(&partial, &streamed).unwrap();
    // Resumed, the partial file starts over from the checkpoint's 10 days and grows as the
    // uninterrupted run's finished file.
    let finished = std::fs::read(whole.join("series_persons.csv")).unwrap();
    let mut days_seen = Vec::new();
    let outcome = resume(&crashed, Some(1), None, &mut |p| {
        if let Progress::Day { done } = p {
            let streamed = std::fs::read(&partial).unwrap();
            assert_eq!(streamed.iter().filter(|&&b| b == b'\n').count(), 1 + done as usize);
            assert!(finished.starts_with(&streamed), "series_persons.csv.partial on day {done}");
            days_seen.push(done);
        }
    })
    .unwrap();
    assert_eq!(days_seen, (10..=24).collect::<Vec<u32>>());
    assert_eq!(outcome.resumed_from_day, Some(10));
    for file in scslab_runner::data_files() {
        let x = std::fs::read(whole.join(&file)).unwrap();
        let y = std::fs::read(crashed.join(&file)).unwrap();
        assert!(x == y, "{file} differs after resuming");
    }
    let manifest = std::fs::read_to_string(crashed.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"resumed_from_day\": 10"), "{manifest}");
    assert!(!crashed.join(CHECKPOINT_FILE).exists());
    for dir in [&whole, &crashed] {
        let left: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".partial"))
            .collect();
        assert!(left.is_empty(), "partial files left in {}: {left:?}", dir.display());
    }
    // A finished run has nothing to resume.
    let err = resume(&crashed, None, None, &mut |_| {}).unwrap_err();
    assert!(matches!(err, RunError::NoCheckpoint { .. }), "{err}");
    let _ = std::fs::remove_dir_all(&whole);
    let _ = std::fs::remove_dir_all(&crashed);
}

#[test]
fn resume_refuses_a_bad_checkpoint_and_writes_nothing() {
    let dir = out_dir("bad");
    run_and_crash(&dir, 7);
    let good = std::fs::read(dir.join(CHECKPOINT_FILE)).unwrap();
    let check = |bytes: &[u8], what: &str| {
        std::fs::write(dir.join(CHECKPOINT_FILE), bytes).unwrap();
        let err = resume(&dir, None, None, &mut |_| {}).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, RunError::Checkpoint { .. }), "{what}: {err:?}");
        assert!(message.contains(CHECKPOINT_FILE) && message.contains(what), "{message}");
        assert!(!dir.join("manifest.json").exists() && !dir.join("summary.csv").exists());
    };
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x40;
    check(&flipped, "corrupt");
    check(&good[..good.len() - 3], "truncated");
    // Another scenario: the same folder with a different seed in run.json.
    std::fs::write(dir.join(CHECKPOINT_FILE), &good).unwrap();
    let run_json = std::fs::read_to_string(dir.join(RUN_FILE)).unwrap();
    let other = run_json.replace("\"seed\": 2020", "\"seed\": 2021");
    assert_ne!(run_json, other);
    std::fs::write(dir.join(RUN_FILE), other).unwrap();
    check(&good, "another scenario");
    // A checkpoint of an older scslab: the message says it cannot be resumed.
    std::fs::write(dir.join(RUN_FILE), run_json).unwrap();
    std::fs::write(dir.join(CHECKPOINT_FILE), old_format(&good)).unwrap();
    let err = resume(&dir, None, None, &mut |_| {}).unwrap_err();
    assert!(matches!(err, RunError::RunFile { .. }), "{err:?}");
    let message = err.to_string();
    let expected = format!(
        "{}: written by an older scslab (format 3; this one reads 4): it cannot be resumed; run \
         again from the start",
        dir.join(CHECKPOINT_FILE).display()
    );
    assert_eq!(message, expected);
    assert!(!dir.join("manifest.json").exists() && !dir.join("summary.csv").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn resume_keeps_the_runs_memory_limit_unless_told_otherwise() {
    let dir = out_dir("memory");
    run_and_crash(&dir, 7);
    let run_json = std::fs::read_to_string(dir.join(RUN_FILE)).unwrap();
    assert!(run_json.contains("\"memory_limit_bytes\": null"), "{run_json}");
    // A limit given to resume overrides: 1 KiB is too small, refused before anything is read.
    let err = resume(&dir, None, Some(1024), &mut |_| {}).unwrap_err();
    assert!(matches!(err, RunError::Memory { .. }), "{err}");
    // A limit recorded by the run is used when resume is given none.
    std::fs::write(
        dir.join(RUN_FILE),
        run_json.replace("\"memory_limit_bytes\": null", "\"memory_limit_bytes\": 1024"),
    )
    .unwrap();
    let err = resume(&dir, None, None, &mut |_| {}).unwrap_err();
    assert!(matches!(err, RunError::Memory { .. }), "{err}");
    assert!(dir.join(CHECKPOINT_FILE).exists() && !dir.join("manifest.json").exists());
    let outcome = resume(&dir, None, Some(1 << 40), &mut |_| {}).unwrap();
    assert_eq!(outcome.resumed_from_day, Some(5));
    let _ = std::fs::remove_dir_all(&dir);
}
