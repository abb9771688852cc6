//! One agent's story: re-simulating a few persons or firms of a finished run, alone, from the
//! seed, the parameters and the run's replay log ([`crate::replay`]).
//!
//! The traced agents live the run's day: `Traced` goes through the same `day::run_day` as
//! [`crate::sim::Simulation`], phase by phase, and each agent is a chunk of one of the very
//! columns (`Persons`, `Firms` of one agent) and kernels ([`persons::run_chunk`],
//! [`firms::run_chunk`]) of the run, with the run's late-record delivery (`day::take_due`) and list
//! maintenance ([`lists::maintain`]). What other agents handed them comes from the log, so their
//! days are the days they had in the run, draw for draw. The kernels' counters for a chunk of one
//! agent are that agent's events; the trace turns them, its messages and the changes of its state
//! into rows. Nothing per agent was stored: the cost is the days of the run times the (small)
//! per-day tables, plus one pass over the log.

use scslab_core::rng::{DayStream, Stream};

use crate::day::{DayPhases, intervene_target, run_day, start_day, take_due, witness};
use crate::event::{EventDay, Paths, TRUST_ON_PATH};
use crate::firm_event::FirmEventDay;
use crate::firms::{self, FirmChunk, FirmCtx, FirmOutbox};
use crate::lists::{self, MaintenanceExit, Members, initial_entry, join_initially};
use crate::metrics::{Columns, Counters, Family, FirmCols, PersonCols};
use crate::params::{AuthorityKind, DayEngine, Params};
use crate::persons::{self, PersonChunk, PersonCtx, PersonOutbox};
use crate::population::{Layout, N_CELLS, N_PEER_GROUPS, fill_event_traits, firm_traits, person_traits};
use crate::replay::{Logged, ReplayLog};
use crate::sim::{initial_firm, initial_person};
use crate::tables::{DayTables, Plan};
use crate::vocab::{FIRM_EVENTS, N_PROVINCES, PERSON_EVENTS, PROVINCES, SECTORS, SIZE_CLASSES};
use crate::world::{
    Addressed, ClosedToday, F_ALIVE, F_IPO_HALTED, FirmRow, FirmSet, Firms, ListEntry, ListState, Message,
    P_DETAINED_SHIFT, P_EMP_SLOT_MASK, P_EMP_SLOT_SHIFT, P_EMPLOYED, P_IN_DEBT, P_SILENCED, Pending,
    PersonRow, Persons, RareFirmSet,
};

/// Why a trace cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The id names no agent of the run.
    #[error("there is no {what} {id}: the run has {count} {what}s (ids 0 to {last})", last = count.saturating_sub(1))]
    NoSuchAgent {
        /// `person` or `company`.
        what: &'static str,
        /// The id asked for.
        id: u32,
        /// Agents of that kind in the run.
        count: u32,
    },
    /// The log does not cover the run's days.
    #[error("the replay log covers {found} days, the run has {expected}")]
    ShortLog {
        /// Days in the log.
        found: u32,
        /// Days of the run.
        expected: u32,
    },
}

/// One thing that happened to an agent on a day.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRow {
    /// Day (0 = the first simulated day).
    pub day: u32,
    /// Kind: `event`, `record`, `false_record`, `late_record`, `list_entry`, `list_exit`,
    /// `measure`, `money`, `travel`, `employment`, `employer`, `message`, `score`, `detention`,
    /// `intervention`, `supplier`, `closure` or `other`.
    pub kind: &'static str,
    /// What (an event, list, measure, scheme or counter name).
    pub what: String,
    /// How many or how much (count, yuan, new score).
    pub value: f64,
    /// Who did it and on what basis, in words.
    pub detail: String,
}

/// A person's state at the end of a day.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonState {
    /// Day.
    pub day: u32,
    /// The person's values of every dense column (`crate::world::Persons`).
    pub row: PersonRow,
    /// Employer, if employed.
    pub employer: Option<u32>,
    /// Owes an unpaid court judgment.
    pub in_debt: bool,
    /// Has withdrawn from public life.
    pub silenced: bool,
    /// Days of detention left.
    pub detained: u8,
    /// Fear, resentment and trust (0-1). Under the daily engine the stored bytes / 255; under
    /// the event engine the peer group's path plus the stored deviation (docs/ODD.md 7.26),
    /// the bytes themselves being deviations.
    pub attitudes: [f64; 3],
    /// Scores of the person schemes (absolute).
    pub scores: Vec<f64>,
}

/// A firm's state at the end of a day.
#[derive(Clone, Debug, PartialEq)]
pub struct FirmState {
    /// Day.
    pub day: u32,
    /// The firm's values of every dense column (`crate::world::Firms`).
    pub row: FirmRow,
    /// Operating.
    pub alive: bool,
    /// Its listing was halted.
    pub ipo_halted: bool,
    /// Scores of the firm schemes (absolute).
    pub scores: Vec<f64>,
}

/// Dense state of one traced agent: the columns of a chunk of one.
#[derive(Clone, Debug)]
pub enum AgentState {
    /// A person's days.
    Person(Vec<PersonState>),
    /// A firm's days.
    Firm(Vec<FirmState>),
}

/// The story of one agent.
#[derive(Clone, Debug)]
pub struct Trace {
    /// Person or firm id.
    pub id: u32,
    /// Static profile (name, value), derived from (seed, id).
    pub profile: Vec<(String, String)>,
    /// Names of the lists, by slot.
    pub lists: Vec<String>,
    /// Names of the points schemes, by slot.
    pub schemes: Vec<String>,
    /// What happened, day by day.
    pub rows: Vec<TraceRow>,
    /// State at the end of each day.
    pub states: AgentState,
}

