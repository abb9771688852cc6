//! Lookup tables built once a run (`Plan`) and once a day (`DayTables`), so that the per-agent
//! kernels only index arrays: no exponentials, no maps, no allocation.

use scslab_core::rng::{AgentDayRng, DayStream, Stream};

use crate::params::{AuthorityKind, Change, ListColor, ListRule, MeasureEffect, Params, Subject};
use crate::population::N_PEER_GROUPS;
use crate::theory::Theory;
use crate::theory::expression::{Desired, MIN_SEVERITY, Policy, exponential_quantile};
use crate::vocab::{
    FEV_EXEC_CRITICISM, FIRM_EVENTS, FirmMeasureKind, N_FIRM_EVENTS, N_INCOME, N_PERSON_EVENTS, N_PROVINCES,
    PERSON_EVENTS, PersonMeasureKind, Valence,
};

/// Levels of the perceived-risk multiplier (fear sensitivity times fear).
pub const RISK_LEVELS: usize = 16;
/// Levels of the conformity trait.
pub const CONFORMITY_LEVELS: usize = 4;

/// A measure as applied at list entry.
#[derive(Clone, Copy, Debug)]
pub struct EntryMeasure {
    /// Measure index.
    pub measure: usize,
    /// Its context is unrelated to the list's grounds.
    pub spillover: bool,
}

/// A list whose membership is (also) a score condition, flattened for the person kernel.
#[derive(Clone, Copy, Debug)]
pub struct ScoreList {
    /// List bit.
    pub slot: usize,
    /// List authority.
    pub authority: usize,
    /// Points authority read.
    pub scheme: usize,
    /// Its score column.
    pub score_slot: usize,
    /// Its base score.
    pub base: f64,
    /// Member while the score is below this (infinity when unset).
    pub below: f64,
    /// Member while the score is at or above this (minus infinity when unset).
    pub at_least: f64,
    /// A blacklist.
    pub black: bool,
    /// Membership is only the condition (no record grounds): members leave when it fails.
    pub condition_only: bool,
    /// Whether the condition holds at the base score (a person at base whose membership equals
    /// this needs no check).
    pub holds_at_base: bool,
}

/// Static facts of a run derived from the parameters.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Authority index of each person list slot (bit).
    pub person_lists: Vec<usize>,
    /// Authority index of each firm list slot.
    pub firm_lists: Vec<usize>,
    /// Authority index of each person score column.
    pub person_points: Vec<usize>,
    /// Authority index of each firm score column.
    pub firm_points: Vec<usize>,
    /// Slot (list bit or score column) of each authority within its subject and kind.
    pub slot: Vec<usize>,
    /// Measures applied at entry, own and through memoranda, per authority (lists only).
    pub entry_measures: Vec<Vec<EntryMeasure>>,
    /// Mask of person list bits that are blacklists.
    pub person_black_mask: u8,
    /// Mask of firm list bits that are blacklists.
    pub firm_black_mask: u8,
    /// Mask of person list bits that are redlists.
    pub person_red_mask: u8,
    /// Perceived yuan of sanctions following one record of each event by each authority.
    pub sanction_yuan: Vec<Vec<f64>>,
    /// Perceived yuan of rewards following one record of each event by each authority.
    pub reward_yuan: Vec<Vec<f64>>,
    /// Rollout multiplier of each province.
    pub province_factor: [f64; N_PROVINCES],
    /// Position of each measure among the measures of its subject (its metric column).
    pub measure_pos: Vec<usize>,
    /// Cumulative false-record rates of each authority over its events.
    pub false_cumulative: Vec<Vec<f64>>,
    /// Whether some firm scheme scores employees' records.
    pub employee_scoring: bool,
    /// Lists whose members need sparse entries (expiry, appeal, repair, spells). A list whose
    /// membership is only a score condition keeps just the member bit: with millions of members
    /// (a redlist of good private scores), entries would cost more memory than the persons.
    pub sparse: Vec<bool>,
    /// Person authorities that cover everyone in each province (no area or consent draw).
    pub person_cover_always: [u64; N_PROVINCES],
    /// Bit `a` set: person authority `a` covers only a share of each province it operates in
    /// (one keyed draw per person, `population::covered`).
    pub person_cover_partial_mask: u64,
    /// Person lists whose membership is a score condition, in slot order.
    pub person_score_lists: Vec<ScoreList>,
    /// List bits of `person_score_lists`.
    pub person_score_list_mask: u8,
    /// List bits of the score lists that hold at the base score: a person with every score at
    /// base whose score-list bits equal these has nothing to enter or leave.
    pub person_score_base_members: u8,
    /// Person points schemes that decay: (score column, authority, share recovered a day).
    pub person_decays: Vec<(usize, usize, f64)>,
    /// A person's daily income net of consumption, indexed by income quintile, then urban, then
    /// working age and unemployed: the yuan added to wealth on a day without daily money from a
    /// measure.
    pub person_net_income: [[[f64; 2]; 2]; N_INCOME],
    /// `person_net_income` rounded to whole yuan as the kernel rounds it.
    pub person_net_income_yuan: [[[i64; 2]; 2]; N_INCOME],
    /// Person list bits whose measures include an exec ban.
    pub exec_ban_mask: u8,
    /// Person authorities, in index order.
    pub person_authorities: Vec<usize>,
    /// Person authorities with false records.
    pub person_false_authorities: Vec<usize>,
    /// Firm authorities, in index order.
    pub firm_authorities: Vec<usize>,
    /// Firm authorities with false records.
    pub firm_false_authorities: Vec<usize>,
}

