//! The event-driven person day (`[engine] day = "event"`, docs/ODD.md 7.26).
//!
//! Under the daily engine every adult's day is drawn every day. Under the event engine an adult
//! is *quiet* when nothing of their own differs from their peer group's: no message, list (beyond
//! the lists everyone at base is on), score off base, debt, detention, silencing, and attitudes
//! on the group's path. A quiet adult's day is visited in full only when one of the day's
//! *schedules* picks them; the schedules draw, for each process, the quiet adults it touches
//! today directly, by geometric gaps over blocks of ids ([`Hits`]), at the process's rate:
//! - the thinning bound of the event draw (the largest bound of the province's table rows), so
//!   that a hit's uniform `v * rate` plays the part of the daily engine's behaviour draw;
//! - the false-record rate of the province;
//! - the trip rate (flights and trains);
//! - the re-employment rate (for the unemployed of working age).
//!
//! Every other quiet adult takes the fast path: employment (a closed employer), income, wealth.
//! The stocks that depend on static traits (criticism, dissenters) and on attitudes come from
//! [`Census`]: per cell, conformity level and fear-sensitivity level, the static sums of every
//! adult, valued each day at the group's path, minus the part of the adults visited in full,
//! who count their own day as under the daily engine.

use rayon::prelude::*;
use scslab_core::rng::{AgentDayRng, DayStream, Stream};

use crate::metrics::{Counters, FIXED_POINT, PersonCols};
use crate::params::{AuthorityKind, MeasureEffect, Params};
use crate::population::{Layout, N_CELLS, N_PEER_GROUPS, adult_traits, fill_event_traits};
use crate::tables::{CONFORMITY_LEVELS, DayTables, Plan, RISK_LEVELS};
use crate::vocab::{
    EV_CRITICISM, EV_POSITIVE_POST, N_INCOME, N_PERSON_EVENTS, N_PROVINCES, PersonMeasureKind,
};

/// Ids per schedule block: each block of a province draws its hits from its own key.
pub const BLOCK: u32 = 4096;

/// Levels of fear sensitivity under the event engine: the trait is read at the centre of its
/// 1/64 band, so that the census can sum adults by level.
pub const FS_LEVELS: usize = 64;

/// The stored trust byte of an adult whose trust is on the path (a deviation of 0).
pub const TRUST_ON_PATH: u8 = 128;

/// Trust deviations are stored in steps of 1/85 (3 bytes of the daily engine's 1/255) around
/// [`TRUST_ON_PATH`], as of the start of their epoch (see [`EPOCH`]): a range of about ±1.5.
pub const TRUST_STEP: f64 = 85.0;

/// Days of a trust epoch. Trust is an outcome only (no behaviour reads it), so a quiet adult's
/// trust deviation is not brought up to date each day: it is stored as of the start of the
/// epoch, decays by the known factor `(1 - trust_recovery)^(days since)`, and the census adds
/// the stored deviations of the quiet up per cell. On the first day of each epoch every stored
/// deviation is rebased (multiplied by the epoch's decay, stochastically rounded).
pub const EPOCH: u32 = 128;

/// The days of a trust epoch at recovery rate `trust_recovery`: [`EPOCH`], or fewer when trust
/// recovers so fast that a deviation stored as of the epoch's start would grow past 1.5 times
/// its value (the stored range is about ±1.5): the most days over which `1 - trust_recovery`
/// keeps at least 2/3.
pub fn epoch_days(trust_recovery: f64) -> u32 {
    let keep = 1.0 - trust_recovery.clamp(0.0, 1.0);
    if keep >= 1.0 {
        return EPOCH;
    }
    if keep <= 0.0 {
        return 1;
    }
    ((2.0f64 / 3.0).ln() / keep.ln()).floor().clamp(1.0, EPOCH as f64) as u32
}

/// The band of a fear sensitivity.
#[inline(always)]
pub fn fs_level(fs: f32) -> usize {
    ((fs * FS_LEVELS as f32) as usize).min(FS_LEVELS - 1)
}

/// The fear sensitivity the event engine reads for a band.
#[inline(always)]
pub fn fs_value(level: usize) -> f32 {
    (level as f32 + 0.5) / FS_LEVELS as f32
}

/// The conformity level of a conformity trait (as the person kernel computes it).
#[inline(always)]
pub fn conformity_level(conformity: f32) -> usize {
    (conformity as f64 * (CONFORMITY_LEVELS - 1) as f64 + 0.5) as i32 as usize
}

/// The risk level of fear sensitivity `fs` at fear `fear` (as the person kernel computes it).
#[inline(always)]
pub fn risk_level(tables: &DayTables, fs: f32, fear: f64, fear_perception: f64) -> usize {
    let x = fs as f64 * (1.0 + fear_perception * fear);
    ((x * tables.risk_level_scale + 0.5) as i32 as usize).min(RISK_LEVELS - 1)
}

/// Whether event `e` of a quiet adult is counted per cell rather than drawn per adult: the
/// favoured events, positive posts and criticism, which change nothing of a quiet adult's own
/// unless an authority records them (those records are drawn per adult, by a recorder's
/// schedule). Violations and debts change the adult's flags, so they are drawn per adult.
#[inline(always)]
pub fn aggregated(e: usize) -> bool {
    matches!(crate::tables::FACTOR_KIND[e], 1 | 5 | 6)
}

/// The room of the regime-free thinning bound for deterrence, rewards and conformity (7.26).
pub const THINNING_ROOM: f64 = 1.25;

/// The thinning rate's floor that the regime does not move (docs/ODD.md 7.26, `shared`): the
/// base rates of the events drawn per adult at their largest trait factors without measures,
/// times [`THINNING_ROOM`].
pub fn shared_thinning(params: &Params) -> f64 {
    let b = &params.behaviour;
    let free = crate::tables::trait_factor_bounds(b, 1.0, 0.0);
    let each = (0..N_PERSON_EVENTS).filter(|&e| !aggregated(e)).map(|e| b.person_rate[e] * free[e]);
    each.sum::<f64>() * THINNING_ROOM
}

/// The most (authority, event) pairs that record aggregated events; a scenario with more
/// visits every adult in full.
pub const MAX_RECORDERS: usize = 16;

/// An authority that records an aggregated event: its own schedule draws the quiet adults
/// whose event it records today.
#[derive(Clone, Copy, Debug)]
pub struct Recorder {
    /// The authority.
    pub authority: usize,
    /// The event.
    pub event: usize,
    /// Today's chance that it records the event where it happens, by province (detection
    /// times detection scale times coverage; the adult's own coverage apart).
    pub q: [f64; N_PROVINCES],
    /// The schedule's rate: the largest event probability of the province's rows times the
    /// largest trait factor times `q`.
    pub rate: [f64; N_PROVINCES],
}

