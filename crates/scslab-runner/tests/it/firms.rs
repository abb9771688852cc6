//! Firms that earn tax grades and firms that are founded (issue 16): the annual rating counts
//! every operating firm once, new firms are rated M, founding keeps the live firms near their
//! starting number, and ratings and foundings are exact under traces, resumes and threads.

use scslab_model::sim::Simulation;
use scslab_runner::{RunConfig, RunOutcome, run};
use scslab_scenario::Scenario;

/// `china-2020` from `start_date` for `days` days, with `extra` edits of its text: the year
/// ends come from the text, as a user's scenario would give them.
fn china(people: u64, days: u32, start_date: &str, edits: &[(&str, &str)]) -> Scenario {
    let mut text = scslab_scenario::preset_text("china-2020")
        .unwrap()
        .replace("start_date = \"2020-01-01\"", &format!("start_date = \"{start_date}\""));
    for (old, new) in edits {
        assert!(text.contains(old), "`{old}` in the preset");
        text = text.replace(old, new);
    }
    let mut s = scslab_scenario::parse(&text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
    s.params.n_persons = people;
    s.params.days = days;
    s
}

/// A short run with a year end on day 9 and a fast turnover of firms: many closures, most of
/// their slots founded again within the run.
pub(crate) fn turnover(people: u64, days: u32) -> Scenario {
    china(
        people,
        days,
        "2019-12-23",
        &[
            ("firm_base_closure = 0.00015", "firm_base_closure = 0.004"),
            ("firm_founding = 0.02", "firm_founding = 0.2"),
        ],
    )
}

fn simulate(s: &Scenario, threads: usize) -> RunOutcome {
    let mut cfg = RunConfig::new(s.clone());
    cfg.threads = threads;
    run(&cfg, &mut |_| {}).unwrap()
}

/// Firms rated each grade of `tax_rating` on `day`: (grade, firms, share) rows of `firm_grades`.
fn grades_on(o: &RunOutcome, s: &Scenario, day: u32) -> Vec<(String, u64, f64)> {
    let t = o.series.firm_grades(&s.params);
    let col = |name: &str| t.columns.iter().find(|c| c.name == name).map(|c| &c.data).unwrap();
    let (scslab_output::ColumnData::U32(days), scslab_output::ColumnData::Str(grades)) =
        (col("day"), col("grade"))
    else {
        panic!("firm_grades columns")
    };
    let (scslab_output::ColumnData::U64(firms), scslab_output::ColumnData::F64(shares)) =
        (col("firms"), col("share"))
    else {
        panic!("firm_grades columns")
    };
    (0..days.len()).filter(|&i| days[i] == day).map(|i| (grades[i].clone(), firms[i], shares[i])).collect()
}

#[test]
fn each_year_end_rates_every_operating_firm_once() {
    let s = china(3_000, 1096, "2020-01-01", &[]);
    assert_eq!(&s.params.year_ends[..3], [365, 730, 1095]);
    let o = simulate(&s, 2);
    let alive = o.series.firm("firms_alive").unwrap();
    let foundings = o.series.firm("foundings").unwrap();
    let n_firms = s.params.n_firms() as f64;
    for (year, &end) in [365u32, 730, 1095].iter().enumerate() {
        let rows = grades_on(&o, &s, end);
        let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(names, ["A", "B", "C", "D", "M"], "grades in the scheme's order, M last");
        let rated: u64 = rows.iter().map(|r| r.1).sum();
        assert_eq!(rated as f64, alive[end as usize], "year {year}: every operating firm rated once");
        let shares: f64 = rows.iter().map(|r| r.2).sum();
        assert!((shares - 1.0).abs() < 1e-12, "year {year}: shares sum to {shares}");
        let count = |g: &str| rows.iter().find(|r| r.0 == g).unwrap().1;
        assert!(count("A") > 0 && count("D") > 0 && count("B") > count("A"), "year {year}: {rows:?}");
        // Only firms founded that year are new: M counts at most the year's foundings.
        let start = if year == 0 { 0 } else { [365usize, 730][year - 1] + 1 };
        let founded: f64 = foundings[start..=end as usize].iter().sum();
        assert!(count("M") as f64 <= founded, "year {year}: {} M of {founded} founded", count("M"));
        // Founding keeps the live firms near their starting number.
        assert!(
            alive[end as usize] >= 0.96 * n_firms,
            "year {year}: {} of {n_firms} alive",
            alive[end as usize]
        );
    }
    assert!(foundings.iter().sum::<f64>() > 0.0);
    // The firms processed each day: those operating at its start, not those founded that day.
    let firm = |name: &str| o.series.firm(name).unwrap_or_else(|| panic!("no firm column {name}"));
    let violations = ["tax_evasion", "environmental_violation", "quality_violation", "labour_violation"]
        .into_iter()
        .chain(["anticompetitive", "security_flag"])
        .map(|e| firm(&format!("true_{e}")))
        .fold(vec![0.0; alive.len()], |acc, v| acc.iter().zip(v).map(|(a, b)| a + b).collect());
    let (compliant, closures) = (firm("compliant"), firm("closures"));
    for t in 0..alive.len() {
        assert_eq!(compliant[t] + violations[t], alive[t] + closures[t] - foundings[t], "day {t}");
    }
    let m_total: u64 = [730u32, 1095].iter().map(|&d| grades_on(&o, &s, d)[4].1).sum();
    assert!(m_total > 0, "firms founded in the second and third years are rated M");
    // Other days rate nobody.
    let rated_any = |day: usize| {
        o.series
            .firm_cols()
            .rated
            .iter()
            .filter(|&&c| c != usize::MAX)
            .any(|&first| (0..5).any(|g| o.series.firm_at(first + g)[day] > 0.0))
    };
    assert!(!rated_any(364) && !rated_any(366) && rated_any(365));
}

#[test]
fn without_founding_the_firm_population_shrinks() {
    let closed = china(3_000, 1096, "2020-01-01", &[("firm_founding = 0.02", "firm_founding = 0.0")]);
    let open = china(3_000, 1096, "2020-01-01", &[]);
    let last = |o: &RunOutcome| *o.series.firm("firms_alive").unwrap().last().unwrap();
    let (a, b) = (simulate(&closed, 2), simulate(&open, 2));
    let n = closed.params.n_firms() as f64;
    assert!(b.series.firm("foundings").unwrap().iter().sum::<f64>() > 0.0);
    assert_eq!(a.series.firm("foundings").unwrap().iter().sum::<f64>(), 0.0);
    assert!(last(&a) < 0.9 * n, "closed population: {} of {n} left after three years", last(&a));
    assert!(last(&b) > 0.96 * n, "with founding: {} of {n}", last(&b));
    // New firms hire: fewer working-age persons are out of work at the end.
    let unemployed = |o: &RunOutcome| *o.series.person("unemployed").unwrap().last().unwrap();
    assert!(unemployed(&b) < unemployed(&a), "{} with founding, {} without", unemployed(&b), unemployed(&a));
}

#[test]
fn traces_of_every_agent_agree_with_a_run_of_foundings_and_a_rating() {
    let s = turnover(4_000, 24);
    crate::trace::traces_agree_with_the_run(&s);
    // The traces tell each founding and each rating, as the counters count them.
    let mut sim = Simulation::new(s.params.clone());
    let (mut founded, mut rated) = (0u64, 0u64);
    let c = sim.firm_cols.clone();
    for _ in 0..s.params.days {
        let m = sim.step();
        let w = m.firms.width;
        for row in m.firms.values.chunks_exact(w) {
            founded += row[c.foundings];
            rated += (0..5).map(|g| row[c.rated[0] + g]).sum::<u64>();
        }
    }
    assert!(founded > 10 && rated > 0, "{founded} foundings, {rated} ratings");
    let ids: Vec<u32> = (0..sim.layout.n_firms() as u32).collect();
    let traces = scslab_model::trace::trace_firms(&s.params, &sim.replay, &ids).unwrap();
    let rows = |kind: &str| -> u64 {
        traces.iter().flat_map(|t| &t.rows).filter(|r| r.kind == kind).map(|r| r.value as u64).sum()
    };
    assert_eq!(rows("founding"), founded, "a founding row per founding");
    assert_eq!(rows("rating"), rated);
}

#[test]
fn foundings_and_ratings_continue_exactly_after_a_restore_and_on_any_thread_count() {
    let s = turnover(3_000, 20);
    let mut a = Simulation::new(s.params.clone());
    for _ in 0..5 {
        a.step();
    }
    let mut bytes = Vec::new();
    a.save_state(7, &mut bytes).unwrap();
    let mut b = Simulation::restore(s.params.clone(), 7, &mut bytes.as_slice()).unwrap();
    for _ in 5..20 {
        let (ma, mb) = (format!("{:?}", a.step()), format!("{:?}", b.step()));
        assert_eq!(ma, mb, "metrics differ on day {}", a.day() - 1);
    }
    let (mut sa, mut sb) = (Vec::new(), Vec::new());
    a.save_state(7, &mut sa).unwrap();
    b.save_state(7, &mut sb).unwrap();
    assert!(sa == sb, "states differ after the restore");
    assert!(a.firms.generation.iter().any(|&g| g > 0), "no firm was founded: the check is empty");
    assert_eq!(a.operating, scslab_model::world::FirmSet::from_flags(&a.firms.flags));
    let (one, two) = (simulate(&s, 1), simulate(&s, 2));
    for (x, y) in one.series.tables().iter().zip(two.series.tables().iter()) {
        assert_eq!(format!("{:?}", x.columns), format!("{:?}", y.columns), "{} by thread count", x.name);
    }
    assert_eq!(
        format!("{:?}", one.series.firm_grades(&s.params).columns),
        format!("{:?}", two.series.firm_grades(&s.params).columns)
    );
}

/// `ClosedToday::employer_closed`, through its filter, answers as the employer's derivation
/// does, for every slot of every person: with no firm closed, then with the largest and the last
/// firm of each province and every 97th firm closed, at three concentrations; and again after the
/// day's closures are cleared. At 100,000 people, and at 2,000, where some provinces have no
/// firm (an employed person there has none: always closed).
#[test]
fn closed_employers_are_found_through_the_filter() {
    use scslab_model::population::Layout;
    use scslab_model::world::ClosedToday;

    for people in [100_000, 2_000] {
        let mut s = scslab_scenario::preset("china-2020").unwrap();
        s.params.n_persons = people;
        let layout = Layout::new(&s.params);
        let offsets = layout.firm_offsets;
        let empty = offsets.windows(2).filter(|o| o[0] == o[1]).count();
        assert_eq!(empty > 0, people < 10_000, "{people} people: {empty} provinces without firms");
        let check = |closed: &ClosedToday, c: u32| {
            let mut hits = 0;
            for id in 0..layout.n_persons() as u32 {
                let province = layout.person_province(id);
                for slot in 0..4 {
                    let expected =
                        layout.employer_candidate(c, id, province, slot).is_none_or(|f| closed.contains(f));
                    assert_eq!(
                        closed.employer_closed(&layout, id, province, slot),
                        expected,
                        "person {id}, slot {slot}"
                    );
                    hits += expected as u64;
                }
            }
            hits
        };
        // Persons of provinces without firms: closed every day.
        let homeless: u64 = (0..layout.n_persons() as u32)
            .filter(|&id| {
                let p = layout.person_province(id) as usize;
                offsets[p] == offsets[p + 1]
            })
            .count() as u64
            * 4;
        for c in [3, 1, 0] {
            let mut closed = ClosedToday::new(&layout, c);
            assert_eq!(check(&closed, c), homeless, "no firm closed");
            for p in 0..offsets.len() - 1 {
                for f in [offsets[p], offsets[p + 1].wrapping_sub(1)] {
                    if (offsets[p]..offsets[p + 1]).contains(&f) && !closed.contains(f) {
                        closed.add(&layout, f);
                    }
                }
            }
            for f in (0..layout.n_firms() as u32).step_by(97) {
                if !closed.contains(f) {
                    closed.add(&layout, f);
                }
            }
            assert!(
                check(&closed, c) > homeless + people / 100,
                "concentration {c}: the closures employ people"
            );
            closed.clear(&layout);
            assert_eq!(check(&closed, c), homeless, "cleared");
        }
    }
}
