//! Behaviour theories: how a person decides what the deterrence rules of `persons.rs` decide by
//! default. A scenario chooses one (`[behaviour] theory`); each is a module here with its own
//! parameters, its per-person rule and any state of its own, and the rest of the model asks
//! [`Theory`] which one is in force.
//!
//! - `deterrence` (the default): criticism is a daily event whose chance falls as fear rises
//!   (`persons.rs`, docs/ODD.md 7.5). It has no module: it is the model's own rule.
//! - [`expression`] (Daymude, Axelrod & Forrest 2025): each adult chooses how much of their
//!   desired dissent to express against an authority's tolerance, severity and surveillance.
//! - [`reputation`] (Radzvilavicius, Kessinger & Plotkin 2021): adults play a donation game of
//!   indirect reciprocity, one generation a day, judged by a second-order norm privately or by a
//!   public institution (which may be a list of the regime).
//!
//! A fourth theory is a new module, a variant of [`Theory`], its scenario table in
//! `scslab-scenario` and its counters in `metrics.rs`.

pub mod expression;
pub mod reputation;

/// The behaviour theory in force.
#[derive(Clone, Debug, Default)]
pub enum Theory {
    /// Today's deterrence rules (docs/ODD.md 7.5).
    #[default]
    Deterrence,
    /// Strategic expression of dissent (Daymude et al. 2025).
    Expression(expression::ExpressionParams),
    /// Indirect reciprocity with second-order norms (Radzvilavicius et al. 2021).
    Reputation(reputation::ReputationParams),
}

impl Theory {
    /// The scenario's name of the theory.
    pub fn name(&self) -> &'static str {
        match self {
            Theory::Deterrence => "deterrence",
            Theory::Expression(_) => "expression",
            Theory::Reputation(_) => "reputation",
        }
    }

    /// The names a scenario may give, in order.
    pub const NAMES: [&'static str; 3] = ["deterrence", "expression", "reputation"];
}
