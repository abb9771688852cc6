//! The state of a run: structure-of-arrays columns for persons and firms (dense, the common
//! state) and sparse list entries (the rare state).
//!
//! The dense columns of each agent kind are declared once, below, with `dense_columns!`
//! (`columns.rs`): the chunks of the day step, the trace's rows, the bytes per agent of the memory
//! preflight ([`person_bytes`]: 10 bytes per person plus 2 per person points scheme today) and the
//! checkpoint's columns all follow from that declaration. Everything static is derived in
//! `population`, never stored here.

use rayon::prelude::*;
use scslab_core::Day;

use crate::population::{self, Layout};
use crate::vocab::N_PROVINCES;

pub use crate::columns::{ColumnVisitor, ColumnVisitorMut, Plain};

/// Person flag: has an employer.
pub const P_EMPLOYED: u16 = 1 << 0;
/// Person flags: which of the four candidate employers (2 bits).
pub const P_EMP_SLOT_SHIFT: u16 = 1;
/// Mask of the employer slot bits.
pub const P_EMP_SLOT_MASK: u16 = 0b11 << P_EMP_SLOT_SHIFT;
/// Person flag: owes an unpaid court judgment.
pub const P_IN_DEBT: u16 = 1 << 3;
/// Person flag: has committed a true violation in the run (basis of threshold listings).
pub const P_TRUE_VIOLATION: u16 = 1 << 4;
/// Person flag: withdrew from public life (says nothing critical any more).
pub const P_SILENCED: u16 = 1 << 5;
/// Person flags bits 8-15: days of detention left (0..=255), packed here to save a column.
pub const P_DETAINED_SHIFT: u16 = 8;
/// The person flags other than the detention days.
pub const P_FLAG_BITS: u16 = (1 << P_DETAINED_SHIFT) - 1;

/// Firm flag: operating.
pub const F_ALIVE: u16 = 1 << 0;
/// Firm flag: its public listing (IPO) was halted.
pub const F_IPO_HALTED: u16 = 1 << 1;
/// Firm flag: has committed a true violation in the run.
pub const F_TRUE_VIOLATION: u16 = 1 << 2;
/// Firm flag: founded since the last rating (a new firm, the tax rating's M).
pub const F_NEW: u16 = 1 << 3;
/// Firm flags bits 8-15: bit `F_DIRECT_SHIFT + k` set when the firm has a record of a direct
/// grade's grounds of firm points scheme `k` since the last rating.
pub const F_DIRECT_SHIFT: u16 = 8;
/// Most firm points schemes whose direct grades the flags can hold.
pub const MAX_DIRECT_SCHEMES: usize = 8;

dense_columns! {
    /// Dense person columns: one value per person in each declared column, plus the scores of
    /// the person points schemes.
    pub struct Persons, chunk PersonsMut, row PersonRow {
        /// Wealth in yuan.
        wealth: i32,
        /// `P_*` flags.
        flags: u16,
        /// Fear, 0..=255 for 0..1.
        fear: u8,
        /// Resentment of the system, 0..=255.
        resentment: u8,
        /// Trust in the system, 0..=255.
        trust: u8,
        /// Membership bit of each person list.
        lists: u8,
    }
    extra {
        /// Scores of the person points schemes as offsets from base: one column per scheme, so
        /// that a scheme of a few cities touches only the memory pages of its provinces.
        scores: Vec<Vec<i16>>,
    }
}

dense_columns! {
    /// Dense firm columns: one value per firm in each declared column, plus the scores of the
    /// firm points schemes.
    pub struct Firms, chunk FirmsMut, row FirmRow {
        /// Value in yuan.
        value: f64,
        /// `F_*` flags.
        flags: u16,
        /// Membership bit of each firm list.
        lists: u8,
        /// Fear of the firm's leaders, 0..=255.
        leader_fear: u8,
        /// Bit k set: the firm dropped its k-th supplier.
        dropped: u8,
        /// Recorded violations of employees yesterday.
        employee_records: u16,
        /// Firms founded in this slot so far (0: the firm of day 0). The static traits a firm
        /// draws (sector, compliance, outspokenness) are keyed by (seed, slot, generation).
        generation: u16,
    }
    extra {
        /// Scores of the firm points schemes, `max(n_schemes, 1)` per firm side by side, as
        /// offsets from base.
        scores: Vec<i16>,
    }
}

