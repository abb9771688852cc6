//! List maintenance, once a day after the agent phases: new members join the sparse entry
//! vectors, and members leave by expiry, appeal or credit repair. Exits decided inside the
//! agent phases (repayment, score no longer below the threshold) have already cleared the
//! member's bit; here their entries are dropped and their spells counted.

use scslab_core::rng::{AgentDayRng, Stream};

use crate::metrics::{Counters, FirmCols, PersonCols};
use crate::params::{AuthorityKind, ListRule, Params};
use crate::population::{Layout, person_traits};

use crate::world::{ListEntry, ListState};

/// Who the list's members are.
pub enum Members<'a> {
    /// Person lists, with the person layout for cells.
    Persons {
        /// List bits of all persons.
        bits: &'a mut [u8],
        /// Counter layout.
        cols: &'a PersonCols,
    },
    /// Firm lists.
    Firms {
        /// List bits of all firms.
        bits: &'a mut [u8],
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
    } else if rng.bernoulli(rule.repair_rate) {
        Some(MaintenanceExit::Repaired)
    } else {
        None
    }
}

/// Maintains one list for `day`: appends `new_entries`, removes members who left, decides
/// expiries, appeals and repairs. Returns the number of members whose listing has a false basis.
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
) -> u64 {
    let AuthorityKind::List(rule) = &params.authorities[authority].kind else {
        return 0;
    };
    state.entries.extend(new_entries);
    let bit = 1u8 << slot;
    let mut false_stock = 0;
    let mut spells = state.spells;
    let (bits, exit_col, firm) = match members {
        Members::Persons { bits, cols } => (bits, cols.list_exits + slot, false),
        Members::Firms { bits, cols } => (bits, cols.list_exits + slot, true),
    };
    state.entries.retain(|e| {
        let record = |spells: &mut [u64; 6]| {
            let d = day - e.since;
            let bin = crate::world::SPELL_BINS.partition_point(|&b| b <= d) - 1;
            spells[bin] += 1;
        };
        if bits[e.agent as usize] & bit == 0 {
            record(&mut spells);
            return false;
        }
        let leaves = maintenance_exit(params.seed, rule, authority, day, e).is_some();
        if leaves {
            bits[e.agent as usize] &= !bit;
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
