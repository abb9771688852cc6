//! Errors of the scenario reader. Each carries the file, line and column of the offending
//! value, what was expected and, where there is a fixed set, the valid choices.

use std::ops::Range;

use crate::raw::KeyTable;

/// Why a scenario was refused.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file has a syntax, key, type or value error.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// File name as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, what was expected, and the valid choices.
        message: String,
    },
    /// The file could not be read.
    #[error("cannot read scenario file {file}: {source}")]
    Read {
        /// File name as given.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No preset has this name.
    #[error("unknown preset `{name}`; valid choices: {choices}")]
    UnknownPreset {
        /// The name asked for.
        name: String,
        /// The preset names.
        choices: String,
    },
    /// A command-line override is out of range.
    #[error("{what}: {message}")]
    Override {
        /// The option (`--people`, `--days`).
        what: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// Where an error points.
pub(crate) struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    /// An `Invalid` error at a byte span. Long quotations of the file in `message` are cut
    /// (see `render::shorten_message`), so that a 10,000-character value is never repeated whole.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> ScenarioError {
        let (line, column) = line_column(self.text, span.start);
        ScenarioError::Invalid {
            file: self.file.to_string(),
            line,
            column,
            message: crate::render::shorten_message(&message.into()),
        }
    }
}

/// Span of `key` in one table (its keys as read by `raw::RawKeys`): the key itself, looked for
/// in that table only, so that an error about one authority never points at the same key of
/// another. A key the table does not have gives the start of the file; callers only ask for keys
/// the table was read with.
pub(crate) fn key_span(table: &KeyTable, key: &str) -> Range<usize> {
    table.keys().find(|k| k.get_ref() == key).map_or(0..0, |k| k.span())
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Names as an error lists its valid choices: `` `a`, `b`, `c` ``.
pub(crate) fn choices(names: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    names.into_iter().map(|n| format!("`{}`", n.as_ref())).collect::<Vec<_>>().join(", ")
}