impl Persons {
    /// Every dense column in saved order: the declared ones, then each scheme's scores.
    pub fn visit<V: ColumnVisitor>(&self, v: &mut V) -> Result<(), V::Error> {
        self.visit_declared(v)?;
        self.scores.iter().try_for_each(|column| v.visit("scores", column))
    }

    /// [`Persons::visit`], mutably.
    pub fn visit_mut<V: ColumnVisitorMut>(&mut self, v: &mut V) -> Result<(), V::Error> {
        self.visit_declared_mut(v)?;
        self.scores.iter_mut().try_for_each(|column| v.visit("scores", column))
    }
}

impl Firms {
    /// Every dense column in saved order: the declared ones, then the schemes' scores.
    pub fn visit<V: ColumnVisitor>(&self, v: &mut V) -> Result<(), V::Error> {
        self.visit_declared(v)?;
        v.visit("scores", &self.scores)
    }

    /// [`Firms::visit`], mutably.
    pub fn visit_mut<V: ColumnVisitorMut>(&mut self, v: &mut V) -> Result<(), V::Error> {
        self.visit_declared_mut(v)?;
        v.visit("scores", &mut self.scores)
    }
}

/// One member of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListEntry {
    /// Person or firm index.
    pub agent: u32,
    /// Day of entry.
    pub since: Day,
    /// Day of expiry (`Day::MAX`: none).
    pub until: Day,
    /// Day an appeal is decided (`Day::MAX`: no appeal).
    pub appeal_at: Day,
    /// The listing rests on a false record (or, for score listings, on no true violation).
    pub false_basis: bool,
}

/// Bins of list spell durations, in days: [0,30), [30,90), [90,180), [180,365), [365,730),
/// [730, inf).
pub const SPELL_BINS: [u32; 6] = [0, 30, 90, 180, 365, 730];

/// The sparse state of one list.
#[derive(Clone, Debug, Default)]
pub struct ListState {
    /// Current members, in order of entry (ties by agent id).
    pub entries: Vec<ListEntry>,
    /// Finished spells by duration bin.
    pub spells: [u64; SPELL_BINS.len()],
}

impl ListState {
    /// Records a finished spell of `days`.
    pub fn record_spell(&mut self, days: u32) {
        let bin = SPELL_BINS.partition_point(|&b| b <= days) - 1;
        self.spells[bin] += 1;
    }
}

/// A record that arrives later than the event (late records).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Day it reaches the authority.
    pub due: Day,
    /// Person or firm.
    pub agent: u32,
    /// Authority index.
    pub authority: u16,
    /// Event index.
    pub event: u8,
    /// The record is false.
    pub false_record: bool,
}

/// A message delivered to one agent at the start of its phase.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Message {
    /// A late record arrives.
    Record {
        /// Authority index.
        authority: u16,
        /// Event index.
        event: u8,
        /// The record is false.
        false_record: bool,
    },
    /// Joint punishment: put on a list because of another agent (legal representative).
    EnterList {
        /// Authority index of the list.
        authority: u16,
        /// The listing rests on a false basis.
        false_basis: bool,
    },
    /// The person withdraws from public life (targeted enforcement).
    Silence,
    /// The firm loses a customer that dropped it.
    Dropped,
}

/// A message with its addressee.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Addressed {
    /// Person or firm index.
    pub agent: u32,
    /// The message.
    pub message: Message,
}

/// A set of firms, one bit each: the firms that operate (their `F_ALIVE` flag), read by employed
/// persons to know whether their employer still exists, and the firms on a blacklist at the start
/// of the firm phase, read by their customers. A sixteenth of the firm flags' size (15 MB at full
/// scale), so that look-ups at random firms stay in cache.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FirmSet {
    words: Vec<u64>,
}

impl FirmSet {
    /// All of `n` firms.
    pub fn all(n: usize) -> FirmSet {
        let mut words = vec![u64::MAX; n.div_ceil(64)];
        if let Some(last) = words.last_mut().filter(|_| !n.is_multiple_of(64)) {
            *last = (1 << (n % 64)) - 1;
        }
        FirmSet { words }
    }

    /// None of `n` firms.
    pub fn none(n: usize) -> FirmSet {
        FirmSet { words: vec![0; n.div_ceil(64)] }
    }

