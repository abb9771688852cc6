//! Mechanism tests: each mechanism of the model shown acting, with the population and the
//! random streams held fixed (same seed, same size), by comparing two runs that differ in one
//! parameter. Plus determinism across thread counts.

use scslab_model::params::{AuthorityKind, Params};
use scslab_runner::{RunConfig, RunOutcome, run};
use scslab_scenario::Scenario;

mod checkpoint;
mod counters;
mod determinism;
mod event;
mod firms;
mod policy;
mod stream;
mod theories;
mod trace;

/// The daily engine's table. The mechanism, checkpoint, determinism and trace tests of this
/// binary run on the daily engine, the reference: two runs that differ in one parameter then
/// draw every adult's day from the same streams. The event engine, the deterrence presets'
/// default, has its own tests in `event.rs`. The table goes into the scenario's text, not only
/// its parameters, so that `resume` rebuilds the same engine from `run.json`.
const DAILY: &str = "\n[engine]\nday = \"daily\"\n";

/// A preset on the daily engine, resized, with an optional TOML fragment appended (new
/// authorities, measures...).
fn scenario(preset: &str, extra: &str, people: u64, days: u32) -> Scenario {
    preset_scenario(preset, &format!("{DAILY}{extra}"), people, days)
}

/// A preset with its own engine (its theory's default), resized, with a TOML fragment appended.
fn preset_scenario(preset: &str, extra: &str, people: u64, days: u32) -> Scenario {
    let text = format!("{}\n{}", scslab_scenario::preset_text(preset).unwrap(), extra);
    let mut s = scslab_scenario::parse(&text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
    s.params.n_persons = people;
    s.params.days = days;
    s
}

/// Runs a scenario on two threads without writing anything.
fn simulate(s: &Scenario) -> RunOutcome {
    let mut cfg = RunConfig::new(s.clone());
    cfg.threads = 2;
    run(&cfg, &mut |_| {}).unwrap()
}

/// Runs after changing the parameters.
fn simulate_with(s: &Scenario, change: impl FnOnce(&mut Params)) -> RunOutcome {
    let mut s = s.clone();
    change(&mut s.params);
    simulate(&s)
}

fn total(o: &RunOutcome, column: &str) -> f64 {
    o.series
        .person(column)
        .or_else(|| o.series.firm(column))
        .unwrap_or_else(|| panic!("no column {column}"))
        .iter()
        .sum()
}

fn headline(o: &RunOutcome, key: &str) -> f64 {
    o.headlines.iter().find(|h| h.key == key).unwrap().value
}

fn authority<'a>(p: &'a mut Params, name: &str) -> &'a mut scslab_model::params::Authority {
    p.authorities.iter_mut().find(|a| a.name == name).unwrap()
}

/// A traffic police list that fines recorded traffic violations.
const TRAFFIC_POLICE: &str = r#"
[[authority]]
name = "traffic_police"
subject = "person"
kind = "blacklist"
detect = { traffic_violation = 0.05 }
grounds = ["traffic_violation"]
duration_days = 1
measures = ["traffic_fine"]

[[measure]]
name = "traffic_fine"
authority = "police"
subject = "person"
kind = "fine"
context = "traffic"
amount = 200.0
perceived_yuan = 50000.0
"#;

#[test]
fn more_detection_under_deterrence_means_fewer_true_violations() {
    let s = scenario("none", TRAFFIC_POLICE, 20_000, 60);
    let s = Scenario {
        params: {
            let mut p = s.params;
            p.rollout.schedule = vec![(0, 1.0)];
            p
        },
        ..s
    };
    let low = simulate(&s);
    let high = simulate_with(&s, |p| authority(p, "traffic_police").detect[1] = 0.8);
    let (lo, hi) = (total(&low, "true_traffic_violation"), total(&high, "true_traffic_violation"));
    assert!(hi < 0.8 * lo, "true violations {lo} at low detection, {hi} at high");
    // More were recorded and fined all the same.
    assert!(total(&high, "recorded_traffic_violation") > total(&low, "recorded_traffic_violation"));
    assert!(total(&high, "fines_yuan") > total(&low, "fines_yuan"));
}

#[test]
fn no_deterrence_weight_means_detection_does_not_change_behaviour() {
    let s = scenario("none", TRAFFIC_POLICE, 20_000, 30);
    let s = Scenario {
        params: {
            let mut p = s.params;
            p.rollout.schedule = vec![(0, 1.0)];
            p.behaviour.deterrence_weight = 0.0;
            p.behaviour.conformity_weight = 0.0;
            p
        },
        ..s
    };
    let low = simulate(&s);
    let high = simulate_with(&s, |p| authority(p, "traffic_police").detect[1] = 0.8);
    assert_eq!(total(&low, "true_traffic_violation"), total(&high, "true_traffic_violation"));
}