impl Plan {
    /// Derives the plan.
    pub fn new(params: &Params) -> Plan {
        let person_lists = params.person_lists();
        let firm_lists = params.firm_lists();
        let person_points = params.person_points();
        let firm_points = params.firm_points();
        let mut slot = vec![0; params.authorities.len()];
        for v in [&person_lists, &firm_lists, &person_points, &firm_points] {
            for (s, &a) in v.iter().enumerate() {
                slot[a] = s;
            }
        }
        let mut entry_measures = vec![Vec::new(); params.authorities.len()];
        for (a, auth) in params.authorities.iter().enumerate() {
            if let AuthorityKind::List(rule) = &auth.kind {
                let memo = params
                    .memoranda
                    .iter()
                    .filter(|m| m.list == a && m.enabled)
                    .flat_map(|m| m.measures.iter().copied());
                entry_measures[a] = rule
                    .measures
                    .iter()
                    .copied()
                    .chain(memo)
                    .map(|m| EntryMeasure {
                        measure: m,
                        spillover: !rule.related_contexts.contains(&params.measures[m].context),
                    })
                    .collect();
            }
        }
        let mask = |lists: &[usize], member: fn(ListColor) -> bool| {
            lists.iter().enumerate().fold(0u8, |acc, (s, &a)| match &params.authorities[a].kind {
                AuthorityKind::List(l) if member(l.color) => acc | (1 << s),
                _ => acc,
            })
        };
        let mut sanction_yuan = Vec::new();
        let mut reward_yuan = Vec::new();
        for (a, auth) in params.authorities.iter().enumerate() {
            let n = auth.detect.len();
            let mut s = vec![0.0; n];
            let mut r = vec![0.0; n];
            match &auth.kind {
                AuthorityKind::Points(p) => {
                    for e in 0..n {
                        let v = p.points[e] * params.behaviour.point_value;
                        if v < 0.0 { s[e] = -v } else { r[e] = v }
                    }
                }
                AuthorityKind::List(l) => {
                    let total: f64 =
                        entry_measures[a].iter().map(|m| params.measures[m.measure].perceived_yuan).sum();
                    for e in 0..n {
                        if l.grounds[e] {
                            if l.color.sanctions() {
                                s[e] = total
                            } else if l.color.rewards() {
                                r[e] = total
                            }
                        }
                    }
                }
            }
            sanction_yuan.push(s);
            reward_yuan.push(r);
        }
        let mut province_factor = [1.0; N_PROVINCES];
        for (p, f) in province_factor.iter_mut().enumerate() {
            let u = AgentDayRng::new(params.seed, Stream::Province, p as u64, 0).uniform();
            *f = 1.0 - params.rollout.province_spread * u;
        }
        let mut counts = [0usize; 2];
        let measure_pos = params
            .measures
            .iter()
            .map(|m| {
                let k = matches!(m.effect, MeasureEffect::Firm(_)) as usize;
                counts[k] += 1;
                counts[k] - 1
            })
            .collect();
        let false_cumulative = params
            .authorities
            .iter()
            .map(|a| {
                a.false_rate
                    .iter()
                    .scan(0.0, |acc, &r| {
                        *acc += r;
                        Some(*acc)
                    })
                    .collect()
            })
            .collect();
        let employee_scoring = params.authorities.iter().any(|a| {
            matches!(&a.kind, AuthorityKind::Points(p) if a.subject == Subject::Firm && p.employee_points != 0.0)
        });
        let person_authorities: Vec<usize> = (0..params.authorities.len())
            .filter(|&a| params.authorities[a].subject == Subject::Person)
            .collect();
        let firm_authorities: Vec<usize> = (0..params.authorities.len())
            .filter(|&a| params.authorities[a].subject == Subject::Firm)
            .collect();
        let firm_false_authorities = firm_authorities
            .iter()
            .copied()
            .filter(|&a| params.authorities[a].false_rate.iter().any(|&r| r > 0.0))
            .collect();
        let person_false_authorities = person_authorities
            .iter()
            .copied()
            .filter(|&a| params.authorities[a].false_rate.iter().any(|&r| r > 0.0))
            .collect();
        let sparse = sparse_over_run(params);
        let exec_ban_mask = person_lists.iter().enumerate().fold(0u8, |m, (s, &a)| {
            let banned = entry_measures[a].iter().any(|em| {
                matches!(
                    params.measures[em.measure].effect,
                    MeasureEffect::Person(PersonMeasureKind::ExecBan)
                )
            });
            if banned { m | 1 << s } else { m }
        });
        let mut person_cover_always = [0u64; N_PROVINCES];
        let mut person_cover_partial_mask = 0u64;
        for &a in &person_authorities {
            let c = &params.authorities[a].coverage;
            if c.area_share >= 1.0 && c.consent_share >= 1.0 {
                for (p, mask) in person_cover_always.iter_mut().enumerate() {
                    if c.provinces.is_empty() || c.provinces.contains(&(p as u8)) {
                        *mask |= 1 << a;
                    }
                }
            } else {
                person_cover_partial_mask |= 1 << a;
            }
        }
        let person_score_lists: Vec<ScoreList> = person_lists
            .iter()
            .enumerate()
            .filter_map(|(slot, &a)| {
                let AuthorityKind::List(rule) = &params.authorities[a].kind else { return None };
                let sr = rule.score_rule.as_ref()?;
                let AuthorityKind::Points(s) = &params.authorities[sr.authority].kind else { return None };
                Some(ScoreList {
                    slot,
                    authority: a,
                    scheme: sr.authority,
                    score_slot: slot_of(&person_points, sr.authority),
                    base: s.base,
                    below: sr.below.unwrap_or(f64::INFINITY),
                    at_least: sr.at_least.unwrap_or(f64::NEG_INFINITY),
                    black: rule.color.sanctions(),
                    condition_only: rule.grounds.iter().all(|g| !g),
                    holds_at_base: sr.below.is_none_or(|x| s.base < x)
                        && sr.at_least.is_none_or(|x| s.base >= x),
                })
            })
            .collect();
        let bits = |keep: fn(&ScoreList) -> bool| {
            person_score_lists.iter().filter(|sl| keep(sl)).fold(0u8, |m, sl: &ScoreList| m | 1 << sl.slot)
        };
        let person_score_list_mask = bits(|_| true);
        let person_score_base_members = bits(|sl| sl.holds_at_base);
        let person_decays = person_points
            .iter()
            .enumerate()
            .filter_map(|(k, &a)| match &params.authorities[a].kind {
                AuthorityKind::Points(s) if s.decay_per_day > 0.0 => Some((k, a, s.decay_per_day)),
                _ => None,
            })
            .collect();
        let pop = &params.population;
        // Multiplied in the kernel's order, so that a day with daily money computes the same sum.
        let person_net_income: [[[f64; 2]; 2]; N_INCOME] = std::array::from_fn(|q| {
            std::array::from_fn(|urban| {
                std::array::from_fn(|jobless| {
                    pop.daily_income[q]
                        * [pop.rural_income_factor, 1.0][urban]
                        * [1.0, 0.3][jobless]
                        * (1.0 - pop.consumption_share)
                })
            })
        });
        let person_net_income_yuan = person_net_income.map(|u| u.map(|j| j.map(round_i64)));
        Plan {
            person_net_income,
            person_net_income_yuan,
            person_cover_always,
            person_cover_partial_mask,
            person_score_lists,
            person_score_list_mask,
            person_score_base_members,
            person_decays,
            exec_ban_mask,
            sparse,
            person_authorities,
            person_false_authorities,
            firm_authorities,
            firm_false_authorities,
            measure_pos,
            false_cumulative,
            employee_scoring,
            person_black_mask: mask(&person_lists, ListColor::sanctions),
            person_red_mask: mask(&person_lists, ListColor::rewards),
            firm_black_mask: mask(&firm_lists, ListColor::sanctions),
            person_lists,
            firm_lists,
            person_points,
            firm_points,
            slot,
            entry_measures,
            sanction_yuan,
            reward_yuan,
            province_factor,
        }
    }
}

