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
//! that have an event, and the throughput bounds of an event-driven person kernel.
