//! Population synthesis: static traits derived from (seed, id), never stored.
//!
//! Persons and firms are numbered province by province (ids `offsets[p]..offsets[p + 1]`), so
//! a person's province is a binary search over 32 offsets and "a person of province p" is one
//! random index into that range. Every other static trait comes from a keyed random stream, so
//! any agent's traits can be recomputed at any time for the cost of a few hashes.

use scslab_core::rng::{AgentDayRng, DayStream, Stream, unit};

use crate::params::{Params, TraitDist};
use crate::vocab::{N_INCOME, N_PROVINCES};

/// Id ranges by province and the few agents with a special role.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Persons of province p are `person_offsets[p]..person_offsets[p + 1]`.
    pub person_offsets: [u32; N_PROVINCES + 1],
    /// Firms of province p are `firm_offsets[p]..firm_offsets[p + 1]`.
    pub firm_offsets: [u32; N_PROVINCES + 1],
    /// Platform firms, in the order of `platform_provinces`.
    pub platform_firms: Vec<u32>,
    person_traits: DayStream,
    firm_traits: DayStream,
    legal_rep: DayStream,
    suppliers: [DayStream; 8],
    coverage: Vec<DayStream>,
    /// Bit p set: the authority operates in province p.
    pub(crate) coverage_provinces: Vec<u32>,
    /// Each authority's area and consent shares as 16-bit thresholds ([`below_16`]).
    coverage_below: Vec<[u32; 2]>,
    /// The urban share and the cumulative age shares as 16-bit thresholds ([`below_16`]).
    urban_below: u32,
    age_below: [u32; 2],
}

/// The threshold `t` such that a 16-bit draw `k` satisfies `k / 2^16 < share` exactly when
/// `k < t`. Comparing the integer draw is the same as comparing the draw converted to a float.
fn below_16(share: f64) -> u32 {
    // `share * 2^16` is exact: a multiplication by a power of two.
    (share * 65_536.0).ceil().clamp(0.0, FULL_16 as f64) as u32
}

/// The threshold of [`below_16`] that every 16-bit draw is below.
const FULL_16: u32 = 65_536;

/// Static traits of a person.
#[derive(Clone, Copy, Debug)]
pub struct PersonTraits {
    /// Province index.
    pub province: u8,
    /// Lives in an urban area.
    pub urban: bool,
    /// Age band 0 (0-14), 1 (15-59) or 2 (60+).
    pub age_band: u8,
    /// Income quintile 0 (poorest) to 4.
    pub income: u8,
    /// Law-abidance in [0, 1].
    pub law_abidance: f32,
    /// Prosociality in [0, 1].
    pub prosociality: f32,
    /// Outspokenness in [0, 1].
    pub outspokenness: f32,
    /// Fear sensitivity in [0, 1].
    pub fear_sensitivity: f32,
    /// Conformity in [0, 1].
    pub conformity: f32,
    /// Initial private dissent in [0, 1].
    pub dissent: f32,
}

impl PersonTraits {
    /// Group cell: (province, urban, income) flattened; see [`N_CELLS`].
    pub fn cell(&self) -> usize {
        (self.province as usize * 2 + self.urban as usize) * N_INCOME + self.income as usize
    }

    /// Peer group for conformity: (province, urban).
    pub fn peer_group(&self) -> usize {
        self.province as usize * 2 + self.urban as usize
    }

    /// Adults in the model's sense (15 and over) take part in events and scoring.
    pub fn is_adult(&self) -> bool {
        self.age_band > 0
    }
}

/// Number of (province, urban, income) cells.
pub const N_CELLS: usize = N_PROVINCES * 2 * N_INCOME;

/// Number of (province, urban) peer groups.
pub const N_PEER_GROUPS: usize = N_PROVINCES * 2;

/// Static traits of a firm.
#[derive(Clone, Copy, Debug)]
pub struct FirmTraits {
    /// Province index.
    pub province: u8,
    /// Size class 0 (micro) to 3 (large).
    pub size: u8,
    /// Sector index.
    pub sector: u8,
    /// Compliance propensity per firm event domain (the last, speech, is unused).
    pub compliance: [f32; 6],
    /// Executive outspokenness in [0, 1].
    pub outspokenness: f32,
    /// One of the few politically exposed platform firms.
    pub platform: bool,
}

