//! The keys of every table of the scenario format, declared once: the check of a scenario
//! refuses a key its table (or its authority's or measure's kind) does not use, and a test holds
//! `docs/ODD.md` section 6.1 to the same declarations.
//!
//! The keys of a table whose keys do not depend on a kind are the fields of its raw mirror
//! (`raw.rs`), read from serde's own list ([`section_keys`]), so they cannot drift from what
//! the reader accepts. An authority's keys depend on its shape ([`AuthorityShape`]: points scheme
//! or list, of persons or of firms), declared in [`AUTHORITY_KEYS`]; a measure's parameters
//! depend on its kind, declared in [`measure_parameters`]. The raw mirrors stay flat (serde's
//! internally tagged enums lose the spans and `deny_unknown_fields`), and `resolve.rs` refuses,
//! at the key, every key present that the shape or kind does not use.

use scslab_model::params::{ListColor, MeasureEffect, Subject};
use scslab_model::vocab::{FirmMeasureKind, PersonMeasureKind};

/// What an authority is, as far as its keys go: a points scheme or a list (a blacklist or a
/// redlist: they take the same keys), of persons or of firms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorityShape {
    /// `kind = "points"`, `subject = "person"`.
    PersonPoints,
    /// `kind = "points"`, `subject = "firm"`: also scores its employees' and partners' records.
    FirmPoints,
    /// `kind = "blacklist"` or `"redlist"`, `subject = "person"`: members can appeal, start
    /// listed, and leave when they repay.
    PersonList,
    /// `kind = "blacklist"` or `"redlist"`, `subject = "firm"`: can list the legal
    /// representative of its members on a person list.
    FirmList,
}

/// The values of an authority's `kind`: `points`, then each kind of list ([`ListColor::kind`]).
pub const AUTHORITY_KINDS: [&str; 1 + ListColor::ALL.len()] = {
    let mut kinds = ["points"; 1 + ListColor::ALL.len()];
    let mut i = 0;
    while i < ListColor::ALL.len() {
        kinds[1 + i] = ListColor::ALL[i].kind();
        i += 1;
    }
    kinds
};

impl AuthorityShape {
    /// Every shape.
    pub const ALL: [AuthorityShape; 4] = [
        AuthorityShape::PersonPoints,
        AuthorityShape::FirmPoints,
        AuthorityShape::PersonList,
        AuthorityShape::FirmList,
    ];

    /// The shape of an authority of `subject` and `kind` (one of [`AUTHORITY_KINDS`]), or `None`
    /// for an unknown kind.
    pub fn of(subject: Subject, kind: &str) -> Option<AuthorityShape> {
        match (subject, kind) {
            (Subject::Person, "points") => Some(AuthorityShape::PersonPoints),
            (Subject::Firm, "points") => Some(AuthorityShape::FirmPoints),
            (Subject::Person, k) if ListColor::of_kind(k).is_some() => Some(AuthorityShape::PersonList),
            (Subject::Firm, k) if ListColor::of_kind(k).is_some() => Some(AuthorityShape::FirmList),
            _ => None,
        }
    }

    /// The shape in words, for messages ("a person points scheme").
    pub fn describe(self) -> &'static str {
        match self {
            AuthorityShape::PersonPoints => "a person points scheme",
            AuthorityShape::FirmPoints => "a firm points scheme",
            AuthorityShape::PersonList => "a person list",
            AuthorityShape::FirmList => "a firm list",
        }
    }

    /// The keys an authority of this shape accepts, in the order of [`AUTHORITY_KEYS`].
    pub fn keys(self) -> impl Iterator<Item = &'static str> {
        AUTHORITY_KEYS.iter().filter(move |(_, applies)| applies.includes(self)).map(|(key, _)| *key)
    }

    /// Whether an authority of this shape accepts `key`.
    pub fn accepts(self, key: &str) -> bool {
        self.keys().any(|k| k == key)
    }
}

/// Which authorities a key applies to: the "Applies to" column of the `[[authority]]` table of
/// `docs/ODD.md` section 6.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// Every authority.
    All,
    /// Points schemes of persons and of firms.
    Points,
    /// Points schemes of firms.
    FirmPoints,
    /// Lists of persons and of firms.
    Lists,
    /// Lists of persons.
    PersonLists,
    /// Lists of firms.
    FirmLists,
}

impl Applies {
    /// Whether an authority of `shape` takes the key.
    pub fn includes(self, shape: AuthorityShape) -> bool {
        use AuthorityShape::*;
        match self {
            Applies::All => true,
            Applies::Points => matches!(shape, PersonPoints | FirmPoints),
            Applies::FirmPoints => shape == FirmPoints,
            Applies::Lists => matches!(shape, PersonList | FirmList),
            Applies::PersonLists => shape == PersonList,
            Applies::FirmLists => shape == FirmList,
        }
    }

