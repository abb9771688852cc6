//! The game's state, one generation in the paper's order, and its checkpoint encoding.
//!
//! Views are bitsets: row `i` of an `players x players` matrix (`words` 64-bit words a row) holds
//! bit `j` set when observer `i` sees player `j` in good standing; the action matrix holds bit
//! `k` of donor `j`'s row set when `j` cooperated with `k` this generation. Bits past the last
//! player are always zero.

use rayon::prelude::*;
use scslab_codec::{CodecError, Decoder, Encoder};
use scslab_core::rng::{AgentDayRng, Stream};

use super::{Assessment, Norm, ReputationParams, Strategy};

/// The largest population the game accepts: one generation costs about `players^2` donations
/// and as many private assessments, about 45 ms on one core at this size in a release build
/// (docs/theory-reputation.md, "Cost").
pub const MAX_PLAYERS: usize = 2000;

/// The agent key of the population's own draws (mutation, imitation): no player has it.
const POPULATION: u64 = u64::MAX;

/// Sub-streams (`AgentDayRng::segment`) of one key, one per purpose.
mod segment {
    /// A donor's execution errors.
    pub const ACTION: u64 = 0;
    /// An observer's private assessments.
    pub const PRIVATE: u64 = 1;
    /// The institution's assessments of a donor.
    pub const INSTITUTION: u64 = 2;
    /// The population's mutation.
    pub const MUTATION: u64 = 3;
    /// The population's imitation.
    pub const IMITATION: u64 = 4;
    /// A player's initial strategy, adherence and views (day 0 only).
    pub const INITIAL: u64 = 5;
}

/// The tallies of one generation, all integers; the caller turns them into rates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Generation {
    /// Donor-recipient pairs that played: `players^2` (everybody with everybody, oneself
    /// included, as in the authors' code: the self-donation costs `c/N` and brings `b/N`).
    pub donations: u64,
    /// Donations executed as cooperation (after execution errors). Cooperation rate =
    /// `cooperations / donations`, the paper's measure (Fig. 3).
    pub cooperations: u64,
    /// Good standings among the views in use after this generation's assessment: for each
    /// observer `i` and subject `j`, the view `i` acts on next generation (the public verdict
    /// when `i` adheres and a public view exists, else `i`'s private view). `good_share =
    /// good / views`.
    pub good: u64,
    /// Views counted in `good`: `players^2`.
    pub views: u64,
    /// Unordered pairs of distinct observers who agree on a subject's standing (in the views in
    /// use, as `good`), summed over subjects: `sum_j C(g_j, 2) + C(N - g_j, 2)` with `g_j` the
    /// observers who see `j` good. Exact, not sampled. Agreement = `agreeing_pairs / pairs`
    /// (1 under full adherence to an institution).
    pub agreeing_pairs: u64,
    /// Pairs counted in `agreeing_pairs`: `players * C(players, 2)`.
    pub pairs: u64,
    /// Players of each strategy (ALLC, ALLD, DISC, by [`Strategy`] index) after this
    /// generation's mutation and imitation.
    pub strategies: [u64; 3],
    /// Players who adhere to the public view after this generation's imitation.
    pub adherents: u64,
}

/// The whole state of one game: strategies, adherence, private and public views, and buffers
/// reused every generation (nothing is allocated per generation).
#[derive(Clone, Debug)]
pub struct Game {
    players: usize,
    words: usize,
    pub(super) strategies: Vec<u8>,
    pub(super) adherent: Vec<bool>,
    private: Vec<u64>,
    public: Vec<u64>,
    // Buffers, rewritten before they are read each generation (not part of the state).
    actions: Vec<u64>,
    next_private: Vec<u64>,
    received: Vec<u32>,
    given: Vec<u32>,
    payoffs: Vec<f64>,
    good_counts: Vec<u32>,
    votes: Vec<u32>,
}

