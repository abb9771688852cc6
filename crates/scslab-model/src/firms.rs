//! The firm phase: one pass over a chunk of firms that draws their day (late records, revenue,
//! violations, positive compliance records and executive criticism, records, employee records,
//! pressure from and on blacklisted suppliers, closure, the annual rating at a year end) and
//! counts the day's outcomes; the slot of a closed firm may be taken by a newly founded firm.

use scslab_core::rng::{AgentDayRng, DayStream};

use crate::firm_event::{FirmEventDay, FirmHits, FirmSchedules};
use crate::metrics::{Counters, FirmCols};
use crate::params::{AuthorityKind, Behaviour, MeasureEffect, Params, PointsScheme};
use crate::population::{FirmTraits, Layout, fill_firm_event_traits, firm_basic_traits};
use crate::tables::{DayTables, Plan, RISK_LEVELS};
use crate::vocab::{
    FEV_EXEC_CRITICISM, FIRM_COMPLIANCE_DOMAIN, FIRM_EVENTS, FirmMeasureKind, N_FIRM_EVENTS, Valence,
};
use crate::world::{
    Addressed, F_ALIVE, F_DIRECT_SHIFT, F_NEW, F_TRUE_VIOLATION, FirmsMut, ListEntry, MAX_DIRECT_SCHEMES,
    Message, Pending, RareFirmSet,
};

/// Read-only inputs of the firm phase.
pub struct FirmCtx<'a> {
    /// Parameters.
    pub params: &'a Params,
    /// Static plan.
    pub plan: &'a Plan,
    /// Id layout.
    pub layout: &'a Layout,
    /// Today's tables.
    pub tables: &'a DayTables,
    /// Today.
    pub day: u32,
    /// Current on/off state of each authority.
    pub enabled: &'a [bool],
    /// Counter layout.
    pub cols: &'a FirmCols,
    /// Firms on a blacklist at the start of the phase (read for suppliers).
    pub blacklisted: &'a RareFirmSet,
    /// Firm excluded from the "other large firms" counters (an intervention's target).
    pub target: Option<u32>,
    /// Persons' list bits (read to skip executives under an exec ban).
    pub person_lists: &'a [u8],
    /// Today's firm streams: behaviour, observation and consequences (keyed by firm + 2^40 in
    /// the last two, which persons share).
    pub streams: [DayStream; 3],
    /// Today ends a rating year (`Params::year_ends`): rated schemes grade every firm that
    /// operates at the end of its day.
    pub year_end: bool,
    /// Under the event engine, today's firm schedules (`None`: every firm's day is drawn in
    /// full, as under the daily engine).
    pub event: Option<&'a FirmEventDay>,
}

/// Mutable columns of one chunk of firms.
pub struct FirmChunk<'a> {
    /// First firm of the chunk.
    pub start: u32,
    /// The chunk's part of each declared column.
    pub cols: FirmsMut<'a>,
    /// Scores, `max(n_schemes, 1)` per firm.
    pub scores: &'a mut [i16],
    /// Messages, sorted by firm.
    pub inbox: &'a [Addressed],
}

/// What a chunk of firms hands on.
#[derive(Clone, Debug)]
pub struct FirmOutbox {
    /// Counters per province.
    pub counters: Counters,
    /// New list members: (authority, entry).
    pub entries: Vec<(u16, ListEntry)>,
    /// Messages to persons (legal representatives).
    pub to_persons: Vec<Addressed>,
    /// Messages to firms, delivered tomorrow (dropped suppliers).
    pub to_firms: Vec<Addressed>,
    /// Late records.
    pub pending: Vec<Pending>,
    /// Firms that closed today.
    pub closed: Vec<u32>,
    /// Slots where a firm was founded today, in id order.
    pub founded: Vec<u32>,
    /// Event engine: operating firms whose day was drawn in full (the others took the fast
    /// path). Never an output.
    pub full_days: u64,
}

impl FirmOutbox {
    /// An empty outbox.
    pub fn new(counters: Counters) -> FirmOutbox {
        FirmOutbox {
            counters,
            entries: Vec::new(),
            to_persons: Vec::new(),
            to_firms: Vec::new(),
            pending: Vec::new(),
            closed: Vec::new(),
            founded: Vec::new(),
            full_days: 0,
        }
    }

    /// Empties the outbox, keeping allocations.
    pub fn clear(&mut self) {
        self.counters.clear();
        self.clear_messages();
        self.full_days = 0;
    }

    /// Empties everything but the counters.
    pub fn clear_messages(&mut self) {
        self.entries.clear();
        self.to_persons.clear();
        self.to_firms.clear();
        self.pending.clear();
        self.closed.clear();
        self.founded.clear();
    }
}

struct Firm<'s> {
    id: u32,
    generation: u16,
    cell: usize,
    traits: FirmTraits,
    value: f64,
    flags: u16,
    lists: u8,
    exited: u8,
    scores: &'s mut [i16],
}

