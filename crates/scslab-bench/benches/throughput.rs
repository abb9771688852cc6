//! Throughput of the whole day step on a preset: the question "how many person-days a second,
//! and how many bytes of state per agent?".

use std::time::Instant;

use scslab_bench::BenchArgs;
use scslab_model::sim::estimate_memory;
use scslab_runner::{RunConfig, run};

fn main() {
    let BenchArgs { preset, scenario: s, threads } = BenchArgs::from_env();
    let m = estimate_memory(&s.params);
    let (people, days) = (s.params.n_persons, s.params.days);
    let mut cfg = RunConfig::new(s);
    cfg.threads = threads;
    let t0 = Instant::now();
    let outcome = run(&cfg, &mut |_| {}).expect("run");
    let wall = t0.elapsed().as_secs_f64();
    let pd = people as f64 * days as f64;
    let rate = pd / outcome.timings.simulate;
    println!("preset {preset}: {people} people, {days} days, {} threads", outcome.threads);
    println!("state bytes per person: {}", m.bytes_per_person);
    println!("state bytes per firm: {}", m.bytes_per_firm);
    println!(
        "setup {:.2} s, simulate {:.2} s, total {:.2} s",
        outcome.timings.setup, outcome.timings.simulate, wall
    );
    println!(
        "person-days per second: {:.2} M ({:.2} M per thread; {:.1} ns per person-day per thread)",
        rate / 1e6,
        rate / 1e6 / outcome.threads as f64,
        1e9 * outcome.threads as f64 / rate
    );
    if let Some(rss) = outcome.peak_rss_bytes {
        println!("peak resident memory: {:.1} MiB", rss as f64 / (1 << 20) as f64);
    }
}
