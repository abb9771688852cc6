//! The ABC-SMC fit on a short scenario (`china-2020`'s calibration scenario without its launch
//! phase, 2,000 people, 100 days): it recovers a judgment-default rate from targets that the
//! model made at a known rate, gives the same files whatever the workers, continues a folder
//! holding a finished generation exactly as an uninterrupted fit, and refuses each bad input
//! before any run.

use std::path::{Path, PathBuf};

use scslab_experiment::calibration::fit::{Fit, FitConfig, fit};
use scslab_experiment::calibration::{
    CalibrationConfig, CalibrationError, calibrate, horizon, scenario_text,
};
use scslab_scenario::ScenarioError;

const PEOPLE: u64 = 2000;
const TRUTH: f64 = 0.0008;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scslab-fit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The calibration scenario cut to 100 days without the launch phase, with the judgment-default
/// rate `rate`, written into `dir`.
fn short_scenario(dir: &Path, name: &str, rate: f64) -> PathBuf {
    let text = scenario_text(scslab_scenario::preset_text("china-2020").unwrap());
    let text = text.split("\n# The list's launch (calibration only)").next().unwrap();
    let text = text
        .replace(&format!("days = {}", horizon()), "days = 100")
        .replace("judgment_default = 0.000026", &format!("judgment_default = {rate}"));
    assert!(text.contains("days = 100") && text.contains(&format!("judgment_default = {rate}")));
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const HEADER: &str = "id,date,quantity,value,sd,role,source\n";

/// Targets made by the model at [`TRUTH`]: the mean of two replications, with a standard error of
/// 10% (of at least 2 persons). The listings by day 60 are held out.
fn synthetic_targets(dir: &Path) -> PathBuf {
    let truth = short_scenario(dir, "truth.toml", TRUTH);
    let mut placeholder = String::from(HEADER);
    for (date, q) in [
        ("2013-11-30", "listed_cumulative"),
        ("2014-01-08", "listed_cumulative"),
        ("2014-01-08", "list_stock"),
    ] {
        placeholder.push_str(&format!("T,{date},{q},1,1,fit,synthetic\n"));
    }
    let placeholder_path = dir.join("placeholder.csv");
    std::fs::write(&placeholder_path, &placeholder).unwrap();
    let config = CalibrationConfig {
        people: PEOPLE,
        replications: 2,
        seed: Some(77),
        workers: 2,
        scenario: Some(truth),
        targets: Some(placeholder_path),
        population: Some(PEOPLE as f64),
        ..CalibrationConfig::default()
    };
    let c = calibrate(&config, &|_| {}).unwrap();
    let mut text = String::from(HEADER);
    for r in &c.rows {
        let role = if r.day < 99 { "holdout" } else { "fit" };
        let v = r.simulated.mean;
        assert!(v > 10.0, "too few listings to fit: {r:?}");
        eprintln!("target {} on day {}: {v}", r.fact.quantity.key(), r.day);
        text.push_str(&format!(
            "T,{},{},{v},{},{role},made by the model at {TRUTH}\n",
            r.fact.date.iso(),
            r.fact.quantity.key(),
            (0.1 * v).max(2.0)
        ));
    }
    let path = dir.join("targets.csv");
    std::fs::write(&path, text).unwrap();
    path
}

const PRIORS: &str = "[[parameter]]\nkey = \"behaviour.person_rate.judgment_default\"\nmin = 0.0001\nmax = 0.0064\nscale = \"log\"\n";

fn config(dir: &Path, out: Option<PathBuf>, workers: usize) -> FitConfig {
    let priors = dir.join("priors.toml");
    std::fs::write(&priors, PRIORS).unwrap();
    FitConfig {
        calibration: CalibrationConfig {
            people: PEOPLE,
            seed: Some(5),
            out_dir: out,
            workers,
            command: "test".into(),
            scenario: Some(short_scenario(dir, "short.toml", 0.000026)),
            targets: Some(dir.join("targets.csv")),
            population: Some(PEOPLE as f64),
            ..CalibrationConfig::default()
        },
        priors: Some(priors),
        particles: 16,
        keep: 8,
        min_acceptance: 0.01,
        max_generations: 2,
        predictive: 3,
    }
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    [
        "posterior.csv",
        "correlations.csv",
        "particles.csv",
        "calibration.csv",
        "trajectory.csv",
        "calibration.md",
    ]
    .iter()
    .map(|f| (f.to_string(), std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))))
    .collect()
}

