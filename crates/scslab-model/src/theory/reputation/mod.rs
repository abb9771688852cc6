//! Indirect reciprocity with second-order norms and public institutions (Radzvilavicius,
//! Kessinger & Plotkin 2021, "Adherence to public institutions that foster cooperation",
//! Nature Communications 12:3567, doi:10.1038/s41467-021-23783-9).
//!
//! `players` adults play a donation game with everybody, every generation (one simulated day).
//! Each is an unconditional cooperator (ALLC), an unconditional defector (ALLD) or a
//! discriminator (DISC) who cooperates with those it sees in good standing. Standing comes from
//! a second-order [`Norm`] applied to one observed action of the donor: privately (each observer
//! its own view, egocentric or empathetic) or by a public institution of `Q` observers with a
//! quorum `q`, whose verdict the adherents read. Strategies (with adherence) spread by pairwise
//! imitation (the Fermi rule) with mutation. The order of one generation, every formula and every
//! random draw are in [`Game::generation`] and docs/theory-reputation.md; they follow the
//! authors' code (Kessinger's `Institutions.jl`, the "paper version" of
//! github.com/tkessinger/institutions) where the paper leaves a detail open.
//!
//! The game is N^2 per generation, so it is for small populations: [`MAX_PLAYERS`].

mod game;
#[cfg(test)]
mod tests;

pub use game::{Game, Generation, MAX_PLAYERS};

/// A second-order norm: how an observer judges a donor's action towards a recipient of a
/// given standing (the paper's Introduction for Stern Judging; the authors' `reputation_norm`
/// for all four).
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

impl Norm {
    /// The four norms, in the paper's order.
    pub const ALL: [Norm; 4] = [Norm::SternJudging, Norm::SimpleStanding, Norm::Scoring, Norm::Shunning];

    /// The standing (`true` = good) the norm assigns to a donor who `cooperated` (or defected)
    /// with a recipient whose standing, in the eyes of the judge, is `recipient_good`.
    #[inline(always)]
    pub fn judge(self, cooperated: bool, recipient_good: bool) -> bool {
        match self {
            Norm::SternJudging => cooperated == recipient_good,
            Norm::SimpleStanding => cooperated || !recipient_good,
            Norm::Scoring => cooperated,
            Norm::Shunning => cooperated && recipient_good,
        }
    }
}

/// Who assesses reputations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assessment {
    /// Every observer keeps its own view.
    Private,
    /// A public institution of `institution_size` observers and a quorum.
    Institution,
}

/// A player's behavioural strategy, stored as its `u8` index in [`Game::strategies`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Strategy {
    /// Always cooperates (the paper's ALLC).
    AllC = 0,
    /// Always defects (ALLD).
    AllD = 1,
    /// Cooperates with recipients it sees in good standing, defects against the bad (DISC).
    Disc = 2,
}

impl Strategy {
    /// The three strategies, in index order.
    pub const ALL: [Strategy; 3] = [Strategy::AllC, Strategy::AllD, Strategy::Disc];

    /// The strategy of a stored index (`None` for an index that is no strategy).
    pub fn from_index(index: u8) -> Option<Strategy> {
        Strategy::ALL.get(index as usize).copied()
    }
}

/// The `[reputation]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct ReputationParams {
    /// The norm.
    pub norm: Norm,
    /// Private views or an institution.
    pub assessment: Assessment,
    /// 0 egocentric .. 1 empathetic (private assessment): the chance that an observer judges
    /// a donor's action by the donor's own view of the recipient instead of its own.
    pub empathy: f64,
    /// Benefit `b` to the recipient of a cooperation.
    pub benefit: f64,
    /// Cost `c` to the donor.
    pub cost: f64,
    /// Chance that an intended cooperation is executed as a defection (`e1`).
    pub execution_error: f64,
    /// Chance that an observer assigns the wrong reputation (`e2`).
    pub assessment_error: f64,
    /// Chance, per generation, that one random player mutates its strategy (`u`).
    pub strategy_mutation: f64,
    /// Selection strength `w` of the imitation (Fermi) rule.
    pub selection_strength: f64,
    /// Observers in the institution (`Q`).
    pub institution_size: u32,
    /// Good verdicts among them needed for a public good standing (`q`, a count: the paper's
    /// strictness `q'` in (0, 1), "good if more than `q' Q` say good", is the count
    /// `floor(q' Q) + 1`).
    pub institution_quorum: u32,
    /// Share of players who use the institution's view rather than their own (each player
    /// adheres with this chance at the start; adherence is then copied with the strategy when
    /// a player imitates another).
    pub adherence: f64,
    /// An authority whose list is the institution: its members are in bad standing.
    pub institution_list: Option<usize>,
    /// How many adults play: the first `players` in id order (all adults if fewer), or every
    /// adult when `None`.
    pub players: Option<u32>,
}

impl ReputationParams {
    /// The paper's baseline (Fig. 3; the authors' `submit/paper_*_noRDisc.json`): `b = 5`,
    /// `c = 1`, `e1 = e2 = 0.02`, `u = 0.025`, `w = 1`, Stern Judging, an institution of
    /// `Q = 50` with strictness 1/2 (more than 25 good verdicts, i.e. quorum 26), full
    /// adherence, egocentric observers. The population is `N = 50`.
    pub fn radzvilavicius_2021() -> ReputationParams {
        ReputationParams {
            norm: Norm::SternJudging,
            assessment: Assessment::Institution,
            empathy: 0.0,
            benefit: 5.0,
            cost: 1.0,
            execution_error: 0.02,
            assessment_error: 0.02,
            strategy_mutation: 0.025,
            selection_strength: 1.0,
            institution_size: 50,
            institution_quorum: 26,
            adherence: 1.0,
            institution_list: None,
            players: Some(50),
        }
    }
}