/// Where a firm's draws of the day come from: its own streams (every firm under the daily
/// engine, and under the event engine a firm that is not quiet), or the schedules' hits of a
/// quiet firm (`crate::firm_event`).
enum FirmDraws {
    /// The firm's keyed streams of the day.
    Own,
    /// A quiet firm picked by a schedule.
    Scheduled(FirmHits),
}

/// Runs the firm phase over one chunk.
#[inline(never)]
pub fn run_chunk(ctx: &FirmCtx<'_>, mut chunk: FirmChunk<'_>, out: &mut FirmOutbox) {
    if let Some(ev) = ctx.event {
        return run_chunk_event(ctx, ev, chunk, out);
    }
    let stride = ctx.plan.firm_points.len().max(1);
    let mut inbox = chunk.inbox;
    // Firms are numbered province by province: follow the boundaries instead of searching.
    let mut province = ctx.layout.firm_province(chunk.start);
    let mut next_boundary = ctx.layout.firm_offsets[province as usize + 1];
    for i in 0..chunk.cols.len() {
        let id = chunk.start + i as u32;
        while id >= next_boundary {
            province += 1;
            next_boundary = ctx.layout.firm_offsets[province as usize + 1];
        }
        let split = inbox.partition_point(|m| m.agent == id);
        let (mine, rest) = inbox.split_at(split);
        inbox = rest;
        if chunk.cols.flags[i] & F_ALIVE == 0 {
            closed_slot(ctx, &mut chunk, stride, i, id, province, out);
            continue;
        }
        full_day(ctx, &mut chunk, stride, i, id, province, mine, &FirmDraws::Own, out);
    }
}

/// The firm phase over one chunk under the event engine: a quiet firm that no schedule picks
/// takes the fast path; every other operating firm's day is drawn in full.
fn run_chunk_event(ctx: &FirmCtx<'_>, ev: &FirmEventDay, mut chunk: FirmChunk<'_>, out: &mut FirmOutbox) {
    let n_schemes = ctx.plan.firm_points.len();
    let stride = n_schemes.max(1);
    let mut inbox = chunk.inbox;
    let n = chunk.cols.len();
    let offsets = &ctx.layout.firm_offsets;
    let mut schedules = FirmSchedules::new(ev, offsets, chunk.start, chunk.start + n as u32);
    let fc = ctx.cols;
    // The value factor of a day on the fast path, and the most its suppliers' penalties take.
    let growth = 1.0 + ctx.params.population.firm_daily_return * ev.revenue;
    let net = &ctx.params.network;
    let most_penalties = net.suppliers_per_firm as f64 * net.partner_penalty_yuan;
    let mut province = ctx.layout.firm_province(chunk.start);
    let mut next_boundary = offsets[province as usize + 1];
    let mut large_hi = large_end(ctx, province);
    // The fast path's counts in the current province, added when the province changes.
    let mut sums = QuietFirmSums::default();
    for i in 0..n {
        let id = chunk.start + i as u32;
        if id >= next_boundary {
            sums.add_to(ctx, province as usize, &mut out.counters);
            while id >= next_boundary {
                province += 1;
                next_boundary = offsets[province as usize + 1];
            }
            large_hi = large_end(ctx, province);
        }
        let split = match inbox.first() {
            Some(m) if m.agent == id => inbox.partition_point(|m| m.agent == id),
            _ => 0,
        };
        let (mine, rest) = inbox.split_at(split);
        inbox = rest;
        let hits = if id >= schedules.next() { Some(schedules.take(id)) } else { None };
        if chunk.cols.flags[i] & F_ALIVE == 0 {
            closed_slot(ctx, &mut chunk, stride, i, id, province, out);
            continue;
        }
        let value = chunk.cols.value[i];
        let mut quiet = mine.is_empty()
            && chunk.cols.lists[i] == 0
            && chunk.cols.leader_fear[i] == 0
            && chunk.cols.employee_records[i] == 0
            && value > 0.0
            && ev.quiet_scores(&chunk.scores[i * stride..i * stride + n_schemes]);
        // Blacklisted suppliers: dealt with on the fast path when they move no score and their
        // penalties cannot use up the firm's value.
        let exposed = quiet && exposed(ctx, id, chunk.cols.dropped[i]);
        if exposed {
            quiet = ev.partner_free && value * growth.min(1.0) > most_penalties;
        }
        if !quiet || hits.is_some() {
            let draws = match hits {
                Some(h) if quiet => FirmDraws::Scheduled(h),
                _ => FirmDraws::Own,
            };
            out.full_days += 1;
            full_day(ctx, &mut chunk, stride, i, id, province, mine, &draws, out);
            continue;
        }
        // The fast path: the value grows by the day's return, the suppliers are dealt with, the
        // scores decay; the firm is counted.
        let value = &mut chunk.cols.value[i];
        let ret = *value * ctx.params.population.firm_daily_return;
        *value += ret * ev.revenue;
        if ev.revenue < 1.0 {
            out.counters.add(province as usize, fc.value_lost_yuan, (ret * (1.0 - ev.revenue)) as u64);
        }
        let scores = &mut chunk.scores[i * stride..i * stride + n_schemes];
        // The consequences stream, as in the day in full: its first draw rounds the scores.
        if exposed || scores.iter().any(|&s| s != 0) {
            let mut crng = ctx.streams[2].agent(id as u64 | 1 << 40);
            let [_, r_score, _, _] = crng.u16x4();
            let dropped = &mut chunk.cols.dropped[i];
            let partner_days = if exposed {
                suppliers(ctx, id, province as usize, dropped, &mut crng, value, out)
            } else {
                0.0
            };
            update_scores(ctx, scores, 0.0, partner_days, r_score as f64 * (1.0 / 65_536.0));
        }
        sums.operating += 1;
        sums.value = sums.value.wrapping_add(value.max(0.0) as u64);
        sums.large += (id < large_hi && ctx.target != Some(id)) as u64;
        for (sum, &s) in sums.scores.iter_mut().zip(scores.iter()) {
            *sum += s as i64;
        }
    }
    sums.add_to(ctx, province as usize, &mut out.counters);
}