    /// The firms whose flags have `F_ALIVE`.
    pub fn from_flags(flags: &[u16]) -> FirmSet {
        let mut set = FirmSet::default();
        set.refill(flags, |&f| f & F_ALIVE != 0);
        set
    }

    /// Makes the set the firms `f` for which `member(&values[f])` holds (in parallel, over
    /// blocks of 64 firms).
    pub fn refill<T: Sync>(&mut self, values: &[T], member: impl Fn(&T) -> bool + Sync) {
        self.words.resize(values.len().div_ceil(64), 0);
        self.words.par_iter_mut().zip(values.par_chunks(64)).for_each(|(word, block)| {
            *word = block.iter().enumerate().fold(0, |w, (i, v)| w | (member(v) as u64) << i);
        });
    }

    /// Whether firm `f` is in the set.
    #[inline(always)]
    pub fn contains(&self, f: u32) -> bool {
        self.words[(f >> 6) as usize] >> (f & 63) & 1 != 0
    }

    /// Puts firm `f` in the set or takes it out.
    pub fn set(&mut self, f: u32, member: bool) {
        let (word, bit) = (&mut self.words[(f >> 6) as usize], 1 << (f & 63));
        *word = if member { *word | bit } else { *word & !bit };
    }

    /// Takes firm `f` out of the set (a firm that closed).
    pub fn remove(&mut self, f: u32) {
        self.set(f, false);
    }
}

/// A [`FirmSet`] that holds few firms (the blacklisted ones), with a summary of one bit per 64
/// firms, set when any of them is in the set: 17 KB at 100 M people and 240 KB at full scale, so
/// that most look-ups at random firms end in the fastest caches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RareFirmSet {
    set: FirmSet,
    summary: FirmSet,
}

impl RareFirmSet {
    /// None of `n` firms.
    pub fn none(n: usize) -> RareFirmSet {
        RareFirmSet { set: FirmSet::none(n), summary: FirmSet::none(n.div_ceil(64)) }
    }

    /// Makes the set the firms `f` for which `member(&values[f])` holds.
    pub fn refill<T: Sync>(&mut self, values: &[T], member: impl Fn(&T) -> bool + Sync) {
        self.set.refill(values, member);
        self.summary.refill(&self.set.words, |&word| word != 0);
    }

    /// Whether firm `f` is in the set.
    #[inline(always)]
    pub fn contains(&self, f: u32) -> bool {
        self.summary.contains(f >> 6) && self.set.contains(f)
    }

    /// Puts firm `f` in the set or takes it out.
    pub fn set(&mut self, f: u32, member: bool) {
        self.set.set(f, member);
        self.summary.set(f >> 6, self.set.words[(f >> 6) as usize] != 0);
    }
}

/// Bits of an employer draw that index [`ClosedToday`]'s filter: 2^16 buckets a province.
const EMPLOYER_BUCKET_BITS: u32 = 16;
/// Words of the filter per province.
const EMPLOYER_BUCKET_WORDS: usize = 1 << (EMPLOYER_BUCKET_BITS - 6);

/// The firms that closed in today's firm phase, and the question every employed person asks of
/// them: did my employer close? A person's employer is derived from their id (its draw,
/// `Layout::employer_draw`, then its rank), so the answer costs that derivation. A filter per
/// province, over the top 16 bits of the draw, marks the draws that can name a firm closed today
/// (`population::employer_rank_draws`); a draw outside it is answered without its rank. The
/// answer is the same either way, the filter only saves work.
#[derive(Clone, Debug)]
pub struct ClosedToday {
    set: RareFirmSet,
    /// Today's closures, to empty the set and the filter tomorrow.
    firms: Vec<u32>,
    /// Per province: a firm of it closed today, or it has no firms (an employed person's
    /// employer can then be closed only there).
    check: [bool; N_PROVINCES],
    /// Per province, `EMPLOYER_BUCKET_WORDS` words: bit b set when a draw whose top bits are b
    /// can name a closed firm (every bit for a province without firms).
    buckets: Vec<u64>,
    concentration: u32,
}

