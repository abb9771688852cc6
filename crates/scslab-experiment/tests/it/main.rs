//! Sweeps end to end on tiny populations: the dataset's shape, independence from the number of
//! workers, resuming after an interruption, refusing a changed sweep, and bad sweep files; the
//! audit (`audit.rs`); the equivalence suite (`equivalence.rs`).

mod audit;
mod calibration;
mod counters;
mod equivalence;
mod fit;
mod sensitivity;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use scslab_experiment::{Streams, SweepConfig, SweepError, SweepProgress, measure_crn, parse, run_sweep};
use scslab_scenario::ScenarioError;

const TINY: &str = r#"
name = "tiny"
scenarios = ["none", "china-2020"]
people = 2000
days = 20
replications = 2
seed = 5

[[parameter]]
key = "behaviour.fear_perception"
values = [0.0, 1.0]
"#;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scslab-experiment-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn config(out: &Path, workers: usize) -> SweepConfig {
    let mut c = SweepConfig::new(out.to_path_buf());
    c.workers = workers;
    c
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).lines().count()
}

const OUTPUTS: [&str; 6] =
    ["runs.csv", "runs.parquet", "series.csv", "series.parquet", "summary.csv", "summary.parquet"];

fn assert_same_outputs(a: &Path, b: &Path) {
    for f in OUTPUTS {
        assert_eq!(std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f} differs");
    }
}

#[test]
fn a_tiny_sweep_writes_the_dataset_and_does_not_depend_on_workers() {
    let sweep = parse(TINY, "tiny.toml", Path::new(".")).unwrap();
    let one = temp("one");
    let two = temp("two");
    let events = Mutex::new(Vec::new());
    let outcome = run_sweep(&sweep, &config(&one, 1), &|p| events.lock().unwrap().push(p)).unwrap();
    assert_eq!(outcome.runs.len(), 8);
    assert_eq!(outcome.executed.len(), 8);
    assert!(matches!(events.lock().unwrap()[0], SweepProgress::Planned { runs: 8, to_run: 8 }));
    run_sweep(&sweep, &config(&two, 2), &|_| {}).unwrap();
    assert_same_outputs(&one, &two);

    assert_eq!(lines(&one.join("runs.csv")), 1 + 8);
    assert_eq!(lines(&one.join("series.csv")), 1 + 8 * 20);
    let header = std::fs::read_to_string(one.join("runs.csv")).unwrap();
    let header = header.lines().next().unwrap();
    assert!(
        header
            .starts_with("run_id,scenario,point,replication,seed,behaviour.fear_perception,compliance_rate")
    );
    // Means: 2 scenarios x 2 points; differences: 1 scenario x 2 points; each for every outcome.
    let n_outcomes = header.split(',').count() - 6;
    assert_eq!(lines(&one.join("summary.csv")), 1 + (4 + 2) * n_outcomes);
    let summary = std::fs::read_to_string(one.join("summary.csv")).unwrap();
    assert!(summary.contains("difference,china-2020,none,1,1,compliance_rate,paired_t,2,"), "{summary}");
    let manifest = std::fs::read_to_string(one.join("manifest.json")).unwrap();
    for key in ["\"fingerprint\"", "\"streams\": \"common\"", "\"status\": \"executed\"", "\"text\""] {
        assert!(manifest.contains(key), "{key} missing from the manifest");
    }
    // Common random numbers: both scenarios of a replication share its seed.
    let runs = &outcome.runs;
    assert_eq!(runs[0].seed, runs[4].seed);
    assert_ne!(runs[0].seed, runs[1].seed);
    assert_eq!(runs[5].id, "s1-p0-r1");
}

