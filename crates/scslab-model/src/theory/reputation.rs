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

/// The largest population the game accepts.
pub const MAX_PLAYERS: usize = 5_000;

/// One generation's tallies.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Generation {
    /// Donations.
    pub donations: u64,
    /// Cooperations.
    pub cooperations: u64,
    /// Good views.
    pub good: u64,
    /// Views.
    pub views: u64,
    /// Agreeing pairs.
    pub agreeing_pairs: u64,
    /// Pairs.
    pub pairs: u64,
    /// ALLC, ALLD, DISC.
    pub strategies: [u64; 3],
}

/// The game's state.
#[derive(Clone, Debug, PartialEq)]
pub struct Game {
    strategies: Vec<u8>,
}

impl Game {
    /// A new game.
    pub fn new(_params: &ReputationParams, players: usize, _seed: u64) -> Game {
        Game { strategies: vec![2; players] }
    }

    /// Players.
    pub fn players(&self) -> usize {
        self.strategies.len()
    }

    /// One generation.
    pub fn generation(
        &mut self,
        _params: &ReputationParams,
        _seed: u64,
        _day: u32,
        _listed: Option<&[bool]>,
    ) -> Generation {
        Generation::default()
    }

    /// Appends the state to a checkpoint.
    pub fn encode(&self, e: &mut scslab_codec::Encoder) {
        e.length(self.strategies.len());
        self.strategies.iter().for_each(|&s| e.u8(s));
    }

    /// Reads a state written by [`Game::encode`].
    pub fn decode(
        _params: &ReputationParams,
        d: &mut scslab_codec::Decoder<'_>,
    ) -> Result<Game, scslab_codec::CodecError> {
        let n = d.length(1)?;
        let strategies = (0..n).map(|_| d.u8()).collect::<Result<Vec<u8>, _>>()?;
        Ok(Game { strategies })
    }
}