/// What the fast path counts for the quiet firms of one province.
#[derive(Clone, Copy, Debug, Default)]
struct QuietFirmSums {
    /// Operating (and compliant: no event) firms.
    operating: u64,
    /// Their value, yuan (each truncated, as the day in full counts it).
    value: u64,
    /// Large firms among them (not an intervention's target).
    large: u64,
    /// Sum of their scores, relative to base, by scheme.
    scores: [i64; crate::firm_event::MAX_SCHEMES],
}

impl QuietFirmSums {
    /// Adds the sums to the counters of `cell` and empties them.
    fn add_to(&mut self, ctx: &FirmCtx<'_>, cell: usize, c: &mut Counters) {
        if self.operating == 0 {
            return;
        }
        let fc = ctx.cols;
        c.add(cell, fc.alive, self.operating);
        c.add(cell, fc.compliant, self.operating);
        c.add(cell, fc.value_yuan, self.value);
        c.add(cell, fc.large_alive, self.large);
        for (k, &s) in self.scores.iter().enumerate().take(ctx.plan.firm_points.len()) {
            c.add_signed(cell, fc.score_sum + k, s);
        }
        *self = QuietFirmSums::default();
    }
}

/// The first firm id of `province` past its large firms (size class 3 are the first of each
/// province, `population::firm_basic_traits`).
fn large_end(ctx: &FirmCtx<'_>, province: u8) -> u32 {
    let lo = ctx.layout.firm_offsets[province as usize];
    let hi = ctx.layout.firm_offsets[province as usize + 1];
    // Sizes fall with the id inside a province: the first id that is not large.
    let (mut a, mut b) = (lo, hi);
    while a < b {
        let m = a + (b - a) / 2;
        if firm_basic_traits(ctx.params, ctx.layout, m, province).size == 3 {
            a = m + 1;
        } else {
            b = m;
        }
    }
    a
}

/// Whether a firm has a supplier on a blacklist that it has not dropped.
#[inline(always)]
fn exposed(ctx: &FirmCtx<'_>, id: u32, dropped: u8) -> bool {
    (0..ctx.params.network.suppliers_per_firm).any(|k| {
        dropped & (1 << k) == 0 && {
            let s = ctx.layout.supplier(id, k);
            s != id && ctx.blacklisted.contains(s)
        }
    })
}

/// A closed firm's slot: a firm may be founded in it.
#[inline(always)]
fn closed_slot(
    ctx: &FirmCtx<'_>,
    chunk: &mut FirmChunk<'_>,
    stride: usize,
    i: usize,
    id: u32,
    province: u8,
    out: &mut FirmOutbox,
) {
    if ctx.params.population.firm_founding > 0.0 {
        let n_schemes = ctx.plan.firm_points.len();
        let scores = &mut chunk.scores[i * stride..i * stride + n_schemes];
        found(ctx, &mut chunk.cols, i, id, province, scores, out);
    }
}

/// An operating firm's day drawn in full.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn full_day(
    ctx: &FirmCtx<'_>,
    chunk: &mut FirmChunk<'_>,
    stride: usize,
    i: usize,
    id: u32,
    province: u8,
    mine: &[Addressed],
    draws: &FirmDraws,
    out: &mut FirmOutbox,
) {
    let n_schemes = ctx.plan.firm_points.len();
    let traits = firm_basic_traits(ctx.params, ctx.layout, id, province);
    let mut f = Firm {
        id,
        generation: chunk.cols.generation[i],
        cell: traits.province as usize,
        traits,
        value: chunk.cols.value[i],
        flags: chunk.cols.flags[i],
        lists: chunk.cols.lists[i],
        exited: 0,
        scores: &mut chunk.scores[i * stride..i * stride + n_schemes],
    };
    firm_day(
        ctx,
        &mut f,
        &mut chunk.cols.leader_fear[i],
        &mut chunk.cols.dropped[i],
        chunk.cols.employee_records[i],
        mine,
        draws,
        out,
    );
    chunk.cols.employee_records[i] = 0;
    chunk.cols.value[i] = f.value;
    chunk.cols.flags[i] = f.flags;
    chunk.cols.lists[i] = f.lists;
}

