//! The person phase: one pass over a chunk of persons that draws their day (messages,
//! employment, income, behaviour, records, scores, list entries and exits, continuing
//! consequences) and counts the day's outcomes.
//!
//! The kernel writes only the chunk's own columns and its own outbox; everything it reads from
//! other agents (firm flags, yesterday's group rates) was fixed before the phase began.

use scslab_core::rng::{AgentDayRng, DayStream};

use crate::event::{self, EventDay, Process, Scheduled, Schedules, Static, TRUST_ON_PATH, TRUST_STEP};
use crate::metrics::{Counters, FIXED_POINT, PersonCols, WEALTH_BINS, wealth_bin};
use crate::params::{AuthorityKind, MeasureEffect, Params};
use crate::population::{Layout, N_CELLS, N_PEER_GROUPS, adult_traits, covered};
pub use crate::tables::stochastic_byte;
use crate::tables::{
    CONFORMITY_LEVELS, DayTables, ExpressionDay, FACTOR_KIND, N_FACTOR_KINDS, Plan, round_i64,
};
use crate::theory::expression::{self, Stance};
use crate::vocab::{
    EV_CRITICISM, EV_JUDGMENT_DEFAULT, EV_REPAYMENT, N_INCOME, N_PERSON_EVENTS, PERSON_EVENTS,
    PersonMeasureKind, Valence,
};
use crate::world::{
    Addressed, ClosedToday, FirmSet, ListEntry, Message, P_DETAINED_SHIFT, P_EMP_SLOT_MASK, P_EMP_SLOT_SHIFT,
    P_EMPLOYED, P_FLAG_BITS, P_IN_DEBT, P_SILENCED, P_TRUE_VIOLATION, Pending, PersonsMut,
};

/// Read-only inputs of the person phase.
pub struct PersonCtx<'a> {
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
    /// Operating firms (read when an unemployed person looks for an employer).
    pub operating: &'a FirmSet,
    /// Firms that closed in today's firm phase. An employed person's employer operated
    /// yesterday (had it closed, the person would have lost the job that day), so it no longer
    /// operates exactly when it is in this set: a small set that stays in cache, with a filter
    /// that answers most employees without deriving their employer.
    pub closed_today: &'a ClosedToday,
    /// Yesterday's blacklist sanctions per adult in each peer group.
    pub group_sanction_rate: &'a [f64; N_PEER_GROUPS],
    /// Counter layout.
    pub cols: &'a PersonCols,
    /// Current on/off state of each authority.
    pub enabled: &'a [bool],
    /// Today's person stream (behaviour, observation and consequences in segments 0, 1, 2).
    pub behaviour: DayStream,
    /// Under the event engine: today's schedules and attitude paths (`None`: the daily engine).
    pub event: Option<&'a EventDay>,
    /// Under the event engine: every person's class code (`event::class_code`), by id.
    pub class: &'a [u8],
}

/// Mutable columns of one chunk of persons.
pub struct PersonChunk<'a> {
    /// First person of the chunk.
    pub start: u32,
    /// The chunk's part of each declared column.
    pub cols: PersonsMut<'a>,
    /// Scores: the chunk's part of each scheme's column.
    pub scores: Vec<&'a mut [i16]>,
    /// Messages for this chunk, sorted by agent.
    pub inbox: &'a [Addressed],
}

/// What a chunk hands on to the rest of the day.
#[derive(Clone, Debug)]
pub struct PersonOutbox {
    /// Counters per cell.
    pub counters: Counters,
    /// New list members: (authority, entry).
    pub entries: Vec<(u16, ListEntry)>,
    /// Employers of persons whose violation was recorded today.
    pub employee_records: Vec<u32>,
    /// Late records.
    pub pending: Vec<Pending>,
    /// Adult-days whose behaviour draw fell below the thinning bound, so that the day's event
    /// probabilities were computed (a measure of work, not an output).
    pub candidates: u64,
    /// Expression theory: the largest expressed dissent today (0 if none).
    pub max_expressed: f64,
    /// Expression theory: the lowest desired dissent among today's defiant (infinite if none).
    pub min_defiant: f64,
    /// Event engine: adults of each cell visited in full today (the others' attitudes come from
    /// the census).
    pub touched: Vec<u64>,
    /// Event engine: the stored trust deviations (steps of `event::TRUST_STEP`) of the adults
    /// of each cell not visited in full.
    pub quiet_trust: Vec<i64>,
    /// Event engine: the expected aggregated events (fixed point) of the adults of each cell
    /// who drew all their events themselves (not quiet).
    pub own_events: Vec<[i64; N_PERSON_EVENTS]>,
    /// One person's scores while the kernel works on them (reused).
    scores: Vec<i16>,
}

impl PersonOutbox {
    /// An empty outbox.
    pub fn new(counters: Counters) -> PersonOutbox {
        PersonOutbox {
            counters,
            entries: Vec::new(),
            employee_records: Vec::new(),
            pending: Vec::new(),
            candidates: 0,
            max_expressed: 0.0,
            min_defiant: f64::INFINITY,
            touched: vec![0; N_CELLS],
            quiet_trust: vec![0; N_CELLS],
            own_events: vec![[0; N_PERSON_EVENTS]; N_CELLS],
            scores: Vec::new(),
        }
    }

    /// Empties the outbox, keeping allocations.
    pub fn clear(&mut self) {
        self.counters.clear();
        self.candidates = 0;
        self.max_expressed = 0.0;
        self.min_defiant = f64::INFINITY;
        self.touched.iter_mut().for_each(|t| *t = 0);
        self.quiet_trust.iter_mut().for_each(|t| *t = 0);
        self.own_events.iter_mut().for_each(|t| *t = [0; N_PERSON_EVENTS]);
        self.clear_messages();
    }

    /// Empties everything but the counters.
    pub fn clear_messages(&mut self) {
        self.entries.clear();
        self.employee_records.clear();
        self.pending.clear();
    }
}

/// One person's mutable state during the kernel.
struct Me<'s> {
    id: u32,
    cell: usize,
    province: u8,
    wealth: i64,
    flags: u16,
    fear: f64,
    resentment: f64,
    trust: f64,
    lists: u8,
    exited: u8,
    detained: u8,
    /// Bit `a` set: whether authority `a` covers the person is known today (in `covered`).
    /// Each authority's coverage is derived on first use: most person-days need none, and most
    /// that need one need only one.
    cover_known: u64,
    /// Bit `a` set: the person is in authority `a`'s area and consents (where known).
    covered: u64,
    /// Fear, resentment and trust as stored at the end of the day.
    bytes: [u8; 3],
    scores: &'s mut [i16],
    /// Some score may be off its base: one was at the start of the day, or a record changed
    /// one. False means every score is zero (at base), so there is nothing to repair, sum or
    /// write back.
    scored: bool,
}

impl Me<'_> {
    /// Whether person authority `a` covers this person (area and consent), derived once a day
    /// on first use.
    #[inline]
    fn covers(&mut self, ctx: &PersonCtx<'_>, a: usize) -> bool {
        let bit = 1u64 << a;
        if self.cover_known & bit == 0 {
            self.cover_known |= bit;
            let plan = ctx.plan;
            if plan.person_cover_always[self.province as usize] & bit != 0
                || (plan.person_cover_partial_mask & bit != 0
                    && covered(ctx.layout, a, self.id, self.province))
            {
                self.covered |= bit;
            }
        }
        self.covered & bit != 0
    }
}

