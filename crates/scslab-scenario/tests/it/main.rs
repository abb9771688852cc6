//! Integration tests of the scenario reader: error locations and messages, the presets, the
//! command-line overrides and robustness against arbitrary input.
//!
//! Most error tests take the `china-2020` preset, make one textual edit and check that the error
//! points at the edited line. Expected lines are computed from the edited text (by finding a
//! marker), never hard-coded, so the tests survive changes to the presets.

mod api;
mod engine;
mod errors;
mod kinds;
mod odd;
mod odd_model;
mod policy;
mod presets;
mod props;
mod r12;
mod render;
mod theories;

use scslab_scenario::{ScenarioError, parse, preset_text};

/// The file name given to `parse` in the error tests.
pub const FILE: &str = "test.toml";

/// The text of the `china-2020` preset, the base of the error tests.
pub fn china() -> &'static str {
    preset_text("china-2020").expect("the china-2020 preset exists")
}

/// Replaces the single occurrence of `old` by `new`. Panics if `old` is absent or repeated, so
/// that an edit which no longer matches the preset fails loudly instead of testing nothing.
#[track_caller]
pub fn replace_once(text: &str, old: &str, new: &str) -> String {
    let n = text.matches(old).count();
    assert_eq!(n, 1, "`{old}` occurs {n} times in the text; the edit needs exactly one");
    text.replacen(old, new, 1)
}

/// An edit that replaces the single occurrence of `old` by `new`.
pub fn swap(old: &'static str, new: &'static str) -> impl Fn(&str) -> String {
    move |t| replace_once(t, old, new)
}

/// An edit that appends `extra` at the end of the text.
pub fn append(extra: impl Into<String>) -> impl Fn(&str) -> String {
    let extra = extra.into();
    move |t| format!("{t}\n{extra}\n")
}

/// 1-based line and column (in characters) of byte offset `i`, computed independently of the
/// crate's own `line_column`.
pub fn position(text: &str, i: usize) -> (usize, usize) {
    let before = &text[..i];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// Where a marker is. The marker is a substring that occurs exactly once in the text, with an
/// optional `^` at the character the error must point at. Returns the line of the marker's start
/// and, with a caret, the expected column.
#[track_caller]
pub fn locate(text: &str, marker: &str) -> (usize, Option<usize>) {
    let plain = marker.replacen('^', "", 1);
    let n = text.matches(plain.as_str()).count();
    assert_eq!(n, 1, "marker `{plain}` occurs {n} times in the edited text; it must be unique");
    let start = text.find(plain.as_str()).expect("counted above");
    let (line, _) = position(text, start);
    let column = marker.find('^').map(|c| position(text, start + c).1);
    (line, column)
}

/// What `check_err` found, for further checks.
#[derive(Debug)]
pub struct Found {
    /// The error message.
    pub message: String,
    /// The reported 1-based column.
    pub column: usize,
}

impl Found {
    /// The part of the message after "valid choices".
    pub fn choices(&self) -> &str {
        let i = self
            .message
            .find("valid choices")
            .unwrap_or_else(|| panic!("no valid choices in `{}`", self.message));
        &self.message[i..]
    }
}

/// Applies `edit` to the china-2020 text, parses it as `test.toml` and checks that the result
/// is an `Invalid` error on the line of `marker` (and, if the marker has a `^`, at that column),
/// whose message contains every fragment of `expect`.
#[track_caller]
pub fn check_err(edit: impl Fn(&str) -> String, marker: &str, expect: &[&str]) -> Found {
    let text = edit(china());
    assert_ne!(text, china(), "the edit changed nothing");
    check_err_in(&text, marker, expect)
}

/// As `check_err`, on a given text.
#[track_caller]
pub fn check_err_in(text: &str, marker: &str, expect: &[&str]) -> Found {
    let (want_line, want_column) = locate(text, marker);
    let err = match parse(text, FILE) {
        Ok(_) => panic!("expected an error on line {want_line} (`{marker}`), but the text parsed"),
        Err(e) => e,
    };
    let shown = err.to_string();
    let ScenarioError::Invalid { file, line, column, message } = err else {
        panic!("expected ScenarioError::Invalid, found {err:?}");
    };
    assert_eq!(file, FILE, "file name in `{shown}`");
    assert_eq!(line, want_line, "wrong line in `{shown}`; expected the line of `{marker}`");
    let line_chars = text.lines().nth(line - 1).map_or(0, |l| l.chars().count());
    assert!(
        column >= 1 && column <= line_chars + 1,
        "column {column} outside line {line} ({line_chars} chars) in `{shown}`"
    );
    if let Some(c) = want_column {
        assert_eq!(column, c, "wrong column in `{shown}`; expected the `^` of `{marker}`");
    }
    for frag in expect {
        assert!(message.contains(frag), "message `{message}` lacks `{frag}`");
    }
    assert_eq!(shown, format!("{FILE}:{line}:{column}: {message}"), "Display of Invalid");
    Found { message, column }
}

/// Parses `text` and panics with the error if it is refused.
#[track_caller]
pub fn parse_ok(text: &str) -> scslab_scenario::Scenario {
    parse(text, FILE).unwrap_or_else(|e| panic!("expected the text to parse, found: {e}"))
}