impl Layout {
    /// Computes id ranges from the population parameters.
    pub fn new(params: &Params) -> Layout {
        let pop = &params.population;
        let person_offsets = split(params.n_persons, &pop.province_weights);
        let firm_offsets = split(params.n_firms(), &pop.province_weights);
        let platform_firms = pop
            .platform_provinces
            .iter()
            .filter(|&&p| firm_offsets[p as usize + 1] > firm_offsets[p as usize])
            .map(|&p| firm_offsets[p as usize])
            .collect();
        let seed = params.seed;
        let net = |d: u64| DayStream::new(seed, Stream::Network, d);
        Layout {
            person_offsets,
            firm_offsets,
            platform_firms,
            person_traits: DayStream::new(seed, Stream::PersonTraits, 0),
            firm_traits: DayStream::new(seed, Stream::FirmTraits, 0),
            legal_rep: net(2000),
            suppliers: [0, 1, 2, 3, 4, 5, 6, 7].map(|k| net(3000 + k)),
            coverage_provinces: params
                .authorities
                .iter()
                .map(|a| {
                    if a.coverage.provinces.is_empty() {
                        u32::MAX
                    } else {
                        a.coverage.provinces.iter().fold(0, |m, &p| m | 1 << p)
                    }
                })
                .collect(),
            coverage: (0..params.authorities.len() as u64)
                .map(|a| DayStream::new(seed, Stream::Coverage, a))
                .collect(),
            coverage_below: params
                .authorities
                .iter()
                .map(|a| [below_16(a.coverage.area_share), below_16(a.coverage.consent_share)])
                .collect(),
            urban_below: below_16(pop.urban_share),
            age_below: [below_16(pop.age_shares[0]), below_16(pop.age_shares[0] + pop.age_shares[1])],
        }
    }

    /// The share of the persons of `province` whom the partial coverage of `authority` (area
    /// and consent, [`covered`]) covers: exactly the chance of its two 16-bit draws.
    pub fn partial_cover_share(&self, authority: usize, province: u8) -> f64 {
        if self.coverage_provinces[authority] & (1 << province) == 0 {
            return 0.0;
        }
        let [area, consent] = self.coverage_below[authority];
        (area as f64 / 65_536.0) * (consent as f64 / 65_536.0)
    }

    /// Number of persons.
    pub fn n_persons(&self) -> usize {
        self.person_offsets[N_PROVINCES] as usize
    }

    /// Number of firms.
    pub fn n_firms(&self) -> usize {
        self.firm_offsets[N_PROVINCES] as usize
    }

    /// Province of a person.
    #[inline]
    pub fn person_province(&self, person: u32) -> u8 {
        (self.person_offsets.partition_point(|&o| o <= person) - 1) as u8
    }