/// Re-simulates the persons `ids` of the run of `params` whose replay log is `log`.
pub fn trace_persons(params: &Params, log: &ReplayLog, ids: &[u32]) -> Result<Vec<Trace>, TraceError> {
    let w = Replay::new(params, log)?;
    let n = w.layout.n_persons() as u32;
    if let Some(&id) = ids.iter().find(|&&id| id >= n) {
        return Err(TraceError::NoSuchAgent { what: "person", id, count: n });
    }
    let messages = per_agent(ids, &log.person_messages, |m| m.to.agent);
    let persons =
        ids.iter().zip(messages).map(|(&id, messages)| TracedPerson::new(&w, id, messages)).collect();
    let t = Traced { w, persons, firms: Vec::new() }.run();
    Ok(t.persons.into_iter().map(|p| p.finish(&t.w)).collect())
}

/// Re-simulates the firms `ids` of the run of `params` whose replay log is `log`.
pub fn trace_firms(params: &Params, log: &ReplayLog, ids: &[u32]) -> Result<Vec<Trace>, TraceError> {
    let w = Replay::new(params, log)?;
    let n = w.layout.n_firms() as u32;
    if let Some(&id) = ids.iter().find(|&&id| id >= n) {
        return Err(TraceError::NoSuchAgent { what: "company", id, count: n });
    }
    let messages = per_agent(ids, &log.firm_messages, |m| m.to.agent);
    let records = per_agent(ids, &log.employee_records, |&(_, f)| f);
    let firms = (ids.iter().zip(messages).zip(records))
        .map(|((&id, messages), records)| TracedFirm::new(&w, id, messages, records))
        .collect();
    let t = Traced { w, persons: Vec::new(), firms }.run();
    Ok(t.firms.into_iter().map(|f| f.finish(&t.w)).collect())
}

/// The traced agents and what they share: their days go through the run's day
/// ([`run_day`]), phase by phase, each agent a chunk of one.
struct Traced<'a> {
    w: Replay<'a>,
    persons: Vec<TracedPerson>,
    firms: Vec<TracedFirm>,
}

impl Traced<'_> {
    fn run(mut self) -> Self {
        for day in 0..self.w.params.days {
            run_day(&mut self, day, &mut ());
        }
        self
    }
}

impl DayPhases for Traced<'_> {
    fn start(&mut self, day: u32) {
        self.w.begin_day(day);
    }

    fn interventions(&mut self, day: u32) {
        self.firms.iter_mut().for_each(|f| f.interventions(&self.w, day));
    }

    fn deliver_due_records(&mut self, day: u32) {
        self.firms.iter_mut().for_each(|f| f.receive(day));
        self.persons.iter_mut().for_each(|p| p.receive_early(day));
    }

    fn firm_phase(&mut self, day: u32) {
        self.firms.iter_mut().for_each(|f| f.run(&self.w, day));
        self.w.closures_of(day);
    }

    fn person_phase(&mut self, day: u32) {
        self.persons.iter_mut().for_each(|p| p.run(&self.w, day));
        self.firms.iter_mut().for_each(|f| f.employee_records_of(day));
    }

    fn maintain_lists(&mut self, day: u32) {
        self.firms.iter_mut().for_each(|f| f.maintain(&self.w, day));
        self.persons.iter_mut().for_each(|p| p.maintain(&self.w, day));
    }

    fn theory(&mut self, _: u32) {
        // The expression authority's next policy comes from the log; the reputation game
        // changes no agent's columns.
    }

    fn close(&mut self, _: u32) {
        // Tomorrow's group rates come from the log.
    }
}

/// What the traced agents share: the parameters as changed by policy, the day's tables, and
/// what the log says of everyone else (firms' operation and list bits).
struct Replay<'a> {
    params: Params,
    plan: Plan,
    layout: Layout,
    tables: DayTables,
    enabled: Vec<bool>,
    log: &'a ReplayLog,
    person_cols: PersonCols,
    firm_cols: FirmCols,
    /// The firms that operate, as the log's closures say.
    operating: FirmSet,
    /// The firms that closed in today's firm phase (the log's closures of the day).
    closed_today: ClosedToday,
    /// Firms' list bits at the start of today's firm phase.
    firm_lists: Vec<u8>,
    /// Firms on a blacklist at the start of the day's firm phase.
    blacklisted: RareFirmSet,
    group_sanction_rate: [f64; N_PEER_GROUPS],
    /// Under the event engine: the attitude paths and today's schedules, from the log's group
    /// sanction rates.
    event: Option<(Paths, EventDay)>,
    /// Under the event engine: today's firm schedules (`None` also on days every firm is drawn
    /// in full).
    firm_event: Option<FirmEventDay>,
    /// Under the event engine: every person's class code (`event::classes`; empty otherwise).
    class: Vec<u8>,
    /// The day-0 tables of a warm start of firm scores (`crate::sim::warm_start_tables`).
    warm: Option<DayTables>,
    /// Cursors into the log's day-ordered vectors.
    closure_at: usize,
    founding_at: usize,
    firm_lists_at: usize,
}

