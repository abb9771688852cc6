//! Strategic expression of dissent (Daymude, Axelrod & Forrest 2025, "Strategic analysis of
//! dissent and self-censorship", PNAS; arXiv:2509.03731; the authors' code is
//! github.com/DaymudeLab/DissentSelfCensorship).
//!
//! Each adult has a desired dissent `delta` in [0, 1] and a boldness `beta` > 0; the authority has
//! a tolerance `tau`, a severity `psi`, a surveillance `nu` and a uniform or proportional
//! punishment. The authority sees an expression `a` with probability `nu + (1 - nu) * a`
//! ([`seen_chance`]) and punishes what it sees above its tolerance ([`punishment`]). The adult
//! expresses the dissent `a` in [0, delta] that maximises the expected utility
//! `beta * (1 - delta + a) - E[punishment(a)]` ([`utility`]); the closed form is [`choose`], its
//! thresholds [`defiance_threshold`] and [`partial_censorship_threshold`].
//!
//! The paper's adaptive authority (random-mutation hill climbing on its policy) is
//! [`Authority`]; docs/ODD.md ("Expression theory") describes the whole theory.

mod authority;

pub use authority::{Adaptive, Authority, MIN_SEVERITY, Seen};
use scslab_core::rng::AgentDayRng;

/// How punishment grows with the dissent expressed above the tolerance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Punishment {
    /// A fixed punishment `psi` for any dissent above the tolerance (the paper's "uniform").
    Uniform,
    /// A punishment `psi * (a - tau)` proportional to the excess (the paper's "proportional").
    Proportional,
}

/// The authority's policy on a given day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    /// Tolerance `tau` in [0, 1]: dissent up to it is never punished.
    pub tolerance: f64,
    /// Severity `psi` > 0 of the punishment.
    pub severity: f64,
    /// Surveillance `nu` in [0, 1]: an expression `a` is seen with probability
    /// `nu + (1 - nu) * a` ([`seen_chance`]), so `nu` is the chance that even the faintest
    /// dissent is seen.
    pub surveillance: f64,
    /// Uniform or proportional punishment.
    pub punishment: Punishment,
}

impl Policy {
    /// The paper's "initially moderate" authority: `tau0 = 0.25`, `psi0 = 0.1`, `nu0 = 0.1`
    /// (the defaults of the authors' `code/hillclimbing.py`, with which its single-trial figures
    /// were made).
    pub fn moderate(punishment: Punishment) -> Policy {
        Policy { tolerance: 0.25, severity: 0.1, surveillance: 0.1, punishment }
    }
}

/// The `[expression]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpressionParams {
    /// Boldness `beta` > 0. In the paper it is the *mean* of the population's boldness, each
    /// individual's drawn from an exponential distribution of that mean
    /// ([`exponential_quantile`]).
    pub boldness: f64,
    /// The authority's policy on day 0.
    pub policy: Policy,
    /// The adaptive authority, if any.
    pub adaptive: Option<Adaptive>,
    /// The regime sets the policy: each day, surveillance and severity come from the person
    /// authorities that detect criticism (docs/ODD.md, expression theory); the tolerance stays.
    pub regime: bool,
    /// How desired dissent is spread over the population.
    pub desired: Desired,
}

/// How desired dissent `delta` is spread over the adults (before resentment adds to it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Desired {
    /// The person's dissent trait (`behaviour.dissent`, triangular; docs/ODD.md 2.2).
    Trait,
    /// The paper's population: exponential truncated to [0, 1] with the mean of
    /// `behaviour.dissent` ([`TruncatedExponential`]), drawn from (seed, person).
    Exponential(TruncatedExponential),
}

/// Where an adult stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stance {
    /// Desired dissent within the tolerance: expressed in full, never punished.
    Compliant,
    /// Expresses less than desired.
    SelfCensoring,
    /// Expresses all of a desired dissent above the tolerance, accepting punishment.
    Defiant,
}

