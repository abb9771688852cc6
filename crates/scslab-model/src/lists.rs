//! List maintenance, once a day after the agent phases: new members join the sparse entry
//! vectors, and members leave by expiry, appeal or credit repair. Exits decided inside the
//! agent phases (repayment, score no longer below the threshold) have already cleared the
//! member's bit; here their entries are dropped and their spells counted.

use rayon::prelude::*;
use scslab_core::chunk::{PERSON_MIN_CHUNK, chunk_len};
use scslab_core::rng::{AgentDayRng, Stream};

use crate::metrics::{Counters, FirmCols, PersonCols};
use crate::params::{AuthorityKind, ListRule, Params};
use crate::population::{Layout, person_traits};
use crate::tables::Plan;

use crate::world::{ListEntry, ListState, P_IN_DEBT, P_TRUE_VIOLATION, Persons};

/// Day key of the Lists stream for the initial members (never a simulated day).
const INITIAL_KEY: u64 = 1 << 32;

/// The person lists' state on day 0: empty, except for lists with an `initial_share`, which
/// start with members (a warm start, docs/ODD.md section 5).
///
/// Adult `i` joins list `a` if `u < min(1, share * A * w_i / W)`, where `w_i = 2 (1 - L_i)
/// (1.6 - 0.3 q_i)` is the judgment-default trait factor (7.5), `A` the number of adults and `W`
/// the sum of their weights, so that the expected share of adults listed is `share` and members
/// are drawn like defaulters; `u` is the first uniform of (Lists, person XOR authority << 40,
/// day key 2^32). Members have a true basis (true-violation flag set), are in debt if the list
/// exits on repayment, have no pending appeal, entered on day 0 for spell counting and, on a list
/// with a fixed period `d`, leave after `1 + floor(v d)` days (`v` the second uniform: entry
/// dates spread evenly over the past period). No measure is applied again. Members are drawn in
/// parallel over fixed chunks of persons; each list's entries stay in id order.
pub fn initial_members(
    params: &Params,
    plan: &Plan,
    layout: &Layout,
    persons: &mut Persons,
) -> (Vec<ListState>, Vec<f64>) {
    let mut states = vec![ListState::default(); plan.person_lists.len()];
    let scales = initial_scales(params, plan, layout, persons.lists.len() as u32);
    if scales.iter().all(|&s| s <= 0.0) {
        return (states, scales);
    }
    // Per chunk of persons, the entries of each list slot in id order; appended in chunk order.
    let len = chunk_len(persons.lists.len(), PERSON_MIN_CHUNK);
    let chunks: Vec<Vec<Vec<ListEntry>>> = persons
        .lists
        .par_chunks_mut(len)
        .zip(persons.flags.par_chunks_mut(len))
        .enumerate()
        .map(|(c, (bits, flags))| {
            let start = c * len;
            let mut entries = vec![Vec::new(); plan.person_lists.len()];
            for (slot, &a) in plan.person_lists.iter().enumerate().filter(|&(slot, _)| scales[slot] > 0.0) {
                for (i, (bits, flags)) in bits.iter_mut().zip(flags.iter_mut()).enumerate() {
                    let id = (start + i) as u32;
                    let Some(entry) = initial_entry(params, layout, a, id, scales[slot]) else { continue };
                    join_initially(params, a, slot, bits, flags);
                    entries[slot].push(entry);
                }
            }
            entries
        })
        .collect();
    for (slot, state) in states.iter_mut().enumerate() {
        state.entries.reserve_exact(chunks.iter().map(|c| c[slot].len()).sum());
    }
    for chunk in chunks {
        for (state, entries) in states.iter_mut().zip(chunk) {
            state.entries.extend(entries);
        }
    }
    (states, scales)
}

/// The largest weight [`initial_weight`] gives (law-abidance 0, the lowest income quintile): no
/// weight exceeds it, in floating point too (each factor is at most its counterpart here).
const MAX_WEIGHT: f64 = 2.0 * 1.6;

/// The judgment-default trait factor of an adult (the warm start's weight); `None` for a minor.
fn initial_weight(params: &Params, layout: &Layout, id: u32) -> Option<f64> {
    let t = person_traits(params, layout, id);
    t.is_adult().then_some(weight(t.law_abidance, t.income))
}

/// The warm start's weight of an adult of law-abidance `law` (in [0, 1]) and income quintile
/// `income`.
fn weight(law: f32, income: u8) -> f64 {
    2.0 * (1.0 - law as f64) * (1.6 - 0.3 * income as f64)
}

