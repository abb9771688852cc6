//! The day step, top to bottom, in the order of docs/ODD.md ("Process overview and
//! scheduling"). Each phase is one function call; the agent phases run over chunks in parallel
//! and hand their cross-agent effects on through outboxes merged in chunk (id) order.

use rayon::prelude::*;
use scslab_core::chunk::{FIRM_MIN_CHUNK, PERSON_MIN_CHUNK, chunk_len};
use scslab_core::rng::{DayStream, Stream};

use crate::event::EventDay;
use crate::firm_event::FirmEventDay;
use crate::firms::{self, FirmChunk, FirmCtx};
use crate::lists::{self, Members};
use crate::metrics::gini_from_hist;
use crate::params::{AuthorityKind, Change, Intervention, Params};
use crate::persons::{self, PersonChunk, PersonCtx};
use crate::population::{N_CELLS, N_PEER_GROUPS};
use crate::replay::Logged;
use crate::sim::Simulation;
use crate::tables::{DayTables, Plan};
use crate::theory::expression::Policy;
use crate::theory::{DayEnd, TheoryState};
use crate::vocab::{N_INCOME, N_PERSON_EVENTS, PERSON_EVENTS, Valence};
use crate::world::{Addressed, F_ALIVE, F_IPO_HALTED, Message, Pending};

/// Days over which peers' behaviour is averaged for conformity.
pub const PEER_MEMORY_DAYS: f64 = 30.0;

/// The phases of a day, in order (docs/ODD.md, "Process overview and scheduling").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Policy changes take effect; the day's tables are built.
    Start,
    /// Targeted enforcement scheduled for the day.
    Interventions,
    /// Late records reach their authority.
    DueRecords,
    /// The firm phase (over chunks of firms).
    Firms,
    /// The person phase (over chunks of persons).
    Persons,
    /// List maintenance: entries, expiry, appeals, repair.
    Lists,
    /// The behaviour theory's end of day: the expression authority adapts, the reputation game
    /// plays a generation (nothing under deterrence).
    Theory,
    /// Closing the day: the group rates tomorrow reads.
    Close,
}

/// Told when each phase of a day is done: how a benchmark times the phases (the model reads no
/// clock). `()` observes nothing.
pub trait PhaseObserver {
    /// `phase` of the day is done.
    fn done(&mut self, phase: Phase);
}

impl PhaseObserver for () {
    fn done(&mut self, _: Phase) {}
}

/// What runs a day: the whole population ([`Simulation`]) or single agents fed from the replay
/// log (`trace.rs`). Both go through [`run_day`], so the day's order is written once.
pub(crate) trait DayPhases {
    fn start(&mut self, day: u32);
    fn interventions(&mut self, day: u32);
    fn deliver_due_records(&mut self, day: u32);
    fn firm_phase(&mut self, day: u32);
    fn person_phase(&mut self, day: u32);
    fn maintain_lists(&mut self, day: u32);
    fn theory(&mut self, day: u32);
    fn close(&mut self, day: u32);
}

/// One day: its phases in order.
pub(crate) fn run_day(d: &mut impl DayPhases, day: u32, observer: &mut impl PhaseObserver) {
    d.start(day);
    observer.done(Phase::Start);
    d.interventions(day);
    observer.done(Phase::Interventions);
    d.deliver_due_records(day);
    observer.done(Phase::DueRecords);
    d.firm_phase(day);
    observer.done(Phase::Firms);
    d.person_phase(day);
    observer.done(Phase::Persons);
    d.maintain_lists(day);
    observer.done(Phase::Lists);
    d.theory(day);
    observer.done(Phase::Theory);
    d.close(day);
    observer.done(Phase::Close);
}

