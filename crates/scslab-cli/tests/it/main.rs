//! The `scslab` binary end to end: presets, editable scenario text, exit codes, and nothing
//! written on bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod engine;
mod folders;
mod resume;
mod trace;

fn scslab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scslab")).args(args).output().unwrap()
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scslab-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn scenario_list_names_every_preset() {
    let o = scslab(&["scenario", "list"]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    for p in [
        "none",
        "china-2020",
        "china-2013-2025",
        "rongcheng",
        "integrated",
        "ant-group-2020",
        "daymude-2025",
        "radzvilavicius-2021",
    ] {
        assert!(text.contains(p), "{p} missing from:\n{text}");
    }
}

#[test]
fn shown_preset_runs_exactly_like_the_embedded_one() {
    let dir = temp("show");
    std::fs::create_dir_all(&dir).unwrap();
    let shown = scslab(&["scenario", "show", "china-2020"]);
    assert!(shown.status.success());
    let file = dir.join("china.toml");
    std::fs::write(&file, &shown.stdout).unwrap();
    let a = dir.join("a");
    let b = dir.join("b");
    let common = ["--people", "20000", "--days", "15", "--threads", "2"];
    let ra =
        scslab(&[&["run", "--preset", "china-2020", "--out", a.to_str().unwrap()][..], &common].concat());
    let rb = scslab(
        &[&["run", "--scenario", file.to_str().unwrap(), "--out", b.to_str().unwrap()][..], &common].concat(),
    );
    assert!(ra.status.success(), "{}", stderr(&ra));
    assert!(rb.status.success(), "{}", stderr(&rb));
    for f in ["series_persons.csv", "series_firms.csv", "distributions.csv", "summary.csv"] {
        assert_eq!(std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f}");
    }
    let manifest = std::fs::read_to_string(a.join("manifest.json")).unwrap();
    for key in [
        "scslab_version",
        "\"seed\": 2020",
        "\"people\": 20000",
        "timings_seconds",
        "peak_rss_bytes",
        "repeat",
        // china-2020 names no engine: its theory's default, the event engine.
        "\"engine\": \"event\"",
    ] {
        assert!(manifest.contains(key), "manifest lacks {key}");
    }
    // The first simulated day's time is part of the simulation's, and the later days' pace is
    // given apart (day 0 also sets up what the later days reuse, and may visit more adults in full).
    let seconds = |key: &str| -> f64 {
        let at = manifest.find(&format!("\"{key}\": ")).unwrap_or_else(|| panic!("manifest lacks {key}"));
        let rest = &manifest[at + key.len() + 4..];
        rest[..rest.find([',', '\n', '}']).unwrap()].trim().parse().unwrap()
    };
    let (first, simulate) = (seconds("first_day"), seconds("simulate"));
    assert!(first > 0.0 && first <= simulate, "first day {first} s of {simulate} s");
    assert!(seconds("person_days_per_second_after_first_day") > 0.0);
    // The end-of-run distributions and replay log are timed apart from the days and the writing.
    assert!(seconds("end_of_run") > 0.0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Bad input exits with 2, names file, line and column, and writes nothing.
fn assert_refused(args: &[&str], out: &Path, expect: &[&str]) {
    let o = scslab(args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    for e in expect {
        assert!(err.contains(e), "error lacks {e:?}:\n{err}");
    }
    assert!(!out.exists(), "output folder was created on bad input");
}

#[test]
fn bad_scenarios_are_refused_before_anything_is_written() {
    let dir = temp("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let text = String::from_utf8(scslab(&["scenario", "show", "china-2020"]).stdout).unwrap();
    let cases = [
        ("urban_share = 0.6389", "urban_share = 1.7", "probability"),
        ("detect = { judgment_default = 0.9 }", "detect = { judgement_default = 0.9 }", "valid choices"),
        ("list = \"court_defaulters\"", "list = \"no_such_list\"", "valid choices"),
        ("[population]", "[population]\nfavourite_colour = 3", "unknown field"),
    ];
    for (i, (from, to, expect)) in cases.iter().enumerate() {
        assert!(text.contains(from), "preset no longer contains {from}");
        let bad = text.replacen(from, to, 1);
        let file = dir.join(format!("bad{i}.toml"));
        std::fs::write(&file, &bad).unwrap();
        let line = bad[..bad.find(to).unwrap()].matches('\n').count() + 1;
        let line = if to.starts_with('[') { line + 1 } else { line };
        let location = format!("bad{i}.toml:{line}:");
        let out = dir.join(format!("out{i}"));
        assert_refused(
            &["run", "--scenario", file.to_str().unwrap(), "--out", out.to_str().unwrap()],
            &out,
            &[&location, expect],
        );
        let v = scslab(&["scenario", "validate", file.to_str().unwrap()]);
        assert_eq!(v.status.code(), Some(2));
    }
    let out = dir.join("out-people");
    assert_refused(&["run", "--people", "0", "--out", out.to_str().unwrap()], &out, &["--people"]);
    assert_refused(
        &["run", "--preset", "utopia", "--out", out.to_str().unwrap()],
        &out,
        &["valid choices", "china-2020"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_run_that_does_not_fit_in_memory_is_refused_with_the_largest_that_fits() {
    let out = temp("mem");
    assert_refused(
        &["run", "--people", "1411780000", "--memory-limit-gib", "1", "--out", out.to_str().unwrap()],
        &out,
        &["GiB", "at most about"],
    );
}

#[test]
fn compare_writes_the_differences_against_the_counterfactual() {
    let out = temp("cmp");
    let o = scslab(&[
        "run",
        "--people",
        "20000",
        "--days",
        "20",
        "--against",
        "none",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert!(table.starts_with("outcome,label,scenario,against,difference"));
    assert!(table.contains("sanctions"));
    assert!(out.join("against-none").join("manifest.json").exists());
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.contains("difference"));

    // The report of the comparison, at the default path and elsewhere.
    let r = scslab(&["report", out.to_str().unwrap()]);
    assert!(r.status.success(), "{}", stderr(&r));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("id=\"chart-compliance\"") && html.contains("id=\"against-name\">none<"));
    let elsewhere = out.join("r.html");
    let r = scslab(&["report", out.to_str().unwrap(), "--out", elsewhere.to_str().unwrap()]);
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(String::from_utf8_lossy(&r.stdout).contains("r.html"));
    assert!(elsewhere.is_file());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn report_refuses_a_folder_that_is_not_an_output_folder_with_exit_code_2() {
    let missing = temp("report-missing");
    let _ = std::fs::remove_dir_all(&missing);
    let o = scslab(&["report", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no such folder"), "{}", stderr(&o));

    let empty = temp("report-empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = scslab(&["report", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no manifest.json"), "{}", stderr(&o));
    assert!(!empty.join("report.html").exists());
    let _ = std::fs::remove_dir_all(&empty);
}

#[test]
fn sweep_runs_resumes_and_refuses_bad_or_changed_sweep_files() {
    let dir = temp("sweep");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("s.toml");
    let text = "name = \"s\"\nscenarios = [\"none\", \"china-2020\"]\npeople = 1000\ndays = 5\nreplications = 2\n\
                [[parameter]]\nkey = \"behaviour.fear_perception\"\nvalues = [0.0, 1.0]\n";
    std::fs::write(&file, text).unwrap();
    let out = dir.join("out");
    let args = ["sweep", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--threads", "2"];
    let o = scslab(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.contains("8 runs (8 run now, 0 reused)"), "{stdout}");
    assert!(stdout.contains("china-2020 - none, design point 1: behaviour.fear_perception = 1"), "{stdout}");
    for f in ["runs.csv", "series.parquet", "summary.csv", "manifest.json"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let again = String::from_utf8(scslab(&args).stdout).unwrap();
    assert!(again.contains("8 runs (0 run now, 8 reused)"), "{again}");

    // The sweep's report: the response of each outcome to the parameter, from the folder alone.
    let r = scslab(&["report", out.to_str().unwrap()]);
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(String::from_utf8_lossy(&r.stdout).contains("report.html"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("id=\"response-compliance_rate-by-behaviour-fear_perception\""));
    assert!(html.contains("<strong id=\"sweep-name\">s</strong>"));

    // A changed sweep file is refused on the same folder.
    std::fs::write(&file, text.replace("days = 5", "days = 6")).unwrap();
    let o = scslab(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("different sweep"), "{}", stderr(&o));

    // A bad key: file, line, column, the line itself, and nothing written.
    std::fs::write(&file, text.replace("fear_perception", "fear")).unwrap();
    let fresh = dir.join("fresh");
    assert_refused(
        &["sweep", file.to_str().unwrap(), "--out", fresh.to_str().unwrap()],
        &fresh,
        &[
            "s.toml:7:7",
            "unknown parameter key `behaviour.fear`",
            "behaviour.fear_perception",
            "   7 | key =",
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn audit_prints_the_criteria_and_refuses_bad_input() {
    let out = temp("audit");
    let o = scslab(&[
        "audit",
        "--preset",
        "integrated",
        "--people",
        "2000",
        "--days",
        "20",
        "--replications",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    for c in [
        "5(1)(c)(i) unrelated contexts",
        "5(1)(c)(ii) disproportionate",
        "disparate impact",
        "false sanctions",
    ] {
        assert!(text.contains(c), "table lacks {c}:\n{text}");
    }
    for f in ["audit.csv", "audit.parquet", "audit.md", "manifest.json"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let _ = std::fs::remove_dir_all(&out);
    let bad = temp("audit-bad");
    let b = bad.to_str().unwrap();
    assert_refused(&["audit", "--replications", "1", "--out", b], &bad, &["at least 2"]);
    assert_refused(&["audit", "--preset", "utopia", "--out", b], &bad, &["valid choices"]);
    assert_refused(&["audit", "--against", "utopia", "--out", b], &bad, &["valid choices"]);
    assert_refused(&["audit", "--scenario", "no-such-file.toml", "--out", b], &bad, &["no-such-file.toml"]);
}

#[test]
fn equivalence_exits_by_its_verdict_and_refuses_bad_input() {
    let out = temp("equivalence");
    let o = out.to_str().unwrap();
    let tiny = ["--people", "2000", "--days", "10", "--seeds", "3", "--seed", "200", "--threads", "2"];
    let run = |extra: &[&str], dir: &str| {
        let mut args = vec!["equivalence", "--preset", "china-2020", "--out", dir];
        args.extend_from_slice(&tiny);
        args.extend_from_slice(extra);
        scslab(&args)
    };
    let same = run(&["--set", "behaviour.fear_perception=1.0"], o);
    assert!(same.status.success(), "{}", stderr(&same));
    let text = String::from_utf8(same.stdout).unwrap();
    assert!(text.contains("verdict: PASS") && text.contains("china-2020"), "{text}");
    for f in [
        "equivalence.csv",
        "equivalence.parquet",
        "equivalence_series.csv",
        "equivalence.md",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // The folder holds a result now: never overwritten.
    let again = run(&[], o);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("not empty") || stderr(&again).contains("earlier equivalence"),
        "{}",
        stderr(&again)
    );
    let changed_dir = temp("equivalence-changed");
    let changed = run(&["--set", "behaviour.initial_trust=0.1"], changed_dir.to_str().unwrap());
    assert_eq!(changed.status.code(), Some(1), "{}", stderr(&changed));
    assert!(String::from_utf8_lossy(&changed.stdout).contains("headline mean_trust"));
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&changed_dir);
    let bad = temp("equivalence-bad");
    let b = bad.to_str().unwrap();
    assert_refused(&["equivalence", "--seeds", "1", "--out", b], &bad, &["at least 2"]);
    assert_refused(
        &["equivalence", "--set", "behaviour.fearfulness=1", "--out", b],
        &bad,
        &["unknown parameter key `behaviour.fearfulness`", "`behaviour.fear_perception`", "^"],
    );
    assert_refused(
        &["equivalence", "--set", "behaviour.initial_trust=lots", "--out", b],
        &bad,
        &["a finite number"],
    );
    assert_refused(&["equivalence", "--preset", "utopia", "--out", b], &bad, &["valid choices"]);
}

#[test]
fn calibrate_writes_the_fit_and_its_report_and_refuses_bad_input() {
    let out = temp("calibrate");
    let o = scslab(&["calibrate", "--people", "1500", "--replications", "2", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    for c in ["B9", "B19", "flights_blocked_cumulative", "facts within", "initial_share"] {
        assert!(text.contains(c), "output lacks {c}:\n{text}");
    }
    for f in [
        "calibration.csv",
        "calibration.parquet",
        "trajectory.csv",
        "trajectory.parquet",
        "calibration.md",
        "scenario.toml",
        "manifest.json",
        "report.html",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for id in [
        "calibration-list_stock",
        "calibration-listed_cumulative",
        "calibration-flights_blocked_cumulative",
        "calibration-trains_blocked_cumulative",
        "fit-table",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "report lacks {id}");
    }
    assert!(!html.contains("<script"), "the page loads no script");
    // `scslab report` rebuilds the same page from the folder.
    let again = scslab(&["report", out.to_str().unwrap(), "--out", out.join("again.html").to_str().unwrap()]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(std::fs::read(out.join("again.html")).unwrap(), html.as_bytes());
    let _ = std::fs::remove_dir_all(&out);
    let bad = temp("calibrate-bad");
    let b = bad.to_str().unwrap();
    assert_refused(&["calibrate", "--replications", "1", "--out", b], &bad, &["at least 2"]);
    assert_refused(&["calibrate", "--people", "0", "--out", b], &bad, &["--people"]);
    // The fit's inputs, located in their files, before any run.
    let inputs = temp("calibrate-inputs");
    std::fs::create_dir_all(&inputs).unwrap();
    let priors = inputs.join("priors.toml");
    std::fs::write(&priors, "[[parameter]]\nkey = \"behaviour.deterrence_weight\"\nmin = 0.02\n").unwrap();
    let p = priors.to_str().unwrap();
    assert_refused(
        &["calibrate", "--fit", "--priors", p, "--out", b],
        &bad,
        &["priors.toml:2:7", "has no range"],
    );
    let targets = inputs.join("targets.csv");
    std::fs::write(&targets, "id,date,quantity,value,sd,role,source\nX,2021-01-01,list_stock,1,1,fit,x\n")
        .unwrap();
    let t = targets.to_str().unwrap();
    assert_refused(&["calibrate", "--targets", t, "--out", b], &bad, &["targets.csv:2:3", "outside the run"]);
    let _ = std::fs::remove_dir_all(&inputs);
}

/// The report keeps its own table of headline outcomes (it depends on no runner crate): every
/// outcome a run reports must be in it, in the unit the runner declares.
#[test]
fn the_report_knows_every_headline_in_its_declared_unit() {
    let mut missing = Vec::new();
    for outcome in scslab_runner::Outcome::ALL {
        match scslab_report::known_outcome(outcome.key()) {
            Some((unit, _)) => assert_eq!(unit, outcome.unit(), "unit of {}", outcome.key()),
            None => missing.push(outcome.key()),
        }
    }
    assert!(missing.is_empty(), "outcomes the report does not know: {missing:?}");
}

/// The report's chart of violations sums the model's violation events, which it names itself
/// (it depends on no model crate): the two lists must agree.
#[test]
fn the_report_charts_every_violation_event_of_the_model() {
    use scslab_model::vocab::{PERSON_EVENTS, Valence};
    let model: Vec<&str> =
        PERSON_EVENTS.iter().filter(|e| e.valence == Valence::Violation).map(|e| e.name).collect();
    assert_eq!(scslab_report::PERSON_VIOLATIONS.to_vec(), model);
}

#[test]
fn the_papers_presets_run_and_report_their_theorys_outcomes() {
    for (preset, people, days, outcomes) in [
        ("daymude-2025", "5000", "30", &["share_self_censoring", "defiance_threshold", "mean_expressed"][..]),
        ("radzvilavicius-2021", "100", "60", &["cooperation_rate", "freq_disc", "agreement"][..]),
    ] {
        let dir = temp(preset);
        let o = scslab(&[
            "run",
            "--preset",
            preset,
            "--people",
            people,
            "--days",
            days,
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{preset}: {}", stderr(&o));
        let summary = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
        let series = std::fs::read_to_string(dir.join("series_persons.csv")).unwrap();
        let header = series.lines().next().unwrap();
        for key in outcomes {
            assert!(
                summary.lines().any(|l| l.starts_with(&format!("{key},"))),
                "{preset}: no {key} in summary"
            );
            assert!(header.split(',').any(|c| c == *key), "{preset}: no {key} in the series");
        }
        let r = scslab(&["report", dir.to_str().unwrap()]);
        assert!(r.status.success(), "{preset}: report: {}", stderr(&r));
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        // The report names the theory's outcomes in words, in their units.
        let words =
            if preset == "daymude-2025" { "say less than they would like" } else { "Help given when asked" };
        assert!(html.contains(words), "{preset}: the report does not name its theory's outcomes");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
