//! Issue 12: names that become paths, bounded values with located errors, long lines and deep
//! nesting. Each test fails on the code before the issue.
//!
//! See: issue 12, "Safe output folders, bounded inputs, and results a lay reader can't misread".

use scslab_scenario::{
    MAX_NAME_CHARS, MAX_PERSON_YUAN, MAX_VALUE_YUAN, Overrides, PRESETS, ScenarioError, apply_overrides,
    is_safe_name, parse, preset, preset_text,
};

use crate::{FILE, append, check_err, check_err_in, china, locate, parse_ok, replace_once, swap};

/// The ant-group-2020 preset, whose intervention is on day 307.
fn ant() -> &'static str {
    preset_text("ant-group-2020").expect("ant-group-2020")
}

/// The china-2020 text with `name = "china-2020"` replaced by `name = VALUE` (VALUE as written).
fn with_name(value: &str) -> String {
    replace_once(china(), "name = \"china-2020\"", &format!("name = {value}"))
}

// ---------------------------------------------------------------------------------------------
// Names that become paths.

#[test]
fn r12_scenario_names_that_could_escape_the_output_folder_are_refused() {
    let long = "a".repeat(MAX_NAME_CHARS + 1);
    for bad in [
        "../../escape",
        "/abs",
        "",
        "a/b",
        "a\\\\b",
        "..",
        ".",
        ".hidden",
        "a..b",
        "Upper",
        "name-",
        "c:x",
        &long,
    ] {
        let value = format!("\"{bad}\"");
        let text = with_name(&value);
        let f = check_err_in(
            &text,
            &format!("name = ^{value}"),
            &["scenario.name", "a short name for the output folder", "a-z, 0-9"],
        );
        assert!(f.message.len() < 400, "message too long: {}", f.message);
    }
}

#[test]
fn r12_safe_scenario_names_are_accepted() {
    let max = "z".repeat(MAX_NAME_CHARS);
    for good in ["a", "7", "china-2020", "x.y_z-1", "run.2", max.as_str()] {
        assert!(is_safe_name(good), "{good}");
        assert_eq!(parse_ok(&with_name(&format!("\"{good}\""))).name, good);
    }
    for (name, _) in PRESETS {
        assert!(is_safe_name(name), "preset {name}");
        assert_eq!(preset(name).expect("preset").name, name);
    }
}

#[test]
fn r12_other_names_are_bounded() {
    let long = "x".repeat(MAX_NAME_CHARS + 1);
    let text = replace_once(china(), "name = \"exec_ban\"", &format!("name = \"{long}\""));
    let text = text.replace("\"exec_ban\"]", &format!("\"{long}\"]"));
    check_err_in(&text, &format!("name = ^\"{long}\""), &["measure.name", "1 to 64 characters"]);
    check_err(
        swap("name = \"exec_ban\"\nauthority = \"SAMR\"", "name = \"exec_ban\"\nauthority = \"SA\\nMR\""),
        "authority = ^\"SA\\nMR\"",
        &["measure `exec_ban`: authority", "without control characters"],
    );
    check_err(
        swap("{ name = \"A\", min = 90.0 }", "{ name = \"\", min = 90.0 }"),
        "{ name = ^\"\", min = 90.0 }",
        &["authority `tax_rating`", "grades.name"],
    );
}

// ---------------------------------------------------------------------------------------------
// Dated events and the horizon.

#[test]
fn r12_intervention_on_or_after_the_horizon_is_refused() {
    let text = replace_once(ant(), "day = 307 ", "day = 366 ");
    check_err_in(
        &text,
        "day = ^366 ",
        &["intervention `ipo_halt_2020`: day", "from 0 to 365", "scenario.days = 366", "found 366"],
    );
    // The last day of the run is a day of the run.
    let text = replace_once(ant(), "day = 307 ", "day = 365 ");
    assert_eq!(parse_ok(&text).params.interventions[0].day, 365);
}

#[test]
fn r12_days_override_before_an_intervention_is_refused() {
    let mut p = preset("ant-group-2020").expect("ant-group-2020").params;
    let before = format!("{p:?}");
    let e = apply_overrides(&mut p, Overrides { days: Some(300), people: Some(1000), seed: None })
        .expect_err("the run would end before the intervention");
    let ScenarioError::Override { what, message } = &e else { panic!("expected Override, found {e:?}") };
    assert_eq!(*what, "--days");
    for frag in ["expected at least 308, found 300", "intervention `ipo_halt_2020`", "intervention.day = 307"]
    {
        assert!(message.contains(frag), "`{message}` lacks `{frag}`");
    }
    assert_eq!(format!("{p:?}"), before, "a refused override changed the parameters");
    apply_overrides(&mut p, Overrides { days: Some(308), ..Default::default() }).expect("day 307 is run");
    assert_eq!(p.days, 308);
}