/// The per-generation constants of the parameters, as 32-bit thresholds.
#[derive(Clone, Copy)]
struct Rules {
    norm: Norm,
    execution_error: Chance,
    assessment_error: Chance,
    empathy: Chance,
    /// Whether a public view exists this generation (an institution or a list).
    has_public: bool,
}

impl Game {
    /// A new game of `players` players, drawn as the paper does: each player's strategy is
    /// ALLC, ALLD or DISC with chance 1/3 each, it adheres with chance `adherence`, and each of
    /// its private views of the others (itself included) is good with chance 1/2; the public
    /// view of each player is good when at least `q` of `Q` fair coin flips (the institution
    /// members' random initial views) are good. Player `i` draws from
    /// `(seed, Reputation, i, day 0)`, segment 5.
    ///
    /// Precondition (checked by the scenario reader): `1 <= players <= MAX_PLAYERS`.
    pub fn new(params: &ReputationParams, players: usize, seed: u64) -> Game {
        assert!((1..=MAX_PLAYERS).contains(&players), "reputation game of {players} players");
        let mut game = Game::empty(players);
        let words = game.words;
        let tail = tail_mask(players);
        let institution_words = (params.institution_size as usize).div_ceil(64);
        let institution_tail = tail_mask(params.institution_size as usize);
        for i in 0..players {
            let mut rng = AgentDayRng::new(seed, Stream::Reputation, i as u64, 0).segment(segment::INITIAL);
            game.strategies[i] = rng.below(3) as u8;
            game.adherent[i] = rng.bernoulli(params.adherence);
            let row = &mut game.private[i * words..(i + 1) * words];
            row.iter_mut().for_each(|w| *w = rng.next_u64());
            row[words - 1] &= tail;
            let mut good_votes = 0;
            for w in 0..institution_words {
                let bits = rng.next_u64();
                let bits = if w + 1 == institution_words { bits & institution_tail } else { bits };
                good_votes += bits.count_ones();
            }
            if good_votes >= params.institution_quorum {
                game.public[i / 64] |= 1 << (i % 64);
            }
        }
        game
    }

    /// The number of players.
    pub fn players(&self) -> usize {
        self.players
    }

    /// Each player's strategy, as its [`Strategy`] index.
    pub fn strategies(&self) -> &[u8] {
        &self.strategies
    }

    /// Whether each player reads the public view (when one exists) instead of its own.
    pub fn adherents(&self) -> &[bool] {
        &self.adherent
    }

    /// Whether `observer` privately sees `subject` in good standing.
    pub fn private_view(&self, observer: usize, subject: usize) -> bool {
        bit(&self.private[observer * self.words..(observer + 1) * self.words], subject)
    }

    /// Whether the public view (the institution's last verdict, or the last list given) has
    /// `subject` in good standing.
    pub fn public_view(&self, subject: usize) -> bool {
        bit(&self.public, subject)
    }

    /// Each player's payoff in the last generation: `(b * received - c * given) / players`.
    pub fn payoffs(&self) -> &[f64] {
        &self.payoffs
    }