const NO_RECORDER: Recorder =
    Recorder { authority: 0, event: 0, q: [0.0; N_PROVINCES], rate: [0.0; N_PROVINCES] };

/// The processes a schedule draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Process {
    /// Candidate days of the event draw.
    Thinning = 0,
    /// False records.
    False = 1,
    /// Trips.
    Travel = 2,
    /// Job offers to the unemployed.
    Hiring = 3,
}

/// The schedule key of recorder `j` (after the four [`Process`]es).
pub fn recorder_key(j: usize) -> u64 {
    4 + j as u64
}

/// The attitude paths of quiet adults, kept from day to day (saved in checkpoints): fear by
/// peer group (fed by the group's sanctions), resentment (always 0) and trust (recovering
/// towards its initial value).
#[derive(Clone, Debug, PartialEq)]
pub struct Paths {
    /// Fear of a quiet adult of each peer group at the start of the day.
    pub fear: [f64; N_PEER_GROUPS],
    /// Trust of a quiet adult at the start of the day.
    pub trust: f64,
}

impl Paths {
    /// Day 0: no fear, the initial trust as the daily engine stores it (a byte).
    pub fn new(params: &Params) -> Paths {
        let trust = (params.behaviour.initial_trust * 255.0).round() / 255.0;
        Paths { fear: [0.0; N_PEER_GROUPS], trust }
    }

    /// Moves the paths to the end of `day`.
    pub fn advance(&mut self, day: &EventDay) {
        self.fear = day.fear_next;
        self.trust = day.trust_next;
    }
}

/// What the event engine's person phase reads on one day.
#[derive(Clone, Debug)]
pub struct EventDay {
    /// Fear of a quiet adult of each peer group during the day (the risk level reads it).
    pub fear: [f64; N_PEER_GROUPS],
    /// Fear of a quiet adult at the end of the day (the stocks read it).
    pub fear_next: [f64; N_PEER_GROUPS],
    /// Trust of a quiet adult during the day.
    pub trust: f64,
    /// Trust of a quiet adult at the end of the day.
    pub trust_next: f64,
    /// What a stored trust deviation has decayed by at the start of the day (since its epoch
    /// began) and at its end.
    pub trust_decay: [f64; 2],
    /// On the first day of an epoch (not day 0): the factor by which stored trust deviations
    /// are rebased.
    pub rebase: Option<f64>,
    /// Today's rate of each process (index [`Process`]) in each province. The thinning's is the
    /// largest total probability of the events drawn per adult (not [`aggregated`]).
    pub rates: [[f64; N_PROVINCES]; 4],
    /// The recorders of aggregated events (the first `n_recorders`), by event then authority
    /// in the order the person kernel observes.
    pub recorders: [Recorder; MAX_RECORDERS],
    /// Number of recorders.
    pub n_recorders: usize,
    /// Chance that an aggregated event of a quiet adult of each province goes unrecorded (over
    /// the adults' coverage), by event.
    pub unrecorded: [[f64; N_PROVINCES]; N_PERSON_EVENTS],
    /// The largest trait factor of each event.
    pub max_factor: [f64; N_PERSON_EVENTS],
    /// Share of today's trips that are flights (the rest are trains).
    pub flight_share: f64,
    /// A quiet adult's income net of consumption today, yuan: without lists (0) or on the base's
    /// (1), by income quintile, urban and unemployed (as the daily engine rounds it).
    pub income: [[[[i64; 2]; 2]; N_INCOME]; 2],
    /// The daily money of the lists at base counted as rewards (yuan, rounded; 0 or 1 as for
    /// `income`).
    pub money_yuan: [u64; 2],
    /// The list bits of an adult at base (lists defined by a score condition that holds there).
    pub base_lists: u8,
    /// The list bits a quiet adult may have: none (outside the schemes of those lists) or the
    /// base's, when both have the same effects on all the fast path does not compute (reach,
    /// travel ban, hiring bonus, trust, job loss); otherwise the base's only.
    pub quiet_lists: [u8; 2],
    /// Whether every adult is visited in full today: on days a policy change applies (so that
    /// every adult's lists match their coverage at base before any is quiet), and when the
    /// lists at base carry a risk of job loss, which the fast path does not draw.
    pub all_full: bool,
    /// Day 0, with lists at base: an adult whom such a list would take in today (its scheme
    /// covers them and they are not yet on it) enters it, on the fast path when
    /// [`Self::base_entry`] allows, otherwise in a day in full.
    pub entering: bool,
    /// Day 0: how an adult on the path who enters every list at base enters them on the fast
    /// path (`None`: such adults are visited in full, see [`BaseEntry`]).
    pub base_entry: Option<BaseEntry>,
    /// The schedules' stream of the day.
    pub stream: DayStream,
}