#[test]
fn r12_days_override_before_a_policy_change_is_refused() {
    let text = append("[[policy_change]]\nday = 200\nauthority = \"sesame\"\nenabled = false")(china());
    let mut p = parse_ok(&text).params;
    let e = apply_overrides(&mut p, Overrides { days: Some(100), ..Default::default() }).expect_err("late");
    let shown = e.to_string();
    for frag in [
        "--days: expected at least 201, found 100",
        "policy change of authority `sesame`",
        "policy_change.day = 200",
    ] {
        assert!(shown.contains(frag), "`{shown}` lacks `{frag}`");
    }
}

#[test]
fn r12_policy_changes_are_bounded() {
    check_err(
        append("[[policy_change]]\nday = 366\nauthority = \"sesame\"\nenabled = false"),
        "day = ^366\nauthority = \"sesame\"",
        &["policy_change of `sesame`: day", "from 0 to 365"],
    );
    let twice = "[[policy_change]]\nday = 10\nauthority = \"sesame\"\nenabled = false\n\n\
                 [[policy_change]]\nday = 10\nauthority = \"sesame\"\ndetection_scale = 2.0";
    check_err(
        append(twice),
        "day = ^10\nauthority = \"sesame\"\ndetection_scale",
        &["already changes on day 10"],
    );
    check_err(
        append("[[policy_change]]\nday = 10\nauthority = \"deposit_free\""),
        "authority = ^\"deposit_free\"",
        &["changes nothing", "`enabled`"],
    );
    check_err(
        append("[[policy_change]]\nday = 10\nauthority = \"sesame\"\ndetection_scale = -1.0"),
        "detection_scale = ^-1.0",
        &["detection_scale", ">= 0"],
    );
}

// ---------------------------------------------------------------------------------------------
// Interventions: money and duplicates.

const IV: &str = "[[intervention]]\nname = \"second\"\nday = 100\nplatform = 1\nipo_halt_value_share = 0.3\n\
                  fine_yuan = 1000.0\nrestructure_value_share = 0.2\nfounder_withdraws = false\nleaders_fear = 0.5";

#[test]
fn r12_negative_or_absurd_fine_is_refused() {
    let text = replace_once(ant(), "fine_yuan = 7123000000.0 ", "fine_yuan = -7123000000.0 ");
    check_err_in(
        &text,
        "fine_yuan = ^-7123000000.0",
        &["intervention `ipo_halt_2020`: fine_yuan", "yuan from 0 to 1e13", "found -7123000000"],
    );
    let text = replace_once(ant(), "fine_yuan = 7123000000.0 ", "fine_yuan = 1e20 ");
    check_err_in(&text, "fine_yuan = ^1e20", &["fine_yuan", "1e13"]);
    // The bound itself is accepted.
    let text = replace_once(ant(), "fine_yuan = 7123000000.0 ", &format!("fine_yuan = {MAX_VALUE_YUAN:e} "));
    assert_eq!(parse_ok(&text).params.interventions[0].fine_yuan, MAX_VALUE_YUAN);
}

#[test]
fn r12_duplicated_interventions_are_refused() {
    let ok = format!("{}\n{IV}\n", ant());
    assert_eq!(parse_ok(&ok).params.interventions.len(), 2);
    // The same name twice.
    let text = format!("{}\n{}\n", ant(), IV.replace("\"second\"", "\"ipo_halt_2020\""));
    let (line, _) = locate(&text, "name = \"ipo_halt_2020\"\nday = 100");
    match parse(&text, FILE) {
        Err(ScenarioError::Invalid { line: l, message, .. }) => {
            assert_eq!(l, line, "{message}");
            assert!(message.contains("`ipo_halt_2020` is defined twice"), "{message}");
        }
        other => panic!("expected Invalid, found {other:?}"),
    }
    // The same platform on the same day.
    let text = format!(
        "{}\n{}\n",
        ant(),
        IV.replace("day = 100", "day = 307").replace("platform = 1", "platform = 0")
    );
    check_err_in(
        &text,
        "day = ^307\nplatform = 0\nipo_halt_value_share = 0.3\nfine_yuan = 1000.0",
        &["intervention `second`: day", "duplicates intervention `ipo_halt_2020`", "platform 0 and day 307"],
    );
}

