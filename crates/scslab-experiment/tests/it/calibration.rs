//! The calibration end to end at a tiny scale: the files and their rows (not the fit, which
//! needs a larger population), identical files for the same seed whatever the workers, and
//! refused replications.

use std::path::PathBuf;

use scslab_experiment::calibration::{
    CalibrationConfig, CalibrationError, FACTS, QUANTITIES, calibrate, horizon,
};

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scslab-calibration-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn tiny(out: PathBuf, workers: usize) -> CalibrationConfig {
    CalibrationConfig {
        people: 1500,
        replications: 2,
        seed: Some(5),
        out_dir: Some(out),
        workers,
        command: "test".into(),
    }
}

#[test]
fn a_tiny_calibration_writes_its_files() {
    let dir = temp("files");
    let c = calibrate(&tiny(dir.clone(), 2), &|_| {}).unwrap();
    assert_eq!(c.days, horizon());
    assert_eq!(c.rows.len(), FACTS.len());
    assert_eq!(c.seeds.len(), 2);
    for name in [
        "calibration.csv",
        "calibration.parquet",
        "trajectory.csv",
        "trajectory.parquet",
        "calibration.md",
        "scenario.toml",
        "manifest.json",
    ] {
        assert!(dir.join(name).is_file(), "{name} missing");
    }
    let csv = std::fs::read_to_string(dir.join("calibration.csv")).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    for col in ["date", "fact", "quantity", "sourced", "simulated_mean", "ci_low", "ci_high", "within"] {
        assert!(header.split(',').any(|h| h == col), "column {col} missing in {header}");
    }
    assert_eq!(lines.count(), FACTS.len());
    assert!(csv.contains("2018-12-31,") && csv.contains(",B19,"), "{csv}");
    let traj = std::fs::read_to_string(dir.join("trajectory.csv")).unwrap();
    assert_eq!(traj.lines().count(), 1 + QUANTITIES.len() * horizon() as usize);
    assert!(traj.lines().nth(1).unwrap().starts_with("0,2013-10-01,list_stock,"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["kind"], "calibration");
    assert_eq!(manifest["facts"], FACTS.len());
    let md = std::fs::read_to_string(dir.join("calibration.md")).unwrap();
    assert!(md.contains("| 2014-03-10 | B9 | list_stock |"), "{md}");
    // The scenario written is the calibration scenario and reads back.
    let s = scslab_scenario::load(&dir.join("scenario.toml")).unwrap();
    assert_eq!(s.params.days, horizon());
    // Cumulative quantities never fall.
    for t in c.trajectories.iter().filter(|t| t.quantity != QUANTITIES[0]) {
        assert!(t.mean.windows(2).all(|w| w[1] >= w[0]), "{:?}", t.quantity);
    }
    // Same seed, one worker: the same files.
    let dir1 = temp("files-1");
    calibrate(&tiny(dir1.clone(), 1), &|_| {}).unwrap();
    for name in ["calibration.csv", "trajectory.csv", "calibration.md"] {
        assert_eq!(
            std::fs::read(dir.join(name)).unwrap(),
            std::fs::read(dir1.join(name)).unwrap(),
            "{name} differs between 1 and 2 workers"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&dir1);
}

#[test]
fn one_replication_is_refused() {
    let mut c = tiny(temp("one"), 1);
    c.replications = 1;
    let e = calibrate(&c, &|_| {}).unwrap_err();
    assert!(matches!(e, CalibrationError::Replications(1)), "{e}");
    assert!(!temp("one").exists());
}