impl<'a> Replay<'a> {
    fn new(params: &Params, log: &'a ReplayLog) -> Result<Replay<'a>, TraceError> {
        if log.days() < params.days {
            return Err(TraceError::ShortLog { found: log.days(), expected: params.days });
        }
        let layout = Layout::new(params);
        let nf = layout.n_firms();
        let plan = Plan::new(params);
        let event = (params.engine == DayEngine::Event).then(|| {
            let paths = Paths::new(params);
            let today = EventDay::new(
                params,
                &plan,
                &layout,
                &DayTables::new(params),
                &paths,
                &[0.0; N_PEER_GROUPS],
                0,
                true,
            );
            (paths, today)
        });
        Ok(Replay {
            warm: crate::sim::warm_start_tables(params, &plan),
            plan,
            tables: DayTables::new(params),
            enabled: params.authorities.iter().map(|a| a.enabled).collect(),
            person_cols: PersonCols::new(params),
            firm_cols: FirmCols::new(params),
            operating: FirmSet::all(nf),
            closed_today: ClosedToday::new(&layout, params.population.employer_concentration),
            firm_lists: vec![0; nf],
            blacklisted: RareFirmSet::none(nf),
            group_sanction_rate: [0.0; N_PEER_GROUPS],
            class: if event.is_some() { crate::event::classes(params, &layout) } else { Vec::new() },
            event,
            firm_event: None,
            closure_at: 0,
            founding_at: 0,
            firm_lists_at: 0,
            layout,
            log,
            params: params.clone(),
        })
    }

    /// The start of `day`: the run's [`start_day`] with the log's peer rates, and the firms'
    /// list bits the log shows at the start of the day's firm phase.
    fn begin_day(&mut self, day: u32) {
        let peer_rates = self.log.peer_rates_of(day);
        let policy = self.log.expression_policy_of(day, &self.params);
        let changed = start_day(
            &mut self.params,
            &mut self.plan,
            &mut self.enabled,
            &mut self.tables,
            &peer_rates,
            policy,
            day,
        );
        self.group_sanction_rate = self.log.sanction_rate_of(day);
        if let Some((paths, today)) = &mut self.event {
            if day > 0 {
                paths.advance(today);
            }
            *today = EventDay::new(
                &self.params,
                &self.plan,
                &self.layout,
                &self.tables,
                paths,
                &self.group_sanction_rate,
                day,
                changed,
            );
        }
        self.firm_event = self
            .event
            .as_ref()
            .and_then(|_| FirmEventDay::new(&self.params, &self.plan, &self.tables, &self.enabled, day));
        let changes = &self.log.firm_lists[self.firm_lists_at..];
        let n = changes.partition_point(|&(d, _, _)| d <= day);
        for &(_, f, bits) in &changes[..n] {
            self.firm_lists[f as usize] = bits;
        }
        for &(_, f, bits) in &changes[..n] {
            self.blacklisted.set(f, bits & self.plan.firm_black_mask != 0);
        }
        self.firm_lists_at += n;
    }

    /// Applies the closures and foundings of `day`'s firm phase.
    fn closures_of(&mut self, day: u32) {
        self.closed_today.clear(&self.layout);
        let closures = &self.log.closures[self.closure_at..];
        let n = closures.partition_point(|&(d, _)| d <= day);
        for &(_, f) in &closures[..n] {
            self.operating.remove(f);
            self.closed_today.add(&self.layout, f);
        }
        self.closure_at += n;
        let foundings = &self.log.foundings[self.founding_at..];
        let n = foundings.partition_point(|&(d, _)| d <= day);
        for &(_, f) in &foundings[..n] {
            self.operating.set(f, true);
        }
        self.founding_at += n;
    }

    fn list_names(&self, lists: &[usize]) -> Vec<String> {
        lists.iter().map(|&a| self.params.authorities[a].name.clone()).collect()
    }

    /// Who applies each measure of a list entry: the list's own authority or a memorandum.
    fn entry_measure_rows(
        &self,
        day: u32,
        authority: usize,
        false_basis: bool,
        person: bool,
        rows: &mut Vec<TraceRow>,
    ) {
        let AuthorityKind::List(rule) = &self.params.authorities[authority].kind else { return };
        let list = &self.params.authorities[authority].name;
        let own = rule.measures.iter().map(|&m| (m, format!("by {list}")));
        let memo =
            self.params.memoranda.iter().filter(|m| m.list == authority && m.enabled).flat_map(|memo| {
                memo.measures.iter().map(move |&m| (m, format!("by memorandum {}", memo.name)))
            });
        for (m, by) in own.chain(memo) {
            let measure = &self.params.measures[m];
            let applies = match measure.effect {
                crate::params::MeasureEffect::Person(_) => person,
                crate::params::MeasureEffect::Firm(_) => !person,
            };
            if !applies {
                continue;
            }
            let mut detail = format!("{by}, on entering {list}");
            if !rule.related_contexts.contains(&measure.context) {
                detail.push_str("; spillover: its context is unrelated to the list's grounds");
            }
            if false_basis {
                detail.push_str("; on a false basis");
            }
            rows.push(TraceRow { day, kind: "measure", what: measure.name.clone(), value: 1.0, detail });
        }
    }
}

/// Rows of the kernel's counters for a chunk of one agent (its cell's row), each naming its
/// column's item (the event, list or counter) as declared in `metrics.rs`.
fn counter_rows(
    day: u32,
    columns: &Columns,
    row: &[u64],
    kind_of: impl Fn(usize) -> Option<&'static str>,
    rows: &mut Vec<TraceRow>,
) {
    for (c, &v) in row.iter().enumerate() {
        if v == 0 {
            continue;
        }
        let Some(kind) = kind_of(c) else { continue };
        let what = columns.item(c).to_string();
        rows.push(TraceRow { day, kind, what, value: v as f64, detail: String::new() });
    }
}

/// The row kind of a person counter's family, or `None` for stocks (and for what other rows
/// tell better).
fn person_kind(c: &PersonCols, col: usize) -> Option<&'static str> {
    Some(match c.columns.column(col).family {
        Family::TrueEvents => "event",
        Family::Recorded => "record",
        Family::FalseRecords => "false_record",
        Family::ListExits => "list_exit",
        _ if col == c.flights || col == c.flights_blocked || col == c.trains || col == c.trains_blocked => {
            "travel"
        }
        _ if col == c.job_loss_closure || col == c.job_loss_measure => "employment",
        _ if col == c.fines_yuan || col == c.rewards_yuan => "money",
        _ => return None,
    })
}

/// The row kind of a firm counter's family, or `None` for stocks (and for what other rows tell
/// better).
fn firm_kind(c: &FirmCols, col: usize) -> Option<&'static str> {
    Some(match c.columns.column(col).family {
        Family::TrueEvents => "event",
        Family::Recorded => "record",
        Family::FalseRecords => "false_record",
        Family::ListExits => "list_exit",
        Family::Rated => "rating",
        _ if col == c.closures => "closure",
        _ if col == c.foundings => "founding",
        _ if col == c.fines_yuan || col == c.value_lost_yuan => "money",
        _ if col == c.partner_drops || col == c.partner_penalties => "supplier",
        _ => return None,
    })
}