    /// One generation, in the order of the authors' `evolve!`:
    ///
    /// 1. Mutation: with chance `u` one random player mutates one step on the paper's
    ///    strategy square: ALLC or ALLD becomes DISC with chance 1/2 (the other half would be
    ///    the reverse discriminator, which the paper's runs exclude, so nothing happens); DISC
    ///    becomes ALLC or ALLD with chance 1/2 each.
    /// 2. The public view in use: `listed`, when given, replaces the institution's verdict
    ///    (a listed player is bad, an unlisted one good).
    /// 3. Donations: every donor `i` plays every recipient `j` (itself included). ALLC intends
    ///    to cooperate, ALLD to defect, DISC to cooperate iff its view of `j` is good (the
    ///    public view if `i` adheres and one exists, else its private view). An intended
    ///    cooperation is executed as a defection with chance `e1`. Payoff
    ///    `(b * received - c * given) / N`.
    /// 4. Private assessment: every observer `i` judges every donor `j` by one action of `j`
    ///    towards a uniformly drawn recipient `k` (itself possibly): with chance `empathy` by
    ///    `j`'s view of `k`, else by `i`'s own (each the public view when that player adheres
    ///    and one exists), through the norm; the verdict is flipped with chance `e2`.
    /// 5. Institution (assessment `institution`, no list): each of its `Q` members judges each
    ///    donor `j` by an action towards its own random recipient `k`, reading the public view
    ///    of `k`, flipped with chance `e2`; `j` is publicly good iff at least `q` say good.
    /// 6. Imitation: a random player `a` and a random player `b` (possibly the same); `b` copies
    ///    `a`'s strategy and adherence with chance `1 / (1 + exp(-w (pi_a - pi_b)))`.
    ///
    /// Draws: player `p`'s are `(seed, Reputation, p, day)`, segment 0 for its execution
    /// errors (one 32-bit half-word per intended cooperation, in recipient order), 1 for its
    /// private assessments and 2 for the institution's assessments of it (one 64-bit word a
    /// judgment, in donor or member order: the recipient from the high half, the assessment
    /// error from the low half, then a second word for empathy when it is neither 0 nor 1);
    /// the population's are key `p = u64::MAX`, segment 3 (mutation) and 4 (imitation). So
    /// the result depends on no thread count.
    ///
    /// Precondition: `listed`, when given, has one entry per player.
    pub fn generation(
        &mut self,
        params: &ReputationParams,
        seed: u64,
        day: u32,
        listed: Option<&[bool]>,
    ) -> Generation {
        let players = self.players;
        let day = u64::from(day);
        let population = AgentDayRng::new(seed, Stream::Reputation, POPULATION, day);
        self.mutate(params, population.segment(segment::MUTATION));
        if let Some(listed) = listed {
            assert_eq!(listed.len(), players, "one list entry per player");
            self.public.fill(0);
            for j in (0..players).filter(|&j| !listed[j]) {
                self.public[j / 64] |= 1 << (j % 64);
            }
        }
        let rules = Rules {
            norm: params.norm,
            execution_error: Chance::new(params.execution_error),
            assessment_error: Chance::new(params.assessment_error),
            empathy: Chance::new(params.empathy),
            has_public: listed.is_some() || params.assessment == Assessment::Institution,
        };
        let cooperations = self.donate(params, &rules, seed, day);
        self.assess_privately(&rules, seed, day);
        if listed.is_none() && params.assessment == Assessment::Institution {
            self.assess_publicly(params, &rules, seed, day);
        }
        std::mem::swap(&mut self.private, &mut self.next_private);
        let (good, agreeing_pairs) = self.count_views(&rules);
        self.imitate(params, population.segment(segment::IMITATION));

        let n = players as u64;
        let mut strategies = [0u64; 3];
        self.strategies.iter().for_each(|&s| strategies[s as usize] += 1);
        Generation {
            donations: n * n,
            cooperations,
            good,
            views: n * n,
            agreeing_pairs,
            pairs: n * (n * n.saturating_sub(1) / 2),
            strategies,
            adherents: self.adherent.iter().filter(|&&a| a).count() as u64,
        }
    }

    /// Appends the state (not the buffers) to a checkpoint: players, strategies, adherence,
    /// private views, public view.
    pub fn encode(&self, e: &mut Encoder) {
        e.length(self.players);
        self.strategies.iter().for_each(|&s| e.u8(s));
        self.adherent.iter().for_each(|&a| e.u8(u8::from(a)));
        self.private.iter().chain(&self.public).for_each(|&w| e.u64(w));
    }