/// Per person list slot, the factor `share * A / W` of the warm start (0 for a list without
/// one): one pass over the population, if any list has a warm start.
pub fn initial_scales(params: &Params, plan: &Plan, layout: &Layout, n_persons: u32) -> Vec<f64> {
    let share = |a: usize| match &params.authorities[a].kind {
        AuthorityKind::List(rule) if rule.initial_share > 0.0 => rule.initial_share,
        _ => 0.0,
    };
    if plan.person_lists.iter().all(|&a| share(a) <= 0.0) {
        return vec![0.0; plan.person_lists.len()];
    }
    let (adults, total) = adult_weights(params, layout, n_persons);
    plan.person_lists
        .iter()
        .map(|&a| if share(a) <= 0.0 || total <= 0.0 { 0.0 } else { share(a) * adults as f64 / total })
        .collect()
}

/// Persons whose warm-start weights [`adult_weights`] computes at a time (8 MiB of weights).
const WEIGHT_BLOCK: usize = 1 << 20;

/// Persons per parallel task within a block.
const WEIGHT_CHUNK: usize = 1 << 14;

/// The number of adults and the sum of their weights, added one by one in id order (the
/// rounding of a plain loop, whatever the thread count). The weights of a block of persons are
/// computed in parallel, and summed on one thread while the next block is computed.
fn adult_weights(params: &Params, layout: &Layout, n_persons: u32) -> (u64, f64) {
    let n = n_persons as usize;
    // Fills `weights` with those of block `b` (0 for a minor: adding it leaves the sum as it
    // is) and returns the number of adults in it.
    let fill = |b: usize, weights: &mut Vec<f64>| -> u64 {
        let start = b * WEIGHT_BLOCK;
        weights.resize(WEIGHT_BLOCK.min(n.saturating_sub(start)), 0.0);
        weights
            .par_chunks_mut(WEIGHT_CHUNK)
            .enumerate()
            .map(|(c, ws)| {
                let first = start + c * WEIGHT_CHUNK;
                let mut adults = 0;
                for (i, w) in ws.iter_mut().enumerate() {
                    let x = initial_weight(params, layout, (first + i) as u32);
                    (*w, adults) = (x.unwrap_or(0.0), adults + x.is_some() as u64);
                }
                adults
            })
            .sum()
    };
    let (mut adults, mut total) = (0u64, 0.0f64);
    let (mut current, mut next) = (Vec::new(), Vec::new());
    // Step b sums block b - 1 (in `current`) while block b is computed (into `next`).
    for b in 0..=n.div_ceil(WEIGHT_BLOCK) {
        let (sum, block_adults) =
            rayon::join(|| current.iter().fold(total, |sum, w| sum + w), || fill(b, &mut next));
        (adults, total) = (adults + block_adults, sum);
        std::mem::swap(&mut current, &mut next);
    }
    (adults, total)
}

/// The entry of person `id` on list `authority` on day 0, if the warm start (with `scale` from
/// [`initial_scales`]) puts them there.
pub fn initial_entry(
    params: &Params,
    layout: &Layout,
    authority: usize,
    id: u32,
    scale: f64,
) -> Option<ListEntry> {
    let AuthorityKind::List(rule) = &params.authorities[authority].kind else { return None };
    let mut rng =
        AgentDayRng::new(params.seed, Stream::Lists, id as u64 ^ ((authority as u64) << 40), INITIAL_KEY);
    let u = rng.uniform();
    // Most persons stay off the list whatever their weight: their traits need no deriving.
    if u >= (scale * MAX_WEIGHT).min(1.0) {
        return None;
    }
    let w = initial_weight(params, layout, id)?;
    if u >= (scale * w).min(1.0) {
        return None;
    }
    let v = rng.uniform();
    let until = rule.duration_days.map_or(u32::MAX, |d| 1 + (v * d as f64) as u32);
    Some(ListEntry { agent: id, since: 0, until, appeal_at: u32::MAX, false_basis: false })
}

/// What an initial member's columns get: the list bit, a true violation, and the debt if the
/// list exits on repayment.
pub fn join_initially(params: &Params, authority: usize, slot: usize, bits: &mut u8, flags: &mut u16) {
    *bits |= 1 << slot;
    *flags |= P_TRUE_VIOLATION;
    if let AuthorityKind::List(rule) = &params.authorities[authority].kind
        && rule.exit_on_repayment
    {
        *flags |= P_IN_DEBT;
    }
}