/// Rows for the scores of `points` schemes that changed today.
fn score_rows(
    params: &Params,
    day: u32,
    points: &[usize],
    before: &[i16],
    after: &[i16],
    rows: &mut Vec<TraceRow>,
) {
    for (k, &a) in points.iter().enumerate() {
        if after[k] != before[k] {
            let (old, new) = (score_of(params, a, before[k]), score_of(params, a, after[k]));
            let what = params.authorities[a].name.clone();
            rows.push(TraceRow { day, kind: "score", what, value: new, detail: format!("from {old}") });
        }
    }
}

/// In words: a record (true or false) by an authority.
fn record_detail(params: &Params, authority: u16, false_record: bool) -> String {
    let truth = if false_record { "false" } else { "true" };
    format!("a {truth} record by {}", params.authorities[authority as usize].name)
}

/// Rows for records made today that reach their authority later.
fn late_record_rows(
    params: &Params,
    day: u32,
    pending: &[Pending],
    event_name: impl Fn(usize) -> &'static str,
    rows: &mut Vec<TraceRow>,
) {
    for p in pending {
        let detail =
            format!("{}, reaching it on day {}", record_detail(params, p.authority, p.false_record), p.due);
        rows.push(TraceRow {
            day,
            kind: "late_record",
            what: event_name(p.event as usize).into(),
            value: 1.0,
            detail,
        });
    }
}

/// In words: what a list entry rests on.
fn list_entry_detail(params: &Params, authority: usize, false_basis: bool) -> &'static str {
    let AuthorityKind::List(rule) = &params.authorities[authority].kind else { return "" };
    rule.color.entry_words(false_basis)
}

/// Zeroes the counters of one cell and the wealth histogram (all a chunk of one agent writes).
fn clear_cell(c: &mut Counters, cell: usize) {
    c.values[cell * c.width..(cell + 1) * c.width].fill(0);
    c.wealth_hist.fill(0);
    c.wealth_hist_sum.fill(0);
}

/// Maintains the lists of one agent with the run's [`lists::maintain`] over its own entries,
/// with a row for each exit by maintenance.
fn maintain_own(
    w: &Replay<'_>,
    day: u32,
    lists: &[usize],
    states: &mut [ListState],
    new: &[(u16, ListEntry)],
    (agent, person, bits): (u32, bool, &mut u8),
    counters: &mut Counters,
    rows: &mut Vec<TraceRow>,
) {
    for (slot, &a) in lists.iter().enumerate() {
        let new_entries = new.iter().filter(|(auth, _)| *auth as usize == a).map(|(_, e)| *e);
        let mut on_exit = |e: &ListEntry, why: MaintenanceExit| {
            let what = match why {
                MaintenanceExit::Expired => "the listing period ended",
                MaintenanceExit::AppealWon => "an appeal was won",
                MaintenanceExit::Repaired => "credit repair",
            };
            let basis = if e.false_basis { ", on a false basis" } else { "" };
            rows.push(TraceRow {
                day,
                kind: "list_exit",
                what: w.params.authorities[a].name.clone(),
                value: 1.0,
                detail: format!("{what} (listed since day {}{basis})", e.since),
            });
        };
        let bits = std::slice::from_mut(&mut *bits);
        let members = if person {
            Members::Persons { bits, first: agent, cols: &w.person_cols }
        } else {
            Members::Firms { bits, first: agent, cols: &w.firm_cols }
        };
        let state = &mut states[slot];
        lists::maintain(
            &w.params,
            &w.layout,
            a,
            slot,
            day,
            state,
            new_entries,
            members,
            counters,
            &mut on_exit,
        );
    }
}

/// The log's entries for each of `ids` (in log order), found in one pass over the log.
fn per_agent<T: Copy>(ids: &[u32], log: &[T], agent: impl Fn(&T) -> u32) -> Vec<Vec<T>> {
    let index: std::collections::BTreeMap<u32, usize> =
        ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let mut out = vec![Vec::new(); ids.len()];
    for x in log {
        if let Some(&i) = index.get(&agent(x)) {
            out[i].push(*x);
        }
    }
    out
}

fn score_of(params: &Params, authority: usize, offset: i16) -> f64 {
    match &params.authorities[authority].kind {
        AuthorityKind::Points(s) => s.base + offset as f64,
        AuthorityKind::List(_) => offset as f64,
    }
}

struct TracedPerson {
    id: u32,
    /// The person's dense columns: a chunk of one.
    cols: Persons,
    pending: Vec<Pending>,
    list_states: Vec<ListState>,
    messages: Vec<Logged>,
    message_at: usize,
    /// Today's messages so far, in the run's order.
    inbox: Vec<Addressed>,
    /// Today's messages from the firm phase (`messages[message_at..firm_messages_end]`).
    firm_messages_end: usize,
    outbox: PersonOutbox,
    rows: Vec<TraceRow>,
    states: Vec<PersonState>,
    /// The employer's list bits as last seen (for rows about the employer).
    employer_lists: Option<(u32, u8)>,
    /// Employer and scores at the start of today's person phase.
    employer_before: Option<u32>,
    scores_before: Vec<i16>,
}

impl TracedPerson {
    fn new(w: &Replay<'_>, id: u32, messages: Vec<Logged>) -> TracedPerson {
        let mut row = initial_person(&w.params, &w.layout, id);
        if w.event.is_some() {
            row.trust = TRUST_ON_PATH;
        }
        // The warm start (lists that begin with members), as `lists::initial_members`.
        let mut list_states = vec![ListState::default(); w.plan.person_lists.len()];
        let mut rows = Vec::new();
        for (slot, &a) in w.plan.person_lists.iter().enumerate() {
            let scale = w.log.initial_scales.get(slot).copied().unwrap_or(0.0);
            if scale <= 0.0 {
                continue;
            }
            if let Some(entry) = initial_entry(&w.params, &w.layout, a, id, scale) {
                join_initially(&w.params, a, slot, &mut row.lists, &mut row.flags);
                list_states[slot].entries.push(entry);
                let detail = "on the list when the run starts (warm start)".to_string();
                let what = w.params.authorities[a].name.clone();
                rows.push(TraceRow { day: 0, kind: "list_entry", what, value: 0.0, detail });
            }
        }
        let mut cols = Persons::filled(1, row);
        cols.scores = vec![vec![0]; w.plan.person_points.len()];
        TracedPerson {
            id,
            cols,
            pending: Vec::new(),
            list_states,
            messages,
            message_at: 0,
            inbox: Vec::new(),
            firm_messages_end: 0,
            outbox: PersonOutbox::new(Counters::new(N_CELLS, w.person_cols.columns.len())),
            rows,
            states: Vec::new(),
            employer_lists: None,
            employer_before: None,
            scores_before: Vec::new(),
        }
    }