    /// Reads a state written by [`Game::encode`]; the decoded game continues exactly as the
    /// original would have.
    pub fn decode(_params: &ReputationParams, d: &mut Decoder<'_>) -> Result<Game, CodecError> {
        let players = d.length(1)?;
        if !(1..=MAX_PLAYERS).contains(&players) {
            return Err(CodecError::Malformed(format!(
                "a reputation game of {players} players (1 to {MAX_PLAYERS})"
            )));
        }
        let mut game = Game::empty(players);
        for s in game.strategies.iter_mut() {
            *s = d.u8()?;
            if Strategy::from_index(*s).is_none() {
                return Err(CodecError::Malformed(format!("strategy {s} (0 to 2)")));
            }
        }
        for a in game.adherent.iter_mut() {
            *a = d.bool()?;
        }
        let tail = tail_mask(players);
        let words = game.words;
        for (w, word) in game.private.iter_mut().chain(game.public.iter_mut()).enumerate() {
            *word = d.u64()?;
            if w % words == words - 1 && *word & !tail != 0 {
                return Err(CodecError::Malformed("a view of a player past the last".into()));
            }
        }
        Ok(game)
    }

    fn empty(players: usize) -> Game {
        let words = players.div_ceil(64);
        Game {
            players,
            words,
            strategies: vec![0; players],
            adherent: vec![false; players],
            private: vec![0; players * words],
            public: vec![0; words],
            actions: vec![0; players * words],
            next_private: vec![0; players * words],
            received: vec![0; players],
            given: vec![0; players],
            payoffs: vec![0.0; players],
            good_counts: vec![0; players],
            votes: vec![0; players],
        }
    }

    fn mutate(&mut self, params: &ReputationParams, mut rng: AgentDayRng) {
        if !rng.bernoulli(params.strategy_mutation) {
            return;
        }
        let mutant = rng.below(self.players as u64) as usize;
        let towards_first = rng.bernoulli(0.5);
        let s = &mut self.strategies[mutant];
        *s = match Strategy::from_index(*s) {
            Some(Strategy::AllC | Strategy::AllD) if towards_first => Strategy::Disc as u8,
            Some(Strategy::Disc) if towards_first => Strategy::AllC as u8,
            Some(Strategy::Disc) => Strategy::AllD as u8,
            _ => *s,
        };
    }

    /// Fills `actions`, `given`, `received` and `payoffs`; returns the cooperations.
    fn donate(&mut self, params: &ReputationParams, rules: &Rules, seed: u64, day: u64) -> u64 {
        let (players, words) = (self.players, self.words);
        let tail = tail_mask(players);
        let (strategies, adherent) = (&self.strategies, &self.adherent);
        let (private, public) = (&self.private, &self.public);
        let day_stream = scslab_core::rng::DayStream::new(seed, Stream::Reputation, day);
        self.actions
            .par_chunks_mut(words)
            .zip(self.given.par_iter_mut())
            .enumerate()
            .with_min_len(rows_per_task(players))
            .for_each(|(donor, (row, given))| {
                let mut draws = Draws::new(day_stream.agent(donor as u64).segment(segment::ACTION));
                let view = if rules.has_public && adherent[donor] {
                    &public[..]
                } else {
                    &private[donor * words..(donor + 1) * words]
                };
                let mut count = 0;
                for (w, out) in row.iter_mut().enumerate() {
                    let last = if w + 1 == words { tail } else { u64::MAX };
                    let intended = match Strategy::from_index(strategies[donor]) {
                        Some(Strategy::AllC) => last,
                        Some(Strategy::Disc) => view[w],
                        _ => 0,
                    };
                    let mut executed = intended;
                    let mut pending = intended;
                    while pending != 0 {
                        let b = pending.trailing_zeros();
                        pending &= pending - 1;
                        if draws.chance(rules.execution_error) {
                            executed &= !(1u64 << b);
                        }
                    }
                    *out = executed;
                    count += executed.count_ones();
                }
                *given = count;
            });
        column_counts(&self.actions, words, players, |_| true, &mut self.received);
        let (b, c, n) = (params.benefit, params.cost, players as f64);
        for ((payoff, &received), &given) in self.payoffs.iter_mut().zip(&self.received).zip(&self.given) {
            *payoff = (b * f64::from(received) - c * f64::from(given)) / n;
        }
        self.given.iter().map(|&g| u64::from(g)).sum()
    }