#[test]
fn a_resumed_sweep_runs_only_what_did_not_finish() {
    let sweep = parse(TINY, "tiny.toml", Path::new(".")).unwrap();
    let out = temp("resume");
    run_sweep(&sweep, &config(&out, 2), &|_| {}).unwrap();
    let before: Vec<Vec<u8>> = OUTPUTS.iter().map(|f| std::fs::read(out.join(f)).unwrap()).collect();
    std::fs::remove_file(out.join("runs/s1-p1-r0/done.json")).unwrap();
    std::fs::remove_dir_all(out.join("runs/s0-p0-r1")).unwrap();
    let done = Mutex::new(Vec::new());
    let outcome = run_sweep(&sweep, &config(&out, 2), &|p| {
        if let SweepProgress::RunDone { id, .. } = p {
            done.lock().unwrap().push(id);
        }
    })
    .unwrap();
    assert_eq!(outcome.executed, vec!["s0-p0-r1".to_string(), "s1-p1-r0".to_string()]);
    assert_eq!(done.lock().unwrap().len(), 2);
    for (f, bytes) in OUTPUTS.iter().zip(&before) {
        assert_eq!(&std::fs::read(out.join(f)).unwrap(), bytes, "{f} changed on resume");
    }
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"runs_executed\": 2") && manifest.contains("\"status\": \"reused\""));
    // A finished sweep run again only recombines.
    assert!(run_sweep(&sweep, &config(&out, 1), &|_| {}).unwrap().executed.is_empty());
}

#[test]
fn a_changed_sweep_is_refused_rather_than_mixed() {
    let sweep = parse(TINY, "tiny.toml", Path::new(".")).unwrap();
    let out = temp("changed");
    let one = TINY.replace("values = [0.0, 1.0]", "values = [0.0]");
    let small = parse(&one, "tiny.toml", Path::new(".")).unwrap();
    run_sweep(&small, &config(&out, 1), &|_| {}).unwrap();
    let err = run_sweep(&sweep, &config(&out, 1), &|_| {}).unwrap_err();
    assert!(matches!(err, SweepError::Changed { .. }), "{err}");
    let mut independent = config(&out, 1);
    independent.streams = Streams::Independent;
    assert!(matches!(run_sweep(&small, &independent, &|_| {}), Err(SweepError::Changed { .. })));
}

#[test]
fn scenario_files_are_relative_to_the_sweep_file() {
    let dir = temp("relative");
    std::fs::create_dir_all(dir.join("scen")).unwrap();
    let text = scslab_scenario::preset_text("none").unwrap().replace("name = \"none\"", "name = \"mine\"");
    std::fs::write(dir.join("scen/mine.toml"), text).unwrap();
    let sweep_text = "name = \"rel\"\nscenarios = [\"none\", \"scen/mine.toml\"]\npeople = 1000\ndays = 3\nreplications = 2\n";
    std::fs::write(dir.join("sweep.toml"), sweep_text).unwrap();
    let sweep = scslab_experiment::load(&dir.join("sweep.toml")).unwrap();
    assert_eq!(sweep.scenarios[1].name, "mine");
    assert_eq!(sweep.points.len(), 1);
}

#[test]
fn the_crn_measurement_runs_both_stream_modes() {
    let text = TINY.replace("values = [0.0, 1.0]", "values = [1.0]").replace("days = 20", "days = 10");
    let sweep = parse(&text, "tiny.toml", Path::new(".")).unwrap();
    let out = temp("crn");
    let rows = measure_crn(&sweep, &config(&out, 2), &|_| {}).unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.scenario == "china-2020" && r.baseline == "none"));
    assert!(out.join("crn.csv").is_file() && out.join("common/manifest.json").is_file());
    let independent = std::fs::read_to_string(out.join("independent/runs.csv")).unwrap();
    let seeds: Vec<&str> = independent.lines().skip(1).map(|l| l.split(',').nth(4).unwrap()).collect();
    assert_eq!(seeds.len(), 4);
    assert_ne!(seeds[0], seeds[2], "independent streams give each scenario its own seeds");
}

fn error(text: &str) -> (usize, usize, String) {
    match parse(text, "bad.toml", Path::new(".")) {
        Err(ScenarioError::Invalid { file, line, column, message }) => {
            assert_eq!(file, "bad.toml");
            (line, column, message)
        }
        Err(other) => panic!("expected an error with a position, found {other}"),
        Ok(_) => panic!("expected an error, the sweep was accepted"),
    }
}