/// A closed firm's slot on a day: with probability `firm_founding` a new firm is founded in it
/// (the next generation of the slot: new traits, a new value, base scores, no lists, new since
/// the last rating). It operates from the end of the day; its first firm day is tomorrow.
fn found(
    ctx: &FirmCtx<'_>,
    cols: &mut FirmsMut<'_>,
    i: usize,
    id: u32,
    province: u8,
    scores: &mut [i16],
    out: &mut FirmOutbox,
) {
    let params = ctx.params;
    // The consequences stream: a closed slot draws nothing else from it.
    let mut rng = ctx.streams[2].agent(id as u64 | 1 << 40);
    let [u_found, u_value, _, _] = rng.u16x4();
    if u_found as f64 * (1.0 / 65_536.0) >= params.population.firm_founding {
        return;
    }
    let traits = firm_basic_traits(params, ctx.layout, id, province);
    let value = initial_value(params, &traits, u_value as f64 * (1.0 / 65_536.0));
    cols.value[i] = value;
    cols.flags[i] = F_ALIVE | F_NEW;
    cols.lists[i] = 0;
    cols.leader_fear[i] = 0;
    cols.dropped[i] = 0;
    cols.employee_records[i] = 0;
    cols.generation[i] = cols.generation[i].wrapping_add(1);
    scores.fill(0);
    out.founded.push(id);
    let (c, fc, cell) = (&mut out.counters, ctx.cols, province as usize);
    c.add(cell, fc.foundings, 1);
    c.add(cell, fc.alive, 1);
    c.add(cell, fc.value_yuan, value as u64);
    if traits.size == 3 && ctx.target != Some(id) {
        c.add(cell, fc.large_alive, 1);
    }
    if ctx.year_end {
        // Rated as it stands: new, at base (the new grade if the base reaches it).
        let base = |k: usize| {
            let AuthorityKind::Points(s) = &params.authorities[ctx.plan.firm_points[k]].kind else {
                return 0.0;
            };
            s.base
        };
        let mut flags = cols.flags[i];
        for k in 0..ctx.plan.firm_points.len() {
            rate(ctx, k, base(k), &mut flags, cell, &mut out.counters);
        }
        cols.flags[i] = flags & !F_NEW;
    }
}

/// Value in yuan of a new firm of these traits: the platform value, or the size class's value
/// times `0.5 + u`.
pub(crate) fn initial_value(params: &Params, traits: &FirmTraits, u: f64) -> f64 {
    let pop = &params.population;
    if traits.platform { pop.platform_value } else { pop.firm_value[traits.size as usize] * (0.5 + u) }
}

/// The factor a firm's traits put on the daily rate of event `e`: twice the lack of compliance
/// for a violation, twice the compliance of its domain for a favoured event, twice the
/// executives' outspokenness (more for a platform, less under fear) for criticism. Averages 1
/// over firms of average traits.
#[inline(always)]
pub(crate) fn trait_factor(b: &Behaviour, traits: &FirmTraits, e: usize, fear: f64) -> f64 {
    if e == FEV_EXEC_CRITICISM {
        let platform = if traits.platform { b.platform_outspokenness } else { 1.0 };
        2.0 * traits.outspokenness as f64 * platform * (1.0 - b.leader_silencing * fear)
    } else if FIRM_EVENTS[e].valence == Valence::Favoured {
        2.0 * traits.compliance[FIRM_COMPLIANCE_DOMAIN[e]] as f64
    } else {
        2.0 * (1.0 - traits.compliance[e] as f64)
    }
}

/// The grade scheme `k` gives a firm of `score` and `flags` (its direct grade on a record of
/// the grounds, its new grade when new and the score reaches it, else the band of the score),
/// counted in its cell; the firm's direct flag of the scheme is cleared. The caller clears
/// `F_NEW` once every scheme has rated.
#[inline(never)]
fn rate(
    ctx: &FirmCtx<'_>,
    k: usize,
    score: f64,
    flags: &mut u16,
    cell: usize,
    c: &mut crate::metrics::Counters,
) {
    let AuthorityKind::Points(s) = &ctx.params.authorities[ctx.plan.firm_points[k]].kind else { return };
    if !s.rated() {
        return;
    }
    let direct_bit = if k < MAX_DIRECT_SCHEMES { 1u16 << (F_DIRECT_SHIFT as usize + k) } else { 0 };
    let g = grade(s, score, *flags & F_NEW != 0, *flags & direct_bit != 0);
    *flags &= !direct_bit;
    c.add(cell, ctx.cols.rated[k] + g, 1);
}

