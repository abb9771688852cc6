//! The event-driven firm day (`[engine] day = "event"`, docs/ODD.md 7.27).
//!
//! Under the daily engine every operating firm's day is drawn in full every day. Under the
//! event engine a firm is *quiet* when only its value, its scores' decay towards base and its
//! dealings with blacklisted suppliers can change today: no message, no recorded employee, no
//! list, no leaders' fear, a positive value, and every score inside the range around base where
//! no list's score rule holds (at most [`QUIET_REACH`] points away). The day's schedules
//! ([`crate::event::Hits`], over blocks of firm ids) pick the quiet firms to which something
//! else may happen:
//! - the behaviour bound (`DayTables::firm_rate_bound`): a hit's uniform `v * bound` plays the
//!   part of the daily engine's behaviour draw;
//! - each false-record authority, at its rate in the firm's province;
//! - the ordinary closure hazard.
//!
//! A quiet firm that a schedule hits is drawn in full with the hits as those draws. Every other
//! quiet firm takes the fast path (in the firm kernel): its value grows by the day's return,
//! its scores decay and its blacklisted suppliers are dealt with from its own stream as in the
//! day in full, and it is counted.

use scslab_core::rng::DayStream;

use crate::event::Hits;
use crate::params::{AuthorityKind, Params};
use crate::tables::{DayTables, Plan};
use crate::vocab::N_PROVINCES;

/// The farthest from base, in points, a quiet firm's score may be.
pub const QUIET_REACH: i16 = 256;
/// The most false-record authorities of firms the fast path schedules (more: no fast path).
pub const MAX_FALSE: usize = 8;
/// The most points schemes of firms the fast path handles (more: no fast path).
pub const MAX_SCHEMES: usize = 4;

/// Schedule key of the first firm process (the person processes use keys below 0x20 and 0xfd
/// to 0xff): behaviour `0xc0`, closure `0xc1`, the false-record authorities from `0xc2`.
const KEY_FIRST: u64 = 0xc0;

/// Today's firm schedules and what makes a firm quiet. `None` from [`FirmEventDay::new`] (every
/// firm drawn in full) on a rating day, when the behaviour bound exceeds 0.95, when a list's
/// score rule holds at base, or when the plan has more authorities than the fast path keeps.
#[derive(Clone, Debug)]
pub struct FirmEventDay {
    /// The schedules' stream of the day (the persons' schedule stream, other keys).
    pub stream: DayStream,
    /// The behaviour schedule's rate: the thinning bound of a firm's event draw.
    pub behaviour: f64,
    /// The closure schedule's rate: the hazard of a firm on no list.
    pub closure: f64,
    /// The rate of each false-record authority (in `Plan::firm_false_authorities` order) in each
    /// province: its total false rate times detection scale and coverage, at most 1.
    pub false_rates: [[f64; N_PROVINCES]; MAX_FALSE],
    /// The scores, relative to base, a quiet firm may have in each scheme (inclusive).
    pub quiet_scores: [(i16, i16); MAX_SCHEMES],
    /// The daily return's multiplier of a firm on no list (`DayTables::firm_effects[0]`).
    pub revenue: f64,
    /// Whether dealing with a blacklisted supplier moves no score (every scheme's
    /// `partner_points` is 0): a quiet firm may then have such suppliers.
    pub partner_free: bool,
}

impl FirmEventDay {
    /// Today's firm schedules, or `None` when every firm is drawn in full today.
    pub fn new(
        params: &Params,
        plan: &Plan,
        tables: &DayTables,
        enabled: &[bool],
        day: u32,
    ) -> Option<FirmEventDay> {
        let bound = tables.firm_rate_bound;
        let none = tables.firm_effects[0];
        let growth = params.population.firm_daily_return * none.revenue;
        if params.year_ends.binary_search(&day).is_ok()
            || bound > 0.95
            || growth <= -1.0
            || plan.firm_false_authorities.len() > MAX_FALSE
            || plan.firm_points.len() > MAX_SCHEMES
        {
            return None;
        }
        let mut false_rates = [[0.0; N_PROVINCES]; MAX_FALSE];
        for (rates, &a) in false_rates.iter_mut().zip(&plan.firm_false_authorities) {
            if !enabled[a] {
                continue;
            }
            let total = plan.false_cumulative[a].last().copied().unwrap_or(0.0);
            for (p, r) in rates.iter_mut().enumerate() {
                *r = (total * tables.detection_scale[a] * tables.coverage[a][p]).clamp(0.0, 1.0);
            }
        }
        let mut quiet_scores = [(0, 0); MAX_SCHEMES];
        let mut partner_free = true;
        for (k, &a) in plan.firm_points.iter().enumerate() {
            let AuthorityKind::Points(s) = &params.authorities[a].kind else { continue };
            partner_free &= s.partner_points == 0.0;
            // Decay moves a score towards base: from inside the range it never leaves it.
            let holds = |rel: i16| list_holds(params, plan, enabled, a, s.base + rel as f64);
            if holds(0) || s.decay_per_day > 1.0 {
                return None;
            }
            let (mut lo, mut hi) = (0, 0);
            while lo > -QUIET_REACH && !holds(lo - 1) {
                lo -= 1;
            }
            while hi < QUIET_REACH && !holds(hi + 1) {
                hi += 1;
            }
            quiet_scores[k] = (lo, hi);
        }
        Some(FirmEventDay {
            stream: DayStream::new(params.seed, scslab_core::rng::Stream::Schedule, day as u64),
            behaviour: bound,
            closure: (params.population.firm_base_closure + none.closure).clamp(0.0, 1.0),
            false_rates,
            quiet_scores,
            revenue: none.revenue,
            partner_free,
        })
    }

