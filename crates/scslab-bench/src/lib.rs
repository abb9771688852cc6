//! Benchmarks of scslab and nothing else; never a dependency of another crate.
//!
//! `cargo bench -p scslab-bench --bench throughput -- [--preset NAME] [--people N] [--days D]
//! [--threads T]` runs a preset end to end (no output files) and prints the state bytes per
//! person and per firm, the time, person-days per second (overall and per thread) and the peak
//! resident memory. The numbers in docs/PERFORMANCE.md come from it.
//!
//! `cargo bench -p scslab-bench --bench workload -- [--preset NAME] [--people N] [--days D]
//! [--threads T]` steps a simulation without the runner and prints where the day's time goes
//! (person phase, firm phase, the rest), the shares of adult-days that are thinning candidates and
//! that have an event, the throughput bounds of an event-driven person kernel, and the time of a
//! census of every adult's per-day stocks.
//!
//! Both take the preset's population and horizon unless `--people` and `--days` say otherwise.

use scslab_scenario::Scenario;

/// The command line shared by the benchmarks: `--preset NAME` (default `china-2020`),
/// `--people N`, `--days D`, `--engine daily|event` (the preset's, unless given) and
/// `--threads T` (0, the default, for every core).
pub struct BenchArgs {
    /// Preset name.
    pub preset: String,
    /// The preset with `--people` and `--days` applied.
    pub scenario: Scenario,
    /// Threads asked for.
    pub threads: usize,
}

impl BenchArgs {
    /// Reads the process's arguments; panics with the option's name on a bad value (a benchmark,
    /// not a user-facing command).
    pub fn from_env() -> BenchArgs {
        let args: Vec<String> = std::env::args().collect();
        let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
        let preset = arg("--preset").unwrap_or_else(|| "china-2020".into());
        let mut scenario = scslab_scenario::preset(&preset).expect("--preset");
        if let Some(n) = arg("--people") {
            scenario.params.n_persons = n.parse().expect("--people");
        }
        if let Some(d) = arg("--days") {
            scenario.params.days = d.parse().expect("--days");
        }
        if let Some(e) = arg("--engine") {
            scenario.params.engine = match e.as_str() {
                "daily" => scslab_model::params::DayEngine::Daily,
                "event" => scslab_model::params::DayEngine::Event,
                other => panic!("--engine: `{other}` is not `daily` or `event`"),
            };
        }
        let threads = arg("--threads").map_or(0, |t| t.parse().expect("--threads"));
        BenchArgs { preset, scenario, threads }
    }
}
