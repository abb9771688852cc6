//! The behaviour theories' keys: `[behaviour] theory` and the `[expression]` and `[reputation]`
//! tables, each refusal located at the offending key or value with the valid choices.

use scslab_model::theory::Theory;
use scslab_model::theory::expression::{Desired, Punishment};
use scslab_model::theory::reputation::{Assessment, Norm};
use scslab_scenario::{Overrides, ScenarioError, apply_overrides, preset_text};

use crate::{check_err_in, china, parse_ok, replace_once};

const EXPRESSION: &str = "[expression]\nboldness = 1.0\ntolerance = 0.25\nseverity = 0.6\n\
                          surveillance = 0.2\npunishment = \"uniform\"\n";

/// china-2020 under `theory`, with `table` appended.
fn with_theory(base: &str, theory: &str, table: &str) -> String {
    let t = replace_once(base, "[behaviour]\n", &format!("[behaviour]\ntheory = \"{theory}\"\n"));
    format!("{t}\n{table}")
}

/// The `none` preset at `people` under the reputation theory with `table`.
fn reputation(people: u64, table: &str) -> String {
    let none = preset_text("none").expect("none");
    let sized = replace_once(none, "people = 1000000 ", &format!("people = {people} "));
    with_theory(&sized, "reputation", table)
}

const REPUTATION: &str = "[reputation]\nnorm = \"stern_judging\"\nassessment = \"private\"\n\
                          empathy = 0.0\nbenefit = 2.0\ncost = 1.0\nexecution_error = 0.02\n\
                          assessment_error = 0.02\nstrategy_mutation = 0.001\nselection_strength = 1.0\n";

#[test]
fn deterrence_is_the_default_and_can_be_named() {
    assert!(matches!(parse_ok(china()).params.theory, Theory::Deterrence));
    let named = replace_once(china(), "[behaviour]\n", "[behaviour]\ntheory = \"deterrence\"\n");
    assert!(matches!(parse_ok(&named).params.theory, Theory::Deterrence));
}

#[test]
fn an_unknown_theory_lists_the_theories() {
    let t = replace_once(china(), "[behaviour]\n", "[behaviour]\ntheory = \"nudge\"\n");
    let f = check_err_in(&t, "theory = ^\"nudge\"", &["behaviour.theory", "unknown theory `nudge`"]);
    assert!(f.choices().contains("`deterrence`, `expression`, `reputation`"), "{}", f.message);
}

#[test]
fn the_expression_table_is_read() {
    let t = with_theory(china(), "expression", &format!("{EXPRESSION}authority = \"regime\"\n"));
    let Theory::Expression(x) = parse_ok(&t).params.theory else { panic!("expression theory") };
    assert_eq!(
        (x.boldness, x.policy.tolerance, x.policy.severity, x.policy.surveillance),
        (1.0, 0.25, 0.6, 0.2)
    );
    assert_eq!(x.policy.punishment, Punishment::Uniform);
    assert!(x.regime && x.adaptive.is_none() && x.desired == Desired::Trait);

    let adaptive =
        with_theory(china(), "expression", &format!("{EXPRESSION}adaptive = true\nadamancy = 2.0\n"));
    let Theory::Expression(x) = parse_ok(&adaptive).params.theory else { panic!("expression theory") };
    let a = x.adaptive.expect("adaptive");
    assert_eq!((a.adamancy, a.step), (2.0, 0.05), "adamancy given, step the paper's default");

    let exp = with_theory(china(), "expression", &format!("{EXPRESSION}desired = \"exponential\"\n"));
    let Theory::Expression(x) = parse_ok(&exp).params.theory else { panic!("expression theory") };
    let Desired::Exponential(d) = x.desired else { panic!("exponential desired dissent") };
    // The mean of china-2020's dissent trait.
    assert!((d.mean() - 0.35).abs() < 1e-9, "mean {}", d.mean());
}

