//! The model's parameters: plain data, validated by `scslab-scenario` before they reach here.
//!
//! Nothing in this file reads files or checks user input. A `Params` value that the scenario
//! crate produced is valid by construction; the model may index with its numbers freely.

use crate::vocab::{
    Context, FirmMeasureKind, N_FIRM_EVENTS, N_INCOME, N_PERSON_EVENTS, N_PROVINCES, PersonMeasureKind,
};

/// Everything the model needs for one run.
#[derive(Clone, Debug)]
pub struct Params {
    /// Seed of every random stream.
    pub seed: u64,
    /// Number of persons.
    pub n_persons: u64,
    /// Number of simulated days.
    pub days: u32,
    /// The synthetic population.
    pub population: Population,
    /// Behaviour rates and responses.
    pub behaviour: Behaviour,
    /// Coverage of the system over time and provinces.
    pub rollout: Rollout,
    /// Scoring authorities: points schemes and lists.
    pub authorities: Vec<Authority>,
    /// Consequences that lists attach to their members.
    pub measures: Vec<Measure>,
    /// Joint-punishment memoranda: one list triggers other authorities' measures.
    pub memoranda: Vec<Memorandum>,
    /// Supplier and customer links.
    pub network: Network,
    /// Targeted enforcement.
    pub interventions: Vec<Intervention>,
    /// Policy changes at given days.
    pub policy_changes: Vec<PolicyChange>,
    /// Days that end a rating year, increasing, up to the longest horizon (whatever `days`):
    /// each firm points scheme with grades rates every operating firm at the end of these days
    /// (the last day of each calendar year when the scenario has a `start_date`, else days 364,
    /// 729, ...).
    pub year_ends: Vec<u32>,
    /// The behaviour theory in force (`[behaviour] theory`).
    pub theory: crate::theory::Theory,
    /// How the person and firm phases visit agents (`[engine] day`).
    pub engine: DayEngine,
}

/// How the person and firm phases visit agents (docs/ODD.md 7.26, 7.27).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DayEngine {
    /// Every adult's day is drawn every day (the reference).
    #[default]
    Daily,
    /// Only adults and firms to whom something can happen are visited in full; the other
    /// adults' attitudes follow their peer group's path and their stocks come from static
    /// aggregates, and the other firms take a fast path.
    Event,
}