/// The position among `rating_grades` of the grade of a firm of `score`, new or not, with a
/// record of the direct grade's grounds or not.
pub fn grade(s: &PointsScheme, score: f64, new: bool, direct: bool) -> usize {
    if let Some(d) = &s.direct_grade
        && direct
    {
        return d.grade;
    }
    if let Some(n) = &s.new_grade
        && new
        && score >= n.min_score
    {
        return s.grades.len();
    }
    // The lowest band starts at the scheme's minimum (the scenario reader checks), so some band
    // holds every score; bands are listed from the highest.
    s.grades.iter().position(|g| score >= g.min_score).unwrap_or(s.grades.len() - 1)
}

fn firm_day(
    ctx: &FirmCtx<'_>,
    f: &mut Firm<'_>,
    fear_byte: &mut u8,
    dropped: &mut u8,
    employee_records: u16,
    inbox: &[Addressed],
    draws: &FirmDraws,
    out: &mut FirmOutbox,
) {
    let params = ctx.params;
    let b = &params.behaviour;
    let cols = ctx.cols;
    let cell = f.cell;
    let [behaviour, observation, consequences] = &ctx.streams;
    let mut rng = behaviour.agent(f.id as u64);
    let mut orng = observation.agent(f.id as u64 | 1 << 40);
    let mut crng = consequences.agent(f.id as u64 | 1 << 40);
    let daily_return = params.population.firm_daily_return;
    let fear = *fear_byte as f64 / 255.0;
    let [r_fear, r_score, _, _] = crng.u16x4();
    let r_score = r_score as f64 * (1.0 / 65_536.0);
    *fear_byte = crate::persons::stochastic_byte(fear * (1.0 - b.leader_fear_decay), r_fear);

    for m in inbox {
        match m.message {
            Message::Record { authority, event, false_record } => {
                apply_record(ctx, f, authority as usize, event as usize, false_record, out)
            }
            Message::Dropped => {
                let loss = f.value * daily_return * params.network.dropped_revenue_share * 30.0;
                f.value -= loss;
                out.counters.add(cell, cols.value_lost_yuan, loss as u64);
            }
            Message::EnterList { .. } | Message::Silence => {}
        }
    }

    let effects = ctx.tables.firm_effects[f.lists as usize];
    let ret = f.value * daily_return;
    f.value += ret * effects.revenue;
    if effects.revenue < 1.0 {
        out.counters.add(cell, cols.value_lost_yuan, (ret * (1.0 - effects.revenue)) as u64);
    }

    // Behaviour: at most one event a day.
    let x = (0.5 + 0.5 * fear * b.fear_perception) * effects.inspections;
    let level = ((x / (1.0 + b.fear_perception)) * (RISK_LEVELS - 1) as f64)
        .round()
        .min((RISK_LEVELS - 1) as f64) as usize;
    let p = f.traits.province as usize;
    // Thinning, as for persons: a draw above today's bound means no event.
    let bound = ctx.tables.firm_rate_bound;
    // A quiet firm's draw is the behaviour schedule's (none: no event; the fast path needs a
    // bound of at most 0.95).
    let u = match draws {
        FirmDraws::Own => rng.uniform(),
        FirmDraws::Scheduled(h) => h.behaviour.map_or(1.0, |v| v * bound),
    };
    let event = if bound <= 0.95 && u >= bound {
        None
    } else {
        fill_firm_event_traits(params, ctx.layout, f.id, f.generation, &mut f.traits);
        let mut prob = [0.0f64; N_FIRM_EVENTS];
        for (e, pe) in prob.iter_mut().enumerate() {
            let m = ctx.tables.firm_deterrence[DayTables::fd_index(p, e, level)] as f64;
            *pe = b.firm_rate[e] * trait_factor(b, &f.traits, e, fear) * m;
        }
        let total: f64 = prob.iter().sum();
        let scale = if total > 0.95 { 0.95 / total } else { 1.0 };
        let mut acc = 0.0;
        prob.iter().position(|&pe| {
            acc += pe * scale;
            u < acc
        })
    };
    let mut violated = false;
    if let Some(e) = event {
        out.counters.add(cell, cols.true_events + e, 1);
        if FIRM_EVENTS[e].valence == Valence::Violation {
            violated = true;
            f.flags |= F_TRUE_VIOLATION;
        }
        if e == FEV_EXEC_CRITICISM && f.traits.size == 3 && ctx.target != Some(f.id) {
            out.counters.add(cell, cols.large_criticism, 1);
        }
        let mut recorded = false;
        for &a in &ctx.plan.firm_authorities {
            let auth = &params.authorities[a];
            if !ctx.enabled[a] || auth.detect[e] <= 0.0 {
                continue;
            }
            let pd = auth.detect[e]
                * ctx.tables.detection_scale[a]
                * ctx.tables.coverage[a][p]
                * effects.inspections;
            if orng.uniform() < pd && crate::population::covered(ctx.layout, a, f.id, f.traits.province) {
                recorded = true;
                deliver(ctx, f, a, e, false, &mut orng, out);
            }
        }
        if recorded {
            out.counters.add(cell, cols.recorded + e, 1);
        }
    }
    if !violated {
        out.counters.add(cell, cols.compliant, 1);
    }
    for (j, &a) in ctx.plan.firm_false_authorities.iter().enumerate() {
        let cum = &ctx.plan.false_cumulative[a];
        let total = cum.last().copied().unwrap_or(0.0);
        if !ctx.enabled[a] {
            continue;
        }
        let s = ctx.tables.detection_scale[a] * ctx.tables.coverage[a][p];
        // A quiet firm's: the authority's schedule, at the rate `total * s` (at most 1).
        let u = match (draws, ctx.event) {
            (FirmDraws::Scheduled(h), Some(ev)) => {
                h.false_records[j].map_or(f64::INFINITY, |v| v * ev.false_rates[j][p])
            }
            _ => orng.uniform(),
        };
        if u < total * s && crate::population::covered(ctx.layout, a, f.id, f.traits.province) {
            let e = cum.partition_point(|&c| c <= u / s).min(cum.len() - 1);
            deliver(ctx, f, a, e, true, &mut orng, out);
        }
    }

    // Employees' recorded violations and dealings with blacklisted suppliers.
    let partner_days = suppliers(ctx, f.id, cell, dropped, &mut crng, &mut f.value, out);
    update_scores(ctx, f.scores, employee_records as f64, partner_days, r_score);
    score_lists(ctx, f, out);

    // Closure: ordinary hazard, closure measures, or no value left.
    let hazard = params.population.firm_base_closure + effects.closure;
    let closes = match draws {
        FirmDraws::Own => crng.bernoulli(hazard),
        FirmDraws::Scheduled(h) => h.closure,
    };
    if f.value <= 0.0 || closes {
        f.flags &= !F_ALIVE;
        out.closed.push(f.id);
        out.counters.add(cell, cols.closures, 1);
        if f.lists & ctx.plan.firm_black_mask != 0 {
            out.counters.add(cell, cols.value_lost_yuan, f.value.max(0.0) as u64);
        }
        // A closed firm leaves its lists (its entries are dropped at maintenance), so that its
        // customers are no longer pressed about it.
        f.lists = 0;
        return;
    }

    let c = &mut out.counters;
    c.add(cell, cols.alive, 1);
    c.add(cell, cols.value_yuan, f.value.max(0.0) as u64);
    if f.traits.size == 3 && ctx.target != Some(f.id) {
        c.add(cell, cols.large_alive, 1);
    }
    for s in 0..ctx.plan.firm_lists.len() {
        if f.lists & (1 << s) != 0 {
            c.add(cell, cols.list_stock + s, 1);
        }
    }
    if f.lists & ctx.plan.firm_black_mask != 0 {
        c.add(cell, cols.blacklisted, 1);
    }
    for k in 0..ctx.plan.firm_points.len() {
        c.add_signed(cell, cols.score_sum + k, f.scores[k] as i64);
    }
    if ctx.year_end {
        for (k, &a) in ctx.plan.firm_points.iter().enumerate() {
            let AuthorityKind::Points(s) = &params.authorities[a].kind else { continue };
            rate(ctx, k, s.base + f.scores[k] as f64, &mut f.flags, cell, c);
        }
        f.flags &= !F_NEW;
    }
}