/// Runs the person phase over one chunk.
#[inline(never)]
pub fn run_chunk(ctx: &PersonCtx<'_>, mut chunk: PersonChunk<'_>, out: &mut PersonOutbox) {
    if let Some(ev) = ctx.event {
        // Day 0's entries into the lists at base in their own instance of the kernel, so that
        // the other days' fast path carries none of their code.
        return if ev.entering {
            run_chunk_event::<true>(ctx, ev, chunk, out)
        } else {
            run_chunk_event::<false>(ctx, ev, chunk, out)
        };
    }
    let mut scores = std::mem::take(&mut out.scores);
    scores.resize(ctx.plan.person_points.len(), 0);
    let mut inbox = chunk.inbox;
    // Persons are numbered province by province: follow the boundaries instead of searching.
    let mut province = ctx.layout.person_province(chunk.start);
    let mut next_boundary = ctx.layout.person_offsets[province as usize + 1];
    for i in 0..chunk.cols.len() {
        let id = chunk.start + i as u32;
        while id >= next_boundary {
            province += 1;
            next_boundary = ctx.layout.person_offsets[province as usize + 1];
        }
        // The inbox is sorted by agent, and most persons have no message: look further only when
        // the first one is theirs.
        let split = match inbox.first() {
            Some(m) if m.agent == id => inbox.partition_point(|m| m.agent == id),
            _ => 0,
        };
        let (mine, rest) = inbox.split_at(split);
        inbox = rest;
        let Some(mut traits) = adult_traits(ctx.params, ctx.layout, id, province) else {
            continue;
        };
        let mut any = 0;
        for (s, column) in scores.iter_mut().zip(&chunk.scores) {
            *s = column[i];
            any |= *s;
        }
        let mut me = Me {
            id,
            cell: traits.cell(),
            province: traits.province,
            wealth: chunk.cols.wealth[i] as i64,
            flags: chunk.cols.flags[i],
            fear: chunk.cols.fear[i] as f64 * BYTE_UNIT,
            resentment: chunk.cols.resentment[i] as f64 * BYTE_UNIT,
            trust: chunk.cols.trust[i] as f64 * BYTE_UNIT,
            lists: chunk.cols.lists[i],
            exited: 0,
            detained: (chunk.cols.flags[i] >> P_DETAINED_SHIFT) as u8,
            cover_known: 0,
            covered: 0,
            bytes: [chunk.cols.fear[i], chunk.cols.resentment[i], chunk.cols.trust[i]],
            scores: &mut scores,
            scored: any != 0,
        };
        person_day(ctx, &mut traits, &mut me, mine, &Draws::Own, out);
        store(&mut chunk, i, me);
    }
    out.scores = scores;
}

/// Writes a person's day back into the chunk's columns. Scores are written only when changed:
/// a page of a scheme's column that no score leaves base is never touched.
#[inline(always)]
fn store(chunk: &mut PersonChunk<'_>, i: usize, me: Me<'_>) {
    chunk.cols.wealth[i] = me.wealth.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
    chunk.cols.flags[i] = (me.flags & P_FLAG_BITS) | (me.detained as u16) << P_DETAINED_SHIFT;
    [chunk.cols.fear[i], chunk.cols.resentment[i], chunk.cols.trust[i]] = me.bytes;
    chunk.cols.lists[i] = me.lists;
    if me.scored {
        for (&s, column) in me.scores.iter().zip(&mut chunk.scores) {
            if column[i] != s {
                column[i] = s;
            }
        }
    }
}

/// Where a person's day takes the draws that decide whether anything happens to them.
enum Draws<'r> {
    /// From the person's own stream, every day (the daily engine, and adults who are not quiet
    /// under the event engine).
    Own,
    /// From the event engine's schedules (a quiet adult): each a uniform below its process's
    /// rate when the schedule picked the adult today, `None` when it did not.
    Scheduled {
        /// The behaviour draw (none: no event today).
        thinning: Option<f64>,
        /// The false-record draw.
        false_record: Option<f64>,
        /// The trip draw.
        trip: Option<f64>,
        /// A job offer.
        hired: bool,
        /// The recorders (`event::EventDay::recorders`) whose schedules picked the adult
        /// today, each with its uniform.
        recorded: &'r [(u8, f64)],
    },
}

