//! The fixed vocabulary of the model: event types, contexts, measure kinds and the 31 provinces.
//!
//! Scenarios refer to these by name; everything else (authorities, lists, measures, memoranda)
//! is defined by the scenario. Adding a name here is a model change and goes into docs/ODD.md.

/// How the regime regards an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Valence {
    /// A breach of law or contract: deterred by expected sanctions, counts against compliance.
    Violation,
    /// Behaviour the regime rewards (donation, volunteering, repayment, positive posts).
    Favoured,
    /// Speech the regime disfavours (criticism of the government): deterred, but not a breach.
    Dissent,
}

/// The social context a record or a measure belongs to. A sanction whose measure context is not
/// among the contexts related to the record that caused it is counted as cross-context spillover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Context {
    /// Taxes.
    Tax,
    /// Road traffic.
    Traffic,
    /// Loans and credit.
    Finance,
    /// Courts and judgment enforcement.
    Judicial,
    /// Civic life (donation, volunteering, helping the elderly).
    Civic,
    /// Environment (recycling, littering, pollution).
    Environment,
    /// Public speech.
    Speech,
    /// Product quality.
    ProductQuality,
    /// Labour relations.
    Labour,
    /// Market competition.
    Market,
    /// National security.
    Security,
    /// Travel by plane and train.
    Transport,
    /// Jobs and posts.
    Employment,
    /// Schooling.
    Education,
    /// Health care.
    Health,
    /// Internet access.
    Internet,
    /// Public services and utilities.
    PublicServices,
    /// Business dealings, procurement and bidding.
    Commerce,
    /// Police and detention.
    Policing,
}

/// Names of the contexts, in the order of [`Context`].
pub const CONTEXTS: [(&str, Context); 19] = [
    ("tax", Context::Tax),
    ("traffic", Context::Traffic),
    ("finance", Context::Finance),
    ("judicial", Context::Judicial),
    ("civic", Context::Civic),
    ("environment", Context::Environment),
    ("speech", Context::Speech),
    ("product_quality", Context::ProductQuality),
    ("labour", Context::Labour),
    ("market", Context::Market),
    ("security", Context::Security),
    ("transport", Context::Transport),
    ("employment", Context::Employment),
    ("education", Context::Education),
    ("health", Context::Health),
    ("internet", Context::Internet),
    ("public_services", Context::PublicServices),
    ("commerce", Context::Commerce),
    ("policing", Context::Policing),
];

/// One event type of persons or firms.
#[derive(Clone, Copy, Debug)]
pub struct EventInfo {
    /// Name used in scenarios and outputs.
    pub name: &'static str,
    /// How the regime regards it.
    pub valence: Valence,
    /// Its context.
    pub context: Context,
}

const fn ev(name: &'static str, valence: Valence, context: Context) -> EventInfo {
    EventInfo { name, valence, context }
}

/// Number of person event types.
pub const N_PERSON_EVENTS: usize = 12;

/// Person event types. Indices are stable and used as array positions everywhere.
pub const PERSON_EVENTS: [EventInfo; N_PERSON_EVENTS] = [
    ev("tax_evasion", Valence::Violation, Context::Tax),
    ev("traffic_violation", Valence::Violation, Context::Traffic),
    ev("loan_default", Valence::Violation, Context::Finance),
    ev("judgment_default", Valence::Violation, Context::Judicial),
    ev("repayment", Valence::Favoured, Context::Judicial),
    ev("blood_donation", Valence::Favoured, Context::Civic),
    ev("volunteering", Valence::Favoured, Context::Civic),
    ev("helping_elderly", Valence::Favoured, Context::Civic),
    ev("recycling", Valence::Favoured, Context::Environment),
    ev("littering", Valence::Violation, Context::Environment),
    ev("positive_post", Valence::Favoured, Context::Speech),
    ev("criticism", Valence::Dissent, Context::Speech),
];

/// Index of `judgment_default` in [`PERSON_EVENTS`].
pub const EV_JUDGMENT_DEFAULT: usize = 3;
/// Index of `repayment`.
pub const EV_REPAYMENT: usize = 4;
/// Index of `loan_default`.
pub const EV_LOAN_DEFAULT: usize = 2;
/// Index of `positive_post`.
pub const EV_POSITIVE_POST: usize = 10;
/// Index of `criticism`.
pub const EV_CRITICISM: usize = 11;

