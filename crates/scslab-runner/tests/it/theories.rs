//! The behaviour theories inside a run: the expression theory's choices respond to the policy
//! and to the regime's detection of criticism; runs under a theory are identical on any thread
//! count and after a checkpoint, and traces of every agent still agree with the run.

use scslab_model::sim::Simulation;
use scslab_model::theory::Theory;
use scslab_runner::{RunConfig, run};
use scslab_scenario::Scenario;

use crate::{headline, simulate, simulate_with};

/// An `[expression]` table (the paper's Fig. 1 authority) with `extra` keys.
fn expression(extra: &str) -> String {
    format!(
        "[expression]\nboldness = 1.0\ntolerance = 0.25\nseverity = 0.6\nsurveillance = 0.2\n\
         punishment = \"uniform\"\n{extra}"
    )
}

/// `preset` under `theory`, with `tables` appended, resized.
pub(crate) fn theory_scenario(preset: &str, theory: &str, tables: &str, people: u64, days: u32) -> Scenario {
    let text = scslab_scenario::preset_text(preset).unwrap();
    let text = text.replacen("[behaviour]\n", &format!("[behaviour]\ntheory = \"{theory}\"\n"), 1);
    // The size in the text too: the reputation game checks it.
    let text = text.replacen("people = 1000000 ", &format!("people = {people} "), 1);
    let mut s =
        scslab_scenario::parse(&format!("{text}\n{tables}\n"), "test.toml").unwrap_or_else(|e| panic!("{e}"));
    s.params.n_persons = people;
    s.params.days = days;
    s
}

fn set_policy(
    s: &mut scslab_model::params::Params,
    f: impl FnOnce(&mut scslab_model::theory::expression::Policy),
) {
    let Theory::Expression(x) = &mut s.theory else { panic!("expression theory") };
    f(&mut x.policy);
}

#[test]
fn harsher_punishment_turns_defiance_into_self_censorship() {
    let s = theory_scenario("none", "expression", &expression(""), 20_000, 5);
    let mild = simulate(&s);
    let harsh = simulate_with(&s, |p| set_policy(p, |x| x.severity = 0.9));
    // Fig. 1 authority: adults of desired dissent above the tolerance defy or say only `tau`.
    assert!(headline(&mild, "share_defiant") > 0.0, "someone defies the mild authority");
    assert!(headline(&harsh, "share_defiant") < headline(&mild, "share_defiant"));
    assert!(headline(&harsh, "share_self_censoring") > headline(&mild, "share_self_censoring"));
    assert!(headline(&harsh, "mean_expressed") < headline(&mild, "mean_expressed"));
    // The compliant are those within the tolerance, whatever the severity; desire is unchanged.
    assert_eq!(headline(&harsh, "share_compliant"), headline(&mild, "share_compliant"));
    assert_eq!(headline(&harsh, "mean_desired"), headline(&mild, "mean_desired"));
    // The expressed criticism of the chilling effect follows the choice.
    assert!(headline(&harsh, "chilling_effect") > headline(&mild, "chilling_effect"));
    // Nobody expresses more than the tolerance under total self-censorship.
    let silent = simulate_with(&s, |p| {
        set_policy(p, |x| {
            x.severity = 1e6;
            x.surveillance = 1.0;
        })
    });
    assert_eq!(headline(&silent, "share_defiant"), 0.0);
    assert!(headline(&silent, "max_expressed") <= 0.25);
    assert!(headline(&silent, "defiance_threshold").is_nan(), "no defiant, no threshold");
}

/// A person blacklist that records criticism and fines it, for the regime to set the policy.
const SPEECH_POLICE: &str = r#"
[[authority]]
name = "speech_police"
subject = "person"
kind = "blacklist"
detect = { criticism = 0.3 }
grounds = ["criticism"]
duration_days = 30
measures = ["speech_fine"]

