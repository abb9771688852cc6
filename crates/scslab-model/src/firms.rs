//! The firm phase: one pass over a chunk of firms that draws their day (late records, revenue,
//! violations and executive criticism, records, employee records, pressure from and on
//! blacklisted suppliers, closure) and counts the day's outcomes.

use scslab_core::rng::{AgentDayRng, DayStream};

use crate::metrics::{Counters, FirmCols};
use crate::params::{AuthorityKind, MeasureEffect, Params};
use crate::population::{FirmTraits, Layout, fill_firm_event_traits, firm_basic_traits};
use crate::tables::{DayTables, Plan, RISK_LEVELS};
use crate::vocab::{FEV_EXEC_CRITICISM, FIRM_EVENTS, FirmMeasureKind, N_FIRM_EVENTS, Valence};
use crate::world::{
    Addressed, F_ALIVE, F_TRUE_VIOLATION, FirmsMut, ListEntry, Message, Pending, RareFirmSet,
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
        }
    }

    /// Empties the outbox, keeping allocations.
    pub fn clear(&mut self) {
        self.counters.clear();
        self.clear_messages();
    }

    /// Empties everything but the counters.
    pub fn clear_messages(&mut self) {
        self.entries.clear();
        self.to_persons.clear();
        self.to_firms.clear();
        self.pending.clear();
        self.closed.clear();
    }
}

struct Firm<'s> {
    id: u32,
    cell: usize,
    traits: FirmTraits,
    value: f64,
    flags: u16,
    lists: u8,
    exited: u8,
    scores: &'s mut [i16],
}

/// Runs the firm phase over one chunk.
#[inline(never)]
pub fn run_chunk(ctx: &FirmCtx<'_>, chunk: FirmChunk<'_>, out: &mut FirmOutbox) {
    let n_schemes = ctx.plan.firm_points.len();
    let stride = n_schemes.max(1);
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
            continue;
        }
        let traits = firm_basic_traits(ctx.params, ctx.layout, id, province);
        let mut f = Firm {
            id,
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
            out,
        );
        chunk.cols.employee_records[i] = 0;
        chunk.cols.value[i] = f.value;
        chunk.cols.flags[i] = f.flags;
        chunk.cols.lists[i] = f.lists;
    }
}

fn firm_day(
    ctx: &FirmCtx<'_>,
    f: &mut Firm<'_>,
    fear_byte: &mut u8,
    dropped: &mut u8,
    employee_records: u16,
    inbox: &[Addressed],
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
    let u = rng.uniform();
    let bound = ctx.tables.firm_rate_bound;
    let event = if bound <= 0.95 && u >= bound {
        None
    } else {
        fill_firm_event_traits(params, ctx.layout, f.id, &mut f.traits);
        let mut prob = [0.0f64; N_FIRM_EVENTS];
        for (e, pe) in prob.iter_mut().enumerate() {
            let trait_factor = if e == FEV_EXEC_CRITICISM {
                let platform = if f.traits.platform { b.platform_outspokenness } else { 1.0 };
                2.0 * f.traits.outspokenness as f64 * platform * (1.0 - b.leader_silencing * fear)
            } else {
                2.0 * (1.0 - f.traits.compliance[e] as f64)
            };
            let m = ctx.tables.firm_deterrence[DayTables::fd_index(p, e, level)] as f64;
            *pe = b.firm_rate[e] * trait_factor * m;
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
            if orng.uniform() < pd
                && crate::population::covered(params, ctx.layout, a, f.id, f.traits.province)
            {
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
    for &a in &ctx.plan.firm_false_authorities {
        let cum = &ctx.plan.false_cumulative[a];
        let total = cum.last().copied().unwrap_or(0.0);
        if !ctx.enabled[a] {
            continue;
        }
        let s = ctx.tables.detection_scale[a] * ctx.tables.coverage[a][p];
        let u = orng.uniform();
        if u < total * s && crate::population::covered(params, ctx.layout, a, f.id, f.traits.province) {
            let e = cum.partition_point(|&c| c <= u / s).min(cum.len() - 1);
            deliver(ctx, f, a, e, true, &mut orng, out);
        }
    }

    // Employees' recorded violations and dealings with blacklisted suppliers.
    let net = &params.network;
    let mut partner_days = 0.0;
    for k in 0..net.suppliers_per_firm {
        if *dropped & (1 << k) != 0 {
            continue;
        }
        let s = ctx.layout.supplier(f.id, k);
        if s == f.id || !ctx.blacklisted.contains(s) {
            continue;
        }
        if crng.bernoulli(net.drop_listed_partner) {
            *dropped |= 1 << k;
            out.to_firms.push(Addressed { agent: s, message: Message::Dropped });
            out.counters.add(cell, cols.partner_drops, 1);
        } else {
            partner_days += 1.0;
            if crng.bernoulli(net.partner_penalty_rate) {
                f.value -= net.partner_penalty_yuan;
                out.counters.add(cell, cols.partner_penalties, 1);
                out.counters.add(cell, cols.fines_yuan, net.partner_penalty_yuan as u64);
                out.counters.add(cell, cols.value_lost_yuan, net.partner_penalty_yuan as u64);
            }
        }
    }
    for (k, &a) in ctx.plan.firm_points.iter().enumerate() {
        let AuthorityKind::Points(s) = &params.authorities[a].kind else { continue };
        if !ctx.enabled[a] {
            continue;
        }
        let mut v = f.scores[k] as f64
            + s.employee_points * employee_records as f64
            + s.partner_points * partner_days;
        if s.decay_per_day > 0.0 {
            v -= v * s.decay_per_day;
        }
        // Stochastic rounding, so that decay smaller than a point a day still acts.
        let v = v.clamp(s.min - s.base, s.max - s.base);
        let whole = v.floor();
        f.scores[k] = (whole + ((v - whole) > r_score) as i64 as f64) as i16;
    }
    score_lists(ctx, f, out);

    // Closure: ordinary hazard, closure measures, or no value left.
    let hazard = params.population.firm_base_closure + effects.closure;
    if f.value <= 0.0 || crng.bernoulli(hazard) {
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