/// The start of `day`, for the run and the trace alike: scheduled policy changes, then the
/// day's tables from yesterday's peer rates and, under the expression theory, the authority's
/// policy `expression`. Returns whether a policy change applied.
pub(crate) fn start_day(
    params: &mut Params,
    plan: &mut Plan,
    enabled: &mut [bool],
    tables: &mut DayTables,
    peer_rates: &[[f64; N_PERSON_EVENTS]],
    expression: Option<Policy>,
    day: u32,
) -> bool {
    let changed = apply_policy_changes(params, enabled, &mut tables.detection_scale, day);
    if changed {
        plan.refresh(params);
    }
    tables.rebuild(params, plan, enabled, day, peer_rates);
    if let Some(own) = expression {
        tables.set_expression(params, plan, own);
    }
    changed
}

/// Moves the late records of `pending` that reach their authority on `day` into `inbox`, in
/// the order they were made.
pub(crate) fn take_due(pending: &mut Vec<Pending>, day: u32, inbox: &mut Vec<Addressed>) {
    pending.retain(|p| {
        if p.due > day {
            return true;
        }
        let message =
            Message::Record { authority: p.authority, event: p.event, false_record: p.false_record };
        inbox.push(Addressed { agent: p.agent, message });
        false
    });
}

impl Simulation {
    /// Simulates one day and returns its metrics.
    pub fn step(&mut self) -> &crate::metrics::DayMetrics {
        self.step_observed(&mut ())
    }

    /// [`Simulation::step`], telling `observer` when each phase is done.
    pub fn step_observed(&mut self, observer: &mut impl PhaseObserver) -> &crate::metrics::DayMetrics {
        run_day(self, self.day, observer);
        &self.metrics
    }
}

impl DayPhases for Simulation {
    fn start(&mut self, day: u32) {
        let policy = match &self.theory {
            TheoryState::Expression(authority) => Some(authority.policy()),
            _ => None,
        };
        self.replay.start_day(&self.peer_rates, &self.group_sanction_rate, policy);
        let changed = start_day(
            &mut self.params,
            &mut self.plan,
            &mut self.enabled,
            &mut self.tables,
            &self.peer_rates,
            policy,
            day,
        );
        if let Some(ev) = &mut self.event {
            let (params, gsr) = (&self.params, &self.group_sanction_rate);
            ev.day =
                EventDay::new(params, &self.plan, &self.layout, &self.tables, &ev.paths, gsr, day, changed);
        }
        self.metrics.persons.clear();
        self.metrics.firms.clear();
        self.metrics.day = day;
    }

    /// Targeted enforcement scheduled for today.
    fn interventions(&mut self, day: u32) {
        let cols = &self.firm_cols;
        for iv in self.params.interventions.iter().filter(|iv| iv.day == day) {
            let Some(&target) = self.layout.platform_firms.get(iv.platform) else { continue };
            let t = target as usize;
            let cell = self.layout.firm_province(target) as usize;
            let f = &mut self.firms;
            let (lost, fine) = intervene_target(iv, &mut f.value[t], &mut f.flags[t], &mut f.leader_fear[t]);
            let c = &mut self.metrics.firms;
            c.add(cell, cols.value_lost_yuan, (lost + fine) as u64);
            c.add(cell, cols.fines_yuan, fine as u64);
            c.add(cell, cols.funds_extracted_yuan, fine as u64);
            if iv.founder_withdraws {
                let founder = self.layout.legal_representative(&self.params, target, &self.persons.lists, 0);
                if let Some(founder) = founder {
                    let to = Addressed { agent: founder, message: Message::Silence };
                    self.person_inbox.push(to);
                    self.replay.person_messages.push(Logged { day, early: true, to });
                }
            }
            // Leaders of the other large firms see it happen.
            for f in 0..self.firms.value.len() {
                if f != t && self.firms.flags[f] & F_ALIVE != 0 && self.is_large(f as u32) {
                    witness(iv, &mut self.firms.leader_fear[f]);
                }
            }
        }
    }

    /// Moves late records that reach their authority today into the inboxes.
    fn deliver_due_records(&mut self, day: u32) {
        take_due(&mut self.pending_firms, day, &mut self.firm_inbox);
        take_due(&mut self.pending_persons, day, &mut self.person_inbox);
    }

