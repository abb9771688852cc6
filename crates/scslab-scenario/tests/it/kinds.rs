//! Keys that do not apply to an authority's kind, or to a measure's kind, are refused at the key
//! of the one table in question, with the keys that kind accepts (issue 13, item 6).

use scslab_model::params::{MeasureEffect, Subject};
use scslab_model::vocab::{CONTEXTS, FIRM_MEASURE_KINDS, PERSON_MEASURE_KINDS};
use scslab_scenario::keys::{AUTHORITY_KEYS, AuthorityShape, MEASURE_PARAMETERS, measure_parameters};
use scslab_scenario::{ScenarioError, parse, preset_text};

use crate::{FILE, append, check_err, check_err_in, swap};

// ---------------------------------------------------------------------------------------------
// One edit of china-2020 each, where another table of the file has the same key rightly.

// The first authorities with `base` are points schemes; `deposit_free`, a list after them, is
// the one in error, and the error must point at its line, not at an earlier `base`.
#[test]
fn points_key_on_a_list_after_a_points_scheme() {
    let f = check_err(
        swap(
            "score_rule = { authority = \"sesame\", at_least = 650.0 }",
            "score_rule = { authority = \"sesame\", at_least = 650.0 }\nbase = 600.0",
        ),
        "^base = 600.0",
        &[
            "authority `deposit_free`",
            "`base` does not apply to a person list (only to points schemes)",
            "expected a key of a person list",
            "valid choices",
            "`grounds`",
            "`initial_share`",
        ],
    );
    assert!(!f.choices().contains("`base`"), "{}", f.message);
    assert!(!f.choices().contains("`legal_rep_list`"), "a firm list's key offered: {}", f.message);
}

// `court_defaulters`, the first authority, has `exit_on_repayment = true` rightly; the firm list
// `market_serious_illegal` has it wrongly. The value is a boolean, read without a span: the
// error is located at the key of the firm list.
#[test]
fn person_list_key_on_a_firm_list_after_a_person_list() {
    let text = crate::china();
    assert!(text.contains("exit_on_repayment = true"), "the preset's court list repays");
    let f = check_err(
        swap(
            "duration_days = 365                        # S:J14",
            "exit_on_repayment = true # firm\nduration_days = 365 # S:J14",
        ),
        "^exit_on_repayment = true # firm",
        &[
            "authority `market_serious_illegal`",
            "`exit_on_repayment` does not apply to a firm list (only to person lists)",
            "valid choices",
            "`legal_rep_list`",
        ],
    );
    for person_only in ["`appeal_rate`", "`initial_share`", "`exit_on_repayment`"] {
        assert!(!f.choices().contains(person_only), "{person_only} offered: {}", f.message);
    }
}

#[test]
fn firm_points_key_on_a_person_points_scheme() {
    check_err(
        swap("base = 1000.0 ", "employee_points = 1.0\nbase = 1000.0 "),
        "^employee_points = 1.0",
        &[
            "authority `rongcheng_points`",
            "`employee_points` does not apply to a person points scheme (only to firm points schemes)",
            "`decay_per_day`",
        ],
    );
}

// A key given as a sub-table header is located at the key in the header.
#[test]
fn key_as_a_sub_table_header() {
    check_err(
        append(
            "[[authority]]\nname = \"probe\"\nsubject = \"person\"\nkind = \"blacklist\"\n\n\
             [authority.points]\ntraffic_violation = 1.0",
        ),
        "[authority.^points]",
        &["authority `probe`", "`points` does not apply to a person list"],
    );
}

// `tax_inspections` and others have `factor` rightly; `samr_publication` (a value shock) has it
// wrongly.
#[test]
fn measure_parameter_its_kind_does_not_use() {
    check_err(
        swap("\nshare = 0.05 ", "\nfactor = 1.5\nshare = 0.05 "),
        "^factor = 1.5",
        &[
            "measure `samr_publication`",
            "`factor` means nothing for a firm `value_shock` measure, which uses `share`",
            "expected a key of a firm `value_shock` measure",
            "valid choices",
            "`perceived_yuan`, `share`",
        ],
    );
    check_err(
        swap("amount = 18770.0 ", "amount = 18770.0\ndaily = 5.0 "),
        "^daily = 5.0",
        &[
            "measure `deposits_frozen`",
            "`daily` means nothing for a person `fine` measure, which uses `amount`",
        ],
    );
    check_err(
        swap("name = \"flight_ban\"", "name = \"flight_ban\"\nprob = 0.5"),
        "^prob = 0.5",
        &["measure `flight_ban`", "person `travel_ban` measure, which uses no parameter"],
    );
}

#[test]
fn policy_change_of_a_listing_period_on_a_points_scheme() {
    check_err(
        append("[[policy_change]]\nday = 3\nauthority = \"sesame\"\nduration_days = 77"),
        "duration_days = ^77",
        &["policy_change of `sesame`: duration_days", "`sesame` is a points scheme", "only to lists"],
    );
    // On a list it is a change.
    let text = format!(
        "{}\n[[policy_change]]\nday = 3\nauthority = \"court_defaulters\"\nduration_days = 77\n",
        crate::china()
    );
    let p = crate::parse_ok(&text).params;
    let scslab_model::params::Change::Authority { duration_days, .. } = p.policy_changes[0].change else {
        panic!("a change of kind `authority`: {:?}", p.policy_changes[0]);
    };
    assert_eq!(duration_days, Some(Some(77)));
}