impl DayEngine {
    /// The scenario's names, in order.
    pub const NAMES: [&'static str; 2] = ["daily", "event"];

    /// The scenario's name of the engine.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The engine of a scenario that names none: the event engine where it is defined (the
    /// deterrence theory, whose equivalence with the daily engine docs/VALIDATION.md measures),
    /// the daily engine under the other theories.
    pub fn default_for(theory: &crate::theory::Theory) -> Self {
        match theory {
            crate::theory::Theory::Deterrence => Self::Event,
            _ => Self::Daily,
        }
    }
}

/// A truncated triangular distribution on `[mean - spread, mean + spread]` clipped to [0, 1].
#[derive(Clone, Copy, Debug)]
pub struct TraitDist {
    /// Centre.
    pub mean: f64,
    /// Half-width.
    pub spread: f64,
}

/// The synthetic population.
#[derive(Clone, Debug)]
pub struct Population {
    /// Relative weight of each province (need not sum to 1).
    pub province_weights: [f64; N_PROVINCES],
    /// Share of persons living in urban areas.
    pub urban_share: f64,
    /// Shares of age bands 0-14, 15-59, 60+.
    pub age_shares: [f64; 3],
    /// Share of working-age persons with an employer at the start.
    pub employment_rate: f64,
    /// Daily income in yuan of each income quintile (urban; rural is scaled).
    pub daily_income: [f64; N_INCOME],
    /// Rural incomes as a share of urban ones.
    pub rural_income_factor: f64,
    /// Share of daily income spent on living.
    pub consumption_share: f64,
    /// Initial wealth in days of income.
    pub initial_wealth_days: f64,
    /// Market entities per person.
    pub firms_per_person: f64,
    /// Shares of firm size classes micro, small, medium, large.
    pub firm_size_shares: [f64; 4],
    /// Shares of sectors.
    pub sector_shares: [f64; 4],
    /// Integer exponent >= 1 concentrating employees in the largest firms of a province.
    pub employer_concentration: u32,
    /// Provinces whose largest firm is a politically exposed platform firm.
    pub platform_provinces: Vec<u8>,
    /// Value in yuan of a firm by size class (micro, small, medium, large).
    pub firm_value: [f64; 4],
    /// Value in yuan of a platform firm.
    pub platform_value: f64,
    /// Daily return on value (revenue net of costs) as a share of value.
    pub firm_daily_return: f64,
    /// Daily probability that a firm closes for ordinary business reasons.
    pub firm_base_closure: f64,
    /// Daily probability that the slot of a closed firm is taken by a newly founded firm.
    pub firm_founding: f64,
}

/// Behaviour rates and responses.
#[derive(Clone, Debug)]
pub struct Behaviour {
    /// Daily probability of each person event for an average person with no system.
    pub person_rate: [f64; N_PERSON_EVENTS],
    /// Daily probability of each firm event for an average firm with no system.
    pub firm_rate: [f64; N_FIRM_EVENTS],
    /// Law-abidance trait.
    pub law_abidance: TraitDist,
    /// Prosociality trait.
    pub prosociality: TraitDist,
    /// Outspokenness (boldness) trait.
    pub outspokenness: TraitDist,
    /// Fear sensitivity (risk aversion) trait.
    pub fear_sensitivity: TraitDist,
    /// Conformity trait.
    pub conformity: TraitDist,
    /// Private dissent at the start (desired criticism).
    pub dissent: TraitDist,
    /// Firms' compliance propensity (per domain, same distribution).
    pub firm_compliance: TraitDist,
    /// Weight `k` of the expected sanction in `exp(-k * fear_sensitivity * p * S)` (Becker).
    pub deterrence_weight: f64,
    /// Extra pull of rewards on favoured behaviour, per unit of expected reward.
    pub reward_pull: f64,
    /// Crowding-out: share of the intrinsic motive lost when a reward is attached, per event.
    pub crowding_out: [f64; N_PERSON_EVENTS],
    /// Weight of peer behaviour (conformity); 0 switches it off.
    pub conformity_weight: f64,
    /// How much full fear multiplies perceived detection (1 + fear_perception * fear).
    pub fear_perception: f64,
    /// Share of fear lost each day.
    pub fear_decay: f64,
    /// Fear added (0..1) by one's own sanction.
    pub fear_own_sanction: f64,
    /// Fear added per unit of the group's daily sanction rate.
    pub fear_group_sanction: f64,
    /// Resentment added (0..1) by a sanction.
    pub resentment_sanction: f64,
    /// Extra resentment added by a false sanction.
    pub resentment_false_sanction: f64,
    /// Share of resentment lost each day.
    pub resentment_decay: f64,
    /// How much resentment adds to private dissent.
    pub dissent_from_resentment: f64,
    /// Trust at the start (0..1).
    pub initial_trust: f64,
    /// Trust gained by a reward.
    pub trust_reward: f64,
    /// Trust lost by a sanction.
    pub trust_sanction: f64,
    /// Extra trust lost by a false sanction.
    pub trust_false_sanction: f64,
    /// Share of the gap to initial trust closed each day.
    pub trust_recovery: f64,
    /// Daily probability that a person tries to take a flight.
    pub flight_rate: f64,
    /// Daily probability that a person tries to take a high-speed train.
    pub train_rate: f64,
    /// Daily probability that a person under a travel ban tries to take a flight (a refused
    /// ticket purchase); `flight_rate` unless the scenario sets it.
    pub banned_flight_rate: f64,
    /// Daily probability that a person under a travel ban tries to take a high-speed train;
    /// `train_rate` unless the scenario sets it.
    pub banned_train_rate: f64,
    /// Daily probability that an unemployed working-age person finds a job.
    pub reemployment_rate: f64,
    /// Extra repayment pull per unit of sanction severity on a debtor's lists.
    pub repayment_pressure: f64,
    /// Multiplier of executive criticism for platform firms.
    pub platform_outspokenness: f64,
    /// Share of a leader's fear lost each day.
    pub leader_fear_decay: f64,
    /// How much full fear cuts executives' public criticism (multiplier 1 - this * fear), beyond
    /// the recorded-sanction deterrence: the fear of arbitrary, targeted enforcement.
    pub leader_silencing: f64,
    /// Value in yuan of one point of score, for the perceived sanction and reward of points.
    pub point_value: f64,
}

/// Coverage of the system: a piecewise-linear schedule over days, uneven across provinces.
#[derive(Clone, Debug)]
pub struct Rollout {
    /// (day, coverage) points, days increasing; coverage is held flat outside them.
    pub schedule: Vec<(u32, f64)>,
    /// Provinces' coverage is multiplied by `1 - spread * u` with `u` uniform per province.
    pub province_spread: f64,
}

/// Who an authority records and scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// Natural persons aged 15 and over.
    Person,
    /// Firms.
    Firm,
}