/// Number of firm event types.
pub const N_FIRM_EVENTS: usize = 8;

/// Firm event types.
pub const FIRM_EVENTS: [EventInfo; N_FIRM_EVENTS] = [
    ev("tax_evasion", Valence::Violation, Context::Tax),
    ev("environmental_violation", Valence::Violation, Context::Environment),
    ev("quality_violation", Valence::Violation, Context::ProductQuality),
    ev("labour_violation", Valence::Violation, Context::Labour),
    ev("anticompetitive", Valence::Violation, Context::Market),
    ev("security_flag", Valence::Violation, Context::Security),
    ev("exec_criticism", Valence::Dissent, Context::Speech),
    ev("tax_compliance", Valence::Favoured, Context::Tax),
];

/// Index of `tax_evasion` in [`FIRM_EVENTS`].
pub const FEV_TAX_EVASION: usize = 0;
/// Index of `exec_criticism` in [`FIRM_EVENTS`].
pub const FEV_EXEC_CRITICISM: usize = 6;
/// Index of `tax_compliance` in [`FIRM_EVENTS`]: a positive compliance record (timely filing and
/// payment), which the tax rating rewards with points (FACTS T3, T4).
pub const FEV_TAX_COMPLIANCE: usize = 7;

/// The compliance trait each firm event draws on: a violation its own domain, a favoured event
/// the domain of the violation of its context (a firm that seldom evades tax is the one that
/// files on time). Executive criticism draws on outspokenness instead (its entry is unused).
pub const FIRM_COMPLIANCE_DOMAIN: [usize; N_FIRM_EVENTS] = [0, 1, 2, 3, 4, 5, 5, FEV_TAX_EVASION];

/// The 31 provincial-level divisions of mainland China, in the order of the 2020 census table.
pub const PROVINCES: [&str; 31] = [
    "Beijing",
    "Tianjin",
    "Hebei",
    "Shanxi",
    "Inner Mongolia",
    "Liaoning",
    "Jilin",
    "Heilongjiang",
    "Shanghai",
    "Jiangsu",
    "Zhejiang",
    "Anhui",
    "Fujian",
    "Jiangxi",
    "Shandong",
    "Henan",
    "Hubei",
    "Hunan",
    "Guangdong",
    "Guangxi",
    "Hainan",
    "Chongqing",
    "Sichuan",
    "Guizhou",
    "Yunnan",
    "Tibet",
    "Shaanxi",
    "Gansu",
    "Qinghai",
    "Ningxia",
    "Xinjiang",
];

/// Number of provinces.
pub const N_PROVINCES: usize = 31;

/// 2020 census population of each province (FACTS.md S5), the default province weights.
pub const PROVINCE_POPULATION_2020: [u64; N_PROVINCES] = [
    21_893_095,
    13_866_009,
    74_610_235,
    34_915_616,
    24_049_155,
    42_591_407,
    24_073_453,
    31_850_088,
    24_870_895,
    84_748_016,
    64_567_588,
    61_027_171,
    41_540_086,
    45_188_635,
    101_527_453,
    99_365_519,
    57_752_557,
    66_444_864,
    126_012_510,
    50_126_804,
    10_081_232,
    32_054_159,
    83_674_866,
    38_562_148,
    47_209_277,
    3_648_100,
    39_528_999,
    25_019_831,
    5_923_957,
    7_202_654,
    25_852_345,
];

/// Number of income groups (quintiles).
pub const N_INCOME: usize = 5;

/// Age bands.
pub const AGE_BANDS: [&str; 3] = ["0-14", "15-59", "60+"];

/// Firm size classes, largest last.
pub const SIZE_CLASSES: [&str; 4] = ["micro", "small", "medium", "large"];

/// Firm sectors (FACTS.md S12).
pub const SECTORS: [&str; 4] = ["wholesale_retail", "manufacturing", "leasing_business", "other"];