    /// Whether every score of a firm (relative to base) lets it be quiet.
    #[inline(always)]
    pub fn quiet_scores(&self, scores: &[i16]) -> bool {
        scores.iter().zip(&self.quiet_scores).all(|(&s, &(lo, hi))| s >= lo && s <= hi)
    }
}

/// Whether an enabled firm list's score rule on points authority `a` holds at `score`.
fn list_holds(params: &Params, plan: &Plan, enabled: &[bool], a: usize, score: f64) -> bool {
    plan.firm_lists.iter().any(|&l| {
        let AuthorityKind::List(rule) = &params.authorities[l].kind else { return false };
        let Some(sr) = &rule.score_rule else { return false };
        enabled[l]
            && sr.authority == a
            && sr.below.is_none_or(|t| score < t)
            && sr.at_least.is_none_or(|t| score >= t)
    })
}

/// What the schedules hold for one firm today: the uniforms of the processes that hit it.
#[derive(Clone, Copy, Debug, Default)]
pub struct FirmHits {
    /// The behaviour schedule's uniform (unscaled).
    pub behaviour: Option<f64>,
    /// Whether the closure schedule hit.
    pub closure: bool,
    /// Each false-record authority's uniform (unscaled).
    pub false_records: [Option<f64>; MAX_FALSE],
}

/// Number of firm schedules.
const N_SCHEDULES: usize = 2 + MAX_FALSE;

/// Every firm schedule of a range of firm ids, with the first id any of them hits.
pub struct FirmSchedules<'a> {
    hits: [Hits<'a>; N_SCHEDULES],
    /// The schedules that hit anyone today (by index into `hits`).
    active: [u8; N_SCHEDULES],
    n_active: usize,
    next: u32,
}

impl<'a> FirmSchedules<'a> {
    /// The schedules of firm ids `start..end` (numbered by province from `offsets`,
    /// `Layout::firm_offsets`).
    pub fn new(day: &FirmEventDay, offsets: &'a [u32; N_PROVINCES + 1], start: u32, end: u32) -> Self {
        let rates = |j: usize| match j {
            0 => [day.behaviour; N_PROVINCES],
            1 => [day.closure; N_PROVINCES],
            j => day.false_rates[j - 2],
        };
        let mut active = [0; N_SCHEDULES];
        let mut n_active = 0;
        let hits = std::array::from_fn(|j| {
            let rates = rates(j);
            // A process that hits no one skips its blocks.
            let (start, end) = if rates.iter().all(|&r| r <= 0.0) {
                (0, 0)
            } else {
                active[n_active] = j as u8;
                n_active += 1;
                (start, end)
            };
            Hits::keyed_stream(day.stream, offsets, KEY_FIRST + j as u64, rates, start, end)
        });
        let mut s = FirmSchedules { hits, active, n_active, next: 0 };
        s.next = s.first();
        s
    }

    /// The first id at which some schedule has a hit (`u32::MAX` if none does).
    #[inline(always)]
    pub fn next(&self) -> u32 {
        self.next
    }

    fn first(&self) -> u32 {
        self.active[..self.n_active].iter().map(|&j| self.hits[j as usize].peek()).min().unwrap_or(u32::MAX)
    }

    /// The hits at `id`, moving past them (and past any before it). Ids must be asked in order.
    #[inline(never)]
    pub fn take(&mut self, id: u32) -> FirmHits {
        let mut h = FirmHits::default();
        for &j in &self.active[..self.n_active] {
            let j = j as usize;
            let Some(v) = self.hits[j].take(id) else { continue };
            match j {
                0 => h.behaviour = Some(v),
                1 => h.closure = true,
                j => h.false_records[j - 2] = Some(v),
            }
        }
        self.next = self.first();
        h
    }
}