impl ClosedToday {
    /// None of the layout's firms closed (employers drawn at `concentration`).
    pub fn new(layout: &Layout, concentration: u32) -> ClosedToday {
        let n_firms = layout.firm_offsets[N_PROVINCES] as usize;
        let mut today = ClosedToday {
            set: RareFirmSet::none(n_firms),
            firms: Vec::new(),
            check: [false; N_PROVINCES],
            buckets: vec![0; N_PROVINCES * EMPLOYER_BUCKET_WORDS],
            concentration,
        };
        // A province without firms: every draw names no employer, for the whole run.
        for p in (0..N_PROVINCES).filter(|&p| layout.firm_offsets[p + 1] == layout.firm_offsets[p]) {
            today.check[p] = true;
            today.province_buckets(p).fill(u64::MAX);
        }
        today
    }

    /// Empties the set (the start of a firm phase).
    pub fn clear(&mut self, layout: &Layout) {
        for &f in &self.firms {
            self.set.set(f, false);
        }
        self.firms.clear();
        for p in 0..N_PROVINCES {
            if self.check[p] && layout.firm_offsets[p + 1] > layout.firm_offsets[p] {
                self.check[p] = false;
                self.province_buckets(p).fill(0);
            }
        }
    }

    /// Adds firm `f`, closed today.
    pub fn add(&mut self, layout: &Layout, f: u32) {
        self.set.set(f, true);
        self.firms.push(f);
        let p = layout.firm_province(f) as usize;
        self.check[p] = true;
        let lo = layout.firm_offsets[p];
        let n = layout.firm_offsets[p + 1] - lo;
        if let Some((a, b)) = population::employer_rank_draws(n, self.concentration, f - lo) {
            let shift = 64 - EMPLOYER_BUCKET_BITS;
            let buckets = self.province_buckets(p);
            for bucket in (a >> shift) as usize..=(b >> shift) as usize {
                buckets[bucket / 64] |= 1 << (bucket % 64);
            }
        }
    }

    fn province_buckets(&mut self, p: usize) -> &mut [u64] {
        &mut self.buckets[p * EMPLOYER_BUCKET_WORDS..][..EMPLOYER_BUCKET_WORDS]
    }

    /// Whether firm `f` closed today.
    #[inline(always)]
    pub fn contains(&self, f: u32) -> bool {
        self.set.contains(f)
    }

    /// Whether an employed person of `province` may have lost their employer today (a firm of
    /// the province closed, or it has none): elsewhere [`Self::employer_closed`] is false.
    #[inline(always)]
    pub fn check(&self, province: u8) -> bool {
        self.check[province as usize]
    }

    /// Whether the employer in slot `slot` of person `id` of `province` closed today (a
    /// province without firms: always).
    #[inline(always)]
    pub fn employer_closed(&self, layout: &Layout, id: u32, province: u8, slot: u32) -> bool {
        let x = layout.employer_draw(id, slot);
        let bucket = (x >> (64 - EMPLOYER_BUCKET_BITS)) as usize;
        let word = self.buckets[province as usize * EMPLOYER_BUCKET_WORDS + bucket / 64];
        word >> (bucket % 64) & 1 != 0
            && layout.employer_of_draw(self.concentration, province, x).is_none_or(|f| self.contains(f))
    }
}

/// Dense bytes per person for `n_person_schemes` points schemes.
pub const fn person_bytes(n_person_schemes: usize) -> usize {
    Persons::BYTES + 2 * n_person_schemes
}

