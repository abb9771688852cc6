//! Every kind of refusal: one edit of the china-2020 preset each, checked for file, line, column
//! and message.

use scslab_model::params::{AuthorityKind, Subject};
use scslab_scenario::{MAX_DAYS, MAX_PEOPLE, ScenarioError, parse};

use crate::{FILE, append, check_err, check_err_in, china, locate, parse_ok, replace_once, swap};

// ---------------------------------------------------------------------------------------------
// Keys, types and syntax (reported by the TOML reader).

#[test]
fn unknown_top_level_key() {
    check_err(
        |t| format!("colour = \"red\"\n{t}"),
        "^colour = \"red\"",
        &["unknown field `colour`", "`scenario`"],
    );
}

#[test]
fn unknown_top_level_table() {
    check_err(append("[bogus]\nx = 1"), "[bogus]", &["unknown field `bogus`", "`population`"]);
}

#[test]
fn unknown_key_in_population() {
    check_err(
        swap("urban_share = 0.6389", "urban_share = 0.6389\nrural_share = 0.4"),
        "^rural_share = 0.4",
        &["unknown field `rural_share`", "`urban_share`"],
    );
}

#[test]
fn unknown_key_in_authority() {
    check_err(
        swap("delay_mean_days = 30 ", "delay_days = 30 "),
        "^delay_days = 30",
        &["unknown field `delay_days`", "`delay_mean_days`"],
    );
}

#[test]
fn missing_key() {
    let f = check_err(
        |t| {
            let line = t.lines().find(|l| l.starts_with("urban_share =")).expect("urban_share line");
            replace_once(t, &format!("{line}\n"), "")
        },
        "[population]",
        &["missing field `urban_share`"],
    );
    assert!(f.column >= 1);
}

#[test]
fn string_where_a_number_is_expected() {
    check_err(
        swap("urban_share = 0.6389", "urban_share = \"high\""),
        "urban_share = ^\"high\"",
        &["invalid type", "string", "high"],
    );
    check_err(
        swap("people = 1000000 ", "people = \"many\" "),
        "people = ^\"many\"",
        &["invalid type", "string"],
    );
}

#[test]
fn float_where_an_integer_is_expected() {
    check_err(
        swap("suppliers_per_firm = 4 ", "suppliers_per_firm = 4.5 "),
        "suppliers_per_firm = ^4.5",
        &["invalid type"],
    );
}

#[test]
fn negative_people() {
    check_err(swap("people = 1000000 ", "people = -5 "), "people = ^-5", &["-5"]);
}

#[test]
fn toml_syntax_error_unclosed_bracket() {
    check_err(swap("[network]", "[network"), "[network", &[]);
}

#[test]
fn toml_duplicate_key() {
    check_err(swap("seed = 2020\n", "seed = 2020\nseed = 2021\n"), "seed = 2021", &["duplicate key"]);
}

#[test]
fn character_columns_after_non_ascii_text() {
    // A type error after Chinese text on the same line: the column counts characters, not bytes.
    let f = check_err(
        swap("{ name = \"excellent\", min = 700.0 }", "{ name = \"优秀\", min = \"high\" }"),
        "{ name = \"优秀\", min = ^\"high\" }",
        &["invalid type"],
    );
    let text =
        replace_once(china(), "{ name = \"excellent\", min = 700.0 }", "{ name = \"优秀\", min = \"high\" }");
    let line = text.lines().find(|l| l.contains("优秀")).expect("edited line");
    let byte_column = line.find("\"high\"").expect("value") + 1;
    assert!(
        f.column < byte_column,
        "column {} should count characters (byte column {byte_column})",
        f.column
    );
}

// ---------------------------------------------------------------------------------------------
// Values out of range.