#[test]
fn bad_sweep_files_are_refused_with_line_and_column() {
    let (line, column, m) = error(&TINY.replace("seed = 5", "seed = 5\nreplicates = 3"));
    assert_eq!((line, column), (8, 1), "{m}");
    assert!(m.contains("unknown field `replicates`") && m.contains("`replications`"), "{m}");

    let (line, column, m) = error(&TINY.replace("people = 2000", "people = \"many\""));
    assert_eq!((line, column), (4, 10), "{m}");
    assert!(m.contains("expected u64"), "{m}");

    let (line, column, m) = error(&TINY.replace("behaviour.fear_perception", "behaviour.fearfulness"));
    assert_eq!((line, column), (10, 7), "{m}");
    assert!(m.contains("unknown parameter key `behaviour.fearfulness`"), "{m}");
    assert!(m.contains("`behaviour.fear_perception`"), "valid choices listed: {m}");

    let (line, column, m) = error(&TINY.replace("values = [0.0, 1.0]", "values = []"));
    assert_eq!((line, column), (11, 10), "{m}");
    assert!(m.contains("at least one value"), "{m}");

    let (line, _, m) = error(
        &TINY
            .replace("values = [0.0, 1.0]", "values = [0.0, 7.0]")
            .replace("fear_perception", "initial_trust"),
    );
    assert_eq!(line, 10, "{m}");
    assert!(m.contains("design point 1"), "{m}");

    let (line, _, m) =
        error(&TINY.replace("[[parameter]]", "[design]\nkind = \"latin_hypercube\"\n[[parameter]]"));
    assert_eq!(line, 10, "{m}");
    assert!(m.contains("samples"), "{m}");
}

#[test]
fn one_replication_is_refused_where_it_is_written() {
    // Before: accepted, and every interval of the summary was [NaN, NaN].
    let (line, column, m) = error(&TINY.replace("replications = 2", "replications = 1"));
    assert_eq!((line, column), (6, 16), "{m}");
    assert!(m.contains("at least 2 replications") && m.contains("found 1"), "{m}");
}

#[test]
fn a_sweep_name_must_be_a_short_slug() {
    // Before: `../../escape`, an absolute path with `\` or `..` only, or a long name became a folder.
    for bad in ["../../escape", "..", "", " ", "Big", ".hidden", "a/b", "a\\\\b", "x..y", "semi;colon"] {
        let (line, column, m) = error(&TINY.replace("name = \"tiny\"", &format!("name = \"{bad}\"")));
        assert_eq!((line, column), (2, 8), "{bad}: {m}");
        assert!(m.contains("1 to 64 characters among a-z, 0-9"), "{bad}: {m}");
    }
    let long = "a".repeat(65);
    let (line, _, m) = error(&TINY.replace("name = \"tiny\"", &format!("name = \"{long}\"")));
    assert_eq!(line, 2);
    assert!(m.contains("found 65 characters"), "{m}");
    for good in ["tiny", "detection-vs-fear", "a", "run_2.v3", "2020", &"a".repeat(64)] {
        let s =
            parse(&TINY.replace("name = \"tiny\"", &format!("name = \"{good}\"")), "t.toml", Path::new("."));
        assert!(s.is_ok(), "{good}: {:?}", s.err());
    }
}