// ---------------------------------------------------------------------------------------------
// Grades.

#[test]
fn r12_grades_out_of_order_are_refused() {
    check_err(
        swap(
            "{ name = \"B\", min = 70.0 }, { name = \"C\", min = 40.0 }, { name = \"D\", min = 0.0 }]  # S:T4",
            "{ name = \"B\", min = 95.0 }, { name = \"C\", min = 40.0 }, { name = \"D\", min = 0.0 }]  # S:T4",
        ),
        "{ name = \"B\", min = ^95.0 }",
        &["authority `tax_rating`", "grade `B`", "highest to the lowest", "not below 90 of grade `A`"],
    );
    check_err(
        swap(
            "{ name = \"C\", min = 40.0 }, { name = \"D\", min = 0.0 }]  # S:T4",
            "{ name = \"C\", min = 40.0 }, { name = \"D\", min = 40.0 }]  # S:T4",
        ),
        "{ name = \"D\", min = ^40.0 }]  # S:T4",
        &["grade `D`", "highest to the lowest"],
    );
    check_err(
        swap("{ name = \"D\", min = 0.0 }]  # S:T4", "{ name = \"D\", min = -10.0 }]  # S:T4"),
        "{ name = \"D\", min = ^-10.0 }]  # S:T4",
        &["grade `D`", "between the scheme's min 0 and max 100"],
    );
    check_err(
        swap("{ name = \"D\", min = 0.0 }]  # S:T4", "{ name = \"A\", min = 0.0 }]  # S:T4"),
        "{ name = ^\"A\", min = 0.0 }]  # S:T4",
        &["grade `A` is listed twice"],
    );
}

// ---------------------------------------------------------------------------------------------
// Shares, amounts and counts, each located at the offending element.

#[test]
fn r12_a_negative_share_is_located_at_the_share() {
    let f = check_err(
        swap("age_shares = [0.1795, 0.6335, 0.1870]", "age_shares = [-0.2, 1.0, 0.2]"),
        "age_shares = [^-0.2, 1.0, 0.2]",
        &["population.age_shares", "0-14", "found -0.2"],
    );
    assert!(f.message.contains("between 0 and 1"), "{}", f.message);
    check_err(
        swap("sector_shares = [0.298, 0.150, 0.117, 0.435]", "sector_shares = [0.298, 0.150, 1.117, 0.435]"),
        "sector_shares = [0.298, 0.150, ^1.117",
        &["population.sector_shares", "found 1.117"],
    );
}

#[test]
fn r12_amounts_of_money_are_bounded_and_located() {
    check_err(
        swap(
            "daily_income = [27.0, 56.0, 90.0, 141.0, 275.0]",
            "daily_income = [27.0, 56.0, 90.0, 141.0, 2e9]",
        ),
        "141.0, ^2e9]",
        &["population.daily_income (quintile 5)", "1e9"],
    );
    check_err(
        swap("platform_value = 2.16e12 ", "platform_value = 2.16e14 "),
        "platform_value = ^2.16e14",
        &["population.platform_value", "1e13"],
    );
    check_err(
        swap("amount = 18770.0 ", "amount = -18770.0 "),
        "amount = ^-18770.0",
        &["amount", "yuan from 0"],
    );
    check_err(
        swap("partner_penalty_yuan = 10000.0", "partner_penalty_yuan = -1.0"),
        "partner_penalty_yuan = ^-1.0",
        &["network.partner_penalty_yuan", "yuan from 0"],
    );
    check_err(
        swap(
            "perceived_yuan = 3000.0\n\n[[measure]]\nname = \"hsr_ban\"",
            "perceived_yuan = -3000.0\n\n[[measure]]\nname = \"hsr_ban\"",
        ),
        "perceived_yuan = ^-3000.0",
        &["perceived_yuan", "yuan from 0"],
    );
    let text = replace_once(china(), "amount = 18770.0 ", &format!("amount = {MAX_PERSON_YUAN:e} "));
    assert!(parse_ok(&text).params.measures.iter().any(|m| m.amount == MAX_PERSON_YUAN));
}

