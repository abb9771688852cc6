//! The audit end to end at a tiny scale: a regime without sanctions, the integrated regime's
//! cross-context sanctions, identical files for the same seed, and refused replications.

use std::path::PathBuf;

use std::sync::Mutex;

use scslab_experiment::audit::{AuditConfig, AuditError, AuditProgress, Verdict, audit, counts_of};

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
    // Before: a share of no sanctions was written as 0%. It is undefined.
    let share = a.rows.iter().find(|r| r.key == "spillover_share").unwrap();
    assert!(share.main.unwrap().estimate.is_nan(), "{share:?}");
    assert!(
        a.main
            .statistics
            .iter()
            .find(|s| s.key == "false_sanction_share")
            .unwrap()
            .values
            .iter()
            .all(|v| v.is_nan())
    );
}

#[test]
fn the_integrated_regime_sanctions_across_contexts_and_the_files_repeat() {
    let (one, two) = (temp("one"), temp("two"));
    let sized = |out: PathBuf| tiny(Some(out));
    let a = audit(&preset("integrated"), Some(&preset("none")), &sized(one.clone()), &|_| {}).unwrap();
    let share = a.rows.iter().find(|r| r.key == "spillover_share").unwrap();
    let sanctions: Vec<f64> = a.main.counts.iter().map(|c| c.sanctions).collect();
    assert!(share.main.unwrap().estimate > 0.0, "{share:?} {sanctions:?}");
    // A replication without a sanction says nothing about the share: it is left out, and counted.
    let defined = sanctions.iter().filter(|&&x| x > 0.0).count();
    assert_eq!(share.main.unwrap().n, defined, "{sanctions:?}");
    // `none` imposes no sanction: its share, and so the difference, are undefined, not 0.
    assert!(share.against.unwrap().estimate.is_nan(), "{share:?}");
    assert!(share.difference.unwrap().estimate.is_nan(), "{share:?}");
    let rate = a.rows.iter().find(|r| r.key == "sanctions_per_1000_adults_year").unwrap();
    assert_eq!(rate.against.unwrap().estimate, 0.0);
    assert_eq!(rate.difference.unwrap().estimate, rate.main.unwrap().estimate);
    assert_eq!(a.seeds.len(), 3);
    audit(&preset("integrated"), Some(&preset("none")), &sized(two.clone()), &|_| {}).unwrap();
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

#[test]
fn the_difference_agrees_with_the_two_values_beside_it() {
    // Before: ratio rows showed the mean of per-replication differences next to two geometric
    // means, and the province ratio compared different provinces in the two scenarios.
    let mut c = tiny(None);
    c.people = 3000;
    c.replications = 4;
    let a = audit(&preset("integrated"), Some(&preset("china-2020")), &c, &|_| {}).unwrap();
    let mut compared = 0;
    for r in &a.rows {
        let (Some(m), Some(b), Some(d)) = (r.main, r.against, r.difference) else { continue };
        if m.estimate.is_nan() || b.estimate.is_nan() {
            assert!(d.estimate.is_nan(), "{r:?}");
            continue;
        }
        compared += 1;
        assert_eq!(d.estimate, m.estimate - b.estimate, "{}: {r:?}", r.key);
        if !d.low.is_nan() {
            assert!(d.low <= d.estimate && d.estimate <= d.high, "{}: {d:?}", r.key);
        }
    }
    assert!(compared >= 6, "only {compared} rows compared");
    let p = a.rows.iter().find(|r| r.key == "ratio_province_most_least").unwrap();
    let main_label = &a.main.statistics.iter().find(|s| s.key == p.key).unwrap().label;
    assert_eq!(&p.label, main_label);
}

#[test]
fn a_missing_counter_is_an_error_not_a_zero() {
    // The series of `none` has no counter of china-2020's lists: before, they were read as 0.
    let none = preset("none");
    let mut cfg = scslab_runner::RunConfig::new({
        let mut s = none.clone();
        scslab_scenario::apply_overrides(
            &mut s.params,
            scslab_scenario::Overrides { people: Some(1000), days: Some(3), seed: None },
        )
        .unwrap();
        s
    });
    cfg.threads = 1;
    let outcome = scslab_runner::run(&cfg, &mut |_| {}).unwrap();
    assert!(counts_of(&outcome.series, &cfg.scenario).is_ok());
    let e = counts_of(&outcome.series, &preset("china-2020")).unwrap_err();
    assert!(matches!(e, AuditError::MissingCounter { .. }), "{e}");
    assert!(e.to_string().contains("entries into list court_defaulters"), "{e}");
}

#[test]
fn progress_moves_every_day_and_audit_md_reads_plainly() {
    let out = temp("md");
    let events: Mutex<Vec<AuditProgress>> = Mutex::new(Vec::new());
    let c = tiny(Some(out.clone()));
    audit(&preset("china-2020"), Some(&preset("none")), &c, &|p| events.lock().unwrap().push(p)).unwrap();
    let events = events.into_inner().unwrap();
    // Before: one event per finished replication, none during the first one.
    assert!(events.iter().any(|p| p.done == 0 && p.done_days > 0), "no progress before a replication ended");
    let last = events.iter().map(|p| p.done_days).max().unwrap();
    assert_eq!(last, 2 * 3 * 30);
    assert!(events.iter().all(|p| p.total_days == 2 * 3 * 30));
    let md = std::fs::read_to_string(out.join("audit.md")).unwrap();
    assert!(!md.contains("NaN") && !md.contains("e+") && !md.contains("e7"), "{md}");
    assert!(md.lines().any(|l| l.contains("| ¥") || l.contains(" ¥")), "fines in yuan: {md}");
    assert!(md.contains("n/a"), "undefined shares of `none` shown as n/a: {md}");
    // Counts without decimals and with separators (2,000 people x 30 days of adult-days).
    let counts: Vec<&str> = md.lines().filter(|l| l.starts_with("| 0 |")).collect();
    assert!(!counts.is_empty());
    for l in counts {
        let cells: Vec<&str> = l.split('|').map(str::trim).collect();
        assert!(cells[3].contains(',') && !cells[3].contains('.'), "{l}");
        assert!(!cells[4].contains('.'), "{l}");
    }
    let csv = std::fs::read_to_string(out.join("audit.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with(
        "scenario,criterion,statistic,label,replications,estimate,ci_low,ci_high,finding,against,"
    ));
    assert!(header.ends_with("difference,difference_ci_low,difference_ci_high,unit,n_defined"), "{header}");
    let _ = std::fs::remove_dir_all(&out);
}
