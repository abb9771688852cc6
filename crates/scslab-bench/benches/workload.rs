//! Where a day's time goes, and what an event-driven kernel could gain at best: the question
//! "how far can the engine go without changing what the model computes?".
//!
//! Steps a preset's simulation (no runner, no outputs) and prints the time of the firm phase, the
//! person phase and the rest of the day, the share of adult-days that are candidates of the
//! thinning (their event probabilities computed) and that have an event, and two bounds: the
//! throughput if the person phase touched only those adult-days, at today's cost per adult-day,
//! with everything else as today.
//!
//! Then it times a census of the final state: the part of a day that the brief's per-day stocks
//! (expressed and desired criticism, private and silent dissenters, the wealth distribution,
//! attitudes) need from every adult, computed as the person kernel computes it, and nothing
//! else. However events are scheduled, an engine that reports those stocks exactly every day does
//! at least this much every day.
//!
//! Last it times the **floor of today's model**: the census plus what the model draws and rounds
//! for every adult every day whatever happens to them (the keyed start of the day's stream, the
//! thinning draw, the false-record draw, the draw for travel and rounding, the three attitude
//! updates and their stochastic rounding). Any implementation that reproduces today's outputs
//! does at least this much; going faster than it needs a different model.

use std::time::Instant;

use rayon::prelude::*;
use scslab_bench::BenchArgs;
use scslab_core::rng::{DayStream, Stream};
use scslab_model::metrics::{WEALTH_BINS, wealth_bin};
use scslab_model::persons::stochastic_byte;
use scslab_model::population::{N_CELLS, N_PEER_GROUPS, adult_traits};
use scslab_model::sim::Simulation;
use scslab_model::tables::{CONFORMITY_LEVELS, DayTables};
use scslab_model::vocab::{EV_CRITICISM, PERSON_EVENTS, Valence};
use scslab_model::world::P_SILENCED;
use scslab_model::{Phase, PhaseObserver};

/// Day totals summed over the run.
#[derive(Default)]
struct Totals {
    adult_days: u64,
    events: u64,
    violations: u64,
    recorded: u64,
    false_records: u64,
    /// Firms operating at the start of their day (alive at its end, plus closed, less founded).
    firm_days: u64,
}