/// The event engine's pass over a chunk (module `event`): quiet adults whom no schedule picks
/// take the fast path (employment, income, wealth, trips); everyone else lives the daily
/// engine's day, with attitudes stored as deviations from their group's path, and replaces
/// their quiet part of the census with their own.
fn run_chunk_event<const ENTERING: bool>(
    ctx: &PersonCtx<'_>,
    ev: &EventDay,
    mut chunk: PersonChunk<'_>,
    out: &mut PersonOutbox,
) {
    let mut scores = std::mem::take(&mut out.scores);
    scores.resize(ctx.plan.person_points.len(), 0);
    let mut inbox = chunk.inbox;
    let n = chunk.cols.len();
    let end = chunk.start + n as u32;
    let offsets = &ctx.layout.person_offsets;
    let mut schedules = Schedules::new(ev, offsets, chunk.start, end);
    let mut recorded = [(0u8, 0.0f64); event::MAX_RECORDERS];
    let mut quiet_sums = [QuietSums::default(); N_CELLS];
    let mut hist = WealthHist { counts: [0; WEALTH_BINS], sums: [0; WEALTH_BINS] };
    // A quiet adult's income today by class code, then lists at base and unemployed.
    let incomes: [[i64; 4]; event::CLASSES.len()] = std::array::from_fn(|code| {
        let c = event::CLASSES[code];
        std::array::from_fn(|k| ev.income[k / 2][c.income as usize][c.urban as usize][k % 2])
    });
    let fear_perception = ctx.params.behaviour.fear_perception;
    let mut province = ctx.layout.person_province(chunk.start);
    let mut next_boundary = offsets[province as usize + 1];
    // Every column as long as the chunk, and the class codes cut to it: no bounds checks in
    // the loop.
    let class_codes = &ctx.class[chunk.start as usize..][..n];
    let c = &chunk.cols;
    assert!(
        c.flags.len() == n
            && c.lists.len() == n
            && c.fear.len() == n
            && c.resentment.len() == n
            && c.trust.len() == n
            && c.wealth.len() == n
    );
    // The inbox is sorted by agent, and most persons have no message: the next addressee is
    // compared with each id.
    let first_agent = |inbox: &[Addressed]| inbox.first().map_or(u32::MAX, |m| m.agent);
    let mut next_message = first_agent(inbox);
    let mut common = [false; BLOCK];
    for i in 0..n {
        if i % BLOCK == 0 {
            common_columns(ev, class_codes, &chunk, i, &mut common);
        }
        let id = chunk.start + i as u32;
        while id >= next_boundary {
            province += 1;
            next_boundary = offsets[province as usize + 1];
        }
        let mut mine: &[Addressed] = &[];
        if id == next_message {
            (mine, inbox) = inbox.split_at(inbox.partition_point(|m| m.agent == id));
            next_message = first_agent(inbox);
        }
        let code = (class_codes[i] & event::CLASS_MASK) as usize;
        let class = event::CLASSES[code];
        if !class.adult {
            continue;
        }
        let p = province as usize;
        let cell = (province as usize * 2 + class.urban as usize) * N_INCOME + class.income as usize;
        // The common day first: a quiet adult whom no schedule and no message picks. The same
        // day as the quiet branch below, without its hits, in fewer instructions.
        if common[i % BLOCK] && id < schedules.next() && mine.is_empty() && !ev.all_full {
            let (flags, lists) = (chunk.cols.flags[i], chunk.cols.lists[i]);
            // Day 0: the lists at base that take the adult in today (quiet if none or all).
            let mut entering = 0;
            if !ENTERING || enters_quietly(ctx, ev, id, province, lists, &mut entering) {
                let trust = rebased_trust(ev, id, &mut chunk.cols.trust[i]);
                let day = QuietDay { code, class, flags, lists, trust, trip: None, hired: false, entering };
                quiet_day(
                    ctx,
                    ev,
                    &incomes,
                    &mut chunk,
                    i,
                    id,
                    province,
                    day,
                    &mut quiet_sums[cell],
                    &mut hist,
                );
                continue;
            }
        }
        // One comparison for all schedules: most adults are hit by none today.
        let hits =
            if id >= schedules.next() { schedules.take(id, &mut recorded) } else { Scheduled::default() };
        let thinning = hits.thinning.map(|v| v * ev.rates[Process::Thinning as usize][p]);
        let false_record = hits.false_record.map(|v| v * ev.rates[Process::False as usize][p]);
        let (trip, hired, n_recorded) = (hits.trip, hits.hired, hits.n_recorded);
        let flags = chunk.cols.flags[i];
        let lists = chunk.cols.lists[i];
        let trust = rebased_trust(ev, id, &mut chunk.cols.trust[i]);
        let any = chunk.scores.iter().fold(0, |any, column| any | column[i]);
        // Day 0: the lists at base that take the adult in today (only asked of the quiet).
        let mut entering = 0;
        // Quiet: the columns' test of `common_columns`, no message, and day 0's entries quiet.
        let quiet = !ev.all_full
            && mine.is_empty()
            && common[i % BLOCK]
            && (!ENTERING || enters_quietly(ctx, ev, id, province, lists, &mut entering));
        if quiet && thinning.is_none() && false_record.is_none() && n_recorded == 0 {
            // The fast path: nothing of the adult's own differs from the group's today.
            let day = QuietDay { code, class, flags, lists, trust, trip, hired, entering };
            quiet_day(ctx, ev, &incomes, &mut chunk, i, id, province, day, &mut quiet_sums[cell], &mut hist);
            continue;
        }
        for (s, column) in scores.iter_mut().zip(&chunk.scores) {
            *s = column[i];
        }
        // A day in full, as under the daily engine.
        let Some(mut traits) = adult_traits(ctx.params, ctx.layout, id, province) else { continue };
        crate::population::fill_event_traits(ctx.params, ctx.layout, id, &mut traits);
        let quiet_part = Static::of(cell, &traits);
        if !quiet {
            // Drawing all their events themselves: out of the census's aggregated events.
            let expected = quiet_part.events(ctx.tables, ev, fear_perception, cell);
            for (sum, x) in out.own_events[cell].iter_mut().zip(expected) {
                *sum += x as i64;
            }
        }
        traits.fear_sensitivity = event::fs_value(event::fs_level(traits.fear_sensitivity));
        let draws = if quiet {
            Draws::Scheduled {
                thinning,
                false_record,
                trip: trip.map(|v| v * ev.rates[Process::Travel as usize][p]),
                hired,
                recorded: &recorded[..n_recorded],
            }
        } else {
            Draws::Own
        };
        let g = traits.peer_group();
        let [fear, resentment] = [chunk.cols.fear[i], chunk.cols.resentment[i]];
        let mut me = Me {
            id,
            cell,
            province,
            wealth: chunk.cols.wealth[i] as i64,
            flags,
            fear: (ev.fear[g] + fear as f64 * BYTE_UNIT).min(1.0),
            resentment: resentment as f64 * BYTE_UNIT,
            trust: (ev.trust + (trust as f64 - TRUST_ON_PATH as f64) / TRUST_STEP * ev.trust_decay[0])
                .clamp(0.0, 1.0),
            lists: chunk.cols.lists[i],
            exited: 0,
            detained: (flags >> P_DETAINED_SHIFT) as u8,
            cover_known: 0,
            covered: 0,
            bytes: [fear, resentment, trust],
            scores: &mut scores,
            scored: any != 0,
        };
        person_day(ctx, &mut traits, &mut me, mine, &draws, out);
        store(&mut chunk, i, me);
        event::quiet_part(ctx.tables, ev, fear_perception, ctx.cols, cell, &quiet_part, &mut out.counters);
        out.touched[cell] += 1;
    }
    add_quiet_sums(ctx, ev, &quiet_sums, out);
    hist.add_to(&mut out.counters);
    out.scores = scores;
}

/// Persons over which [`common_columns`] asks the columns at once.
const BLOCK: usize = 256;

/// The class codes of adults are 1 to `ADULT_CODES` (`event::CLASSES`): a range, which a
/// vector compares faster than a table.
const ADULT_CODES: u8 = 20;
const _: () = {
    let mut code = 0;
    while code < event::CLASSES.len() {
        assert!(event::CLASSES[code].adult == (code >= 1 && code <= ADULT_CODES as usize));
        code += 1;
    }
};

/// For the persons of the chunk from index `start` (at most [`BLOCK`] of them), whether their
/// columns allow the common day: an adult without debt, silencing or detention, on the lists at
/// base, with no fear or resentment above the path and every score at base. One pass per column
/// over the block, which the compiler can vectorise; the messages, the schedules and day 0's
/// entries are asked of each adult in the loop. A person's day changes only their own columns,
/// so the answers hold until the loop reaches each person.
#[inline(never)]
fn common_columns(
    ev: &EventDay,
    class_codes: &[u8],
    chunk: &PersonChunk<'_>,
    start: usize,
    common: &mut [bool; BLOCK],
) {
    let end = (start + BLOCK).min(class_codes.len());
    let common = &mut common[..end - start];
    let [q0, q1] = ev.quiet_lists;
    let c = &chunk.cols;
    let columns = class_codes[start..end]
        .iter()
        .zip(&c.flags[start..end])
        .zip(&c.lists[start..end])
        .zip(c.fear[start..end].iter().zip(&c.resentment[start..end]));
    for (ok, (((&code, &flags), &lists), (&fear, &resentment))) in common.iter_mut().zip(columns) {
        *ok = ((code & event::CLASS_MASK).wrapping_sub(1) < ADULT_CODES)
            & (flags & (P_IN_DEBT | P_SILENCED | !P_FLAG_BITS) == 0)
            & ((lists == q0) | (lists == q1))
            & (fear == 0)
            & (resentment == 0);
    }
    for column in &chunk.scores {
        for (ok, &score) in common.iter_mut().zip(&column[start..end]) {
            *ok &= score == 0;
        }
    }
}

/// Under the event engine, a quiet adult's trust byte brought to today's path on a day the path
/// is rebased (`EventDay::rebase`), written back; the byte as stored on other days.
#[inline(always)]
fn rebased_trust(ev: &EventDay, id: u32, trust: &mut u8) -> u8 {
    if let Some(factor) = ev.rebase
        && *trust != TRUST_ON_PATH
    {
        *trust = event::rebase_trust(ev, id, *trust, factor);
    }
    *trust
}

/// What a quiet adult's day in the fast path starts from.
#[derive(Clone, Copy)]
struct QuietDay {
    /// Class code and class (`event::CLASSES`).
    code: usize,
    class: event::Class,
    flags: u16,
    lists: u8,
    /// The trust byte, rebased.
    trust: u8,
    /// The trip schedule's uniform, if it picked the adult today.
    trip: Option<f64>,
    /// Whether the hiring schedule picked the adult today.
    hired: bool,
    /// Day 0: the lists at base that the adult enters today (`enters_quietly`).
    entering: u8,
}