impl Plan {
    /// The plan of parameters changed by a policy change, keeping which lists are sparse: that
    /// was decided for the whole run when the simulation was built (`sparse_over_run`), and
    /// members keep their entries.
    pub fn refresh(&mut self, params: &Params) {
        let sparse = std::mem::take(&mut self.sparse);
        *self = Plan::new(params);
        self.sparse = sparse;
    }
}

/// Whether a list needs sparse entries under `rule`: it has record grounds, a fixed period,
/// credit repair or appeals, or membership is not a score condition.
fn needs_entries(rule: &ListRule) -> bool {
    rule.score_rule.is_none()
        || rule.grounds.iter().any(|&g| g)
        || rule.duration_days.is_some()
        || rule.repair_rate > 0.0
        || rule.appeal_rate > 0.0
}

/// Per authority, whether it is a list that needs sparse entries at some time of the run: under
/// its rules at the start (`params` as the scenario gives them) or after any of its policy
/// changes, applied in day order. A list that needs them from a later day keeps them from
/// day 0, so that a period or credit repair set later also reaches the members of before.
fn sparse_over_run(params: &Params) -> Vec<bool> {
    let mut changes: Vec<&crate::params::PolicyChange> = params.policy_changes.iter().collect();
    changes.sort_by_key(|c| c.day);
    params
        .authorities
        .iter()
        .enumerate()
        .map(|(a, auth)| {
            let AuthorityKind::List(rule) = &auth.kind else { return false };
            let mut rule = rule.clone();
            let mut sparse = needs_entries(&rule);
            for c in changes.iter().filter(|c| c.change.authority() == Some(a)) {
                match &c.change {
                    Change::Authority { duration_days, grounds, .. } => {
                        if let Some(d) = *duration_days {
                            rule.duration_days = d;
                        }
                        if let Some(g) = grounds {
                            rule.grounds.clone_from(g);
                        }
                    }
                    Change::CreditRepair { repair_rate: Some(r), .. } => rule.repair_rate = *r,
                    _ => {}
                }
                sparse |= needs_entries(&rule);
            }
            sparse
        })
        .collect()
}