    fn flags(&self) -> u16 {
        self.cols.flags[0]
    }

    fn scores(&self) -> Vec<i16> {
        self.cols.scores.iter().map(|column| column[0]).collect()
    }

    fn employer(&self, w: &Replay<'_>) -> Option<u32> {
        if self.flags() & P_EMPLOYED == 0 {
            return None;
        }
        let slot = ((self.flags() & P_EMP_SLOT_MASK) >> P_EMP_SLOT_SHIFT) as u32;
        let province = w.layout.person_province(self.id);
        w.layout.employer_candidate(w.params.population.employer_concentration, self.id, province, slot)
    }

    /// Before the firm phase: the day's early messages (interventions), then the late records
    /// that reach their authority today.
    fn receive_early(&mut self, day: u32) {
        let today = &self.messages[self.message_at..];
        let n = today.partition_point(|m| m.day <= day);
        self.inbox.clear();
        self.inbox.extend(today[..n].iter().filter(|m| m.early).map(|m| m.to));
        take_due(&mut self.pending, day, &mut self.inbox);
        self.firm_messages_end = self.message_at + n;
    }

    /// The person phase: the firm phase's messages join the inbox, then the kernel runs on the
    /// person as a chunk of one.
    fn run(&mut self, w: &Replay<'_>, day: u32) {
        let today = &self.messages[self.message_at..self.firm_messages_end];
        self.inbox.extend(today.iter().filter(|m| !m.early).map(|m| m.to));
        self.message_at = self.firm_messages_end;
        for i in 0..self.inbox.len() {
            let m = self.inbox[i];
            self.message_row(w, day, &m);
        }
        self.employer_before = self.employer(w);
        self.scores_before = self.scores();

        let ctx = PersonCtx {
            params: &w.params,
            plan: &w.plan,
            layout: &w.layout,
            tables: &w.tables,
            day,
            operating: &w.operating,
            closed_today: &w.closed_today,
            group_sanction_rate: &w.group_sanction_rate,
            cols: &w.person_cols,
            enabled: &w.enabled,
            behaviour: DayStream::new(w.params.seed, Stream::Behaviour, day as u64),
            event: w.event.as_ref().map(|e| &e.1),
            class: &w.class,
        };
        // Only the person's own cell is ever written: clearing it (not all cells) is enough.
        let cell = person_traits(&w.params, &w.layout, self.id).cell();
        let o = &mut self.outbox;
        o.clear_messages();
        clear_cell(&mut o.counters, cell);
        let (cols, scores) = self.cols.split_mut();
        let scores = scores.iter_mut().map(|column| column.as_mut_slice()).collect();
        let chunk = PersonChunk { start: self.id, cols, scores, inbox: &self.inbox };
        persons::run_chunk(&ctx, chunk, &mut self.outbox);

        // Counters of the person's own cell are the person's day.
        let width = self.outbox.counters.width;
        let row = &self.outbox.counters.values[cell * width..(cell + 1) * width];
        let c = &w.person_cols;
        counter_rows(day, &c.columns, row, |col| person_kind(c, col), &mut self.rows);
        for (slot, &a) in w.plan.person_lists.iter().enumerate() {
            if row[c.list_entries + slot] > 0 {
                let false_basis = row[c.list_false_entries + slot] > 0;
                let detail = list_entry_detail(&w.params, a, false_basis);
                let name = w.params.authorities[a].name.clone();
                self.rows.push(TraceRow {
                    day,
                    kind: "list_entry",
                    what: name,
                    value: 1.0,
                    detail: detail.into(),
                });
                w.entry_measure_rows(day, a, false_basis, true, &mut self.rows);
            }
        }
        late_record_rows(&w.params, day, &self.outbox.pending, |e| PERSON_EVENTS[e].name, &mut self.rows);
        for &f in &self.outbox.employee_records {
            let detail = format!("employer {f} is told of the recorded violation");
            self.rows.push(TraceRow {
                day,
                kind: "employer",
                what: "employee_record".into(),
                value: 1.0,
                detail,
            });
        }
        self.pending.extend_from_slice(&self.outbox.pending);
    }

    /// List maintenance of the person's entries, then the day's state.
    fn maintain(&mut self, w: &Replay<'_>, day: u32) {
        let new = std::mem::take(&mut self.outbox.entries);
        let member = (self.id, true, &mut self.cols.lists[0]);
        let (counters, rows) = (&mut self.outbox.counters, &mut self.rows);
        maintain_own(w, day, &w.plan.person_lists, &mut self.list_states, &new, member, counters, rows);
        self.outbox.entries = new;

        let (employer_before, scores_before) =
            (self.employer_before, std::mem::take(&mut self.scores_before));
        self.change_rows(w, day, employer_before, &scores_before);
        let flags = self.flags();
        let row = self.cols.row(0);
        let bytes = [row.fear, row.resentment, row.trust].map(|b| b as f64 / 255.0);
        let attitudes = match &w.event {
            None => bytes,
            Some((_, today)) => {
                let g = person_traits(&w.params, &w.layout, self.id).peer_group();
                let deviation = (row.trust as f64 - TRUST_ON_PATH as f64) / crate::event::TRUST_STEP;
                [
                    (today.fear_next[g] + bytes[0]).min(1.0),
                    bytes[1],
                    (today.trust_next + deviation * today.trust_decay[1]).clamp(0.0, 1.0),
                ]
            }
        };
        self.states.push(PersonState {
            day,
            row,
            attitudes,
            employer: self.employer(w),
            in_debt: flags & P_IN_DEBT != 0,
            silenced: flags & P_SILENCED != 0,
            detained: (flags >> P_DETAINED_SHIFT) as u8,
            scores: (w.plan.person_points.iter().enumerate())
                .map(|(k, &a)| score_of(&w.params, a, self.cols.scores[k][0]))
                .collect(),
        });
    }