    /// Fills `next_private` with every observer's new view of every donor.
    fn assess_privately(&mut self, rules: &Rules, seed: u64, day: u64) {
        let (players, words) = (self.players, self.words);
        let (adherent, private, public, actions) =
            (&self.adherent, &self.private, &self.public, &self.actions);
        let day_stream = scslab_core::rng::DayStream::new(seed, Stream::Reputation, day);
        // The standing of `recipient` in the eyes of `judge`.
        let standing = |judge: usize, recipient: usize| {
            if rules.has_public && adherent[judge] {
                bit(public, recipient)
            } else {
                bit(&private[judge * words..(judge + 1) * words], recipient)
            }
        };
        self.next_private.par_chunks_mut(words).enumerate().with_min_len(rows_per_task(players)).for_each(
            |(observer, row)| {
                let mut rng = day_stream.agent(observer as u64).segment(segment::PRIVATE);
                let mixed_empathy = rules.empathy.is_uncertain();
                row.fill(0);
                for donor in 0..players {
                    // One word a judgment: the recipient from its high half, the assessment
                    // error from its low half; a second word for empathy only when it is
                    // neither 0 nor 1.
                    let x = rng.next_u64();
                    let recipient = below(x, players);
                    let empathetic = if mixed_empathy {
                        rules.empathy.hit(rng.next_u64() as u32)
                    } else {
                        rules.empathy.is_sure()
                    };
                    let judge = if empathetic { donor } else { observer };
                    let cooperated = bit(&actions[donor * words..(donor + 1) * words], recipient);
                    let good = rules.norm.judge(cooperated, standing(judge, recipient))
                        != rules.assessment_error.hit(x as u32);
                    row[donor / 64] |= u64::from(good) << (donor % 64);
                }
            },
        );
    }

    /// Replaces the public view by the institution's verdict on every donor.
    fn assess_publicly(&mut self, params: &ReputationParams, rules: &Rules, seed: u64, day: u64) {
        let (players, words) = (self.players, self.words);
        let (public, actions) = (&self.public, &self.actions);
        let members = params.institution_size;
        let day_stream = scslab_core::rng::DayStream::new(seed, Stream::Reputation, day);
        self.votes.par_iter_mut().enumerate().with_min_len(rows_per_task(members as usize)).for_each(
            |(donor, votes)| {
                let mut rng = day_stream.agent(donor as u64).segment(segment::INSTITUTION);
                let row = &actions[donor * words..(donor + 1) * words];
                *votes = (0..members)
                    .map(|_| {
                        let x = rng.next_u64();
                        let recipient = below(x, players);
                        let good = rules.norm.judge(bit(row, recipient), bit(public, recipient));
                        u32::from(good != rules.assessment_error.hit(x as u32))
                    })
                    .sum();
            },
        );
        self.public.fill(0);
        for (donor, &votes) in self.votes.iter().enumerate() {
            if votes >= params.institution_quorum {
                self.public[donor / 64] |= 1 << (donor % 64);
            }
        }
    }

    /// The good views in use and the agreeing pairs of observers (see [`Generation`]).
    fn count_views(&mut self, rules: &Rules) -> (u64, u64) {
        let (players, words) = (self.players, self.words);
        let adherent = &self.adherent;
        let reads_public = |i: usize| rules.has_public && adherent[i];
        column_counts(&self.private, words, players, |i| !reads_public(i), &mut self.good_counts);
        let adherents = (0..players).filter(|&i| reads_public(i)).count() as u32;
        let n = players as u64;
        let pairs_of = |k: u64| k * k.saturating_sub(1) / 2;
        let mut good = 0;
        let mut agreeing = 0;
        for (subject, count) in self.good_counts.iter_mut().enumerate() {
            if bit(&self.public, subject) {
                *count += adherents;
            }
            let g = u64::from(*count);
            good += g;
            agreeing += pairs_of(g) + pairs_of(n - g);
        }
        (good, agreeing)
    }