impl EventDay {
    /// Today's schedules and paths, from the day's tables, the paths at the start of the day,
    /// yesterday's sanctions per adult of each group and whether a policy change applied today.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        params: &Params,
        plan: &Plan,
        layout: &Layout,
        tables: &DayTables,
        paths: &Paths,
        group_sanction_rate: &[f64; N_PEER_GROUPS],
        day: u32,
        changed: bool,
    ) -> EventDay {
        let b = &params.behaviour;
        let base = plan.person_score_base_members;
        let effects = &tables.person_effects[base as usize];
        let fear_next = std::array::from_fn(|g| {
            (paths.fear[g] * (1.0 - b.fear_decay) + b.fear_group_sanction * group_sanction_rate[g])
                .clamp(0.0, 1.0)
        });
        let trust_next =
            (paths.trust + b.trust_recovery * (b.initial_trust - paths.trust) + effects.trust_daily)
                .clamp(0.0, 1.0);
        let max_factor = tables.max_trait_factors(params);
        let epoch = epoch_days(b.trust_recovery);
        let rows = |p: usize| {
            let rows = 2 * p * RISK_LEVELS * CONFORMITY_LEVELS..2 * (p + 1) * RISK_LEVELS * CONFORMITY_LEVELS;
            tables.person_rate[rows].iter()
        };
        // A bound that the regime does not move: the base rates at the largest trait factors
        // without measures, with room for deterrence, rewards and conformity. Two scenarios with
        // the same behaviour share it, so where both provinces' own bounds stay below it their
        // schedules hit the same adults with the same uniforms (common random numbers, 7.23).
        let shared = shared_thinning(params);
        let thinning = std::array::from_fn(|p| {
            let most = rows(p)
                .map(|r| {
                    let each = r.rates.iter().zip(&max_factor).enumerate();
                    each.filter(|(e, _)| !aggregated(*e)).map(|(_, (&x, &m))| x as f64 * m).sum::<f64>()
                })
                .fold(0.0, f64::max);
            // The same slack as the rows' bounds; above 0.95 every adult is drawn.
            let most = (most * (1.0 + 1e-6) + 1e-12).max(shared);
            if most > 0.95 { 1.0 } else { most }
        });
        let mut recorders = [NO_RECORDER; MAX_RECORDERS];
        let mut n_recorders = 0;
        let mut unrecorded = [[1.0; N_PROVINCES]; N_PERSON_EVENTS];
        let mut too_many = false;
        for e in (0..N_PERSON_EVENTS).filter(|&e| aggregated(e)) {
            for &a in &plan.person_authorities {
                let auth = &params.authorities[a];
                // A chance: capped at 1, as the daily engine's comparison with a uniform caps it.
                let q: [f64; N_PROVINCES] = std::array::from_fn(|p| {
                    (auth.detect[e] * tables.detection_scale[a] * tables.coverage[a][p]).clamp(0.0, 1.0)
                });
                if q.iter().all(|&x| x <= 0.0) {
                    continue;
                }
                if n_recorders == MAX_RECORDERS {
                    too_many = true;
                    break;
                }
                let rate = std::array::from_fn(|p| {
                    let most = rows(p).map(|r| r.rates[e] as f64).fold(0.0, f64::max);
                    (most * max_factor[e] * q[p] * (1.0 + 1e-6)).min(1.0)
                });
                recorders[n_recorders] = Recorder { authority: a, event: e, q, rate };
                n_recorders += 1;
                for (p, u) in unrecorded[e].iter_mut().enumerate() {
                    let bit = 1u64 << a;
                    let share = if plan.person_cover_always[p] & bit != 0 {
                        1.0
                    } else if plan.person_cover_partial_mask & bit != 0 {
                        layout.partial_cover_share(a, p as u8)
                    } else {
                        0.0
                    };
                    *u *= 1.0 - q[p] * share;
                }
            }
        }
        let (flight, train) = if effects.travel_ban {
            (b.banned_flight_rate, b.banned_train_rate)
        } else {
            (b.flight_rate, b.train_rate)
        };
        let travel = flight + train;
        let hiring = b.reemployment_rate + effects.hire_bonus;
        let none = &tables.person_effects[0];
        let money = [none.daily_money, effects.daily_money];
        let income = std::array::from_fn(|i| {
            std::array::from_fn(|q| {
                std::array::from_fn(|u| {
                    std::array::from_fn(|j| {
                        if money[i] == 0.0 {
                            plan.person_net_income_yuan[q][u][j]
                        } else {
                            crate::tables::round_i64(plan.person_net_income[q][u][j] + money[i])
                        }
                    })
                })
            })
        });
        let same = none.reach == effects.reach
            && none.travel_ban == effects.travel_ban
            && none.hire_bonus == effects.hire_bonus
            && none.trust_daily == effects.trust_daily
            && none.job_loss == effects.job_loss;
        let keep = 1.0 - b.trust_recovery;
        let since = (day % epoch) as i32;
        let trust_decay = [keep.powi(since), keep.powi(since + 1)];
        let base_entry = (day == 0 && base != 0 && same)
            .then(|| BaseEntry::new(params, plan, tables, paths.trust, trust_next, trust_decay[1]))
            .flatten();
        EventDay {
            fear: paths.fear,
            fear_next,
            trust: paths.trust,
            trust_next,
            trust_decay,
            rebase: (day > 0 && day.is_multiple_of(epoch)).then(|| keep.powi(epoch as i32)),
            rates: [thinning, tables.person_false_any, [travel; N_PROVINCES], [hiring; N_PROVINCES]],
            recorders,
            n_recorders,
            unrecorded,
            max_factor,
            flight_share: if travel > 0.0 { flight / travel } else { 0.0 },
            income,
            money_yuan: money.map(|m| crate::tables::round_i64(m.max(0.0)) as u64),
            base_lists: base,
            quiet_lists: if same { [0, base] } else { [base, base] },
            all_full: changed || too_many || effects.job_loss > 0.0,
            entering: day == 0 && base != 0,
            base_entry,
            stream: DayStream::new(params.seed, Stream::Schedule, day as u64),
        }
    }
}

/// Day 0's entry of a quiet adult into the lists at base, on the fast path (docs/ODD.md 7.26,
/// "Day 0 (entering)"): possible when every list at base is a redlist without sparse entries
/// whose entry measures on persons change no more than wealth (no fine, detention or public
/// shaming), so that entering them changes only the list byte, wealth and trust, the same for
/// every adult on the path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BaseEntry {
    /// The stored trust byte over 255, before its stochastic rounding, of an adult on the path
    /// who enters every list at base today: as the day in full would store it.
    pub trust: f64,
    /// What the entry measures pay the adult, yuan.
    pub payment: i64,
}

impl BaseEntry {
    /// The entry into the lists at base on day 0 (`None` if the fast path cannot make it),
    /// from the trust path, its value at the end of the day and its decay by then.
    fn new(
        params: &Params,
        plan: &Plan,
        tables: &DayTables,
        trust: f64,
        trust_next: f64,
        decay: f64,
    ) -> Option<BaseEntry> {
        let b = &params.behaviour;
        // As the day in full: trust read on the path, each entry's reward, then the day's update
        // under the effects of the list byte of the start of the day (none).
        let mut t = trust.clamp(0.0, 1.0);
        let mut payment = 0;
        for sl in plan.person_score_lists.iter().filter(|sl| sl.holds_at_base) {
            let a = sl.authority;
            let AuthorityKind::List(rule) = &params.authorities[a].kind else { return None };
            if rule.color.sanctions() || plan.sparse[a] {
                return None;
            }
            for em in &plan.entry_measures[a] {
                let m = &params.measures[em.measure];
                let MeasureEffect::Person(kind) = m.effect else { continue };
                match kind {
                    PersonMeasureKind::Fine
                    | PersonMeasureKind::Detention
                    | PersonMeasureKind::PublicShaming => {
                        return None;
                    }
                    PersonMeasureKind::Payment => payment += crate::tables::round_i64(m.amount),
                    _ => {}
                }
            }
            t = (t + b.trust_reward).clamp(0.0, 1.0);
        }
        t += b.trust_recovery * (b.initial_trust - t) + tables.person_effects[0].trust_daily;
        let deviation = if decay > 0.0 { (t - trust_next) / decay } else { 0.0 };
        Some(BaseEntry { trust: (deviation * TRUST_STEP + TRUST_ON_PATH as f64) * (1.0 / 255.0), payment })
    }

