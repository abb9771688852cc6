//! A running simulation: the state, the reusable buffers, and end-of-run distributions.

use std::ops::Range;

use rayon::prelude::*;
use scslab_core::chunk::{FIRM_MIN_CHUNK, PERSON_MIN_CHUNK, chunk_len, n_chunks};

use crate::firms::FirmOutbox;
use crate::metrics::{Counters, DayMetrics, FirmCols, PersonCols, WEALTH_BINS, gini_from_hist, wealth_bin};
use crate::params::{AuthorityKind, Params};
use crate::persons::PersonOutbox;
use crate::population::{
    Layout, N_CELLS, N_PEER_GROUPS, PersonTraits, adult_traits, covered, firm_traits, initially_employed,
    person_traits, person_traits_in,
};
use crate::replay::ReplayLog;
use crate::tables::{DayTables, Plan};
use crate::theory::{Theory, TheoryState};
use crate::vocab::{N_INCOME, N_PERSON_EVENTS, N_PROVINCES};
use crate::world::{
    Addressed, ClosedToday, F_ALIVE, F_TRUE_VIOLATION, FirmRow, FirmSet, Firms, ListState, P_EMPLOYED,
    Pending, PersonRow, Persons, PersonsMut, RareFirmSet, SPELL_BINS, firm_bytes, person_bytes,
};

/// A simulation in progress. Create with [`Simulation::new`], advance with
/// [`Simulation::step`], read end-of-run distributions with [`Simulation::distributions`].
pub struct Simulation {
    /// Parameters, as changed by the policy changes of the days run so far.
    pub params: Params,
    /// Static plan.
    pub plan: Plan,
    /// Id layout.
    pub layout: Layout,
    /// Today's tables.
    pub tables: DayTables,
    /// Person columns.
    pub persons: Persons,
    /// Firm columns.
    pub firms: Firms,
    /// The firms that operate, a bit each (kept equal to the firms' `F_ALIVE` flags).
    pub operating: FirmSet,
    /// Person lists' sparse state, by slot.
    pub person_list_states: Vec<ListState>,
    /// Firm lists' sparse state, by slot.
    pub firm_list_states: Vec<ListState>,
    /// Person counter layout.
    pub person_cols: PersonCols,
    /// Firm counter layout.
    pub firm_cols: FirmCols,
    /// Metrics of the last simulated day.
    pub metrics: DayMetrics,
    pub(crate) day: u32,
    pub(crate) enabled: Vec<bool>,
    pub(crate) pending_persons: Vec<Pending>,
    pub(crate) pending_firms: Vec<Pending>,
    pub(crate) person_inbox: Vec<Addressed>,
    pub(crate) firm_inbox: Vec<Addressed>,
    pub(crate) firm_lists_before: Vec<u8>,
    /// Firms on a blacklist at the start of today's firm phase.
    pub(crate) firm_blacklisted: RareFirmSet,
    /// Firms that closed in today's firm phase, with the filter of their employees.
    pub(crate) closed_today: ClosedToday,
    pub(crate) person_outboxes: Vec<PersonOutbox>,
    pub(crate) firm_outboxes: Vec<FirmOutbox>,
    pub(crate) peer_rates: Vec<[f64; N_PERSON_EVENTS]>,
    pub(crate) group_sanction_rate: [f64; N_PEER_GROUPS],
    pub(crate) intervention_target: Option<u32>,
    /// Per-cell counters that never change (adults, persons covered by each scheme).
    pub(crate) static_counts: Counters,
    /// What the behaviour theory keeps from day to day.
    pub(crate) theory: TheoryState,
    /// The event engine's paths, census and schedules (`None` under the daily engine).
    pub(crate) event: Option<crate::event::EventState>,
    /// What each day handed from agents to others, for re-simulating one agent later.
    pub replay: ReplayLog,
    /// Work done by the days simulated in this process (for benchmarks; never an output).
    pub workload: Workload,
}