#[test]
fn r12_days_and_factors_are_bounded_and_located() {
    check_err(
        swap("initial_wealth_days = 365.0 ", "initial_wealth_days = 1e12 "),
        "initial_wealth_days = ^1e12",
        &["population.initial_wealth_days", "36500"],
    );
    check_err(
        swap("delay_mean_days = 30 ", "delay_mean_days = 1e9 "),
        "delay_mean_days = ^1e9",
        &["delay_mean_days", "36500"],
    );
    check_err(
        swap("factor = 2.0                    # A (D-rated", "factor = -2.0 # A (D-rated"),
        "factor = ^-2.0",
        &["measure `tax_inspections`: factor", ">= 0"],
    );
    check_err(
        swap("schedule = [[0, 0.8], [365, 0.9]]", "schedule = [[0, 0.8], [365, 1.9]]"),
        "schedule = [[0, 0.8], ^[365, 1.9]]",
        &["rollout.schedule", "coverage 1.9"],
    );
    check_err(
        swap("schedule = [[0, 0.8], [365, 0.9]]", "schedule = [[0, 0.8], [99999, 0.9]]"),
        "schedule = [[0, 0.8], ^[99999, 0.9]]",
        &["rollout.schedule", "day 99999"],
    );
    check_err(
        swap("law_abidance = { mean = 0.6, spread = 0.35 }", "law_abidance = { mean = 0.6, spread = -0.35 }"),
        "law_abidance = { mean = 0.6, spread = ^-0.35 }",
        &["behaviour.law_abidance.spread", "between 0 and 1"],
    );
}

#[test]
fn r12_names_listed_twice_are_refused() {
    check_err(
        swap("measures = [\"exec_ban\"]", "measures = [\"exec_ban\", \"exec_ban\"]"),
        "measures = [\"exec_ban\", ^\"exec_ban\"]",
        &["authority `restricted_executives`: measures", "`exec_ban` is listed twice"],
    );
    check_err(
        swap("measures = [\"financing_limits\"]", "measures = [\"financing_limits\", \"financing_limits\"]"),
        "measures = [\"financing_limits\", ^\"financing_limits\"]",
        &["memorandum", "`financing_limits` is listed twice"],
    );
    check_err(
        swap("\"Guangdong\", \"Beijing\"]", "\"Guangdong\", \"Zhejiang\"]"),
        "\"Guangdong\", ^\"Zhejiang\"]",
        &["population.platform_provinces", "`Zhejiang` is listed twice"],
    );
}

// ---------------------------------------------------------------------------------------------
// Long lines and deep nesting.

#[test]
fn r12_a_long_value_is_not_quoted_whole() {
    let long = "x".repeat(10_000);
    for (old, new, marker) in [
        ("urban_share = 0.6389", format!("urban_share = \"{long}\""), "urban_share = ^\""),
        ("name = \"china-2020\"", format!("name = \"{long}\""), "name = ^\"xxx"),
        ("detect = { judgment_default = 0.9 }", format!("detect = {{ {long} = 0.9 }}"), "detect = { ^xxx"),
    ] {
        let text = replace_once(china(), old, &new);
        let f = check_err_in(&text, marker, &["..."]);
        assert!(f.message.chars().count() < 600, "{} chars: {}", f.message.len(), &f.message[..200]);
        let e = parse(&text, FILE).expect_err("refused");
        assert!(e.to_string().chars().count() < 700);
    }
}

/// A document whose line `line` holds `nested`, with valid text around it.
fn nested_in_china(nested: &str) -> String {
    replace_once(china(), "[network]", &format!("{nested}\n\n[network]"))
}

#[test]
fn r12_a_deep_table_header_is_located_at_the_header() {
    let header = format!("[{}a]", "a.".repeat(4_999));
    let text = nested_in_china(&header);
    let (want, _) = locate(&text, &header);
    match parse(&text, FILE) {
        Err(ScenarioError::Invalid { line, message, .. }) => {
            assert_eq!(line, want, "{message}");
            assert!(message.chars().count() < 600, "{message}");
        }
        other => panic!("expected Invalid, found {other:?}"),
    }
}

#[test]
fn r12_deeply_nested_values_are_located_at_their_key() {
    for nested in [
        format!("deep = {}1{}", "[".repeat(5_000), "]".repeat(5_000)),
        format!("deep = {}1{}", "{ a = ".repeat(5_000), " }".repeat(5_000)),
        format!("deep = {}", "[".repeat(5_000)),
    ] {
        let text = nested_in_china(&nested);
        let (want, _) = locate(&text, &nested);
        match parse(&text, FILE) {
            Err(ScenarioError::Invalid { line, message, .. }) => {
                assert_eq!(line, want, "{message}");
                assert!(message.chars().count() < 600, "{message}");
            }
            other => panic!("expected Invalid, found {other:?}"),
        }
    }
}