    /// Firms: behaviour, records, scores, lists, partners, closure.
    fn firm_phase(&mut self, day: u32) {
        // The firm excluded from the "other large firms" counters (any intervention's target).
        let target = self.intervention_target;
        self.firm_inbox.sort_by_key(|m| m.agent);
        // Yesterday's closures leave the set of today's.
        self.closed_today.clear(&self.layout);
        self.firm_lists_before.clear();
        self.firm_lists_before.extend_from_slice(&self.firms.lists);
        let black = self.plan.firm_black_mask;
        self.firm_blacklisted.refill(&self.firms.lists, |&bits| bits & black != 0);
        let firm_event = self
            .event
            .as_ref()
            .and_then(|_| FirmEventDay::new(&self.params, &self.plan, &self.tables, &self.enabled, day));
        let ctx = FirmCtx {
            params: &self.params,
            plan: &self.plan,
            layout: &self.layout,
            tables: &self.tables,
            day,
            enabled: &self.enabled,
            cols: &self.firm_cols,
            blacklisted: &self.firm_blacklisted,
            target,
            person_lists: &self.persons.lists,
            streams: [Stream::FirmBehaviour, Stream::Observation, Stream::Consequences]
                .map(|s| DayStream::new(self.params.seed, s, day as u64)),
            year_end: self.params.year_ends.binary_search(&day).is_ok(),
            event: firm_event.as_ref(),
        };
        let len = chunk_len(self.firms.len(), FIRM_MIN_CHUNK);
        let k = self.plan.firm_points.len();
        let inbox = &self.firm_inbox;
        let (cols, scores) = self.firms.split_mut();
        cols.into_par_chunks(len)
            .zip(scores.par_chunks_mut(len * k.max(1)))
            .zip(self.firm_outboxes.par_iter_mut())
            .enumerate()
            .for_each(|(c, ((cols, scores), out))| {
                out.clear();
                let start = (c * len) as u32;
                let end = start + cols.len() as u32;
                let lo = inbox.partition_point(|m| m.agent < start);
                let hi = inbox.partition_point(|m| m.agent < end);
                let chunk = FirmChunk { start, cols, scores, inbox: &inbox[lo..hi] };
                firms::run_chunk(&ctx, chunk, out);
            });
        self.firm_inbox.clear();
        // Late records of a closed firm die with it: none reaches the firm founded in its slot.
        if self.firm_outboxes.iter().any(|o| !o.founded.is_empty()) {
            let outboxes = &self.firm_outboxes;
            let founded = |f: u32| outboxes.iter().any(|o| o.founded.binary_search(&f).is_ok());
            self.pending_firms.retain(|p| !founded(p.agent));
        }
        let log = &mut self.replay;
        for out in &self.firm_outboxes {
            self.metrics.firms.merge(&out.counters);
            self.person_inbox.extend_from_slice(&out.to_persons);
            self.firm_inbox.extend_from_slice(&out.to_firms);
            self.pending_firms.extend_from_slice(&out.pending);
            log.closures.extend(out.closed.iter().map(|&f| (day, f)));
            for &f in &out.closed {
                self.operating.remove(f);
                self.closed_today.add(&self.layout, f);
            }
            for &f in &out.founded {
                self.operating.set(f, true);
            }
            log.foundings.extend(out.founded.iter().map(|&f| (day, f)));
            log.person_messages.extend(out.to_persons.iter().map(|&to| Logged { day, early: false, to }));
            log.firm_messages.extend(out.to_firms.iter().map(|&to| Logged {
                day: day + 1,
                early: false,
                to,
            }));
        }
    }