#[test]
fn probability_out_of_range() {
    check_err(
        swap("urban_share = 0.6389", "urban_share = 1.5"),
        "urban_share = ^1.5",
        &["population.urban_share", "probability between 0 and 1", "found 1.5"],
    );
    check_err(
        swap("detect = { judgment_default = 0.9 }", "detect = { judgment_default = 2.0 }"),
        "detect = { judgment_default = ^2.0 }",
        &[
            "authority `court_defaulters`",
            "detect.judgment_default",
            "probability between 0 and 1",
            "found 2",
        ],
    );
    check_err(
        swap("fear_decay = 0.02 ", "fear_decay = -0.1 "),
        "fear_decay = ^-0.1",
        &["behaviour.fear_decay", "between 0 and 1"],
    );
    check_err(
        swap("trust_reward = 0.05 ", "trust_reward = nan "),
        "trust_reward = ^nan",
        &["behaviour.trust_reward", "between 0 and 1"],
    );
    check_err(
        swap("drop_listed_partner = 0.01 ", "drop_listed_partner = 1.01 "),
        "drop_listed_partner = ^1.01",
        &["network.drop_listed_partner", "between 0 and 1"],
    );
    check_err(
        swap("area_share = 0.05 ", "area_share = -0.05 "),
        "area_share = ^-0.05",
        &["rongcheng_points", "area_share", "between 0 and 1"],
    );
}

#[test]
fn nonnegative_value_out_of_range() {
    check_err(
        swap("firms_per_person = 0.0871 ", "firms_per_person = -0.1 "),
        "firms_per_person = ^-0.1",
        &["population.firms_per_person", ">= 0"],
    );
    check_err(
        swap("point_value = 20.0 ", "point_value = inf "),
        "point_value = ^inf",
        &["behaviour.point_value", "finite"],
    );
    check_err(
        swap("delay_mean_days = 30 ", "delay_mean_days = -30 "),
        "delay_mean_days = ^-30",
        &["court_defaulters", "delay_mean_days", ">= 0"],
    );
}

#[test]
fn age_shares_must_sum_to_one() {
    check_err(
        swap("age_shares = [0.1795, 0.6335, 0.1870]", "age_shares = [0.2795, 0.6335, 0.1870]"),
        "age_shares = ^[0.2795",
        &["population.age_shares", "sum to 1", "found sum 1.1"],
    );
    check_err(
        swap("age_shares = [0.1795, 0.6335, 0.1870]", "age_shares = [0.5, 0.5]"),
        "age_shares = ^[0.5, 0.5]",
        &["population.age_shares", "expected 3 shares", "0-14, 15-59, 60+", "found 2"],
    );
}

#[test]
fn other_shares_and_values() {
    check_err(
        swap("sector_shares = [0.298, 0.150, 0.117, 0.435]", "sector_shares = [0.298, 0.150, 0.117, 0.535]"),
        "sector_shares = ^[",
        &["population.sector_shares", "sum to 1"],
    );
    check_err(
        swap(
            "daily_income = [27.0, 56.0, 90.0, 141.0, 275.0]",
            "daily_income = [27.0, 56.0, -90.0, 141.0, 275.0]",
        ),
        "daily_income = [27.0, 56.0, ^-90.0",
        &["population.daily_income (quintile 3)", "yuan from 0", "found -90"],
    );
}

#[test]
fn trait_out_of_range() {
    check_err(
        swap("law_abidance = { mean = 0.6, spread = 0.35 }", "law_abidance = { mean = 1.6, spread = 0.35 }"),
        "law_abidance = { mean = ^1.6",
        &["behaviour.law_abidance", "mean and spread between 0 and 1"],
    );
}

#[test]
fn rollout_schedule_must_increase() {
    check_err(
        swap("schedule = [[0, 0.8], [365, 0.9]]", "schedule = [[365, 0.8], [0, 0.9]]"),
        "schedule = [[365, 0.8], ^[0, 0.9]]",
        &["rollout.schedule", "increasing days"],
    );
}

#[test]
fn people_out_of_range() {
    let max = MAX_PEOPLE.to_string();
    check_err(
        swap("people = 1000000 ", "people = 0 "),
        "people = ^0 ",
        &["scenario.people", &format!("between 1 and {max}"), "found 0"],
    );
    let text = replace_once(china(), "people = 1000000 ", &format!("people = {} ", MAX_PEOPLE + 1));
    check_err_in(
        &text,
        &format!("people = ^{}", MAX_PEOPLE + 1),
        &["scenario.people", &format!("found {}", MAX_PEOPLE + 1)],
    );
    // The bounds themselves are accepted.
    let text = replace_once(china(), "people = 1000000 ", &format!("people = {MAX_PEOPLE} "));
    assert_eq!(parse_ok(&text).params.n_persons, MAX_PEOPLE);
    let text = replace_once(china(), "people = 1000000 ", "people = 1 ");
    assert_eq!(parse_ok(&text).params.n_persons, 1);
}

