//! Indirect reciprocity with second-order norms and public institutions (Radzvilavicius,
//! Kessinger & Plotkin 2021, "Adherence to public institutions that foster cooperation",
//! Nature Communications 12:3567, doi:10.1038/s41467-021-23783-9).
//!
//! Placeholder: the engine is being written (see the module's final documentation).

/// A second-order norm: how an observer judges a donor's action towards a recipient of a
/// given standing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Norm {
    /// Cooperating with the good and defecting against the bad are good; the rest bad.
    SternJudging,
    /// Cooperating is good; defecting against the bad is good; defecting against the good bad.
    SimpleStanding,
    /// Cooperating is good, defecting bad.
    Scoring,
    /// Only cooperating with the good is good.
    Shunning,
}

/// Who assesses reputations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assessment {
    /// Every observer keeps its own view.
    Private,
    /// A public institution of `institution_size` observers and a quorum.
    Institution,
}

/// The `[reputation]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct ReputationParams {
    /// The norm.
    pub norm: Norm,
    /// Private views or an institution.
    pub assessment: Assessment,
    /// 0 egocentric .. 1 empathetic (private assessment).
    pub empathy: f64,
    /// Benefit `b` to the recipient of a cooperation.
    pub benefit: f64,
    /// Cost `c` to the donor.
    pub cost: f64,
    /// Chance that an intended cooperation is executed as a defection.
    pub execution_error: f64,
    /// Chance that an observer assigns the wrong reputation.
    pub assessment_error: f64,
    /// Chance that a strategy update is a random strategy instead.
    pub strategy_mutation: f64,
    /// Selection strength `w` of the imitation (Fermi) rule.
    pub selection_strength: f64,
    /// Observers in the institution (`Q`).
    pub institution_size: u32,
    /// Good verdicts among them needed for a public good standing (`q`).
    pub institution_quorum: u32,
    /// Share of players who use the institution's view rather than their own.
    pub adherence: f64,
    /// An authority whose list is the institution: its members are in bad standing.
    pub institution_list: Option<usize>,
}
