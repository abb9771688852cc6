//! The embedded presets: they parse, have the documented sizes, and differ from china-2020 only
//! in the regime, so that comparisons between presets change nothing else.

use scslab_model::params::AuthorityKind;
use scslab_scenario::{PRESETS, parse, preset, preset_text};

use crate::china;

/// Each preset with its expected people and days.
const SIZES: [(&str, u64, u32); 8] = [
    ("none", 1_000_000, 365),
    ("china-2020", 1_000_000, 366),
    ("china-2013-2025", 100_000, 4_475),
    ("rongcheng", 700_000, 365),
    ("integrated", 1_000_000, 365),
    ("ant-group-2020", 1_000_000, 366),
    ("daymude-2025", 100_000, 5_000),
    ("radzvilavicius-2021", 100, 10_000),
];

/// The presets of regimes, which share china-2020's population and behaviour so that
/// comparing them changes nothing else; the papers' presets (another behaviour theory) set the
/// papers' own.
fn regime_presets() -> impl Iterator<Item = (&'static str, &'static str)> {
    PRESETS.into_iter().filter(|(name, _)| {
        matches!(preset(name).expect("preset parses").params.theory, scslab_model::theory::Theory::Deterrence)
    })
}

#[test]
fn the_papers_presets_choose_their_theory() {
    use scslab_model::theory::Theory;
    let papers: Vec<&str> =
        PRESETS.iter().map(|p| p.0).filter(|n| !regime_presets().any(|r| r.0 == *n)).collect();
    assert_eq!(papers, ["daymude-2025", "radzvilavicius-2021"]);
    let Theory::Expression(x) = preset("daymude-2025").expect("daymude-2025").params.theory else {
        panic!("daymude-2025 runs the expression theory")
    };
    assert!(x.adaptive.is_some(), "the paper's authority adapts");
    assert_eq!(x.policy, scslab_model::theory::expression::Policy::moderate(x.policy.punishment));
    // The reputation preset sets exactly the paper's baseline.
    let Theory::Reputation(r) = preset("radzvilavicius-2021").expect("radzvilavicius-2021").params.theory
    else {
        panic!("radzvilavicius-2021 runs the reputation theory")
    };
    assert_eq!(r, scslab_model::theory::reputation::ReputationParams::radzvilavicius_2021());
}

#[test]
fn every_preset_parses_with_its_name_and_origin() {
    assert_eq!(PRESETS.map(|p| p.0), SIZES.map(|s| s.0), "the list of presets changed");
    for (name, text) in PRESETS {
        let s = preset(name).unwrap_or_else(|e| panic!("preset {name}: {e}"));
        assert_eq!(s.name, name, "[scenario] name of preset {name}");
        assert!(!s.description.is_empty(), "preset {name} has no description");
        assert_eq!(s.origin, format!("preset:{name}"));
        assert_eq!(s.text, text);
        assert_eq!(preset_text(name).expect("listed preset"), text);
        // The same text read as a file keeps the file name as origin.
        let f = parse(text, "copy.toml").unwrap_or_else(|e| panic!("preset {name} as a file: {e}"));
        assert_eq!(f.origin, "copy.toml");
    }
}

#[test]
fn preset_sizes() {
    for (name, people, days) in SIZES {
        let p = preset(name).expect("preset parses").params;
        assert_eq!(p.n_persons, people, "people of {name}");
        assert_eq!(p.days, days, "days of {name}");
    }
}

#[test]
fn preset_regimes() {
    let none = preset("none").expect("none").params;
    assert!(none.authorities.is_empty() && none.measures.is_empty() && none.memoranda.is_empty());
    assert!(none.interventions.is_empty() && none.policy_changes.is_empty());

    let china = preset("china-2020").expect("china-2020").params;
    assert!(!china.authorities.is_empty() && !china.memoranda.is_empty());
    assert!(china.interventions.is_empty());

    let ant = preset("ant-group-2020").expect("ant-group-2020").params;
    assert_eq!(ant.interventions.len(), 1);

    let rc = preset("rongcheng").expect("rongcheng").params;
    let positive: Vec<usize> = (0..rc.population.province_weights.len())
        .filter(|&i| rc.population.province_weights[i] > 0.0)
        .collect();
    assert_eq!(positive.len(), 1, "rongcheng weights one province");
    assert_eq!(scslab_model::vocab::PROVINCES[positive[0]], "Shandong");

    for (name, _) in PRESETS {
        let p = preset(name).expect("preset parses").params;
        for a in &p.authorities {
            if let AuthorityKind::Points(s) = &a.kind {
                assert!(s.min <= s.base && s.base <= s.max, "{name}: {}", a.name);
            }
        }
    }
}

/// The body of the section with header `header` (the lines after it up to the next header),
/// without trailing blank and comment lines, which introduce the next section.
fn section<'a>(text: &'a str, header: &str) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|l| l.trim_end() != header);
    assert!(lines.next().is_some(), "no section {header}");
    let mut body: Vec<&str> = lines.take_while(|l| !l.trim_start().starts_with('[')).collect();
    while body.last().is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        body.pop();
    }
    body
}