#[test]
fn days_out_of_range() {
    check_err(swap("\ndays = 366 ", "\ndays = 0 "), "days = ^0 ", &["scenario.days", "found 0"]);
    let text = replace_once(china(), "\ndays = 366 ", &format!("\ndays = {} ", MAX_DAYS + 1));
    check_err_in(
        &text,
        &format!("days = ^{}", MAX_DAYS + 1),
        &["scenario.days", &format!("between 1 and {MAX_DAYS}")],
    );
    let text = replace_once(china(), "\ndays = 366 ", &format!("\ndays = {MAX_DAYS} "));
    assert_eq!(parse_ok(&text).params.days, MAX_DAYS);
}

#[test]
fn suppliers_per_firm_at_most_eight() {
    check_err(
        swap("suppliers_per_firm = 4 ", "suppliers_per_firm = 9 "),
        "suppliers_per_firm = ^9",
        &["network.suppliers_per_firm", "at most 8", "found 9"],
    );
    let text = replace_once(china(), "suppliers_per_firm = 4 ", "suppliers_per_firm = 8 ");
    assert_eq!(parse_ok(&text).params.network.suppliers_per_firm, 8);
}

#[test]
fn employer_concentration_from_one_to_eight() {
    check_err(
        swap("employer_concentration = 3 ", "employer_concentration = 0 "),
        "employer_concentration = ^0",
        &["population.employer_concentration", "found 0"],
    );
    check_err(
        swap("employer_concentration = 3 ", "employer_concentration = 9 "),
        "employer_concentration = ^9",
        &["population.employer_concentration", "found 9"],
    );
}

#[test]
fn points_base_outside_min_max() {
    check_err(
        swap("base = 660.0 ", "base = 990.0 "),
        "base = ^990.0",
        &["authority `sesame`", "min <= base <= max"],
    );
}

// ---------------------------------------------------------------------------------------------
// Names: events, measures, kinds, contexts, provinces, authorities.

#[test]
fn unknown_event_in_detect() {
    let f = check_err(
        swap("detect = { judgment_default = 0.9 }", "detect = { judgement_default = 0.9 }"),
        "detect = { ^judgement_default",
        &[
            "authority `court_defaulters`",
            "detect",
            "unknown event `judgement_default`",
            "valid choices",
            "`judgment_default`",
            "`traffic_violation`",
        ],
    );
    assert!(
        !f.choices().contains("`environmental_violation`"),
        "a person authority offers firm events: {}",
        f.message
    );
}

#[test]
fn unknown_event_in_firm_detect_lists_firm_events() {
    let f = check_err(
        swap(
            "detect = { tax_evasion = 0.3, tax_compliance = 1.0 }",
            "detect = { traffic_violation = 0.3, tax_compliance = 1.0 }",
        ),
        "detect = { ^traffic_violation = 0.3, tax_compliance = 1.0 }",
        &[
            "authority `tax_rating`",
            "unknown event `traffic_violation`",
            "valid choices",
            "`environmental_violation`",
        ],
    );
    assert!(
        !f.choices().contains("`traffic_violation`"),
        "a firm authority offers person events: {}",
        f.message
    );
}

#[test]
fn unknown_event_in_person_rate() {
    check_err(
        swap(
            "{ tax_evasion = 0.0003, traffic_violation = 0.002,",
            "{ tax_evasion = 0.0003, traffic_offence = 0.002,",
        ),
        "tax_evasion = 0.0003, ^traffic_offence",
        &["behaviour.person_rate", "unknown event `traffic_offence`", "valid choices", "`traffic_violation`"],
    );
}

#[test]
fn unknown_event_in_grounds() {
    check_err(
        swap("grounds = [\"environmental_violation\"]", "grounds = [\"pollution\"]"),
        "grounds = [^\"pollution\"]",
        &["environmental_blacklist", "grounds", "unknown event `pollution`", "valid choices"],
    );
}

#[test]
fn unknown_measure_in_authority() {
    check_err(
        swap("measures = [\"exec_ban\"]", "measures = [\"exec_bann\"]"),
        "measures = [^\"exec_bann\"]",
        &["authority `restricted_executives`", "unknown measure `exec_bann`", "valid choices", "`exec_ban`"],
    );
}