    /// The authorities in words, for messages ("firm points schemes").
    pub fn describe(self) -> &'static str {
        match self {
            Applies::All => "every authority",
            Applies::Points => "points schemes",
            Applies::FirmPoints => "firm points schemes",
            Applies::Lists => "lists",
            Applies::PersonLists => "person lists",
            Applies::FirmLists => "firm lists",
        }
    }

    /// The words of the ODD's "Applies to" column.
    pub fn label(self) -> &'static str {
        match self {
            Applies::All => "all",
            Applies::Points => "points",
            Applies::FirmPoints => "firm points",
            Applies::Lists => "lists",
            Applies::PersonLists => "person lists",
            Applies::FirmLists => "firm lists",
        }
    }
}

/// Every key of `[[authority]]` and the authorities it applies to. A key given to an authority
/// it does not apply to is refused (it would have no effect). Their union is the set of fields
/// of the raw mirror (a unit test checks it).
pub const AUTHORITY_KEYS: [(&str, Applies); 35] = [
    ("name", Applies::All),
    ("subject", Applies::All),
    ("kind", Applies::All),
    ("enabled", Applies::All),
    ("detect", Applies::All),
    ("false_rate", Applies::All),
    ("delay_mean_days", Applies::All),
    ("provinces", Applies::All),
    ("area_share", Applies::All),
    ("consent_share", Applies::All),
    // Points schemes (7.10).
    ("base", Applies::Points),
    ("min", Applies::Points),
    ("max", Applies::Points),
    ("points", Applies::Points),
    ("decay_per_day", Applies::Points),
    ("grades", Applies::Points),
    ("employee_points", Applies::FirmPoints),
    ("partner_points", Applies::FirmPoints),
    ("new_grade", Applies::FirmPoints),
    ("direct_grade", Applies::FirmPoints),
    ("warm_start", Applies::FirmPoints),
    // Lists (7.11): firms never appeal, start listed or repay.
    ("grounds", Applies::Lists),
    ("score_rule", Applies::Lists),
    ("duration_days", Applies::Lists),
    ("exit_on_repayment", Applies::PersonLists),
    ("repair_rate", Applies::Lists),
    ("repair_after_days", Applies::Lists),
    ("appeal_rate", Applies::PersonLists),
    ("appeal_days", Applies::PersonLists),
    ("appeal_success_false", Applies::PersonLists),
    ("appeal_success_true", Applies::PersonLists),
    ("measures", Applies::Lists),
    ("legal_rep_list", Applies::FirmLists),
    ("related_contexts", Applies::Lists),
    ("initial_share", Applies::PersonLists),
];

/// Keys of `[[measure]]` that every measure takes.
pub const MEASURE_COMMON_KEYS: [&str; 6] =
    ["name", "authority", "subject", "kind", "context", "perceived_yuan"];

/// Keys of `[[measure]]` that only some kinds use (see [`measure_parameters`]).
pub const MEASURE_PARAMETERS: [&str; 6] = ["amount", "daily", "factor", "prob", "days", "share"];

/// The parameters (among [`MEASURE_PARAMETERS`]) a measure of this kind uses: any other is
/// refused, since the model would never read it. The match is exhaustive, so a new measure kind
/// does not compile until its parameters are declared here.
pub fn measure_parameters(effect: MeasureEffect) -> &'static [&'static str] {
    match effect {
        MeasureEffect::Person(kind) => match kind {
            PersonMeasureKind::Fine | PersonMeasureKind::Payment => &["amount"],
            PersonMeasureKind::DailyMoney | PersonMeasureKind::DepositFree => &["daily"],
            PersonMeasureKind::InternetThrottle => &["factor"],
            PersonMeasureKind::JobExclusion
            | PersonMeasureKind::EmploymentPriority
            | PersonMeasureKind::ServicePriority => &["prob"],
            PersonMeasureKind::Detention => &["days"],
            PersonMeasureKind::TravelBan | PersonMeasureKind::ExecBan | PersonMeasureKind::PublicShaming => {
                &[]
            }
        },
        MeasureEffect::Firm(kind) => match kind {
            FirmMeasureKind::Fine => &["amount", "share"],
            FirmMeasureKind::Revenue | FirmMeasureKind::Inspections => &["factor"],
            FirmMeasureKind::Closure => &["prob"],
            FirmMeasureKind::ValueShock => &["share"],
        },
    }
}

/// The keys a measure of this kind accepts: the common ones, then its parameters.
pub fn measure_keys(effect: MeasureEffect) -> impl Iterator<Item = &'static str> {
    MEASURE_COMMON_KEYS.into_iter().chain(measure_parameters(effect).iter().copied())
}