    /// Persons: messages, employment, income, behaviour, records, scores, lists, travel.
    fn person_phase(&mut self, day: u32) {
        self.person_inbox.sort_by_key(|m| m.agent);
        let ctx = PersonCtx {
            params: &self.params,
            plan: &self.plan,
            layout: &self.layout,
            tables: &self.tables,
            day,
            operating: &self.operating,
            closed_today: &self.closed_today,
            group_sanction_rate: &self.group_sanction_rate,
            cols: &self.person_cols,
            enabled: &self.enabled,
            behaviour: DayStream::new(self.params.seed, Stream::Behaviour, day as u64),
            event: self.event.as_ref().map(|e| &e.day),
            class: self.event.as_ref().map_or(&[], |e| &e.class),
        };
        let len = chunk_len(self.persons.len(), PERSON_MIN_CHUNK);
        let inbox = &self.person_inbox;
        let (cols, score_columns) = self.persons.split_mut();
        // Each chunk's part of every score column (one short vector per chunk and day).
        let mut scores: Vec<Vec<&mut [i16]>> = (0..cols.len().div_ceil(len)).map(|_| Vec::new()).collect();
        for column in score_columns {
            for (chunk, part) in scores.iter_mut().zip(column.chunks_mut(len)) {
                chunk.push(part);
            }
        }
        cols.into_par_chunks(len)
            .zip(scores.into_par_iter())
            .zip(self.person_outboxes.par_iter_mut())
            .enumerate()
            .for_each(|(c, ((cols, scores), out))| {
                out.clear();
                let start = (c * len) as u32;
                let end = start + cols.len() as u32;
                let lo = inbox.partition_point(|m| m.agent < start);
                let hi = inbox.partition_point(|m| m.agent < end);
                let chunk = PersonChunk { start, cols, scores, inbox: &inbox[lo..hi] };
                persons::run_chunk(&ctx, chunk, out);
            });
        self.person_inbox.clear();
        // Adults and scored persons per cell do not change: counted once at setup.
        self.metrics.persons.merge(&self.static_counts);
        // The event engine's stocks of the adults not visited in full.
        if let Some(ev) = &self.event {
            let mut touched = [0u64; N_CELLS];
            let mut quiet_trust = [0i64; N_CELLS];
            let mut own_events = vec![[0i64; N_PERSON_EVENTS]; N_CELLS];
            for out in &self.person_outboxes {
                touched.iter_mut().zip(&out.touched).for_each(|(t, &x)| *t += x);
                quiet_trust.iter_mut().zip(&out.quiet_trust).for_each(|(t, &x)| *t += x);
                for (sums, xs) in own_events.iter_mut().zip(&out.own_events) {
                    sums.iter_mut().zip(xs).for_each(|(t, &x)| *t += x);
                }
            }
            let (params, tables, cols) = (&self.params, &self.tables, &self.person_cols);
            let (touched, trust, own) = (&touched, &quiet_trust, &own_events);
            let m = &mut self.metrics;
            m.aggregated_events =
                ev.census.add_day(params, tables, &ev.day, cols, touched, trust, own, &mut m.persons);
        }
        for out in &self.person_outboxes {
            self.metrics.persons.merge(&out.counters);
            self.pending_persons.extend_from_slice(&out.pending);
            for &f in &out.employee_records {
                let r = &mut self.firms.employee_records[f as usize];
                *r = r.saturating_add(1);
                self.replay.employee_records.push((day + 1, f));
            }
        }
    }