/// Where an authority operates and who has consented.
#[derive(Clone, Debug)]
pub struct Coverage {
    /// Provinces where it operates; empty means all.
    pub provinces: Vec<u8>,
    /// Share of agents of those provinces inside its area (e.g. pilot cities).
    pub area_share: f64,
    /// Share of agents in the area who consent (opt-in schemes); 1 when consent is not asked.
    pub consent_share: f64,
}

/// A scoring authority: it records events of its subjects and turns records into a score or a
/// list membership.
#[derive(Clone, Debug)]
pub struct Authority {
    /// Name used in scenarios and outputs.
    pub name: String,
    /// Persons or firms.
    pub subject: Subject,
    /// Whether it runs at the start.
    pub enabled: bool,
    /// Detection probability per event of the subject's vocabulary (before rollout).
    pub detect: Vec<f64>,
    /// Daily probability of a false record per event (before rollout).
    pub false_rate: Vec<f64>,
    /// Mean delay of records in days (geometric); 0 for same-day records.
    pub delay_mean_days: f64,
    /// Area and consent.
    pub coverage: Coverage,
    /// Points scheme or list.
    pub kind: AuthorityKind,
}

/// A points scheme or a list.
#[derive(Clone, Debug)]
pub enum AuthorityKind {
    /// A score with points per record.
    Points(PointsScheme),
    /// A blacklist or redlist.
    List(ListRule),
}

/// A grade band: scores at or above `min_score` (and below the next band) get this grade.
#[derive(Clone, Debug)]
pub struct Grade {
    /// Grade name.
    pub name: String,
    /// Lowest score of the band.
    pub min_score: f64,
}

/// A points scheme.
#[derive(Clone, Debug)]
pub struct PointsScheme {
    /// Starting score.
    pub base: f64,
    /// Lowest score.
    pub min: f64,
    /// Highest score.
    pub max: f64,
    /// Points per record of each event.
    pub points: Vec<f64>,
    /// Share of the distance to `base` recovered each day (repair or decay).
    pub decay_per_day: f64,
    /// Grade bands, any order.
    pub grades: Vec<Grade>,
    /// Firm schemes: points per recorded violation of an employee.
    pub employee_points: f64,
    /// Firm schemes: points per day of dealing with a blacklisted partner.
    pub partner_points: f64,
    /// Firm schemes with grades: the grade of firms founded since the last rating whose score is
    /// at least its `min_score` (the tax rating's M). It is not one of `grades`' bands.
    pub new_grade: Option<Grade>,
    /// Firm schemes with grades: the grade given whatever the score to a firm with a record of
    /// one of its grounds since the last rating (the tax rating's direct D).
    pub direct_grade: Option<DirectGrade>,
    /// Firm schemes: firms start at a draw from the stationary distribution of their score
    /// under the day-0 rates instead of at `base` (firms founded later start at `base`).
    pub warm_start: bool,
}

impl PointsScheme {
    /// Firm schemes with grades rate every operating firm at each year end.
    pub fn rated(&self) -> bool {
        !self.grades.is_empty()
    }

    /// The grades a rating counts, in column order: `grades`, then `new_grade`.
    pub fn rating_grades(&self) -> impl Iterator<Item = &Grade> {
        self.grades.iter().chain(&self.new_grade)
    }
}

/// A grade given on grounds rather than by score.
#[derive(Clone, Debug)]
pub struct DirectGrade {
    /// Index of the grade in the scheme's `grades`.
    pub grade: usize,
    /// Events whose records (true or false) since the last rating give the grade, one flag per
    /// event.
    pub grounds: Vec<bool>,
}

/// What membership of a list means: the list's kind. Everything the model, the scenario reader,
/// the trace and the audit decide by a list's kind is asked of this type, in exhaustive matches
/// below, so that a new kind is a variant here and an answer to each question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListColor {
    /// A blacklist: membership is a sanction.
    Black,
    /// A redlist: membership is a reward.
    Red,
}

impl ListColor {
    /// Every kind of list.
    pub const ALL: [ListColor; 2] = [ListColor::Black, ListColor::Red];