#[test]
fn a_theory_without_its_table_is_refused_at_the_theory() {
    let t = replace_once(china(), "[behaviour]\n", "[behaviour]\ntheory = \"expression\"\n");
    check_err_in(&t, "theory = ^\"expression\"", &["needs an [expression] table", "boldness"]);
}

#[test]
fn a_table_of_another_theory_is_refused_at_the_table() {
    let t = format!("{}\n{EXPRESSION}", china());
    check_err_in(
        &t,
        "[expression]",
        &["[expression]: read only when behaviour.theory = \"expression\"", "\"deterrence\""],
    );
    let t = with_theory(china(), "expression", &format!("{EXPRESSION}\n{REPUTATION}"));
    check_err_in(&t, "[reputation]", &["read only when behaviour.theory = \"reputation\""]);
}

#[test]
fn expression_values_are_checked_at_the_value() {
    let bad = |old: &str, new: &str| with_theory(china(), "expression", &replace_once(EXPRESSION, old, new));
    check_err_in(
        &bad("punishment = \"uniform\"", "punishment = \"capital\""),
        "punishment = ^\"capital\"",
        &["expression.punishment", "valid choices: `uniform`, `proportional`"],
    );
    check_err_in(
        &bad("severity = 0.6", "severity = 0.0"),
        "severity = ^0.0",
        &["expression.severity", "> 0"],
    );
    check_err_in(
        &bad("tolerance = 0.25", "tolerance = 1.5"),
        "tolerance = ^1.5",
        &["expression.tolerance", "probability"],
    );
    check_err_in(&bad("boldness = 1.0", "boldness = -1.0"), "boldness = ^-1.0", &["expression.boldness"]);
    let t = with_theory(china(), "expression", &format!("{EXPRESSION}authority = \"party\"\n"));
    check_err_in(&t, "authority = ^\"party\"", &["valid choices: `own`, `regime`"]);
    let t = with_theory(china(), "expression", &format!("{EXPRESSION}desired = \"normal\"\n"));
    check_err_in(&t, "desired = ^\"normal\"", &["valid choices: `trait`, `exponential`"]);
}

#[test]
fn an_adaptive_authority_and_its_keys_are_consistent() {
    let t =
        with_theory(china(), "expression", &format!("{EXPRESSION}authority = \"regime\"\nadaptive = true\n"));
    check_err_in(&t, "adaptive = ^true", &["expression.adaptive", "regime"]);
    let t = with_theory(china(), "expression", &format!("{EXPRESSION}adaptive_step = 0.1\n"));
    check_err_in(&t, "adaptive_step = ^0.1", &["applies only to an adaptive authority"]);
    let t = with_theory(china(), "expression", &format!("{EXPRESSION}adaptive = true\nadamancy = 0.0\n"));
    check_err_in(&t, "adamancy = ^0.0", &["expression.adamancy", "> 0"]);
}

#[test]
fn an_unknown_expression_key_lists_the_keys() {
    let t = with_theory(china(), "expression", &format!("{EXPRESSION}boldnes = 2.0\n"));
    check_err_in(&t, "boldnes = 2.0", &["unknown field `boldnes`", "`boldness`"]);
}

#[test]
fn the_reputation_table_is_read() {
    let Theory::Reputation(r) = parse_ok(&reputation(2000, REPUTATION)).params.theory else {
        panic!("reputation theory")
    };
    assert_eq!((r.norm, r.assessment), (Norm::SternJudging, Assessment::Private));
    assert_eq!((r.benefit, r.cost, r.execution_error, r.selection_strength), (2.0, 1.0, 0.02, 1.0));
    assert!(r.institution_list.is_none());

    let inst = REPUTATION.replace("\"private\"", "\"institution\"")
        + "institution_size = 10\ninstitution_quorum = 6\nadherence = 0.5\n";
    let Theory::Reputation(r) = parse_ok(&reputation(2000, &inst)).params.theory else {
        panic!("reputation")
    };
    assert_eq!(
        (r.assessment, r.institution_size, r.institution_quorum, r.adherence),
        (Assessment::Institution, 10, 6, 0.5)
    );
}