    fn message_row(&mut self, w: &Replay<'_>, day: u32, m: &Addressed) {
        let (what, detail) = match m.message {
            Message::Record { authority, event, false_record } => {
                let detail = format!("{} arrives", record_detail(&w.params, authority, false_record));
                (PERSON_EVENTS[event as usize].name.to_string(), detail)
            }
            Message::EnterList { authority, false_basis } => {
                let list = &w.params.authorities[authority as usize].name;
                let basis = if false_basis { " (on a false basis)" } else { "" };
                (list.clone(), format!("put on {list} as a firm's legal representative{basis}"))
            }
            Message::Silence => (
                "silenced".into(),
                "withdraws from public life after an intervention against their firm".into(),
            ),
            Message::Dropped => return,
        };
        self.rows.push(TraceRow { day, kind: "message", what, value: 1.0, detail });
    }

    /// Rows for changes of state no counter tells: employer, scores, employer's lists, detention.
    fn change_rows(&mut self, w: &Replay<'_>, day: u32, employer_before: Option<u32>, scores_before: &[i16]) {
        let employer = self.employer(w);
        let scores = self.scores();
        if employer != employer_before
            && let Some(f) = employer
        {
            self.rows.push(TraceRow {
                day,
                kind: "employment",
                what: "hired".into(),
                value: f as f64,
                detail: format!("employed by firm {f}"),
            });
        }
        score_rows(&w.params, day, &w.plan.person_points, scores_before, &scores, &mut self.rows);
        if let Some(f) = employer {
            let bits = w.firm_lists[f as usize];
            let seen = self.employer_lists.filter(|&(g, _)| g == f).map_or(0, |(_, b)| b);
            for (slot, &a) in w.plan.firm_lists.iter().enumerate() {
                let (was, is) = (seen & (1 << slot) != 0, bits & (1 << slot) != 0);
                if was != is {
                    let verb = if is { "is on" } else { "left" };
                    let name = w.params.authorities[a].name.clone();
                    self.rows.push(TraceRow {
                        day,
                        kind: "employer",
                        what: name.clone(),
                        value: f as f64,
                        detail: format!("employer {f} {verb} {name}"),
                    });
                }
            }
            self.employer_lists = Some((f, bits));
        } else {
            self.employer_lists = None;
        }
        let detained = self.flags() >> P_DETAINED_SHIFT;
        if detained > 0 {
            self.rows.push(TraceRow {
                day,
                kind: "detention",
                what: "detained".into(),
                value: detained as f64,
                detail: "days of detention left".into(),
            });
        }
    }

    fn finish(self, w: &Replay<'_>) -> Trace {
        let mut t = person_traits(&w.params, &w.layout, self.id);
        let mut profile = vec![
            ("province".to_string(), PROVINCES[t.province as usize].to_string()),
            ("area".to_string(), if t.urban { "urban" } else { "rural" }.to_string()),
            ("age".to_string(), ["0-14", "15-59", "60+"][t.age_band as usize].to_string()),
            ("income_quintile".to_string(), (t.income + 1).to_string()),
        ];
        if t.is_adult() {
            fill_event_traits(&w.params, &w.layout, self.id, &mut t);
            for (name, v) in [
                ("law_abidance", t.law_abidance),
                ("prosociality", t.prosociality),
                ("outspokenness", t.outspokenness),
                ("fear_sensitivity", t.fear_sensitivity),
                ("conformity", t.conformity),
                ("dissent", t.dissent),
            ] {
                profile.push((name.to_string(), format!("{v:.3}")));
            }
        } else {
            profile.push(("note".into(), "a child: only adults (15+) act, are recorded and scored".into()));
        }
        Trace {
            id: self.id,
            profile,
            lists: w.list_names(&w.plan.person_lists),
            schemes: w.list_names(&w.plan.person_points),
            rows: self.rows,
            states: AgentState::Person(self.states),
        }
    }
}

struct TracedFirm {
    id: u32,
    /// The firm's dense columns: a chunk of one.
    cols: Firms,
    pending: Vec<Pending>,
    list_states: Vec<ListState>,
    messages: Vec<Logged>,
    message_at: usize,
    /// Today's messages, in the run's order.
    inbox: Vec<Addressed>,
    /// Days on which the log hands the firm a record of one of its employees.
    employee_records: Vec<u32>,
    records_at: usize,
    /// Operating at the start of today.
    alive: bool,
    scores_before: Vec<i16>,
    outbox: FirmOutbox,
    rows: Vec<TraceRow>,
    states: Vec<FirmState>,
    /// Suppliers' list bits as last seen.
    suppliers_seen: Vec<u8>,
}

/// The firm phase's inputs of `day` for a traced firm.
fn firm_ctx<'w>(w: &'w Replay<'_>, day: u32) -> FirmCtx<'w> {
    FirmCtx {
        params: &w.params,
        plan: &w.plan,
        layout: &w.layout,
        tables: &w.tables,
        day,
        enabled: &w.enabled,
        cols: &w.firm_cols,
        blacklisted: &w.blacklisted,
        target: w
            .params
            .interventions
            .first()
            .and_then(|iv| w.layout.platform_firms.get(iv.platform).copied()),
        // Persons' lists only choose which person represents the firm; the log says who.
        person_lists: &[],
        streams: [Stream::FirmBehaviour, Stream::Observation, Stream::Consequences]
            .map(|s| DayStream::new(w.params.seed, s, day as u64)),
        year_end: w.params.year_ends.binary_search(&day).is_ok(),
        event: w.firm_event.as_ref(),
    }
}

