//! The scenario key reference of `docs/ODD.md` section 6.1 against the code: every key the reader
//! accepts is documented in its table, every documented key is accepted, and an authority's or a
//! measure's key is documented for exactly the kinds the code accepts it on.

use std::collections::{BTreeMap, BTreeSet};

use scslab_model::params::MeasureEffect;
use scslab_model::vocab::{FIRM_MEASURE_KINDS, PERSON_MEASURE_KINDS};
use scslab_scenario::keys::{
    AUTHORITY_KEYS, MEASURE_COMMON_KEYS, POLICY_CHANGE_KEYS, measure_parameters, policy_change_kinds_label,
    section_keys,
};

const ODD: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ODD.md"));

/// One documented key: its table, its name and the cells of its row after the first.
#[derive(Debug)]
struct Row {
    table: String,
    key: String,
    cells: Vec<String>,
}

/// The text of section 6.1, from its heading to the next heading of its level or above.
fn section_6_1(odd: &str) -> &str {
    let start = odd.find("\n### 6.1 ").expect("docs/ODD.md has a section `### 6.1`");
    let body = &odd[start + 1..];
    let end = body[1..]
        .find("\n## ")
        .into_iter()
        .chain(body[1..].find("\n### "))
        .min()
        .map_or(body.len(), |e| e + 1);
    &body[..end]
}

/// The names between backticks in `cell`.
fn backticked(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// The key tables of section 6.1: a line that starts with `` `[table]` `` or `` `[[table]]` ``
/// names the table of the rows that follow; a row's first cell lists its keys between backticks.
fn documented_rows(section: &str) -> Vec<Row> {
    let mut table: Option<String> = None;
    let mut rows = Vec::new();
    for line in section.lines() {
        if let Some(rest) = line.strip_prefix("`[") {
            let name = rest.split('`').next().unwrap_or("").trim_matches(|c| c == '[' || c == ']');
            table = Some(name.to_string());
        } else if line.starts_with("| `") {
            let table = table.clone().unwrap_or_else(|| panic!("a key row before any table: {line}"));
            let cells: Vec<String> =
                line.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect();
            for key in backticked(&cells[0]) {
                rows.push(Row { table: table.clone(), key, cells: cells[1..].to_vec() });
            }
        }
    }
    rows
}

fn rows() -> Vec<Row> {
    documented_rows(section_6_1(ODD))
}

#[test]
fn every_key_the_code_accepts_is_documented_and_every_documented_key_is_accepted() {
    let rows = rows();
    let mut documented: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in &rows {
        let new = documented.entry(&r.table).or_default().insert(&r.key);
        assert!(new, "`{}` is documented twice in `{}`", r.key, r.table);
    }
    let code = section_keys();
    for (table, keys) in &code {
        let keys: BTreeSet<&str> = keys.iter().copied().collect();
        let docs = documented.get(table).unwrap_or_else(|| panic!("ODD 6.1 has no table `{table}`"));
        let undocumented: Vec<_> = keys.difference(docs).collect();
        let unknown: Vec<_> = docs.difference(&keys).collect();
        assert!(undocumented.is_empty(), "keys of `{table}` accepted but not in ODD 6.1: {undocumented:?}");
        assert!(unknown.is_empty(), "keys of `{table}` in ODD 6.1 that the reader refuses: {unknown:?}");
    }
    for table in documented.keys() {
        assert!(code.iter().any(|(t, _)| t == table), "ODD 6.1 documents a table `{table}` the format lacks");
    }
}

#[test]
fn authority_keys_apply_to_the_documented_authorities() {
    for r in rows().iter().filter(|r| r.table == "authority") {
        let (_, applies) =
            AUTHORITY_KEYS.iter().find(|(k, _)| *k == r.key).expect("checked by the other test");
        assert_eq!(r.cells[0], applies.label(), "\"Applies to\" of authority key `{}`", r.key);
    }
}

#[test]
fn policy_change_keys_apply_to_the_documented_kinds() {
    let rows = rows();
    let documented: Vec<&Row> = rows.iter().filter(|r| r.table == "policy_change").collect();
    assert_eq!(documented.len(), POLICY_CHANGE_KEYS.len());
    for r in documented {
        let (_, kinds) =
            POLICY_CHANGE_KEYS.iter().find(|(k, _)| *k == r.key).expect("checked by the other test");
        assert_eq!(
            r.cells[0],
            policy_change_kinds_label(kinds),
            "\"Kinds\" of policy_change key `{}`",
            r.key
        );
    }
}

/// The measure kinds that use `key`, as ODD writes them: `all`, or
/// ``person `fine`, `payment`; firm `fine` ``.
fn measure_kinds_using(key: &str) -> String {
    if MEASURE_COMMON_KEYS.contains(&key) {
        return "all".to_string();
    }
    let using = |kinds: &mut dyn Iterator<Item = (&str, MeasureEffect)>| {
        kinds
            .filter(|(_, e)| measure_parameters(*e).contains(&key))
            .map(|(n, _)| format!("`{n}`"))
            .collect::<Vec<_>>()
    };
    let person = using(&mut PERSON_MEASURE_KINDS.iter().map(|k| (k.0, MeasureEffect::Person(k.1))));
    let firm = using(&mut FIRM_MEASURE_KINDS.iter().map(|k| (k.0, MeasureEffect::Firm(k.1))));
    let mut parts = Vec::new();
    if !person.is_empty() {
        parts.push(format!("person {}", person.join(", ")));
    }
    if !firm.is_empty() {
        parts.push(format!("firm {}", firm.join(", ")));
    }
    parts.join("; ")
}

#[test]
fn measure_parameters_are_documented_for_the_kinds_that_use_them() {
    let rows = rows();
    let measure: Vec<&Row> = rows.iter().filter(|r| r.table == "measure").collect();
    assert!(measure.len() >= 12, "{measure:?}");
    for r in measure {
        assert_eq!(r.cells[0], measure_kinds_using(&r.key), "\"Applies to\" of measure key `{}`", r.key);
    }
}

// The reader of the ODD finds what it should, and would notice a key gone missing.
#[test]
fn the_section_reader_finds_tables_keys_and_an_omission() {
    let section = section_6_1(ODD);
    assert!(section.starts_with("### 6.1 "));
    assert!(!section.contains("### 6.2"), "the section stops at the next heading");
    let rows = documented_rows(section);
    assert!(rows.iter().any(|r| r.table == "behaviour" && r.key == "conformity"), "a key of a grouped row");
    assert!(rows.iter().any(|r| r.table == "policy_change" && r.key == "detection_scale"));
    let without = section.replace("| `urban_share` |", "| urban share |");
    assert!(!documented_rows(&without).iter().any(|r| r.key == "urban_share"));
}
