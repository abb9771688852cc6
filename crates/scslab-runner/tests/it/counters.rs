//! Counters are read by their declared kind, never by their name: list, scheme and measure
//! columns carry user-chosen names, and a name that looks like a suffix (`_fp`) changes nothing.

use scslab_model::metrics::{Family, Kind};
use scslab_runner::{Derived, PERSON_DERIVED, RunConfig, RunOutcome, run};

/// China-2020 with every authority and measure renamed `{name}{suffix}`, resized.
fn renamed(suffix: &str) -> scslab_scenario::Scenario {
    let text = scslab_scenario::preset_text("china-2020").unwrap();
    let base = scslab_scenario::parse(text, "china-2020.toml").unwrap();
    let names =
        base.params.authorities.iter().map(|a| &a.name).chain(base.params.measures.iter().map(|m| &m.name));
    let mut text = text.to_string();
    for name in names {
        // Names are written quoted, where they are declared and where they are referred to; a
        // measure may be named after its kind, which keeps its name.
        text = text.replace(&format!("\"{name}\""), &format!("\"{name}{suffix}\""));
        text = text.replace(&format!("kind = \"{name}{suffix}\""), &format!("kind = \"{name}\""));
    }
    let mut s = scslab_scenario::parse(&text, "renamed.toml").unwrap_or_else(|e| panic!("{e}"));
    s.params.n_persons = 4_000;
    s.params.days = 30;
    s
}

fn simulate(s: &scslab_scenario::Scenario) -> RunOutcome {
    let mut cfg = RunConfig::new(s.clone());
    cfg.threads = 1;
    run(&cfg, &mut |_| {}).unwrap()
}

/// Equal as numbers, NaN equal to NaN (an undefined ratio on both sides).
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

#[test]
fn a_list_named_zz_fp_reports_the_same_numbers_as_zz() {
    let plain = simulate(&renamed(""));
    let suffixed = simulate(&renamed("_fp"));
    let (p, q) = (plain.series.person_cols(), suffixed.series.person_cols());
    assert_eq!(p.columns.len(), q.columns.len());
    let stock = p.columns.find(Family::ListStock, "court_defaulters").unwrap();
    assert_eq!(q.columns.names[stock], "stock_court_defaulters_fp");
    assert_eq!(q.columns.kind(stock), Kind::Count);
    assert!(plain.series.person_at(stock).iter().any(|&x| x >= 1.0), "the list has members");
    let mut renamed_columns = 0;
    for col in 0..p.columns.len() {
        let (a, b) = (plain.series.person_at(col), suffixed.series.person_at(col));
        assert!(a.iter().zip(b).all(|(&x, &y)| same(x, y)), "{}: {a:?} vs {b:?}", q.columns.names[col]);
        assert_eq!(p.columns.kind(col), q.columns.kind(col), "{}", q.columns.names[col]);
        if q.columns.names[col].ends_with("_fp") && p.columns.kind(col) == Kind::Count {
            renamed_columns += 1;
        }
    }
    assert!(renamed_columns >= 20, "only {renamed_columns} list and measure columns compared");
    let (f, g) = (plain.series.firm_cols(), suffixed.series.firm_cols());
    for col in 0..f.columns.len() {
        let (a, b) = (plain.series.firm_at(col), suffixed.series.firm_at(col));
        assert!(a.iter().zip(b).all(|(&x, &y)| same(x, y)), "{}", g.columns.names[col]);
    }
    for d in Derived::ALL {
        let (a, b) = (plain.series.derived(d), suffixed.series.derived(d));
        assert!(a.iter().zip(b).all(|(&x, &y)| same(x, y)), "{}", d.name());
    }
    assert_eq!(plain.headlines.len(), suffixed.headlines.len());
    for (a, b) in plain.headlines.iter().zip(&suffixed.headlines) {
        assert_eq!(a.key, b.key);
        assert!(same(a.value, b.value), "{}: {} vs {}", a.key, a.value, b.value);
    }
    // The written tables hold the same numbers under the renamed headers.
    for (a, b) in plain.series.tables().iter().zip(suffixed.series.tables()) {
        let data =
            |t: &scslab_output::Table| format!("{:?}", t.columns.iter().map(|c| &c.data).collect::<Vec<_>>());
        assert_eq!(data(a), data(&b), "{}", a.name);
    }
}

#[test]
fn only_the_declared_columns_are_fixed_point_or_signed() {
    let mut s = renamed("_fp");
    (s.params.n_persons, s.params.days) = (500, 2);
    let outcome = simulate(&s);
    let p = outcome.series.person_cols();
    for col in 0..p.columns.len() {
        let expected = if col == p.desired_criticism || col == p.expressed_criticism {
            Kind::FixedPoint
        } else if col == p.wealth || p.columns.column(col).family == Family::ScoreSum {
            Kind::Signed
        } else {
            Kind::Count
        };
        assert_eq!(p.columns.kind(col), expected, "{}", p.columns.names[col]);
    }
    // Every column has a label, and the derived columns follow the raw ones in the tables.
    assert!((0..p.columns.len()).all(|c| !p.columns.label(c).is_empty()));
    let tables = outcome.series.tables();
    let headers: Vec<&str> = tables[0].columns.iter().map(|c| c.name.as_str()).collect();
    let first = 1 + p.columns.len();
    assert_eq!(&headers[first..first + PERSON_DERIVED.len()], PERSON_DERIVED);
}
