//! Where a day's time goes, and what an event-driven kernel could gain at best: the question
//! "how far can the engine go without changing what the model computes?".
//!
//! Steps a preset's simulation (no runner, no outputs) and prints the time of the firm phase, the
//! person phase and the rest of the day, the share of adult-days that are candidates of the
//! thinning (their event probabilities computed) and that have an event, and two bounds: the
//! throughput if the person phase touched only those adult-days, at today's cost per adult-day,
//! with everything else as today.

use std::time::Instant;

use scslab_model::population::N_CELLS;
use scslab_model::sim::Simulation;
use scslab_model::vocab::{PERSON_EVENTS, Valence};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// Day totals summed over the run.
#[derive(Default)]
struct Totals {
    adult_days: u64,
    events: u64,
    violations: u64,
    recorded: u64,
    false_records: u64,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let preset = arg(&args, "--preset").unwrap_or_else(|| "china-2020".into());
    let mut s = scslab_scenario::preset(&preset).expect("preset");
    if let Some(n) = arg(&args, "--people") {
        s.params.n_persons = n.parse().expect("--people");
    }
    let days: u32 = arg(&args, "--days").map_or(30, |d| d.parse().expect("--days"));
    let threads: usize = arg(&args, "--threads").map_or(0, |t| t.parse().expect("--threads"));
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
    let people = s.params.n_persons;
    let t0 = Instant::now();
    let mut sim = pool.install(|| Simulation::new(s.params));
    let setup = t0.elapsed().as_secs_f64();
    let mut t = Totals::default();
    for _ in 0..days {
        pool.install(|| sim.step());
        let (m, cols) = (&sim.metrics.persons, &sim.person_cols);
        for cell in 0..N_CELLS {
            t.adult_days += m.get(cell, cols.adults);
            for (e, info) in PERSON_EVENTS.iter().enumerate() {
                let n = m.get(cell, cols.true_events + e);
                t.events += n;
                if info.valence == Valence::Violation {
                    t.violations += n;
                }
                t.recorded += m.get(cell, cols.recorded + e);
                t.false_records += m.get(cell, cols.false_records + e);
            }
        }
    }
    let w = sim.workload;
    let secs = |d: std::time::Duration| d.as_secs_f64();
    let (total, firm, person) = (secs(w.total), secs(w.firm_phase), secs(w.person_phase));
    let rest = total - firm - person;
    let person_days = people as f64 * days as f64;
    let share = |x: u64| x as f64 / t.adult_days as f64;
    let rate = |secs: f64| person_days / secs / 1e6;
    let n_threads = pool.current_num_threads();
    println!("preset {preset}: {people} people, {days} days, {n_threads} threads; setup {setup:.2} s");
    println!(
        "day step {total:.2} s: {:.2} M person-days/s, {:.1} ns per person-day per thread",
        rate(total),
        1e9 * total * n_threads as f64 / person_days
    );
    println!(
        "  person phase {person:.2} s ({:.0}%), firm phase {firm:.2} s ({:.0}%), rest {rest:.2} s ({:.0}%)",
        100.0 * person / total,
        100.0 * firm / total,
        100.0 * rest / total
    );
    println!(
        "per adult-day: candidates {:.2}%, events {:.2}% (violations {:.3}%), records {:.4}%, false records {:.5}%",
        100.0 * share(w.candidate_days),
        100.0 * share(t.events),
        100.0 * share(t.violations),
        100.0 * share(t.recorded),
        100.0 * share(t.false_records)
    );
    println!(
        "bound if the person phase touched only candidates, at today's cost per adult-day: {:.1} M person-days/s",
        rate(firm + rest + person * share(w.candidate_days))
    );
    println!(
        "bound if it touched only adult-days with an event: {:.1} M person-days/s; with no person phase at all: {:.1} M",
        rate(firm + rest + person * share(t.events)),
        rate(firm + rest)
    );
}