/// Work done by the days a [`Simulation`] value has stepped (not saved in checkpoints: a resumed
/// run starts from zero). Benchmarks read it, and time the phases through
/// [`Simulation::step_observed`], to say where the time of a day goes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Workload {
    /// Days stepped.
    pub days: u64,
    /// Adult-days whose behaviour draw fell below the thinning bound (see `persons`): the days
    /// on which a person's event probabilities were computed.
    pub candidate_days: u64,
    /// Event engine: adult-days visited in full (every adult-day under the daily engine is,
    /// and counts 0 here).
    pub touched_days: u64,
    /// Event engine: operating firm-days drawn in full (`crate::firm_event`; 0 under the daily
    /// engine, which draws them all).
    pub firm_full_days: u64,
}

/// One row of an end-of-run distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct DistRow {
    /// What is distributed: `score:NAME`, `grade:NAME`, `wealth`, `list_spells:NAME`.
    pub distribution: String,
    /// Grouping: `all`, `urban_rural`, `income`.
    pub dimension: &'static str,
    /// Group name.
    pub group: String,
    /// Bin label (grade name, or lower bound).
    pub bin: String,
    /// Lower bound of the bin (NaN for grades).
    pub lower: f64,
    /// Number of agents (or spells).
    pub count: u64,
}

/// Estimated bytes of state for a scenario, before anything is allocated.
#[derive(Clone, Copy, Debug)]
pub struct MemoryEstimate {
    /// Dense bytes per person.
    pub bytes_per_person: u64,
    /// Dense bytes per firm.
    pub bytes_per_firm: u64,
    /// Total estimate including lists, buffers and a margin.
    pub total_bytes: u64,
}

/// Estimates the memory a run will need.
pub fn estimate_memory(params: &Params) -> MemoryEstimate {
    // The event engine keeps each person's class code (one byte) beside the dense columns.
    let class = (params.engine == crate::params::DayEngine::Event) as u64;
    let pp = person_bytes(params.person_points().len()) as u64 + class;
    let fp = firm_bytes(params.firm_points().len().max(1)) as u64 + 1; // + lists snapshot
    let n = params.n_persons;
    let nf = params.n_firms();
    // Score columns start as zero pages, which take memory only once written: a scheme's
    // column is touched only in the provinces it covers (a city scheme in one province's pages,
    // not the country's). Firms keep their schemes' scores side by side.
    let layout = Layout::new(params);
    let agents_in = |mask: u32, offsets: &[u32]| {
        (0..N_PROVINCES)
            .filter(|&p| mask & (1 << p) != 0)
            .map(|p| (offsets[p + 1] - offsets[p]) as u64)
            .sum::<u64>()
    };
    let person_scores: u64 = (params.person_points().iter())
        .map(|&a| 2 * agents_in(layout.coverage_provinces[a], &layout.person_offsets))
        .sum();
    let firm_mask = params.firm_points().iter().fold(0u32, |m, &a| m | layout.coverage_provinces[a]);
    let firm_scores = 2 * params.firm_points().len().max(1) as u64;
    let dense = n * (pp - 2 * params.person_points().len() as u64)
        + person_scores
        + nf * (fp - firm_scores)
        + agents_in(firm_mask, &layout.firm_offsets) * firm_scores;
    // Sparse list entries (20 bytes each, and up to as much again while their vector grows), for
    // lists that keep them, assuming 1% of agents on each such list: 0.4 bytes per agent and
    // list. A scenario that lists far more agents needs more than estimated.
    let sparse = Plan::new(params).sparse;
    let sparse_lists = |lists: Vec<usize>| lists.into_iter().filter(|&a| sparse[a]).count() as u64;
    let lists = (sparse_lists(params.person_lists()) * n + sparse_lists(params.firm_lists()) * nf) * 2 / 5;
    let chunks = (n_chunks(n as usize, PERSON_MIN_CHUNK) + n_chunks(nf as usize, FIRM_MIN_CHUNK)) as u64;
    let counters = chunks * (N_CELLS as u64) * 400 * 8;
    MemoryEstimate {
        bytes_per_person: pp,
        bytes_per_firm: fp,
        total_bytes: dense + lists + counters + 64 * 1024 * 1024,
    }
}

