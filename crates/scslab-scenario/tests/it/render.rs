//! `render_error`: the message, an excerpt of the offending line and a caret under the column,
//! for files read from disk and for presets.

use scslab_scenario::{EXCERPT_CHARS, ScenarioError, parse, preset_text, render_error, render_error_in};

use crate::{china, replace_once};

/// The three lines of a rendered file error: message, source excerpt, caret.
struct Rendered {
    message: String,
    excerpt: String,
    caret: usize,
}

#[track_caller]
fn split(rendered: &str) -> Rendered {
    let lines: Vec<&str> = rendered.lines().collect();
    assert_eq!(lines.len(), 3, "expected message, excerpt and caret:\n{rendered}");
    let excerpt = lines[1].split_once(" | ").expect("` LINE | excerpt`").1.to_string();
    let prefix = lines[1].find(" | ").expect("separator") + 3;
    assert_eq!(lines[2].find(" | ").map(|i| i + 3), Some(prefix), "caret line aligned:\n{rendered}");
    let caret_at = lines[2].chars().count() - 1;
    assert!(lines[2].ends_with('^'), "{rendered}");
    Rendered { message: lines[0].to_string(), excerpt, caret: caret_at - prefix }
}

/// The character of `excerpt` under the caret.
fn under_caret(r: &Rendered) -> char {
    r.excerpt.chars().nth(r.caret).expect("caret inside the excerpt")
}

/// A file in the temporary directory, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> Self {
        let path = std::env::temp_dir().join(format!("scslab-scenario-render-{}-{name}", std::process::id()));
        std::fs::write(&path, text).expect("write temporary file");
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn render_file(name: &str, text: &str) -> Rendered {
    let file = TempFile::new(name, text);
    let e = scslab_scenario::load(&file.0).expect_err("refused");
    split(&render_error(&e))
}

#[test]
fn short_line_is_shown_whole_with_the_caret_under_the_value() {
    let text = replace_once(china(), "urban_share = 0.6389", "urban_share = 1.5");
    let r = render_file("short.toml", &text);
    assert!(
        r.message.starts_with("error: ") && r.message.contains("population.urban_share"),
        "{}",
        r.message
    );
    assert!(r.excerpt.starts_with("urban_share = 1.5"), "{}", r.excerpt);
    assert_eq!(under_caret(&r), '1');
}

#[test]
fn long_line_is_cut_around_the_column() {
    // The bad share is 5,000 characters into a 10,000-character line.
    let padding = " ".repeat(5_000);
    let text = replace_once(
        china(),
        "age_shares = [0.1795, 0.6335, 0.1870]",
        &format!("age_shares = [0.1795,{padding}-0.6335,{padding}0.1870]"),
    );
    let r = render_file("long.toml", &text);
    assert!(r.excerpt.starts_with("...") && r.excerpt.ends_with("..."), "{}", r.excerpt);
    assert!(r.excerpt.chars().count() <= EXCERPT_CHARS + 6, "{} chars", r.excerpt.chars().count());
    assert!(r.message.chars().count() < 600, "{}", r.message);
    // The caret is under the character the error points at.
    let ScenarioError::Invalid { column, line, .. } = parse(&text, "x.toml").expect_err("refused") else {
        panic!("Invalid expected")
    };
    let want = text.lines().nth(line - 1).expect("line").chars().nth(column - 1).expect("column");
    assert_eq!(under_caret(&r), want);
}

#[test]
fn column_near_the_end_of_a_long_line() {
    let padding = "y".repeat(3_000);
    let text = replace_once(
        china(),
        "urban_share = 0.6389",
        &format!("urban_share = 0.6389 # {padding}\nrural = 1"),
    );
    let text = replace_once(&text, "rural = 1", &format!("{} = 1", "z".repeat(500)));
    let r = render_file("end.toml", &text);
    let ScenarioError::Invalid { column, .. } = parse(&text, "x.toml").expect_err("refused") else {
        panic!("Invalid expected")
    };
    assert_eq!(column, 1, "the unknown key is at the start of its line");
    assert!(!r.excerpt.starts_with("..."), "{}", r.excerpt);
    assert!(r.excerpt.ends_with("..."), "{}", r.excerpt);
    assert_eq!(r.caret, 0);

    // A bad value at the very end of a long line: the excerpt ends with the line, uncut.
    let text = replace_once(
        china(),
        "urban_share = 0.6389",
        &format!("urban_share = {{ {} = 1, b = }}", "k".repeat(400)),
    );
    let r = render_file("end2.toml", &text);
    assert!(r.excerpt.starts_with("..."), "{}", r.excerpt);
    assert!(!r.excerpt.ends_with("..."), "{}", r.excerpt);
    assert!(r.excerpt.chars().count() <= EXCERPT_CHARS + 3);
    assert!(r.excerpt.contains("b = }"), "{}", r.excerpt);
}

#[test]
fn preset_errors_are_rendered_from_the_embedded_text() {
    // An error located in a preset (as a run of a preset with a bad override would give).
    let text = preset_text("china-2020").expect("preset");
    let line = text.lines().position(|l| l.starts_with("urban_share")).expect("line") + 1;
    let e = ScenarioError::Invalid {
        file: "preset:china-2020".into(),
        line,
        column: 15,
        message: "population.urban_share: test".into(),
    };
    let r = split(&render_error(&e));
    assert!(r.message.starts_with(&format!("error: preset:china-2020:{line}:15: ")), "{}", r.message);
    assert!(r.excerpt.starts_with("urban_share = "), "{}", r.excerpt);
    assert_eq!(under_caret(&r), '0');
}

#[test]
fn other_errors_are_one_line() {
    let e = scslab_scenario::preset("nope").expect_err("no such preset");
    let shown = render_error(&e);
    assert_eq!(shown, format!("error: {e}"));
    let e = scslab_scenario::preset(&"n".repeat(10_000)).expect_err("no such preset");
    assert!(render_error(&e).chars().count() < 600);
    // A file that cannot be read again shows the message alone.
    let e =
        ScenarioError::Invalid { file: "/no/such/file.toml".into(), line: 3, column: 1, message: "m".into() };
    assert_eq!(render_error(&e), "error: /no/such/file.toml:3:1: m");
}

#[test]
fn errors_of_text_that_was_never_a_file_are_rendered_from_the_text() {
    let text = replace_once(china(), "urban_share = 0.6389", "urban_share = 1.5");
    let e = parse(&text, "<python string>").expect_err("refused");
    // No such file: the message alone.
    assert_eq!(render_error(&e).lines().count(), 1);
    let r = split(&render_error_in(&e, &text));
    assert!(r.message.starts_with("error: <python string>:"), "{}", r.message);
    assert_eq!(under_caret(&r), '1');
}

#[test]
fn caret_stays_aligned_after_line_ten_thousand() {
    let text = format!(
        "{}\n{}",
        "# filler\n".repeat(10_000),
        china().replace("urban_share = 0.6389", "urban_share = 1.5")
    );
    let e = parse(&text, "<long>").expect_err("refused");
    let ScenarioError::Invalid { line, .. } = &e else { panic!("Invalid expected") };
    assert!(*line > 10_000);
    // `split` checks that both lines put ` | ` at the same place.
    let r = split(&render_error_in(&e, &text));
    assert_eq!(under_caret(&r), '1');
}
