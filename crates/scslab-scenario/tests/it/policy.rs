//! `[[policy_change]]` (issue 16, item 4b): dates, kinds of change, their targets and keys.
//! Each refused change is located at the offending key or value and says what was expected.

use scslab_model::params::{AuthorityKind, Change};

use crate::{append, check_err, check_err_in, china, parse_ok, replace_once};

/// The china-2020 text (day 0 = 2020-01-01, 365 days) with `extra` appended.
fn with(extra: &str) -> String {
    format!("{}\n{extra}\n", china())
}

fn index_of(p: &scslab_model::params::Params, name: &str) -> usize {
    p.authorities.iter().position(|a| a.name == name).expect("an authority of china-2020")
}

#[test]
fn a_date_is_a_day_counted_from_the_start_date() {
    let p =
        parse_ok(&with("[[policy_change]]\ndate = \"2020-03-01\"\nauthority = \"sesame\"\nenabled = false"))
            .params;
    // 2020 is a leap year: January 31 days, February 29.
    assert_eq!(p.policy_changes[0].day, 31 + 29);
    let last =
        parse_ok(&with("[[policy_change]]\ndate = \"2020-12-30\"\nauthority = \"sesame\"\nenabled = false"));
    assert_eq!(last.params.policy_changes[0].day, 364);
}

#[test]
fn a_date_needs_a_start_date() {
    let text = replace_once(
        &with("[[policy_change]]\ndate = \"2020-03-01\"\nauthority = \"sesame\"\nenabled = false"),
        "start_date = \"2020-01-01\"",
        "",
    );
    check_err_in(
        &text,
        "date = ^\"2020-03-01\"",
        &["policy_change of `sesame`: date", "`[scenario] start_date`", "give the change a `day` instead"],
    );
}

#[test]
fn a_date_outside_the_run_is_refused() {
    for date in ["2019-12-31", "2021-01-01", "2031-01-01"] {
        check_err(
            append(format!("[[policy_change]]\ndate = \"{date}\"\nauthority = \"sesame\"\nenabled = false")),
            &format!("date = ^\"{date}\""),
            &["expected a date of the run, from 2020-01-01 (day 0) to 2020-12-31 (day 365)", date],
        );
    }
    check_err(
        append("[[policy_change]]\ndate = \"2020-02-30\"\nauthority = \"sesame\"\nenabled = false"),
        "date = ^\"2020-02-30\"",
        &["expected a calendar date as YYYY-MM-DD", "2020-02-30"],
    );
}

#[test]
fn a_change_has_a_day_or_a_date_never_both() {
    check_err(
        append("[[policy_change]]\nday = 3\ndate = \"2020-03-01\"\nauthority = \"sesame\"\nenabled = false"),
        "date = ^\"2020-03-01\"",
        &["expected either `day` or `date`, found both"],
    );
    check_err(
        append("[[policy_change]]\nauthority = \"sesame\"\nenabled = false"),
        "^authority = \"sesame\"\nenabled = false",
        &["expected `day` (a day of the run) or `date`", "found neither"],
    );
}

#[test]
fn a_dated_change_and_a_day_change_on_the_same_day_are_duplicates() {
    let twice = "[[policy_change]]\nday = 60\nauthority = \"sesame\"\nenabled = false\n\n\
                 [[policy_change]]\ndate = \"2020-03-01\"\nauthority = \"sesame\"\ndetection_scale = 2.0";
    check_err(append(twice), "date = ^\"2020-03-01\"", &["already changes on day 60", "kind `authority`"]);
    // Changes of two kinds of one list on one day set different values: both are kept.
    let two_kinds = "[[policy_change]]\nday = 60\nauthority = \"market_serious_illegal\"\nduration_days = 30\n\n\
                     [[policy_change]]\nday = 60\nkind = \"credit_repair\"\nauthority = \"market_serious_illegal\"\nrepair_rate = 0.5";
    assert_eq!(parse_ok(&with(two_kinds)).params.policy_changes.len(), 2);
}

#[test]
fn an_unknown_kind_lists_the_kinds() {
    let found = check_err(
        append("[[policy_change]]\nday = 3\nkind = \"amnesty\"\nauthority = \"sesame\""),
        "kind = ^\"amnesty\"",
        &["policy_change.kind", "unknown kind of change `amnesty`"],
    );
    assert_eq!(
        found.choices(),
        "valid choices: `authority`, `credit_repair`, `memorandum`, `representatives`"
    );
}