#[test]
fn a_fit_recovers_a_rate_the_model_made_the_same_way_whatever_the_workers_and_after_a_resume() {
    let dir = temp("recover");
    synthetic_targets(&dir);
    let out2 = dir.join("out-2");
    let f: Fit = fit(&config(&dir, Some(out2.clone()), 2), &|_| {}).unwrap();
    // Recovery: the truth lies in the posterior's 95% interval, which is far narrower than the
    // prior's (a factor 64).
    let p = &f.posterior[0];
    assert!(p.low <= TRUTH && TRUTH <= p.high, "truth {TRUTH} outside {:?}", p);
    assert!(p.high / p.low < 4.0, "posterior {} to {} hardly narrower than the prior", p.low, p.high);
    assert_eq!(f.generations.len(), 3);
    assert_eq!(f.generations.iter().map(|g| g.proposed.len()).collect::<Vec<_>>(), [16, 8, 8]);
    assert!(f.generations[2].tolerance <= f.generations[0].tolerance);
    assert_eq!(f.calibration.seeds.len(), 3);
    assert_eq!(f.resumed, 0);
    for name in [
        "generation-000.json",
        "generation-001.json",
        "generation-002.json",
        "fit-plan.json",
        "posterior.parquet",
        "manifest.json",
        "priors.toml",
        "targets.csv",
    ] {
        assert!(out2.join(name).is_file(), "{name} missing");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out2.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["kind"], "calibration");
    assert_eq!(manifest["method"], "abc-smc");
    let md = std::fs::read_to_string(out2.join("calibration.md")).unwrap();
    assert!(md.contains("| `behaviour.person_rate.judgment_default` | log-uniform"), "{md}");
    assert!(md.contains("| holdout |"), "{md}");
    // The same posterior, byte for byte, on one worker.
    let out1 = dir.join("out-1");
    fit(&config(&dir, Some(out1.clone()), 1), &|_| {}).unwrap();
    assert_eq!(files(&out1), files(&out2), "files differ between 1 and 2 workers");
    // A folder holding the plan and generation 0 only (a fit stopped during generation 1)
    // continues to the same files.
    let resumed = dir.join("out-resumed");
    std::fs::create_dir_all(&resumed).unwrap();
    for name in ["fit-plan.json", "generation-000.json"] {
        std::fs::copy(out2.join(name), resumed.join(name)).unwrap();
    }
    let r = fit(&config(&dir, Some(resumed.clone()), 2), &|_| {}).unwrap();
    assert_eq!(r.resumed, 1);
    assert_eq!(files(&resumed), files(&out2), "a resumed fit differs from an uninterrupted one");
    // A finished fit extended by one more generation continues from the folder.
    let mut longer = config(&dir, Some(resumed.clone()), 2);
    longer.max_generations = 3;
    let l = fit(&longer, &|_| {}).unwrap();
    // (Unless no new particle of generation 2 beat the tolerance: then the search had stopped.)
    let expected = if r.generations[2].acceptance <= longer.min_acceptance { 3 } else { 4 };
    assert_eq!((l.resumed, l.generations.len()), (3, expected));
    assert_eq!(&l.generations[..3], &r.generations[..]);
    // Another fit into that folder is refused.
    let mut other = config(&dir, Some(resumed.clone()), 2);
    other.particles = 20;
    let e = fit(&other, &|_| {}).unwrap_err();
    assert!(matches!(e, CalibrationError::Changed { .. }), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn invalid(e: CalibrationError) -> (String, usize, usize, String) {
    match e {
        CalibrationError::Input(ScenarioError::Invalid { file, line, column, message }) => {
            (file, line, column, message)
        }
        other => panic!("expected a located error, found {other}"),
    }
}

#[test]
fn bad_input_is_refused_before_any_run() {
    let dir = temp("bad");
    let out = dir.join("out");
    let mut base = config(&dir, Some(out.clone()), 1);
    // The targets are checked against the short scenario: a date after its 100 days.
    std::fs::write(
        dir.join("targets.csv"),
        format!("{HEADER}T,2013-11-30,listed_cumulative,10,1,fit,x\nT,2014-03-01,list_stock,10,1,fit,x\n"),
    )
    .unwrap();
    let (file, line, column, m) = invalid(fit(&base, &|_| {}).unwrap_err());
    assert!(file.ends_with("targets.csv") && (line, column) == (3, 3), "{file}:{line}:{column}");
    assert!(m.contains("outside the run (2013-10-01 to 2014-01-08"), "{m}");
    // An unknown quantity, with the valid choices.
    std::fs::write(dir.join("targets.csv"), format!("{HEADER}T,2013-11-30,listed,10,1,fit,x\n")).unwrap();
    let (_, line, column, m) = invalid(fit(&base, &|_| {}).unwrap_err());
    assert_eq!((line, column), (2, 14));
    assert!(m.contains("unknown quantity `listed`") && m.contains("`listed_cumulative`"), "{m}");
    // A standard error that is not positive.
    std::fs::write(dir.join("targets.csv"), format!("{HEADER}T,2013-11-30,listed_cumulative,10,0,fit,x\n"))
        .unwrap();
    let (_, line, column, m) = invalid(fit(&base, &|_| {}).unwrap_err());
    assert_eq!((line, column), (2, 35), "{m}");
    std::fs::write(dir.join("targets.csv"), format!("{HEADER}T,2013-11-30,listed_cumulative,10,1,fit,x\n"))
        .unwrap();
    // A scenario without a start date: its targets cannot be dated.
    let undated = dir.join("undated.toml");
    let text = std::fs::read_to_string(base.calibration.scenario.as_ref().unwrap()).unwrap();
    let text: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("start_date")).collect();
    std::fs::write(&undated, text.join("\n")).unwrap();
    let mut undated_config = config(&dir, Some(out.clone()), 1);
    undated_config.calibration.scenario = Some(undated);
    let (file, _, _, m) = invalid(fit(&undated_config, &|_| {}).unwrap_err());
    assert!(file.ends_with("undated.toml") && m.contains("start_date"), "{file}: {m}");
    // A parameter with no range.
    let priors = dir.join("bad-priors.toml");
    base.priors = Some(priors.clone());
    std::fs::write(&priors, "[[parameter]]\nkey = \"behaviour.deterrence_weight\"\nmin = 0.01\n").unwrap();
    let (file, line, column, m) = invalid(fit(&base, &|_| {}).unwrap_err());
    assert!(file.ends_with("bad-priors.toml") && (line, column) == (2, 7), "{file}:{line}:{column}");
    assert!(m.contains("has no range"), "{m}");
    // A key the scenario does not have, with the keys it does.
    std::fs::write(&priors, "[[parameter]]\nkey = \"behaviour.deterence_weight\"\nmin = 0.01\nmax = 0.1\n")
        .unwrap();
    let (_, _, _, m) = invalid(fit(&base, &|_| {}).unwrap_err());
    assert!(m.contains("unknown parameter key") && m.contains("`behaviour.deterrence_weight`"), "{m}");
    // A range end the scenario reader refuses.
    std::fs::write(&priors, "[[parameter]]\nkey = \"behaviour.initial_trust\"\nmin = 0.5\nmax = 2.0\n")
        .unwrap();
    let (_, line, _, m) = invalid(fit(&base, &|_| {}).unwrap_err());
    assert_eq!(line, 4, "{m}");
    assert!(m.contains("refused by scenario"), "{m}");
    // Posterior predictive runs that would not fit in memory (the built-in scenario's 2,283 days).
    base.priors = None;
    base.calibration.scenario = None;
    base.calibration.targets = None;
    base.calibration.population = None;
    base.keep = 12;
    base.predictive = 10_000;
    let e = fit(&base, &|_| {}).unwrap_err();
    assert!(matches!(e, CalibrationError::PredictiveMemory { .. }), "{e}");
    // Settings out of range.
    base.predictive = 3;
    base.keep = 16;
    assert!(matches!(fit(&base, &|_| {}).unwrap_err(), CalibrationError::Setting(_)));
    // Nothing was written.
    assert!(!out.exists(), "{} written on bad input", out.display());
    // A folder holding something else.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    base.keep = 12;
    base.max_generations = 1;
    let e = fit(&base, &|_| {}).unwrap_err();
    assert!(matches!(e, CalibrationError::Folder { .. }), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
