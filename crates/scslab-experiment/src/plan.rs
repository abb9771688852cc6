//! The run list of a sweep: every run with its stable id and seed, listed before any starts, and
//! the fingerprint that ties an output folder to the sweep.
//!
//! Execution (`execute.rs`), one run's files (`results.rs`) and the combined dataset
//! (`combine.rs`) all read this list; it depends on none of them.

use crate::design::{Streams, fingerprint, replication_seed};
use crate::file::Sweep;

/// One run of a sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSpec {
    /// Stable id, also the run's folder name: `s{scenario}-p{point}-r{replication}`, each number
    /// zero-padded to the width of its largest value.
    pub id: String,
    /// Index into `Sweep::scenarios`.
    pub scenario: usize,
    /// Index into `Sweep::points`.
    pub point: usize,
    /// Replication, from 0.
    pub replication: u32,
    /// The run's seed.
    pub seed: u64,
}

/// Lists every run of a sweep, in order: scenario, then design point, then replication.
pub fn plan(sweep: &Sweep, streams: Streams) -> Vec<RunSpec> {
    let width = |n: usize| n.saturating_sub(1).to_string().len();
    let (ws, wp, wr) =
        (width(sweep.scenarios.len()), width(sweep.points.len()), width(sweep.replications as usize));
    let mut runs =
        Vec::with_capacity(sweep.scenarios.len() * sweep.points.len() * sweep.replications as usize);
    for scenario in 0..sweep.scenarios.len() {
        for point in 0..sweep.points.len() {
            for replication in 0..sweep.replications {
                runs.push(RunSpec {
                    id: format!("s{scenario:0ws$}-p{point:0wp$}-r{replication:0wr$}"),
                    scenario,
                    point,
                    replication,
                    seed: replication_seed(sweep.seed, replication, scenario, streams),
                });
            }
        }
    }
    runs
}

/// What ties an output folder to a sweep: the sweep text, every scenario's text, the stream mode
/// and the scslab version; for a `kind = "table"` design also the design points, which live in
/// another file.
pub(crate) fn sweep_fingerprint(sweep: &Sweep, streams: Streams) -> String {
    let mode = streams.name();
    let table: Vec<u8> = if sweep.design == crate::file::Design::Table {
        sweep.points.iter().flatten().flat_map(|x| x.to_bits().to_le_bytes()).collect()
    } else {
        Vec::new()
    };
    let parts = [sweep.text.as_bytes(), mode.as_bytes(), env!("CARGO_PKG_VERSION").as_bytes()]
        .into_iter()
        .chain(sweep.scenarios.iter().map(|s| s.text.as_bytes()))
        .chain((!table.is_empty()).then_some(table.as_slice()));
    fingerprint(parts)
}