/// A quiet adult's day in the event engine's fast path: employment, income, wealth, trips, and
/// the chunk's sums of the adult's cell.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn quiet_day(
    ctx: &PersonCtx<'_>,
    ev: &EventDay,
    incomes: &[[i64; 4]; event::CLASSES.len()],
    chunk: &mut PersonChunk<'_>,
    i: usize,
    id: u32,
    province: u8,
    day: QuietDay,
    sums: &mut QuietSums,
    hist: &mut WealthHist,
) {
    let working_age = day.class.working_age;
    let mut flags = day.flags;
    if flags & P_EMPLOYED != 0 {
        if ctx.closed_today.check(province) && employer_closed(ctx, id, province, flags) {
            flags &= !P_EMPLOYED;
            sums.closures += 1;
        }
    } else if working_age
        && day.hired
        && let Some(k) = find_employer(ctx, id, province)
    {
        flags = (flags & !P_EMP_SLOT_MASK) | P_EMPLOYED | ((k as u16) << P_EMP_SLOT_SHIFT);
    }
    chunk.cols.flags[i] = flags;
    let jobless = working_age & (flags & P_EMPLOYED == 0);
    sums.unemployed += jobless as u64;
    let on_base = (day.lists != 0) as usize;
    let mut wealth = chunk.cols.wealth[i] as i64 + incomes[day.code][on_base * 2 + jobless as usize];
    let mut trust = day.trust;
    if day.entering != 0 {
        trust = enter_base(ev, id, &mut chunk.cols.lists[i], &mut chunk.cols.trust[i], &mut wealth, sums);
    }
    let w = wealth.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
    chunk.cols.wealth[i] = w;
    if let Some(v) = day.trip {
        sums.trips[(v < ev.flight_share) as usize] += 1;
    }
    sums.wealth = sums.wealth.wrapping_add(w as i64 as u64);
    sums.lists[(day.lists != ev.quiet_lists[0]) as usize] += 1;
    sums.trust += trust as i64 - TRUST_ON_PATH as i64;
    // The chunk's histogram: a fixed array, and a mask that changes no bin, so no bounds check.
    let bin = wealth_bin(w) & (WEALTH_BINS - 1);
    hist.counts[bin] += 1;
    hist.sums[bin] += w.max(0) as u64;
}

// The mask of `quiet_day`'s bins keeps every bin `wealth_bin` gives (at most 124).
const _: () = assert!(WEALTH_BINS.is_power_of_two() && WEALTH_BINS > 124);

/// The fast path's wealth histogram of a chunk (counts and sums of wealth floored at zero per
/// `wealth_bin`), added to the counters at the end of the chunk.
struct WealthHist {
    counts: [u64; WEALTH_BINS],
    sums: [u64; WEALTH_BINS],
}

impl WealthHist {
    fn add_to(&self, counters: &mut Counters) {
        for (a, b) in counters.wealth_hist.iter_mut().zip(&self.counts) {
            *a += b;
        }
        for (a, b) in counters.wealth_hist_sum.iter_mut().zip(&self.sums) {
            *a += b;
        }
    }
}

/// What the fast path adds up for the quiet adults of one cell in a chunk, kept in a fixed
/// struct (no column lookups per adult) and added to the counters at the end of the chunk.
#[derive(Clone, Copy, Debug, Default)]
struct QuietSums {
    /// Working-age adults without a job.
    unemployed: u64,
    /// Jobs lost to the employer's closure.
    closures: u64,
    /// Wealth, yuan (wrapping, as the counters).
    wealth: u64,
    /// Trips by train (0) and by air (1).
    trips: [u64; 2],
    /// Adults on `EventDay::quiet_lists[0]` and `[1]`.
    lists: [u64; 2],
    /// Stored trust deviations (steps from the path).
    trust: i64,
    /// Adults who entered the lists at base today (day 0; counted in `lists` by their list
    /// byte of the start of the day).
    entered: u64,
}

fn add_quiet_sums(
    ctx: &PersonCtx<'_>,
    ev: &EventDay,
    quiet_sums: &[QuietSums; N_CELLS],
    out: &mut PersonOutbox,
) {
    let cols = ctx.cols;
    let banned = ctx.tables.person_effects[ev.base_lists as usize].travel_ban;
    let [trains, flights] =
        if banned { [cols.trains_blocked, cols.flights_blocked] } else { [cols.trains, cols.flights] };
    for (cell, sums) in quiet_sums.iter().enumerate() {
        out.quiet_trust[cell] += sums.trust;
        let row = out.counters.row_mut(cell);
        row[cols.unemployed] = row[cols.unemployed].wrapping_add(sums.unemployed);
        row[cols.job_loss_closure] = row[cols.job_loss_closure].wrapping_add(sums.closures);
        row[cols.wealth] = row[cols.wealth].wrapping_add(sums.wealth);
        row[trains] = row[trains].wrapping_add(sums.trips[0]);
        row[flights] = row[flights].wrapping_add(sums.trips[1]);
        for (&lists, &n) in ev.quiet_lists.iter().zip(&sums.lists) {
            let rewards = ev.money_yuan[(lists != 0) as usize].wrapping_mul(n);
            row[cols.rewards_yuan] = row[cols.rewards_yuan].wrapping_add(rewards);
            count_lists(ctx, cols, lists, n, row);
        }
        if sums.entered > 0 {
            add_base_entries(ctx, ev.base_lists, sums.entered, row);
        }
    }
}

/// Adds `n` adults' entries into the lists at base `base` (redlists, `event::BaseEntry`), as
/// `enter_list` counts each: entries, measures applied, rewards, payments; then their stocks.
fn add_base_entries(ctx: &PersonCtx<'_>, base: u8, n: u64, row: &mut [u64]) {
    let (plan, cols) = (ctx.plan, ctx.cols);
    for sl in plan.person_score_lists.iter().filter(|sl| base & (1 << sl.slot) != 0) {
        row[cols.list_entries + sl.slot] += n;
        for em in &plan.entry_measures[sl.authority] {
            let m = &ctx.params.measures[em.measure];
            let MeasureEffect::Person(kind) = m.effect else { continue };
            row[cols.measure_applied + plan.measure_pos[em.measure]] += n;
            row[cols.rewards] += n;
            if kind == PersonMeasureKind::Payment {
                let paid = (round_i64(m.amount) as u64).wrapping_mul(n);
                row[cols.rewards_yuan] = row[cols.rewards_yuan].wrapping_add(paid);
            }
        }
    }
    count_lists(ctx, cols, base, n, row);
}

/// Day 0: a quiet adult enters the lists at base on the fast path (`event::BaseEntry`; counted
/// per cell in `add_quiet_sums`); returns their stored trust byte.
#[cold]
#[inline(never)]
fn enter_base(
    ev: &EventDay,
    id: u32,
    lists: &mut u8,
    trust: &mut u8,
    wealth: &mut i64,
    sums: &mut QuietSums,
) -> u8 {
    let Some(entry) = ev.base_entry else { return *trust };
    *lists = ev.base_lists;
    *wealth += entry.payment;
    *trust = entry.trust_byte(ev, id);
    sums.entered += 1;
    *trust
}

/// Day 0: whether a quiet adult with lists `lists` stays quiet on entering the lists at base
/// that take them in today (`entering`, set here): they enter none, or all of the base's with
/// its base entry (`event::BaseEntry`). Inlined: only day 0's instance of the kernel
/// (`ENTERING`) calls it, for every quiet adult.
#[inline(always)]
fn enters_quietly(
    ctx: &PersonCtx<'_>,
    ev: &EventDay,
    id: u32,
    province: u8,
    lists: u8,
    entering: &mut u8,
) -> bool {
    *entering = base_entries(ctx, id, province, lists);
    *entering == 0 || (ev.base_entry.is_some() && lists | *entering == ev.base_lists)
}