    fn imitate(&mut self, params: &ReputationParams, mut rng: AgentDayRng) {
        let n = self.players as u64;
        let model = rng.below(n) as usize;
        let learner = rng.below(n) as usize;
        let gap = self.payoffs[model] - self.payoffs[learner];
        let chance = 1.0 / (1.0 + (-params.selection_strength * gap).exp());
        if rng.uniform() < chance {
            self.strategies[learner] = self.strategies[model];
            self.adherent[learner] = self.adherent[model];
        }
    }
}

/// Column sums of the rows of a bit matrix for which `include` holds, into `out` (one per
/// column), in parallel over 64-column blocks (each block's sum is in row order, so the result
/// does not depend on the split).
fn column_counts(
    matrix: &[u64],
    words: usize,
    rows: usize,
    include: impl Fn(usize) -> bool + Sync,
    out: &mut [u32],
) {
    out.par_chunks_mut(64).enumerate().with_min_len(rows_per_task(rows).div_ceil(64)).for_each(
        |(w, block)| {
            block.fill(0);
            for row in (0..rows).filter(|&i| include(i)) {
                let mut bits = matrix[row * words + w];
                while bits != 0 {
                    block[bits.trailing_zeros() as usize] += 1;
                    bits &= bits - 1;
                }
            }
        },
    );
}

/// Rows of `players` pairs each per parallel task, so that a task does at least ~4,000 pairs:
/// small games run on one thread without rayon's overhead per row.
fn rows_per_task(players: usize) -> usize {
    4096usize.div_ceil(players.max(1))
}

/// The mask of the valid bits of a row's last word.
fn tail_mask(players: usize) -> u64 {
    match players % 64 {
        0 => u64::MAX,
        r => (1u64 << r) - 1,
    }
}

#[inline(always)]
fn bit(row: &[u64], j: usize) -> bool {
    (row[j / 64] >> (j % 64)) & 1 == 1
}

/// A probability as a threshold on 32-bit uniform integers: `x < t` with `t = p * 2^32`
/// (resolution 2^-32, far below any parameter's precision).
#[derive(Clone, Copy)]
struct Chance(u64);

impl Chance {
    /// Whether a uniform 32-bit draw falls under the chance (never for 0, always for 1).
    #[inline(always)]
    fn hit(self, bits: u32) -> bool {
        u64::from(bits) < self.0
    }

    /// Neither impossible nor certain: deciding it takes a draw.
    fn is_uncertain(self) -> bool {
        self.0 != 0 && self.0 < 1 << 32
    }

    /// Certain.
    fn is_sure(self) -> bool {
        self.0 >= 1 << 32
    }

    fn new(p: f64) -> Chance {
        if p.is_nan() || p <= 0.0 {
            Chance(0)
        } else if p >= 1.0 {
            Chance(1 << 32)
        } else {
            Chance((p * 4_294_967_296.0) as u64)
        }
    }
}

/// 32-bit draws from a keyed stream, two per 64-bit word (for the execution errors, one per
/// intended cooperation).
struct Draws {
    rng: AgentDayRng,
    spare: u64,
    has_spare: bool,
}

impl Draws {
    fn new(rng: AgentDayRng) -> Draws {
        Draws { rng, spare: 0, has_spare: false }
    }

    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        if self.has_spare {
            self.has_spare = false;
            (self.spare >> 32) as u32
        } else {
            self.spare = self.rng.next_u64();
            self.has_spare = true;
            self.spare as u32
        }
    }

    /// Whether the event of `chance` happens; a certain or impossible one takes no draw.
    #[inline(always)]
    fn chance(&mut self, chance: Chance) -> bool {
        if chance.is_uncertain() { chance.hit(self.next_u32()) } else { chance.is_sure() }
    }
}

/// A uniform integer in `0..n` from the high half of a 64-bit draw, by multiply-shift (bias
/// below `n / 2^32`).
#[inline(always)]
fn below(x: u64, n: usize) -> usize {
    (((x >> 32) * n as u64) >> 32) as usize
}