#[test]
fn a_key_of_another_kind_is_refused_with_the_keys_of_this_kind() {
    let found = check_err(
        append("[[policy_change]]\nday = 3\nauthority = \"court_defaulters\"\nrepair_rate = 0.1"),
        "^repair_rate = 0.1",
        &["`repair_rate` is not used by a change of kind `authority` (the default", "kind `credit_repair`"],
    );
    assert!(found.message.contains("`grounds`, `score_below`"), "{}", found.message);
    check_err(
        append(
            "[[policy_change]]\nday = 3\nkind = \"memorandum\"\nauthority = \"court_defaulters\"\nenabled = false",
        ),
        "^authority = \"court_defaulters\"\nenabled",
        &[
            "`authority` is not used by a change of kind `memorandum`",
            "accepts: `kind`, `day`, `date`, `memorandum`",
        ],
    );
}

#[test]
fn credit_repair_needs_a_known_list() {
    let found = check_err(
        append(
            "[[policy_change]]\nday = 3\nkind = \"credit_repair\"\nauthority = \"court_defaulter\"\nrepair_rate = 0.1",
        ),
        "authority = ^\"court_defaulter\"",
        &["policy_change.authority", "unknown list `court_defaulter`"],
    );
    assert!(found.choices().contains("`court_defaulters`"), "{}", found.message);
    assert!(!found.choices().contains("`sesame`"), "a points scheme is no list: {}", found.message);
    check_err(
        append(
            "[[policy_change]]\nday = 3\nkind = \"credit_repair\"\nauthority = \"sesame\"\nrepair_rate = 0.1",
        ),
        "authority = ^\"sesame\"\nrepair_rate",
        &["`sesame` is not a list", "valid choices"],
    );
    check_err(
        append("[[policy_change]]\nday = 3\nkind = \"credit_repair\"\nauthority = \"court_defaulters\""),
        "authority = ^\"court_defaulters\"",
        &["changes nothing", "`repair_rate`, `repair_after_days`"],
    );
    check_err(
        append(
            "[[policy_change]]\nday = 3\nkind = \"credit_repair\"\nauthority = \"court_defaulters\"\nrepair_rate = 1.5",
        ),
        "repair_rate = ^1.5",
        &["repair_rate", "probability"],
    );
    let p = parse_ok(&with(
        "[[policy_change]]\nday = 3\nkind = \"credit_repair\"\nauthority = \"court_defaulters\"\nrepair_after_days = 90",
    ))
    .params;
    let list = index_of(&p, "court_defaulters");
    assert!(matches!(
        p.policy_changes[0].change,
        Change::CreditRepair { list: l, repair_rate: None, repair_after_days: Some(90) } if l == list
    ));
}

#[test]
fn a_memorandum_change_names_a_memorandum_and_switches_it() {
    let found = check_err(
        append("[[policy_change]]\nday = 3\nkind = \"memorandum\"\nmemorandum = \"tax\"\nenabled = false"),
        "memorandum = ^\"tax\"",
        &["unknown memorandum `tax`"],
    );
    assert!(found.choices().contains("`tax_mou`"), "{}", found.message);
    check_err(
        append("[[policy_change]]\nday = 3\nkind = \"memorandum\"\nmemorandum = \"tax_mou\""),
        "memorandum = ^\"tax_mou\"",
        &["changes nothing", "expected `enabled`"],
    );
    // A memorandum can start switched off and come into force on a date.
    let text = replace_once(
        &with(
            "[[policy_change]]\ndate = \"2020-06-01\"\nkind = \"memorandum\"\nmemorandum = \"tax_mou\"\nenabled = true",
        ),
        "name = \"tax_mou\"                    # S:J5",
        "name = \"tax_mou\"\nenabled = false",
    );
    let p = parse_ok(&text).params;
    let m = p.memoranda.iter().position(|m| m.name == "tax_mou").expect("tax_mou");
    assert!(!p.memoranda[m].enabled);
    assert!(
        matches!(p.policy_changes[0].change, Change::Memorandum { memorandum, enabled: true } if memorandum == m)
    );
    assert_eq!(p.policy_changes[0].day, 152);
}

#[test]
fn representatives_change_a_firm_list_that_lists_them() {
    let found = check_err(
        append(
            "[[policy_change]]\nday = 3\nkind = \"representatives\"\nauthority = \"environmental_blacklist\"\nenabled = false",
        ),
        "authority = ^\"environmental_blacklist\"",
        &["`environmental_blacklist` is not a firm list with a `legal_rep_list`"],
    );
    assert_eq!(found.choices(), "valid choices: `tax_d_list`, `market_serious_illegal`");
    let p = parse_ok(&with(
        "[[policy_change]]\ndate = \"2020-01-02\"\nkind = \"representatives\"\nauthority = \"market_serious_illegal\"\nenabled = false\n\n\
         [[policy_change]]\nday = 200\nkind = \"representatives\"\nauthority = \"market_serious_illegal\"\nenabled = true",
    ))
    .params;
    let reps = index_of(&p, "restricted_executives");
    assert!(matches!(p.policy_changes[0].change, Change::Representatives { legal_rep_list: None, .. }));
    assert!(
        matches!(p.policy_changes[1].change, Change::Representatives { legal_rep_list: Some(r), .. } if r == reps),
        "switched on again, to the scenario's list"
    );
}