fn main() {
    let BenchArgs { preset, scenario: s, threads } = BenchArgs::from_env();
    let days = s.params.days;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
    let people = s.params.n_persons;
    let t0 = Instant::now();
    let mut sim = pool.install(|| Simulation::new(s.params));
    let setup = t0.elapsed().as_secs_f64();
    let mut t = Totals::default();
    let mut clock = PhaseClock::new();
    for _ in 0..days {
        clock.last = Instant::now();
        pool.install(|| sim.step_observed(&mut clock));
        let (f, fc) = (&sim.metrics.firms, &sim.firm_cols);
        for row in f.values.chunks_exact(f.width) {
            t.firm_days += row[fc.alive] + row[fc.closures] - row[fc.foundings];
        }
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
    let (total, firm, person) = (clock.total, clock.firms, clock.persons);
    let rest = total - firm - person;
    let person_days = people as f64 * w.days as f64;
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
        "engine {}: adult-days visited in full {:.2}%, firm-days drawn in full {:.2}%",
        sim.params.engine.name(),
        100.0 * share(w.touched_days),
        100.0 * w.firm_full_days as f64 / t.firm_days.max(1) as f64
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
    let runs = 3;
    for (name, draws) in [("census of every adult's stocks", false), ("floor of today's model", true)] {
        let t0 = Instant::now();
        let mut check = 0;
        for _ in 0..runs {
            let sums = if draws {
                pool.install(|| census::<true>(&sim, days))
            } else {
                pool.install(|| census::<false>(&sim, days))
            };
            check += sums.iter().sum::<u64>();
        }
        let secs = t0.elapsed().as_secs_f64() / runs as f64;
        println!(
            "{name}: {secs:.3} s a day ({:.1} ns per person per thread; checksum {check}): \
             alone {:.1} M person-days/s, with today's firm phase and the rest {:.1} M",
            1e9 * secs * n_threads as f64 / people as f64,
            people as f64 / secs / 1e6,
            rate(firm + rest + secs * w.days as f64)
        );
    }
}

/// Per-cell columns of the census.
const DESIRED: usize = 0;
const EXPRESSED: usize = 1;
const DISSENTERS: usize = 2;
const SILENT: usize = 3;
const WEALTH: usize = 4;
const FEAR: usize = 5;
const RESENTMENT: usize = 6;
const TRUST: usize = 7;
const CANDIDATES: usize = 8;
const WIDTH: usize = 9;

/// The per-day stocks of every adult, as `persons::person_day` computes them from the stored
/// state (criticism, dissenters, wealth and attitudes per cell, the wealth histogram), over
/// fixed chunks of persons in parallel. With `DRAWS`, also the draws and roundings that the
/// person kernel makes for every adult on `day` (counting the thinning's candidates and summing
/// the rounded attitudes instead of the stored ones).
fn census<const DRAWS: bool>(sim: &Simulation, day: u32) -> Vec<u64> {
    const CHUNK: usize = 1 << 16;
    let p = &sim.persons;
    let zero = || vec![0u64; N_CELLS * WIDTH + WEALTH_BINS];
    p.wealth
        .par_chunks(CHUNK)
        .enumerate()
        .fold(zero, |mut acc, (c, wealth)| {
            let (params, layout, tables) = (&sim.params, &sim.layout, &sim.tables);
            let b = &params.behaviour;
            let stream = DayStream::new(params.seed, Stream::Behaviour, day as u64);
            // The kernel reads yesterday's rates per peer group; their values do not change the cost.
            let sanction_rate = [1e-4; N_PEER_GROUPS];
            let start = (c * CHUNK) as u32;
            let ids = c * CHUNK..c * CHUNK + wealth.len();
            let (fear, resentment, trust) =
                (&p.fear[ids.clone()], &p.resentment[ids.clone()], &p.trust[ids.clone()]);
            let (flags, lists) = (&p.flags[ids.clone()], &p.lists[ids]);
            let mut province = layout.person_province(start);
            let mut next_boundary = layout.person_offsets[province as usize + 1];
            for (i, &w) in wealth.iter().enumerate() {
                let id = start + i as u32;
                while id >= next_boundary {
                    province += 1;
                    next_boundary = layout.person_offsets[province as usize + 1];
                }
                let Some(t) = adult_traits(params, layout, id, province) else { continue };
                let dissent =
                    (t.dissent as f64 + b.dissent_from_resentment * resentment[i] as f64 / 255.0).min(1.0);
                let x = t.fear_sensitivity as f64 * (1.0 + b.fear_perception * fear[i] as f64 / 255.0);
                let level = (x * tables.risk_level_scale + 0.5) as i32 as usize;
                let clevel = (t.conformity as f64 * (CONFORMITY_LEVELS - 1) as f64 + 0.5) as i32 as usize;
                let row = &tables.person_rate[DayTables::rate_index(t.peer_group(), level, clevel)];
                let d = 4.0 * dissent * t.outspokenness as f64;
                let desired = row.desired_criticism as f64 * d;
                let reach = tables.person_effects[lists[i] as usize].reach;
                let silenced = flags[i] & P_SILENCED != 0;
                let expressed = if silenced { 0.0 } else { d * reach * row.rates[EV_CRITICISM] as f64 };
                let dissenter = dissent > 0.5;
                let mut bytes = [fear[i], resentment[i], trust[i]];
                let mut candidate = false;
                if DRAWS {
                    let mut rng = stream.agent(id as u64);
                    let mut orng = rng.segment(1);
                    let mut crng = rng.segment(2);
                    candidate = rng.uniform() < row.bound;
                    candidate |= orng.uniform() < tables.person_false_any[province as usize];
                    let [r1, r2, r3, _travel] = crng.u16x4();
                    let f = fear[i] as f64 / 255.0;
                    let f = f * (1.0 - b.fear_decay) + b.fear_group_sanction * sanction_rate[t.peer_group()];
                    let r = resentment[i] as f64 / 255.0 * (1.0 - b.resentment_decay);
                    let tr = trust[i] as f64 / 255.0;
                    let effects = &tables.person_effects[lists[i] as usize];
                    let tr = tr + b.trust_recovery * (b.initial_trust - tr) + effects.trust_daily;
                    bytes = [stochastic_byte(f, r1), stochastic_byte(r, r2), stochastic_byte(tr, r3)];
                }
                let cell = &mut acc[t.cell() * WIDTH..][..WIDTH];
                cell[DESIRED] += (desired * 1e6) as u64;
                cell[EXPRESSED] += (expressed * 1e6) as u64;
                cell[DISSENTERS] += dissenter as u64;
                cell[SILENT] += (dissenter & (expressed < 0.5 * desired)) as u64;
                cell[WEALTH] = cell[WEALTH].wrapping_add(w as i64 as u64);
                cell[FEAR] += bytes[0] as u64;
                cell[RESENTMENT] += bytes[1] as u64;
                cell[TRUST] += bytes[2] as u64;
                cell[CANDIDATES] += candidate as u64;
                acc[N_CELLS * WIDTH + wealth_bin(w)] += 1;
            }
            acc
        })
        .reduce(zero, |mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x = x.wrapping_add(*y));
            a
        })
}

/// Times the phases of the days it observes (the model reads no clock: the benchmark does).
struct PhaseClock {
    /// When the last phase ended (set before each day).
    last: Instant,
    /// Seconds of whole days, of the firm phase and of the person phase.
    total: f64,
    firms: f64,
    persons: f64,
}

impl PhaseClock {
    fn new() -> PhaseClock {
        PhaseClock { last: Instant::now(), total: 0.0, firms: 0.0, persons: 0.0 }
    }
}

impl PhaseObserver for PhaseClock {
    fn done(&mut self, phase: Phase) {
        let now = Instant::now();
        let secs = (now - self.last).as_secs_f64();
        self.last = now;
        self.total += secs;
        match phase {
            Phase::Firms => self.firms += secs,
            Phase::Persons => self.persons += secs,
            _ => {}
        }
    }
}