fn slot_of(list: &[usize], authority: usize) -> usize {
    list.iter().position(|&a| a == authority).unwrap_or(0)
}

/// Combined continuing effects of a set of person lists.
#[derive(Clone, Copy, Debug, Default)]
pub struct PersonEffects {
    /// Daily money, yuan (negative: costs).
    pub daily_money: f64,
    /// Plane and train tickets refused.
    pub travel_ban: bool,
    /// Multiplier of speech reach (and posting).
    pub reach: f64,
    /// Daily probability of losing one's job.
    pub job_loss: f64,
    /// Extra daily probability of finding a job.
    pub hire_bonus: f64,
    /// Daily trust gain (0..1 units) from priority services.
    pub trust_daily: f64,
    /// Perceived yuan of the sanctions one is under (repayment pressure).
    pub pressure_yuan: f64,
}

/// Combined continuing effects of a set of firm lists.
#[derive(Clone, Copy, Debug, Default)]
pub struct FirmEffects {
    /// Multiplier of daily return.
    pub revenue: f64,
    /// Multiplier of detection (inspections).
    pub inspections: f64,
    /// Daily probability of closure.
    pub closure: f64,
}

/// One row of the person kernel's table (one cache line): the day's event probabilities before
/// trait factors, the desired criticism rate and the thinning bound.
#[derive(Clone, Copy, Debug, Default)]
#[repr(align(64))]
pub struct RateRow {
    /// Base rate times deterrence, reward and conformity multipliers of every event.
    pub rates: [f32; N_PERSON_EVENTS],
    /// Criticism rate without deterrence (what people would say without fear).
    pub desired_criticism: f32,
    /// Upper bound of the total event probability over all persons who read this row (the
    /// largest trait factors), for thinning: a uniform draw above it means no event, without
    /// computing the twelve probabilities.
    pub bound: f64,
}

/// Tables valid for one day.
#[derive(Clone, Debug)]
pub struct DayTables {
    /// Rollout coverage of each authority in each province (0 when disabled).
    pub coverage: Vec<[f64; N_PROVINCES]>,
    /// Detection scale of each authority (policy changes).
    pub detection_scale: Vec<f64>,
    /// Deterrence multiplier by province, event and risk level (persons).
    pub person_deterrence: Vec<f32>,
    /// Reward multiplier by province and event (persons).
    pub person_reward: Vec<f32>,
    /// Conformity multiplier by peer group, event and conformity level.
    pub conformity: Vec<f32>,
    /// The one row the person kernel reads, by peer group, risk level and conformity level.
    pub person_rate: Vec<RateRow>,
    /// Deterrence multiplier by province, event and leader-fear level (firms).
    pub firm_deterrence: Vec<f32>,
    /// Multiplier from perceived risk `x` (fear sensitivity times fear) to its level.
    pub risk_level_scale: f64,
    /// Daily probability of a false record by each authority in each province (all events).
    pub false_threshold: Vec<[f64; N_PROVINCES]>,
    /// Upper bound of any firm's total event probability today (thinning, as for persons).
    pub firm_rate_bound: f64,
    /// Sum of `false_threshold` over the person authorities with false records, by province:
    /// one draw below it picks which authority (if any) makes a false record today.
    pub person_false_any: [f64; N_PROVINCES],
    /// Effects of each person list-membership byte.
    pub person_effects: Vec<PersonEffects>,
    /// Effects of each firm list-membership byte.
    pub firm_effects: Vec<FirmEffects>,
    /// Under the expression theory: boldness and today's policy in each province.
    pub expression: Option<ExpressionDay>,
}

/// What the person kernel reads of the expression theory on one day.
#[derive(Clone, Copy, Debug)]
pub struct ExpressionDay {
    /// Mean boldness `beta` of the adults (each adult's is exponential of this mean).
    pub boldness: f64,
    /// How desired dissent is spread.
    pub desired: Desired,
    /// The policy each province's adults face.
    pub policy: [Policy; N_PROVINCES],
    /// The adults' static draws of the theory: (seed, `Stream::Expression`, person, day
    /// `u64::MAX`), a day no run reaches.
    pub traits: DayStream,
}

