//! The model's vocabulary and dense state as `docs/ODD.md` states them (sections 2.3, 2.5 and
//! 7.1), against the code: an event, a measure kind, a context or a dense column added to the
//! model and not to the ODD (or the other way round) fails here. (Section 6.1, the scenario
//! keys, is checked by `odd.rs`.)

use scslab_model::vocab::{
    CONTEXTS, Context, FIRM_EVENTS, FIRM_MEASURE_KINDS, PERSON_EVENTS, PERSON_MEASURE_KINDS, Valence,
};
use scslab_model::world::{Firms, Persons};

const ODD: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ODD.md"));

/// The text of section `number` (e.g. "2.3"), from its heading to the next heading.
fn section(number: &str) -> &'static str {
    let heading = format!("\n### {number} ");
    let start = ODD.find(&heading).unwrap_or_else(|| panic!("docs/ODD.md has no section {number}"));
    let body = &ODD[start + 1..];
    let end = body[1..].find("\n#").map_or(body.len(), |e| e + 1);
    &body[..end]
}

/// The line of `section` that starts with `prefix`, without it.
fn line<'a>(section: &'a str, prefix: &str) -> &'a str {
    let line = section.lines().find(|l| l.starts_with(prefix));
    line.unwrap_or_else(|| panic!("no line starting with `{prefix}`")).strip_prefix(prefix).unwrap()
}

/// The names between backticks in `text`.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn context_name(context: Context) -> &'static str {
    CONTEXTS.iter().find(|(_, c)| *c == context).expect("every context is named").0
}

fn valence_name(valence: Valence) -> &'static str {
    match valence {
        Valence::Violation => "violation",
        Valence::Favoured => "favoured",
        Valence::Dissent => "dissent",
    }
}

/// The dense-state table of a section: (column, type, bytes) of each row but `scores`.
fn dense_rows(section: &str) -> Vec<(String, String, usize)> {
    section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Column") && !l.starts_with("|---"))
        .map(|l| l.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect::<Vec<_>>())
        .filter(|cells| cells[0] != "scores")
        .map(|cells| (cells[0].clone(), cells[1].clone(), cells[2].parse().expect("bytes")))
        .collect()
}

/// `name:type ` pairs as in the declaration's `LAYOUT`.
fn layout(rows: &[(String, String, usize)]) -> String {
    rows.iter().map(|(name, ty, _)| format!("{name}:{ty} ")).collect()
}

#[test]
fn the_dense_columns_are_the_declared_ones() {
    let persons = dense_rows(section("2.3"));
    assert_eq!(layout(&persons), Persons::LAYOUT, "ODD 2.3 against `Persons` in world.rs");
    assert_eq!(persons.iter().map(|r| r.2).sum::<usize>(), Persons::BYTES);
    let per_person = format!("A person takes `{} + 2k` bytes", Persons::BYTES);
    assert!(section("2.3").contains(&per_person), "ODD 2.3 should say: {per_person}");
    let firms = dense_rows(section("2.5"));
    assert_eq!(layout(&firms), Firms::LAYOUT, "ODD 2.5 against `Firms` in world.rs");
    assert_eq!(firms.iter().map(|r| r.2).sum::<usize>(), Firms::BYTES);
    let per_firm = format!("A firm takes `{} + 2k` bytes", Firms::BYTES);
    assert!(section("2.5").contains(&per_firm), "ODD 2.5 should say: {per_firm}");
}

#[test]
fn the_vocabulary_is_the_models() {
    let v = section("7.1");
    // Person events: "i `name` valence context; ...".
    let documented: Vec<String> = line(v, "Person events (index, name, valence, context): ")
        .trim_end_matches('.')
        .split("; ")
        .map(str::to_string)
        .collect();
    let code: Vec<String> = (PERSON_EVENTS.iter().enumerate())
        .map(|(i, e)| format!("{i} `{}` {} {}", e.name, valence_name(e.valence), context_name(e.context)))
        .collect();
    assert_eq!(documented, code, "person events in ODD 7.1");
    // Firm events: "i `name` context" (violations; the line says "all violations") or
    // "i `name` valence context".
    let firm = line(v, "Firm events: ");
    let names: Vec<&str> = FIRM_EVENTS.iter().map(|e| e.name).collect();
    assert_eq!(backticked(firm), names, "firm events in ODD 7.1");
    let entries: Vec<&str> = firm.trim_end_matches('.').split("; ").collect();
    for (i, (e, entry)) in FIRM_EVENTS.iter().zip(&entries).enumerate() {
        assert!(entry.starts_with(&format!("{i} `{}` ", e.name)), "ODD 7.1: `{entry}` is firm event {i}");
        assert!(entry.contains(&context_name(e.context).replace('_', " ")), "ODD 7.1: context of `{entry}`");
        let valence = match e.valence {
            Valence::Violation => "violation",
            other => valence_name(other),
        };
        let violations_note = e.valence == Valence::Violation && firm.contains("(all violations)");
        assert!(entry.contains(valence) || violations_note, "ODD 7.1: valence of `{entry}`");
    }
    let contexts: Vec<&str> = line(v, "Contexts: ").trim_end_matches('.').split(", ").collect();
    assert_eq!(contexts, CONTEXTS.map(|c| c.0), "contexts in ODD 7.1");
    let kinds = |prefix: &str| -> Vec<&str> { line(v, prefix).trim_end_matches('.').split(", ").collect() };
    assert_eq!(kinds("Person measure kinds: "), PERSON_MEASURE_KINDS.map(|k| k.0), "ODD 7.1");
    assert_eq!(kinds("Firm measure kinds: "), FIRM_MEASURE_KINDS.map(|k| k.0), "ODD 7.1");
}