#[test]
fn list_measure_of_the_wrong_subject() {
    check_err(
        swap("measures = [\"exec_ban\"]", "measures = [\"invoice_limits\"]"),
        "measures = [^\"invoice_limits\"]",
        &["measure `invoice_limits` acts on firms but the list holds persons"],
    );
}

#[test]
fn memorandum_naming_a_missing_list() {
    check_err(
        swap("list = \"tax_d_list\"", "list = \"tax_d_lists\""),
        "list = ^\"tax_d_lists\"",
        &[
            "memorandum.list",
            "unknown list `tax_d_lists`",
            "valid choices",
            "`tax_d_list`",
            "`court_defaulters`",
        ],
    );
}

// Regression test (bug found by this suite, fixed).
#[test]
fn memorandum_missing_list_offers_only_lists() {
    let f = check_err(
        swap("list = \"tax_d_list\"", "list = \"tax_d_lists\""),
        "list = ^\"tax_d_lists\"",
        &["valid choices", "`tax_d_list`"],
    );
    for points in ["`sesame`", "`rongcheng_points`", "`tax_rating`"] {
        assert!(!f.choices().contains(points), "points scheme {points} offered as a list: {}", f.message);
    }
}

#[test]
fn memorandum_naming_a_points_scheme() {
    let f = check_err(
        swap("list = \"tax_d_list\"", "list = \"tax_rating\""),
        "list = ^\"tax_rating\"",
        &[
            "memorandum.list",
            "`tax_rating` is a points scheme",
            "expected a list",
            "valid choices",
            "`tax_d_list`",
            "`court_defaulters`",
        ],
    );
    assert!(!f.choices().contains("`sesame`"), "points scheme offered as a list: {}", f.message);
}

#[test]
fn memorandum_measures() {
    check_err(
        swap("measures = [\"financing_limits\"]", "measures = [\"financing_limit\"]"),
        "measures = [^\"financing_limit\"]",
        &["memorandum.measures", "unknown measure `financing_limit`", "valid choices", "`financing_limits`"],
    );
    check_err(
        swap("measures = [\"financing_limits\"]", "measures = [\"flight_ban\"]"),
        "measures = [^\"flight_ban\"]",
        &["measure `flight_ban` acts on persons but the list holds firms"],
    );
}

// Regression test (bug found by this suite, fixed).
#[test]
fn subject_mismatch_message_keeps_the_measure_name() {
    let text = china().replace("\"flight_ban\"", "\"Flight_Ban\"");
    let text = replace_once(&text, "measures = [\"financing_limits\"]", "measures = [\"Flight_Ban\"]");
    check_err_in(
        &text,
        "measures = [^\"Flight_Ban\"]",
        &["measure `Flight_Ban` acts on persons but the list holds firms"],
    );
}

#[test]
fn unknown_measure_kind() {
    check_err(
        swap("kind = \"public_shaming\"", "kind = \"public_humiliation\""),
        "kind = ^\"public_humiliation\"",
        &[
            "measure.kind",
            "unknown person measure kind `public_humiliation`",
            "valid choices",
            "`travel_ban`",
            "`public_shaming`",
        ],
    );
}

#[test]
fn measure_kind_of_the_wrong_subject() {
    let f = check_err(
        swap("kind = \"value_shock\"", "kind = \"travel_ban\""),
        "kind = ^\"travel_ban\"\ncontext = \"market\"",
        &[
            "measure.kind",
            "unknown firm measure kind `travel_ban`",
            "valid choices",
            "`value_shock`",
            "`revenue`",
        ],
    );
    assert!(!f.choices().contains("`travel_ban`"), "person kinds offered for a firm measure: {}", f.message);
}

#[test]
fn unknown_measure_subject() {
    check_err(
        swap("subject = \"firm\"\nkind = \"value_shock\"", "subject = \"company\"\nkind = \"value_shock\""),
        "subject = ^\"company\"",
        &["measure.subject", "unknown subject `company`", "`person`, `firm`"],
    );
}

#[test]
fn unknown_authority_kind() {
    check_err(
        swap(
            "subject = \"firm\"\nkind = \"blacklist\"\ndetect = { environmental",
            "subject = \"firm\"\nkind = \"greylist\"\ndetect = { environmental",
        ),
        "kind = ^\"greylist\"",
        &[
            "authority `environmental_blacklist`",
            "unknown kind `greylist`",
            "`points`, `blacklist`, `redlist`",
        ],
    );
}