impl ExpressionDay {
    /// An adult's boldness and desired dissent (before resentment), derived from (seed, id):
    /// the first uniform of their static stream gives the boldness, the second (with
    /// [`Desired::Exponential`]) the desired dissent; otherwise the dissent trait `dissent`.
    #[inline]
    pub fn person(&self, id: u32, dissent: f64) -> (f64, f64) {
        let mut r = self.traits.agent(id as u64);
        let boldness = exponential_quantile(self.boldness, r.uniform());
        let desired = match self.desired {
            Desired::Trait => dissent,
            Desired::Exponential(d) => d.quantile(r.uniform()),
        };
        (boldness, desired)
    }
}

/// `x` in [0, 1] as a byte, rounded up with probability equal to the remainder (to 1/65,536):
/// `r` is a uniform 16-bit draw. Done in 16.16 fixed point, with one float conversion.
#[inline(always)]
pub fn stochastic_byte(x: f64, r: u16) -> u8 {
    let v = (x.clamp(0.0, 1.0) * (255.0 * 65_536.0)) as u32;
    ((v >> 16) + ((v & 0xffff) as u16 > r) as u32).min(255) as u8
}

/// Kinds of trait factor of person events (7.5): 0 violation, 1 favoured, 2 judgment default,
/// 3 loan default, 4 repayment, 5 positive post, 6 criticism (computed apart).
pub(crate) const N_FACTOR_KINDS: usize = 7;

/// The trait-factor kind of each person event.
pub(crate) const FACTOR_KIND: [u8; N_PERSON_EVENTS] = {
    let mut k = [0u8; N_PERSON_EVENTS];
    let mut e = 0;
    while e < N_PERSON_EVENTS {
        k[e] = match e {
            crate::vocab::EV_JUDGMENT_DEFAULT => 2,
            crate::vocab::EV_LOAN_DEFAULT => 3,
            crate::vocab::EV_REPAYMENT => 4,
            crate::vocab::EV_POSITIVE_POST => 5,
            crate::vocab::EV_CRITICISM => 6,
            _ => match PERSON_EVENTS[e].valence {
                Valence::Violation => 0,
                _ => 1,
            },
        };
        e += 1;
    }
    k
};

/// Rounds to the nearest integer (ties away from zero) without a libm call.
#[inline(always)]
pub(crate) fn round_i64(x: f64) -> i64 {
    (x + if x >= 0.0 { 0.5 } else { -0.5 }) as i64
}

/// Expected daily rate of each person event in a peer group with no system: the base rate
/// times the mean trait factor (trait means; clipping at 0 and 1 ignored). Conformity compares
/// peers' recent rates with this reference.
pub fn reference_rates(params: &Params) -> [f64; N_PERSON_EVENTS] {
    let b = &params.behaviour;
    let mut r = [0.0; N_PERSON_EVENTS];
    for (e, info) in PERSON_EVENTS.iter().enumerate() {
        let factor = match e {
            crate::vocab::EV_CRITICISM => 4.0 * b.dissent.mean * b.outspokenness.mean,
            crate::vocab::EV_POSITIVE_POST => 2.0 * (1.0 - b.dissent.mean),
            _ => match info.valence {
                Valence::Violation => 2.0 * (1.0 - b.law_abidance.mean),
                _ => 2.0 * b.prosociality.mean,
            },
        };
        r[e] = b.person_rate[e] * factor;
    }
    r
}

/// Piecewise-linear rollout at `day`.
pub fn rollout_at(schedule: &[(u32, f64)], day: u32) -> f64 {
    match schedule.iter().position(|&(d, _)| d > day) {
        None => schedule.last().map_or(1.0, |p| p.1),
        Some(0) => schedule[0].1,
        Some(i) => {
            let (d0, c0) = schedule[i - 1];
            let (d1, c1) = schedule[i];
            c0 + (c1 - c0) * (day - d0) as f64 / (d1 - d0) as f64
        }
    }
}

impl DayTables {
    /// Allocates tables for a scenario.
    pub fn new(params: &Params) -> DayTables {
        let n_auth = params.authorities.len();
        DayTables {
            coverage: vec![[0.0; N_PROVINCES]; n_auth],
            detection_scale: vec![1.0; n_auth],
            person_deterrence: vec![1.0; N_PROVINCES * N_PERSON_EVENTS * RISK_LEVELS],
            person_reward: vec![1.0; N_PROVINCES * N_PERSON_EVENTS],
            conformity: vec![1.0; N_PEER_GROUPS * N_PERSON_EVENTS * CONFORMITY_LEVELS],
            person_rate: vec![RateRow::default(); N_PEER_GROUPS * RISK_LEVELS * CONFORMITY_LEVELS],
            firm_deterrence: vec![1.0; N_PROVINCES * N_FIRM_EVENTS * RISK_LEVELS],
            false_threshold: vec![[0.0; N_PROVINCES]; n_auth],
            person_false_any: [0.0; N_PROVINCES],
            firm_rate_bound: 1.0,
            risk_level_scale: (RISK_LEVELS - 1) as f64 / (1.0 + params.behaviour.fear_perception),
            person_effects: vec![PersonEffects::default(); 256],
            expression: None,
            firm_effects: vec![FirmEffects::default(); 256],
        }
    }