#[test]
fn reputation_values_are_checked_at_the_value() {
    let t = reputation(2000, &REPUTATION.replace("\"stern_judging\"", "\"golden_rule\""));
    let f = check_err_in(&t, "norm = ^\"golden_rule\"", &["reputation.norm"]);
    assert!(
        f.choices().contains("`stern_judging`, `simple_standing`, `scoring`, `shunning`"),
        "{}",
        f.message
    );
    let t = reputation(2000, &REPUTATION.replace("empathy = 0.0", "empathy = 2.0"));
    check_err_in(&t, "empathy = ^2.0", &["reputation.empathy", "probability"]);
    let t = reputation(2000, &REPUTATION.replace("benefit = 2.0", "benefit = 0.0"));
    check_err_in(&t, "benefit = ^0.0", &["reputation.benefit", "> 0"]);
    // Under private assessment the institution's keys mean nothing.
    let t = reputation(2000, &format!("{REPUTATION}adherence = 0.5\n"));
    check_err_in(
        &t,
        "adherence = ^0.5",
        &["reputation.adherence", "applies only to assessment = \"institution\""],
    );
    // An institution needs its size and quorum, the quorum within the size.
    let inst = REPUTATION.replace("\"private\"", "\"institution\"");
    check_err_in(
        &reputation(2000, &inst),
        "assessment = ^\"institution\"",
        &["institution_size", "required"],
    );
    let t = reputation(2000, &format!("{inst}institution_size = 5\ninstitution_quorum = 6\n"));
    check_err_in(
        &t,
        "institution_quorum = ^6",
        &["reputation.institution_quorum", "1 to institution_size (5)"],
    );
}

#[test]
fn the_institution_list_must_be_a_person_blacklist() {
    // china-2020 at a size the game accepts.
    let small = replace_once(china(), "people = 1000000 ", "people = 2000 ");
    let inst = REPUTATION.replace("\"private\"", "\"institution\"");
    let ok = with_theory(&small, "reputation", &format!("{inst}institution_list = \"court_defaulters\"\n"));
    let Theory::Reputation(r) = parse_ok(&ok).params.theory else { panic!("reputation") };
    let params = parse_ok(&ok).params;
    assert_eq!(params.authorities[r.institution_list.expect("a list")].name, "court_defaulters");

    let bad = with_theory(&small, "reputation", &format!("{inst}institution_list = \"nobody\"\n"));
    let f = check_err_in(&bad, "institution_list = ^\"nobody\"", &["`nobody` is not a person blacklist"]);
    assert!(f.choices().contains("`court_defaulters`"), "{}", f.message);
    let none = reputation(2000, &format!("{inst}institution_list = \"x\"\n"));
    check_err_in(&none, "institution_list = ^\"x\"", &["the scenario has no person blacklist"]);
}

#[test]
fn the_reputation_game_refuses_large_populations() {
    check_err_in(
        &reputation(2001, REPUTATION),
        "people = ^2001",
        &["at most 2000 people", "reputation.players"],
    );
    let mut params = parse_ok(&reputation(2000, REPUTATION)).params;
    let err = apply_overrides(&mut params, Overrides { people: Some(1_000_000), ..Overrides::default() })
        .expect_err("a million players refused");
    let ScenarioError::Override { what, message } = err else { panic!("an override error: {err:?}") };
    assert_eq!(what, "--people");
    assert!(message.contains("at most 2000 people"), "{message}");
    apply_overrides(&mut params, Overrides { people: Some(2000), ..Overrides::default() })
        .expect("2000 accepted");
    // With a number of players, the population may be larger: only the first adults play.
    let mut big = parse_ok(&reputation(100_000, &format!("{REPUTATION}players = 500\n"))).params;
    apply_overrides(&mut big, Overrides { people: Some(1_000_000), ..Overrides::default() })
        .expect("players set");
    let t = reputation(2000, &format!("{REPUTATION}players = 2001\n"));
    check_err_in(&t, "players = ^2001", &["reputation.players", "2 to 2000"]);
}