/// The dissent an adult of desired dissent `desired` and boldness `boldness` expresses under
/// `policy`, and their stance: the maximiser of [`utility`] over [0, desired] (the paper's
/// Eqs. 5-8, as the authors' `code/opt_action.py` computes them). Where defiance and
/// self-censorship tie (desired exactly at the uniform critical point), the adult defies, as in
/// the authors' simulation code.
#[inline]
pub fn choose(desired: f64, boldness: f64, policy: &Policy) -> (f64, Stance) {
    let (tau, psi, nu) = (policy.tolerance, policy.severity, policy.surveillance);
    if desired <= tau {
        return (desired, Stance::Compliant);
    }
    let expressed = match policy.punishment {
        Punishment::Uniform => {
            let tip = (boldness * tau + nu * psi) / (boldness - (1.0 - nu) * psi);
            if boldness > (1.0 - nu) * psi && desired >= tip { desired } else { tau }
        }
        Punishment::Proportional => {
            if nu >= 1.0 {
                if boldness >= psi { desired } else { tau }
            } else {
                let tip = (tau + (boldness - nu * psi) / ((1.0 - nu) * psi)) / 2.0;
                if desired <= tip {
                    desired
                } else if tau >= tip {
                    tau
                } else {
                    tip
                }
            }
        }
    };
    let stance = if expressed >= desired { Stance::Defiant } else { Stance::SelfCensoring };
    (expressed, stance)
}

/// The chance that the authority sees an expression of `expressed` dissent:
/// `nu + (1 - nu) * expressed` (the paper's observation probability).
#[inline]
pub fn seen_chance(policy: &Policy, expressed: f64) -> f64 {
    policy.surveillance + (1.0 - policy.surveillance) * expressed
}

/// The punishment an adult who is seen expressing `expressed` receives: 0 within the tolerance;
/// above it `psi` (uniform) or `psi * (expressed - tau)` (proportional).
#[inline]
pub fn punishment(policy: &Policy, expressed: f64) -> f64 {
    let excess = expressed - policy.tolerance;
    if excess <= 0.0 {
        return 0.0;
    }
    match policy.punishment {
        Punishment::Uniform => policy.severity,
        Punishment::Proportional => policy.severity * excess,
    }
}

/// Whether the authority sees and punishes an adult who expresses `expressed` today, and the
/// punishment: `None` within the tolerance (no draw is taken) or when unseen; above it one
/// `rng.bernoulli(seen_chance)`. The kernel calls it with the adult's generator of the day (the
/// tests use `DayStream::new(seed, Stream::Observation, day).agent(id)`).
#[inline]
pub fn draw_punishment(policy: &Policy, expressed: f64, rng: &mut AgentDayRng) -> Option<f64> {
    if expressed <= policy.tolerance || !rng.bernoulli(seen_chance(policy, expressed)) {
        return None;
    }
    Some(punishment(policy, expressed))
}

/// The expected utility of expressing `expressed` for an adult of desired dissent `desired` and
/// boldness `boldness`: `beta * (1 - delta + a) - (nu + (1 - nu) * a) * pi(a)`, where `pi` is
/// [`punishment`]. This is the utility the paper's individuals maximise (the expression its
/// Eqs. 5-8 solve; transcribed from the authors' derivation notebook `code/opt_action.nb`).
/// Not used by the kernel (which calls [`choose`]); it defines what [`choose`] must maximise.
pub fn utility(desired: f64, boldness: f64, policy: &Policy, expressed: f64) -> f64 {
    boldness * (1.0 - desired + expressed) - seen_chance(policy, expressed) * punishment(policy, expressed)
}

/// The paper's critical point under proportional punishment with `nu < 1`, `d^pro`: the dissent
/// at which the marginal utility of expressing more is zero.
fn critical_proportional(boldness: f64, policy: &Policy) -> f64 {
    let (tau, psi, nu) = (policy.tolerance, policy.severity, policy.surveillance);
    (tau + (boldness - nu * psi) / ((1.0 - nu) * psi)) / 2.0
}