/// A firm's scores at the end of its day: each enabled scheme's score plus the points of its
/// recorded employees and partner days, decayed towards base, clamped and stochastically
/// rounded with `r_score` (so that decay smaller than a point a day still acts).
#[inline(always)]
fn update_scores(
    ctx: &FirmCtx<'_>,
    scores: &mut [i16],
    employee_records: f64,
    partner_days: f64,
    r_score: f64,
) {
    for (k, &a) in ctx.plan.firm_points.iter().enumerate() {
        let AuthorityKind::Points(s) = &ctx.params.authorities[a].kind else { continue };
        if !ctx.enabled[a] {
            continue;
        }
        let mut v = scores[k] as f64 + s.employee_points * employee_records + s.partner_points * partner_days;
        if s.decay_per_day > 0.0 {
            v -= v * s.decay_per_day;
        }
        let v = v.clamp(s.min - s.base, s.max - s.base);
        // The floor of `v` (a score, far inside i64) by truncation: `floor` is a call into
        // libm on this target. At -0.0 this gives 0.0, which stores the same 0.
        let t = v as i64 as f64;
        let whole = if t > v { t - 1.0 } else { t };
        scores[k] = (whole + ((v - whole) > r_score) as i64 as f64) as i16;
    }
}

/// A firm's dealings with its blacklisted suppliers that it has not dropped: each is dropped
/// with chance `drop_listed_partner` (the supplier loses revenue tomorrow), or else is a partner
/// day that may bring a penalty. Returns the partner days.
fn suppliers(
    ctx: &FirmCtx<'_>,
    id: u32,
    cell: usize,
    dropped: &mut u8,
    crng: &mut AgentDayRng,
    value: &mut f64,
    out: &mut FirmOutbox,
) -> f64 {
    let net = &ctx.params.network;
    let cols = ctx.cols;
    let mut partner_days = 0.0;
    for k in 0..net.suppliers_per_firm {
        if *dropped & (1 << k) != 0 {
            continue;
        }
        let s = ctx.layout.supplier(id, k);
        if s == id || !ctx.blacklisted.contains(s) {
            continue;
        }
        if crng.bernoulli(net.drop_listed_partner) {
            *dropped |= 1 << k;
            out.to_firms.push(Addressed { agent: s, message: Message::Dropped });
            out.counters.add(cell, cols.partner_drops, 1);
        } else {
            partner_days += 1.0;
            if crng.bernoulli(net.partner_penalty_rate) {
                *value -= net.partner_penalty_yuan;
                out.counters.add(cell, cols.partner_penalties, 1);
                out.counters.add(cell, cols.fines_yuan, net.partner_penalty_yuan as u64);
                out.counters.add(cell, cols.value_lost_yuan, net.partner_penalty_yuan as u64);
            }
        }
    }
    partner_days
}