    /// The persons `ids` with their provinces, in id order: following the province boundaries
    /// instead of searching each.
    #[inline]
    pub fn with_provinces(&self, ids: std::ops::Range<u32>) -> impl Iterator<Item = (u32, u8)> + '_ {
        let mut province = if ids.is_empty() { 0 } else { self.person_province(ids.start) };
        ids.map(move |id| {
            while id >= self.person_offsets[province as usize + 1] {
                province += 1;
            }
            (id, province)
        })
    }

    /// Province of a firm.
    #[inline]
    pub fn firm_province(&self, firm: u32) -> u8 {
        (self.firm_offsets.partition_point(|&o| o <= firm) - 1) as u8
    }

    /// The k-th candidate employer of a person (k in 0..4): a firm of the person's province,
    /// drawn with probability decreasing in the firm's rank, so that the first firms of each
    /// province are the largest employers.
    #[inline]
    pub fn employer_candidate(&self, concentration: u32, person: u32, province: u8, k: u32) -> Option<u32> {
        self.employer_of_draw(concentration, province, self.employer_draw(person, k))
    }

    /// The 64 random bits behind a person's k-th candidate employer: draws 4 to 7 of the
    /// person's trait stream.
    #[inline(always)]
    pub fn employer_draw(&self, person: u32, k: u32) -> u64 {
        let mut rng = self.person_traits.agent(person as u64);
        rng.skip(4 + k as u64);
        rng.next_u64()
    }

    /// The candidate employer that the draw `x` ([`Self::employer_draw`]) names in `province`
    /// (`None`: the province has no firms).
    #[inline(always)]
    pub fn employer_of_draw(&self, concentration: u32, province: u8, x: u64) -> Option<u32> {
        let lo = self.firm_offsets[province as usize];
        let n = self.firm_offsets[province as usize + 1] - lo;
        (n > 0).then(|| lo + employer_rank(n, concentration, x))
    }

    /// The legal representative of a firm: an adult of the firm's province who is not barred
    /// from the post (the first such person among eight keyed draws; `None` if none is found).
    /// A person on a list with an exec ban (bit set in `banned_mask`) is skipped, so a ban moves
    /// the post to the next candidate.
    pub fn legal_representative(
        &self,
        params: &Params,
        firm: u32,
        person_lists: &[u8],
        banned_mask: u8,
    ) -> Option<u32> {
        self.legal_rep_candidates(firm).into_iter().flatten().find(|&p| {
            person_traits(params, self, p).is_adult()
                && person_lists.get(p as usize).is_none_or(|&bits| bits & banned_mask == 0)
        })
    }

    /// The persons who may represent a firm, in order of preference: eight draws among the
    /// persons of its province (none if the province has no persons). The first adult not
    /// under an executive ban is its legal representative.
    pub fn legal_rep_candidates(&self, firm: u32) -> [Option<u32>; 8] {
        let province = self.firm_province(firm) as usize;
        let lo = self.person_offsets[province];
        let n = self.person_offsets[province + 1] - lo;
        if n == 0 {
            return [None; 8];
        }
        let mut rng = self.legal_rep.agent(firm as u64);
        std::array::from_fn(|_| Some(lo + rng.below(n as u64) as u32))
    }

    /// The k-th supplier of a firm (any province).
    #[inline]
    pub fn supplier(&self, firm: u32, k: u32) -> u32 {
        let n = self.n_firms() as u64;
        self.suppliers[k as usize].agent(firm as u64).below(n) as u32
    }

    /// Rank share of a firm within its province (0 = largest).
    fn firm_rank_share(&self, firm: u32, province: u8) -> f64 {
        let lo = self.firm_offsets[province as usize];
        let n = self.firm_offsets[province as usize + 1] - lo;
        (firm - lo) as f64 / n.max(1) as f64
    }
}

/// `x` to the power `n` by square-and-multiply in the order of the runtime's `powi` (the
/// compiler's `__powidf2`), so bit for bit the same as `x.powi(n)`, inlined instead of called
/// (`employer_candidate` runs for every employed person on a day their province sees a closure).
#[inline(always)]
fn powi(mut x: f64, mut n: u32) -> f64 {
    let mut r = 1.0;
    loop {
        if n & 1 != 0 {
            r *= x;
        }
        n >>= 1;
        if n == 0 {
            return r;
        }
        x *= x;
    }
}

/// The rank (0 = largest) of the employer that the draw `x` names among `n > 0` firms: the
/// uniform `u` of `x`, then `n * u^concentration` rounded down, at most `n - 1`.
#[inline(always)]
pub fn employer_rank(n: u32, concentration: u32, x: u64) -> u32 {
    let rank = ((n as f64) * powi(unit(x), concentration)) as u32;
    rank.min(n - 1)
}

/// Bounds on the draws that name rank `rank` among `n` firms ([`employer_rank`]): every draw
/// `x` of that rank lies in the returned range, widened by about 2^-30 of the draws' span on
/// each side for rounding (so a few draws in it may name a neighbouring rank); `None` when no
/// draw names the rank.
pub fn employer_rank_draws(n: u32, concentration: u32, rank: u32) -> Option<(u64, u64)> {
    if rank >= n {
        return None;
    }
    if concentration == 0 {
        // u^0 = 1: every draw names the last rank.
        return (rank == n - 1).then_some((0, u64::MAX));
    }
    // n * u^c >= rank from u = (rank / n)^(1/c) on, and < rank + 1 below ((rank + 1) / n)^(1/c).
    let root = |r: u32| (r as f64 / n as f64).powf(1.0 / concentration as f64);
    let margin = 1.0 / (1u64 << 30) as f64;
    let lo = (root(rank) - margin).max(0.0);
    let hi = if rank == n - 1 { 1.0 } else { root(rank + 1) + margin };
    // As fractions of 2^64 (`as` saturates at both ends).
    let draw = |u: f64| (u * 18_446_744_073_709_551_616.0) as u64;
    Some((draw(lo), draw(hi)))
}

