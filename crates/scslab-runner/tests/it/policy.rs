//! Dated policy changes (issue 16, item 4b): each kind of change takes effect on its day. Every
//! test compares a run with the change against the same run without it: up to the day before
//! the change the two are identical in every series (the change draws nothing and changes
//! nothing earlier), and from its day the quantity it acts on moves as the change says.

use scslab_runner::RunOutcome;

use crate::{scenario, simulate};

/// The day of the changes in these tests.
const DAY: usize = 30;

/// Every person and firm counter of a run: (name, value each day).
fn columns(o: &RunOutcome) -> Vec<(&str, &[f64])> {
    let persons = o.series.person_cols().columns.names.iter().map(|n| (n.as_str(), series(o, n)));
    let firms = o.series.firm_cols().columns.names.iter();
    persons.chain(firms.map(|n| (n.as_str(), o.series.firm(n).expect("a firm column")))).collect()
}

/// Every person and firm series of `a` and `b` agree on days `0..DAY`.
#[track_caller]
fn same_before_the_change(a: &RunOutcome, b: &RunOutcome) {
    let (xs, ys) = (columns(a), columns(b));
    assert_eq!(xs.len(), ys.len());
    for ((name, x), (_, y)) in xs.into_iter().zip(ys) {
        assert_eq!(x[..DAY], y[..DAY], "`{name}` differs before the change");
    }
}

fn series<'a>(o: &'a RunOutcome, name: &str) -> &'a [f64] {
    o.series.person(name).or_else(|| o.series.firm(name)).unwrap_or_else(|| panic!("no column {name}"))
}

fn sum(xs: &[f64]) -> f64 {
    xs.iter().sum()
}

/// Runs china-2020 (court list with no delay, so that listings follow records at once) with and
/// without `change`, a `[[policy_change]]` body on day [`DAY`].
fn with_and_without(change: &str, people: u64, days: u32) -> (RunOutcome, RunOutcome) {
    let run = |extra: &str| {
        let mut s = scenario("china-2020", extra, people, days);
        for a in &mut s.params.authorities {
            a.delay_mean_days = 0.0;
        }
        simulate(&s)
    };
    let changed = run(&format!("[[policy_change]]\nday = {DAY}\n{change}\n"));
    let base = run("");
    same_before_the_change(&changed, &base);
    (changed, base)
}

#[test]
fn credit_repair_opens_an_exit_after_its_repair_period() {
    // Every member listed for at least 20 days leaves by repair on day 30's maintenance.
    let (changed, base) = with_and_without(
        "kind = \"credit_repair\"\nauthority = \"court_defaulters\"\nrepair_rate = 1.0\nrepair_after_days = 20",
        40_000,
        60,
    );
    let (stock, exits) =
        (series(&changed, "stock_court_defaulters"), series(&changed, "exits_court_defaulters"));
    let base_exits = series(&base, "exits_court_defaulters");
    assert!(stock[DAY - 1] > 200.0, "a list to repair: {}", stock[DAY - 1]);
    assert!(exits[DAY] > 5.0 * base_exits[DAY].max(1.0), "exits jump: {} vs {}", exits[DAY], base_exits[DAY]);
    // From then on nobody stays longer than the repair period: the stock is at most the
    // entries of the last 21 days (a member listed on day t leaves at the maintenance of t + 20).
    let entries = series(&changed, "entries_court_defaulters");
    for t in DAY + 1..60 {
        let recent = sum(&entries[t - 20..=t]);
        assert!(stock[t] <= recent, "day {t}: stock {} > entries of the repair period {recent}", stock[t]);
    }
    assert!(stock[59] < 0.5 * series(&base, "stock_court_defaulters")[59]);
}

#[test]
fn a_memorandum_ends_and_its_measures_stop() {
    let (changed, base) = with_and_without(
        "kind = \"memorandum\"\nmemorandum = \"court_defaulters_mou_2016\"\nenabled = false",
        40_000,
        60,
    );
    // The memorandum's measures are applied at entries until the change, never after; the
    // court's own measures go on.
    assert!(sum(&series(&changed, "applied_flight_ban")[..DAY]) > 0.0);
    assert_eq!(sum(&series(&changed, "applied_flight_ban")[DAY..]), 0.0);
    assert_eq!(sum(&series(&changed, "applied_public_job_exclusion")[DAY..]), 0.0);
    assert!(sum(&series(&changed, "applied_deposits_frozen")[DAY..]) > 0.0);
    // Its continuing effect, the travel ban, stops for current members too.
    assert!(sum(&series(&base, "flights_blocked")[DAY..]) > 0.0);
    assert_eq!(sum(&series(&changed, "flights_blocked")[DAY..]), 0.0);
    assert_eq!(sum(&series(&changed, "trains_blocked")[DAY..]), 0.0);
}

#[test]
fn a_memorandum_comes_into_force_on_its_day() {
    let text = "[[policy_change]]\nday = 30\nkind = \"memorandum\"\nmemorandum = \"court_defaulters_mou_2016\"\nenabled = true\n";
    let mut s = scenario("china-2020", text, 40_000, 60);
    let memo =
        s.params.memoranda.iter_mut().find(|m| m.name == "court_defaulters_mou_2016").expect("memorandum");
    memo.enabled = false;
    let o = simulate(&s);
    assert_eq!(sum(&series(&o, "applied_hsr_ban")[..DAY]), 0.0);
    assert_eq!(sum(&series(&o, "flights_blocked")[..DAY]), 0.0);
    assert!(sum(&series(&o, "applied_hsr_ban")[DAY..]) > 0.0);
    // Members of before the memorandum are banned from its day on.
    assert!(series(&o, "flights_blocked")[DAY] + series(&o, "trains_blocked")[DAY] > 0.0);
}