#[test]
fn listing_a_company_puts_its_legal_representative_on_a_list() {
    let s = scenario("china-2020", "", 30_000, 120);
    let with = simulate(&s);
    assert!(total(&with, "entries_restricted_executives") > 0.0);
    assert!(total(&with, "applied_exec_ban") > 0.0);
    let without = simulate_with(&s, |p| {
        for a in &mut p.authorities {
            if let AuthorityKind::List(l) = &mut a.kind {
                l.legal_rep_list = None;
            }
        }
    });
    assert_eq!(total(&without, "entries_restricted_executives"), 0.0);
}

#[test]
fn false_records_cause_false_sanctions_and_none_without_them() {
    let s = scenario("china-2020", "", 30_000, 120);
    let clean = simulate_with(&s, |p| {
        for a in &mut p.authorities {
            a.false_rate.iter_mut().for_each(|r| *r = 0.0);
        }
    });
    assert_eq!(headline(&clean, "false_sanctions"), 0.0);
    let noisy = simulate_with(&s, |p| authority(p, "court_defaulters").false_rate[3] = 0.0001);
    assert!(headline(&noisy, "false_sanctions") > 0.0);
    assert!(total(&noisy, "false_records_judgment_default") > 0.0);
}

#[test]
fn fear_lowers_expressed_criticism_but_not_private_dissent() {
    let s = scenario("integrated", "", 20_000, 60);
    let calm = simulate_with(&s, |p| p.behaviour.dissent_from_resentment = 0.0);
    let afraid = simulate_with(&s, |p| {
        p.behaviour.dissent_from_resentment = 0.0;
        p.behaviour.fear_sensitivity.mean = 1.0;
        p.behaviour.fear_sensitivity.spread = 0.0;
        p.behaviour.fear_perception = 3.0;
    });
    assert!(total(&afraid, "true_criticism") < total(&calm, "true_criticism"));
    assert!(headline(&afraid, "chilling_effect") > headline(&calm, "chilling_effect"));
    assert_eq!(total(&afraid, "private_dissenters"), total(&calm, "private_dissenters"));
}

#[test]
fn memoranda_carry_one_list_into_other_authorities_measures() {
    let s = scenario("china-2020", "", 30_000, 200);
    let with = simulate(&s);
    assert!(total(&with, "flights_blocked") + total(&with, "trains_blocked") > 0.0);
    let without = simulate_with(&s, |p| p.memoranda.clear());
    assert_eq!(total(&without, "flights_blocked") + total(&without, "trains_blocked"), 0.0);
    // Travel bans are measures of another context than the court record: spillover.
    assert!(total(&with, "spillover_applied_flight_ban") > 0.0);
    assert_eq!(total(&with, "spillover_applied_deposits_frozen"), 0.0);
}

#[test]
fn blacklisted_suppliers_are_dropped_by_their_customers() {
    let s = scenario("china-2020", "", 30_000, 120);
    let with = simulate_with(&s, |p| p.network.drop_listed_partner = 0.2);
    assert!(total(&with, "partner_drops") > 0.0);
    let without = simulate_with(&s, |p| p.network.drop_listed_partner = 0.0);
    assert_eq!(total(&without, "partner_drops"), 0.0);
}

#[test]
fn targeted_enforcement_extracts_funds_and_chills_other_leaders() {
    let mut s = scenario("ant-group-2020", "", 50_000, 200);
    s.params.interventions[0].day = 100;
    s.params.behaviour.firm_rate[6] = 0.01; // frequent executive criticism, to measure its change
    let o = simulate(&s);
    assert_eq!(headline(&o, "funds_extracted_yuan"), 7_123_000_000.0);
    let before = headline(&o, "large_firm_criticism_before");
    let after = headline(&o, "large_firm_criticism_after");
    assert!(after < before, "criticism per large firm: before {before}, after {after}");
}

#[test]
fn rollout_raises_recording_over_time() {
    let s = scenario("china-2020", "", 20_000, 60);
    let slow = simulate_with(&s, |p| p.rollout.schedule = vec![(0, 0.1), (59, 0.1)]);
    let fast = simulate_with(&s, |p| p.rollout.schedule = vec![(0, 1.0), (59, 1.0)]);
    assert!(
        total(&fast, "recorded_judgment_default") + total(&fast, "recorded_loan_default")
            > total(&slow, "recorded_judgment_default") + total(&slow, "recorded_loan_default")
    );
}