    /// The stored trust byte of adult `id` on entering: [`Self::trust`] rounded stochastically
    /// with the adult's own draw of the day.
    pub fn trust_byte(&self, day: &EventDay, id: u32) -> u8 {
        let r = day.stream.agent(ENTRY_KEY | id as u64).u16x4()[0];
        crate::tables::stochastic_byte(self.trust, r)
    }
}

/// The key prefix of the trust rounding of day 0's entries on the fast path.
const ENTRY_KEY: u64 = 0xfd << 56;

/// A stored trust deviation rebased at the start of an epoch: multiplied by `factor`, rounded
/// stochastically with the adult's own draw of the day.
pub fn rebase_trust(day: &EventDay, id: u32, trust: u8, factor: f64) -> u8 {
    let r = day.stream.agent(REBASE_KEY | id as u64).u16x4()[0];
    let x = (trust as f64 - TRUST_ON_PATH as f64) * factor + TRUST_ON_PATH as f64;
    crate::tables::stochastic_byte(x / 255.0, r)
}

/// The key prefix of the rebasing draws (distinct from every schedule block's key).
const REBASE_KEY: u64 = 0xff << 56;

/// An adult's class as the fast path reads it: working age, urban, income quintile and cell
/// within the province (0 for a minor).
#[derive(Clone, Copy, Debug, Default)]
pub struct Class {
    /// 15 and over.
    pub adult: bool,
    /// 15 to 59.
    pub working_age: bool,
    /// Urban.
    pub urban: bool,
    /// Income quintile.
    pub income: u8,
}

/// The classes by code (see [`class_code`]); codes past 20 are never given, and read as minors.
/// 32 entries, so that a code masked with [`CLASS_MASK`] needs no bounds check.
pub const CLASSES: [Class; 32] = {
    let mut c = [Class { adult: false, working_age: false, urban: false, income: 0 }; 32];
    let mut x = 0;
    while x < 20 {
        c[x + 1] = Class { adult: true, working_age: x < 10, urban: (x % 10) >= 5, income: (x % 5) as u8 };
        x += 1;
    }
    c
};

/// Masks a class code into [`CLASSES`] (codes are at most 20, so the mask changes none).
pub const CLASS_MASK: u8 = 31;

/// The code of a person's class: 0 for a minor, else `1 + 10 * (age band - 1) + 5 * urban +
/// income`. Derived from the first trait draw once at setup and kept (one byte a person) for
/// the fast path, which would otherwise derive it every day.
pub fn class_code(t: &crate::population::PersonTraits) -> u8 {
    if t.age_band == 0 { 0 } else { 1 + 10 * (t.age_band - 1) + 5 * t.urban as u8 + t.income }
}

/// Every person's class code, in parallel over fixed ranges.
pub fn classes(params: &Params, layout: &Layout) -> Vec<u8> {
    let mut class = vec![0u8; layout.n_persons()];
    class.par_chunks_mut(SETUP_BLOCK).enumerate().for_each(|(b, chunk)| {
        each_person(layout, b, chunk, |id, province, c| {
            *c = class_code(&crate::population::basic_traits(params, layout, id, province));
        })
    });
    class
}

/// Persons per block of the setup passes over every person.
const SETUP_BLOCK: usize = 1 << 16;

/// Calls `f(id, province, slot)` for each person of block `b` (ids from `b * SETUP_BLOCK`),
/// whose slots are `slots`, following the province boundaries instead of searching them.
fn each_person<T>(layout: &Layout, b: usize, slots: &mut [T], mut f: impl FnMut(u32, u8, &mut T)) {
    let lo = (b * SETUP_BLOCK) as u32;
    for ((id, province), slot) in layout.with_provinces(lo..lo + slots.len() as u32).zip(slots) {
        f(id, province, slot);
    }
}

/// What the event engine keeps in a simulation: the paths (saved in checkpoints), the census
/// (derived) and today's schedules.
#[derive(Clone, Debug)]
pub struct EventState {
    /// Attitude paths at the start of the next day to run.
    pub paths: Paths,
    /// Static census of the adults.
    pub census: Census,
    /// Today's schedules and paths (rebuilt at the start of each day).
    pub day: EventDay,
    /// Every person's class code ([`class_code`]).
    pub class: Vec<u8>,
}

impl EventState {
    /// The state of day 0.
    pub fn new(params: &Params, plan: &Plan, layout: &Layout, tables: &DayTables) -> EventState {
        let paths = Paths::new(params);
        let day = EventDay::new(params, plan, layout, tables, &paths, &[0.0; N_PEER_GROUPS], 0, true);
        let (census, class) = Census::with_classes(params, layout);
        EventState { census, class, day, paths }
    }
}

/// The hits of one process among the ids `start..end`, in id order: for each, the id and a
/// uniform `v` in [0, 1). The ids of a province are cut into blocks of [`BLOCK`] from its first
/// id; a block's hits come from its own key (process, province, block) by geometric gaps at the
/// province's rate, so any range of ids (a chunk, or the one person of a trace) sees the same
/// hits, whatever the chunking.
pub struct Hits<'a> {
    stream: DayStream,
    process: u64,
    rates: [f64; N_PROVINCES],
    offsets: &'a [u32; N_PROVINCES + 1],
    end: u32,
    province: usize,
    block: u32,
    block_hi: u32,
    rng: AgentDayRng,
    /// ln(1 - rate) of the current block (0 when every id is a hit, -inf when none is).
    log_q: f64,
    /// The next hit (`u32::MAX` when there is none before `end`).
    next: u32,
    /// Its uniform.
    v: f64,
}