[[measure]]
name = "speech_fine"
authority = "police"
subject = "person"
kind = "fine"
context = "speech"
amount = 2000.0
perceived_yuan = 2000.0
"#;

#[test]
fn under_the_regime_detection_of_criticism_sets_surveillance_and_silences() {
    let tables = format!("{}\n{SPEECH_POLICE}", expression("authority = \"regime\"\n"));
    let s = theory_scenario("none", "expression", &tables, 20_000, 5);
    let mut s = s;
    // Full rollout from day 0, so that the police see criticism everywhere.
    s.params.rollout.schedule = vec![(0, 1.0)];
    let watched = simulate(&s);
    let unwatched = simulate_with(&s, |p| {
        let a = p.authorities.iter_mut().find(|a| a.name == "speech_police").unwrap();
        a.detect[scslab_model::vocab::EV_CRITICISM] = 0.0;
    });
    let surveillance = |o: &scslab_runner::RunOutcome| o.series.theory("surveillance").unwrap()[0];
    assert!((surveillance(&watched) - 0.3).abs() < 1e-9, "surveillance {}", surveillance(&watched));
    assert_eq!(surveillance(&unwatched), 0.0);
    assert!(headline(&watched, "mean_expressed") < headline(&unwatched, "mean_expressed"));
    assert!(headline(&watched, "share_self_censoring") > headline(&unwatched, "share_self_censoring"));
    assert!(headline(&watched, "criticism_per_1000") < headline(&unwatched, "criticism_per_1000"));
}

#[test]
fn an_adaptive_authority_moves_and_restored_runs_continue_exactly() {
    let s = theory_scenario("china-2020", "expression", &expression("adaptive = true\n"), 3_000, 30);
    let mut a = Simulation::new(s.params.clone());
    let mut tolerances = Vec::new();
    for _ in 0..10 {
        a.step();
        tolerances.push(a.metrics.theory[8]);
    }
    let mut bytes = Vec::new();
    a.save_state(7, &mut bytes).unwrap();
    let mut b = Simulation::restore(s.params.clone(), 7, &mut bytes.as_slice()).unwrap();
    for _ in 0..15 {
        let ma = format!("{:?}", a.step());
        let mb = format!("{:?}", b.step());
        assert_eq!(ma, mb, "metrics differ on day {}", a.day() - 1);
        tolerances.push(a.metrics.theory[8]);
    }
    let mut again = Vec::new();
    b.save_state(7, &mut again).unwrap();
    let mut once = Vec::new();
    a.save_state(7, &mut once).unwrap();
    assert_eq!(once, again, "states differ after 15 more days");
    assert_eq!(scslab_model::theory::EXPRESSION_VALUES[8], "tolerance");
    assert!(
        tolerances.windows(2).any(|w| w[0] != w[1]),
        "the adaptive authority never moved: {tolerances:?}"
    );
}

/// A run's headlines and series tables on `threads` threads, as text.
fn outputs(s: &Scenario, threads: usize) -> (String, Vec<String>) {
    let mut cfg = RunConfig::new(s.clone());
    cfg.threads = threads;
    let o = run(&cfg, &mut |_| {}).unwrap();
    let tables: Vec<String> = o.series.tables().iter().map(|t| format!("{t:?}")).collect();
    (format!("{:?}", o.headlines), tables)
}

#[test]
fn expression_runs_are_identical_on_one_and_two_threads() {
    // More than two person chunks, so that the threads really split the work.
    let s = theory_scenario("china-2020", "expression", &expression("adaptive = true\n"), 140_000, 6);
    assert_eq!(outputs(&s, 1), outputs(&s, 2));
}

#[test]
fn traces_of_every_agent_agree_with_an_adaptive_expression_run() {
    // The adaptive authority's policy of each day comes from the replay log.
    let s = theory_scenario("china-2020", "expression", &expression("adaptive = true\n"), 6_000, 40);
    crate::trace::traces_agree_with_the_run(&s);
}