#[test]
fn an_oversized_design_is_refused_before_anything_is_allocated() {
    let lhs = |samples: &str| {
        TINY.replace(
            "[[parameter]]\nkey = \"behaviour.fear_perception\"\nvalues = [0.0, 1.0]",
            &format!(
                "[design]\nkind = \"latin_hypercube\"\nsamples = {samples}\n[[parameter]]\n\
                 key = \"behaviour.fear_perception\"\nmin = 0.0\nmax = 1.0"
            ),
        )
    };
    // Before: 4e9 samples tried to allocate 96 GB and aborted (exit 134).
    let t = std::time::Instant::now();
    let (line, column, m) = error(&lhs("4000000000"));
    assert!(t.elapsed().as_secs() < 5, "the refusal took {:?}", t.elapsed());
    assert_eq!((line, column), (11, 11), "{m}");
    assert!(m.contains("samples = 4,000,000,000") && m.contains("at most 10,000 design points"), "{m}");
    assert!(parse(&lhs("100"), "t.toml", Path::new(".")).is_ok());

    // A grid: points at the longest `values`.
    let values: Vec<String> = (0..101).map(|i| format!("{}", i as f64 / 100.0)).collect();
    let values = format!("values = [{}]", values.join(", "));
    let grid = TINY.replace("values = [0.0, 1.0]", &values).replace(
        "[[parameter]]",
        &format!("[[parameter]]\nkey = \"behaviour.initial_trust\"\n{values}\n[[parameter]]"),
    );
    let (line, column, m) = error(&grid);
    assert_eq!((line, column), (14, 10), "{m}");
    assert!(m.contains("a grid of 101 x 101 = 10,201 points: at most 10,000 design points"), "{m}");

    // Runs: at `replications`.
    let (line, column, m) = error(&TINY.replace("replications = 2", "replications = 4000000000"));
    assert_eq!((line, column), (6, 16), "{m}");
    assert!(m.contains("= 16,000,000,000 runs; at most 100,000 runs"), "{m}");

    // The combined dataset: at `days`.
    let (line, column, m) =
        error(&TINY.replace("replications = 2", "replications = 20000").replace("days = 20", "days = 3650"));
    assert_eq!((line, column), (5, 8), "{m}");
    assert!(m.contains("rows of daily series") && m.contains("at most 4 GiB"), "{m}");

    // Person-days: at `replications`, with the time at the documented rate.
    let (line, _, m) = error(
        &TINY
            .replace("replications = 2", "replications = 1000")
            .replace("people = 2000", "people = 100000000"),
    );
    assert_eq!(line, 6, "{m}");
    assert!(m.contains("person-days") && m.contains("days of one core"), "{m}");

    // Within the limits: the budget is recorded.
    let s = parse(TINY, "tiny.toml", Path::new(".")).unwrap();
    assert_eq!((s.budget.points, s.budget.runs, s.budget.series_rows), (2, 8, 160));
    assert_eq!(s.budget.person_days, 8.0 * 2000.0 * 20.0);
}

#[test]
fn an_undefined_outcome_is_an_empty_field_never_zero() {
    // `none` imposes no sanction: the share of false sanctions is undefined in every run.
    let text = TINY.replace("values = [0.0, 1.0]", "values = [1.0]").replace("days = 20", "days = 5");
    let sweep = parse(&text, "tiny.toml", Path::new(".")).unwrap();
    let out = temp("nan");
    let outcome = run_sweep(&sweep, &config(&out, 2), &|_| {}).unwrap();
    for r in &outcome.summary {
        let e = &r.estimate;
        // Every estimate is either fully defined or fully undefined.
        assert_eq!(e.mean.is_nan(), e.ci_low().is_nan(), "{r:?}");
    }
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(!summary.contains("NaN") && !summary.contains("nan"), "{summary}");
}

#[test]
fn a_sweep_refuses_a_file_or_a_folder_of_other_files() {
    // Before: a file gave an I/O failure (exit 1), and a folder of other files was written into.
    let sweep = parse(TINY, "tiny.toml", Path::new(".")).unwrap();
    let dir = temp("folder");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a-file");
    std::fs::write(&file, "x").unwrap();
    let e = run_sweep(&sweep, &config(&file, 1), &|_| {}).unwrap_err();
    assert!(matches!(e, SweepError::Folder { .. }) && e.to_string().contains("is a file"), "{e}");
    let e = run_sweep(&sweep, &config(&dir, 1), &|_| {}).unwrap_err();
    assert!(matches!(e, SweepError::Folder { .. }) && e.to_string().contains("not a sweep's"), "{e}");
    assert!(!dir.join("plan.json").exists());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}