impl<'a> Hits<'a> {
    /// The hits of `process` among ids `start..end` of persons numbered by province from
    /// `offsets` (`Layout::person_offsets`).
    pub fn new(
        day: &EventDay,
        offsets: &'a [u32; N_PROVINCES + 1],
        process: Process,
        start: u32,
        end: u32,
    ) -> Hits<'a> {
        Hits::keyed_stream(day.stream, offsets, process as u64, day.rates[process as usize], start, end)
    }

    /// The hits of recorder `j` among ids `start..end` (none if `j` is not a recorder).
    pub fn recorder(
        day: &EventDay,
        offsets: &'a [u32; N_PROVINCES + 1],
        j: usize,
        start: u32,
        end: u32,
    ) -> Hits<'a> {
        let (start, end) = if j < day.n_recorders { (start, end) } else { (0, 0) };
        Hits::keyed_stream(day.stream, offsets, recorder_key(j), day.recorders[j].rate, start, end)
    }

    /// The hits of the schedule `key` of `stream` at `rates` among ids `start..end` (of persons
    /// or firms, numbered by province from `offsets`).
    pub(crate) fn keyed_stream(
        stream: DayStream,
        offsets: &'a [u32; N_PROVINCES + 1],
        key: u64,
        rates: [f64; N_PROVINCES],
        start: u32,
        end: u32,
    ) -> Hits<'a> {
        let province = offsets.partition_point(|&o| o <= start).saturating_sub(1).min(N_PROVINCES - 1);
        let mut h = Hits {
            stream,
            process: key,
            rates,
            offsets,
            end,
            province,
            block: 0,
            block_hi: 0,
            rng: stream.agent(0),
            log_q: f64::NEG_INFINITY,
            next: u32::MAX,
            v: 0.0,
        };
        if start >= end {
            return h;
        }
        let lo = h.offsets[province];
        h.enter_block(province, (start - lo) / BLOCK);
        h.step_from(lo + h.block * BLOCK);
        while h.next < start {
            h.step_from(h.next + 1);
        }
        h
    }

    /// The next hit's id (`u32::MAX` if none).
    #[inline(always)]
    pub fn peek(&self) -> u32 {
        self.next
    }

    /// Whether `id` is a hit, moving past it; its uniform if so. Ids must be asked in order.
    #[inline(always)]
    pub fn take(&mut self, id: u32) -> Option<f64> {
        if self.next > id {
            return None;
        }
        while self.next < id {
            self.step_from(self.next + 1);
        }
        if self.next != id {
            return None;
        }
        let v = self.v;
        self.step_from(id + 1);
        Some(v)
    }

    fn enter_block(&mut self, province: usize, block: u32) {
        self.province = province;
        self.block = block;
        let lo = self.offsets[province] + block * BLOCK;
        self.block_hi = (lo + BLOCK).min(self.offsets[province + 1]);
        let key = self.process << 56 | (province as u64) << 40 | block as u64;
        self.rng = self.stream.agent(key);
        let rate = self.rates[province];
        self.log_q = if rate >= 1.0 {
            0.0
        } else if rate <= 0.0 {
            f64::NEG_INFINITY
        } else {
            (-rate).ln_1p()
        };
    }

    /// Finds the first hit at or after `from`.
    fn step_from(&mut self, mut from: u32) {
        loop {
            if from >= self.end {
                self.next = u32::MAX;
                return;
            }
            if from < self.block_hi {
                // The gap to the next hit is the floor of `gap`, which is at least 0 (or -0):
                // compared with the whole number of ids left and truncated by `as`, it needs
                // no floor (a call into libm on this target).
                let gap = if self.log_q == 0.0 {
                    0.0
                } else if self.log_q == f64::NEG_INFINITY {
                    f64::INFINITY
                } else {
                    (1.0 - self.rng.uniform()).ln() / self.log_q
                };
                if gap < (self.block_hi - from) as f64 {
                    let id = from + gap as u32;
                    self.v = self.rng.uniform();
                    if id >= self.end {
                        self.next = u32::MAX;
                    } else {
                        self.next = id;
                    }
                    return;
                }
            }
            // The next block, in this province or the next one that has persons.
            from = self.block_hi;
            let mut p = self.province;
            while p < N_PROVINCES && from >= self.offsets[p + 1] {
                p += 1;
            }
            if p >= N_PROVINCES {
                self.next = u32::MAX;
                return;
            }
            let block = if p == self.province { self.block + 1 } else { 0 };
            self.enter_block(p, block);
        }
    }
}

/// What the schedules hold for one adult today: the uniforms of the processes that hit them
/// (thinning and false records not yet scaled by the province's rate), and how many recorders
/// did (their hits in the `recorded` buffer given to [`Schedules::take`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Scheduled {
    /// The thinning schedule's uniform: a candidate day of the event draw.
    pub thinning: Option<f64>,
    /// The false-record schedule's uniform.
    pub false_record: Option<f64>,
    /// The travel schedule's uniform (unscaled: it picks flight or train).
    pub trip: Option<f64>,
    /// Whether a job offer came (counts for the unemployed only).
    pub hired: bool,
    /// How many recorders hit.
    pub n_recorded: usize,
}

