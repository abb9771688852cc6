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

mod end_of_day;
pub mod expression;
pub mod reputation;

pub(crate) use end_of_day::{DayEnd, end_of_day};

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

/// The names of the values a theory reports each day (`DayMetrics::theory` of `metrics.rs`),
/// in order: none under deterrence.
pub fn day_value_names(theory: &Theory) -> &'static [&'static str] {
    match theory {
        Theory::Deterrence => &[],
        Theory::Expression(_) => &EXPRESSION_VALUES,
        Theory::Reputation(_) => &REPUTATION_VALUES,
    }
}

/// The expression theory's day values: shares of the adults who chose (not detained) by
/// stance, their mean desired and expressed dissent, the largest expressed dissent, the lowest
/// desired dissent among the defiant (NaN if none), the share punished, and the policy in force
/// (under `authority = "regime"`, surveillance and severity are means over provinces weighted by
/// adults).
pub const EXPRESSION_VALUES: [&str; 11] = [
    "share_compliant",
    "share_self_censoring",
    "share_defiant",
    "mean_desired",
    "mean_expressed",
    "max_expressed",
    "defiance_threshold",
    "share_punished",
    "tolerance",
    "severity",
    "surveillance",
];

/// The reputation theory's day values: the generation's cooperation rate, share of good
/// reputations, agreement between observers, and strategy frequencies after the update.
pub const REPUTATION_VALUES: [&str; 6] =
    ["cooperation_rate", "good_share", "agreement", "freq_allc", "freq_alld", "freq_disc"];

/// What a theory keeps from one day to the next (saved in checkpoints).
#[derive(Clone, Debug)]
pub enum TheoryState {
    /// Nothing of its own: deterrence, or a reputation game without a single adult to play.
    Stateless,
    /// The expression theory's authority (its policy, and its search if adaptive).
    Expression(expression::Authority),
    /// The reputation game and the person id of each player (the adults, in id order).
    Reputation {
        /// The game (boxed: it is large, and one exists per simulation).
        game: Box<reputation::Game>,
        /// Person id of each player.
        players: Vec<u32>,
    },
}