/// A person's dense state on day 0, before the warm start of lists: wealth from income,
/// employed or not, the initial trust; every other column 0 (no list, no fear or resentment).
/// The run and the trace both start from it.
pub(crate) fn initial_person(params: &Params, layout: &Layout, id: u32) -> PersonRow {
    initial_person_with(params, id, &person_traits(params, layout, id), &PersonStart::new(params))
}

/// Everyone's trust on day 0, as a byte.
fn initial_trust(params: &Params) -> u8 {
    (params.behaviour.initial_trust * 255.0).round() as u8
}

/// What every person's day-0 state is made of, worked out once for a chunk of persons: the
/// trust byte ([`initial_trust`]) and the initial wealth of each (rural/urban, income quintile).
struct PersonStart {
    trust: u8,
    wealth: [[i32; N_INCOME]; 2],
}

impl PersonStart {
    fn new(params: &Params) -> PersonStart {
        let pop = &params.population;
        let wealth = |urban: bool, q: usize| {
            let mut income = pop.daily_income[q];
            if !urban {
                income *= pop.rural_income_factor;
            }
            (income * pop.initial_wealth_days).round() as i32
        };
        PersonStart {
            trust: initial_trust(params),
            wealth: [false, true].map(|urban| std::array::from_fn(|q| wealth(urban, q))),
        }
    }
}

/// [`initial_person`] of person `id` with traits `t`, from `start`.
fn initial_person_with(params: &Params, id: u32, t: &PersonTraits, start: &PersonStart) -> PersonRow {
    PersonRow {
        wealth: start.wealth[t.urban as usize][t.income as usize],
        flags: if initially_employed(params, id, t) { P_EMPLOYED } else { 0 },
        trust: start.trust,
        ..PersonRow::default()
    }
}

/// A firm's dense state on day 0: its value, operating, on no list; every other column 0. The
/// run and the trace both start from it.
pub(crate) fn initial_firm(params: &Params, layout: &Layout, f: u32) -> FirmRow {
    let t = firm_traits(params, layout, f);
    let u =
        scslab_core::rng::AgentDayRng::new(params.seed, scslab_core::rng::Stream::FirmTraits, f as u64, 1)
            .uniform();
    let value = crate::firms::initial_value(params, &t, u);
    FirmRow { value, flags: F_ALIVE, ..FirmRow::default() }
}

/// The day-0 tables a warm start of firm scores reads (coverage and deterrence of day 0), or
/// `None` when no firm scheme has a warm start. The run and the trace both build them so.
pub(crate) fn warm_start_tables(params: &Params, plan: &Plan) -> Option<DayTables> {
    let warm = |&a: &usize| matches!(&params.authorities[a].kind, AuthorityKind::Points(s) if s.warm_start);
    if !plan.firm_points.iter().any(warm) {
        return None;
    }
    let mut tables = DayTables::new(params);
    let enabled: Vec<bool> = params.authorities.iter().map(|a| a.enabled).collect();
    let peer_rates = vec![crate::tables::reference_rates(params); N_PEER_GROUPS];
    tables.rebuild(params, plan, &enabled, 0, &peer_rates);
    Some(tables)
}

/// Records whose expected number over the memory of a warm start is at least this are summed
/// as a normal draw; rarer ones are drawn one by one.
const WARM_START_NORMAL_COUNT: f64 = 20.0;