/// What a `[[policy_change]]` changes: its `kind` (docs/ODD.md 7.20).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// `kind = "authority"` (the default): an authority's switch and detection scale, a list's
    /// period, grounds and score-rule thresholds.
    Authority,
    /// `kind = "credit_repair"`: credit repair as an exit route of a list.
    CreditRepair,
    /// `kind = "memorandum"`: a memorandum comes into force or ends.
    Memorandum,
    /// `kind = "representatives"`: whether a firm list puts its members' legal representatives
    /// on its person list.
    Representatives,
}

impl ChangeKind {
    /// Every kind, in the order error messages list them.
    pub const ALL: [ChangeKind; 4] = [
        ChangeKind::Authority,
        ChangeKind::CreditRepair,
        ChangeKind::Memorandum,
        ChangeKind::Representatives,
    ];

    /// The kind of a change without a `kind` key.
    pub const DEFAULT: ChangeKind = ChangeKind::Authority;

    /// The scenario's name of the kind.
    pub const fn name(self) -> &'static str {
        match self {
            ChangeKind::Authority => "authority",
            ChangeKind::CreditRepair => "credit_repair",
            ChangeKind::Memorandum => "memorandum",
            ChangeKind::Representatives => "representatives",
        }
    }

    /// The kind a scenario names, if any.
    pub fn of(name: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The keys a change of this kind accepts, in the order of [`POLICY_CHANGE_KEYS`].
    pub fn keys(self) -> impl Iterator<Item = &'static str> {
        POLICY_CHANGE_KEYS.iter().filter(move |(_, kinds)| kinds.contains(&self)).map(|(key, _)| *key)
    }

    /// Whether a change of this kind accepts `key`.
    pub fn accepts(self, key: &str) -> bool {
        self.keys().any(|k| k == key)
    }
}

/// Every key of `[[policy_change]]` and the kinds of change that take it: the "Kinds" column of
/// its table in `docs/ODD.md` section 6.1. A key given to a kind that does not take it is refused
/// (it would have no effect). Their union is the set of fields of the raw mirror (a unit test
/// checks it).
pub const POLICY_CHANGE_KEYS: [(&str, &[ChangeKind]); 13] = {
    use ChangeKind::*;
    [
        ("kind", &ChangeKind::ALL),
        ("day", &ChangeKind::ALL),
        ("date", &ChangeKind::ALL),
        ("authority", &[Authority, CreditRepair, Representatives]),
        ("memorandum", &[Memorandum]),
        ("enabled", &[Authority, Memorandum, Representatives]),
        ("detection_scale", &[Authority]),
        ("duration_days", &[Authority]),
        ("grounds", &[Authority]),
        ("score_below", &[Authority]),
        ("score_at_least", &[Authority]),
        ("repair_rate", &[CreditRepair]),
        ("repair_after_days", &[CreditRepair]),
    ]
};

/// The kinds that take a key of `[[policy_change]]`, as the ODD's "Kinds" column writes them:
/// `all`, or their names separated by commas.
pub fn policy_change_kinds_label(kinds: &[ChangeKind]) -> String {
    if kinds.len() == ChangeKind::ALL.len() {
        return "all".to_string();
    }
    kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

/// Every table of the format, as written in a file (`scenario`, ..., `policy_change`), with all
/// the keys it accepts, read from the raw mirror's serde fields. For `authority` and `measure`
/// these are the keys of all kinds together; [`AUTHORITY_KEYS`] and [`measure_parameters`] say
/// which kind takes which.
pub fn section_keys() -> Vec<(&'static str, &'static [&'static str])> {
    use crate::raw::*;
    vec![
        ("scenario", probe::fields::<RawMeta>()),
        ("population", probe::fields::<RawPopulation>()),
        ("behaviour", probe::fields::<RawBehaviour>()),
        ("rollout", probe::fields::<RawRollout>()),
        ("authority", probe::fields::<RawAuthority>()),
        ("measure", probe::fields::<RawMeasure>()),
        ("memorandum", probe::fields::<RawMemorandum>()),
        ("network", probe::fields::<RawNetwork>()),
        ("intervention", probe::fields::<RawIntervention>()),
        ("policy_change", probe::fields::<RawPolicyChange>()),
        ("expression", probe::fields::<RawExpression>()),
        ("reputation", probe::fields::<RawReputation>()),
        ("engine", probe::fields::<RawEngine>()),
    ]
}

/// The field names of a struct that derives `Deserialize`: a deserializer that answers the
/// struct's request for its fields by stopping with them.
mod probe {
    use serde::de::{self, Deserialize, Deserializer, Visitor};

    /// The fields serde would accept for `T`.
    pub fn fields<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
        match T::deserialize(Probe) {
            Err(Stop::Fields(fields)) => fields,
            Err(Stop::Other(why)) => panic!("{} is not a struct: {why}", std::any::type_name::<T>()),
            Ok(_) => unreachable!("the probe never gives a value"),
        }
    }

    struct Probe;

    #[derive(Debug)]
    enum Stop {
        Fields(&'static [&'static str]),
        Other(String),
    }

    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{self:?}")
        }
    }

    impl std::error::Error for Stop {}

    impl de::Error for Stop {
        fn custom<M: std::fmt::Display>(msg: M) -> Self {
            Stop::Other(msg.to_string())
        }
    }

    impl<'de> Deserializer<'de> for Probe {
        type Error = Stop;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop::Other("not a struct".into()))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            Err(Stop::Fields(fields))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
}

