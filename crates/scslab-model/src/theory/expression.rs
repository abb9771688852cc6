//! Strategic expression of dissent (Daymude, Axelrod & Forrest 2025, "Strategic analysis of
//! dissent and self-censorship", PNAS; arXiv:2509.03731).
//!
//! Each adult has a desired dissent `delta` in [0, 1] and a boldness `beta`; the authority has a
//! tolerance `tau`, a severity `psi`, a surveillance `nu` and a uniform or proportional
//! punishment. The adult expresses the dissent `a` in [0, delta] that maximises their utility;
//! the closed form is [`choose`].

/// How punishment grows with the dissent expressed above the tolerance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Punishment {
    /// A fixed punishment `psi` for any dissent above the tolerance (the paper's "constant").
    Uniform,
    /// A punishment `psi * (a - tau)` proportional to the excess (the paper's "linear").
    Proportional,
}

/// The authority's policy on a given day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    /// Tolerance `tau` in [0, 1]: dissent up to it is never punished.
    pub tolerance: f64,
    /// Severity `psi` > 0 of the punishment.
    pub severity: f64,
    /// Surveillance `nu` in [0, 1]: the chance that dissent above the tolerance is seen.
    pub surveillance: f64,
    /// Uniform or proportional punishment.
    pub punishment: Punishment,
}

/// The paper's adaptive authority (its parameters).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Adaptive {}

/// The `[expression]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpressionParams {
    /// Boldness `beta` > 0.
    pub boldness: f64,
    /// The authority's policy on day 0.
    pub policy: Policy,
    /// The adaptive authority, if any.
    pub adaptive: Option<Adaptive>,
    /// The regime sets the policy: each day, surveillance and severity come from the person
    /// authorities that detect criticism (docs/ODD.md, expression theory); the tolerance stays.
    pub regime: bool,
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
/// `policy`, and their stance.
#[inline]
pub fn choose(desired: f64, boldness: f64, policy: &Policy) -> (f64, Stance) {
    let (tau, psi, nu) = (policy.tolerance, policy.severity, policy.surveillance);
    if desired <= tau {
        return (desired, Stance::Compliant);
    }
    let expressed = match policy.punishment {
        Punishment::Uniform => {
            let tip = (boldness * tau + nu * psi) / (boldness - (1.0 - nu) * psi);
            if boldness > (1.0 - nu) * psi && desired > tip { desired } else { tau }
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

/// The punishment an adult seen expressing `expressed` receives (0 within the tolerance).
#[inline]
pub fn punishment(policy: &Policy, expressed: f64) -> f64 {
    if expressed <= policy.tolerance {
        return 0.0;
    }
    match policy.punishment {
        Punishment::Uniform => policy.severity,
        Punishment::Proportional => policy.severity * (expressed - policy.tolerance),
    }
}

/// The day's totals an authority sees.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Seen {
    /// Adults.
    pub adults: u64,
    /// Sum of expressed dissent.
    pub expressed: f64,
    /// Adults punished.
    pub punished: u64,
    /// Sum of punishments received.
    pub punishment: f64,
    /// Defiant adults.
    pub defiant: u64,
    /// Self-censoring adults.
    pub self_censoring: u64,
}

/// The authority's state.
#[derive(Clone, Debug, PartialEq)]
pub struct Authority {
    policy: Policy,
}

impl Authority {
    /// The authority on day 0.
    pub fn new(params: &ExpressionParams) -> Authority {
        Authority { policy: params.policy }
    }

    /// Today's policy.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Sees the day and sets tomorrow's policy.
    pub fn adapt(&mut self, _params: &ExpressionParams, _seen: &Seen, _seed: u64, _day: u32) {}

    /// Appends the state to a checkpoint.
    pub fn encode(&self, e: &mut scslab_codec::Encoder) {
        e.f64(self.policy.tolerance);
        e.f64(self.policy.severity);
        e.f64(self.policy.surveillance);
    }

    /// Reads a state written by [`Authority::encode`].
    pub fn decode(d: &mut scslab_codec::Decoder<'_>) -> Result<Authority, scslab_codec::CodecError> {
        let (tolerance, severity, surveillance) = (d.f64()?, d.f64()?, d.f64()?);
        Ok(Authority {
            policy: Policy { tolerance, severity, surveillance, punishment: Punishment::Uniform },
        })
    }
}