/// A firm's scores on day 0, as offsets from base: 0, or for a scheme with `warm_start` (given
/// its day-0 `tables`) a draw from the stationary distribution of its score, since the firms of
/// day 0 have a history. Records of event `e` reach the scheme at the day-0 rate `lambda_e`
/// (the firm's trait factor at no fear, day-0 deterrence and coverage) and decay at
/// `decay_per_day`: the offset is the sum over past records of `points[e] * (1 - decay)^age`.
/// Over the memory `H = 10 / decay` days, an event expected `m = lambda_e H >= 20` times adds a
/// normal draw of mean `points[e] lambda_e / decay` and variance `points[e]^2 lambda_e /
/// (2 decay)`; a rarer one (a tax evasion) adds its records one by one, a Poisson number of
/// mean `m` at ages uniform over `H`. The sum is rounded and kept within the scheme's bounds.
/// Returns whether the drawn history holds a violation (a listing then rests on a true one).
/// The run and the trace both start from it.
pub(crate) fn initial_firm_scores(
    params: &Params,
    plan: &Plan,
    layout: &Layout,
    tables: Option<&DayTables>,
    f: u32,
    scores: &mut [i16],
) -> bool {
    scores.fill(0);
    let Some(tables) = tables else { return false };
    let mut violated = false;
    let b = &params.behaviour;
    let mut traits = None;
    for (k, &a) in plan.firm_points.iter().enumerate() {
        let auth = &params.authorities[a];
        let AuthorityKind::Points(s) = &auth.kind else { continue };
        if !s.warm_start || s.decay_per_day <= 0.0 || !auth.enabled {
            continue;
        }
        let t = *traits.get_or_insert_with(|| firm_traits(params, layout, f));
        if !covered(layout, a, f, t.province) {
            continue;
        }
        let p = t.province as usize;
        let coverage = tables.coverage[a][p];
        // The perceived-risk level of a firm without fear or inspections (7.18).
        let level =
            ((0.5 / (1.0 + b.fear_perception)) * (crate::tables::RISK_LEVELS - 1) as f64).round() as usize;
        let decay = s.decay_per_day;
        let memory = 10.0 / decay;
        let mut rng = scslab_core::rng::AgentDayRng::new(
            params.seed,
            scslab_core::rng::Stream::FirmTraits,
            f as u64,
            100 + k as u64,
        );
        let mut v = 0.0;
        for e in 0..crate::vocab::N_FIRM_EVENTS {
            if s.points[e] == 0.0 {
                continue;
            }
            let deterrence = tables.firm_deterrence[DayTables::fd_index(p, e, level)] as f64;
            let factor = crate::firms::trait_factor(b, &t, e, 0.0);
            let rate = b.firm_rate[e] * factor * deterrence * (auth.detect[e] * coverage).min(1.0);
            let expected = rate * memory;
            if expected <= 0.0 {
                continue;
            }
            let violation = crate::vocab::FIRM_EVENTS[e].valence == crate::vocab::Valence::Violation;
            if expected >= WARM_START_NORMAL_COUNT {
                violated |= violation;
                let (u1, u2) = (rng.uniform().max(1e-12), rng.uniform());
                let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                let var = s.points[e] * s.points[e] * rate / (2.0 * decay);
                v += s.points[e] * rate / decay + var.sqrt() * z;
            } else {
                // Knuth's Poisson draw, each record at a uniform age.
                let floor = (-expected).exp();
                let mut product = rng.uniform();
                while product > floor {
                    violated |= violation;
                    let age = memory * rng.uniform();
                    v += s.points[e] * (1.0 - decay).powf(age);
                    product *= rng.uniform();
                }
            }
        }
        scores[k] = v.round().clamp(s.min - s.base, s.max - s.base) as i16;
    }
    violated
}

/// Ids of chunk `c` of `len` among `n` agents.
fn chunk_ids(c: usize, len: usize, n: usize) -> Range<u32> {
    (c * len) as u32..((c + 1) * len).min(n) as u32
}