#[test]
fn unknown_context() {
    check_err(
        swap("context = \"environment\"", "context = \"ecology\""),
        "context = ^\"ecology\"",
        &["measure.context", "unknown context `ecology`", "valid choices", "`environment`", "`tax`"],
    );
    check_err(
        swap("related_contexts = [\"tax\"]", "related_contexts = [\"taxes\"]"),
        "related_contexts = [^\"taxes\"]",
        &["authority `tax_d_list`", "related_contexts", "unknown context `taxes`", "valid choices", "`tax`"],
    );
}

#[test]
fn unknown_province() {
    check_err(
        swap("\"Guangdong\", \"Beijing\"]", "\"Guangdong\", \"Peking\"]"),
        "\"Guangdong\", ^\"Peking\"]",
        &[
            "population.platform_provinces",
            "unknown province `Peking`",
            "valid choices",
            "`Beijing`",
            "`Shandong`",
        ],
    );
    check_err(
        swap("\"Jiangsu\", \"Zhejiang\", \"Fujian\"]", "\"Jiangsu\", \"Chekiang\", \"Fujian\"]"),
        "\"Jiangsu\", ^\"Chekiang\"",
        &[
            "authority `rongcheng_points`",
            "provinces",
            "unknown province `Chekiang`",
            "valid choices",
            "`Zhejiang`",
        ],
    );
}

#[test]
fn province_weights() {
    check_err(
        swap("province_weights = \"census_2020\"", "province_weights = { Shandong = 1.0, Atlantis = 2.0 }"),
        "^province_weights = {",
        &["population.province_weights", "unknown province `Atlantis`", "valid choices", "`Shandong`"],
    );
    check_err(
        swap("province_weights = \"census_2020\"", "province_weights = \"census_2010\""),
        "^province_weights = \"census_2010\"",
        &["population.province_weights", "unknown weights `census_2010`", "valid choices", "`census_2020`"],
    );
    check_err(
        swap("province_weights = \"census_2020\"", "province_weights = { Shandong = -1.0 }"),
        "^province_weights = {",
        &["population.province_weights.Shandong", ">= 0"],
    );
    check_err(
        swap("province_weights = \"census_2020\"", "province_weights = { Shandong = 0.0 }"),
        "^province_weights = {",
        &["population.province_weights", "at least one positive weight"],
    );
    let text = replace_once(
        china(),
        "province_weights = \"census_2020\"",
        "province_weights = { Shandong = 2.0, Jiangsu = 1.0 }",
    );
    let w = parse_ok(&text).params.population.province_weights;
    assert_eq!(w.iter().filter(|&&x| x > 0.0).count(), 2);
    assert_eq!(w.iter().sum::<f64>(), 3.0);
}

// Regression test (bug found by this suite, fixed).
#[test]
fn province_weights_subtable_error_location() {
    let text = china()
        .lines()
        .filter(|l| !l.starts_with("province_weights ="))
        .collect::<Vec<_>>()
        .join("\n")
        .replacen(
            "[behaviour]",
            "[population.province_weights]\nShandong = 1.0\nAtlantis = 2.0\n\n[behaviour]",
            1,
        );
    let (header, _) = locate(&text, "[population.province_weights]");
    let (atlantis, _) = locate(&text, "Atlantis = 2.0");
    match parse(&text, FILE) {
        Err(ScenarioError::Invalid { line, message, .. }) => {
            assert!(message.contains("unknown province `Atlantis`"), "{message}");
            assert!(
                (header..=atlantis).contains(&line),
                "error at line {line}, expected within the sub-table (lines {header}..={atlantis}): {message}"
            );
        }
        other => panic!("expected Invalid, found {other:?}"),
    }
}

#[test]
fn duplicate_authority_names() {
    check_err(
        swap("name = \"environmental_blacklist\"", "name = \"tax_d_list\""),
        "name = ^\"tax_d_list\" # environmental",
        &["authority.name", "`tax_d_list` is defined twice"],
    );
}

#[test]
fn duplicate_measure_names() {
    check_err(
        swap("name = \"env_inspections\"", "name = \"samr_inspections\""),
        "name = ^\"samr_inspections\"\nauthority = \"MEE\"",
        &["measure.name", "`samr_inspections` is defined twice"],
    );
}