// ---------------------------------------------------------------------------------------------
// Every key against every kind, on the `none` preset with one table appended.

/// A value of the right type for each key, so that only the key's kind can refuse it.
fn sample(key: &str) -> &'static str {
    match key {
        "name" | "authority" | "legal_rep_list" => "\"x\"",
        "subject" => "\"person\"",
        "kind" => "\"points\"",
        "enabled" | "exit_on_repayment" => "true",
        "detect" | "false_rate" | "points" => "{}",
        "provinces" | "grades" | "grounds" | "measures" | "related_contexts" => "[]",
        "score_rule" => "{ authority = \"x\", below = 1.0 }",
        "new_grade" => "{ name = \"M\", min = 1.0 }",
        "direct_grade" => "{ grade = \"D\", grounds = [] }",
        "warm_start" => "false",
        "duration_days" | "appeal_days" | "repair_after_days" | "days" => "10",
        "delay_mean_days" | "base" | "min" | "max" | "employee_points" | "partner_points" | "amount"
        | "daily" | "factor" | "perceived_yuan" => "1.0",
        "area_share"
        | "consent_share"
        | "decay_per_day"
        | "repair_rate"
        | "appeal_rate"
        | "appeal_success_false"
        | "appeal_success_true"
        | "initial_share"
        | "prob"
        | "share" => "0.1",
        other => panic!("no sample value for key `{other}`: add one"),
    }
}

/// The `none` preset with one authority of `shape` that also has `extra` keys.
fn with_authority(shape: AuthorityShape, extra: &[&str]) -> String {
    let (subject, kind) = match shape {
        AuthorityShape::PersonPoints => ("person", "points"),
        AuthorityShape::FirmPoints => ("firm", "points"),
        AuthorityShape::PersonList => ("person", "blacklist"),
        AuthorityShape::FirmList => ("firm", "redlist"),
    };
    let mut t = format!(
        "{}\n[[authority]]\nname = \"probe\"\nsubject = \"{subject}\"\nkind = \"{kind}\"\n",
        preset_text("none").expect("none")
    );
    if kind == "points" && !extra.contains(&"base") {
        t.push_str("base = 0.0\n");
    }
    for key in extra {
        t.push_str(&format!("{key} = {} # probe\n", sample(key)));
    }
    t
}

#[test]
fn every_authority_key_refused_on_every_shape_it_does_not_apply_to() {
    let mut refused = 0;
    for shape in AuthorityShape::ALL {
        for (key, _) in AUTHORITY_KEYS.iter().filter(|(k, _)| !shape.accepts(k)) {
            let text = with_authority(shape, &[key]);
            check_err_in(
                &text,
                &format!("^{key} = {} # probe", sample(key)),
                &[&format!("`{key}` does not apply to {}", shape.describe()), "valid choices"],
            );
            refused += 1;
        }
    }
    assert!(refused >= 4 * 5, "only {refused} refusals tested");
}

#[test]
fn no_authority_key_refused_on_a_shape_it_applies_to() {
    for shape in AuthorityShape::ALL {
        let keys: Vec<&str> = shape.keys().filter(|k| !["name", "subject", "kind"].contains(k)).collect();
        // Other checks may refuse the sample values together (an unknown `score_rule`
        // authority): never the keys.
        if let Err(e) = parse(&with_authority(shape, &keys), FILE) {
            assert!(!e.to_string().contains("does not apply"), "{shape:?}: {e}");
        }
        for key in keys {
            if let Err(e) = parse(&with_authority(shape, &[key]), FILE) {
                assert!(!e.to_string().contains("does not apply"), "{shape:?} {key}: {e}");
            }
        }
    }
}

#[test]
fn every_measure_parameter_refused_on_every_kind_that_does_not_use_it() {
    let kinds = PERSON_MEASURE_KINDS
        .iter()
        .map(|k| ("person", k.0, MeasureEffect::Person(k.1)))
        .chain(FIRM_MEASURE_KINDS.iter().map(|k| ("firm", k.0, MeasureEffect::Firm(k.1))));
    for (subject, kind, effect) in kinds {
        let uses = measure_parameters(effect);
        for key in MEASURE_PARAMETERS {
            let text = format!(
                "{}\n[[measure]]\nname = \"probe\"\nauthority = \"a\"\nsubject = \"{subject}\"\nkind = \
                 \"{kind}\"\ncontext = \"{}\"\nperceived_yuan = 1.0\n{key} = {} # probe\n",
                preset_text("none").expect("none"),
                CONTEXTS[0].0,
                sample(key)
            );
            if uses.contains(&key) {
                let s = crate::parse_ok(&text);
                assert_eq!(s.params.measures.len(), 1, "{subject} {kind} {key}");
            } else {
                check_err_in(
                    &text,
                    &format!("^{key} = {} # probe", sample(key)),
                    &[&format!("`{key}` means nothing for a {subject} `{kind}` measure"), "valid choices"],
                );
            }
        }
    }
}

#[test]
fn subject_decides_the_shape() {
    let refused =
        |subject: Subject| AuthorityShape::of(subject, "redlist").expect("a kind").accepts("appeal_rate");
    assert!(refused(Subject::Person));
    assert!(!refused(Subject::Firm));
    match parse(&with_authority(AuthorityShape::FirmList, &["appeal_rate"]), FILE) {
        Err(ScenarioError::Invalid { message, .. }) => assert!(message.contains("a firm list"), "{message}"),
        other => panic!("expected Invalid, found {other:?}"),
    }
}