    /// The scenario's `kind` of a list of this colour.
    pub const fn kind(self) -> &'static str {
        match self {
            ListColor::Black => "blacklist",
            ListColor::Red => "redlist",
        }
    }

    /// The colour of a scenario's list `kind`, if it names one.
    pub fn of_kind(kind: &str) -> Option<ListColor> {
        ListColor::ALL.into_iter().find(|c| c.kind() == kind)
    }

    /// Membership is a sanction: the entry measures count as sanctions (false ones and spillover
    /// too), weigh as the expected sanction of the grounds (deterrence), and raise the member's
    /// fear and resentment; members count as blacklisted (customers drop a listed firm, debtors
    /// feel repayment pressure, the audit reads the list), and a listing by score without a true
    /// violation rests on a false basis.
    pub const fn sanctions(self) -> bool {
        match self {
            ListColor::Black => true,
            ListColor::Red => false,
        }
    }

    /// Membership is a reward: the entry measures count as rewards, weigh as the expected reward
    /// of the grounds and raise the member's trust; members count as redlisted.
    pub const fn rewards(self) -> bool {
        match self {
            ListColor::Black => false,
            ListColor::Red => true,
        }
    }

    /// An entry in words, for a trace row.
    pub const fn entry_words(self, false_basis: bool) -> &'static str {
        match (self, false_basis) {
            (ListColor::Black, false) => "a blacklist, on a true record",
            (ListColor::Black, true) => "a blacklist, on a false basis",
            (ListColor::Red, _) => "a redlist (rewards)",
        }
    }
}

/// A score condition for list membership, re-checked daily.
#[derive(Clone, Debug)]
pub struct ScoreRule {
    /// Index of the points authority whose score is read.
    pub authority: usize,
    /// Member while the score is below this.
    pub below: Option<f64>,
    /// Member while the score is at or above this.
    pub at_least: Option<f64>,
}

/// A list.
#[derive(Clone, Debug)]
pub struct ListRule {
    /// Black or red.
    pub color: ListColor,
    /// Events whose records put the subject on the list (one flag per event).
    pub grounds: Vec<bool>,
    /// Membership by score instead of (or as well as) records.
    pub score_rule: Option<ScoreRule>,
    /// Fixed listing period in days; `None` keeps members until another exit.
    pub duration_days: Option<u32>,
    /// Members leave when they repay (judgment debts).
    pub exit_on_repayment: bool,
    /// Daily probability of exit by credit repair.
    pub repair_rate: f64,
    /// Days on the list before credit repair can release a member (the repair period); 0 from
    /// the day of entry. Policy changes can change it ([`Change::CreditRepair`]).
    pub repair_after_days: u32,
    /// Share of members who appeal at entry.
    pub appeal_rate: f64,
    /// Days an appeal takes.
    pub appeal_days: u32,
    /// Probability that an appeal against a false listing succeeds.
    pub appeal_success_false: f64,
    /// Probability that an appeal against a true listing succeeds.
    pub appeal_success_true: f64,
    /// Indices of the list's own measures.
    pub measures: Vec<usize>,
    /// Firm lists: person list that the firm's legal representative is put on.
    pub legal_rep_list: Option<usize>,
    /// Contexts treated as related to the list's grounds; measures outside them are spillover.
    pub related_contexts: Vec<Context>,
    /// Person lists with ground events: expected share of adults on the list on day 0 (a warm
    /// start; 0 starts the list empty).
    pub initial_share: f64,
}

/// The effect of a measure, with its parameters.
#[derive(Clone, Copy, Debug)]
pub enum MeasureEffect {
    /// On persons.
    Person(PersonMeasureKind),
    /// On firms.
    Firm(FirmMeasureKind),
}

/// A consequence attached to a list.
#[derive(Clone, Debug)]
pub struct Measure {
    /// Name used in scenarios and outputs.
    pub name: String,
    /// Authority that applies it (a label: it need not be a scoring authority).
    pub authority: String,
    /// Context the measure acts in.
    pub context: Context,
    /// What it does.
    pub effect: MeasureEffect,
    /// One-off money in yuan (fine, payment).
    pub amount: f64,
    /// Daily money in yuan while listed.
    pub daily: f64,
    /// Multiplier (internet reach, revenue, inspections).
    pub factor: f64,
    /// Daily probability (job exclusion, employment priority, closure).
    pub prob: f64,
    /// Days (detention).
    pub days: u32,
    /// Share of firm value (fine, value shock).
    pub share: f64,
    /// How heavily agents weigh it, in yuan-equivalents, for deterrence and reward pull.
    pub perceived_yuan: f64,
}

/// A joint-punishment (or joint-reward) memorandum.
#[derive(Clone, Debug)]
pub struct Memorandum {
    /// Name.
    pub name: String,
    /// Index of the list authority whose members it targets.
    pub list: usize,
    /// Measures other authorities apply to the list's members.
    pub measures: Vec<usize>,
    /// Whether it is in force: its measures are applied at entry and act while listed only
    /// then (policy changes switch it).
    pub enabled: bool,
}