    /// Index into `person_deterrence`.
    #[inline(always)]
    pub fn pd_index(province: usize, event: usize, level: usize) -> usize {
        (province * N_PERSON_EVENTS + event) * RISK_LEVELS + level
    }

    /// Index into `conformity`.
    #[inline(always)]
    pub fn conf_index(group: usize, event: usize, level: usize) -> usize {
        (group * N_PERSON_EVENTS + event) * CONFORMITY_LEVELS + level
    }

    /// Index into `person_rate`.
    #[inline(always)]
    pub fn rate_index(group: usize, level: usize, clevel: usize) -> usize {
        (group * RISK_LEVELS + level) * CONFORMITY_LEVELS + clevel
    }

    /// Index into `firm_deterrence`.
    #[inline(always)]
    pub fn fd_index(province: usize, event: usize, level: usize) -> usize {
        (province * N_FIRM_EVENTS + event) * RISK_LEVELS + level
    }

    /// Rebuilds the tables for `day`. `enabled` holds the current on/off state of each
    /// authority; `peer_rates[g][e]` are yesterday's true event rates of peer group `g`.
    pub fn rebuild(
        &mut self,
        params: &Params,
        plan: &Plan,
        enabled: &[bool],
        day: u32,
        peer_rates: &[[f64; N_PERSON_EVENTS]],
    ) {
        let roll = rollout_at(&params.rollout.schedule, day);
        for (a, cov) in self.coverage.iter_mut().enumerate() {
            for (p, c) in cov.iter_mut().enumerate() {
                *c = if enabled[a] { roll * plan.province_factor[p] } else { 0.0 };
            }
        }
        for (a, thr) in self.false_threshold.iter_mut().enumerate() {
            let total: f64 = params.authorities[a].false_rate.iter().sum();
            for (p, x) in thr.iter_mut().enumerate() {
                *x = total * self.detection_scale[a] * self.coverage[a][p];
            }
        }
        for (p, any) in self.person_false_any.iter_mut().enumerate() {
            *any = plan.person_false_authorities.iter().map(|&a| self.false_threshold[a][p]).sum();
        }
        let b = &params.behaviour;
        let max_x = 1.0 + b.fear_perception;
        let levels = (0..RISK_LEVELS).map(|l| l as f64 / (RISK_LEVELS - 1) as f64 * max_x);
        let levels: Vec<f64> = levels.collect();
        for p in 0..N_PROVINCES {
            for (e, info) in PERSON_EVENTS.iter().enumerate() {
                let (risk, reward) = self.expected(params, plan, Subject::Person, p, e);
                for (l, &x) in levels.iter().enumerate() {
                    let m = if info.valence == Valence::Favoured {
                        1.0
                    } else {
                        (-b.deterrence_weight * x * risk / 1000.0).exp()
                    };
                    self.person_deterrence[Self::pd_index(p, e, l)] = m as f32;
                }
                let r = reward / 1000.0;
                let m = if info.valence == Valence::Favoured {
                    (1.0 - b.crowding_out[e] * r.min(1.0)).max(0.0) + b.reward_pull * r
                } else {
                    1.0
                };
                self.person_reward[p * N_PERSON_EVENTS + e] = m as f32;
            }
            for (e, info) in FIRM_EVENTS.iter().enumerate() {
                let (risk, _) = self.expected(params, plan, Subject::Firm, p, e);
                for (l, &x) in levels.iter().enumerate() {
                    let m = if info.valence == Valence::Favoured {
                        1.0
                    } else {
                        (-b.deterrence_weight * x * risk / 1000.0).exp()
                    };
                    self.firm_deterrence[Self::fd_index(p, e, l)] = m as f32;
                }
            }
        }
        // Thinning bound of a firm's daily event probability: the largest trait factor (2, or
        // 2 x platform outspokenness for executive criticism) times the largest multiplier.
        self.firm_rate_bound = FIRM_EVENTS
            .iter()
            .enumerate()
            .map(|(e, _)| {
                let most = (0..N_PROVINCES)
                    .flat_map(|p| (0..RISK_LEVELS).map(move |l| (p, l)))
                    .map(|(p, l)| self.firm_deterrence[Self::fd_index(p, e, l)] as f64)
                    .fold(0.0, f64::max);
                let factor =
                    if e == FEV_EXEC_CRITICISM { 2.0 * b.platform_outspokenness.max(1.0) } else { 2.0 };
                b.firm_rate[e] * factor * most
            })
            .sum();
        let reference = reference_rates(params);
        for (g, rates) in peer_rates.iter().enumerate() {
            for e in 0..N_PERSON_EVENTS {
                let conditional = e == crate::vocab::EV_REPAYMENT || e == crate::vocab::EV_JUDGMENT_DEFAULT;
                let ratio = if reference[e] > 0.0 && !conditional {
                    (rates[e] / reference[e]).clamp(0.25, 4.0)
                } else {
                    1.0
                };
                for l in 0..CONFORMITY_LEVELS {
                    let c = l as f64 / (CONFORMITY_LEVELS - 1) as f64;
                    let m = ratio.powf(b.conformity_weight * c);
                    self.conformity[Self::conf_index(g, e, l)] = m as f32;
                }
            }
        }
        self.rebuild_effects(params, plan);
        let max_factor = self.max_trait_factors(params);
        let expression = matches!(params.theory, Theory::Expression(_));
        for g in 0..N_PEER_GROUPS {
            let p = g / 2;
            for l in 0..RISK_LEVELS {
                for c in 0..CONFORMITY_LEVELS {
                    let row = &mut self.person_rate[Self::rate_index(g, l, c)];
                    for (e, r) in row.rates.iter_mut().enumerate() {
                        *r = b.person_rate[e] as f32
                            * self.person_deterrence[Self::pd_index(p, e, l)]
                            * self.person_reward[p * N_PERSON_EVENTS + e]
                            * self.conformity[Self::conf_index(g, e, c)];
                    }
                    row.desired_criticism = (b.person_rate[crate::vocab::EV_CRITICISM]
                        * self.person_reward[p * N_PERSON_EVENTS + crate::vocab::EV_CRITICISM] as f64
                        * self.conformity[Self::conf_index(g, crate::vocab::EV_CRITICISM, c)] as f64)
                        as f32;
                    if expression {
                        // The theory decides how much is expressed: the row holds the base rate.
                        let base = b.person_rate[crate::vocab::EV_CRITICISM] as f32;
                        row.rates[crate::vocab::EV_CRITICISM] = base;
                        row.desired_criticism = base;
                    }
                    let bound: f64 = row.rates.iter().zip(&max_factor).map(|(&r, &m)| r as f64 * m).sum();
                    // Rounding slack: the bound must never fall below the exact total.
                    row.bound = bound * (1.0 + 1e-6) + 1e-12;
                }
            }
        }
    }

