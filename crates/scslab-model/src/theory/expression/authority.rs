//! The paper's adaptive authority: random-mutation hill climbing (RMHC) on its policy
//! (Daymude et al. 2025, the adaptive-authority simulations; the authors' `code/hillclimbing.py`,
//! `rmhc_trial`).
//!
//! Each round (for us: each day) the population acts under the policy in force and the authority
//! counts its cost, `alpha * (total expressed dissent) + (total punishment handed out)`. If that
//! cost is worse than the previous round's, the authority goes back to the policy it held before
//! this round's trial; then it tries, for the next round, one random change: one of tolerance,
//! severity and surveillance (each with chance 1/3) is redrawn uniformly within `epsilon` of its
//! value, clipped to its bounds. The punishment form never changes.

use scslab_codec::{CodecError, Decoder, Encoder};
use scslab_core::rng::{AgentDayRng, Stream};

use super::{ExpressionParams, Policy, Punishment};

/// The smallest severity the authority can adopt (the lower bound of `psi` in the authors'
/// hill climbing; its upper bound is none).
pub const MIN_SEVERITY: f64 = 1e-9;

/// The paper's adaptive authority (its parameters). `Default` is the paper's baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Adaptive {
    /// Adamancy `alpha` > 0: the weight of the political cost (the day's total expressed
    /// dissent) against the punishment cost (the day's total punishment) in the authority's
    /// cost. Baseline 1.
    pub adamancy: f64,
    /// Window radius `epsilon` > 0 of the hill climbing: a trial moves one policy parameter to a
    /// uniform value within `epsilon` of its current one. Baseline 0.05.
    pub step: f64,
}

impl Default for Adaptive {
    /// The paper's baseline (`alpha = 1`, `epsilon = 0.05`: the defaults of the authors'
    /// `code/hillclimbing.py` and the values of its sweep experiments).
    fn default() -> Adaptive {
        Adaptive { adamancy: 1.0, step: 0.05 }
    }
}

/// What the authority sees of one day: totals over the adults the kernel can count as sums.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Seen {
    /// Adults who chose.
    pub adults: u64,
    /// Sum of expressed dissent (the political cost before `alpha`).
    pub expressed: f64,
    /// Adults punished (seen above the tolerance).
    pub punished: u64,
    /// Sum of punishments handed out (the punishment cost).
    pub punishment: f64,
    /// Adults who defied.
    pub defiant: u64,
    /// Adults who self-censored.
    pub self_censoring: u64,
}

impl Seen {
    /// Adds another part of the same day (for kernels that count in chunks; merge the chunks in
    /// a fixed order so that the float sums do not depend on the thread count).
    pub fn merge(&mut self, other: &Seen) {
        self.adults += other.adults;
        self.expressed += other.expressed;
        self.punished += other.punished;
        self.punishment += other.punishment;
        self.defiant += other.defiant;
        self.self_censoring += other.self_censoring;
    }
}

/// The authority's state: the policy in force and what its hill climbing keeps. Plain numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Authority {
    /// The policy in force today (the trial, once the authority adapts).
    pub(super) current: Policy,
    /// The policy the trial was drawn from (the last one kept).
    pub(super) kept: Policy,
    /// The cost of the last day seen, if a day has been seen.
    last_cost: Option<f64>,
}

impl Authority {
    /// The authority on day 0: the scenario's policy, nothing seen yet.
    pub fn new(params: &ExpressionParams) -> Authority {
        Authority { current: params.policy, kept: params.policy, last_cost: None }
    }

    /// Today's policy.
    pub fn policy(&self) -> Policy {
        self.current
    }

    /// The authority's cost on the last day it saw, `alpha * expressed + punishment` (`None`
    /// before the first day, or when it is not adaptive).
    pub fn last_cost(&self) -> Option<f64> {
        self.last_cost
    }

    /// The end of day `day`: the authority sees the day's totals and sets tomorrow's policy.
    /// A fixed authority (`params.adaptive` is `None`) keeps its policy. The adaptive one:
    /// 1. cost = `alpha * seen.expressed + seen.punishment`;
    /// 2. if a previous day was seen and the cost is strictly higher than that day's, today's
    ///    trial is undone (the policy goes back to the one kept); otherwise today's policy is
    ///    kept; either way the cost is remembered (as in the paper, the next day is compared
    ///    with today's cost even when today's trial is undone);
    /// 3. tomorrow's trial: with one generator `AgentDayRng::new(seed, Stream::Expression, 0,
    ///    day)`, a parameter index `below(3)` (0 tolerance, 1 severity, 2 surveillance), then
    ///    its new value `lo + (hi - lo) * uniform()` with `lo = max(bound_lo, x - epsilon)`,
    ///    `hi = min(bound_hi, x + epsilon)`; bounds [0, 1] for tolerance and surveillance,
    ///    [[`MIN_SEVERITY`], infinity) for severity.
    pub fn adapt(&mut self, params: &ExpressionParams, seen: &Seen, seed: u64, day: u32) {
        let Some(adaptive) = &params.adaptive else { return };
        let cost = adaptive.adamancy * seen.expressed + seen.punishment;
        if self.last_cost.is_some_and(|last| cost > last) {
            self.current = self.kept;
        }
        self.kept = self.current;
        self.last_cost = Some(cost);

        let mut rng = AgentDayRng::new(seed, Stream::Expression, 0, u64::from(day));
        let mut trial = self.kept;
        let eps = adaptive.step;
        let (value, lo, hi) = match rng.below(3) {
            0 => (&mut trial.tolerance, 0.0, 1.0),
            1 => (&mut trial.severity, MIN_SEVERITY, f64::INFINITY),
            _ => (&mut trial.surveillance, 0.0, 1.0),
        };
        let (a, b) = ((*value - eps).max(lo), (*value + eps).min(hi));
        *value = a + (b - a) * rng.uniform();
        self.current = trial;
    }

    /// Appends the state (for checkpoints).
    pub fn encode(&self, e: &mut Encoder) {
        encode_policy(&self.current, e);
        encode_policy(&self.kept, e);
        e.u8(u8::from(self.last_cost.is_some()));
        e.f64(self.last_cost.unwrap_or(0.0));
    }

    /// Reads a state written by [`Authority::encode`]; it continues exactly as the original.
    pub fn decode(d: &mut Decoder<'_>) -> Result<Authority, CodecError> {
        let current = decode_policy(d)?;
        let kept = decode_policy(d)?;
        let seen_any = d.bool()?;
        let cost = d.f64()?;
        Ok(Authority { current, kept, last_cost: seen_any.then_some(cost) })
    }
}

fn encode_policy(p: &Policy, e: &mut Encoder) {
    e.f64(p.tolerance);
    e.f64(p.severity);
    e.f64(p.surveillance);
    e.u8(match p.punishment {
        Punishment::Uniform => 0,
        Punishment::Proportional => 1,
    });
}

fn decode_policy(d: &mut Decoder<'_>) -> Result<Policy, CodecError> {
    let tolerance = d.f64()?;
    let severity = d.f64()?;
    let surveillance = d.f64()?;
    let punishment = match d.u8()? {
        0 => Punishment::Uniform,
        1 => Punishment::Proportional,
        other => {
            return Err(CodecError::Malformed(format!("expression punishment tag {other}")));
        }
    };
    Ok(Policy { tolerance, severity, surveillance, punishment })
}
