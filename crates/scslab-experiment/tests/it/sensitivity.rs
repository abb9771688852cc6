//! Morris and Sobol' sweeps end to end: the `sensitivity` table's shape, finite values, and an
//! exactly inert parameter (a key the `none` scenario does not have, so its runs never change).

use std::path::Path;

use scslab_experiment::{parse, run_sweep};

use super::{config, error, lines, temp};

fn sweep_text(design: &str) -> String {
    format!(
        r#"
name = "sens"
scenarios = ["none", "china-2020"]
people = 400
days = 10
replications = 2
seed = 3

[design]
{design}

[[parameter]]
key = "behaviour.fear_perception"
min = 0.0
max = 1.0

[[parameter]]
key = "authority.court_defaulters.detect.judgment_default"
min = 0.001
max = 0.05
"#
    )
}

/// Runs the sweep and returns the rows of `sensitivity.csv` (split on commas) and the number of
/// headline outcomes.
fn run(design: &str, name: &str) -> (Vec<Vec<String>>, usize) {
    let sweep = parse(&sweep_text(design), "sens.toml", Path::new(".")).unwrap();
    assert_eq!(
        sweep.parameters[1].applies_to,
        vec!["china-2020".to_string()],
        "the inert parameter must not apply to `none`"
    );
    let out = temp(name);
    run_sweep(&sweep, &config(&out, 2), &|_| {}).unwrap();
    assert!(out.join("sensitivity.parquet").is_file());
    let header = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let n_outcomes = header.lines().next().unwrap().split(',').count() - 7;
    let text = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    let mut it = text.lines();
    assert_eq!(it.next().unwrap(), "scenario,outcome,parameter,method,statistic,value,ci_low,ci_high");
    let rows: Vec<Vec<String>> = it.map(|l| l.split(',').map(str::to_string).collect()).collect();
    assert_eq!(lines(&out.join("sensitivity.csv")), 1 + rows.len());
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"sensitivity\""), "the manifest lists the table");
    (rows, n_outcomes)
}

/// `summary.csv` of the sweep run into `temp(name)` by [`run`] (same process, same folder).
fn temp_summary(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("scslab-experiment-{}-{name}", std::process::id())).join("summary.csv")
}

fn value(rows: &[Vec<String>], scenario: &str, outcome: &str, parameter: &str, statistic: &str) -> f64 {
    let r = rows
        .iter()
        .find(|r| r[0] == scenario && r[1] == outcome && r[2] == parameter && r[4] == statistic)
        .unwrap_or_else(|| panic!("no row {scenario} {outcome} {parameter} {statistic}"));
    // An undefined index is an empty field.
    if r[5].is_empty() { f64::NAN } else { r[5].parse().unwrap() }
}

const INERT: &str = "authority.court_defaulters.detect.judgment_default";

#[test]
fn a_tiny_morris_sweep_writes_mu_star_and_sigma_per_outcome() {
    let (rows, n_outcomes) = run("kind = \"morris\"\ntrajectories = 3\nlevels = 4\nseed = 1", "morris");
    // 2 scenarios x outcomes x 2 parameters x (mu, mu_star, sigma).
    assert_eq!(rows.len(), 2 * n_outcomes * 2 * 3);
    assert!(rows.iter().all(|r| r[3] == "morris"));
    // The inert parameter: every elementary effect in `none` is exactly zero.
    let mu_star = value(&rows, "none", "compliance_rate", INERT, "mu_star");
    assert_eq!(mu_star, 0.0);
    // Every index of an outcome that varies is finite.
    let x = value(&rows, "china-2020", "compliance_rate", "behaviour.fear_perception", "mu_star");
    assert!(x.is_finite() && x >= 0.0, "{x}");
}

#[test]
fn a_tiny_sobol_sweep_writes_s1_and_st_with_intervals() {
    let (rows, n_outcomes) = run("kind = \"sobol\"\nsamples = 4\nseed = 2", "sobol");
    assert_eq!(rows.len(), 2 * n_outcomes * 2 * 2);
    assert!(rows.iter().all(|r| r[3] == "sobol" && (r[4] == "S1" || r[4] == "ST")));
    // In `none`, A and AB_2 run the same scenario with the same seed: ST of the inert parameter
    // is exactly zero, wherever the outcome varies at all.
    let st = value(&rows, "none", "compliance_rate", INERT, "ST");
    assert!(st == 0.0 || st.is_nan(), "{st}");
    // Indices are finite, with an ordered interval, exactly where the outcome's means vary over
    // the design points, and empty (undefined) where they do not.
    let summary = std::fs::read_to_string(temp_summary("sobol")).unwrap();
    for r in &rows {
        let means: Vec<&str> = summary
            .lines()
            .filter(|l| l.starts_with(&format!("mean,{},", r[0])) && l.contains(&format!(",{},t,", r[1])))
            .map(|l| l.split(',').nth(10).unwrap())
            .collect();
        assert_eq!(means.len(), 16, "{r:?}");
        if means.iter().any(|m| *m != means[0]) {
            let (v, lo, hi): (f64, f64, f64) =
                (r[5].parse().unwrap(), r[6].parse().unwrap(), r[7].parse().unwrap());
            assert!(v.is_finite() && lo.is_finite() && hi.is_finite() && lo <= hi, "{r:?}");
        } else {
            assert!(r[5].is_empty(), "a constant outcome has no variance to share: {r:?}");
        }
    }
}