/// The lists that hold at base which a person at base with lists `lists` enters today (day 0
/// under the event engine): the list is on, they are not on it, and its scheme covers them, as
/// in `scores_and_score_lists`.
#[inline(always)]
fn base_entries(ctx: &PersonCtx<'_>, id: u32, province: u8, lists: u8) -> u8 {
    let plan = ctx.plan;
    let mut bits = 0;
    for sl in &plan.person_score_lists {
        let bit = 1u64 << sl.scheme;
        if sl.holds_at_base
            && lists & (1 << sl.slot) == 0
            && ctx.enabled[sl.authority]
            && (plan.person_cover_always[province as usize] & bit != 0
                || (plan.person_cover_partial_mask & bit != 0
                    && covered(ctx.layout, sl.scheme, id, province)))
        {
            bits |= 1 << sl.slot;
        }
    }
    bits
}

/// Whether an employed person's employer closed today (in `closed_today`; a person whose slot
/// names no firm has none).
#[inline]
fn employer_closed(ctx: &PersonCtx<'_>, id: u32, province: u8, flags: u16) -> bool {
    let slot = ((flags & P_EMP_SLOT_MASK) >> P_EMP_SLOT_SHIFT) as u32;
    ctx.closed_today.employer_closed(ctx.layout, id, province, slot)
}

/// The first of an unemployed person's four candidate employers that operates (its slot).
#[inline]
fn find_employer(ctx: &PersonCtx<'_>, id: u32, province: u8) -> Option<u32> {
    (0..4u32).find(|&k| {
        ctx.layout
            .employer_candidate(ctx.params.population.employer_concentration, id, province, k)
            .is_some_and(|f| ctx.operating.contains(f))
    })
}

/// Adds `n` members of the lists `bits` to their stocks (and to the blacklisted and
/// redlisted).
#[inline]
fn count_lists(ctx: &PersonCtx<'_>, cols: &PersonCols, bits: u8, n: u64, row: &mut [u64]) {
    let mut b = bits;
    while b != 0 {
        row[cols.list_stock + b.trailing_zeros() as usize] += n;
        b &= b - 1;
    }
    row[cols.blacklisted] += n * (bits & ctx.plan.person_black_mask != 0) as u64;
    row[cols.redlisted] += n * (bits & ctx.plan.person_red_mask != 0) as u64;
}

/// Bytes of fear, resentment and trust as fractions.
const BYTE_UNIT: f64 = 1.0 / 255.0;

