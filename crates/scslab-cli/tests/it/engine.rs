//! `[engine] day` through the binary: a bad engine is refused with its location before anything
//! is written; a scenario file choosing the event engine validates, runs, and its persons are
//! traced.

use crate::{assert_refused, scslab, stderr, temp};

#[test]
fn bad_engines_are_refused_before_anything_is_written() {
    let dir = temp("engine-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let china = String::from_utf8(scslab(&["scenario", "show", "china-2020"]).stdout).unwrap();
    let daymude = String::from_utf8(scslab(&["scenario", "show", "daymude-2025"]).stdout).unwrap();
    let cases = [
        (
            &china,
            "day = \"weekly\"",
            "day = ",
            &["unknown engine `weekly`", "valid choices", "`daily`, `event`"][..],
        ),
        (&china, "day = \"event\"\nthreads = 2", "threads", &["unknown field `threads`", "`day`"][..]),
        (
            &daymude,
            "day = \"event\"",
            "day = ",
            &["the theory is \"expression\"", "engine.day = \"daily\""][..],
        ),
    ];
    for (i, (base, table, at, expect)) in cases.into_iter().enumerate() {
        let text = format!("{base}\n[engine]\n{table}\n");
        // The offending line: the first in the appended table that starts with `at`.
        let table_at = text.rfind("[engine]\n").unwrap();
        let offending = table_at + text[table_at..].find(&format!("\n{at}")).unwrap() + 1;
        let line = text[..offending].matches('\n').count() + 1;
        let file = dir.join(format!("engine{i}.toml"));
        std::fs::write(&file, &text).unwrap();
        let out = dir.join(format!("out{i}"));
        let location = format!("engine{i}.toml:{line}:");
        assert_refused(
            &["run", "--scenario", file.to_str().unwrap(), "--out", out.to_str().unwrap()],
            &out,
            &[&[location.as_str()][..], expect].concat(),
        );
        let v = scslab(&["scenario", "validate", file.to_str().unwrap()]);
        assert_eq!(v.status.code(), Some(2), "{}", stderr(&v));
        assert!(stderr(&v).contains(&location), "{}", stderr(&v));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_event_engine_scenario_runs_and_its_persons_are_traced() {
    let dir = temp("engine-event");
    std::fs::create_dir_all(&dir).unwrap();
    let china = String::from_utf8(scslab(&["scenario", "show", "china-2020"]).stdout).unwrap();
    let file = dir.join("event.toml");
    std::fs::write(&file, format!("{china}\n[engine]\nday = \"event\"\n")).unwrap();
    let v = scslab(&["scenario", "validate", file.to_str().unwrap()]);
    assert!(v.status.success(), "{}", stderr(&v));
    let out = dir.join("out");
    let run = scslab(&[
        "run",
        "--scenario",
        file.to_str().unwrap(),
        "--people",
        "3000",
        "--days",
        "20",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    // The summary line names the engine.
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("3000 people, 20 days, seed 2020, event engine, 2 threads"), "{stdout}");
    // The scenario written beside the outputs chooses the event engine: a rerun from it is one.
    let written = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(written.contains("[engine]\nday = \"event\""), "{written}");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"engine\": \"event\""), "{manifest}");
    for id in [0, 1234, 2999] {
        let o = scslab(&["trace", out.to_str().unwrap(), "--person", &id.to_string()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let days = std::fs::read_to_string(out.join(format!("traces/person-{id}-days.csv"))).unwrap();
        assert_eq!(days.lines().count(), 21, "a header and one line a day");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