/// Procedural supplier links between firms.
#[derive(Clone, Debug)]
pub struct Network {
    /// Suppliers per firm (at most 8).
    pub suppliers_per_firm: u32,
    /// Daily probability that a firm drops a blacklisted supplier.
    pub drop_listed_partner: f64,
    /// Daily probability that dealing with a blacklisted supplier is penalised.
    pub partner_penalty_rate: f64,
    /// Penalty in yuan.
    pub partner_penalty_yuan: f64,
    /// Share of a dropped supplier's daily return lost per dropping customer.
    pub dropped_revenue_share: f64,
}

/// A targeted enforcement against one platform firm and its founder.
#[derive(Clone, Debug)]
pub struct Intervention {
    /// Name.
    pub name: String,
    /// Day it happens.
    pub day: u32,
    /// Index into the platform firms (0 = the first platform province's).
    pub platform: usize,
    /// Share of value lost by halting the listing (IPO).
    pub ipo_halt_value_share: f64,
    /// Fine in yuan.
    pub fine_yuan: f64,
    /// Share of value lost by forced restructuring.
    pub restructure_value_share: f64,
    /// Whether the founder (legal representative) withdraws from public life.
    pub founder_withdraws: bool,
    /// Fear (0..1) added to leaders of other large firms who see it.
    pub leaders_fear: f64,
}

/// A dated change of the regime: on its day, before the day's tables are built, it changes
/// the parameters it names; the parameters of later days follow (docs/ODD.md 7.20).
#[derive(Clone, Debug)]
pub struct PolicyChange {
    /// Day it takes effect.
    pub day: u32,
    /// What it changes.
    pub change: Change,
}

/// What a policy change changes; `None` leaves a value as it is.
#[derive(Clone, Debug)]
pub enum Change {
    /// An authority's switch and detection, and a list's rules.
    Authority {
        /// Index of the authority.
        authority: usize,
        /// Switch on or off.
        enabled: Option<bool>,
        /// Multiply its detection probabilities (replacing the previous scale).
        detection_scale: Option<f64>,
        /// New listing period (lists): `Some(None)` removes it.
        duration_days: Option<Option<u32>>,
        /// New ground events (lists), one flag per event of the subject.
        grounds: Option<Vec<bool>>,
        /// New `below` threshold of the list's score rule.
        score_below: Option<f64>,
        /// New `at_least` threshold of the list's score rule.
        score_at_least: Option<f64>,
    },
    /// Credit repair as an exit route of a list.
    CreditRepair {
        /// Index of the list authority.
        list: usize,
        /// New daily probability of exit by repair.
        repair_rate: Option<f64>,
        /// New repair period: days on the list before repair can release a member.
        repair_after_days: Option<u32>,
    },
    /// A memorandum comes into force or ends.
    Memorandum {
        /// Index of the memorandum.
        memorandum: usize,
        /// In force from this day (`true`) or no longer (`false`).
        enabled: bool,
    },
    /// Whether a firm list puts the legal representatives of its members on its person list
    /// (e.g. the SPC's 2019 opinion that the people behind a defaulting unit are not listed).
    Representatives {
        /// Index of the firm list authority.
        list: usize,
        /// The person list its members' legal representatives are put on from this day;
        /// `None` stops the listing.
        legal_rep_list: Option<usize>,
    },
}

impl Change {
    /// The authority a change concerns, if any (a memorandum's change concerns none).
    pub fn authority(&self) -> Option<usize> {
        match *self {
            Change::Authority { authority, .. } => Some(authority),
            Change::CreditRepair { list, .. } | Change::Representatives { list, .. } => Some(list),
            Change::Memorandum { .. } => None,
        }
    }
}

impl Params {
    /// Indices of the person points authorities, in order; their position is their score column.
    pub fn person_points(&self) -> Vec<usize> {
        self.authorities_of(Subject::Person, true)
    }

    /// Indices of the firm points authorities.
    pub fn firm_points(&self) -> Vec<usize> {
        self.authorities_of(Subject::Firm, true)
    }

    /// Indices of the person lists; their position is their bit in the membership byte.
    pub fn person_lists(&self) -> Vec<usize> {
        self.authorities_of(Subject::Person, false)
    }

    /// Indices of the firm lists.
    pub fn firm_lists(&self) -> Vec<usize> {
        self.authorities_of(Subject::Firm, false)
    }

    fn authorities_of(&self, subject: Subject, points: bool) -> Vec<usize> {
        self.authorities
            .iter()
            .enumerate()
            .filter(|(_, a)| a.subject == subject && matches!(a.kind, AuthorityKind::Points(_)) == points)
            .map(|(i, _)| i)
            .collect()
    }

    /// Number of firms for this population.
    pub fn n_firms(&self) -> u64 {
        (self.n_persons as f64 * self.population.firms_per_person).round() as u64
    }
}