#[test]
fn paid_blood_donation_can_crowd_out_donors() {
    let reward = r#"
[[authority]]
name = "blood_bank"
subject = "person"
kind = "redlist"
detect = { blood_donation = 1.0 }
grounds = ["blood_donation"]
duration_days = 1
measures = ["donor_payment"]

[[measure]]
name = "donor_payment"
authority = "health"
subject = "person"
kind = "payment"
context = "health"
amount = 300.0
perceived_yuan = 1000.0
"#;
    let s = scenario("none", reward, 50_000, 60);
    let s = Scenario {
        params: {
            let mut p = s.params;
            p.rollout.schedule = vec![(0, 1.0)];
            p.behaviour.person_rate[5] = 0.002;
            p.behaviour.conformity_weight = 0.0;
            p
        },
        ..s
    };
    let crowded = simulate_with(&s, |p| {
        p.behaviour.crowding_out[5] = 1.0;
        p.behaviour.reward_pull = 0.2;
    });
    let pulled = simulate_with(&s, |p| {
        p.behaviour.crowding_out[5] = 0.0;
        p.behaviour.reward_pull = 0.2;
    });
    assert!(total(&crowded, "true_blood_donation") < total(&pulled, "true_blood_donation"));
    assert!(total(&pulled, "rewards_yuan") > 0.0);
}

#[test]
fn sanctions_feed_back_into_wealth_and_trust() {
    // Without the redlists, whose rewards would add wealth of their own.
    let mut s = scenario("china-2020", "", 30_000, 120);
    for name in ["deposit_free", "rongcheng_aaa"] {
        authority(&mut s.params, name).enabled = false;
    }
    let sys = simulate(&s);
    let none = simulate_with(&s, |p| {
        for a in &mut p.authorities {
            a.enabled = false;
        }
    });
    assert!(headline(&sys, "sanctions") > 0.0);
    assert_eq!(headline(&none, "sanctions"), 0.0);
    let w = |o: &RunOutcome| *o.series.person("wealth_sum").unwrap().last().unwrap();
    let t = |o: &RunOutcome| *o.series.person("trust_sum").unwrap().last().unwrap();
    assert!(w(&sys) < w(&none), "fines and frozen deposits lower wealth");
    assert!(t(&sys) != t(&none));
}

#[test]
fn a_policy_change_switches_an_authority_off_at_its_day() {
    let extra = r#"
[[policy_change]]
day = 30
authority = "court_defaulters"
enabled = false
"#;
    let mut s = scenario("china-2020", extra, 100_000, 60);
    authority(&mut s.params, "court_defaulters").delay_mean_days = 0.0;
    let o = simulate(&s);
    let entries = o.series.person("entries_court_defaulters").unwrap();
    assert!(entries[..30].iter().sum::<f64>() > 0.0);
    assert_eq!(entries[30..].iter().sum::<f64>(), 0.0);
}

/// The warm start: a person list with `initial_share` starts with about that share of adults,
/// in debt, who leave by repaying; without it the list starts empty.
#[test]
fn initial_share_starts_the_list_with_members() {
    let s = scenario("china-2020", "", 40_000, 30);
    let set = |share: f64| {
        move |p: &mut Params| {
            if let AuthorityKind::List(rule) = &mut authority(p, "court_defaulters").kind {
                rule.initial_share = share;
            }
        }
    };
    let cold = simulate_with(&s, set(0.0));
    let warm = simulate_with(&s, set(0.02));
    let stock = |o: &RunOutcome| o.series.person("stock_court_defaulters").unwrap()[0];
    let adults = warm.series.person("adults").unwrap()[0];
    assert_eq!(stock(&cold), 0.0);
    let share = stock(&warm) / adults;
    assert!((share - 0.02).abs() < 0.004, "share listed on day 0: {share}");
    // Members are in debt: they repay and leave, and their travel is refused.
    assert!(total(&warm, "exits_court_defaulters") > total(&cold, "exits_court_defaulters"));
    assert!(total(&warm, "flights_blocked") + total(&warm, "trains_blocked") > 0.0);
    // Entering members pay the measures at entry; initial members do not.
    assert_eq!(warm.series.person("entries_court_defaulters").unwrap()[0], 0.0);
}

/// Persons under a travel ban try to travel at their own rates.
#[test]
fn banned_travel_rates_set_refused_trips() {
    let s = scenario("china-2020", "", 40_000, 60);
    let base = simulate_with(&s, |p| p.behaviour.banned_train_rate = 0.0);
    let more = simulate_with(&s, |p| {
        p.behaviour.banned_train_rate = 0.0;
        p.behaviour.banned_flight_rate *= 3.0;
    });
    assert_eq!(total(&base, "trains_blocked"), 0.0);
    assert!(total(&more, "flights_blocked") > 2.0 * total(&base, "flights_blocked"));
    // Trips of persons not under a ban hardly change (only through feedbacks).
    let (a, b) = (total(&more, "flights"), total(&base, "flights"));
    assert!((a - b).abs() <= 0.05 * b, "{a} vs {b}");
}