    /// Sets today's expression policy (under the expression theory): the authority's own
    /// policy `own`, or, when the regime sets it, its surveillance and severity in each province
    /// from the person authorities that detect criticism (docs/ODD.md, expression theory).
    /// Reads today's coverage: call after [`DayTables::rebuild`].
    pub fn set_expression(&mut self, params: &Params, plan: &Plan, own: Policy) {
        let Theory::Expression(x) = &params.theory else {
            self.expression = None;
            return;
        };
        let policy = std::array::from_fn(|p| {
            if !x.regime {
                return own;
            }
            let e = crate::vocab::EV_CRITICISM;
            let (risk, _) = self.expected(params, plan, Subject::Person, p, e);
            let seen: f64 = params
                .authorities
                .iter()
                .enumerate()
                .filter(|(_, a)| a.subject == Subject::Person && a.detect[e] > 0.0)
                .map(|(a, auth)| {
                    let share = auth.coverage.area_share * auth.coverage.consent_share;
                    let in_area =
                        auth.coverage.provinces.is_empty() || auth.coverage.provinces.contains(&(p as u8));
                    if in_area {
                        (auth.detect[e] * self.detection_scale[a] * self.coverage[a][p]).min(1.0) * share
                    } else {
                        0.0
                    }
                })
                .fold(0.0, |sum, x| sum + x);
            let surveillance = seen.min(1.0);
            // The sanction a seen criticism brings, per 1,000 yuan, scales the table's severity;
            // where nobody records criticism, nothing is punished.
            let severity = if seen > 0.0 {
                (own.severity * risk / seen / 1000.0).max(MIN_SEVERITY)
            } else {
                MIN_SEVERITY
            };
            Policy { surveillance, severity, ..own }
        });
        let traits = DayStream::new(params.seed, Stream::Expression, u64::MAX);
        self.expression = Some(ExpressionDay { boldness: x.boldness, desired: x.desired, policy, traits });
    }

    /// The largest trait factor of each person event (see `persons::trait_factors`).
    pub(crate) fn max_trait_factors(&self, params: &Params) -> [f64; N_PERSON_EVENTS] {
        let max_reach = self.person_effects.iter().map(|e| e.reach).fold(1.0, f64::max);
        let max_pressure = self.person_effects.iter().map(|e| e.pressure_yuan).fold(0.0, f64::max);
        trait_factor_bounds(&params.behaviour, max_reach, max_pressure)
    }