/// Sets persons `start..` (as many as `chunk` holds) to their state on day 0, and adds the
/// adults and the persons scored by each points scheme among them to `counts`, per cell (counts
/// that never change).
fn init_persons(
    params: &Params,
    plan: &Plan,
    layout: &Layout,
    cols: &PersonCols,
    start: u32,
    mut chunk: PersonsMut<'_>,
    mut counts: Counters,
) -> Counters {
    let person_start = PersonStart::new(params);
    for (i, (id, province)) in layout.with_provinces(start..start + chunk.len() as u32).enumerate() {
        let t = person_traits_in(params, layout, id, province);
        chunk.set(i, initial_person_with(params, id, &t, &person_start));
        if !t.is_adult() {
            continue;
        }
        counts.add(t.cell(), cols.adults, 1);
        for (k, &a) in plan.person_points.iter().enumerate() {
            if covered(layout, a, id, t.province) {
                counts.add(t.cell(), cols.scored + k, 1);
            }
        }
    }
    counts
}

/// `a` with `b` added (the counters of the chunks that follow `a`'s).
fn merged(mut a: Counters, b: Counters) -> Counters {
    a.merge(&b);
    a
}

impl Simulation {
    /// Builds the population and the initial state, in parallel on the current rayon pool (over
    /// fixed chunks of ids, so the state does not depend on the number of threads).
    pub fn new(params: Params) -> Simulation {
        let plan = Plan::new(&params);
        let layout = Layout::new(&params);
        let n = layout.n_persons();
        let nf = layout.n_firms();
        let kf = plan.firm_points.len().max(1);
        let mut persons = Persons::filled(n, PersonRow::default());
        // One zeroed allocation per scheme (not a clone: its pages stay untouched).
        persons.scores = (0..plan.person_points.len()).map(|_| vec![0; n]).collect();
        let person_cols = PersonCols::new(&params);
        // The state on day 0 and the counts that never change, over chunks of persons (the
        // counts added up in chunk order).
        let len = chunk_len(n, PERSON_MIN_CHUNK);
        let zero = || Counters::new(N_CELLS, person_cols.columns.len());
        let static_counts = (persons.split_mut().0.into_par_chunks(len).enumerate())
            .fold(zero, |counts, (c, chunk)| {
                init_persons(&params, &plan, &layout, &person_cols, (c * len) as u32, chunk, counts)
            })
            .reduce(zero, merged);
        let mut firms = Firms::filled(nf, FirmRow::default());
        firms.scores = vec![0; nf * kf];
        let len = chunk_len(nf, FIRM_MIN_CHUNK);
        let warm = warm_start_tables(&params, &plan);
        let (cols, scores) = firms.split_mut();
        cols.into_par_chunks(len).zip(scores.par_chunks_mut(len * kf)).enumerate().for_each(
            |(c, (mut chunk, scores))| {
                for i in 0..chunk.len() {
                    let f = (c * len + i) as u32;
                    let mut row = initial_firm(&params, &layout, f);
                    let scores = &mut scores[i * kf..(i + 1) * kf];
                    if initial_firm_scores(&params, &plan, &layout, warm.as_ref(), f, scores) {
                        row.flags |= F_TRUE_VIOLATION;
                    }
                    chunk.set(i, row);
                }
            },
        );
        let (person_list_states, initial_scales) =
            crate::lists::initial_members(&params, &plan, &layout, &mut persons);
        let firm_cols = FirmCols::new(&params);
        let metrics = DayMetrics::new(&params, &person_cols, &firm_cols);
        let person_outboxes = (0..n_chunks(n, PERSON_MIN_CHUNK))
            .map(|_| PersonOutbox::new(Counters::new(N_CELLS, person_cols.columns.len())))
            .collect();
        let firm_outboxes = (0..n_chunks(nf, FIRM_MIN_CHUNK))
            .map(|_| FirmOutbox::new(Counters::new(N_PROVINCES, firm_cols.columns.len())))
            .collect();
        let intervention_target =
            params.interventions.first().and_then(|iv| layout.platform_firms.get(iv.platform).copied());
        let peer_rates = vec![crate::tables::reference_rates(&params); N_PEER_GROUPS];
        let theory = initial_theory(&params, &layout);
        let tables = DayTables::new(&params);
        let event = (params.engine == crate::params::DayEngine::Event).then(|| {
            // Attitudes are stored as deviations from the path: none on day 0.
            persons.trust.fill(crate::event::TRUST_ON_PATH);
            crate::event::EventState::new(&params, &plan, &layout, &tables)
        });
        let closed_today = ClosedToday::new(&layout, params.population.employer_concentration);
        Simulation {
            theory,
            event,
            tables,
            enabled: params.authorities.iter().map(|a| a.enabled).collect(),
            person_list_states,
            firm_list_states: vec![ListState::default(); plan.firm_lists.len()],
            plan,
            layout,
            persons,
            operating: FirmSet::all(nf),
            firms,
            person_cols,
            firm_cols,
            metrics,
            day: 0,
            pending_persons: Vec::new(),
            pending_firms: Vec::new(),
            person_inbox: Vec::new(),
            firm_inbox: Vec::new(),
            firm_lists_before: Vec::with_capacity(nf),
            firm_blacklisted: RareFirmSet::default(),
            closed_today,
            person_outboxes,
            firm_outboxes,
            peer_rates,
            group_sanction_rate: [0.0; N_PEER_GROUPS],
            intervention_target,
            static_counts,
            replay: ReplayLog { initial_scales, ..ReplayLog::default() },
            workload: Workload::default(),
            params,
        }
    }

