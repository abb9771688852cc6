//! Robustness: `parse` returns `Ok` or `Err` for any input, never panics, and its errors always
//! point inside the text.

use proptest::prelude::*;
use scslab_scenario::{MAX_DAYS, MAX_PEOPLE, ScenarioError, parse};

use crate::{FILE, china};

/// Parses `text` (a panic fails the property) and checks what came back.
fn parse_checked(text: &str) -> Result<(), TestCaseError> {
    match parse(text, FILE) {
        Ok(s) => {
            prop_assert!((1..=MAX_PEOPLE).contains(&s.params.n_persons));
            prop_assert!((1..=MAX_DAYS).contains(&s.params.days));
            prop_assert!(s.params.network.suppliers_per_firm <= 8);
        }
        Err(ScenarioError::Invalid { file, line, column, message }) => {
            prop_assert_eq!(file.as_str(), FILE);
            let n_lines = text.split('\n').count();
            prop_assert!(line >= 1 && line <= n_lines, "line {} of {}: {}", line, n_lines, message);
            let line_chars = text.split('\n').nth(line - 1).map_or(0, |l| l.chars().count());
            prop_assert!(
                column >= 1 && column <= line_chars + 1,
                "column {} of {}: {}",
                column,
                line_chars,
                message
            );
            prop_assert!(!message.is_empty());
        }
        Err(e) => prop_assert!(false, "parse gave a non-Invalid error: {:?}", e),
    }
    Ok(())
}

/// Values that stress the checks of numeric fields.
const NASTY: [&str; 16] = [
    "0",
    "-0.0",
    "-1",
    "1.5",
    "2",
    "9",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "1e400",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "\"x\"",
    "[]",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_do_not_panic(text in "\\PC{0,200}") {
        parse_checked(&text)?;
    }

    #[test]
    fn toml_like_strings_do_not_panic(text in "[\\[\\]{}=\",.#a-z0-9_ \n-]{0,200}") {
        parse_checked(&text)?;
    }

    #[test]
    fn truncated_preset_does_not_panic(cut in 0..china().len()) {
        let text = china();
        let cut = (0..=cut).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        parse_checked(&text[..cut])?;
    }

    #[test]
    fn single_byte_corruption_does_not_panic(at in 0..china().len(), byte in any::<u8>()) {
        let mut bytes = china().as_bytes().to_vec();
        bytes[at] = byte;
        parse_checked(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn several_byte_corruptions_do_not_panic(edits in proptest::collection::vec((0..china().len(), any::<u8>()), 1..6)) {
        let mut bytes = china().as_bytes().to_vec();
        for (at, byte) in edits {
            bytes[at] = byte;
        }
        parse_checked(&String::from_utf8_lossy(&bytes))?;
    }

    /// Replaces the value of one `key = number` line by an extreme value.
    #[test]
    fn extreme_values_do_not_panic(pick in any::<prop::sample::Index>(), value in prop::sample::select(NASTY.to_vec())) {
        let text = china();
        let numeric: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| {
                l.split_once(" = ").is_some_and(|(k, v)| !k.starts_with('#') && v.starts_with(|c: char| c.is_ascii_digit() || c == '-'))
            })
            .map(|(i, _)| i)
            .collect();
        let target = numeric[pick.index(numeric.len())];
        let edited: Vec<String> = text
            .lines()
            .enumerate()
            .map(|(i, l)| match l.split_once(" = ") {
                Some((k, _)) if i == target => format!("{k} = {value}"),
                _ => l.to_string(),
            })
            .collect();
        parse_checked(&edited.join("\n"))?;
    }
}