impl TracedFirm {
    fn new(w: &Replay<'_>, id: u32, messages: Vec<Logged>, records: Vec<(u32, u32)>) -> TracedFirm {
        let mut cols = Firms::filled(1, initial_firm(&w.params, &w.layout, id));
        cols.scores = vec![0; w.plan.firm_points.len().max(1)];
        if crate::sim::initial_firm_scores(
            &w.params,
            &w.plan,
            &w.layout,
            w.warm.as_ref(),
            id,
            &mut cols.scores,
        ) {
            cols.flags[0] |= crate::world::F_TRUE_VIOLATION;
        }
        TracedFirm {
            id,
            cols,
            pending: Vec::new(),
            list_states: vec![ListState::default(); w.plan.firm_lists.len()],
            messages,
            message_at: 0,
            inbox: Vec::new(),
            employee_records: records.iter().map(|&(d, _)| d).collect(),
            records_at: 0,
            alive: true,
            scores_before: Vec::new(),
            outbox: FirmOutbox::new(Counters::new(N_PROVINCES, w.firm_cols.columns.len())),
            rows: Vec::new(),
            states: Vec::new(),
            suppliers_seen: vec![0; w.params.network.suppliers_per_firm as usize],
        }
    }

    fn flags(&self) -> u16 {
        self.cols.flags[0]
    }

    /// Interventions of the day: against the firm, or seen by its leaders.
    fn interventions(&mut self, w: &Replay<'_>, day: u32) {
        self.alive = self.flags() & F_ALIVE != 0;
        let c = &mut self.cols;
        for iv in w.params.interventions.iter().filter(|iv| iv.day == day) {
            let target = w.layout.platform_firms.get(iv.platform).copied();
            if target == Some(self.id) {
                let (lost, fine) =
                    intervene_target(iv, &mut c.value[0], &mut c.flags[0], &mut c.leader_fear[0]);
                let detail =
                    format!("{}: value lost {lost:.0} yuan, fine {fine:.0} yuan, listing halted", iv.name);
                self.rows.push(TraceRow {
                    day,
                    kind: "intervention",
                    what: iv.name.clone(),
                    value: lost + fine,
                    detail,
                });
            } else if target.is_some() && self.alive && firm_traits(&w.params, &w.layout, self.id).size == 3 {
                witness(iv, &mut c.leader_fear[0]);
                let detail = format!("its leaders see {} happen to another large firm", iv.name);
                self.rows.push(TraceRow {
                    day,
                    kind: "intervention",
                    what: iv.name.clone(),
                    value: iv.leaders_fear,
                    detail,
                });
            }
        }
    }

    /// Before the firm phase: yesterday's messages, then the late records due today.
    fn receive(&mut self, day: u32) {
        let today = &self.messages[self.message_at..];
        let n = today.partition_point(|m| m.day <= day);
        self.inbox.clear();
        self.inbox.extend(today[..n].iter().map(|m| m.to));
        self.message_at += n;
        take_due(&mut self.pending, day, &mut self.inbox);
    }

    /// After the person phase of `day`: the records of its employees that the log hands it
    /// for tomorrow, added to its column as the run adds them.
    fn employee_records_of(&mut self, day: u32) {
        let records = &self.employee_records[self.records_at..];
        let n = records.partition_point(|&d| d <= day + 1);
        self.records_at += n;
        let r = &mut self.cols.employee_records[0];
        *r = r.saturating_add(n.min(u16::MAX as usize) as u16);
    }

    /// The firm phase: the kernel runs on the firm as a chunk of one.
    fn run(&mut self, w: &Replay<'_>, day: u32) {
        if !self.alive {
            // A closed firm's slot: the kernel only draws whether a firm is founded in it.
            if w.params.population.firm_founding > 0.0 {
                self.found(w, day);
            }
            return;
        }
        for m in &self.inbox {
            let (what, detail) = match m.message {
                Message::Dropped => {
                    ("dropped".to_string(), "a customer dropped it for being blacklisted".to_string())
                }
                Message::Record { authority, event, false_record } => {
                    let detail = format!("{} arrives", record_detail(&w.params, authority, false_record));
                    (FIRM_EVENTS[event as usize].name.to_string(), detail)
                }
                _ => continue,
            };
            self.rows.push(TraceRow { day, kind: "message", what, value: 1.0, detail });
        }
        let employee_records = self.cols.employee_records[0];
        if employee_records > 0 {
            let detail = "recorded violations of its employees yesterday".to_string();
            self.rows.push(TraceRow {
                day,
                kind: "employer",
                what: "employee_records".into(),
                value: employee_records as f64,
                detail,
            });
        }
        self.supplier_rows(w, day);
        self.scores_before = self.cols.scores.clone();
        self.run_kernel(w, day, true);
        self.after_kernel(w, day);
    }

    /// The firm's slot through the day's kernel, alone: its counter cell and messages cleared
    /// first; `with_inbox` delivers today's inbox (a closed slot has none).
    fn run_kernel(&mut self, w: &Replay<'_>, day: u32, with_inbox: bool) {
        let ctx = firm_ctx(w, day);
        let cell = w.layout.firm_province(self.id) as usize;
        let o = &mut self.outbox;
        o.clear_messages();
        clear_cell(&mut o.counters, cell);
        let (cols, scores) = self.cols.split_mut();
        let inbox = if with_inbox { &self.inbox[..] } else { &[] };
        let chunk = FirmChunk { start: self.id, cols, scores, inbox };
        firms::run_chunk(&ctx, chunk, &mut self.outbox);
    }

    /// A day of the firm's slot while closed: the kernel draws whether a firm is founded in it.
    fn found(&mut self, w: &Replay<'_>, day: u32) {
        self.run_kernel(w, day, false);
        let cell = w.layout.firm_province(self.id) as usize;
        if !self.outbox.founded.is_empty() {
            // The closed firm's late records die with it (as `day.rs` drops them).
            self.pending.clear();
            self.suppliers_seen.fill(0);
            let detail =
                format!("a new firm is founded in the slot (generation {})", self.cols.generation[0]);
            self.rows.push(TraceRow { day, kind: "founding", what: "founded".into(), value: 1.0, detail });
            let width = self.outbox.counters.width;
            let row = &self.outbox.counters.values[cell * width..(cell + 1) * width];
            let c = &w.firm_cols;
            let rating = |col: usize| (c.columns.column(col).family == Family::Rated).then_some("rating");
            counter_rows(day, &c.columns, row, rating, &mut self.rows);
        }
    }