/// What a measure does to a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonMeasureKind {
    /// One-off fine of `amount` yuan at listing.
    Fine,
    /// One-off payment of `amount` yuan at listing (a reward).
    Payment,
    /// Daily money `daily` yuan while listed (negative: dearer loans; positive: discounts).
    DailyMoney,
    /// Deposit-free services: daily saving `daily` yuan while listed.
    DepositFree,
    /// Plane and high-speed-rail tickets refused while listed.
    TravelBan,
    /// Slower internet: speech reach (and posting) multiplied by `factor`.
    InternetThrottle,
    /// Loses the job with daily probability `prob` while listed.
    JobExclusion,
    /// Unemployed finds a job with extra daily probability `prob`.
    EmploymentPriority,
    /// Barred from senior posts and from being a legal representative.
    ExecBan,
    /// Name published: resentment up, trust down, fear in the group.
    PublicShaming,
    /// Detained `days` days at listing (no events while detained).
    Detention,
    /// Priority in education or health care: trust up daily while listed.
    ServicePriority,
}

impl PersonMeasureKind {
    /// A severe measure (docs/AUDIT.md): a travel ban, exclusion from jobs, detention. The audit
    /// asks it of every measure.
    pub const fn severe(self) -> bool {
        match self {
            PersonMeasureKind::TravelBan | PersonMeasureKind::JobExclusion | PersonMeasureKind::Detention => {
                true
            }
            PersonMeasureKind::Fine
            | PersonMeasureKind::Payment
            | PersonMeasureKind::DailyMoney
            | PersonMeasureKind::DepositFree
            | PersonMeasureKind::InternetThrottle
            | PersonMeasureKind::EmploymentPriority
            | PersonMeasureKind::ExecBan
            | PersonMeasureKind::PublicShaming
            | PersonMeasureKind::ServicePriority => false,
        }
    }
}

/// Names of the person measure kinds.
pub const PERSON_MEASURE_KINDS: [(&str, PersonMeasureKind); 12] = [
    ("fine", PersonMeasureKind::Fine),
    ("payment", PersonMeasureKind::Payment),
    ("daily_money", PersonMeasureKind::DailyMoney),
    ("deposit_free", PersonMeasureKind::DepositFree),
    ("travel_ban", PersonMeasureKind::TravelBan),
    ("internet_throttle", PersonMeasureKind::InternetThrottle),
    ("job_exclusion", PersonMeasureKind::JobExclusion),
    ("employment_priority", PersonMeasureKind::EmploymentPriority),
    ("exec_ban", PersonMeasureKind::ExecBan),
    ("public_shaming", PersonMeasureKind::PublicShaming),
    ("detention", PersonMeasureKind::Detention),
    ("service_priority", PersonMeasureKind::ServicePriority),
];

/// What a measure does to a firm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirmMeasureKind {
    /// One-off fine: `amount` yuan plus `share` of the firm's value.
    Fine,
    /// Daily revenue multiplied by `factor` while listed (tax rate, bidding, market access,
    /// credit access, subsidies; above 1 for rewards).
    Revenue,
    /// Detection of the firm's violations multiplied by `factor` while listed.
    Inspections,
    /// Closed with daily probability `prob` while listed.
    Closure,
    /// One-off loss of `share` of the firm's value (public listing, delisting).
    ValueShock,
}

impl FirmMeasureKind {
    /// A severe measure (docs/AUDIT.md): closure. The audit asks it of every measure.
    pub const fn severe(self) -> bool {
        match self {
            FirmMeasureKind::Closure => true,
            FirmMeasureKind::Fine
            | FirmMeasureKind::Revenue
            | FirmMeasureKind::Inspections
            | FirmMeasureKind::ValueShock => false,
        }
    }
}

/// Names of the firm measure kinds.
pub const FIRM_MEASURE_KINDS: [(&str, FirmMeasureKind); 5] = [
    ("fine", FirmMeasureKind::Fine),
    ("revenue", FirmMeasureKind::Revenue),
    ("inspections", FirmMeasureKind::Inspections),
    ("closure", FirmMeasureKind::Closure),
    ("value_shock", FirmMeasureKind::ValueShock),
];