/// Dense bytes per firm for `n_firm_schemes` points schemes.
pub const fn firm_bytes(n_firm_schemes: usize) -> usize {
    Firms::BYTES + 2 * n_firm_schemes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declaration_gives_names_bytes_and_layout() {
        assert_eq!(Persons::NAMES, ["wealth", "flags", "fear", "resentment", "trust", "lists"]);
        assert_eq!(Persons::BYTES, 4 + 2 + 1 + 1 + 1 + 1);
        assert_eq!(person_bytes(3), Persons::BYTES + 6);
        assert_eq!(Firms::BYTES, 8 + 2 + 1 + 1 + 1 + 2 + 2);
        assert_eq!(Persons::LAYOUT, "wealth:i32 flags:u16 fear:u8 resentment:u8 trust:u8 lists:u8 ");
        for name in Firms::NAMES {
            assert!(Firms::LAYOUT.contains(&format!("{name}:")), "{name} in {}", Firms::LAYOUT);
        }
    }

    #[test]
    fn chunks_cover_every_agent_once_in_id_order() {
        let n = 1000;
        let mut p = Persons::filled(n, PersonRow { trust: 9, ..PersonRow::default() });
        assert_eq!((p.len(), p.row(n - 1).trust, p.row(0).wealth), (n, 9, 0));
        let (cols, scores) = p.split_mut();
        assert!(scores.is_empty());
        let lens: Vec<usize> = cols.into_par_chunks(300).map(|c| c.len()).collect();
        assert_eq!(lens, [300, 300, 300, 100]);
        let (cols, _) = p.split_mut();
        cols.into_par_chunks(300).enumerate().for_each(|(c, chunk)| {
            for (i, w) in chunk.wealth.iter_mut().enumerate() {
                *w = (c * 300 + i) as i32;
            }
            chunk.lists.fill(c as u8);
        });
        for id in 0..n {
            let row = p.row(id);
            assert_eq!((row.wealth, row.lists, row.trust), (id as i32, (id / 300) as u8, 9), "person {id}");
        }
    }

    #[test]
    fn visits_see_every_column_in_saved_order() {
        struct Names(Vec<(&'static str, usize)>);
        impl ColumnVisitor for Names {
            type Error = ();
            fn visit<T: Plain>(&mut self, name: &'static str, column: &[T]) -> Result<(), ()> {
                self.0.push((name, column.len() * T::BYTES));
                Ok(())
            }
        }
        let mut f = Firms::filled(4, FirmRow::default());
        f.scores = vec![0; 8];
        let mut names = Names(Vec::new());
        f.visit(&mut names).unwrap();
        let expected: Vec<&str> = Firms::NAMES.iter().copied().chain(["scores"]).collect();
        assert_eq!(names.0.iter().map(|x| x.0).collect::<Vec<_>>(), expected);
        assert_eq!(names.0.iter().map(|x| x.1).sum::<usize>(), 4 * firm_bytes(2));
    }

    #[test]
    fn firm_sets_follow_their_columns() {
        for n in [0usize, 1, 63, 64, 65, 200] {
            let flags: Vec<u16> = (0..n).map(|i| if i % 3 == 0 { 0 } else { F_ALIVE | 4 }).collect();
            let mut operating = FirmSet::from_flags(&flags);
            for (f, &flag) in flags.iter().enumerate() {
                assert_eq!(operating.contains(f as u32), flag & F_ALIVE != 0, "firm {f} of {n}");
            }
            assert_eq!(FirmSet::all(n), FirmSet::from_flags(&vec![F_ALIVE; n]), "{n} firms");
            assert_eq!(FirmSet::none(n), FirmSet::from_flags(&vec![0; n]), "{n} firms");
            if n > 0 {
                operating.remove(n as u32 - 1);
                assert!(!operating.contains(n as u32 - 1));
                assert!(!operating.contains(0));
                assert_eq!(operating.contains(1.min(n as u32 - 1)), n > 2);
                operating.set(0, true);
                assert!(operating.contains(0));
            }
            // A refill of a set with other contents (here: the firms on list bit 2).
            let lists: Vec<u8> = (0..n).map(|i| (i % 5) as u8).collect();
            operating.refill(&lists, |&bits| bits & 2 != 0);
            for (f, &bits) in lists.iter().enumerate() {
                assert_eq!(operating.contains(f as u32), bits & 2 != 0, "firm {f} of {n}");
            }
        }
    }

    #[test]
    fn rare_firm_sets_agree_with_their_members() {
        for n in [0usize, 1, 63, 64, 65, 200, 1000] {
            // Members in a few blocks of 64 only, then changed one by one.
            let lists: Vec<u8> = (0..n).map(|i| (i % 97 == 5) as u8).collect();
            let mut rare = RareFirmSet::none(n);
            rare.refill(&lists, |&bits| bits != 0);
            let mut members: Vec<bool> = lists.iter().map(|&b| b != 0).collect();
            for step in 0..3 * n {
                let f = (step * 37) % n;
                if step % 2 == 1 {
                    members[f] = !members[f];
                    rare.set(f as u32, members[f]);
                }
                assert_eq!(rare.contains(f as u32), members[f], "firm {f} of {n} at step {step}");
            }
            for (f, &m) in members.iter().enumerate() {
                assert_eq!(rare.contains(f as u32), m, "firm {f} of {n}");
            }
            let mut refilled = RareFirmSet::default();
            refilled.refill(&members, |&m| m);
            assert_eq!(refilled, rare, "{n} firms");
        }
    }
}