    /// Lists: new members join, members leave by expiry, appeal or repair.
    fn maintain_lists(&mut self, day: u32) {
        for (slot, &a) in self.plan.person_lists.iter().enumerate() {
            let new = self
                .person_outboxes
                .iter()
                .flat_map(|o| o.entries.iter())
                .filter(|(auth, _)| *auth as usize == a)
                .map(|(_, e)| *e);
            let members =
                Members::Persons { bits: &mut self.persons.lists, first: 0, cols: &self.person_cols };
            self.metrics.false_list_stock[slot] = lists::maintain(
                &self.params,
                &self.layout,
                a,
                slot,
                day,
                &mut self.person_list_states[slot],
                new,
                members,
                &mut self.metrics.persons,
                &mut |_, _| {},
            );
        }
        for (slot, &a) in self.plan.firm_lists.iter().enumerate() {
            let new = self
                .firm_outboxes
                .iter()
                .flat_map(|o| o.entries.iter())
                .filter(|(auth, _)| *auth as usize == a)
                .map(|(_, e)| *e);
            let members = Members::Firms { bits: &mut self.firms.lists, first: 0, cols: &self.firm_cols };
            lists::maintain(
                &self.params,
                &self.layout,
                a,
                slot,
                day,
                &mut self.firm_list_states[slot],
                new,
                members,
                &mut self.metrics.firms,
                &mut |_, _| {},
            );
        }
    }

    /// The theory's end of day, after the lists (the reputation game reads today's list
    /// memberships).
    fn theory(&mut self, day: u32) {
        let end = DayEnd {
            params: &self.params,
            plan: &self.plan,
            tables: &self.tables,
            cols: &self.person_cols,
            outboxes: &self.person_outboxes,
            person_lists: &self.persons.lists,
            day,
        };
        crate::theory::end_of_day(&mut self.theory, &end, &mut self.metrics);
    }

    fn close(&mut self, day: u32) {
        self.log_firm_lists(day);
        if let Some(ev) = &mut self.event {
            ev.paths.advance(&ev.day);
        }
        self.close_day();
        self.day += 1;
        let w = &mut self.workload;
        w.days += 1;
        w.candidate_days += self.person_outboxes.iter().map(|o| o.candidates).sum::<u64>();
        w.touched_days += self.person_outboxes.iter().flat_map(|o| &o.touched).sum::<u64>();
        w.firm_full_days += self.firm_outboxes.iter().map(|o| o.full_days).sum::<u64>();
    }
}

impl Simulation {
    /// Logs the firms whose list bits tomorrow's firm phase will see changed from today's.
    fn log_firm_lists(&mut self, day: u32) {
        let changed = self.firms.lists.iter().zip(&self.firm_lists_before).enumerate();
        self.replay.firm_lists.extend(
            changed.filter(|(_, (now, before))| now != before).map(|(f, (&now, _))| (day + 1, f as u32, now)),
        );
    }

    /// Closing the day: wealth Gini, and yesterday's group rates that tomorrow's behaviour reads.
    fn close_day(&mut self) {
        let m = &mut self.metrics;
        let cols = &self.person_cols;
        for cell in 0..N_CELLS {
            let violations: u64 = PERSON_EVENTS
                .iter()
                .enumerate()
                .filter(|(_, e)| e.valence == Valence::Violation)
                .map(|(e, _)| m.persons.get(cell, cols.true_events + e))
                .sum();
            let compliant = m.persons.get(cell, cols.adults) - violations;
            m.persons.add(cell, cols.compliant, compliant);
        }
        m.wealth_gini = gini_from_hist(&m.persons.wealth_hist, &m.persons.wealth_hist_sum);
        let mut adults = [0u64; N_PEER_GROUPS];
        let mut events = vec![[0u64; N_PERSON_EVENTS]; N_PEER_GROUPS];
        let mut sanctions = [0u64; N_PEER_GROUPS];
        for cell in 0..N_CELLS {
            let g = cell / N_INCOME;
            adults[g] += m.persons.get(cell, cols.adults);
            sanctions[g] += m.persons.get(cell, cols.sanctions);
            for (e, x) in events[g].iter_mut().enumerate() {
                *x += m.persons.get(cell, cols.true_events + e);
            }
        }
        for g in 0..N_PEER_GROUPS {
            let n = adults[g].max(1) as f64;
            // Peers' rates as a 30-day moving average, so that rare events do not make
            // conformity jump from one day to the next.
            for (rate, &count) in self.peer_rates[g].iter_mut().zip(&events[g]) {
                *rate += (count as f64 / n - *rate) / PEER_MEMORY_DAYS;
            }
            self.group_sanction_rate[g] = sanctions[g] as f64 / n;
        }
    }
}