fn deliver(
    ctx: &FirmCtx<'_>,
    f: &mut Firm<'_>,
    authority: usize,
    event: usize,
    false_record: bool,
    orng: &mut AgentDayRng,
    out: &mut FirmOutbox,
) {
    let delay = ctx.params.authorities[authority].delay_mean_days;
    if delay > 0.0 {
        out.pending.push(Pending {
            due: ctx.day.saturating_add(1 + crate::persons::geometric(orng.uniform(), delay)),
            agent: f.id,
            authority: authority as u16,
            event: event as u8,
            false_record,
        });
    } else {
        apply_record(ctx, f, authority, event, false_record, out);
    }
}

fn apply_record(
    ctx: &FirmCtx<'_>,
    f: &mut Firm<'_>,
    authority: usize,
    event: usize,
    false_record: bool,
    out: &mut FirmOutbox,
) {
    if false_record {
        out.counters.add(f.cell, ctx.cols.false_records + event, 1);
    }
    match &ctx.params.authorities[authority].kind {
        AuthorityKind::Points(s) => {
            let k = ctx.plan.slot[authority];
            let v = f.scores[k] as f64 + s.points[event];
            f.scores[k] = v.clamp(s.min - s.base, s.max - s.base).round() as i16;
            if let Some(d) = &s.direct_grade
                && d.grounds[event]
                && k < MAX_DIRECT_SCHEMES
            {
                f.flags |= 1 << (F_DIRECT_SHIFT as usize + k);
            }
        }
        AuthorityKind::List(rule) => {
            if rule.grounds[event] {
                enter_list(ctx, f, authority, false_record, out);
            }
        }
    }
}

fn enter_list(
    ctx: &FirmCtx<'_>,
    f: &mut Firm<'_>,
    authority: usize,
    false_basis: bool,
    out: &mut FirmOutbox,
) {
    let slot = ctx.plan.slot[authority];
    let bit = 1u8 << slot;
    if f.lists & bit != 0 || f.exited & bit != 0 || !ctx.enabled[authority] {
        return;
    }
    let AuthorityKind::List(rule) = &ctx.params.authorities[authority].kind else {
        return;
    };
    let cols = ctx.cols;
    let cell = f.cell;
    f.lists |= bit;
    if ctx.plan.sparse[authority] {
        out.entries.push((
            authority as u16,
            ListEntry {
                agent: f.id,
                since: ctx.day,
                until: rule.duration_days.map_or(u32::MAX, |d| ctx.day.saturating_add(d)),
                appeal_at: u32::MAX,
                false_basis,
            },
        ));
    }
    out.counters.add(cell, cols.list_entries + slot, 1);
    let sanction = rule.color.sanctions();
    for em in &ctx.plan.entry_measures[authority] {
        let m = &ctx.params.measures[em.measure];
        let MeasureEffect::Firm(kind) = m.effect else { continue };
        let pos = ctx.plan.measure_pos[em.measure];
        out.counters.add(cell, cols.measure_applied + pos, 1);
        if sanction {
            out.counters.add(cell, cols.sanctions, 1);
            if false_basis {
                out.counters.add(cell, cols.false_sanctions, 1);
                out.counters.add(cell, cols.measure_false + pos, 1);
            }
            if em.spillover {
                out.counters.add(cell, cols.spillover_sanctions, 1);
                out.counters.add(cell, cols.measure_spillover + pos, 1);
            }
        }
        match kind {
            FirmMeasureKind::Fine => {
                let fine = (m.amount + m.share * f.value.max(0.0)).min(f.value.max(0.0));
                f.value -= fine;
                out.counters.add(cell, cols.fines_yuan, fine as u64);
                out.counters.add(cell, cols.value_lost_yuan, fine as u64);
            }
            FirmMeasureKind::ValueShock => {
                let loss = m.share * f.value.max(0.0);
                f.value -= loss;
                out.counters.add(cell, cols.value_lost_yuan, loss as u64);
            }
            // Effects while listed (`tables::DayTables::rebuild_effects`).
            FirmMeasureKind::Revenue | FirmMeasureKind::Inspections | FirmMeasureKind::Closure => {}
        }
    }
    if let Some(person_list) = rule.legal_rep_list
        && let Some(rep) =
            ctx.layout.legal_representative(ctx.params, f.id, ctx.person_lists, ctx.plan.exec_ban_mask)
    {
        out.to_persons.push(Addressed {
            agent: rep,
            message: Message::EnterList { authority: person_list as u16, false_basis },
        });
    }
}