fn person_day(
    ctx: &PersonCtx<'_>,
    traits: &mut crate::population::PersonTraits,
    me: &mut Me<'_>,
    inbox: &[Addressed],
    draws: &Draws<'_>,
    out: &mut PersonOutbox,
) {
    let params = ctx.params;
    let b = &params.behaviour;
    let cols = ctx.cols;
    let cell = me.cell;
    // One keyed start a day; behaviour, observation and consequences draw from separate
    // segments of it, so that a change in one purpose never shifts the draws of another.
    let mut rng = ctx.behaviour.agent(me.id as u64);
    let mut orng = rng.segment(1);
    let mut crng = rng.segment(2);

    for m in inbox {
        match m.message {
            Message::Record { authority, event, false_record } => {
                apply_record(ctx, me, authority as usize, event as usize, false_record, &mut crng, out)
            }
            Message::EnterList { authority, false_basis } => {
                enter_list(ctx, me, authority as usize, false_basis, &mut crng, out)
            }
            Message::Silence => me.flags |= P_SILENCED,
            Message::Dropped => {}
        }
    }

    let effects = &ctx.tables.person_effects[me.lists as usize];

    // Employment: closure of the employer, exclusion, re-employment. One rarely taken branch
    // for the three common cases (employed with nothing to check, working-age unemployed, old).
    let working_age = traits.age_band == 1;
    let was_employed = me.flags & P_EMPLOYED != 0;
    let check = ctx.closed_today.check(me.province) | (effects.job_loss > 0.0);
    if (was_employed & check) | (!was_employed & working_age) {
        if was_employed {
            let closed =
                ctx.closed_today.check(me.province) && employer_closed(ctx, me.id, me.province, me.flags);
            if closed {
                me.flags &= !P_EMPLOYED;
                out.counters.add(cell, cols.job_loss_closure, 1);
            } else if effects.job_loss > 0.0 && crng.bernoulli(effects.job_loss) {
                me.flags &= !P_EMPLOYED;
                out.counters.add(cell, cols.job_loss_measure, 1);
            }
        } else if match draws {
            Draws::Own => crng.bernoulli(b.reemployment_rate + effects.hire_bonus),
            Draws::Scheduled { hired, .. } => *hired,
        } && let Some(k) = find_employer(ctx, me.id, me.province)
        {
            me.flags = (me.flags & !P_EMP_SLOT_MASK) | P_EMPLOYED | ((k as u16) << P_EMP_SLOT_SHIFT);
        }
    }
    let employed = me.flags & P_EMPLOYED != 0;
    out.counters.add(cell, cols.unemployed, (working_age & !employed) as u64);

    // Income net of consumption, and continuing money effects. Indexed rather than branched:
    // urban/rural and employed are coin flips to the branch predictor.
    let (q, urban, jobless) =
        (traits.income as usize, traits.urban as usize, (working_age & !employed) as usize);
    if effects.daily_money == 0.0 {
        me.wealth += ctx.plan.person_net_income_yuan[q][urban][jobless];
    } else {
        me.wealth += round_i64(ctx.plan.person_net_income[q][urban][jobless] + effects.daily_money);
        out.counters.add(cell, cols.rewards_yuan, round_i64(effects.daily_money.max(0.0)) as u64);
    }

    if me.detained > 0 {
        me.detained -= 1;
        out.counters.add(cell, cols.detained, 1);
    } else {
        // Behaviour: at most one event a day, chosen from the day's probabilities.
        // Under the expression theory, each adult's boldness and desired dissent are its own.
        let (boldness, own_dissent) = match &ctx.tables.expression {
            None => (0.0, traits.dissent as f64),
            Some(x) => x.person(me.id, traits.dissent as f64),
        };
        let dissent = (own_dissent + b.dissent_from_resentment * me.resentment).min(1.0);
        let x = traits.fear_sensitivity as f64 * (1.0 + b.fear_perception * me.fear);
        // Through i32: non-negative and small, and cheaper than a saturating cast to usize.
        let level = (x * ctx.tables.risk_level_scale + 0.5) as i32 as usize;
        let clevel = (traits.conformity as f64 * (CONFORMITY_LEVELS - 1) as f64 + 0.5) as i32 as usize;
        let group = traits.peer_group();
        let in_debt = me.flags & P_IN_DEBT != 0;
        let row = DayTables::rate_index(group, level, clevel);
        let table_row = &ctx.tables.person_rate[row];
        let rates = &table_row.rates;
        // Criticism is computed for everyone: the chilling-effect metrics need it.
        let silenced = me.flags & P_SILENCED != 0;
        let (desired_criticism, expressed) = match &ctx.tables.expression {
            None => {
                let d = 4.0 * dissent * traits.outspokenness as f64;
                let desired = table_row.desired_criticism as f64 * d;
                (desired, if silenced { 0.0 } else { d * effects.reach * rates[EV_CRITICISM] as f64 })
            }
            Some(x) => {
                let volume = 4.0 * traits.outspokenness as f64 * rates[EV_CRITICISM] as f64;
                let reach = if silenced { 0.0 } else { effects.reach };
                express(ctx, x, me, dissent, boldness, volume, reach, &rng, out)
            }
        };
        out.counters.add(cell, cols.desired_criticism, (desired_criticism * FIXED_POINT) as i64 as u64);
        out.counters.add(cell, cols.expressed_criticism, (expressed * FIXED_POINT) as i64 as u64);
        // Added without branches: whether a person dissents is a coin flip to the predictor.
        let dissenter = dissent > 0.5;
        out.counters.add(cell, cols.private_dissenters, dissenter as u64);
        out.counters.add(
            cell,
            cols.silent_dissenters,
            (dissenter & (expressed < 0.5 * desired_criticism)) as u64,
        );
        // Thinning: a draw above the row's bound means no event, exactly as the full
        // computation below would find, since the total never exceeds the bound.
        let u = match draws {
            Draws::Own => rng.uniform(),
            Draws::Scheduled { thinning, .. } => thinning.unwrap_or(f64::INFINITY),
        };
        let bound = table_row.bound;
        let recorded: &[(u8, f64)] = match draws {
            Draws::Own => &[],
            Draws::Scheduled { recorded, .. } => recorded,
        };
        let mut record = None;
        let event = if bound <= 0.95 && u >= bound && recorded.is_empty() {
            None
        } else {
            out.candidates += 1;
            crate::population::fill_event_traits(ctx.params, ctx.layout, me.id, traits);
            // Trait factors by kind of event (a table lookup rather than a match per event:
            // a jump table mispredicts on nearly every event).
            let poverty = 1.6 - 0.3 * traits.income as f64;
            let debt_factor = 2.0 * (1.0 - traits.law_abidance as f64) * poverty;
            let repay = if in_debt {
                let means = if me.wealth > 0 { 1.0 } else { 0.3 };
                means * (1.0 + b.repayment_pressure * effects.pressure_yuan / 1000.0)
            } else {
                0.0
            };
            let factors: [f64; N_FACTOR_KINDS] = [
                2.0 * (1.0 - traits.law_abidance as f64),
                2.0 * traits.prosociality as f64,
                if in_debt { 0.0 } else { debt_factor },
                debt_factor,
                repay,
                2.0 * (1.0 - dissent) * effects.reach,
                0.0,
            ];
            let mut prob = [0.0f64; N_PERSON_EVENTS];
            for (e, pe) in prob.iter_mut().enumerate() {
                *pe = factors[FACTOR_KIND[e] as usize] * rates[e] as f64;
            }
            prob[EV_CRITICISM] = expressed;
            if let (Draws::Scheduled { .. }, Some(ev)) = (draws, ctx.event) {
                // A quiet adult: a recorder's hit is an aggregated event that it records (at
                // most one a day), and the behaviour draw picks among the other events only.
                record = recorded
                    .iter()
                    .find_map(|&(j, v)| records(ctx, ev, me, j as usize, v, &prob).then_some(j));
                for (e, pe) in prob.iter_mut().enumerate() {
                    if event::aggregated(e) {
                        *pe = 0.0;
                    }
                }
            }
            let total: f64 = prob.iter().sum();
            let scale = if total > 0.95 { 0.95 / total } else { 1.0 };
            let mut acc = 0.0;
            prob.iter().position(|&pe| {
                acc += pe * scale;
                u < acc
            })
        };
        if let Some(e) = event {
            out.counters.add(cell, cols.true_events + e, 1);
            let info = PERSON_EVENTS[e];
            if info.valence == Valence::Violation {
                me.flags |= P_TRUE_VIOLATION;
            }
            match e {
                EV_JUDGMENT_DEFAULT => me.flags |= P_IN_DEBT,
                EV_REPAYMENT => {
                    me.flags &= !P_IN_DEBT;
                    repay_exits(ctx, me, out);
                }
                _ => {}
            }
            observe(ctx, me, e, &mut orng, &mut crng, out);
        }
        if let (Some(j), Some(ev)) = (record, ctx.event) {
            let e = ev.recorders[j as usize].event;
            out.counters.add(cell, cols.true_events + e, 1);
            observe_recorded(ctx, ev, me, j as usize, &mut orng, &mut crng, out);
        }
        false_records(ctx, me, draws, &mut orng, &mut crng, out);
    }
    // Adult-days without a violation are counted in `close_day` as adults minus violations:
    // a person has at most one event a day.

    scores_and_score_lists(ctx, me, &mut crng, out);

    // One draw for the travel decision and the rounding of the three attitudes: 16 bits each.
    let [r1, r2, r3, t] = crng.u16x4();

    // Travel: the ban bites when a trip is attempted (detained persons do not travel). The trip
    // uniform is `(t + v) / 2^16`; `v` is drawn only when `t` leaves a trip possible.
    // Persons under a travel ban try at their own rates (refused ticket purchases).
    let (flight_rate, train_rate) = if effects.travel_ban {
        (b.banned_flight_rate, b.banned_train_rate)
    } else {
        (b.flight_rate, b.train_rate)
    };
    let travel_rate = flight_rate + train_rate;
    let trip = match draws {
        Draws::Own if me.detained == 0 && (t as f64) < travel_rate * 65_536.0 => {
            Some((t as f64 + crng.uniform()) * (1.0 / 65_536.0))
        }
        Draws::Own => None,
        // Detained today by a list entry: no trip, as under the daily engine.
        Draws::Scheduled { trip, .. } => trip.filter(|_| me.detained == 0),
    };
    if let Some(trip) = trip {
        let col = match (trip < flight_rate, effects.travel_ban) {
            (true, false) => cols.flights,
            (true, true) => cols.flights_blocked,
            (false, false) => cols.trains,
            (false, true) => cols.trains_blocked,
        };
        if trip < travel_rate {
            out.counters.add(cell, col, 1);
        }
    }

    // Attitudes: decay, recovery and the group's sanctions seen yesterday.
    let g = traits.peer_group();
    me.fear = me.fear * (1.0 - b.fear_decay) + b.fear_group_sanction * ctx.group_sanction_rate[g];
    me.resentment *= 1.0 - b.resentment_decay;
    me.trust += b.trust_recovery * (b.initial_trust - me.trust) + effects.trust_daily;

    // Attitudes are stored in 1/255 steps. Stochastic rounding keeps changes smaller than a
    // step (slow decay and recovery) unbiased instead of losing them.
    let counted =
        [stochastic_byte(me.fear, r1), stochastic_byte(me.resentment, r2), stochastic_byte(me.trust, r3)];
    // The event engine stores deviations from the group's path at the end of the day (trust in
    // steps of 1/`TRUST_STEP` around `TRUST_ON_PATH`, as of its epoch's start), rounded with
    // draws of their own.
    me.bytes = match ctx.event {
        None => counted,
        Some(ev) => {
            let [s1, s2, s3, _] = crng.u16x4();
            // A recovery so fast that nothing is left of a deviation by tomorrow keeps none.
            let decay = ev.trust_decay[1];
            let deviation = if decay > 0.0 { (me.trust - ev.trust_next) / decay } else { 0.0 };
            let trust = (deviation * TRUST_STEP + TRUST_ON_PATH as f64) * BYTE_UNIT;
            [
                stochastic_byte(me.fear - ev.fear_next[g], s1),
                stochastic_byte(me.resentment, s2),
                stochastic_byte(trust, s3),
            ]
        }
    };

    // Stocks.
    let c = &mut out.counters;
    let w = me.wealth.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
    let bin = wealth_bin(w);
    c.wealth_hist[bin] += 1;
    c.wealth_hist_sum[bin] += w.max(0) as u64;
    let row = c.row_mut(cell);
    if me.lists != 0 {
        count_lists(ctx, cols, me.lists, 1, row);
    }
    // Score sums (offsets from base: zero adds nothing). Adults and scored persons per cell are
    // static and added once a day in `close_day`.
    if me.scored {
        for (k, &s) in me.scores.iter().enumerate() {
            row[cols.score_sum + k] = row[cols.score_sum + k].wrapping_add(s as i64 as u64);
        }
    }
    row[cols.wealth] = row[cols.wealth].wrapping_add(w as i64 as u64);
    row[cols.fear] += counted[0] as u64;
    row[cols.resentment] += counted[1] as u64;
    row[cols.trust] += counted[2] as u64;
}

