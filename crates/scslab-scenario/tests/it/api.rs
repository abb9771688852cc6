//! The rest of the public API: overrides, preset look-up, loading files, `line_column`.

use scslab_scenario::{
    MAX_DAYS, MAX_PEOPLE, Overrides, PRESETS, ScenarioError, apply_overrides, line_column, load, preset,
    preset_text,
};

use crate::{china, locate, replace_once};

fn china_params() -> scslab_model::params::Params {
    preset("china-2020").expect("china-2020").params
}

#[track_caller]
fn expect_override_err(o: Overrides, what: &str, fragment: &str) {
    let mut p = china_params();
    match apply_overrides(&mut p, o) {
        Err(e @ ScenarioError::Override { .. }) => {
            let ScenarioError::Override { what: w, message } = &e else { unreachable!() };
            assert_eq!(*w, what, "{e}");
            assert!(message.contains(fragment), "message `{message}` lacks `{fragment}`");
            assert!(e.to_string().starts_with(&format!("{what}: ")), "{e}");
        }
        other => panic!("expected an Override error for {o:?}, found {other:?}"),
    }
}

#[test]
fn overrides_out_of_range_are_refused() {
    expect_override_err(Overrides { people: Some(0), ..Default::default() }, "--people", "found 0");
    expect_override_err(
        Overrides { people: Some(MAX_PEOPLE + 1), ..Default::default() },
        "--people",
        &format!("between 1 and {MAX_PEOPLE}"),
    );
    expect_override_err(Overrides { days: Some(0), ..Default::default() }, "--days", "found 0");
    expect_override_err(
        Overrides { days: Some(MAX_DAYS + 1), ..Default::default() },
        "--days",
        &format!("between 1 and {MAX_DAYS}"),
    );
}

#[test]
fn overrides_too_many_firms_are_refused() {
    let mut p = china_params();
    p.population.firms_per_person = 2.0;
    let r = apply_overrides(&mut p, Overrides { people: Some(MAX_PEOPLE), ..Default::default() });
    assert!(matches!(r, Err(ScenarioError::Override { what: "--people", .. })), "{r:?}");
}

#[test]
fn valid_overrides_are_applied() {
    let mut p = china_params();
    apply_overrides(&mut p, Overrides { people: Some(1000), days: Some(30), seed: Some(7) })
        .expect("valid overrides");
    assert_eq!((p.n_persons, p.days, p.seed), (1000, 30, 7));
    // The bounds themselves.
    apply_overrides(&mut p, Overrides { people: Some(MAX_PEOPLE), days: Some(MAX_DAYS), seed: None })
        .expect("bounds");
    assert_eq!((p.n_persons, p.days, p.seed), (MAX_PEOPLE, MAX_DAYS, 7));
    apply_overrides(&mut p, Overrides { people: Some(1), days: Some(1), seed: Some(0) })
        .expect("lower bounds");
    assert_eq!((p.n_persons, p.days, p.seed), (1, 1, 0));
    // No overrides change nothing.
    let before = format!("{p:?}");
    apply_overrides(&mut p, Overrides::default()).expect("no overrides");
    assert_eq!(format!("{p:?}"), before);
}

// Regression test (bug found by this suite, fixed).
#[test]
fn refused_overrides_change_nothing() {
    let mut p = china_params();
    let before = (p.n_persons, p.days, p.seed);
    let r = apply_overrides(&mut p, Overrides { people: Some(1000), days: Some(0), seed: Some(1) });
    assert!(matches!(r, Err(ScenarioError::Override { what: "--days", .. })), "{r:?}");
    assert_eq!((p.n_persons, p.days, p.seed), before, "a refused override changed (people, days, seed)");
}

#[test]
fn unknown_preset_lists_the_presets() {
    for r in [preset("nope").map(|_| ()), preset_text("nope").map(|_| ())] {
        let e = r.expect_err("no preset is called nope");
        let ScenarioError::UnknownPreset { name, choices } = &e else {
            panic!("expected UnknownPreset, found {e:?}")
        };
        assert_eq!(name, "nope");
        let shown = e.to_string();
        assert!(shown.contains("`nope`") && shown.contains("valid choices"), "{shown}");
        for (p, _) in PRESETS {
            assert!(choices.contains(&format!("`{p}`")), "choices `{choices}` lack {p}");
            assert!(shown.contains(&format!("`{p}`")), "`{shown}` lacks {p}");
        }
        for p in ["none", "china-2020", "rongcheng", "integrated", "ant-group-2020"] {
            assert!(shown.contains(p), "`{shown}` lacks {p}");
        }
    }
}