/// The lowest desired dissent at which an adult of boldness `boldness` defies `policy` (expresses
/// all of a desired dissent above the tolerance), or `None` when no desired dissent in [0, 1]
/// defies.
///
/// - Uniform punishment: defiance needs `beta > (1 - nu) * psi`; then adults of desired dissent
///   at or above the critical point `d^uni = (beta * tau + nu * psi) / (beta - (1 - nu) * psi)`
///   (always above `tau`) defy and those in `(tau, d^uni)` self-censor fully (express `tau`).
/// - Proportional punishment: the defiant are a band just above the tolerance, `(tau, d^pro]`
///   (all of `(tau, 1]` when `nu = 1` and `beta >= psi`), so the threshold returned is `tau`
///   itself, exclusive: every desired dissent just above it defies. Above `d^pro` adults
///   self-censor partially ([`partial_censorship_threshold`]).
pub fn defiance_threshold(boldness: f64, policy: &Policy) -> Option<f64> {
    let (tau, psi, nu) = (policy.tolerance, policy.severity, policy.surveillance);
    match policy.punishment {
        Punishment::Uniform => {
            let slack = boldness - (1.0 - nu) * psi;
            if slack <= 0.0 {
                return None;
            }
            let tip = (boldness * tau + nu * psi) / slack;
            (tip <= 1.0).then_some(tip)
        }
        Punishment::Proportional => {
            let defies =
                if nu >= 1.0 { boldness >= psi } else { critical_proportional(boldness, policy) > tau };
            (defies && tau < 1.0).then_some(tau)
        }
    }
}

/// Under proportional punishment, the desired dissent `d^pro` above which an adult of boldness
/// `boldness` self-censors *partially*, expressing `d^pro` (in `(tau, 1)`) whatever more they
/// desire; `None` when there is no such band. Uniform punishment has none: its self-censorship
/// is always full (the adult expresses exactly `tau`), as is proportional self-censorship when
/// `d^pro <= tau` or `nu = 1` (then every adult above the tolerance expresses `tau` or defies).
pub fn partial_censorship_threshold(boldness: f64, policy: &Policy) -> Option<f64> {
    if policy.punishment != Punishment::Proportional || policy.surveillance >= 1.0 {
        return None;
    }
    let tip = critical_proportional(boldness, policy);
    (tip > policy.tolerance && tip < 1.0).then_some(tip)
}

/// The `u`-quantile (`u` in [0, 1)) of the exponential distribution of mean `mean`: the paper's
/// distribution of boldness over the population (`beta_i ~ Exp` of mean `beta`).
#[inline]
pub fn exponential_quantile(mean: f64, u: f64) -> f64 {
    -mean * (-u).ln_1p()
}

/// The exponential distribution truncated to [0, 1] with a given mean: the paper's distribution
/// of desired dissent over the population (`delta_i`, mean `delta`). Its density is proportional
/// to `exp(-rate * x)` on [0, 1]; a negative rate gives means above 1/2, rate 0 the uniform.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TruncatedExponential {
    /// The rate `lambda` of the density `exp(-lambda * x)` on [0, 1].
    pub rate: f64,
}

impl TruncatedExponential {
    /// The largest rate searched; its mean (about 1/700) is the smallest mean representable.
    const MAX_RATE: f64 = 700.0;

    /// The distribution of mean `mean` in (0, 1), found by bisection on the rate (the mean
    /// falls strictly as the rate rises). Means beyond the representable range (about 1/700
    /// from either end) are clamped to it.
    pub fn with_mean(mean: f64) -> TruncatedExponential {
        let (mut lo, mut hi) = (-Self::MAX_RATE, Self::MAX_RATE);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if Self::mean_of(mid) > mean {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        TruncatedExponential { rate: 0.5 * (lo + hi) }
    }

    /// The mean `1/lambda - 1/(exp(lambda) - 1)` of the rate `lambda` (1/2 - lambda/12 near 0).
    fn mean_of(rate: f64) -> f64 {
        if rate.abs() < 1e-6 { 0.5 - rate / 12.0 } else { 1.0 / rate - 1.0 / rate.exp_m1() }
    }

    /// The mean of the distribution.
    pub fn mean(&self) -> f64 {
        Self::mean_of(self.rate)
    }

    /// The `u`-quantile, `u` in [0, 1] (inverse of the CDF `(1 - exp(-lambda x)) / (1 - exp(-lambda))`).
    #[inline]
    pub fn quantile(&self, u: f64) -> f64 {
        if self.rate.abs() < 1e-9 {
            return u;
        }
        (-(u * (-self.rate).exp_m1()).ln_1p() / self.rate).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests;