    /// Expected perceived sanction and reward (yuan) of one event in one province: the sum
    /// over authorities of detection times what a record brings (Becker's p * S).
    fn expected(&self, params: &Params, plan: &Plan, subject: Subject, p: usize, e: usize) -> (f64, f64) {
        let mut risk = 0.0;
        let mut reward = 0.0;
        for (a, auth) in params.authorities.iter().enumerate() {
            if auth.subject != subject {
                continue;
            }
            let share = auth.coverage.area_share * auth.coverage.consent_share;
            let in_area = auth.coverage.provinces.is_empty() || auth.coverage.provinces.contains(&(p as u8));
            if !in_area {
                continue;
            }
            let det = (auth.detect[e] * self.detection_scale[a] * self.coverage[a][p]).min(1.0);
            risk += det * share * plan.sanction_yuan[a][e];
            reward += det * share * plan.reward_yuan[a][e];
        }
        (risk, reward)
    }

    fn rebuild_effects(&mut self, params: &Params, plan: &Plan) {
        for bits in 0..256usize {
            let mut pe = PersonEffects { reach: 1.0, ..Default::default() };
            for (s, &a) in plan.person_lists.iter().enumerate() {
                if bits & (1 << s) == 0 {
                    continue;
                }
                for em in &plan.entry_measures[a] {
                    let m = &params.measures[em.measure];
                    if plan.person_black_mask & (1 << s) != 0 {
                        pe.pressure_yuan += m.perceived_yuan;
                    }
                    match m.effect {
                        MeasureEffect::Person(k) => match k {
                            PersonMeasureKind::DailyMoney | PersonMeasureKind::DepositFree => {
                                pe.daily_money += m.daily
                            }
                            PersonMeasureKind::TravelBan => pe.travel_ban = true,
                            PersonMeasureKind::InternetThrottle => pe.reach *= m.factor,
                            PersonMeasureKind::JobExclusion => pe.job_loss += m.prob,
                            PersonMeasureKind::EmploymentPriority => pe.hire_bonus += m.prob,
                            PersonMeasureKind::ServicePriority => pe.trust_daily += m.prob,
                            // Effects at entry (`persons::enter_list`) or on firms (exec ban).
                            PersonMeasureKind::Fine
                            | PersonMeasureKind::Payment
                            | PersonMeasureKind::ExecBan
                            | PersonMeasureKind::PublicShaming
                            | PersonMeasureKind::Detention => {}
                        },
                        MeasureEffect::Firm(_) => {}
                    }
                }
            }
            self.person_effects[bits] = pe;
            let mut fe = FirmEffects { revenue: 1.0, inspections: 1.0, closure: 0.0 };
            for (s, &a) in plan.firm_lists.iter().enumerate() {
                if bits & (1 << s) == 0 {
                    continue;
                }
                for em in &plan.entry_measures[a] {
                    let m = &params.measures[em.measure];
                    match m.effect {
                        MeasureEffect::Firm(FirmMeasureKind::Revenue) => fe.revenue *= m.factor,
                        MeasureEffect::Firm(FirmMeasureKind::Inspections) => fe.inspections *= m.factor,
                        MeasureEffect::Firm(FirmMeasureKind::Closure) => fe.closure += m.prob,
                        // Effects at entry (`firms::enter_list`).
                        MeasureEffect::Firm(FirmMeasureKind::Fine | FirmMeasureKind::ValueShock) => {}
                        MeasureEffect::Person(_) => {}
                    }
                }
            }
            self.firm_effects[bits] = fe;
        }
    }
}

/// The largest trait factor of each person event (7.5) when no measure reaches further than
/// `max_reach` and no one is under more than `max_pressure` yuan of sanctions.
pub(crate) fn trait_factor_bounds(
    b: &crate::params::Behaviour,
    max_reach: f64,
    max_pressure: f64,
) -> [f64; N_PERSON_EVENTS] {
    std::array::from_fn(|e| match e {
        crate::vocab::EV_JUDGMENT_DEFAULT | crate::vocab::EV_LOAN_DEFAULT => 2.0 * 1.6,
        crate::vocab::EV_REPAYMENT => 1.0 + b.repayment_pressure * max_pressure / 1000.0,
        crate::vocab::EV_POSITIVE_POST => 2.0 * max_reach,
        crate::vocab::EV_CRITICISM => 4.0 * max_reach,
        _ => 2.0,
    })
}

#[cfg(test)]
mod tests {
    use super::rollout_at;

    #[test]
    fn rollout_interpolates_and_holds() {
        let s = [(10, 0.2), (20, 0.6)];
        assert_eq!(rollout_at(&s, 0), 0.2);
        assert!((rollout_at(&s, 15) - 0.4).abs() < 1e-12);
        assert_eq!(rollout_at(&s, 99), 0.6);
        assert_eq!(rollout_at(&[], 5), 1.0);
    }
}