#[test]
fn shared_sections_are_identical_to_china_2020() {
    for (name, text) in regime_presets() {
        for header in ["[population]", "[behaviour]", "[network]"] {
            let (mut ours, mut theirs) = (section(text, header), section(china(), header));
            if name == "rongcheng" && header == "[population]" {
                let weights = |l: &&str| l.starts_with("province_weights");
                assert_ne!(
                    ours.iter().find(|l| weights(l)),
                    theirs.iter().find(|l| weights(l)),
                    "rongcheng has its own province weights"
                );
                ours.retain(|l| !weights(l));
                theirs.retain(|l| !weights(l));
            }
            assert_eq!(ours, theirs, "{header} of preset {name} differs from china-2020");
        }
    }
}

#[test]
fn shared_parameters_are_identical_to_china_2020() {
    let china = preset("china-2020").expect("china-2020").params;
    for (name, _) in regime_presets() {
        let mut p = preset(name).expect("preset parses").params;
        assert_eq!(format!("{:?}", p.behaviour), format!("{:?}", china.behaviour), "behaviour of {name}");
        assert_eq!(format!("{:?}", p.network), format!("{:?}", china.network), "network of {name}");
        if name == "rongcheng" {
            p.population.province_weights = china.population.province_weights;
        }
        assert_eq!(format!("{:?}", p.population), format!("{:?}", china.population), "population of {name}");
        assert_eq!(p.seed, china.seed, "seed of {name}");
    }
}

/// The text without `[scenario]` name and description and without the `[[intervention]]`
/// sections (and the comment block that introduces them).
fn regime_free(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_scenario = false;
    for line in text.lines() {
        if line.trim_start().starts_with('[') {
            if line.trim_end() == "[[intervention]]" {
                break;
            }
            in_scenario = line.trim_end() == "[scenario]";
        }
        if in_scenario && (line.starts_with("name =") || line.starts_with("description =")) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        out.pop();
    }
    out
}

#[test]
fn ant_group_is_china_2020_plus_an_intervention() {
    let ant = preset_text("ant-group-2020").expect("ant-group-2020");
    assert_eq!(regime_free(ant), regime_free(china()));
    // Everything after the first intervention is interventions.
    let tail = &ant[ant.find("[[intervention]]").expect("an intervention")..];
    for header in tail.lines().filter(|l| l.trim_start().starts_with('[')) {
        assert_eq!(
            header.trim_end(),
            "[[intervention]]",
            "ant-group-2020 has `{header}` after its interventions"
        );
    }
    // And the parameters agree once the interventions are removed.
    let mut a = preset("ant-group-2020").expect("ant-group-2020").params;
    let c = preset("china-2020").expect("china-2020").params;
    assert_eq!(a.interventions.len(), 1);
    a.interventions.clear();
    assert_eq!(format!("{a:?}"), format!("{c:?}"));
}

/// `china-2013-2025` is china-2020's regime from the court list's launch: the same authorities
/// (plus the court list's units), lists empty at the launch, and its dated changes in date
/// order, each of a kind, each citing its fact.
#[test]
fn china_2013_2025_dates_the_regime_from_the_launch() {
    use scslab_model::params::Change;
    let dated = preset("china-2013-2025").expect("china-2013-2025").params;
    let china = preset("china-2020").expect("china-2020").params;
    let names =
        |p: &scslab_model::params::Params| p.authorities.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
    let mut expected = names(&china);
    expected.insert(
        expected.iter().position(|n| n == "environmental_blacklist").unwrap(),
        "court_defaulter_units".into(),
    );
    assert_eq!(names(&dated), expected);
    for a in &dated.authorities {
        if let AuthorityKind::List(rule) = &a.kind {
            assert_eq!(rule.initial_share, 0.0, "{} starts empty at the launch", a.name);
        }
    }
    let days: Vec<u32> = dated.policy_changes.iter().map(|c| c.day).collect();
    assert!(days.is_sorted(), "in date order: {days:?}");
    // 2016-01-21, 2020-01-02 and 2021-09-01 counted from 2013-10-01.
    for day in [842, 2_284, 2_892] {
        assert!(days.contains(&day), "a change on day {day}: {days:?}");
    }
    let kinds = |f: fn(&Change) -> bool| dated.policy_changes.iter().filter(|c| f(&c.change)).count();
    assert_eq!(kinds(|c| matches!(c, Change::Authority { .. })), 3);
    assert_eq!(kinds(|c| matches!(c, Change::CreditRepair { .. })), 4);
    assert_eq!(kinds(|c| matches!(c, Change::Memorandum { enabled: true, .. })), 1);
    assert_eq!(kinds(|c| matches!(c, Change::Representatives { legal_rep_list: None, .. })), 1);
    // Every change says where its date comes from.
    let text = preset_text("china-2013-2025").expect("listed");
    for line in text.lines().filter(|l| l.starts_with("date = ")) {
        assert!(line.contains("# S:") || line.contains("launch"), "an undocumented date: {line}");
    }
}