/// A file in the temporary directory, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> Self {
        let path = std::env::temp_dir().join(format!("scslab-scenario-it-{}-{name}", std::process::id()));
        std::fs::write(&path, text).expect("write temporary file");
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn load_missing_file_is_a_read_error() {
    let path = std::env::temp_dir().join(format!("scslab-scenario-it-{}-missing.toml", std::process::id()));
    let e = load(&path).expect_err("the file does not exist");
    let ScenarioError::Read { file, source } = &e else { panic!("expected Read, found {e:?}") };
    assert_eq!(file, &path.display().to_string());
    assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
    assert!(e.to_string().contains(&path.display().to_string()), "{e}");
}

#[test]
fn load_reads_and_checks_a_file() {
    let good = TempFile::new("good.toml", china());
    let s = load(&good.0).expect("china-2020 as a file");
    assert_eq!(s.origin, good.0.display().to_string());
    assert_eq!(s.name, "china-2020");
    assert_eq!(s.text, china());

    let text = replace_once(china(), "urban_share = 0.6389", "urban_share = 1.5");
    let bad = TempFile::new("bad.toml", &text);
    let e = load(&bad.0).expect_err("urban_share out of range");
    let (want_line, _) = locate(&text, "urban_share = 1.5");
    match e {
        ScenarioError::Invalid { file, line, .. } => {
            assert_eq!(file, bad.0.display().to_string());
            assert_eq!(line, want_line);
        }
        other => panic!("expected Invalid, found {other:?}"),
    }
}

#[test]
fn line_column_counts_characters() {
    let text = "héllo = 1\nwörld = \"中文\" # ü\n\nx";
    assert_eq!(line_column(text, 0), (1, 1));
    assert_eq!(line_column(text, text.find('=').expect("=")), (1, 7));
    assert_eq!(line_column(text, text.find('\n').expect("newline")), (1, 10));
    assert_eq!(line_column(text, text.find("wörld").expect("line 2")), (2, 1));
    assert_eq!(line_column(text, text.find('中').expect("中")), (2, 10));
    assert_eq!(line_column(text, text.find('文').expect("文")), (2, 11));
    assert_eq!(line_column(text, text.find('#').expect("#")), (2, 14));
    assert_eq!(line_column(text, text.find('ü').expect("ü")), (2, 16));
    assert_eq!(line_column(text, text.find("\n\n").expect("blank") + 1), (3, 1));
    assert_eq!(line_column(text, text.find('x').expect("x")), (4, 1));
    // Inside a multi-byte character: the character's own column.
    assert_eq!(line_column(text, text.find('中').expect("中") + 1), (2, 10));
    assert_eq!(line_column(text, text.find('中').expect("中") + 2), (2, 10));
    // Past the end: the end.
    assert_eq!(line_column(text, text.len()), (4, 2));
    assert_eq!(line_column(text, text.len() + 100), (4, 2));
    assert_eq!(line_column("", 5), (1, 1));
}

#[test]
fn line_column_agrees_with_a_naive_count() {
    let text = china();
    for (i, _) in text.char_indices().step_by(97) {
        assert_eq!(line_column(text, i), crate::position(text, i), "offset {i}");
    }
}

#[test]
fn warm_start_and_banned_travel_defaults() {
    // Without the keys, lists start empty and listed persons travel like everyone else.
    let text: String = china()
        .lines()
        .filter(|l| !l.starts_with("banned_") && !l.starts_with("initial_share"))
        .map(|l| format!("{l}\n"))
        .collect();
    let p = scslab_scenario::parse(&text, "test.toml").expect("parses").params;
    assert_eq!(p.behaviour.banned_flight_rate, p.behaviour.flight_rate);
    assert_eq!(p.behaviour.banned_train_rate, p.behaviour.train_rate);
    for a in &p.authorities {
        if let scslab_model::params::AuthorityKind::List(rule) = &a.kind {
            assert_eq!(rule.initial_share, 0.0, "{}", a.name);
        }
    }
    // china-2020 sets them (calibrated, docs/calibration/CALIBRATION.md).
    let c = china_params();
    assert!(c.behaviour.banned_flight_rate > c.behaviour.flight_rate);
    assert!(c.behaviour.banned_train_rate < c.behaviour.train_rate);
    let court = c.authorities.iter().find(|a| a.name == "court_defaulters").expect("court list");
    let scslab_model::params::AuthorityKind::List(rule) = &court.kind else { panic!("a list") };
    assert!(rule.initial_share > 0.0 && rule.initial_share < 0.02, "{}", rule.initial_share);
}