    /// Rows of what the firm's day through the kernel produced.
    fn after_kernel(&mut self, w: &Replay<'_>, day: u32) {
        let cell = w.layout.firm_province(self.id) as usize;
        let width = self.outbox.counters.width;
        let row = &self.outbox.counters.values[cell * width..(cell + 1) * width];
        let c = &w.firm_cols;
        counter_rows(day, &c.columns, row, |col| firm_kind(c, col), &mut self.rows);
        for (slot, &a) in w.plan.firm_lists.iter().enumerate() {
            if row[c.list_entries + slot] > 0 {
                // Sparse lists keep the basis in the entry; otherwise the day's false sanctions tell.
                let entry = self.outbox.entries.iter().find(|(auth, _)| *auth as usize == a);
                let false_basis = entry.map_or(row[c.false_sanctions] > 0, |(_, e)| e.false_basis);
                let detail = list_entry_detail(&w.params, a, false_basis);
                let name = w.params.authorities[a].name.clone();
                self.rows.push(TraceRow {
                    day,
                    kind: "list_entry",
                    what: name,
                    value: 1.0,
                    detail: detail.into(),
                });
                w.entry_measure_rows(day, a, false_basis, false, &mut self.rows);
            }
        }
        for i in 0..self.outbox.to_persons.len() {
            if let Message::EnterList { authority, false_basis } = self.outbox.to_persons[i].message {
                self.representative_row(w, day, authority, false_basis);
            }
        }
        for m in &self.outbox.to_firms {
            let detail = format!("drops supplier {} for being blacklisted", m.agent);
            self.rows.push(TraceRow {
                day,
                kind: "supplier",
                what: "drop".into(),
                value: m.agent as f64,
                detail,
            });
        }
        late_record_rows(&w.params, day, &self.outbox.pending, |e| FIRM_EVENTS[e].name, &mut self.rows);
        self.pending.extend_from_slice(&self.outbox.pending);
    }

    /// List maintenance of the firm's entries, then the day's state.
    fn maintain(&mut self, w: &Replay<'_>, day: u32) {
        let new = std::mem::take(&mut self.outbox.entries);
        let member = (self.id, false, &mut self.cols.lists[0]);
        let (counters, rows) = (&mut self.outbox.counters, &mut self.rows);
        maintain_own(w, day, &w.plan.firm_lists, &mut self.list_states, &new, member, counters, rows);
        self.outbox.entries = new;
        if self.alive {
            let before = std::mem::take(&mut self.scores_before);
            score_rows(&w.params, day, &w.plan.firm_points, &before, &self.cols.scores, &mut self.rows);
        }
        self.states.push(self.state(w, day));
    }

    /// The person the firm's listing put on a list: the first of its candidate representatives
    /// that the log shows receiving the message that day.
    fn representative_row(&mut self, w: &Replay<'_>, day: u32, authority: u16, false_basis: bool) {
        let list = &w.params.authorities[authority as usize].name;
        let wanted = Message::EnterList { authority, false_basis };
        let log = &w.log.person_messages;
        let today = &log[log.partition_point(|m| m.day < day)..log.partition_point(|m| m.day <= day)];
        let received = |p: u32| today.iter().any(|m| !m.early && m.to.agent == p && m.to.message == wanted);
        let rep = w.layout.legal_rep_candidates(self.id).into_iter().flatten().find(|&p| received(p));
        let (value, detail) = match rep {
            Some(p) => (p as f64, format!("its legal representative, person {p}, is put on {list}")),
            None => (-1.0, format!("no eligible legal representative to put on {list}")),
        };
        self.rows.push(TraceRow { day, kind: "message", what: list.clone(), value, detail });
    }

    /// Rows when a supplier's blacklisting changes (as seen at the start of the firm phase).
    fn supplier_rows(&mut self, w: &Replay<'_>, day: u32) {
        for k in 0..w.params.network.suppliers_per_firm {
            let s = w.layout.supplier(self.id, k);
            if s == self.id || self.cols.dropped[0] & (1 << k) != 0 {
                continue;
            }
            let black = w.firm_lists[s as usize] & w.plan.firm_black_mask;
            if black != self.suppliers_seen[k as usize] {
                let verb = if black != 0 { "is blacklisted" } else { "is no longer blacklisted" };
                let detail = format!("supplier {s} {verb}");
                self.rows.push(TraceRow {
                    day,
                    kind: "supplier",
                    what: "supplier_list".into(),
                    value: s as f64,
                    detail,
                });
                self.suppliers_seen[k as usize] = black;
            }
        }
    }

    fn state(&self, w: &Replay<'_>, day: u32) -> FirmState {
        let flags = self.flags();
        FirmState {
            day,
            row: self.cols.row(0),
            alive: flags & F_ALIVE != 0,
            ipo_halted: flags & F_IPO_HALTED != 0,
            scores: (w.plan.firm_points.iter().enumerate())
                .map(|(k, &a)| score_of(&w.params, a, self.cols.scores[k]))
                .collect(),
        }
    }

    fn finish(self, w: &Replay<'_>) -> Trace {
        let t = firm_traits(&w.params, &w.layout, self.id);
        let mut profile = vec![
            ("province".to_string(), PROVINCES[t.province as usize].to_string()),
            ("size".to_string(), SIZE_CLASSES[t.size as usize].to_string()),
            ("sector".to_string(), SECTORS[t.sector as usize].to_string()),
        ];
        if t.platform {
            profile.push(("platform".into(), "one of the politically exposed platform firms".into()));
        }
        let suppliers: Vec<String> = (0..w.params.network.suppliers_per_firm)
            .map(|k| w.layout.supplier(self.id, k).to_string())
            .collect();
        profile.push(("suppliers".into(), suppliers.join(" ")));
        Trace {
            id: self.id,
            profile,
            lists: w.list_names(&w.plan.firm_lists),
            schemes: w.list_names(&w.plan.firm_points),
            rows: self.rows,
            states: AgentState::Firm(self.states),
        }
    }
}