#[test]
fn representatives_are_no_longer_listed_after_the_change() {
    let change = |list: &str| {
        format!(
            "[[policy_change]]\nday = {DAY}\nkind = \"representatives\"\nauthority = \"{list}\"\nenabled = false\n"
        )
    };
    let extra = format!("{}\n{}", change("market_serious_illegal"), change("tax_d_list"));
    let run = |extra: &str| simulate(&scenario("china-2020", extra, 100_000, 60));
    let (changed, base) = (run(&extra), run(""));
    same_before_the_change(&changed, &base);
    // Restricted executives are listed only as the legal representatives of listed firms.
    let entries = series(&changed, "entries_restricted_executives");
    assert!(sum(&entries[..DAY]) > 0.0, "legal representatives listed before the change");
    assert_eq!(sum(&entries[DAY..]), 0.0);
    assert!(sum(&series(&base, "entries_restricted_executives")[DAY..]) > 0.0);
    // The firms themselves are still listed.
    assert!(sum(&series(&changed, "entries_market_serious_illegal")[DAY..]) > 0.0);
}

#[test]
fn a_list_without_grounds_stops_growing() {
    let (changed, base) = with_and_without("authority = \"court_defaulters\"\ngrounds = []", 40_000, 60);
    assert_eq!(sum(&series(&changed, "entries_court_defaulters")[DAY..]), 0.0);
    assert!(sum(&series(&base, "entries_court_defaulters")[DAY..]) > 0.0);
    let stock = series(&changed, "stock_court_defaulters");
    assert!(stock[59] <= stock[DAY], "no growth after the change: {} > {}", stock[59], stock[DAY]);
}

#[test]
fn new_grounds_list_new_records() {
    // The court list also lists loan defaults from the change (with detection added, as a
    // scenario would give it).
    let run = |extra: &str| {
        let mut s = scenario("china-2020", extra, 40_000, 60);
        let court =
            s.params.authorities.iter_mut().find(|a| a.name == "court_defaulters").expect("court list");
        let loan =
            scslab_model::vocab::PERSON_EVENTS.iter().position(|e| e.name == "loan_default").expect("event");
        court.detect[loan] = 0.5;
        court.delay_mean_days = 0.0;
        simulate(&s)
    };
    let changed = run(&format!(
        "[[policy_change]]\nday = {DAY}\nauthority = \"court_defaulters\"\ngrounds = [\"judgment_default\", \"loan_default\"]\n"
    ));
    let base = run("");
    same_before_the_change(&changed, &base);
    let after = |o: &RunOutcome| sum(&series(o, "entries_court_defaulters")[DAY..]);
    assert!(after(&changed) > 3.0 * after(&base), "{} vs {}", after(&changed), after(&base));
}

#[test]
fn a_score_threshold_change_empties_a_redlist_of_base_scores() {
    // Deposit-free services from 650: everyone at the base score 660 qualifies; from 700, none.
    let (changed, base) =
        with_and_without("authority = \"deposit_free\"\nscore_at_least = 700.0", 20_000, 40);
    let stock = series(&changed, "stock_deposit_free");
    assert!(stock[DAY - 1] > 1000.0);
    assert!(stock[DAY] < 0.1 * stock[DAY - 1], "{} then {}", stock[DAY - 1], stock[DAY]);
    assert!(series(&base, "stock_deposit_free")[DAY] > 0.9 * stock[DAY - 1]);
}

#[test]
fn a_dated_change_is_its_day() {
    // 2020-01-31 is day 30 of china-2020.
    let by_date = |date: &str| {
        let extra = format!(
            "[[policy_change]]\ndate = \"{date}\"\nauthority = \"court_defaulters\"\nenabled = false\n"
        );
        simulate(&scenario("china-2020", &extra, 20_000, 40))
    };
    let by_day = simulate(&scenario(
        "china-2020",
        "[[policy_change]]\nday = 30\nauthority = \"court_defaulters\"\nenabled = false\n",
        20_000,
        40,
    ));
    let a = by_date("2020-01-31");
    for ((name, x), (_, y)) in columns(&a).into_iter().zip(columns(&by_day)) {
        assert_eq!(x, y, "`{name}`");
    }
    assert_eq!(sum(&series(&a, "entries_court_defaulters")[DAY..]), 0.0);
}

#[test]
fn the_dated_preset_runs_the_same_on_any_thread_count() {
    // china-2013-2025, shortened to the years of its changes: all of them fall before 2021-10.
    let mut s = scslab_scenario::preset("china-2013-2025").expect("preset");
    s.params.n_persons = 3_000;
    s.params.days = 2_950;
    assert!(s.params.policy_changes.iter().all(|c| c.day < 2_950));
    let on = |threads: usize| {
        let mut cfg = scslab_runner::RunConfig::new(s.clone());
        cfg.threads = threads;
        scslab_runner::run(&cfg, &mut |_| {}).expect("runs")
    };
    let (one, three) = (on(1), on(3));
    for ((name, x), (_, y)) in columns(&one).into_iter().zip(columns(&three)) {
        assert!(x == y, "`{name}` differs between 1 and 3 threads");
    }
    // The list grows from its launch.
    let stock = series(&one, "stock_court_defaulters");
    assert_eq!(stock[0], 0.0);
    assert!(stock[2_000] > 0.0);
}