    /// The next day to simulate (days done so far).
    pub fn day(&self) -> u32 {
        self.day
    }

    /// The event engine's plan of the last day run (of day 0 before any), or `None` under the
    /// daily engine.
    pub fn event_day(&self) -> Option<&crate::event::EventDay> {
        self.event.as_ref().map(|e| &e.day)
    }

    pub(crate) fn is_large(&self, firm: u32) -> bool {
        firm_traits(&self.params, &self.layout, firm).size == 3
    }

    /// Adds the adults among persons `ids` to the score, grade and wealth histograms `h`.
    fn count_persons(&self, mut h: PersonHists, ids: Range<u32>) -> PersonHists {
        let params = &self.params;
        for (id, province) in self.layout.with_provinces(ids) {
            let t = person_traits_in(params, &self.layout, id, province);
            if !t.is_adult() {
                continue;
            }
            let cell = t.cell();
            let w = self.persons.wealth[id as usize];
            let b = wealth_bin(w);
            h.wealth[cell].0[b] += 1;
            h.wealth[cell].1[b] += w.max(0) as u64;
            for (k, &a) in self.plan.person_points.iter().enumerate() {
                let AuthorityKind::Points(s) = &params.authorities[a].kind else { continue };
                if !covered(&self.layout, a, id, t.province) {
                    continue;
                }
                let score = s.base + self.persons.scores[k][id as usize] as f64;
                let bin = (((score - s.min) / (s.max - s.min).max(1e-9)) * SCORE_BINS as f64) as usize;
                h.score[k][cell][bin.min(SCORE_BINS - 1)] += 1;
                if let Some(g) = grade_of(&s.grades, score) {
                    h.grade[k][cell][g] += 1;
                }
            }
        }
        h
    }

