//! The day engine's key: `[engine] day` (docs/ODD.md 7.26), optional: `"event"` by default
//! under the deterrence theory, `"daily"` under the others; each refusal located at the offending
//! key or value.

use scslab_model::params::DayEngine;
use scslab_scenario::{PRESETS, parse, preset_text};

use crate::{FILE, check_err_in, china, parse_ok, replace_once};

/// `base` with `table` appended.
fn with(base: &str, table: &str) -> String {
    format!("{base}\n{table}\n")
}

#[test]
fn the_engine_is_event_under_deterrence_unless_the_scenario_chooses_the_daily_engine() {
    let plain = parse_ok(china());
    assert_eq!(plain.params.engine, DayEngine::Event);
    assert_eq!(parse_ok(&with(china(), "[engine]")).params.engine, DayEngine::Event);
    assert_eq!(parse_ok(&with(china(), "[engine]\nday = \"event\"")).params.engine, DayEngine::Event);
    let daily = parse_ok(&with(china(), "[engine]\nday = \"daily\""));
    assert_eq!(daily.params.engine, DayEngine::Daily);
    // The table changes the engine and nothing else.
    let mut params = daily.params.clone();
    params.engine = DayEngine::Event;
    assert_eq!(format!("{params:?}"), format!("{:?}", plain.params));
    // Without the table each preset runs its theory's default: the event engine exactly under
    // the deterrence theory.
    for (name, text) in PRESETS {
        let params = parse_ok(text).params;
        let expected = if params.theory.name() == "deterrence" { DayEngine::Event } else { DayEngine::Daily };
        assert_eq!(params.engine, expected, "{name}");
    }
    // Names as the scenario writes them.
    assert_eq!(DayEngine::Daily.name(), "daily");
    assert_eq!(DayEngine::Event.name(), "event");
}

#[test]
fn an_unknown_engine_is_refused_at_its_value_with_the_valid_choices() {
    let t = with(china(), "[engine]\nday = \"weekly\"");
    let f = check_err_in(&t, "day = ^\"weekly\"", &["engine.day", "unknown engine `weekly`"]);
    assert!(f.choices().contains("`daily`, `event`"), "{}", f.message);
    // Names are case-sensitive, as every name of the format.
    let t = with(china(), "[engine]\nday = \"Event\"");
    check_err_in(&t, "day = ^\"Event\"", &["unknown engine `Event`", "valid choices"]);
}

#[test]
fn the_event_engine_is_refused_under_another_theory_than_deterrence() {
    // The expression theory, chosen in a copy of china-2020.
    let expression = replace_once(china(), "[behaviour]\n", "[behaviour]\ntheory = \"expression\"\n");
    let table = "[expression]\nboldness = 1.0\ntolerance = 0.25\nseverity = 0.6\nsurveillance = 0.2\n\
                 punishment = \"uniform\"\nauthority = \"regime\"";
    let daily = with(&with(&expression, table), "[engine]\nday = \"daily\"");
    assert_eq!(parse_ok(&daily).params.engine, DayEngine::Daily);
    let t = with(&with(&expression, table), "[engine]\nday = \"event\"");
    check_err_in(
        &t,
        "day = ^\"event\"",
        &[
            "engine.day = \"event\"",
            "behaviour.theory = \"deterrence\" only",
            "the theory is \"expression\"",
            "use engine.day = \"daily\"",
        ],
    );
    // Every preset: the event engine is accepted exactly under the deterrence theory, and a
    // refusal names the preset's theory.
    let mut refused = 0;
    for (name, _) in PRESETS {
        let text = with(preset_text(name).unwrap(), "[engine]\nday = \"event\"");
        let theory = parse_ok(preset_text(name).unwrap()).params.theory.name();
        match parse(&text, FILE) {
            Ok(s) => {
                assert_eq!(theory, "deterrence", "{name}");
                assert_eq!(s.params.engine, DayEngine::Event, "{name}");
            }
            Err(_) => {
                assert_ne!(theory, "deterrence", "{name}");
                check_err_in(&text, "day = ^\"event\"", &[&format!("the theory is \"{theory}\"")]);
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 2, "the expression and reputation presets");
}

#[test]
fn an_unknown_key_in_the_engine_table_is_refused() {
    let t = with(china(), "[engine]\nday = \"event\"\nthreads = 2");
    check_err_in(&t, "^threads = 2", &["unknown field `threads`", "`day`"]);
    // A plausible slip: the plural.
    let t = with(china(), "[engine]\ndays = \"event\"");
    check_err_in(&t, "^days = \"event\"", &["unknown field `days`", "`day`"]);
}

#[test]
fn an_engine_of_the_wrong_type_is_refused() {
    let t = with(china(), "[engine]\nday = true");
    check_err_in(&t, "day = ^true", &["invalid type", "boolean"]);
    // A key, not a table (at the top, before the first table): refused at the value.
    let t = format!("engine = \"event\"\n{}", china());
    check_err_in(&t, "engine = ^\"event\"", &["invalid type", "string \"event\""]);
}