/// The reputation table of the paper's baseline game with `extra` keys.
fn reputation(extra: &str) -> String {
    format!(
        "[reputation]\nnorm = \"stern_judging\"\nempathy = 0.0\nbenefit = 5.0\ncost = 1.0\n\
         execution_error = 0.02\nassessment_error = 0.02\nstrategy_mutation = 0.025\n\
         selection_strength = 1.0\n{extra}"
    )
}

#[test]
fn a_regime_blacklist_is_the_institutions_verdict() {
    // china-2020 starts with 0.87% of adults on the court-defaulter list (warm start); with
    // every player adhering, a player's standing in every eye is the list's verdict.
    let table = reputation(
        "assessment = \"institution\"\ninstitution_list = \"court_defaulters\"\nadherence = 1.0\nplayers = 1500\n",
    );
    let s = theory_scenario("china-2020", "reputation", &table, 20_000, 3);
    let mut sim = Simulation::new(s.params.clone());
    let Theory::Reputation(r) = &s.params.theory else { panic!("reputation theory") };
    let slot = sim.plan.person_lists.iter().position(|&a| Some(a) == r.institution_list).unwrap();
    for _ in 0..3 {
        sim.step();
        // The players are the first 1,500 adults; count those listed after today's lists.
        let mut players = 0;
        let mut listed = 0;
        for id in 0..sim.layout.n_persons() as u32 {
            let province = sim.layout.person_province(id);
            if scslab_model::population::adult_traits(&sim.params, &sim.layout, id, province).is_none() {
                continue;
            }
            listed += (sim.persons.lists[id as usize] >> slot & 1) as usize;
            players += 1;
            if players == 1500 {
                break;
            }
        }
        assert!(listed > 0, "no player is listed: the check below is empty");
        let good_share = sim.metrics.theory[1];
        assert_eq!(scslab_model::theory::REPUTATION_VALUES[1], "good_share");
        assert!(
            (good_share - (1.0 - listed as f64 / 1500.0)).abs() < 1e-12,
            "{good_share} vs {listed} listed"
        );
        assert_eq!(sim.metrics.theory[2], 1.0, "everyone reads the same verdict: full agreement");
    }
}

#[test]
fn reputation_runs_are_identical_on_one_and_two_threads_and_after_a_checkpoint() {
    let s = theory_scenario(
        "none",
        "reputation",
        &reputation("assessment = \"private\"\n").replace("empathy = 0.0", "empathy = 0.5"),
        400,
        30,
    );
    let one = outputs(&s, 1);
    assert_eq!(one, outputs(&s, 2));
    assert!(one.0.contains("cooperation_rate"));

    let mut a = Simulation::new(s.params.clone());
    for _ in 0..12 {
        a.step();
    }
    let mut bytes = Vec::new();
    a.save_state(3, &mut bytes).unwrap();
    let mut b = Simulation::restore(s.params.clone(), 3, &mut bytes.as_slice()).unwrap();
    for _ in 0..12 {
        assert_eq!(format!("{:?}", a.step()), format!("{:?}", b.step()), "day {}", a.day() - 1);
    }
}

#[test]
fn the_papers_reputation_preset_cooperates_under_its_institution() {
    // Stern Judging with an institution (Q = 50, quorum 26): the paper's Fig. 3 finds high
    // cooperation; egocentric private assessment collapses it (Fig. 3, dashed line: 0.03).
    let mut s = scslab_scenario::preset("radzvilavicius-2021").unwrap();
    s.params.days = 2_000;
    let institution = headline(&simulate(&s), "cooperation_rate");
    let private = simulate_with(&s, |p| {
        let Theory::Reputation(r) = &mut p.theory else { panic!("reputation theory") };
        r.assessment = scslab_model::theory::reputation::Assessment::Private;
    });
    let private = headline(&private, "cooperation_rate");
    assert!(institution > 0.8, "institution {institution}");
    assert!(private < 0.2, "private {private}");
}
