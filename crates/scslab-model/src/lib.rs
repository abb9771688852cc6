//! The scslab model: a synthetic population of persons and firms living under a social credit
//! regime, simulated day by day.
//!
//! Map of the crate, in the order of a day (see `day.rs`, and docs/ODD.md for the model):
//! - [`params`]: the parameters, plain data produced by `scslab-scenario`.
//! - [`vocab`]: fixed names (events, contexts, measure kinds, provinces).
//! - [`population`]: static traits derived from (seed, id), never stored.
//! - [`world`]: the dynamic state (dense columns, sparse list entries, messages); its dense
//!   columns are declared once through `columns.rs` (`dense_columns!`).
//! - [`tables`]: per-run and per-day lookup tables used by the kernels.
//! - [`firms`], [`persons`]: the two agent phases, each a kernel over a chunk of columns.
//! - [`firm_event`]: the event engine's firm schedules, read by the firm kernel.
//! - [`event`]: the event engine's schedules, attitude paths and census (`[engine] day =
//!   "event"`), read by the person kernel.
//! - [`lists`]: daily list maintenance (expiry, appeals, repair).
//! - [`metrics`]: counters and their layout.
//! - `day.rs`: the day step; [`sim`]: the simulation object and end-of-run distributions.
//! - [`state`]: saving and restoring the dynamic state (checkpoints), in frames of
//!   `scslab-codec`; `saved.rs`: what checkpoints and replay logs share (their error, messages).
//!
//! This crate does no I/O, prints nothing, reads no clock and cannot fail once given valid
//! parameters. Outputs depend only on (parameters, seed), never on the number of threads.
//!
//! ```
//! # use scslab_model::sim::Simulation;
//! # fn demo(params: scslab_model::params::Params) {
//! let mut sim = Simulation::new(params);
//! let adults = sim.step().persons.values.len();
//! # let _ = adults;
//! # }
//! ```

#[macro_use]
mod columns;
mod day;
pub mod event;
pub mod firm_event;
pub use day::{Phase, PhaseObserver};
pub mod firms;
pub mod lists;
pub mod metrics;
pub mod params;
pub mod persons;
pub mod population;
pub mod replay;
mod saved;
pub mod sim;
pub mod state;
pub mod tables;
pub mod theory;
pub mod trace;
pub mod vocab;
pub mod world;