/// Every schedule of a range of ids, with the first id any of them hits: the loop over the
/// quiet compares each adult's id with one number instead of asking each schedule.
pub struct Schedules<'a> {
    processes: [Hits<'a>; 4],
    recorders: [Hits<'a>; MAX_RECORDERS],
    n_recorders: usize,
    next: u32,
}

impl<'a> Schedules<'a> {
    /// The schedules of ids `start..end` (see [`Hits::new`]).
    pub fn new(day: &EventDay, offsets: &'a [u32; N_PROVINCES + 1], start: u32, end: u32) -> Schedules<'a> {
        let processes = [Process::Thinning, Process::False, Process::Travel, Process::Hiring]
            .map(|p| Hits::new(day, offsets, p, start, end));
        let recorders = std::array::from_fn(|j| Hits::recorder(day, offsets, j, start, end));
        let mut s = Schedules { processes, recorders, n_recorders: day.n_recorders, next: 0 };
        s.next = s.first();
        s
    }

    /// The first id at which some schedule has a hit (`u32::MAX` if none does).
    #[inline(always)]
    pub fn next(&self) -> u32 {
        self.next
    }

    fn first(&self) -> u32 {
        let hits = self.processes.iter().chain(&self.recorders[..self.n_recorders]);
        hits.map(Hits::peek).min().unwrap_or(u32::MAX)
    }

    /// The hits at `id`, moving past them (and past any before it); the recorders' go to
    /// `recorded` as (recorder, uniform). Ids must be asked in order.
    #[inline(never)]
    pub fn take(&mut self, id: u32, recorded: &mut [(u8, f64); MAX_RECORDERS]) -> Scheduled {
        let [thinning, false_record, trip, hired] = &mut self.processes;
        let mut s = Scheduled {
            thinning: thinning.take(id),
            false_record: false_record.take(id),
            trip: trip.take(id),
            hired: hired.take(id).is_some(),
            n_recorded: 0,
        };
        for (j, hits) in self.recorders[..self.n_recorders].iter_mut().enumerate() {
            if let Some(v) = hits.take(id) {
                recorded[s.n_recorded] = (j as u8, v);
                s.n_recorded += 1;
            }
        }
        self.next = self.first();
        s
    }
}

// A cell's and conformity level's occupied fear-sensitivity levels fit one `u64`.
const _: () = assert!(FS_LEVELS <= 64);

/// Number of census bins: cell, conformity level, fear-sensitivity level.
const BINS: usize = N_CELLS * CONFORMITY_LEVELS * FS_LEVELS;

#[inline(always)]
fn bin(cell: usize, clevel: usize, fs: usize) -> usize {
    (cell * CONFORMITY_LEVELS + clevel) * FS_LEVELS + fs
}

/// Static sums over the adults of each (cell, conformity level, fear-sensitivity level), from
/// which the stocks and the aggregated events of quiet adults are valued each day (derived from
/// the seed; never saved).
#[derive(Clone, Debug)]
pub struct Census {
    /// The sums of each bin, side by side: an adult's part touches one cache line.
    bins: Vec<BinSums>,
    /// Per cell and conformity level, bit `k` set when the bin of fear-sensitivity level `k`
    /// has a non-zero sum: [`Census::cell_day`] skips the others, whose parts are exact zeros.
    occupied: Vec<u64>,
    /// Dissenters of each cell.
    dissenters: Vec<u64>,
    /// Adults of each cell.
    adults: Vec<u64>,
}

/// The sums of one census bin.
#[derive(Clone, Copy, Debug, Default)]
struct BinSums {
    /// Sum of `4 * dissent * outspokenness` (the daily criticism volume before rates), fixed
    /// point at [`FIXED_POINT`].
    volume: u64,
    /// Sum of the favoured events' trait factor `2 * prosociality`, fixed point.
    favoured: u64,
    /// Sum of the positive posts' trait factor before reach, `2 * (1 - dissent)`, fixed point.
    post: u64,
    /// Dissenters (dissent above 0.5) with a positive volume: silent when the row says so.
    speaking: u32,
}

/// One adult's static part of the census.
#[derive(Clone, Copy, Debug)]
pub struct Static {
    /// Census bin.
    pub bin: usize,
    /// Volume, fixed point.
    pub volume: u64,
    /// Favoured events' factor, fixed point.
    pub favoured: u64,
    /// Positive posts' factor before reach, fixed point.
    pub post: u64,
    /// Dissent above 0.5.
    pub dissenter: bool,
}

impl Static {
    /// The census part of an adult of cell `cell` with all traits `t` (deterrence: the dissent
    /// trait is the own dissent).
    #[inline]
    pub fn of(cell: usize, t: &crate::population::PersonTraits) -> Static {
        let fixed = |x: f64| (x * FIXED_POINT) as u64;
        Static {
            bin: bin(cell, conformity_level(t.conformity), fs_level(t.fear_sensitivity)),
            volume: fixed(4.0 * t.dissent as f64 * t.outspokenness as f64),
            favoured: fixed(2.0 * t.prosociality as f64),
            post: fixed(2.0 * (1.0 - t.dissent as f64)),
            dissenter: t.dissent as f64 > 0.5,
        }
    }

    /// The expected aggregated events of this adult if quiet today (fixed point, by event;
    /// 0 for events drawn per adult), before the chance that they go unrecorded.
    #[inline(always)]
    pub fn events(
        &self,
        tables: &DayTables,
        day: &EventDay,
        fear_perception: f64,
        cell: usize,
    ) -> [f64; N_PERSON_EVENTS] {
        let g = cell / N_INCOME;
        let k = self.bin % FS_LEVELS;
        let c = (self.bin / FS_LEVELS) % CONFORMITY_LEVELS;
        let level = risk_level(tables, fs_value(k), day.fear[g], fear_perception);
        let row = &tables.person_rate[DayTables::rate_index(g, level, c)];
        let reach = tables.person_effects[day.base_lists as usize].reach;
        let factors =
            [0.0, self.favoured as f64, 0.0, 0.0, 0.0, self.post as f64 * reach, self.volume as f64 * reach];
        std::array::from_fn(|e| {
            if aggregated(e) {
                factors[crate::tables::FACTOR_KIND[e] as usize] * row.rates[e] as f64
            } else {
                0.0
            }
        })
    }
}

/// The key prefix of the per-cell draws of aggregated events.
const EVENTS_KEY: u64 = 0xfe << 56;

impl Census {
    /// The census of the adults, and every person's class code ([`classes`]; 0 for a minor),
    /// in one pass over the persons: fixed blocks of ids in parallel, integer sums, so the
    /// result does not depend on the thread count.
    pub fn with_classes(params: &Params, layout: &Layout) -> (Census, Vec<u8>) {
        let zero = || Census {
            bins: vec![BinSums::default(); BINS],
            occupied: Vec::new(),
            dissenters: vec![0; N_CELLS],
            adults: vec![0; N_CELLS],
        };
        let mut class = vec![0u8; layout.n_persons()];
        let mut census = class
            .par_chunks_mut(SETUP_BLOCK)
            .enumerate()
            .fold(zero, |mut c, (block, codes)| {
                each_person(layout, block, codes, |id, province, code| {
                    let Some(mut t) = adult_traits(params, layout, id, province) else { return };
                    *code = class_code(&t);
                    fill_event_traits(params, layout, id, &mut t);
                    let cell = t.cell();
                    let s = Static::of(cell, &t);
                    let bin = &mut c.bins[s.bin];
                    bin.volume += s.volume;
                    bin.favoured += s.favoured;
                    bin.post += s.post;
                    c.adults[cell] += 1;
                    if s.dissenter {
                        c.dissenters[cell] += 1;
                        bin.speaking += (s.volume > 0) as u32;
                    }
                });
                c
            })
            .reduce(zero, |mut a, b| {
                let add = |x: &mut Vec<u64>, y: &Vec<u64>| x.iter_mut().zip(y).for_each(|(x, y)| *x += y);
                for (x, y) in a.bins.iter_mut().zip(&b.bins) {
                    x.volume += y.volume;
                    x.favoured += y.favoured;
                    x.post += y.post;
                    x.speaking += y.speaking;
                }
                add(&mut a.dissenters, &b.dissenters);
                add(&mut a.adults, &b.adults);
                a
            });
        census.occupied = census
            .bins
            .chunks_exact(FS_LEVELS)
            .map(|levels| {
                let used = |b: &BinSums| b.volume | b.favoured | b.post | b.speaking as u64 != 0;
                levels.iter().enumerate().fold(0u64, |m, (k, b)| m | (used(b) as u64) << k)
            })
            .collect();
        (census, class)
    }

    /// Adds to `counters` what the adults not visited in full did today, per cell:
    /// - the stocks of every adult as if all were quiet (criticism and dissenters at their
    ///   group's path); the visited subtract their quiet part ([`quiet_part`]) and count their
    ///   own;
    /// - the attitudes of the quiet (`touched` per cell were visited; `quiet_trust` is the sum
    ///   of the others' stored trust deviations);
    /// - the aggregated events of the quiet that no authority recorded: a Poisson count per cell
    ///   and event, of mean the static sums valued at today's rows, minus `own_events` (the part
    ///   of the adults who drew their own), times the chance of going unrecorded.
    ///
    /// Returns the number of aggregated events.
    ///
    /// The cells are valued in parallel (each from its own bins and its own keyed draws) and
    /// added to `counters` in cell order, so the result does not depend on the threads.
    #[allow(clippy::too_many_arguments)]
    pub fn add_day(
        &self,
        params: &Params,
        tables: &DayTables,
        day: &EventDay,
        cols: &PersonCols,
        touched: &[u64; N_CELLS],
        quiet_trust: &[i64; N_CELLS],
        own_events: &[[i64; N_PERSON_EVENTS]],
        counters: &mut Counters,
    ) -> u64 {
        // The favoured events (trait factor 2 x prosociality), listed once.
        let mut kinds = [0usize; N_PERSON_EVENTS];
        let mut n_favoured = 0;
        for e in (0..N_PERSON_EVENTS).filter(|&e| crate::tables::FACTOR_KIND[e] == 1) {
            kinds[n_favoured] = e;
            n_favoured += 1;
        }
        let favoured_events = &kinds[..n_favoured];
        let cells: Vec<CellDay> = (0..N_CELLS)
            .into_par_iter()
            .with_min_len(16)
            .map(|cell| {
                let quiet = (self.adults[cell] - touched[cell], quiet_trust[cell]);
                self.cell_day(params, tables, day, favoured_events, cell, quiet, &own_events[cell])
            })
            .collect();
        let mut uncounted = 0;
        for (cell, c) in cells.iter().enumerate() {
            counters.add(cell, cols.desired_criticism, c.desired);
            counters.add(cell, cols.expressed_criticism, c.expressed);
            counters.add(cell, cols.private_dissenters, self.dissenters[cell]);
            counters.add(cell, cols.silent_dissenters, c.silent);
            counters.add(cell, cols.fear, c.fear);
            counters.add(cell, cols.trust, c.trust);
            for e in (0..N_PERSON_EVENTS).filter(|&e| aggregated(e)) {
                counters.add(cell, cols.true_events + e, c.events[e]);
                uncounted += c.events[e];
            }
        }
        uncounted
    }

    /// What [`Census::add_day`] adds to one cell: `quiet` is the cell's adults not visited in
    /// full and the sum of their stored trust deviations; `own_events` the aggregated events the
    /// visited drew themselves.
    #[allow(clippy::too_many_arguments)]
    fn cell_day(
        &self,
        params: &Params,
        tables: &DayTables,
        day: &EventDay,
        favoured_events: &[usize],
        cell: usize,
        (quiet, quiet_trust): (u64, i64),
        own_events: &[i64; N_PERSON_EVENTS],
    ) -> CellDay {
        let reach = tables.person_effects[day.base_lists as usize].reach;
        let fp = params.behaviour.fear_perception;
        let g = cell / N_INCOME;
        let p = g / 2;
        let (mut desired, mut volume_rate, mut silent) = (0.0, 0.0, 0u64);
        let mut favoured = [0.0; N_PERSON_EVENTS];
        let mut post = 0.0;
        // Bins with zero sums add exact zeros: skipped, in the same order for the others.
        let occupied: &[u64; CONFORMITY_LEVELS] =
            self.occupied[cell * CONFORMITY_LEVELS..][..CONFORMITY_LEVELS].try_into().unwrap();
        let mut levels = occupied.iter().fold(0, |m, &o| m | o);
        while levels != 0 {
            let k = levels.trailing_zeros() as usize;
            levels &= levels - 1;
            let level = risk_level(tables, fs_value(k), day.fear[g], fp);
            let rows = &tables.person_rate[DayTables::rate_index(g, level, 0)..][..CONFORMITY_LEVELS];
            let b0 = bin(cell, 0, k);
            for (c, row) in rows.iter().enumerate() {
                if occupied[c] >> k & 1 == 0 {
                    continue;
                }
                let b = b0 + c * FS_LEVELS;
                let (dc, rc) = (row.desired_criticism as f64, row.rates[EV_CRITICISM] as f64);
                let sums = &self.bins[b];
                let v = sums.volume as f64;
                desired += v * dc;
                volume_rate += v * rc;
                if reach * rc < 0.5 * dc {
                    silent += sums.speaking as u64;
                }
                let f = sums.favoured as f64;
                for &e in favoured_events {
                    favoured[e] += f * row.rates[e] as f64;
                }
                post += sums.post as f64 * row.rates[EV_POSITIVE_POST] as f64;
            }
        }
        let expressed = volume_rate * reach;
        let post = post * reach;
        let deviations = quiet_trust as f64 / TRUST_STEP * day.trust_decay[1];
        let trust = (quiet as f64 * day.trust_next + deviations) * 255.0;
        let mut events = [0u64; N_PERSON_EVENTS];
        for e in (0..N_PERSON_EVENTS).filter(|&e| aggregated(e)) {
            let expected = match e {
                EV_CRITICISM => expressed,
                EV_POSITIVE_POST => post,
                _ => favoured[e],
            };
            let mean = ((expected - own_events[e] as f64) / FIXED_POINT).max(0.0) * day.unrecorded[e][p];
            let mut rng = day.stream.agent(EVENTS_KEY | (cell as u64) << 8 | e as u64);
            events[e] = poisson(mean, &mut rng);
        }
        CellDay {
            desired: desired as i64 as u64,
            expressed: expressed as i64 as u64,
            silent,
            fear: (quiet as f64 * day.fear_next[g] * 255.0).round() as u64,
            trust: trust.round().max(0.0) as u64,
            events,
        }
    }
}

/// What the census adds to one cell's counters on one day ([`Census::add_day`]).
#[derive(Clone, Copy, Debug)]
struct CellDay {
    /// Desired criticism, fixed point.
    desired: u64,
    /// Expressed criticism, fixed point.
    expressed: u64,
    /// Silent dissenters.
    silent: u64,
    /// Fear of the quiet, in 1/255.
    fear: u64,
    /// Trust of the quiet, in 1/255.
    trust: u64,
    /// Unrecorded aggregated events of the quiet, by event (0 for the others).
    events: [u64; N_PERSON_EVENTS],
}

/// A Poisson count of mean `mean`: by multiplying uniforms below 64, and from the normal
/// approximation (rounded, at least 0) above.
pub fn poisson(mean: f64, rng: &mut AgentDayRng) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if mean < 64.0 {
        let limit = (-mean).exp();
        let mut product = rng.uniform();
        let mut k = 0;
        while product > limit {
            product *= rng.uniform();
            k += 1;
        }
        return k;
    }
    (mean + mean.sqrt() * rng.normal() + 0.5).floor().max(0.0) as u64
}

/// Subtracts from `counters` the quiet part of an adult visited in full (what
/// [`Census::add_day`] counted for them), so that their own day replaces it.
#[inline(always)]
pub fn quiet_part(
    tables: &DayTables,
    day: &EventDay,
    fear_perception: f64,
    cols: &PersonCols,
    cell: usize,
    s: &Static,
    counters: &mut Counters,
) {
    let g = cell / N_INCOME;
    let k = s.bin % FS_LEVELS;
    let c = (s.bin / FS_LEVELS) % CONFORMITY_LEVELS;
    let level = risk_level(tables, fs_value(k), day.fear[g], fear_perception);
    let row = &tables.person_rate[DayTables::rate_index(g, level, c)];
    let reach = tables.person_effects[day.base_lists as usize].reach;
    let (dc, rc) = (row.desired_criticism as f64, row.rates[EV_CRITICISM] as f64);
    let v = s.volume as f64;
    counters.add_signed(cell, cols.desired_criticism, -((v * dc) as i64));
    counters.add_signed(cell, cols.expressed_criticism, -((v * reach * rc) as i64));
    if s.dissenter {
        counters.add_signed(cell, cols.private_dissenters, -1);
        if s.volume > 0 && reach * rc < 0.5 * dc {
            counters.add_signed(cell, cols.silent_dissenters, -1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day_with(rate: f64) -> EventDay {
        day_with_stream(rate, DayStream::new(7, Stream::Schedule, 3))
    }

    fn day_with_stream(rate: f64, stream: DayStream) -> EventDay {
        EventDay {
            fear: [0.0; N_PEER_GROUPS],
            fear_next: [0.0; N_PEER_GROUPS],
            trust: 0.6,
            trust_next: 0.6,
            trust_decay: [1.0, 1.0],
            rebase: None,
            rates: [[rate; N_PROVINCES]; 4],
            flight_share: 0.5,
            income: [[[[0; 2]; 2]; N_INCOME]; 2],
            money_yuan: [0; 2],
            base_lists: 0,
            quiet_lists: [0, 0],
            recorders: [NO_RECORDER; MAX_RECORDERS],
            n_recorders: 0,
            unrecorded: [[1.0; N_PROVINCES]; N_PERSON_EVENTS],
            max_factor: [2.0; N_PERSON_EVENTS],
            all_full: false,
            entering: false,
            base_entry: None,
            stream,
        }
    }

    /// Persons numbered over provinces of uneven sizes, some empty.
    fn layout(n: u32) -> [u32; N_PROVINCES + 1] {
        let mut offsets = [0; N_PROVINCES + 1];
        for p in 0..N_PROVINCES {
            let size = if p % 7 == 3 { 0 } else { n / 20 + (p as u32 * 37) % 1000 };
            offsets[p + 1] = (offsets[p] + size).min(n);
        }
        offsets[N_PROVINCES] = n;
        offsets
    }

    fn all_hits(day: &EventDay, offsets: &[u32; N_PROVINCES + 1], start: u32, end: u32) -> Vec<(u32, f64)> {
        let mut h = Hits::new(day, offsets, Process::Thinning, start, end);
        let mut out = Vec::new();
        for id in start..end {
            if let Some(v) = h.take(id) {
                out.push((id, v));
            }
        }
        out
    }

    #[test]
    fn epochs_keep_stored_trust_deviations_in_range() {
        assert_eq!(epoch_days(0.0), EPOCH);
        assert_eq!(epoch_days(0.002), EPOCH);
        assert_eq!(epoch_days(1.0), 1);
        for tr in [0.004, 0.01, 0.05, 0.3] {
            let days = epoch_days(tr);
            assert!(days < EPOCH && (1.0 - tr).powi(days as i32) >= 2.0 / 3.0, "{tr}: {days}");
            assert!((1.0 - tr).powi(days as i32 + 1) < 2.0 / 3.0, "{tr}: {days} is not the most");
        }
    }

    #[test]
    fn hits_do_not_depend_on_how_ids_are_split() {
        let layout = layout(50_000);
        let day = day_with(0.2);
        let whole = all_hits(&day, &layout, 0, 50_000);
        let mut parts = Vec::new();
        for (lo, hi) in [(0, 777), (777, 9_000), (9_000, 9_001), (9_001, 50_000)] {
            parts.extend(all_hits(&day, &layout, lo, hi));
        }
        assert_eq!(whole, parts);
        // One id at a time, as a trace sees it.
        let single: Vec<_> = (0..3_000).flat_map(|id| all_hits(&day, &layout, id, id + 1)).collect();
        assert_eq!(&whole[..single.len()], &single[..]);
    }

    #[test]
    fn hits_fall_at_the_rate_with_uniform_draws() {
        let layout = layout(400_000);
        for rate in [0.0, 0.003, 0.2, 1.0] {
            let hits = all_hits(&day_with(rate), &layout, 0, 400_000);
            let share = hits.len() as f64 / 400_000.0;
            let sd = (rate * (1.0 - rate) / 400_000.0).sqrt();
            assert!((share - rate).abs() <= 4.0 * sd + 1e-12, "rate {rate}: share {share}");
            if hits.len() > 1000 {
                let mean_v = hits.iter().map(|h| h.1).sum::<f64>() / hits.len() as f64;
                assert!((mean_v - 0.5).abs() < 0.02, "rate {rate}: mean v {mean_v}");
            }
        }
    }
}