#[test]
fn score_rule_naming_a_non_points_authority() {
    let f = check_err(
        swap(
            "score_rule = { authority = \"sesame\", at_least = 650.0 }",
            "score_rule = { authority = \"court_defaulters\", at_least = 650.0 }",
        ),
        "score_rule = { authority = ^\"court_defaulters\"",
        &[
            "authority `deposit_free`",
            "score_rule.authority",
            "`court_defaulters` is not a points scheme of the same subject",
            "valid choices",
            "`sesame`",
            "`rongcheng_points`",
        ],
    );
    assert!(!f.choices().contains("`court_defaulters`"), "{}", f.message);
}

#[test]
fn score_rule_naming_a_points_scheme_of_the_other_subject() {
    let f = check_err(
        swap(
            "score_rule = { authority = \"sesame\", at_least = 650.0 }",
            "score_rule = { authority = \"tax_rating\", at_least = 650.0 }",
        ),
        "score_rule = { authority = ^\"tax_rating\", at_least = 650.0 }",
        &["score_rule.authority", "`tax_rating` is not a points scheme of the same subject", "`sesame`"],
    );
    assert!(!f.choices().contains("`tax_rating`"), "a firm score offered for a person list: {}", f.message);
}

#[test]
fn score_rule_needs_a_threshold() {
    check_err(
        swap(
            "score_rule = { authority = \"sesame\", at_least = 650.0 }",
            "score_rule = { authority = \"sesame\" }",
        ),
        "score_rule = ^{ authority = \"sesame\" }",
        &["authority `deposit_free`", "score_rule needs `below` or `at_least`"],
    );
}

#[test]
fn legal_rep_list_on_a_person_list() {
    let f = check_err(
        swap("measures = [\"exec_ban\"]", "measures = [\"exec_ban\"]\nlegal_rep_list = \"court_defaulters\""),
        "^legal_rep_list = \"court_defaulters\"",
        &[
            "authority `restricted_executives`",
            "`legal_rep_list` does not apply to a person list (only to firm lists)",
            "valid choices",
            "`initial_share`",
        ],
    );
    assert!(!f.choices().contains("`legal_rep_list`"), "{}", f.message);
}

#[test]
fn legal_rep_list_naming_a_points_scheme() {
    let f = check_err(
        swap(
            "legal_rep_list = \"restricted_executives\"   # A (STA",
            "legal_rep_list = \"sesame\"   # A (STA",
        ),
        "legal_rep_list = ^\"sesame\"",
        &[
            "authority `tax_d_list`",
            "legal_rep_list",
            "expected a person list",
            "valid choices",
            "`restricted_executives`",
        ],
    );
    assert!(!f.choices().contains("`sesame`"), "{}", f.message);
}

/// `n` extra blacklists of `subject`, as TOML to append.
fn extra_lists(subject: &str, n: usize) -> String {
    (1..=n)
        .map(|i| {
            format!("[[authority]]\nname = \"extra_{i}\"\nsubject = \"{subject}\"\nkind = \"blacklist\"\n\n")
        })
        .collect()
}

fn count_lists(s: &scslab_scenario::Scenario, subject: Subject) -> usize {
    s.params
        .authorities
        .iter()
        .filter(|a| a.subject == subject && matches!(a.kind, AuthorityKind::List(_)))
        .count()
}

#[test]
fn at_most_eight_lists_per_subject() {
    // china-2020 has 4 person lists and 3 firm lists.
    let base = parse_ok(china());
    let (persons, firms) = (count_lists(&base, Subject::Person), count_lists(&base, Subject::Firm));
    assert!(persons <= 8 && firms <= 8);

    let ok = parse_ok(&append(extra_lists("person", 8 - persons))(china()));
    assert_eq!(count_lists(&ok, Subject::Person), 8);
    check_err(
        append(extra_lists("person", 9 - persons)),
        &format!("name = ^\"extra_{}\"", 9 - persons),
        &["at most 8 lists per subject", "found 9"],
    );
    check_err(
        append(extra_lists("firm", 9 - firms)),
        &format!("name = ^\"extra_{}\"", 9 - firms),
        &["at most 8 lists per subject", "found 9"],
    );
}

