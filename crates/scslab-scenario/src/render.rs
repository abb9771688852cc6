//! Rendering an error for a person: the message, then the offending line of the file (an excerpt
//! of at most [`EXCERPT_CHARS`] characters around the column) and a caret under the column.
//!
//! The CLI and the Python module call [`render_error`], so that every front end shows errors the
//! same way. Quotations of the file are always cut: a scenario line may be megabytes long, and an
//! error that repeats it whole hides its own message.

use crate::ScenarioError;

/// Most characters of a source line shown under an error (without the `...` marks).
pub const EXCERPT_CHARS: usize = 100;

/// A quotation of user text in a message longer than this is cut.
const MAX_QUOTE_CHARS: usize = 60;
/// Characters kept of a cut quotation.
const KEPT_QUOTE_CHARS: usize = 40;
/// Most characters of a whole message.
const MAX_MESSAGE_CHARS: usize = 2_000;

/// An error as shown to a person: `error: FILE:LINE:COLUMN: MESSAGE`, then for file errors the
/// source line (an excerpt of at most [`EXCERPT_CHARS`] characters around the column, with
/// `...` where it was cut) and a caret under the column.
///
/// The line is read from the embedded text for `preset:NAME` files and from disk otherwise; if
/// it cannot be read (the file changed or was removed), only the message is shown.
pub fn render_error(e: &ScenarioError) -> String {
    let (file, line, column, message) = match e {
        ScenarioError::Invalid { file, line, column, message } => (file, line, column, message),
        // A path is shown whole: it is the user's own, and cutting it would hide which file.
        ScenarioError::Read { .. } => return format!("error: {e}"),
        _ => return format!("error: {}", shorten_message(&e.to_string())),
    };
    let text = match file.strip_prefix("preset:") {
        Some(name) => crate::preset_text(name).ok().map(str::to_string),
        None => std::fs::read_to_string(file).ok(),
    };
    render(file, *line, *column, message, text.as_deref())
}

/// As [`render_error`], with the source line taken from `text`, the scenario text that was
/// parsed: for text that never was a file (Python strings, a run folder's `scenario.toml`
/// parsed under another name).
pub fn render_error_in(e: &ScenarioError, text: &str) -> String {
    match e {
        ScenarioError::Invalid { file, line, column, message } => {
            render(file, *line, *column, message, Some(text))
        }
        other => render_error(other),
    }
}

fn render(file: &str, line: usize, column: usize, message: &str, text: Option<&str>) -> String {
    let mut out = format!("error: {file}:{line}:{column}: {}", shorten_message(message));
    if let Some(source_line) = text.and_then(|t| t.lines().nth(line.saturating_sub(1))) {
        out.push_str(&render_source_line(source_line, line, column));
    }
    out
}

/// The two lines shown under a message: ` LINE | EXCERPT` and the caret line.
pub(crate) fn render_source_line(source_line: &str, line: usize, column: usize) -> String {
    let (excerpt, caret) = excerpt(source_line, column);
    // The line number takes at least four places, more for long files, and the caret line is
    // padded to match, so that the caret stays under its character.
    let number = format!("{line:>4}");
    format!("\n {number} | {excerpt}\n {} | {}^", " ".repeat(number.len()), " ".repeat(caret))
}

/// An excerpt of `line` of at most [`EXCERPT_CHARS`] characters around the 1-based `column`,
/// with `...` where it was cut, and the 0-based position of the column's character in it.
/// Tabs and other control characters are shown as spaces, so that the caret stays aligned.
pub(crate) fn excerpt(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let at = column.saturating_sub(1).min(chars.len());
    if chars.len() <= EXCERPT_CHARS {
        return (chars.into_iter().collect(), at);
    }
    // A window of EXCERPT_CHARS characters, the column a third of the way in, so that the
    // value after the column shows more than the text before it.
    let start = at.saturating_sub(EXCERPT_CHARS / 3).min(chars.len() - EXCERPT_CHARS);
    let end = start + EXCERPT_CHARS;
    let mut out = String::new();
    if start > 0 {
        out.push_str("...");
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push_str("...");
    }
    let caret = at - start + if start > 0 { 3 } else { 0 };
    (out, caret)
}

/// `message` with long quotations cut: a quoted stretch (between `"` or backticks) or a run
/// without spaces longer than 60 characters keeps its first 40 and `...`, and the whole message
/// at most 2,000 characters. The valid choices of a message are short names and are kept.
pub(crate) fn shorten_message(message: &str) -> String {
    let quoted = shorten_quotes(message);
    let runs = shorten_runs(&quoted);
    if runs.chars().count() <= MAX_MESSAGE_CHARS {
        return runs;
    }
    let mut out: String = runs.chars().take(MAX_MESSAGE_CHARS).collect();
    out.push_str("...");
    out
}

/// Cuts each quoted stretch longer than [`MAX_QUOTE_CHARS`]. Inside `"`, a backslash escapes
/// the next character (messages of the TOML reader quote strings with escapes).
fn shorten_quotes(message: &str) -> String {
    let chars: Vec<char> = message.chars().collect();
    let mut out = String::with_capacity(message.len().min(4 * MAX_MESSAGE_CHARS));
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        out.push(c);
        i += 1;
        if c != '"' && c != '`' {
            continue;
        }
        // Find the closing quote.
        let mut j = i;
        while j < chars.len() && chars[j] != c {
            j += if c == '"' && chars[j] == '\\' { 2 } else { 1 };
        }
        let end = j.min(chars.len());
        push_cut(&mut out, &chars[i..end]);
        if end < chars.len() {
            out.push(c);
        }
        i = end + 1;
    }
    out
}

/// Cuts each run of non-space characters longer than [`MAX_QUOTE_CHARS`].
fn shorten_runs(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut run: Vec<char> = Vec::new();
    for c in message.chars() {
        if c.is_whitespace() {
            push_cut(&mut out, &run);
            run.clear();
            out.push(c);
        } else {
            run.push(c);
        }
    }
    push_cut(&mut out, &run);
    out
}

fn push_cut(out: &mut String, chars: &[char]) {
    if chars.len() > MAX_QUOTE_CHARS {
        out.extend(&chars[..KEPT_QUOTE_CHARS]);
        out.push_str("...");
    } else {
        out.extend(chars);
    }
}