/// Applies the policy changes scheduled for `day` to the parameters, the authorities' switches
/// and their detection scales. Returns whether any applied (the plan, derived from the
/// parameters, is then rebuilt). A day has at most one change per kind and target, and changes
/// of different kinds set different values, so their order does not matter.
pub(crate) fn apply_policy_changes(
    params: &mut Params,
    enabled: &mut [bool],
    detection_scale: &mut [f64],
    day: u32,
) -> bool {
    let Params { policy_changes, authorities, memoranda, .. } = params;
    let mut any = false;
    for change in policy_changes.iter().filter(|c| c.day == day) {
        any = true;
        match &change.change {
            Change::Authority {
                authority,
                enabled: on,
                detection_scale: scale,
                duration_days,
                grounds,
                score_below,
                score_at_least,
            } => {
                if let Some(on) = *on {
                    enabled[*authority] = on;
                }
                if let Some(s) = *scale {
                    detection_scale[*authority] = s;
                }
                if let AuthorityKind::List(rule) = &mut authorities[*authority].kind {
                    if let Some(d) = *duration_days {
                        rule.duration_days = d;
                    }
                    if let Some(g) = grounds {
                        rule.grounds.clone_from(g);
                    }
                    if let Some(sr) = &mut rule.score_rule {
                        sr.below = score_below.or(sr.below);
                        sr.at_least = score_at_least.or(sr.at_least);
                    }
                }
            }
            Change::CreditRepair { list, repair_rate, repair_after_days } => {
                if let AuthorityKind::List(rule) = &mut authorities[*list].kind {
                    rule.repair_rate = repair_rate.unwrap_or(rule.repair_rate);
                    rule.repair_after_days = repair_after_days.unwrap_or(rule.repair_after_days);
                }
            }
            Change::Memorandum { memorandum, enabled: on } => memoranda[*memorandum].enabled = *on,
            Change::Representatives { list, legal_rep_list } => {
                if let AuthorityKind::List(rule) = &mut authorities[*list].kind {
                    rule.legal_rep_list = *legal_rep_list;
                }
            }
        }
    }
    any
}

/// Applies, in day order, every policy change of the days before `day`: the parameters,
/// switches and scales as a run has them at the start of `day` (a restored checkpoint). Returns
/// whether any applied.
pub(crate) fn replay_policy_changes(
    params: &mut Params,
    enabled: &mut [bool],
    detection_scale: &mut [f64],
    day: u32,
) -> bool {
    let mut days: Vec<u32> = params.policy_changes.iter().map(|c| c.day).filter(|&d| d < day).collect();
    days.sort_unstable();
    days.dedup();
    let mut any = false;
    for d in days {
        any |= apply_policy_changes(params, enabled, detection_scale, d);
    }
    any
}

/// What an intervention does to its target firm: lost listing and restructuring, a fine, and,
/// if the founder withdraws, a leadership silenced. Returns (value lost, fine).
pub(crate) fn intervene_target(
    iv: &Intervention,
    value: &mut f64,
    flags: &mut u16,
    fear: &mut u8,
) -> (f64, f64) {
    let v = value.max(0.0);
    let lost = v * (iv.ipo_halt_value_share + iv.restructure_value_share).min(1.0);
    let fine = iv.fine_yuan.min(v - lost);
    *value = v - lost - fine;
    *flags |= F_IPO_HALTED;
    if iv.founder_withdraws {
        // The founder withdraws from public life: the firm's leadership falls silent.
        *fear = 255;
    }
    (lost, fine)
}

/// The leaders of another operating large firm see an intervention happen.
pub(crate) fn witness(iv: &Intervention, fear: &mut u8) {
    let f = *fear as f64 / 255.0 + iv.leaders_fear;
    *fear = (f.min(1.0) * 255.0).round() as u8;
}