#[test]
fn intervention_platform_out_of_range() {
    let iv = "[[intervention]]\nname = \"x\"\nday = 10\nplatform = 3\nipo_halt_value_share = 0.3\nfine_yuan = 1.0\nrestructure_value_share = 0.2\nfounder_withdraws = true\nleaders_fear = 0.5";
    check_err(append(iv), "platform = ^3", &["intervention `x`: platform", "below 3", "found 3"]);
    let ok = parse_ok(&append(iv.replace("platform = 3", "platform = 2"))(china()));
    assert_eq!(ok.params.interventions.len(), 1);
}

#[test]
fn policy_change_unknown_authority() {
    check_err(
        append("[[policy_change]]\nday = 10\nauthority = \"sesam\"\nenabled = false"),
        "authority = ^\"sesam\"",
        &["policy_change.authority", "unknown authority `sesam`", "valid choices", "`sesame`"],
    );
}

// Regression test (bug found by this suite, fixed).
#[test]
fn non_finite_measure_values_are_refused() {
    check_err(swap("daily = 0.1 ", "daily = inf "), "daily = ^inf", &["daily"]);
    check_err(swap("daily = 0.1 ", "daily = nan "), "daily = ^nan", &["daily"]);
    check_err(
        swap(
            "perceived_yuan = 3000.0\n\n[[measure]]\nname = \"hsr_ban\"",
            "perceived_yuan = inf\n\n[[measure]]\nname = \"hsr_ban\"",
        ),
        "perceived_yuan = inf",
        &["perceived_yuan"],
    );
}

// Regression test (bug found by this suite, fixed).
#[test]
fn appeal_days_are_bounded() {
    check_err(
        |t| t.replacen("appeal_days = 60 ", "appeal_days = 4294967295 ", 1),
        "appeal_days = 4294967295",
        &["appeal_days"],
    );
}