/// The expression theory's choice (docs/ODD.md, expression theory): the adult of desired
/// dissent `desired` and boldness `boldness` chooses what to express under the policy of their
/// province, is seen (and punished) with the paper's chance when above the tolerance, and is
/// counted by stance. Returns
/// the desired and expressed criticism rates: `volume` times the desired and the expressed
/// dissent, the latter times the list measures' `reach` (0 for a silenced person).
#[inline]
#[allow(clippy::too_many_arguments)]
fn express(
    ctx: &PersonCtx<'_>,
    x: &ExpressionDay,
    me: &Me<'_>,
    desired: f64,
    boldness: f64,
    volume: f64,
    reach: f64,
    rng: &AgentDayRng,
    out: &mut PersonOutbox,
) -> (f64, f64) {
    let cols = ctx.cols.expression.expect("expression counters under the expression theory");
    let policy = &x.policy[me.province as usize];
    let (expressed, stance) = expression::choose(desired, boldness, policy);
    let stance_col = match stance {
        Stance::Compliant => cols.compliant,
        Stance::SelfCensoring => cols.self_censoring,
        Stance::Defiant => cols.defiant,
    };
    let c = &mut out.counters;
    c.add(me.cell, stance_col, 1);
    c.add(me.cell, cols.desired, (desired * FIXED_POINT) as i64 as u64);
    c.add(me.cell, cols.expressed, (expressed * FIXED_POINT) as i64 as u64);
    if let Some(p) = expression::draw_punishment(policy, expressed, &mut rng.segment(3)) {
        c.add(me.cell, cols.punished, 1);
        c.add(me.cell, cols.punishment, (p * FIXED_POINT) as i64 as u64);
    }
    if stance == Stance::Defiant {
        out.min_defiant = out.min_defiant.min(desired);
    }
    out.max_expressed = out.max_expressed.max(expressed);
    (volume * desired, volume * expressed * reach)
}

/// Records of a true event by each authority that detects it.
fn observe(
    ctx: &PersonCtx<'_>,
    me: &mut Me<'_>,
    event: usize,
    orng: &mut AgentDayRng,
    crng: &mut AgentDayRng,
    out: &mut PersonOutbox,
) {
    let mut recorded = false;
    for &a in &ctx.plan.person_authorities {
        let auth = &ctx.params.authorities[a];
        if !ctx.enabled[a] || auth.detect[event] <= 0.0 {
            continue;
        }
        let p =
            auth.detect[event] * ctx.tables.detection_scale[a] * ctx.tables.coverage[a][me.province as usize];
        if orng.uniform() < p && me.covers(ctx, a) {
            recorded = true;
            deliver(ctx, me, a, event, false, orng, crng, out);
        }
    }
    if recorded {
        out.counters.add(me.cell, ctx.cols.recorded + event, 1);
        if ctx.plan.employee_scoring
            && PERSON_EVENTS[event].valence == Valence::Violation
            && me.flags & P_EMPLOYED != 0
        {
            let slot = ((me.flags & P_EMP_SLOT_MASK) >> P_EMP_SLOT_SHIFT) as u32;
            let pop = &ctx.params.population;
            if let Some(f) =
                ctx.layout.employer_candidate(pop.employer_concentration, me.id, me.province, slot)
            {
                out.employee_records.push(f);
            }
        }
    }
}

/// Whether recorder `j`'s hit (uniform `v`) on a quiet adult is an event it records: the event
/// happens (probability `prob`), the adult is in the recorder's coverage, the recorders of the
/// same event before it did not record it, and it does; thinned against the schedule's rate.
fn records(
    ctx: &PersonCtx<'_>,
    ev: &EventDay,
    me: &mut Me<'_>,
    j: usize,
    v: f64,
    prob: &[f64; N_PERSON_EVENTS],
) -> bool {
    let rec = &ev.recorders[j];
    let p = me.province as usize;
    if !me.covers(ctx, rec.authority) {
        return false;
    }
    let mut chance = prob[rec.event] * rec.q[p];
    for before in ev.recorders[..j].iter().filter(|r| r.event == rec.event) {
        if me.covers(ctx, before.authority) {
            chance *= 1.0 - before.q[p].min(1.0);
        }
    }
    v * rec.rate[p] < chance
}

/// The records of an aggregated event that recorder `j` records: its own, then each later
/// recorder of the same event by its own chance, as [`observe`] does.
fn observe_recorded(
    ctx: &PersonCtx<'_>,
    ev: &EventDay,
    me: &mut Me<'_>,
    j: usize,
    orng: &mut AgentDayRng,
    crng: &mut AgentDayRng,
    out: &mut PersonOutbox,
) {
    let rec = ev.recorders[j];
    let p = me.province as usize;
    deliver(ctx, me, rec.authority, rec.event, false, orng, crng, out);
    for later in ev.recorders[j + 1..ev.n_recorders].iter().filter(|r| r.event == rec.event) {
        if orng.uniform() < later.q[p] && me.covers(ctx, later.authority) {
            deliver(ctx, me, later.authority, rec.event, false, orng, crng, out);
        }
    }
    out.counters.add(me.cell, ctx.cols.recorded + rec.event, 1);
}

/// False records: events that never happened, or were someone else's, attributed to this person.
/// One draw a day: below the sum of today's thresholds it picks the authority whose share it
/// falls in (so at most one false record a person-day).
#[inline(always)]
fn false_records(
    ctx: &PersonCtx<'_>,
    me: &mut Me<'_>,
    draws: &Draws<'_>,
    orng: &mut AgentDayRng,
    crng: &mut AgentDayRng,
    out: &mut PersonOutbox,
) {
    let p = me.province as usize;
    if ctx.plan.person_false_authorities.is_empty() {
        return;
    }
    let mut u = match draws {
        Draws::Own => orng.uniform(),
        Draws::Scheduled { false_record, .. } => false_record.unwrap_or(f64::INFINITY),
    };
    if u >= ctx.tables.person_false_any[p] {
        return;
    }
    for &a in &ctx.plan.person_false_authorities {
        let threshold = ctx.tables.false_threshold[a][p];
        if u >= threshold {
            u -= threshold;
            continue;
        }
        if me.covers(ctx, a) {
            let cum = &ctx.plan.false_cumulative[a];
            let scale = ctx.tables.detection_scale[a] * ctx.tables.coverage[a][p];
            let target = u / scale;
            let event = cum.partition_point(|&c| c <= target).min(cum.len() - 1);
            deliver(ctx, me, a, event, true, orng, crng, out);
        }
        return;
    }
}

/// Delivers a record now, or later when the authority is slow.
fn deliver(
    ctx: &PersonCtx<'_>,
    me: &mut Me<'_>,
    authority: usize,
    event: usize,
    false_record: bool,
    orng: &mut AgentDayRng,
    crng: &mut AgentDayRng,
    out: &mut PersonOutbox,
) {
    let delay = ctx.params.authorities[authority].delay_mean_days;
    if delay > 0.0 {
        let extra = geometric(orng.uniform(), delay);
        out.pending.push(Pending {
            due: ctx.day.saturating_add(1 + extra),
            agent: me.id,
            authority: authority as u16,
            event: event as u8,
            false_record,
        });
    } else {
        apply_record(ctx, me, authority, event, false_record, crng, out);
    }
}