#[test]
fn bad_sensitivity_designs_are_refused_where_they_are_written() {
    let head = "name = \"t\"\nscenarios = [\"none\"]\nreplications = 2\n";
    let p = "[[parameter]]\nkey = \"behaviour.fear_perception\"\n";
    // A parameter without a range.
    let (line, _, m) = error(&format!("{head}[design]\nkind = \"morris\"\ntrajectories = 4\n{p}"));
    assert_eq!(line, 8);
    assert!(m.contains("needs `min` and `max` for kind = \"morris\""), "{m}");
    // An unknown key.
    let (line, _, m) = error(&format!("{head}[design]\nkind = \"sobol\"\nsamples = 4\nrepeats = 2\n"));
    assert_eq!(line, 7);
    assert!(m.contains("unknown field `repeats`"), "{m}");
    // A key of another kind.
    let (line, _, m) = error(&format!("{head}[design]\nkind = \"sobol\"\nsamples = 4\nlevels = 4\n"));
    assert_eq!(line, 7);
    assert!(m.contains("only for kind = \"morris\""), "{m}");
    // Odd levels.
    let (line, _, m) = error(&format!("{head}[design]\nkind = \"morris\"\ntrajectories = 4\nlevels = 5\n"));
    assert_eq!(line, 7);
    assert!(m.contains("even"), "{m}");
    // Too many runs for the machine: 5000 x (1 + 2) = 15,000 points.
    let (line, _, m) =
        error(&format!("{head}[design]\nkind = \"sobol\"\nsamples = 5000\n{p}min = 0.0\nmax = 1.0\n"));
    assert_eq!(line, 6);
    assert!(m.contains("15,000 points") && m.contains("at most"), "{m}");
    // No parameter.
    let (line, _, m) = error(&format!("{head}[design]\nkind = \"sobol\"\nsamples = 4\n"));
    assert_eq!(line, 5);
    assert!(m.contains("at least one [[parameter]]"), "{m}");
}

#[test]
fn the_example_sobol_sweep_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sweeps/sobol-tiny.toml");
    let sweep = scslab_experiment::load(&path).unwrap();
    // 8 base rows x (3 parameters + 2).
    assert_eq!(sweep.points.len(), 8 * 5);
    assert_eq!(sweep.budget.runs, 8 * 5 * 2 * 2);
    assert!(sweep.design.is_sensitivity());
}

#[test]
fn the_example_morris_screening_of_china_2020_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sweeps/morris-china-2020.toml");
    let sweep = scslab_experiment::load(&path).unwrap();
    // 10 trajectories x (16 parameters + 1), 2 replications: the sizes docs/VALIDATION.md quotes.
    assert_eq!(sweep.parameters.len(), 16);
    assert_eq!(sweep.points.len(), 10 * 17);
    assert_eq!(sweep.budget.runs, 10 * 17 * 2);
    assert!(sweep.design.is_sensitivity());
}

#[test]
fn a_design_table_runs_its_rows_and_refuses_bad_files_where_they_are_named() {
    let dir = temp("table-dir");
    std::fs::create_dir_all(&dir).unwrap();
    // As SALib's `np.savetxt(..., header=",".join(names), delimiter=",", comments="")` writes it.
    std::fs::write(
        dir.join("design.csv"),
        "behaviour.fear_perception,behaviour.deterrence_weight\n0.1,0.05\n0.9,0.02\n0.5,0.08\n",
    )
    .unwrap();
    let text = "name = \"t\"\nscenarios = [\"none\"]\npeople = 300\ndays = 5\nreplications = 2\n\
                [design]\nkind = \"table\"\nfile = \"design.csv\"\n\
                [[parameter]]\nkey = \"behaviour.deterrence_weight\"\n\
                [[parameter]]\nkey = \"behaviour.fear_perception\"\n";
    let sweep = parse(text, "t.toml", &dir).unwrap();
    // Points follow the rows; columns follow the [[parameter]] order, not the file's.
    assert_eq!(sweep.points, vec![vec![0.05, 0.1], vec![0.02, 0.9], vec![0.08, 0.5]]);
    let out = temp("table");
    let outcome = run_sweep(&sweep, &config(&out, 2), &|_| {}).unwrap();
    assert_eq!(outcome.runs.len(), 3 * 2);
    assert_eq!(lines(&out.join("runs.csv")), 1 + 6);
    assert!(!out.join("sensitivity.csv").exists());
    // A changed table is a changed sweep: the folder is not reused.
    std::fs::write(
        dir.join("design.csv"),
        "behaviour.fear_perception,behaviour.deterrence_weight\n0.2,0.05\n0.9,0.02\n0.5,0.08\n",
    )
    .unwrap();
    let changed = parse(text, "t.toml", &dir).unwrap();
    assert!(run_sweep(&changed, &config(&out, 1), &|_| {}).is_err());

    let with = |csv: &str| {
        std::fs::write(dir.join("bad.csv"), csv).unwrap();
        match parse(&text.replace("design.csv", "bad.csv"), "t.toml", &dir) {
            Err(scslab_scenario::ScenarioError::Invalid { line, message, .. }) => (line, message),
            other => panic!("expected a located error, found {other:?}"),
        }
    };
    let (line, m) = with("behaviour.fear_perception,behaviour.deterrence_weight\n0.1\n");
    assert_eq!(line, 8);
    assert!(m.contains("line 2: expected 2 values, found 1"), "{m}");
    let (line, m) = with("behaviour.fear_perception,behaviour.colour\n0.1,2\n");
    assert_eq!(line, 8);
    assert!(m.contains("`behaviour.colour` is not a [[parameter]] key"), "{m}");
    let (line, m) = with("behaviour.fear_perception\n0.1\n");
    assert_eq!(line, 10);
    assert!(m.contains("not a column of the design table"), "{m}");
    let (line, _, m) =
        error("name = \"t\"\nscenarios = [\"none\"]\nreplications = 2\n[design]\nkind = \"table\"\n");
    assert_eq!(line, 5);
    assert!(m.contains("needs `file"), "{m}");
}