#[cfg(test)]
mod tests {
    use scslab_model::vocab::{FIRM_MEASURE_KINDS, PERSON_MEASURE_KINDS};

    use super::*;

    fn keys_of(table: &str) -> Vec<&'static str> {
        let mut keys = section_keys().into_iter().find(|t| t.0 == table).expect("a table").1.to_vec();
        keys.sort_unstable();
        keys
    }

    #[test]
    fn authority_keys_are_the_fields_of_the_raw_authority() {
        let mut declared: Vec<&str> = AUTHORITY_KEYS.iter().map(|k| k.0).collect();
        declared.sort_unstable();
        assert_eq!(declared, keys_of("authority"));
        // Each shape takes the common keys, and no two shapes take the same keys.
        for shape in AuthorityShape::ALL {
            assert!(shape.accepts("name") && shape.accepts("kind"), "{shape:?}");
            for other in AuthorityShape::ALL.into_iter().filter(|&o| o != shape) {
                assert!(!shape.keys().eq(other.keys()), "{shape:?} and {other:?}");
            }
        }
    }

    #[test]
    fn policy_change_keys_are_the_fields_of_the_raw_policy_change() {
        let mut declared: Vec<&str> = POLICY_CHANGE_KEYS.iter().map(|k| k.0).collect();
        declared.sort_unstable();
        assert_eq!(declared, keys_of("policy_change"));
        for kind in ChangeKind::ALL {
            assert_eq!(ChangeKind::of(kind.name()), Some(kind));
            assert!(kind.accepts("kind") && kind.accepts("day") && kind.accepts("date"), "{kind:?}");
            // Every kind takes a key of its own or a target: no two kinds take the same keys.
            for other in ChangeKind::ALL.into_iter().filter(|&o| o != kind) {
                assert!(!kind.keys().eq(other.keys()), "{kind:?} and {other:?}");
            }
        }
        assert!(ChangeKind::CreditRepair.accepts("repair_after_days"));
        assert!(!ChangeKind::Memorandum.accepts("authority"));
        assert_eq!(ChangeKind::of("credit-repair"), None);
    }

    #[test]
    fn measure_keys_are_the_fields_of_the_raw_measure() {
        let mut declared: Vec<&str> =
            MEASURE_COMMON_KEYS.iter().chain(&MEASURE_PARAMETERS).copied().collect();
        declared.sort_unstable();
        assert_eq!(declared, keys_of("measure"));
        let effects = PERSON_MEASURE_KINDS
            .iter()
            .map(|k| MeasureEffect::Person(k.1))
            .chain(FIRM_MEASURE_KINDS.iter().map(|k| MeasureEffect::Firm(k.1)));
        let mut used = Vec::new();
        for effect in effects {
            for p in measure_parameters(effect) {
                assert!(MEASURE_PARAMETERS.contains(p), "{effect:?}: {p}");
                used.push(*p);
            }
        }
        for p in MEASURE_PARAMETERS {
            assert!(used.contains(&p), "no kind uses `{p}`");
        }
    }

    #[test]
    fn shapes_of_subjects_and_kinds() {
        assert_eq!(AuthorityShape::of(Subject::Firm, "redlist"), Some(AuthorityShape::FirmList));
        assert_eq!(AuthorityShape::of(Subject::Person, "points"), Some(AuthorityShape::PersonPoints));
        assert_eq!(AuthorityShape::of(Subject::Person, "greylist"), None);
        for kind in AUTHORITY_KINDS {
            assert!(AuthorityShape::of(Subject::Person, kind).is_some(), "{kind}");
        }
        assert!(AuthorityShape::FirmPoints.accepts("employee_points"));
        assert!(!AuthorityShape::PersonPoints.accepts("employee_points"));
        assert!(!AuthorityShape::FirmList.accepts("appeal_rate"));
        assert!(AuthorityShape::PersonList.accepts("initial_share"));
    }

    #[test]
    fn the_probe_reads_the_fields_of_a_section() {
        assert_eq!(keys_of("rollout"), ["province_spread", "schedule"]);
        assert!(keys_of("behaviour").contains(&"banned_flight_rate"));
    }
}