/// Splits `n` ids over weights by largest remainders, so sizes sum exactly to `n`.
fn split(n: u64, weights: &[f64; N_PROVINCES]) -> [u32; N_PROVINCES + 1] {
    let total: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| n as f64 * w / total).collect();
    let mut sizes: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut left = n - sizes.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..N_PROVINCES).collect();
    order.sort_by(|&a, &b| {
        let fa = exact[a] - exact[a].floor();
        let fb = exact[b] - exact[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &p in order.iter().cycle() {
        if left == 0 {
            break;
        }
        sizes[p] += 1;
        left -= 1;
    }
    let mut offsets = [0u32; N_PROVINCES + 1];
    for p in 0..N_PROVINCES {
        offsets[p + 1] = offsets[p] + sizes[p] as u32;
    }
    offsets
}

/// A trait from two uniforms: triangular on [mean - spread, mean + spread], clipped to [0, 1].
#[inline(always)]
fn tri(dist: TraitDist, u1: f32, u2: f32) -> f32 {
    (dist.mean as f32 + dist.spread as f32 * (u1 + u2 - 1.0)).clamp(0.0, 1.0)
}

/// Static traits of a person: four 64-bit draws from the person's trait stream.
#[inline]
pub fn person_traits(params: &Params, layout: &Layout, person: u32) -> PersonTraits {
    person_traits_in(params, layout, person, layout.person_province(person))
}

/// Static traits of a person whose province the caller knows (see [`Layout::with_provinces`]).
#[inline]
pub fn person_traits_in(params: &Params, layout: &Layout, person: u32, province: u8) -> PersonTraits {
    traits_inner(params, layout, person, province, Depth::All)
}

/// Traits of an adult (15 and over) whose province the caller knows; `None` for a minor, at the
/// cost of one draw.
#[inline]
pub fn adult_traits(params: &Params, layout: &Layout, person: u32, province: u8) -> Option<PersonTraits> {
    let t = traits_inner(params, layout, person, province, Depth::Behaviour);
    t.is_adult().then_some(t)
}

/// The first trait draw only (province, urban, age band, income; every other trait 0): what the
/// event engine's fast path needs.
#[inline]
pub fn basic_traits(params: &Params, layout: &Layout, person: u32, province: u8) -> PersonTraits {
    traits_inner(params, layout, person, province, Depth::Basic)
}

/// How many of a person's traits [`traits_inner`] derives.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// The first draw only.
    Basic,
    /// All but law-abidance and prosociality (and only the first draw for a minor).
    Behaviour,
    /// Everything.
    All,
}

#[inline(always)]
fn traits_inner(params: &Params, layout: &Layout, person: u32, province: u8, depth: Depth) -> PersonTraits {
    let b = &params.behaviour;
    let mut rng = layout.person_traits.agent(person as u64);
    // Three 16-bit uniforms compared as integers (see `below_16`); the income quintile is
    // `floor(5 k / 2^16)`, exactly what the float product gives at this precision.
    let [u_urban, u_age, u_income, _] = rng.u16x4().map(u32::from);
    let age_band = (u_age >= layout.age_below[0]) as u8 + (u_age >= layout.age_below[1]) as u8;
    let mut t = PersonTraits {
        province,
        urban: u_urban < layout.urban_below,
        age_band,
        income: ((u_income * N_INCOME as u32) >> 16).min(N_INCOME as u32 - 1) as u8,
        law_abidance: 0.0,
        prosociality: 0.0,
        outspokenness: 0.0,
        fear_sensitivity: 0.0,
        conformity: 0.0,
        dissent: 0.0,
    };
    if depth == Depth::Basic || (age_band == 0 && depth == Depth::Behaviour) {
        return t;
    }
    let [o1, o2, f1, f2] = rng.uniform4();
    let [c1, c2, d1, d2] = rng.uniform4();
    t.outspokenness = tri(b.outspokenness, o1, o2);
    t.fear_sensitivity = tri(b.fear_sensitivity, f1, f2);
    t.conformity = tri(b.conformity, c1, c2);
    t.dissent = tri(b.dissent, d1, d2);
    if depth == Depth::All {
        fill_event_traits(params, layout, person, &mut t);
    }
    t
}

/// Fills law-abidance and prosociality, which only the event draw needs: the person kernel
/// derives them only on the days a person may have an event (the fourth trait draw).
#[inline]
pub fn fill_event_traits(params: &Params, layout: &Layout, person: u32, t: &mut PersonTraits) {
    let b = &params.behaviour;
    let mut rng = layout.person_traits.agent(person as u64);
    rng.skip(3);
    let [l1, l2, p1, p2] = rng.uniform4();
    t.law_abidance = tri(b.law_abidance, l1, l2);
    t.prosociality = tri(b.prosociality, p1, p2);
}

/// Whether a person starts employed (working age only).
pub fn initially_employed(params: &Params, person: u32, traits: &PersonTraits) -> bool {
    traits.age_band == 1
        && AgentDayRng::new(params.seed, Stream::PersonTraits, person as u64, 1).uniform()
            < params.population.employment_rate
}

/// Whether an agent lies in an authority's area and consents to it.
#[inline]
pub fn covered(layout: &Layout, authority: usize, agent: u32, province: u8) -> bool {
    if layout.coverage_provinces[authority] & (1 << province) == 0 {
        return false;
    }
    let [area, consent] = layout.coverage_below[authority];
    // Whole shares: every draw passes, so none is drawn.
    if area == FULL_16 && consent == FULL_16 {
        return true;
    }
    let [u_area, u_consent, _, _] = layout.coverage[authority].agent(agent as u64).u16x4();
    (u_area as u32) < area && (u_consent as u32) < consent
}

/// Static traits of the firm of day 0 in slot `firm`.
pub fn firm_traits(params: &Params, layout: &Layout, firm: u32) -> FirmTraits {
    firm_traits_of(params, layout, firm, 0)
}

/// Static traits of the `generation`-th firm founded in slot `firm` (0: the firm of day 0).
pub fn firm_traits_of(params: &Params, layout: &Layout, firm: u32, generation: u16) -> FirmTraits {
    let mut t = firm_basic_traits(params, layout, firm, layout.firm_province(firm));
    fill_firm_event_traits(params, layout, firm, generation, &mut t);
    t
}

/// Static traits of a firm without a draw: province, size class and platform. Sector,
/// compliance and outspokenness stay 0 until [`fill_firm_event_traits`]; the firm kernel derives
/// them only on the days a firm may have an event.
#[inline]
pub fn firm_basic_traits(params: &Params, layout: &Layout, firm: u32, province: u8) -> FirmTraits {
    let pop = &params.population;
    let rank = layout.firm_rank_share(firm, province);
    // Size classes by rank: the largest firms come first in each province.
    let s = &pop.firm_size_shares;
    let size = if rank < s[3] {
        3
    } else if rank < s[3] + s[2] {
        2
    } else if rank < s[3] + s[2] + s[1] {
        1
    } else {
        0
    };
    FirmTraits {
        province,
        size,
        sector: 0,
        compliance: [0.0; 6],
        outspokenness: 0.0,
        platform: layout.platform_firms.contains(&firm),
    }
}

/// Fills sector (draw 1 of the firm's trait stream), compliance and executive outspokenness
/// (draws 2 to 5). The stream is keyed by the slot and its `generation`, so a firm founded in a
/// closed firm's slot is a new draw; size class, province and platform go with the slot.
#[inline]
pub fn fill_firm_event_traits(
    params: &Params,
    layout: &Layout,
    firm: u32,
    generation: u16,
    t: &mut FirmTraits,
) {
    let pop = &params.population;
    let mut rng = layout.firm_traits.agent(firm as u64 | (generation as u64) << 32);
    let u = rng.uniform();
    let mut acc = 0.0;
    let mut sector = 3u8;
    for (i, share) in pop.sector_shares.iter().enumerate() {
        acc += share;
        if u < acc {
            sector = i as u8;
            break;
        }
    }
    t.sector = sector;
    let [a1, a2, b1, b2] = rng.uniform4();
    let [c1, c2, d1, d2] = rng.uniform4();
    let [e1, e2, f1, f2] = rng.uniform4();
    let [g1, g2, _, _] = rng.uniform4();
    let dist = params.behaviour.firm_compliance;
    t.compliance = [
        tri(dist, a1, a2),
        tri(dist, b1, b2),
        tri(dist, c1, c2),
        tri(dist, d1, d2),
        tri(dist, e1, e2),
        tri(dist, f1, f2),
    ];
    t.outspokenness = tri(params.behaviour.outspokenness, g1, g2);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powi_is_the_runtime_powi_bit_for_bit() {
        let mut rng = scslab_core::rng::DayStream::new(1, scslab_core::rng::Stream::PersonTraits, 0).agent(7);
        for n in 0..12u32 {
            for _ in 0..2_000 {
                let x = rng.uniform() * 4.0 - 2.0;
                // Through a black box, so that the exponent is not a constant the compiler
                // could expand in another order.
                let runtime = std::hint::black_box(x).powi(std::hint::black_box(n as i32));
                assert_eq!(powi(x, n).to_bits(), runtime.to_bits(), "{x}^{n}");
            }
        }
    }

    #[test]
    fn integer_thresholds_agree_with_float_comparisons() {
        let shares =
            [0.0, 1.0, 0.5, 0.6389, 0.1795 + 0.6335, 1.0 / 3.0, 12_345.0 / 65_536.0, 1e-9, 0.999_999];
        for share in shares {
            let t = below_16(share);
            for k in 0..=u16::MAX {
                let u = k as f32 * (1.0 / 65_536.0);
                assert_eq!((u as f64) < share, (k as u32) < t, "share {share}, draw {k}");
            }
        }
        for k in 0..=u16::MAX {
            let u = k as f32 * (1.0 / 65_536.0);
            let float = ((u * N_INCOME as f32) as u8).min(N_INCOME as u8 - 1);
            let int = ((k as u32 * N_INCOME as u32) >> 16).min(N_INCOME as u32 - 1) as u8;
            assert_eq!(float, int, "income quintile of draw {k}");
        }
    }

    /// Every draw of a rank lies in the bounds `employer_rank_draws` gives it: random draws, and
    /// the draws on each side of every boundary between ranks that a bisection finds.
    #[test]
    fn employer_rank_draws_bound_every_draw_of_the_rank() {
        let mut rng = scslab_core::rng::DayStream::new(2, scslab_core::rng::Stream::PersonTraits, 0).agent(5);
        let within = |n: u32, c: u32, x: u64| {
            let r = employer_rank(n, c, x);
            let (lo, hi) =
                employer_rank_draws(n, c, r).unwrap_or_else(|| panic!("rank {r} of {n} has no draws"));
            assert!(
                lo <= x && x <= hi,
                "n {n}, concentration {c}: draw {x:#x} of rank {r} outside {lo:#x}..={hi:#x}"
            );
        };
        for (n, c) in
            [(1, 3), (2, 1), (7, 3), (1_000, 3), (25_000, 3), (4_000_000, 3), (50, 0), (333, 2), (10, 7)]
        {
            for _ in 0..20_000 {
                within(n, c, rng.next_u64());
            }
            // The first draw of each rank (ranks grow with the draw), found by bisection, and the
            // draw before it.
            for r in (1..n).step_by((n as usize / 200).max(1)) {
                let (mut lo, mut hi) = (0u64, u64::MAX);
                if employer_rank(n, c, hi) < r {
                    continue;
                }
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if employer_rank(n, c, mid) >= r { hi = mid } else { lo = mid + 1 }
                }
                within(n, c, lo);
                within(n, c, lo.saturating_sub(1));
            }
        }
        assert_eq!(employer_rank_draws(50, 0, 10), None, "u^0 = 1 names the last rank only");
        assert_eq!(employer_rank_draws(50, 3, 50), None);
    }

    #[test]
    fn split_sums_exactly_and_follows_weights() {
        let w = crate::vocab::PROVINCE_POPULATION_2020.map(|x| x as f64);
        for n in [0u64, 1, 31, 10_000, 1_000_003] {
            let o = split(n, &w);
            assert_eq!(o[N_PROVINCES] as u64, n);
            assert!(o.windows(2).all(|p| p[0] <= p[1]));
        }
        let o = split(1_409_778_724, &w);
        assert_eq!(o[19] - o[18], 126_012_510, "Guangdong keeps its census count");
    }
}