    /// End-of-run distributions: scores and grades of each person scheme, wealth (with the Gini
    /// of each group) and list spell durations, overall and by urban/rural and income group.
    pub fn distributions(&self) -> Vec<DistRow> {
        let params = &self.params;
        // Counts per cell (over chunks of persons, added up in chunk order), then aggregated to
        // the three dimensions.
        let n = self.layout.n_persons();
        let len = chunk_len(n, PERSON_MIN_CHUNK);
        let zero = || PersonHists::new(params, &self.plan);
        let PersonHists { score: score_hist, grade: grade_hist, wealth } = (0..n_chunks(n, PERSON_MIN_CHUNK))
            .into_par_iter()
            .fold(zero, |h, c| self.count_persons(h, chunk_ids(c, len, n)))
            .reduce(zero, PersonHists::merged);
        let mut rows = Vec::new();
        // Group slots: 0 all, 1-2 rural/urban, 3-7 income quintiles; each cell adds to three.
        let group_names: [(&'static str, &'static str); 8] = [
            ("all", "all"),
            ("urban_rural", "rural"),
            ("urban_rural", "urban"),
            ("income", "q1"),
            ("income", "q2"),
            ("income", "q3"),
            ("income", "q4"),
            ("income", "q5"),
        ];
        let slots = |cell: usize| [0, 1 + (cell / N_INCOME) % 2, 3 + cell % N_INCOME];
        let mut push_grouped =
            |name: String, bins: &[(String, f64)], per_cell: &dyn Fn(usize, usize) -> u64| {
                let mut acc = vec![0u64; group_names.len() * bins.len()];
                for cell in 0..N_CELLS {
                    for slot in slots(cell) {
                        for b in 0..bins.len() {
                            acc[slot * bins.len() + b] += per_cell(cell, b);
                        }
                    }
                }
                for (slot, (dim, group)) in group_names.iter().enumerate() {
                    for (b, bin) in bins.iter().enumerate() {
                        rows.push(DistRow {
                            distribution: name.clone(),
                            dimension: dim,
                            group: group.to_string(),
                            bin: bin.0.clone(),
                            lower: bin.1,
                            count: acc[slot * bins.len() + b],
                        });
                    }
                }
            };
        for (k, &a) in self.plan.person_points.iter().enumerate() {
            let AuthorityKind::Points(s) = &params.authorities[a].kind else { continue };
            let width = (s.max - s.min) / SCORE_BINS as f64;
            let bins: Vec<(String, f64)> = (0..SCORE_BINS)
                .map(|b| {
                    let lo = s.min + width * b as f64;
                    (format!("{lo}"), lo)
                })
                .collect();
            let h = &score_hist[k];
            push_grouped(format!("score:{}", params.authorities[a].name), &bins, &|c, b| h[c][b]);
            let gbins: Vec<(String, f64)> = s.grades.iter().map(|g| (g.name.clone(), g.min_score)).collect();
            let gh = &grade_hist[k];
            push_grouped(format!("grade:{}", params.authorities[a].name), &gbins, &|c, b| gh[c][b]);
        }
        let wbins: Vec<(String, f64)> =
            (0..WEALTH_BINS).map(|b| (format!("{}", wealth_bin_lower(b)), wealth_bin_lower(b))).collect();
        push_grouped("wealth".to_string(), &wbins, &|c, b| wealth[c].0[b]);
        // Gini per group, from the same histograms.
        let mut gini_acc = vec![(vec![0u64; WEALTH_BINS], vec![0u64; WEALTH_BINS]); group_names.len()];
        for (cell, (counts, sums)) in wealth.iter().enumerate() {
            for slot in slots(cell) {
                let (c, s) = &mut gini_acc[slot];
                for b in 0..WEALTH_BINS {
                    c[b] += counts[b];
                    s[b] += sums[b];
                }
            }
        }
        for ((dim, group), (c, s)) in group_names.iter().zip(&gini_acc) {
            rows.push(DistRow {
                distribution: "wealth_gini".to_string(),
                dimension: dim,
                group: group.to_string(),
                bin: "gini".to_string(),
                lower: gini_from_hist(c, s),
                count: c.iter().sum(),
            });
        }
        let all_lists = self
            .plan
            .person_lists
            .iter()
            .zip(&self.person_list_states)
            .chain(self.plan.firm_lists.iter().zip(&self.firm_list_states));
        for (&a, state) in all_lists {
            let mut open = [0u64; SPELL_BINS.len()];
            for e in &state.entries {
                let d = self.day.saturating_sub(e.since);
                open[SPELL_BINS.partition_point(|&b| b <= d) - 1] += 1;
            }
            for (kind, counts) in [("finished", state.spells), ("ongoing", open)] {
                for (b, &count) in counts.iter().enumerate() {
                    rows.push(DistRow {
                        distribution: format!("list_spells:{}", params.authorities[a].name),
                        dimension: "all",
                        group: kind.to_string(),
                        bin: format!("{}", SPELL_BINS[b]),
                        lower: SPELL_BINS[b] as f64,
                        count,
                    });
                }
            }
        }
        rows
    }
}