fn score_lists(ctx: &FirmCtx<'_>, f: &mut Firm<'_>, out: &mut FirmOutbox) {
    let params = ctx.params;
    for (slot, &a) in ctx.plan.firm_lists.iter().enumerate() {
        let AuthorityKind::List(rule) = &params.authorities[a].kind else { continue };
        let Some(sr) = &rule.score_rule else { continue };
        if !ctx.enabled[a] {
            continue;
        }
        let AuthorityKind::Points(s) = &params.authorities[sr.authority].kind else { continue };
        let score = s.base + f.scores[ctx.plan.slot[sr.authority]] as f64;
        let holds = sr.below.is_none_or(|t| score < t) && sr.at_least.is_none_or(|t| score >= t);
        let member = f.lists & (1 << slot) != 0;
        if holds && !member {
            let false_basis = rule.color.sanctions() && f.flags & F_TRUE_VIOLATION == 0;
            enter_list(ctx, f, a, false_basis, out);
        } else if !holds && member && rule.grounds.iter().all(|g| !g) {
            f.lists &= !(1 << slot);
            f.exited |= 1 << slot;
            out.counters.add(f.cell, ctx.cols.list_exits + slot, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{DirectGrade, Grade};

    /// The tax rating of FACTS T4 and T5: A >= 90, B >= 70, C >= 40, D below; M for new firms
    /// of 70 or more; D directly on a recorded evasion.
    fn tax_rating() -> PointsScheme {
        let g = |name: &str, min_score: f64| Grade { name: name.into(), min_score };
        let mut grounds = vec![false; N_FIRM_EVENTS];
        grounds[crate::vocab::FEV_TAX_EVASION] = true;
        PointsScheme {
            base: 85.0,
            min: 0.0,
            max: 100.0,
            points: vec![0.0; N_FIRM_EVENTS],
            decay_per_day: 0.0,
            grades: vec![g("A", 90.0), g("B", 70.0), g("C", 40.0), g("D", 0.0)],
            employee_points: 0.0,
            partner_points: 0.0,
            new_grade: Some(g("M", 70.0)),
            direct_grade: Some(DirectGrade { grade: 3, grounds }),
            warm_start: false,
        }
    }

    #[test]
    fn grades_follow_the_bands_the_direct_ground_and_newness() {
        let s = tax_rating();
        let name = |score: f64, new: bool, direct: bool| {
            s.rating_grades().nth(grade(&s, score, new, direct)).unwrap().name.clone()
        };
        for (score, expected) in
            [(100.0, "A"), (90.0, "A"), (89.0, "B"), (70.0, "B"), (69.0, "C"), (40.0, "C")]
        {
            assert_eq!(name(score, false, false), expected, "score {score}");
        }
        assert_eq!(name(39.0, false, false), "D");
        assert_eq!(name(0.0, false, false), "D");
        // Direct D whatever the score, new or not.
        assert_eq!(name(95.0, false, true), "D");
        assert_eq!(name(85.0, true, true), "D");
        // M for a new firm of 70 or more; below 70 a new firm gets its band.
        assert_eq!(name(85.0, true, false), "M");
        assert_eq!(name(95.0, true, false), "M");
        assert_eq!(name(70.0, true, false), "M");
        assert_eq!(name(69.0, true, false), "C");
        assert_eq!(name(30.0, true, false), "D");
        // Without an M grade a new firm is banded like the others.
        let mut no_m = tax_rating();
        no_m.new_grade = None;
        assert_eq!(no_m.rating_grades().nth(grade(&no_m, 85.0, true, false)).unwrap().name, "B");
    }
}
