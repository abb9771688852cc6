//! The shared vocabulary of scslab: agent ids, the day clock, counter-based random streams and
//! chunking rules.
//!
//! Everything here is pure arithmetic. This crate does no I/O, reads no clock or environment and
//! cannot fail; the model, the scenario reader and the runner all build on it.
//!
//! ```
//! use scslab_core::rng::{AgentDayRng, Stream};
//! let mut a = AgentDayRng::new(7, Stream::Behaviour, 42, 3);
//! let mut b = AgentDayRng::new(7, Stream::Behaviour, 42, 3);
//! assert_eq!(a.uniform(), b.uniform()); // same (seed, stream, agent, day): same draws
//! ```

pub mod chunk;
pub mod rng;

/// A simulated day, counted from 0 at the start of a run.
pub type Day = u32;

/// Index of a person. Persons are numbered `0..n_persons`, grouped by province.
pub type PersonIdx = u32;

/// Index of a firm (market entity). Firms are numbered `0..n_firms`, grouped by province.
pub type FirmIdx = u32;

/// Marker used for "no agent" in `u32` id columns.
pub const NO_AGENT: u32 = u32::MAX;