/// Bins of a score distribution.
const SCORE_BINS: usize = 20;

/// Histograms per cell of the end-of-run distributions of persons.
struct PersonHists {
    /// Per person points scheme and cell, counts per score bin.
    score: Vec<Vec<[u64; SCORE_BINS]>>,
    /// Per person points scheme and cell, counts per grade (empty for a list).
    grade: Vec<Vec<Vec<u64>>>,
    /// Per cell, counts and wealth sums per wealth bin.
    wealth: Vec<(Vec<u64>, Vec<u64>)>,
}

impl PersonHists {
    /// Empty histograms.
    fn new(params: &Params, plan: &Plan) -> PersonHists {
        let n_schemes = plan.person_points.len();
        PersonHists {
            score: vec![vec![[0; SCORE_BINS]; N_CELLS]; n_schemes],
            grade: plan
                .person_points
                .iter()
                .map(|&a| match &params.authorities[a].kind {
                    AuthorityKind::Points(s) => vec![vec![0; s.grades.len()]; N_CELLS],
                    AuthorityKind::List(_) => Vec::new(),
                })
                .collect(),
            wealth: vec![(vec![0; WEALTH_BINS], vec![0; WEALTH_BINS]); N_CELLS],
        }
    }

    /// `self` with `other` (the histograms of the chunks that follow) added.
    fn merged(mut self, other: PersonHists) -> PersonHists {
        let add = |a: &mut [u64], b: &[u64]| a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        for (a, b) in self.score.iter_mut().flatten().zip(other.score.iter().flatten()) {
            add(a, b);
        }
        for (a, b) in self.grade.iter_mut().flatten().zip(other.grade.iter().flatten()) {
            add(a, b);
        }
        for (a, b) in self.wealth.iter_mut().zip(&other.wealth) {
            add(&mut a.0, &b.0);
            add(&mut a.1, &b.1);
        }
        self
    }
}

/// Lower bound in yuan of a wealth histogram bin.
pub fn wealth_bin_lower(bin: usize) -> f64 {
    if bin == 0 {
        return f64::NEG_INFINITY;
    }
    let octave = (bin - 1) / 4;
    let frac = (bin - 1) % 4;
    2f64.powi(octave as i32) * (1.0 + frac as f64 / 4.0)
}

/// Index of the grade band that a score falls in (the highest band whose minimum it reaches).
pub fn grade_of(grades: &[crate::params::Grade], score: f64) -> Option<usize> {
    grades
        .iter()
        .enumerate()
        .filter(|(_, g)| score >= g.min_score)
        .max_by(|a, b| a.1.min_score.total_cmp(&b.1.min_score))
        .map(|(i, _)| i)
}

/// The behaviour theory's state on day 0: the expression authority's first policy, or the
/// reputation game among the adults (in id order; the first `players` of them if given).
fn initial_theory(params: &Params, layout: &Layout) -> TheoryState {
    match &params.theory {
        Theory::Deterrence => TheoryState::Stateless,
        Theory::Expression(x) => TheoryState::Expression(crate::theory::expression::Authority::new(x)),
        Theory::Reputation(r) => {
            let most = r.players.map_or(usize::MAX, |n| n as usize);
            let players: Vec<u32> = (0..layout.n_persons() as u32)
                .filter(|&id| adult_traits(params, layout, id, layout.person_province(id)).is_some())
                .take(most)
                .collect();
            if players.is_empty() {
                // No adult, no game: the theory's values stay undefined.
                return TheoryState::Stateless;
            }
            let game = crate::theory::reputation::Game::new(r, players.len(), params.seed);
            TheoryState::Reputation { game: Box::new(game), players }
        }
    }
}
