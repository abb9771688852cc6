//! The audit end to end at a tiny scale: a regime without sanctions, the integrated regime's
//! cross-context sanctions, identical files for the same seed, and refused replications.

use std::path::PathBuf;

use scslab_experiment::audit::{AuditConfig, AuditError, Verdict, audit};

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scslab-audit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn tiny(out: Option<PathBuf>) -> AuditConfig {
    AuditConfig {
        people: 2000,
        days: 30,
        replications: 3,
        seed: Some(11),
        out_dir: out,
        ..AuditConfig::default()
    }
}

fn preset(name: &str) -> scslab_scenario::Scenario {
    scslab_scenario::preset(name).unwrap()
}

#[test]
fn a_regime_without_sanctions_has_nothing_to_assess() {
    let a = audit(&preset("none"), None, &tiny(None), &|_| {}).unwrap();
    assert!(a.main.counts.iter().all(|c| c.sanctions == 0.0 && c.spillover == 0.0));
    assert_eq!(a.main.findings.len(), 4);
    for f in &a.main.findings {
        assert_eq!(f.verdict, Verdict::NotApplicable, "{f:?}");
        assert!(f.text.contains("no detrimental treatment"), "{}", f.text);
    }
    let share = a.rows.iter().find(|r| r.key == "spillover_share").unwrap();
    assert_eq!(share.main.unwrap().estimate, 0.0);
}

#[test]
fn the_integrated_regime_sanctions_across_contexts_and_the_files_repeat() {
    let (one, two) = (temp("one"), temp("two"));
    let a = audit(&preset("integrated"), Some(&preset("none")), &tiny(Some(one.clone())), &|_| {}).unwrap();
    let share = a.rows.iter().find(|r| r.key == "spillover_share").unwrap();
    assert!(share.main.unwrap().estimate > 0.0, "{share:?}");
    assert_eq!(share.against.unwrap().estimate, 0.0);
    let d = share.difference.unwrap();
    assert!((d.estimate - share.main.unwrap().estimate).abs() < 1e-12);
    assert_eq!(a.seeds.len(), 3);
    audit(&preset("integrated"), Some(&preset("none")), &tiny(Some(two.clone())), &|_| {}).unwrap();
    for f in ["audit.csv", "audit_replications.csv", "audit.parquet"] {
        assert_eq!(std::fs::read(one.join(f)).unwrap(), std::fs::read(two.join(f)).unwrap(), "{f} differs");
    }
    let md = std::fs::read_to_string(one.join("audit.md")).unwrap();
    assert!(
        md.contains("scslab audit --scenario scenario-integrated.toml --against scenario-none.toml"),
        "{md}"
    );
    let csv = std::fs::read_to_string(one.join("audit.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains("difference_ci_high"));
    assert!(one.join("manifest.json").is_file());
    let _ = std::fs::remove_dir_all(&one);
    let _ = std::fs::remove_dir_all(&two);
}

#[test]
fn fewer_than_two_replications_are_refused_before_anything_is_written() {
    for n in [0, 1] {
        let out = temp(&format!("reps{n}"));
        let mut c = tiny(Some(out.clone()));
        c.replications = n;
        let e = audit(&preset("none"), None, &c, &|_| {}).unwrap_err();
        assert!(matches!(e, AuditError::Replications(x) if x == n), "{e}");
        assert!(e.to_string().contains("at least 2"));
        assert!(!out.exists());
    }
}