#[test]
fn a_list_changes_its_grounds_and_thresholds() {
    let p = parse_ok(&with(
        "[[policy_change]]\nday = 5\nauthority = \"court_defaulters\"\ngrounds = [\"judgment_default\", \"loan_default\"]\n\n\
         [[policy_change]]\nday = 5\nauthority = \"deposit_free\"\nscore_at_least = 700.0",
    ))
    .params;
    let events = scslab_model::vocab::PERSON_EVENTS;
    let Change::Authority { grounds: Some(g), .. } = &p.policy_changes[0].change else { panic!("grounds") };
    let named: Vec<&str> = events.iter().zip(g).filter(|(_, on)| **on).map(|(e, _)| e.name).collect();
    assert_eq!(named, ["loan_default", "judgment_default"]);
    assert!(
        matches!(p.policy_changes[1].change, Change::Authority { score_at_least: Some(t), .. } if t == 700.0)
    );
    check_err(
        append(
            "[[policy_change]]\nday = 5\nauthority = \"court_defaulters\"\ngrounds = [\"judgment_default\", \"tax_fraud\"]",
        ),
        "\"judgment_default\", ^\"tax_fraud\"",
        &["unknown event `tax_fraud`", "valid choices"],
    );
    check_err(
        append(
            "[[policy_change]]\nday = 5\nauthority = \"court_defaulters\"\ngrounds = [\"judgment_default\", \"judgment_default\"]",
        ),
        "\"judgment_default\", ^\"judgment_default\"]",
        &["listed twice"],
    );
    let found = check_err(
        append("[[policy_change]]\nday = 5\nauthority = \"court_defaulters\"\nscore_below = 600.0"),
        "score_below = ^600.0",
        &["list `court_defaulters` has no `score_rule`"],
    );
    assert!(found.choices().contains("`deposit_free`"), "{}", found.message);
    check_err(
        append("[[policy_change]]\nday = 5\nauthority = \"sesame\"\ngrounds = [\"littering\"]"),
        "grounds = ^[\"littering\"]",
        &["`sesame` is a points scheme", "only to lists"],
    );
    // Firm lists take firm events.
    check_err(
        append(
            "[[policy_change]]\nday = 5\nauthority = \"market_serious_illegal\"\ngrounds = [\"repayment\"]",
        ),
        "grounds = [^\"repayment\"]",
        &["unknown event `repayment`", "`quality_violation`"],
    );
}

#[test]
fn an_override_that_ends_the_run_before_a_dated_change_is_refused() {
    let mut p = parse_ok(&with(
        "[[policy_change]]\ndate = \"2020-07-01\"\nkind = \"memorandum\"\nmemorandum = \"tax_mou\"\nenabled = false",
    ))
    .params;
    let e = scslab_scenario::apply_overrides(
        &mut p,
        scslab_scenario::Overrides { days: Some(100), ..Default::default() },
    )
    .expect_err("the change is on day 182");
    let shown = e.to_string();
    assert!(shown.contains("memorandum `tax_mou` is on day 182"), "{shown}");
}

#[test]
fn lists_of_the_presets_keep_their_rules_until_a_change() {
    // No preset sets a repair period: it starts at 0 (the dated preset sets it by a change).
    for (name, _) in scslab_scenario::PRESETS {
        for a in &scslab_scenario::preset(name).expect("preset").params.authorities {
            if let AuthorityKind::List(rule) = &a.kind {
                assert_eq!(rule.repair_after_days, 0, "{name}: {}", a.name);
            }
        }
    }
}

#[test]
fn a_list_can_start_with_a_repair_period() {
    let text = replace_once(
        china(),
        "repair_rate = 0.001                        # A (credit repair, S:D4-D6)",
        "repair_rate = 0.001\nrepair_after_days = 30",
    );
    let p = parse_ok(&text).params;
    let AuthorityKind::List(rule) = &p.authorities[index_of(&p, "market_serious_illegal")].kind else {
        panic!("a list")
    };
    assert_eq!(rule.repair_after_days, 30);
    // A points scheme has no repair period.
    check_err(
        crate::swap("decay_per_day = 0.003 ", "decay_per_day = 0.003\nrepair_after_days = 30 "),
        "^repair_after_days = 30",
        &["`repair_after_days`", "points scheme"],
    );
}