/// Who the list's members are.
pub enum Members<'a> {
    /// Person lists, with the person layout for cells.
    Persons {
        /// List bits of persons `first..`: of all persons in a run, of one in a trace.
        bits: &'a mut [u8],
        /// Id of the person whose bits are `bits[0]`.
        first: u32,
        /// Counter layout.
        cols: &'a PersonCols,
    },
    /// Firm lists.
    Firms {
        /// List bits of firms `first..`: of all firms in a run, of one in a trace.
        bits: &'a mut [u8],
        /// Id of the firm whose bits are `bits[0]`.
        first: u32,
        /// Counter layout.
        cols: &'a FirmCols,
    },
}

/// Why a member leaves a list at daily maintenance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaintenanceExit {
    /// The listing period ended.
    Expired,
    /// An appeal was decided in the member's favour.
    AppealWon,
    /// Credit repair.
    Repaired,
}

/// Whether (and why) the member of `entry` leaves the list of `authority` at `day`'s
/// maintenance. The draws are keyed by (seed, lists stream, agent and authority, day).
pub fn maintenance_exit(
    seed: u64,
    rule: &ListRule,
    authority: usize,
    day: u32,
    e: &ListEntry,
) -> Option<MaintenanceExit> {
    let mut rng =
        AgentDayRng::new(seed, Stream::Lists, e.agent as u64 ^ ((authority as u64) << 40), day as u64);
    let appeal_won = e.appeal_at == day && {
        let p = if e.false_basis { rule.appeal_success_false } else { rule.appeal_success_true };
        rng.bernoulli(p)
    };
    if day >= e.until {
        Some(MaintenanceExit::Expired)
    } else if appeal_won {
        Some(MaintenanceExit::AppealWon)
    } else if day.saturating_sub(e.since) >= rule.repair_after_days && rng.bernoulli(rule.repair_rate) {
        Some(MaintenanceExit::Repaired)
    } else {
        None
    }
}

/// Maintains one list for `day`: appends `new_entries`, removes members who left, decides
/// expiries, appeals and repairs, telling `on_exit` of each member who leaves by maintenance.
/// Returns the number of members whose listing has a false basis. The run maintains whole lists;
/// the trace, the entries of its one agent.
pub fn maintain(
    params: &Params,
    layout: &Layout,
    authority: usize,
    slot: usize,
    day: u32,
    state: &mut ListState,
    new_entries: impl Iterator<Item = ListEntry>,
    members: Members<'_>,
    counters: &mut Counters,
    on_exit: &mut impl FnMut(&ListEntry, MaintenanceExit),
) -> u64 {
    let AuthorityKind::List(rule) = &params.authorities[authority].kind else {
        return 0;
    };
    state.entries.extend(new_entries);
    let bit = 1u8 << slot;
    let mut false_stock = 0;
    let mut spells = state.spells;
    let (bits, first, exit_col, firm) = match members {
        Members::Persons { bits, first, cols } => (bits, first, cols.list_exits + slot, false),
        Members::Firms { bits, first, cols } => (bits, first, cols.list_exits + slot, true),
    };
    state.entries.retain(|e| {
        let record = |spells: &mut [u64; 6]| {
            let d = day - e.since;
            let bin = crate::world::SPELL_BINS.partition_point(|&b| b <= d) - 1;
            spells[bin] += 1;
        };
        let member = &mut bits[(e.agent - first) as usize];
        if *member & bit == 0 {
            record(&mut spells);
            return false;
        }
        if let Some(why) = maintenance_exit(params.seed, rule, authority, day, e) {
            *member &= !bit;
            on_exit(e, why);
            let cell = if firm {
                layout.firm_province(e.agent) as usize
            } else {
                person_traits(params, layout, e.agent).cell()
            };
            counters.add(cell, exit_col, 1);
            record(&mut spells);
            return false;
        }
        false_stock += e.false_basis as u64;
        true
    });
    state.spells = spells;
    false_stock
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `initial_entry` skips the traits of a person whose draw is at or above `scale *
    /// MAX_WEIGHT`: that is exact only if no weight exceeds it.
    #[test]
    fn no_weight_exceeds_the_largest() {
        assert_eq!(weight(0.0, 0), MAX_WEIGHT);
        for income in 0..crate::vocab::N_INCOME as u8 {
            for k in 0..=1000 {
                let law = k as f32 / 1000.0;
                assert!(weight(law, income) <= MAX_WEIGHT, "law {law}, quintile {income}");
                // So that scale * weight never exceeds scale * MAX_WEIGHT either.
                for scale in [1e-9, 0.0087 / 1.3, 0.3, 1.0] {
                    assert!(scale * weight(law, income) <= scale * MAX_WEIGHT);
                }
            }
        }
    }
}