/// Days of delay beyond the first, geometric with the given mean (of the total delay).
pub fn geometric(u: f64, mean_days: f64) -> u32 {
    if mean_days <= 1.0 {
        return 0;
    }
    let q = 1.0 - 1.0 / mean_days;
    ((1.0 - u).ln() / q.ln()).floor().min(3650.0) as u32
}

fn apply_record(
    ctx: &PersonCtx<'_>,
    me: &mut Me<'_>,
    authority: usize,
    event: usize,
    false_record: bool,
    crng: &mut AgentDayRng,
    out: &mut PersonOutbox,
) {
    if false_record {
        out.counters.add(me.cell, ctx.cols.false_records + event, 1);
    }
    match &ctx.params.authorities[authority].kind {
        AuthorityKind::Points(s) => {
            let k = ctx.plan.slot[authority];
            let v = me.scores[k] as f64 + s.points[event];
            me.scores[k] = v.clamp(s.min - s.base, s.max - s.base).round() as i16;
            me.scored = true;
        }
        AuthorityKind::List(rule) => {
            if rule.grounds[event] {
                enter_list(ctx, me, authority, false_record, crng, out);
            }
        }
    }
}

/// Puts the person on a list (if not on it already) and applies the entry measures.
fn enter_list(
    ctx: &PersonCtx<'_>,
    me: &mut Me<'_>,
    authority: usize,
    false_basis: bool,
    crng: &mut AgentDayRng,
    out: &mut PersonOutbox,
) {
    let slot = ctx.plan.slot[authority];
    let bit = 1u8 << slot;
    if me.lists & bit != 0 || me.exited & bit != 0 || !ctx.enabled[authority] {
        return;
    }
    let AuthorityKind::List(rule) = &ctx.params.authorities[authority].kind else {
        return;
    };
    let b = &ctx.params.behaviour;
    let cols = ctx.cols;
    let cell = me.cell;
    me.lists |= bit;
    let appeal = crng.bernoulli(rule.appeal_rate);
    if ctx.plan.sparse[authority] {
        out.entries.push((
            authority as u16,
            ListEntry {
                agent: me.id,
                since: ctx.day,
                until: rule.duration_days.map_or(u32::MAX, |d| ctx.day.saturating_add(d)),
                appeal_at: if appeal { ctx.day.saturating_add(rule.appeal_days) } else { u32::MAX },
                false_basis,
            },
        ));
    }
    out.counters.add(cell, cols.list_entries + slot, 1);
    if false_basis {
        out.counters.add(cell, cols.list_false_entries + slot, 1);
    }
    let color = rule.color;
    for em in &ctx.plan.entry_measures[authority] {
        let m = &ctx.params.measures[em.measure];
        let MeasureEffect::Person(kind) = m.effect else { continue };
        let pos = ctx.plan.measure_pos[em.measure];
        out.counters.add(cell, cols.measure_applied + pos, 1);
        if color.sanctions() {
            out.counters.add(cell, cols.sanctions, 1);
            if false_basis {
                out.counters.add(cell, cols.false_sanctions, 1);
                out.counters.add(cell, cols.measure_false + pos, 1);
            }
            if em.spillover {
                out.counters.add(cell, cols.spillover_sanctions, 1);
                out.counters.add(cell, cols.measure_spillover + pos, 1);
            }
        } else if color.rewards() {
            out.counters.add(cell, cols.rewards, 1);
        }
        match kind {
            PersonMeasureKind::Fine => {
                me.wealth -= round_i64(m.amount);
                out.counters.add(cell, cols.fines_yuan, round_i64(m.amount) as u64);
            }
            PersonMeasureKind::Payment => {
                me.wealth += round_i64(m.amount);
                out.counters.add(cell, cols.rewards_yuan, round_i64(m.amount) as u64);
            }
            PersonMeasureKind::Detention => me.detained = me.detained.max(m.days.min(255) as u8),
            PersonMeasureKind::PublicShaming => {
                me.resentment += b.resentment_sanction;
                me.trust -= b.trust_sanction;
            }
            // Effects while listed (`tables::DayTables::rebuild_effects`) or on firms (exec ban).
            PersonMeasureKind::DailyMoney
            | PersonMeasureKind::DepositFree
            | PersonMeasureKind::TravelBan
            | PersonMeasureKind::InternetThrottle
            | PersonMeasureKind::JobExclusion
            | PersonMeasureKind::EmploymentPriority
            | PersonMeasureKind::ExecBan
            | PersonMeasureKind::ServicePriority => {}
        }
    }
    if color.sanctions() {
        me.fear += b.fear_own_sanction;
        me.resentment += b.resentment_sanction + if false_basis { b.resentment_false_sanction } else { 0.0 };
        me.trust -= b.trust_sanction + if false_basis { b.trust_false_sanction } else { 0.0 };
    } else if color.rewards() {
        me.trust += b.trust_reward;
    }
    me.fear = me.fear.min(1.0);
    me.resentment = me.resentment.min(1.0);
    me.trust = me.trust.clamp(0.0, 1.0);
}

fn exit_list(ctx: &PersonCtx<'_>, me: &mut Me<'_>, slot: usize, out: &mut PersonOutbox) {
    let bit = 1u8 << slot;
    me.lists &= !bit;
    me.exited |= bit;
    out.counters.add(me.cell, ctx.cols.list_exits + slot, 1);
}

fn repay_exits(ctx: &PersonCtx<'_>, me: &mut Me<'_>, out: &mut PersonOutbox) {
    for (slot, &a) in ctx.plan.person_lists.iter().enumerate() {
        if me.lists & (1 << slot) == 0 {
            continue;
        }
        if let AuthorityKind::List(rule) = &ctx.params.authorities[a].kind
            && rule.exit_on_repayment
        {
            exit_list(ctx, me, slot, out);
        }
    }
}

/// Score repair toward base, then membership of lists defined by score thresholds.
fn scores_and_score_lists(
    ctx: &PersonCtx<'_>,
    me: &mut Me<'_>,
    crng: &mut AgentDayRng,
    out: &mut PersonOutbox,
) {
    // Most persons sit at every base with the score lists that hold there: nothing to do.
    if !me.scored && me.lists & ctx.plan.person_score_list_mask == ctx.plan.person_score_base_members {
        return;
    }
    for &(k, a, decay) in &ctx.plan.person_decays {
        if me.scores[k] != 0 && ctx.enabled[a] {
            let delta = -(me.scores[k] as f64) * decay;
            let whole = delta.trunc();
            let frac = (delta - whole).abs();
            let step = whole as i64 + if crng.bernoulli(frac) { delta.signum() as i64 } else { 0 };
            me.scores[k] = (me.scores[k] as i64 + step) as i16;
        }
    }
    for sl in &ctx.plan.person_score_lists {
        let member = me.lists & (1 << sl.slot) != 0;
        let offset = me.scores[sl.score_slot];
        if offset == 0 && member == sl.holds_at_base {
            continue;
        }
        if !ctx.enabled[sl.authority] || !me.covers(ctx, sl.scheme) {
            continue;
        }
        let score = sl.base + offset as f64;
        let holds = score < sl.below && score >= sl.at_least;
        if holds && !member {
            let false_basis = sl.black && me.flags & P_TRUE_VIOLATION == 0;
            enter_list(ctx, me, sl.authority, false_basis, crng, out);
        } else if !holds && member && sl.condition_only {
            exit_list(ctx, me, sl.slot, out);
        }
    }
}