/// Numbers read without a span are still checked: a non-finite value is refused, with the line
/// of its key.
#[test]
fn non_finite_values_without_spans_are_refused() {
    let base = scslab_scenario::preset_text("china-2020").unwrap();
    let cases = [
        ("\n[[policy_change]]\nday = 3\nauthority = \"sesame\"\ndetection_scale = inf\n", "detection_scale"),
        ("\n[[policy_change]]\nday = 3\nauthority = \"sesame\"\nduration_days = 99999\n", "duration_days"),
    ];
    for (extra, key) in cases {
        let text = format!("{base}{extra}");
        let err = scslab_scenario::parse(&text, "test.toml").unwrap_err().to_string();
        assert!(err.contains(key), "{err}");
        let line = text[..text.rfind(&format!("{key} =")).unwrap()].matches('\n').count() + 1;
        assert!(err.starts_with(&format!("test.toml:{line}:")), "{err} (expected line {line})");
    }
    let text = base.replace("partner_penalty_yuan = 10000.0", "partner_penalty_yuan = nan");
    let err = scslab_scenario::parse(&text, "test.toml").unwrap_err().to_string();
    assert!(err.contains("partner_penalty_yuan"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Warm start and the travel of listed persons.

/// Replaces the preset's `initial_share` line of the court list.
fn set_initial_share(value: &'static str) -> impl Fn(&str) -> String {
    move |t| {
        let line = t.lines().find(|l| l.starts_with("initial_share")).expect("an initial_share line");
        replace_once(t, line, &format!("initial_share = {value}"))
    }
}

#[test]
fn initial_share_out_of_range() {
    check_err(
        set_initial_share("1.5"),
        "initial_share = ^1.5",
        &["authority `court_defaulters`", "initial_share", "probability between 0 and 1", "found 1.5"],
    );
    check_err(set_initial_share("-0.01"), "initial_share = ^-0.01", &["initial_share", "between 0 and 1"]);
}

#[test]
fn initial_share_only_on_person_lists_with_grounds() {
    // A firm list.
    check_err(
        swap(
            "duration_days = 365                        # S:J14",
            "initial_share = 0.1\nduration_days = 365 # S:J14",
        ),
        "^initial_share = 0.1",
        &[
            "authority `market_serious_illegal`",
            "`initial_share` does not apply to a firm list (only to person lists)",
            "expected a key of a firm list",
            "valid choices",
            "`legal_rep_list`",
        ],
    );
    // A person list without grounds (entered only through firms' listings).
    check_err(
        swap("duration_days = 1095 ", "initial_share = 0.2\nduration_days = 1095 "),
        "initial_share = ^0.2",
        &["authority `restricted_executives`", "only a person list with `grounds`"],
    );
    // A points scheme.
    check_err(
        swap("base = 1000.0 ", "initial_share = 0.3\nbase = 1000.0 "),
        "^initial_share = 0.3",
        &["authority `rongcheng_points`", "`initial_share` does not apply to a person points scheme"],
    );
}

#[test]
fn banned_travel_rates_out_of_range() {
    check_err(
        |t| {
            let line = t.lines().find(|l| l.starts_with("banned_flight_rate")).expect("banned_flight_rate");
            replace_once(t, line, "banned_flight_rate = 1.2")
        },
        "banned_flight_rate = ^1.2",
        &["behaviour.banned_flight_rate", "probability between 0 and 1", "found 1.2"],
    );
    check_err(
        |t| {
            let line = t.lines().find(|l| l.starts_with("banned_train_rate")).expect("banned_train_rate");
            replace_once(t, line, "banned_train_rate = \"often\"")
        },
        "banned_train_rate = ^\"often\"",
        &["invalid type"],
    );
}

// ---------------------------------------------------------------------------------------------
// The annual rating of firm points schemes (issue 16).

#[test]
fn new_grade_must_not_be_one_of_the_bands() {
    check_err(
        swap("new_grade = { name = \"M\", min = 70.0 }", "new_grade = { name = \"B\", min = 70.0 }"),
        "new_grade = { name = ^\"B\"",
        &["authority `tax_rating`", "new_grade", "`B` is one of `grades`"],
    );
}

#[test]
fn new_grade_min_within_the_scheme() {
    check_err(
        swap("new_grade = { name = \"M\", min = 70.0 }", "new_grade = { name = \"M\", min = 170.0 }"),
        "new_grade = { name = \"M\", min = ^170.0",
        &["new_grade.min", "between the scheme's min 0 and max 100"],
    );
}

#[test]
fn direct_grade_names_a_band() {
    check_err(
        swap("direct_grade = { grade = \"D\",", "direct_grade = { grade = \"E\","),
        "direct_grade = { grade = ^\"E\"",
        &["direct_grade.grade: unknown grade `E`", "valid choices", "`A`", "`D`"],
    );
}

#[test]
fn direct_grade_grounds_are_events_of_firms() {
    check_err(
        swap("grounds = [\"tax_evasion\"] }", "grounds = [\"littering\"] }"),
        "grounds = [^\"littering\"] }",
        &["direct_grade.grounds: unknown event `littering`", "tax_compliance"],
    );
}

#[test]
fn rating_keys_need_grades() {
    let text = china().replace(
        "grades = [{ name = \"A\", min = 90.0 }, { name = \"B\", min = 70.0 }, { name = \"C\", min = 40.0 }, { name = \"D\", min = 0.0 }]  # S:T4\n",
        "",
    );
    check_err_in(&text, "new_grade = { name = ^\"M\"", &["new_grade", "expected `grades` beside it"]);
}

#[test]
fn firm_grades_reach_down_to_the_scheme_min() {
    check_err(
        swap(
            "{ name = \"C\", min = 40.0 }, { name = \"D\", min = 0.0 }]  # S:T4",
            "{ name = \"C\", min = 40.0 }, { name = \"D\", min = 10.0 }]  # S:T4",
        ),
        "{ name = \"D\", min = ^10.0 }]  # S:T4",
        &["lowest grade of a firm scheme starts at the scheme's min (0)", "found 10"],
    );
}

#[test]
fn warm_start_needs_decay() {
    check_err(
        swap(
            "decay_per_day = 0.0015                     # A (from one recorded evasion",
            "decay_per_day = 0.0                        # A (from one recorded evasion",
        ),
        "warm_start = ^true",
        &["warm_start", "decay_per_day` above 0"],
    );
}

#[test]
fn rating_keys_apply_to_firm_points_only() {
    check_err(
        swap(
            "decay_per_day = 0.003                      # A\n",
            "decay_per_day = 0.003                      # A\nwarm_start = true # person\n",
        ),
        "^warm_start = true # person",
        &["`warm_start` does not apply to a person points scheme", "firm points schemes"],
    );
}

#[test]
fn firm_founding_is_a_probability() {
    check_err(
        swap("firm_founding = 0.02 ", "firm_founding = 2.0 "),
        "firm_founding = ^2.0",
        &["population.firm_founding", "probability"],
    );
}
